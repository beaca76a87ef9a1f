import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../config/index.js";
import { CliProcess, freePort, PrivateRedis, ROOT, sleep } from "../faults/harness.js";
import { tempDir, testPrefix } from "../helpers.js";

/**
 * Secrets (Redis, Neo4j and Kafka SASL passwords, API keys, a key someone tries) never appear in
 * what the processes print: configuration errors, JSON logs at trace level, error responses,
 * readiness failures while Redis is down.
 */
const tmp = tempDir("kgrca-sec-");
afterAll(() => tmp.remove());

const SECRETS = {
  redis: "s3cr3t-redis-pw-7f1c",
  neo4j: "s3cr3t-neo4j-pw-22aa",
  sasl: "s3cr3t-sasl-pw-91bd",
  writeKey: "s3cr3t-write-key-4c4c",
  readKey: "s3cr3t-read-key-5d5d",
  tried: "s3cr3t-tried-key-6e6e",
};
const leaks = (text: string) =>
  Object.entries(SECRETS)
    .filter(([, s]) => text.includes(s) || text.includes(encodeURIComponent(s)))
    .map(([k]) => k);

const runCli = async (args: string[], env: Record<string, string>) => {
  const p = new CliProcess("config", args, env);
  const r = await p.exited;
  return { code: r.code, text: `${p.out}\n${p.err}` };
};

describe("security: secrets stay out of output", () => {
  it("configuration errors name the variable, never the secret", async () => {
    const base = { KG_DATA_DIR: join(tmp.dir, "cfg"), LOG_LEVEL: "trace" };
    const cases: Array<Record<string, string>> = [
      { GRAPH_STORE: "neo4j", NEO4J_PASSWORD: SECRETS.neo4j },
      {
        GRAPH_STORE: "neo4j",
        NEO4J_URL: `http://neo4j:${SECRETS.neo4j}@db:7687`,
        NEO4J_PASSWORD: SECRETS.neo4j,
      },
      {
        KAFKA_BROKERS: "not a broker",
        KAFKA_SASL_MECHANISM: "plain",
        KAFKA_SASL_USERNAME: "kg",
        KAFKA_SASL_PASSWORD: SECRETS.sasl,
      },
      { KAFKA_BROKERS: "k:9092", KAFKA_SASL_MECHANISM: "oauth", KAFKA_SASL_PASSWORD: SECRETS.sasl },
      { REDIS_URL: `http://:${SECRETS.redis}@127.0.0.1:6379` },
      { REDIS_URL: `redis://:${SECRETS.redis}@127.0.0.1:6379`, KG_QUEUE_PREFIX: "bad prefix!" },
      { KG_API_KEYS: `${SECRETS.writeKey}:admin` },
      { KG_API_KEYS: `${SECRETS.writeKey}:write,short:read` },
    ];
    // Every case through the configuration loader...
    for (const env of cases) {
      let message = "";
      try {
        loadConfig({ ...base, ...env });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message, JSON.stringify(Object.keys(env))).toMatch(/invalid configuration/);
      expect(leaks(message), message).toEqual([]);
    }
    // ...and a few through the real CLI, which prints the error and exits 2.
    const runs = await Promise.all(
      [cases[1]!, cases[2]!, cases[6]!].map((env) => runCli(["api"], { ...base, ...env })),
    );
    for (const r of runs) {
      expect(r.code, r.text).toBe(2);
      expect(r.text).toMatch(/invalid configuration/);
      expect(leaks(r.text), r.text).toEqual([]);
    }
  }, 120_000);

  it("keeps secrets out of logs, error responses and readiness failures of running processes", async () => {
    const dir = join(tmp.dir, "run");
    mkdirSync(dir, { recursive: true });
    const redis = new PrivateRedis(await freePort(), dir, SECRETS.redis);
    await redis.start();
    const port = await freePort();
    const env = {
      REDIS_URL: redis.url,
      KG_DATA_DIR: join(dir, "data"),
      KG_QUEUE_PREFIX: testPrefix("sec"),
      LOG_LEVEL: "trace",
      PORT: String(port),
      HOST: "127.0.0.1",
      KG_API_KEYS: `${SECRETS.writeKey}:write,${SECRETS.readKey}:read`,
      NEO4J_PASSWORD: SECRETS.neo4j,
      KAFKA_BROKERS: "127.0.0.1:9",
      KAFKA_SASL_MECHANISM: "scram-sha-256",
      KAFKA_SASL_USERNAME: "kg",
      KAFKA_SASL_PASSWORD: SECRETS.sasl,
      KG_BREAKER_COOLDOWN_MS: "200",
    };
    const api = new CliProcess("api", ["api"], env);
    const worker = new CliProcess("worker", ["worker"], env);
    const bodies: string[] = [];
    try {
      await api.waitFor("listening");
      await worker.waitFor("kg-rca worker");
      const base = `http://127.0.0.1:${port}`;
      const call = async (path: string, init: RequestInit = {}) => {
        const r = await fetch(`${base}${path}`, init);
        const text = await r.text();
        bodies.push(`${path} ${r.status} ${JSON.stringify([...r.headers])} ${text}`);
        return r.status;
      };
      expect(await call("/readyz")).toBe(200);
      const body = JSON.stringify({
        events: [{ event_id: "sec-ev", reason: "BackOff", event_time: "2025-10-08T10:00:00Z", message: "x" }],
      });
      const headers = (key: string) => ({
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
      });
      expect(
        await call("/api/v1/updates", { method: "POST", headers: headers(SECRETS.writeKey), body }),
      ).toBe(202);
      expect(await call("/api/v1/updates", { method: "POST", headers: headers(SECRETS.tried), body })).toBe(
        401,
      );
      expect(await call("/api/v1/updates", { method: "POST", headers: headers(SECRETS.readKey), body })).toBe(
        403,
      );
      expect(
        await call("/api/v1/updates", { method: "POST", headers: headers(SECRETS.writeKey), body: "{bad" }),
      ).toBe(400);
      expect(await call("/api/v1/dead-letter", { headers: headers(SECRETS.readKey) })).toBe(200);
      await call("/metrics");
      // Redis goes away: readiness fails and says so, without the URL's password.
      await redis.kill();
      await sleep(1_500);
      expect(await call("/readyz")).toBe(503);
      expect(await call("/api/v1/dead-letter", { headers: headers(SECRETS.readKey) })).toBeGreaterThanOrEqual(
        500,
      );
      await sleep(1_500);
    } finally {
      api.signal("SIGTERM");
      worker.signal("SIGTERM");
      await Promise.race([Promise.all([api.exited, worker.exited]), sleep(35_000)]);
      api.signal("SIGKILL");
      worker.signal("SIGKILL");
      await redis.stop();
    }
    const all = [api.out, api.err, worker.out, worker.err, ...bodies].join("\n");
    expect(api.err.length + worker.err.length).toBeGreaterThan(0); // trace logs were written
    expect(leaks(all), all.slice(-3000)).toEqual([]);
  }, 180_000);

  it("redacts secret-named fields in structured log lines", () => {
    const script = `
      import { createLogger } from "./dist/telemetry/index.js";
      const log = createLogger("sec", "trace");
      log.info({ password: "${SECRETS.redis}", apiKey: "${SECRETS.writeKey}", authorization: "Bearer ${SECRETS.readKey}",
        config: { password: "${SECRETS.neo4j}", sasl: { password: "${SECRETS.sasl}" } },
        headers: { authorization: "Bearer ${SECRETS.tried}" } }, "with secrets");
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("with secrets");
    expect(r.stderr).toContain("[redacted]");
    expect(leaks(r.stderr), r.stderr).toEqual([]);
  });
});
