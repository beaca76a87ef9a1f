import { Neo4jError, Record as Neo4jRecord } from "neo4j-driver";
import { internal, newError } from "neo4j-driver-core";
import { describe, expect, it } from "vitest";
import type { IngestBatch } from "../../rca/model.js";
import { Metrics } from "../../telemetry/index.js";
import { CircuitBreaker, withCircuitBreaker } from "../circuit-breaker.js";
import { StoreUnavailableError } from "../graph-store.js";
import { Neo4jGraphStore } from "./neo4j-graph-store.js";

/**
 * Faults a healthy server cannot show on demand, against an honest fake of the driver: the fake
 * session runs transaction functions through the driver's own `TransactionExecutor` (the retry
 * loop behind `executeRead`/`executeWrite`), and the fake transport throws the driver's real
 * error classes with the codes a server or the connection layer uses. Only the network is fake.
 */
type Fault = Neo4jError | undefined;

class FakeServer {
  /** Faults for the next transaction begins (connection acquisition) and statements, in order. */
  readonly beginFaults: Fault[] = [];
  readonly runFaults: Fault[] = [];
  down = false;
  begins = 0;
  commits = 0;
  rollbacks = 0;
  readonly statements: string[] = [];

  driver(maxRetryTimeMs: number) {
    const session = () => {
      // The driver's retry loop, with short delays so the test does not wait seconds.
      const executor = new internal.transactionExecutor.TransactionExecutor(maxRetryTimeMs, 5, 2, 0);
      const execute = <T>(work: (tx: unknown) => Promise<T>) =>
        executor.execute(() => this.begin() as never, work as never) as Promise<T>;
      return { executeRead: execute, executeWrite: execute, close: async () => executor.close() };
    };
    return {
      session,
      close: async () => {},
      verifyConnectivity: async () => {
        if (this.down) throw unavailable();
        return {} as never;
      },
    } as never;
  }

  begin() {
    this.begins++;
    const f = this.down ? unavailable() : this.beginFaults.shift();
    if (f) return Promise.reject(f);
    let open = true;
    const server = this;
    return Promise.resolve({
      isOpen: () => open,
      async commit() {
        open = false;
        server.commits++;
      },
      async rollback() {
        open = false;
        server.rollbacks++;
      },
      async run(cypher: string) {
        const fault = server.down ? sessionExpired() : server.runFaults.shift();
        if (fault) throw fault;
        server.statements.push(cypher);
        // Counting statements answer n = 0; the rest answer no rows.
        const records = /RETURN count\([^)]*\) AS n\s*$/.test(cypher) ? [new Neo4jRecord(["n"], [0])] : [];
        return { records };
      },
    });
  }
}

const deadlock = () =>
  newError(
    "ForsetiClient[transactionId=7] can't acquire ExclusiveLock{owner=ForsetiClient[transactionId=9]}",
    "Neo.TransientError.Transaction.DeadlockDetected",
  );
const unavailable = () =>
  newError("Could not perform discovery. No routing servers available.", "ServiceUnavailable");
const sessionExpired = () => newError("The connection was lost mid-transaction", "SessionExpired");
const syntaxError = () => newError("Invalid input 'MATC'", "Neo.ClientError.Statement.SyntaxError");

const OPTS = {
  url: "bolt://fake:7687",
  user: "neo4j",
  password: "x",
  database: "neo4j",
  maxPoolSize: 1,
  connectionTimeoutMs: 100,
};

const oneEvent: IngestBatch = {
  resources: [],
  resourceDeletes: [],
  edges: [],
  events: [
    {
      id: "e1",
      baseId: "e1",
      cluster: "c",
      etype: "k8s.event",
      severity: "WARNING",
      reason: "BackOff",
      message: "m",
      timeMs: 1,
      count: 1,
      subject: { cluster: "c", kind: "Pod", namespace: "ns", name: "p" },
    },
  ],
};

const counter = async (m: Metrics, outcome: string) =>
  (await m.neo4jOperations.get()).values.find(
    (v) => v.labels.operation === "applyBatch" && v.labels.outcome === outcome,
  )?.value ?? 0;

describe("Neo4j adapter under driver faults (fake transport, real driver retry and errors)", () => {
  it("retries a deadlock inside the managed transaction and then commits", async () => {
    const server = new FakeServer();
    const metrics = new Metrics("test");
    const store = new Neo4jGraphStore({ ...OPTS, driver: server.driver(2_000) }, metrics);
    server.runFaults.push(undefined, deadlock());
    const r = await store.applyBatch(oneEvent);
    expect(r.eventIds).toEqual(["e1"]);
    expect(server.begins).toBe(2);
    expect(server.rollbacks).toBe(1);
    expect(server.commits).toBe(1);
    // Writes are UNWIND batches: the whole batch is a handful of statements, none per row.
    expect(server.statements.every((s) => s.startsWith("UNWIND $") || s.startsWith("MATCH"))).toBe(true);
    expect(await counter(metrics, "success")).toBe(1);
  });

  it("turns deadlocks that outlast the retry time into a retryable StoreUnavailableError", async () => {
    const server = new FakeServer();
    const metrics = new Metrics("test");
    const store = new Neo4jGraphStore({ ...OPTS, driver: server.driver(60) }, metrics);
    for (let i = 0; i < 1000; i++) server.runFaults.push(deadlock());
    const err = await store.applyBatch(oneEvent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as StoreUnavailableError).retryable).toBe(true);
    expect((err as Error).cause).toBeInstanceOf(Neo4jError);
    expect(((err as Error).cause as Neo4jError).code).toBe("Neo.TransientError.Transaction.DeadlockDetected");
    expect(server.begins).toBeGreaterThan(1);
    expect(server.commits).toBe(0);
    expect(await counter(metrics, "unavailable")).toBe(1);
  });

  it("retries ServiceUnavailable and SessionExpired, and succeeds when the server is back", async () => {
    const server = new FakeServer();
    const store = new Neo4jGraphStore({ ...OPTS, driver: server.driver(2_000) });
    server.beginFaults.push(unavailable(), unavailable());
    server.runFaults.push(sessionExpired());
    await expect(store.applyBatch(oneEvent)).resolves.toMatchObject({ eventIds: ["e1"] });
    expect(server.begins).toBe(4);
    expect(server.commits).toBe(1);
  });

  it("maps a lasting outage to StoreUnavailableError, on reads, writes, init and ping", async () => {
    const server = new FakeServer();
    server.down = true;
    const store = new Neo4jGraphStore({ ...OPTS, driver: server.driver(30) });
    await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.getEvent("e1")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(
      store.upsertCauseLinks([
        {
          causeId: "a",
          effectId: "b",
          confidence: 1,
          temporal: 1,
          distance: 1,
          domain: 1,
          hops: 0,
          rule: "r",
          path: [],
        },
      ]),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("passes a non-transient error through unretried, so the bad message is isolated, not delayed", async () => {
    const server = new FakeServer();
    const metrics = new Metrics("test");
    const store = new Neo4jGraphStore({ ...OPTS, driver: server.driver(2_000) }, metrics);
    server.runFaults.push(syntaxError());
    const err = await store.applyBatch(oneEvent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Neo4jError);
    expect(err).not.toBeInstanceOf(StoreUnavailableError);
    expect(server.begins).toBe(1);
    expect(await counter(metrics, "error")).toBe(1);
  });

  it("opens the circuit breaker on an outage, fails fast while open, and closes after a good probe", async () => {
    const server = new FakeServer();
    let now = 1_000;
    const states: string[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      cooldownMs: 5_000,
      now: () => now,
      onStateChange: (s) => states.push(s),
    });
    const store = withCircuitBreaker(new Neo4jGraphStore({ ...OPTS, driver: server.driver(20) }), breaker);
    await store.applyBatch(oneEvent);
    server.down = true;
    await expect(store.applyBatch(oneEvent)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(breaker.current).toBe("closed");
    await expect(store.getEvent("e1")).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(breaker.current).toBe("open");
    const begins = server.begins;
    await expect(store.applyBatch(oneEvent)).rejects.toThrow(/circuit open/);
    expect(server.begins).toBe(begins); // failed fast: the driver was not touched
    // Cooldown over, server still down: the one probe fails and the breaker opens again.
    now += 5_000;
    expect(breaker.current).toBe("half-open");
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(breaker.current).toBe("open");
    // Server back: the next probe closes it.
    server.down = false;
    now += 5_000;
    await expect(store.applyBatch(oneEvent)).resolves.toMatchObject({ eventIds: ["e1"] });
    expect(breaker.current).toBe("closed");
    expect(states).toEqual(["closed", "open", "half-open", "open", "half-open", "closed"]);
  });
});
