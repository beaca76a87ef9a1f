import { readFileSync } from "node:fs";
import { compare, duplicateEvents, fingerprintFile } from "./harness.js";
const ref = JSON.parse(readFileSync("/tmp/kgf/ref100k.json", "utf8"));
const db = process.argv[2]!;
const c = compare(ref.fingerprint, fingerprintFile(db), duplicateEvents(db));
console.log(JSON.stringify({ lost: c.lost, duplicated: c.duplicated, identical: c.identical, tables: c.tables, samples: c.samples, refMs: ref.ms, dlqDistinct: ref.dlqDistinct.length, dlqEntries: ref.dlqEntries }, null, 1));
