import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { resourceId } from "../../rca/identity.js";
import { tempDir, testPipeline } from "../../tests/helpers.js";
import { FakeKubeApi } from "./fake-kube-api.js";
import { OBJECTS, UID } from "./fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("`kgrca watch` (the real CLI) against a Kubernetes list/watch API server", () => {
  const api = new FakeKubeApi();
  const tmp = tempDir("kgrca-watch-cli-");
  let p: Awaited<ReturnType<typeof testPipeline>>;

  beforeAll(async () => {
    await api.start();
    for (const [path, obj] of OBJECTS) api.apply(path, obj);
    p = await testPipeline("watch-cli");
  });
  afterAll(async () => {
    await p?.close();
    await api.close();
    tmp.remove();
  });

  it("fills the graph through the ingest queue and exits cleanly on SIGTERM", async () => {
    expect(existsSync(MAIN), "run `npm run build` first (the test starts the real CLI)").toBe(true);
    const kubeconfig = api.writeKubeconfig(join(tmp.dir, "kubeconfig"), "fake-ctx");
    const env = { ...process.env };
    delete env.KAFKA_BROKERS; // no Kafka: straight into ingest
    const child = spawn(
      process.execPath,
      [
        MAIN,
        "watch",
        "--kubeconfig",
        kubeconfig,
        "--context",
        "fake-ctx",
        "--queue-prefix",
        p.rt.config.queuePrefix,
      ],
      {
        env: { ...env, REDIS_URL: p.rt.config.redis.url, LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      const store = p.rt.rawStore as SqliteGraphStore;
      const pod = resourceId("default", "Pod", "shop", "cart-7d9f8-x2k4p");
      await until("pod and its node in the graph", async () => {
        const r = await store.getResource(pod);
        return !!r && (await store.edgesOf([pod])).some((e) => e.type === "RUNS_ON");
      }).catch((e) => {
        throw new Error(`${(e as Error).message}\n${out}`);
      });
      expect((await store.getResource(pod))!.uid).toBe(UID.pod);
      await until("start-up line", async () => out.includes("kg-rca watcher"));
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise((r) => child.once("exit", (c) => r(c)));
    expect(code).toBe(0);
  });
});
