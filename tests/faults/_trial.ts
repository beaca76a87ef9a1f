import { formatReport, runFaults } from "./fault-run.js";
const n = Number(process.argv[2] ?? 3000);
const r = await runFaults({
  messages: n,
  seed: 7,
  spanMs: (n / 10_000) * 4 * 86_400_000,
  kills: Number(process.argv[3] ?? 2),
  restartAfterMs: 1000,
  redisRestart: process.argv[4] !== "noredis",
  storeLockMs: Number(process.argv[5] ?? 20000),
  concurrency: 4,
  verbose: true,
});
console.log(formatReport(r));
process.exit(0);
