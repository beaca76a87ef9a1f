import { generateMessages } from "./generate-messages.js";
import { referenceRun } from "./harness.js";
const n = Number(process.argv[2]);
const days = Number(process.argv[3] ?? 4);
const msgs = generateMessages({ count: n, seed: 1, spanMs: (n / 10_000) * days * 86_400_000 });
const r = await referenceRun("time", msgs);
console.log(
  n,
  "msgs",
  r.ms,
  "ms",
  Object.fromEntries(Object.entries(r.fingerprint).map(([k, v]) => [k, v.length])),
);
process.exit(0);
