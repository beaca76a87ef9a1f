import { pino, type Logger } from "pino";

export type { Logger };

/** Keys whose values are never logged. */
const REDACT = [
  "password",
  "*.password",
  "*.*.password",
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "sasl",
  "*.sasl",
  "token",
  "*.token",
  "secret",
  "*.secret",
];

/** One JSON logger per process, on stderr (stdout stays free for command output). */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: "[redacted]" } }, pino.destination(2));
}

/** Removes credentials from a URL before it is printed or logged. */
export function redactUrl(url: string): string {
  return url.replace(
    /\/\/([^/@:]*)(:[^/@]*)?@/,
    (_m, user: string, pass?: string) => `//${user}${pass ? ":***" : ""}@`,
  );
}
