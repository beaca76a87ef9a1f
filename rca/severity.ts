import type { Severity } from "./model.js";

const FATAL = new Set(["oomkilled", "crashloopbackoff", "error"]);
const ERROR = new Set([
  "failedscheduling",
  "failedmount",
  "failedattachvolume",
  "imagepullbackoff",
  "errimagepull",
  "invalidimagename",
  "imagegcfailed",
  "failedcreatepodcontainer",
  "nodenotready",
  "nodepressure",
  "evicted",
  "oomkilling",
]);
const WARNING = new Set(["backoff", "unhealthy", "probewarning", "failedkillpod", "networknotready"]);

/** Parses a severity in any case; `undefined` for values that are not one. */
export function parseSeverity(value: unknown): Severity | undefined {
  if (typeof value !== "string") return undefined;
  switch (value.trim().toUpperCase()) {
    case "INFO":
    case "NORMAL":
    case "DEBUG":
    case "NONE":
      return "INFO";
    case "WARNING":
    case "WARN":
      return "WARNING";
    case "ERROR":
    case "ERR":
    case "CRITICAL":
    case "PAGE":
    case "HIGH":
      return "ERROR";
    case "FATAL":
    case "EMERGENCY":
    case "PANIC":
      return "FATAL";
    default:
      return undefined;
  }
}

/** The severity the existing producers give a K8s event reason (CONTRACT.md), if any. */
export function reasonSeverity(reason: string, message: string): Severity | undefined {
  const r = reason.toLowerCase();
  if (FATAL.has(r)) return "FATAL";
  if (r === "failed" && /\bpod\b/i.test(message)) return "FATAL";
  if ((r === "unhealthy" || r === "probewarning") && /liveness/i.test(message)) return "ERROR";
  if (ERROR.has(r)) return "ERROR";
  if (WARNING.has(r)) return "WARNING";
  return undefined;
}
