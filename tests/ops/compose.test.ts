import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./cli-process.js";
import { ComposeFile, interpolate } from "./compose-schema.js";

/**
 * docker-compose.yml checked without a Docker engine: YAML (with merge keys, as Compose reads it),
 * interpolation with the documented defaults, then the vendored Compose Specification subset of
 * compose-schema.ts (see its comment for exactly what that covers), then references between
 * services, volumes and files in this repository. Not checked: that images pull or containers start.
 */
const raw = readFileSync(join(ROOT, "docker-compose.yml"), "utf8");
const load = (text: string, env: Record<string, string> = {}) =>
  interpolate(parse(text, { merge: true }), env);
const compose = ComposeFile.parse(load(raw));
const svc = compose.services;
const env = (name: string) => (svc[name]!.environment ?? {}) as Record<string, string>;

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification subset, with defaults and with overrides", () => {
    expect(ComposeFile.safeParse(load(raw)).success).toBe(true);
    const custom = ComposeFile.parse(load(raw, { KG_WORKER_REPLICAS: "5", NEO4J_PASSWORD: "s3cret-long" }));
    expect(custom.services.worker!.deploy!.replicas).toBe("5");
    expect((custom.services.api!.environment as Record<string, string>).NEO4J_PASSWORD).toBe("s3cret-long");
  });

  it("rejects what the Compose Specification rejects (the validator has teeth)", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the mutations reach into arbitrary YAML
    type Yaml = any;
    const bad = (mutate: (doc: Yaml) => void) => {
      const doc = load(raw) as Yaml;
      mutate(doc);
      return ComposeFile.safeParse(doc).success;
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((d) => (d.services.api.depend_on = ["redis"]))).toBe(false);
    expect(bad((d) => (d.services.api.healthcheck.interval = "10 seconds"))).toBe(false);
    expect(bad((d) => (d.services.api.depends_on.redis.condition = "healthy"))).toBe(false);
    expect(bad((d) => (d.services.api.ports = ["eighty:80"]))).toBe(false);
    expect(bad((d) => (d.servicez = {}))).toBe(false);
    expect(bad((d) => (d.services.api.restart = "sometimes"))).toBe(false);
    expect(bad((d) => delete d.services.redis.image)).toBe(false);
  });

  it("runs every component: Redis, Kafka, Neo4j, API, workers, bridge, watcher, Prometheus, Grafana", () => {
    expect(Object.keys(svc).sort()).toEqual(
      ["api", "bridge", "grafana", "kafka", "neo4j", "prometheus", "redis", "watcher", "worker"].sort(),
    );
    // Redis with AOF and no eviction (BullMQ)
    const redisCmd = (svc.redis!.command as string[]).join(" ");
    expect(redisCmd).toContain("--appendonly yes");
    expect(redisCmd).toContain("--maxmemory-policy noeviction");
    // Kafka: KRaft single node, apache/kafka image
    expect(svc.kafka!.image).toMatch(/^apache\/kafka:/);
    expect(env("kafka").KAFKA_PROCESS_ROLES).toBe("broker,controller");
    expect(env("kafka").KAFKA_CONTROLLER_QUORUM_VOTERS).toBe("1@kafka:9093");
    // Neo4j 5 with a health check
    expect(svc.neo4j!.image).toBe("neo4j:5.26-community");
    expect(svc.neo4j!.healthcheck).toBeDefined();
    // kg-rca services build from the Dockerfile and run the right command
    for (const [name, cmd] of [
      ["api", "api"],
      ["worker", "worker"],
      ["bridge", "bridge"],
      ["watcher", "watch"],
    ] as const) {
      expect(svc[name]!.build, name).toMatchObject({ context: ".", dockerfile: "Dockerfile" });
      expect((svc[name]!.command as string[])[0], name).toBe(cmd);
      expect(env(name).GRAPH_STORE, name).toBe("neo4j");
      expect(env(name).REDIS_URL, name).toBe("redis://redis:6379");
    }
    expect(Number(svc.worker!.deploy!.replicas)).toBeGreaterThanOrEqual(2);
    expect(env("bridge").KAFKA_BROKERS).toBe("kafka:9092");
    expect(env("neo4j").NEO4J_AUTH).toBe(`neo4j/${env("api").NEO4J_PASSWORD}`);
  });

  it("has consistent references: depends_on, named volumes, bind mounts, metrics ports", () => {
    const volumes = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, s] of Object.entries(svc)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(svc[d], `${name} depends on ${d}`).toBeDefined();
      for (const [d, v] of Object.entries(Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}))) {
        if (v.condition === "service_healthy")
          expect(svc[d]!.healthcheck, `${d} needs a healthcheck`).toBeDefined();
      }
      for (const v of (s.volumes ?? []) as string[]) {
        const source = v.split(":")[0]!;
        if (source.startsWith("./")) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
        else if (!source.startsWith("/") && !source.startsWith("~") && !source.startsWith("$"))
          expect(volumes.has(source), `${name}: volume ${source}`).toBe(true);
      }
    }
    const prom = readFileSync(join(ROOT, "dashboards", "prometheus.yml"), "utf8");
    expect(prom).toContain('"api:8080"');
    expect((svc.worker!.command as string[]).join(" ")).toContain("--metrics-port 9464");
    expect(prom).toMatch(/names: \["worker"\][\s\S]*port: 9464/);
    expect((svc.bridge!.command as string[]).join(" ")).toContain("--metrics-port 9465");
    expect(prom).toContain('"bridge:9465"');
    expect((svc.watcher!.command as string[]).join(" ")).toContain("--metrics-port 9466");
    expect(prom).toContain('"watcher:9466"');
  });

  it("builds from a Dockerfile on node:20-slim with npm ci and npm run build", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM node:20-slim AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "dist\/cli\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const p of ["node_modules", "dist", "data", ".git"]) expect(ignore).toContain(p);
  });
});
