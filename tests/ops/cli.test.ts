import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { Command, CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../api/index.js";
import { register as registerCleanup } from "../../cli/commands/cleanup.js";
import { register as registerOps } from "../../cli/commands/ops.js";
import { waitIdle } from "../../cli/pipeline.js";
import { REDIS_URL, testPipeline } from "../helpers.js";
import { runCliAsync } from "./cli-process.js";
import { incidentMessages } from "./fixture.js";

const CLUSTER = "cli-test";
const OLD_CLUSTER = "cli-test-old";
const DAY = 86_400_000;

let pipeline: Awaited<ReturnType<typeof testPipeline>>;
let storeArgs: string[];
let server: ServerType | undefined;

/**
 * Runs `kgrca <args>` in this process: the same commander commands main.ts registers, with
 * stdout/stderr captured. (One test below also runs the real binary end to end; spawning every
 * case would cost seconds each on a busy machine.)
 */
async function kgrca(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const program = new Command("kgrca").exitOverride().configureOutput({
    writeOut: (s) => {
      stdout += s;
    },
    writeErr: (s) => {
      stderr += s;
    },
  });
  registerOps(program);
  registerCleanup(program);
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  process.exitCode = undefined;
  let status = 0;
  try {
    await program.parseAsync(["node", "kgrca", ...args]);
    status = Number(process.exitCode ?? 0);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    status = e.exitCode;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { status, stdout, stderr };
}

const json = async (...args: string[]) => JSON.parse((await kgrca(...args, "--json", ...storeArgs)).stdout);

beforeAll(async () => {
  pipeline = await testPipeline("cli");
  const rt = pipeline.rt;
  // An incident ten days ago and one ten minutes ago. (In two clusters: on the same resources,
  // workers/cluster-processor.ts currently merges them into one incident; reported.)
  await rt.queues.enqueueMessages(incidentMessages(OLD_CLUSTER, Date.now() - 10 * DAY, "old"), "replay");
  await waitIdle(rt.queues, 30_000);
  await rt.queues.enqueueMessages(incidentMessages(CLUSTER, Date.now() - 10 * 60_000, "new"), "replay");
  await waitIdle(rt.queues, 30_000);
  storeArgs = [
    "--data-dir",
    rt.config.dataDir,
    "--redis-url",
    REDIS_URL,
    "--queue-prefix",
    rt.config.queuePrefix,
  ];
});

afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await pipeline?.close();
});

describe("kgrca rca / stats / incidents", () => {
  it("rca: ranked causes with explanations, as text and JSON", async () => {
    const text = await kgrca("rca", "new-backoff", ...storeArgs);
    expect(text.stderr).toBe("");
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("CrashLoopBackOff on Pod shop/cart-7d9f8-x2k4p");
    expect(text.stdout).toMatch(
      / 1\. 0\.\d\d {2}OOMKilled on Pod shop\/cart-7d9f8-x2k4p \(FATAL, .*\) \[new-oom\]/,
    );
    expect(text.stdout).toContain("rule oom-to-crashloop");
    expect(text.stdout).toContain("Incident inc-new-oom");
    expect(text.stdout).toContain("Timeline:");
    const view = await json("rca", "new-backoff", "--limit", "1");
    expect(view.potential_causes).toHaveLength(1);
    expect(view.potential_causes[0].event_id).toBe("new-oom");
    const missing = await kgrca("rca", "no-such-event", ...storeArgs);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('event "no-such-event" not found');
  });

  it("stats and incidents, as text and JSON, with filters", async () => {
    const stats = await kgrca("stats", ...storeArgs);
    expect(stats.status).toBe(0);
    // 5 resources per cluster and each cluster's namespace (pods belong to it: IN_NAMESPACE).
    expect(stats.stdout).toMatch(/^resources {3}12 /m);
    expect(stats.stdout).toMatch(new RegExp(`^${OLD_CLUSTER} +6 +3 +1$`, "m"));
    expect((await json("stats")).episodic_events).toBe(6);
    const incidents = await kgrca("incidents", ...storeArgs);
    expect(incidents.status).toBe(0);
    expect(incidents.stdout).toContain("2 incident(s)");
    expect(incidents.stdout).toMatch(/inc-new-oom {2}FATAL/);
    expect(incidents.stdout).toMatch(
      /likely cause 0\.\d\d: OOMKilled on Pod shop\/cart-7d9f8-x2k4p \[new-oom\]/,
    );
    const recent = await json("incidents", "--since", "2d", "--severity", "error");
    expect(recent.items.map((i: { incident_id: string }) => i.incident_id)).toEqual(["inc-new-oom"]);
    const bad = await kgrca("incidents", "--since", "whenever", ...storeArgs);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--since");
  });

  it("(real binary) asks a running API with --api-url and a key file", async () => {
    const rt = pipeline.rt;
    const key = "cli-read-key-0123456789";
    const app = createApp({
      store: rt.store,
      queues: rt.queues,
      metrics: rt.metrics,
      logger: rt.logger,
      rules: rt.rules,
      rca: rt.config.rca,
      api: { ...rt.config.api, keys: [{ key, scope: "read" }] },
      bullBoard: false,
    });
    const url = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (i) =>
        resolve(`http://127.0.0.1:${i.port}`),
      );
    });
    const keyFile = join(rt.config.dataDir, "api-key");
    writeFileSync(keyFile, `${key}\n`);
    // No store settings at all: everything comes from the API.
    const viaApi = await runCliAsync(
      ["rca", "new-backoff", "--json", "--api-url", url, "--api-key-file", keyFile],
      {},
    );
    expect(viaApi.stderr).toBe("");
    expect(JSON.parse(viaApi.stdout).potential_causes[0].event_id).toBe("new-oom");
    const denied = await kgrca("stats", "--api-url", url);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain("401");
  });
});

describe("kgrca cleanup", () => {
  it("--dry-run shows what would be deleted and deletes nothing", async () => {
    const dry = await kgrca("cleanup", "--dry-run", "--retention-days", "5", ...storeArgs);
    expect(dry.stderr).toBe("");
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("dry run: events older than");
    expect(dry.stdout).toContain("would delete 3 event(s)");
    expect(dry.stdout).toContain("would delete 1 incident(s)");
    expect((await json("stats")).episodic_events).toBe(6);
  });

  it("deletes old events, their incidents and cause links, and keeps topology", async () => {
    const real = await json("cleanup", "--retention-days", "5");
    expect(real).toMatchObject({ retention_days: 5, dryRun: false, events: 3, incidents: 1 });
    const after = await json("stats");
    expect(after).toMatchObject({ episodic_events: 3, resources: 12, incidents: 1 });
    expect(after.edges).toBeGreaterThanOrEqual(4);
    expect((await kgrca("cleanup", "--retention-days", "0", ...storeArgs)).stdout).toContain(
      "cleanup is off",
    );
    expect((await kgrca("cleanup", "--retention-days", "-1", ...storeArgs)).status).not.toBe(0);
  });
});
