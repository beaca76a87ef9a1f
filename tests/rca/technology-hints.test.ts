import { describe, expect, it } from "vitest";
import { resolveTechnology, serviceTechnologies, technologyHints } from "../../rca/implied-edges.js";

const svc = (
  namespace: string,
  name: string,
  ports: Array<{ port: number; targetPort?: number }> = [],
  selector?: Record<string, string>,
) => ({
  id: `c:service:${namespace}:${name}`,
  namespace,
  name,
  props: { spec: { ports }, ...(selector ? { serviceSelector: selector } : {}) },
});

describe("technology hints", () => {
  it("finds a technology by bare word or standard port", () => {
    expect(technologyHints("redis: connection pool timeout")).toEqual(["redis"]);
    expect(technologyHints("dial tcp 10.9.9.9:6379: connect: connection refused")).toEqual(["redis"]);
    expect(technologyHints("pq: the database system is in recovery mode")).toEqual(["postgres"]);
    expect(technologyHints("connection to server on port 5432 failed")).toEqual(["postgres"]);
    expect(technologyHints("GET /healthz 200 12:54:32")).toEqual([]);
    expect(technologyHints("request to cart failed")).toEqual([]);
  });

  it("matches Services by a word of their name or a standard port", () => {
    expect(serviceTechnologies("session-redis", {})).toEqual(["redis"]);
    expect(serviceTechnologies("kv", { spec: { ports: [{ port: 80, targetPort: 6379 }] } })).toEqual([
      "redis",
    ]);
    expect(serviceTechnologies("redisplay", {})).toEqual([]);
  });

  it("resolves to the only Service of the caller's namespace, else of the cluster, else none", () => {
    const caller = { namespace: "a", name: "api-7f-x", labels: { app: "api" } };
    expect(resolveTechnology("redis", caller, [svc("a", "cache-redis"), svc("b", "redis")])).toBe(
      "c:service:a:cache-redis",
    );
    expect(resolveTechnology("redis", caller, [svc("b", "redis")])).toBe("c:service:b:redis");
    expect(resolveTechnology("redis", caller, [svc("b", "redis"), svc("c", "redis")])).toBeUndefined();
    expect(resolveTechnology("redis", caller, [svc("a", "redis-1"), svc("a", "redis-2")])).toBeUndefined();
    expect(resolveTechnology("postgres", caller, [svc("a", "redis")])).toBeUndefined();
  });

  it("never resolves to the caller's own Service", () => {
    const own = { namespace: "a", name: "redis-master-0", labels: { app: "redis" } };
    expect(resolveTechnology("redis", own, [svc("a", "redis-master")])).toBeUndefined();
    const sel = { namespace: "a", name: "kv-0", labels: { app: "kv" } };
    expect(
      resolveTechnology("redis", sel, [svc("a", "cache", [{ port: 6379 }], { app: "kv" })]),
    ).toBeUndefined();
  });
});
