import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../config/index.js";

describe("configuration", () => {
  it("has working defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.redis.url).toBe("redis://127.0.0.1:6379");
    expect(c.retention.days).toBe(7);
    expect(c.store.kind).toBe("sqlite");
    expect(c.rca.windowMs).toBe(15 * 60_000);
    expect(c.workers.memoryPressurePercent).toBe(50);
  });

  it("takes the memory pressure threshold as a percentage", () => {
    expect(loadConfig({ KG_MEMORY_PRESSURE_PERCENT: "100" }).workers.memoryPressurePercent).toBe(100);
    expect(() => loadConfig({ KG_MEMORY_PRESSURE_PERCENT: "0" })).toThrow(/KG_MEMORY_PRESSURE_PERCENT/);
    expect(() => loadConfig({ KG_MEMORY_PRESSURE_PERCENT: "101" })).toThrow(/KG_MEMORY_PRESSURE_PERCENT/);
  });

  it("names the variable and the problem", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: "99999", KG_RETENTION_DAYS: "-1" });
    } catch (err) {
      const e = err as ConfigError;
      expect(e.problems.map((p) => p.variable).sort()).toEqual(["KG_RETENTION_DAYS", "PORT"]);
      expect(e.message).toMatch(/PORT: must be <= 65535/);
    }
    expect(() => loadConfig({ GRAPH_STORE: "neo4j" })).toThrow(/NEO4J_URL: is required/);
    expect(() => loadConfig({ REDIS_URL: "http://x" })).toThrow(/REDIS_URL/);
  });

  it("parses API keys with scopes and never echoes secrets in errors", () => {
    const c = loadConfig({ KG_API_KEYS: "writer-key-123:write,reader-key-456:read" });
    expect(c.api.keys).toEqual([
      { key: "writer-key-123", scope: "write" },
      { key: "reader-key-456", scope: "read" },
    ]);
    try {
      loadConfig({ KG_API_KEYS: "supersecretvalue:admin" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("supersecretvalue");
    }
  });
});
