// Test-side view of the real services started by tests/infra/up.sh (Kafka + Neo4j).
//
//   source tests/infra/.run/env.sh   # after `npm run infra:up`
//
//   import { describeIfKafka, kafkaBrokers } from "../../tests/infra/services.js";
//   describeIfKafka("bridge against a real broker", () => { ... });
//
// When the variables are not set, the suites are skipped and a visible notice is printed,
// so a run without the services says why it did less.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "vitest";

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() !== "" ? v.trim() : undefined);

/** Comma-separated broker list, e.g. "127.0.0.1:19092"; undefined when KAFKA_BROKERS is unset. */
export const kafkaBrokers: string | undefined = nonEmpty(process.env.KAFKA_BROKERS);

/** Bolt URL and credentials; undefined when NEO4J_URL is unset. User defaults to "neo4j". */
export const neo4jEnv: { url: string; user: string; password: string } | undefined = (() => {
  const url = nonEmpty(process.env.NEO4J_URL);
  if (!url) return undefined;
  return {
    url,
    user: nonEmpty(process.env.NEO4J_USER) ?? "neo4j",
    password: process.env.NEO4J_PASSWORD ?? "",
  };
})();

export const kafkaSkipReason = "KAFKA_BROKERS not set (run npm run infra:up)";
export const neo4jSkipReason = "NEO4J_URL not set (run npm run infra:up)";

type Describe = typeof describe.skip;

function notice(reason: string, name: unknown): void {
  const suite = typeof name === "string" ? ` — skipping "${name}"` : "";
  console.warn(`SKIP: ${reason}${suite}`);
}

/** describe.skip that prints "SKIP: <reason>" whenever a suite is declared through it. */
function skipping(reason: string): Describe {
  const target = describe.skip;
  return new Proxy(target, {
    apply(fn, thisArg, args: unknown[]) {
      notice(reason, args[0]);
      return Reflect.apply(fn, thisArg, args);
    },
    get(fn, prop, receiver) {
      const value = Reflect.get(fn, prop, receiver);
      if (prop === "each" || prop === "for") {
        notice(reason, undefined);
      }
      return value;
    },
  });
}

/** `describe` when KAFKA_BROKERS is set, otherwise a noisy `describe.skip`. */
export const describeIfKafka: Describe = kafkaBrokers ? describe : skipping(kafkaSkipReason);

/** `describe` when NEO4J_URL is set, otherwise a noisy `describe.skip`. */
export const describeIfNeo4j: Describe = neo4jEnv ? describe : skipping(neo4jSkipReason);

/** `describe` when both services are configured. */
export const describeIfKafkaAndNeo4j: Describe =
  kafkaBrokers && neo4jEnv ? describe : skipping(!kafkaBrokers ? kafkaSkipReason : neo4jSkipReason);

export type InfraService = "kafka" | "neo4j";
export type InfraAction = "start" | "stop" | "kill" | "restart" | "status";

const infraDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * Stops/starts ONE service mid-test (outage tests): runs `bash tests/infra/<service>.sh <action>`.
 * "stop" is a clean SIGTERM shutdown, "kill" a SIGKILL crash; "start" returns once the
 * service answers again (Kafka: metadata request; Neo4j: RETURN 1), so allow ~60 s for it.
 * Resolves with the exit code (status: 0 running, 3 stopped) and the script's output.
 */
export function serviceCtl(
  service: InfraService,
  action: InfraAction,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [path.join(infraDir, `${service}.sh`), action],
      { timeout: 300_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}
