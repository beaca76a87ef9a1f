import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { REDIS_URL, tempDir, testPrefix } from "../helpers.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const DEMO = fileURLToPath(new URL("../../scenarios/demo/demo-checkout-oomkill.json", import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const children: ChildProcess[] = [];
function run(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; waitFor: (re: RegExp, ms?: number) => Promise<void> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return {
    child,
    output: () => out,
    waitFor: (re, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${out}`)), ms);
        const check = () => {
          if (re.test(out)) {
            clearTimeout(t);
            resolve();
          } else if (child.exitCode !== null) {
            clearTimeout(t);
            reject(new Error(`process exited (${child.exitCode}) before ${re}; output:\n${out}`));
          } else setTimeout(check, 50);
        };
        check();
      }),
  };
}

const stop = (c: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (c.exitCode !== null) return resolve(c.exitCode);
    c.once("exit", (code) => resolve(code));
    c.kill("SIGTERM");
  });

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

async function poll<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("kgrca start (all-in-one)", () => {
  it("serves the API, ingests updates over HTTP and answers RCA", async () => {
    const port = await freePort();
    const data = tempDir();
    const proc = run(["start", "--port", String(port), "--data-dir", data.dir, "--queue-prefix", testPrefix("e2e-start")], {
      REDIS_URL,
      LOG_LEVEL: "warn",
    });
    await proc.waitFor(/kg-rca is running: API http:\/\/localhost:\d+/);
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/api/v1/updates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        timestamp: "2025-10-08T11:00:00Z",
        resources: [{ action: "CREATE", kind: "Pod", uid: "u-e2e", name: "web-1", namespace: "e2e" }],
        events: [
          { event_id: "e2e-oom", event_time: "2025-10-08T11:00:01Z", severity: "FATAL", reason: "OOMKilled", message: "OOM", subject_uid: "u-e2e" },
          { event_id: "e2e-crash", event_time: "2025-10-08T11:00:30Z", severity: "ERROR", reason: "CrashLoopBackOff", message: "crash", subject_uid: "u-e2e" },
        ],
      }),
    });
    expect(res.status).toBe(202);
    const body = await poll(async () => {
      const r = await fetch(`${base}/api/v1/rca`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event_id: "e2e-crash" }) });
      if (r.status !== 200) return undefined;
      const b = (await r.json()) as { potential_causes: Array<{ event_id: string }> };
      return b.potential_causes.length ? b : undefined;
    });
    expect(body.potential_causes[0]!.event_id).toBe("e2e-oom");
    expect(await stop(proc.child)).toBe(0);
    data.remove();
  });
});

describe("kgrca api + two kgrca worker replicas", () => {
  it("processes a replay with both replicas taking jobs", async () => {
    const data = tempDir();
    const prefix = testPrefix("e2e-replicas");
    const env = { REDIS_URL, LOG_LEVEL: "warn", KG_DATA_DIR: data.dir, KG_QUEUE_PREFIX: prefix, KG_INGEST_BATCH: "2" };
    const apiPort = await freePort();
    const api = run(["api", "--port", String(apiPort)], env);
    const ports = [await freePort(), await freePort()];
    const workers = ports.map((p) => run(["worker", "--concurrency", "2", "--metrics-port", String(p)], env));
    await api.waitFor(/listening/);
    for (const w of workers) await w.waitFor(/kg-rca worker/);
    const replay = run(["replay", DEMO, "--wait"], env);
    await replay.waitFor(/replayed \d+ messages/, 60_000);
    const processed = await Promise.all(
      ports.map(async (p) => {
        const text = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
        return text
          .split("\n")
          .filter((l) => l.startsWith("kg_jobs_processed_total") && l.includes('outcome="completed"'))
          .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
      }),
    );
    expect(processed[0]).toBeGreaterThan(0);
    expect(processed[1]).toBeGreaterThan(0);
    const rca = (await (await fetch(`http://127.0.0.1:${apiPort}/api/v1/rca/demo-alert-checkout-5xx`)).json()) as {
      potential_causes: Array<{ reason: string }>;
    };
    expect(rca.potential_causes[0]!.reason).toBe("OOMKilled");
    for (const w of workers) expect(await stop(w.child)).toBe(0);
    expect(await stop(api.child)).toBe(0);
    data.remove();
  });
});
