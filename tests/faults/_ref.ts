import { writeFileSync } from "node:fs";
import { generateMessages } from "./generate-messages.js";
import { referenceRun } from "./harness.js";
const messages = generateMessages({ count: 100_000, seed: 20_251_008, spanMs: 10 * 24 * 3_600_000 });
const r = await referenceRun("faults-ref-standalone", messages, { KG_WORKER_CONCURRENCY: "4" });
writeFileSync("/tmp/kgf/ref100k.json", JSON.stringify({ ms: r.ms, fingerprint: r.fingerprint, dlqDistinct: [...r.dlqDistinct], dlqEntries: r.dlqEntries }));
console.log("reference done", r.ms, "ms");
process.exit(0);
