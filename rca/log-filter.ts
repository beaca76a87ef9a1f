/**
 * The high-signal log filter: ERROR/FATAL lines always pass; other lines pass only when they
 * match one of the pattern families below. A few percent of a cluster's log volume is signal.
 */

export interface LogFamily {
  readonly family: string;
  /** Reason given to log events of this family when the producer gave none. */
  readonly reason: string;
  readonly pattern: RegExp;
}

export const LOG_FAMILIES: readonly LogFamily[] = [
  {
    family: "port",
    reason: "AddressInUse",
    pattern: /\b(address already in use|bind: address|port is already allocated|eaddrinuse)\b/i,
  },
  {
    family: "crash",
    reason: "ProcessCrashed",
    pattern:
      /\b(exit(ed)? (with )?(code|status) [1-9]\d*|segmentation fault|sigsegv|sigkill|core dumped|terminated unexpectedly|fatal error|uncaught exception|unhandled (promise )?rejection)\b/i,
  },
  {
    family: "panic",
    reason: "Panic",
    pattern:
      /\b(panic:|goroutine \d+ \[running\]|traceback \(most recent call last\)|exception in thread|stack ?trace|nullpointerexception)/i,
  },
  {
    family: "image",
    reason: "ImagePullError",
    pattern:
      /\b(errimagepull|imagepullbackoff|failed to pull image|manifest unknown|pull access denied|image not found)\b/i,
  },
  {
    family: "probe",
    reason: "ProbeFailed",
    pattern: /\b(liveness|readiness|startup) probe failed\b|\bhealth ?check (failed|failing)\b/i,
  },
  {
    family: "dns",
    reason: "DNSFailure",
    pattern:
      /\b(no such host|nxdomain|server misbehaving|temporary failure in name resolution|getaddrinfo|enotfound|dns (lookup|resolution) failed|bad address|unknownhostexception|name or service not known|could not resolve host)\b/i,
  },
  {
    family: "tls",
    reason: "TLSError",
    pattern:
      /\b(x509:|certificate (has )?expired|tls: (expired|bad|revoked|unknown) certificate|certificate verify failed|tls handshake (error|timeout|failure)|ssl routines|unknown authority|permission denied|unauthori[sz]ed|forbidden|authentication failed|invalid token)\b/i,
  },
  {
    family: "network",
    reason: "ConnectionFailed",
    pattern:
      /\b(connection refused|connection reset|connection timed out|connect: no route to host|i\/o timeout|dial tcp|econnrefused|econnreset|etimedout|broken pipe|upstream connect error|no healthy upstream|network is unreachable|context deadline exceeded)\b/i,
  },
  {
    family: "resources",
    reason: "ResourceExhausted",
    pattern:
      /\b(out of memory|oomkilled|oom-killed|cannot allocate memory|memory cgroup out of memory|java\.lang\.outofmemoryerror|heap out of memory|too many open files|resource temporarily unavailable|cpu throttl\w*)\b/i,
  },
  {
    family: "database",
    reason: "DatabaseError",
    pattern:
      /\b(deadlock detected|deadlock found|too many (connections|clients)|remaining connection slots are reserved|could not connect to (the )?(database|server)|database (is )?(locked|unavailable)|connection pool (exhausted|timeout)|sqlstate|lock wait timeout|the database system is (starting up|shutting down))\b/i,
  },
  {
    family: "storage",
    reason: "StorageError",
    pattern:
      /\b(no space left on device|enospc|read-only file system|disk (quota exceeded|full|usage exceeded)|flood[- ]stage watermark|input\/output error|stale file handle|volume .* not (found|attached)|mountvolume\.\w+ failed)\b/i,
  },
  {
    family: "http5xx",
    reason: "HTTP5xx",
    pattern:
      /(\b(status|code|http|response)[ :=_"]*5\d\d\b|\bHTTP\/\d(\.\d)? 5\d\d\b|"\s5\d\d\s|\b5\d\d (internal server error|bad gateway|service unavailable|gateway timeout)\b|\b(internal server error|bad gateway|service unavailable|gateway timeout)\b)/i,
  },
];

const ALWAYS = /^(ERROR|FATAL|CRITICAL|PANIC|EMERGENCY)$/i;

export interface LogVerdict {
  readonly keep: boolean;
  readonly family?: string;
  readonly reason?: string;
}

/** Classifies one log line; the first matching family wins. */
export function classifyLogLine(message: string, severity?: string): LogVerdict {
  for (const f of LOG_FAMILIES) {
    if (f.pattern.test(message)) return { keep: true, family: f.family, reason: f.reason };
  }
  if (severity && ALWAYS.test(severity)) return { keep: true };
  return { keep: false };
}
