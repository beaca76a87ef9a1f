import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL, tempDir, testPrefix } from "../helpers.js";

/**
 * The RCA explorer end to end: the real `kgrca start`, the demo scenario replayed with
 * `kgrca replay --wait`, and headless Chromium clicking through the UI. Screenshots go to
 * test-artifacts/ui-*.png; the big-RCA render time is printed, not asserted.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const SCENARIO = [
  join(ROOT, "scenarios/demo/demo-checkout-oomkill.json"),
  join(ROOT, "scenarios/demo-checkout-oomkill.json"),
].find((p) => existsSync(p))!;
const ARTIFACTS = join(ROOT, "test-artifacts");
const SYMPTOM = "demo-alert-checkout-5xx";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

interface Summary {
  id: string;
  kind: string;
  namespace: string;
  name: string;
}
interface RcaBody {
  event: { event_id: string; resource: Summary | null };
  potential_causes: Array<{
    event_id: string;
    reason: string;
    subject: Summary | null;
    evidence: { rule: string; path: string[] };
  }>;
  blast_radius: Summary[];
  timeline: Array<{ event_id: string }>;
}

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, d) => {
    const p = join(dir, d.name);
    return Math.max(m, d.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

/** `npm test` builds first; a lone `vitest run` of this file builds what is missing or stale. */
function ensureBuilt() {
  if (!existsSync(CLI) || !existsSync(join(ROOT, "dist/api/ui/mount-ui.js"))) {
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
    return;
  }
  const index = join(ROOT, "dist/ui/index.html");
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(ROOT, "ui/src"))) {
    execFileSync(process.execPath, [join(ROOT, "ui/build.mjs")], { cwd: ROOT, stdio: "inherit" });
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const children: ChildProcess[] = [];
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL, LOG_LEVEL: "warn", KG_API_KEYS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const waitFor = (re: RegExp, ms = 40_000) =>
    new Promise<void>((resolve, reject) => {
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
    });
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once("exit", (code) => resolve(code));
    });
  return { child, waitFor, exited, output: () => out };
}

async function poll<T>(fn: () => Promise<T | undefined>, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 250));
  }
}

let base = "";
let flags: string[] = [];
let browser: Browser;
let page: Page;
const data = tempDir("kgrca-ui-e2e-");
const prefix = testPrefix("ui");

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** The nodes the evidence graph must have, derived from the API response independently of the UI. */
function expectedNodes(rca: RcaBody): string[] {
  const ids = new Set<string>([`e:${rca.event.event_id}`]);
  if (rca.event.resource) ids.add(`r:${rca.event.resource.id}`);
  for (const c of rca.potential_causes) {
    ids.add(`e:${c.event_id}`);
    if (c.subject) ids.add(`r:${c.subject.id}`);
    c.evidence.path.forEach((p, i) => {
      if (i % 2 === 0) ids.add(`r:${p}`);
    });
  }
  for (const r of rca.blast_radius) ids.add(`r:${r.id}`);
  return [...ids].sort();
}

const graphOf = (p: Page, name: string) =>
  p.evaluate((n) => {
    const cy = (window as unknown as { __kgrca?: { graphs: Record<string, import("cytoscape").Core> } })
      .__kgrca?.graphs[n];
    if (!cy) return null;
    return {
      nodes: cy.nodes().map((x) => x.id()),
      edges: cy.edges().map((e) => [e.source().id(), e.target().id(), String(e.data("label"))] as const),
      blast: cy.nodes(".blast").map((x) => x.id()),
      top: cy.nodes(".top").map((x) => x.id()),
    };
  }, name);

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(ARTIFACTS, `ui-${name}.png`), fullPage: true });

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  flags = ["--data-dir", data.dir, "--queue-prefix", prefix];
  const server = run(["start", "--port", String(port), ...flags]);
  await server.waitFor(/kg-rca is running: API http:\/\/\S+/);
  base = `http://127.0.0.1:${port}`;
  // The replay, the big synthetic incident (used by the last test) and Chromium start together.
  const replay = run(["replay", SCENARIO, "--wait", "--port", String(port), ...flags]);
  const [code, bigStatus, launched] = await Promise.all([
    replay.exited(),
    fetch(`${base}/api/v1/updates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bigIncident(Date.now() - 10 * 60_000)),
    }).then((r) => r.status),
    chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS }),
  ]);
  browser = launched;
  expect(code, replay.output()).toBe(0);
  expect(bigStatus).toBe(202);
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on("pageerror", (err) => console.error(`browser error: ${err.message}`));
}, 150_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          const kill = setTimeout(() => c.kill("SIGKILL"), 10_000);
          c.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill("SIGTERM");
        }),
    ),
  );
  data.remove();
});

describe("RCA explorer (headless Chromium against kgrca start)", () => {
  it("lists the incident; Enter and a click lead to the RCA view, whose top cause and graph match the API", async () => {
    const incidents = await api<{ items: Array<{ incident_id: string; resources: string[] }> }>(
      "/api/v1/incidents",
    );
    const incident = incidents.items.find((i) => i.resources.includes("prod-eu:pod:shop:cart-7d9f8-x2k4p"));
    expect(incident, JSON.stringify(incidents)).toBeDefined();

    // Filters travel in the URL and reach the API.
    const row = page.locator(`tr[data-incident-id="${incident!.incident_id}"]`);
    await page.goto(`${base}/ui/incidents?cluster=no-such-cluster`);
    await page.getByText("No incidents match").waitFor();
    await page.goto(`${base}/ui/incidents?range=1h`); // the demo's events are from 2025, the big incident's from now
    await page.locator("tr[data-incident-id]", { hasText: "perf-ui" }).first().waitFor();
    expect(await row.count()).toBe(0);
    await page.goto(`${base}/ui/incidents?cluster=prod-eu&severity=FATAL`);
    await row.waitFor();

    await page.goto(`${base}/ui`);
    await row.waitFor();
    await shot(page, "incidents");

    // Keyboard: the row is focusable and Enter opens it.
    await row.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/ui/incidents/${encodeURIComponent(incident!.incident_id)}`);
    const analyse = page.getByTestId("analyse-symptom");
    await analyse.waitFor();
    await shot(page, "incident");
    await analyse.click();
    await page.waitForURL(`**/ui/rca/${SYMPTOM}`);
    await page.waitForFunction((id) => document.body.dataset.rcaReady === id, SYMPTOM);

    const rca = await api<RcaBody>(`/api/v1/rca/${SYMPTOM}`);
    const top = rca.potential_causes[0]!;
    await expect.poll(() => page.getByTestId("top-cause").getAttribute("data-event-id")).toBe(top.event_id);
    expect(await page.getByTestId("top-cause").textContent()).toContain(top.reason);
    expect(await page.getByTestId("top-cause").textContent()).toContain(top.evidence.rule);
    expect(await page.locator("li.cause").first().getAttribute("data-event-id")).toBe(top.event_id);
    expect(await page.locator("li.cause").count()).toBe(rca.potential_causes.length);

    const graph = (await graphOf(page, "rca"))!;
    expect([...graph.nodes].sort()).toEqual(expectedNodes(rca));
    expect(graph.top).toEqual([`e:${top.event_id}`]);
    expect([...graph.blast].sort()).toEqual(rca.blast_radius.map((r) => `r:${r.id}`).sort());
    // The top cause's chain is drawn: event -> its resource -> every hop of the path -> symptom.
    const linked = (a: string, b: string) =>
      graph.edges.some(([s, t]) => (s === a && t === b) || (s === b && t === a));
    expect(linked(`e:${top.event_id}`, `r:${top.subject!.id}`)).toBe(true);
    for (let j = 2; j < top.evidence.path.length; j += 2) {
      expect(linked(`r:${top.evidence.path[j]}`, `r:${top.evidence.path[j - 2]}`)).toBe(true);
    }
    expect(linked(`r:${rca.event.resource!.id}`, `e:${SYMPTOM}`)).toBe(true);
    await shot(page, "rca");

    // The curl command is the same query.
    await page.locator("details.tools > summary").click();
    const curl = (await page.getByTestId("curl").textContent()) ?? "";
    expect(curl).toMatch(/^curl /);
    expect(curl).toContain(`${base}/api/v1/rca/${SYMPTOM}`);

    // Dark theme via the toggle (system -> dark).
    await page.getByRole("button", { name: /^Theme:/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await shot(page, "rca-dark");
  });

  it("opens the URL `kgrca start --demo` prints, the resource view and search", async () => {
    const fresh = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await fresh.goto(`${base}/ui/rca/${SYMPTOM}`);
    await fresh.waitForFunction((id) => document.body.dataset.rcaReady === id, SYMPTOM);
    const rca = await api<RcaBody>(`/api/v1/rca/${SYMPTOM}`);
    expect(await fresh.getByTestId("top-cause").getAttribute("data-event-id")).toBe(
      rca.potential_causes[0]!.event_id,
    );

    const pod = "prod-eu:pod:shop:cart-7d9f8-x2k4p";
    const topo = await api<{ nodes: Summary[] }>(
      `/api/v1/resources/${encodeURIComponent(pod)}/topology?depth=2`,
    );
    await fresh.goto(`${base}/ui/resources/${encodeURIComponent(pod)}?depth=2`);
    await fresh.waitForFunction(
      () => (window as unknown as { __kgrca?: { graphs: Record<string, unknown> } }).__kgrca?.graphs.topology,
    );
    const g = (await graphOf(fresh, "topology"))!;
    expect([...g.nodes].sort()).toEqual(topo.nodes.map((n) => n.id).sort());
    await fresh.getByRole("cell", { name: "OOMKilled", exact: true }).waitFor();
    await shot(fresh, "resource");

    await fresh.goto(`${base}/ui/search?q=cart-7d9f8`);
    await fresh.locator("tr[data-href]", { hasText: "cart-7d9f8-x2k4p" }).first().waitFor();
    await fresh.goto(`${base}/ui/search?q=OOMKilled&type=reason`);
    await fresh.locator("tr[data-href]", { hasText: "OOMKilled" }).first().waitFor();
    await shot(fresh, "search");
    // Event id search goes straight to the RCA view.
    await fresh.locator("input[name=q]").last().fill(SYMPTOM);
    await fresh.getByLabel("Event id").check();
    await fresh.getByRole("button", { name: "Search", exact: true }).click();
    await fresh.waitForURL(`**/ui/rca/${SYMPTOM}`);
    await fresh.waitForFunction((id) => document.body.dataset.rcaReady === id, SYMPTOM);
    await fresh.close();
  });

  it("with API keys configured, the shell loads and the data needs the key the user pastes", async () => {
    const port = await freePort();
    const key = "ui-e2e-read-key-0123456789";
    const secured = run(["api", "--port", String(port), ...flags], { KG_API_KEYS: `${key}:read` });
    await secured.waitFor(/listening on http:\/\/\S+/);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/api/v1/rca/${SYMPTOM}`)).status).toBe(401);

    const p = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const authHeaders: string[] = [];
    p.on("request", (r) => {
      if (r.url().includes("/api/v1/")) authHeaders.push(r.headers().authorization ?? "");
    });
    await p.goto(`${url}/ui/rca/${SYMPTOM}`);
    const input = p.locator("form.keyform input[type=password]");
    await input.waitFor();
    expect(await p.locator("[role=alert]").textContent()).toContain("401");
    await shot(p, "api-key");
    await input.fill(key);
    await p.locator("form.keyform button[type=submit]").click();
    await p.waitForFunction((id) => document.body.dataset.rcaReady === id, SYMPTOM);
    const rca = await (
      await fetch(`${url}/api/v1/rca/${SYMPTOM}`, { headers: { authorization: `Bearer ${key}` } })
    ).json();
    expect(await p.getByTestId("top-cause").getAttribute("data-event-id")).toBe(
      rca.potential_causes[0].event_id,
    );
    expect(authHeaders.at(-1)).toBe(`Bearer ${key}`);
    // The copyable curl names an environment variable, not the key itself.
    expect(await p.getByTestId("curl").textContent()).toContain("$KGRCA_API_KEY");
    expect(await p.content()).not.toContain(key);
    await p.close();
    secured.child.kill("SIGTERM");
    await secured.exited();
  });

  it("renders an RCA with ~200 related events and ~100 resources (time printed, not asserted)", async () => {
    const rca = await poll(async () => {
      const r = await api<RcaBody>(`/api/v1/rca/${BIG_SYMPTOM}`);
      return r.timeline.length >= 190 && r.blast_radius.length >= 90 ? r : undefined;
    }, 45_000);

    const big = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const timings: string[] = [];
    for (let i = 0; i < 2; i++) {
      await big.goto(`${base}/ui/rca/${BIG_SYMPTOM}`);
      await big.waitForFunction((id) => document.body.dataset.rcaReady === id, BIG_SYMPTOM, {
        timeout: 30_000,
      });
      const t = await big.evaluate(
        () => (window as unknown as { __kgrca: { rcaTiming: Record<string, number> } }).__kgrca.rcaTiming,
      );
      timings.push(
        `run ${i + 1}: fetch ${t.fetchMs!.toFixed(0)} ms + render ${t.renderMs!.toFixed(0)} ms = ${t.totalMs!.toFixed(0)} ms ` +
          `(${t.timeline} timeline events, ${t.blastRadius} blast-radius resources, ${t.nodes} nodes, ${t.edges} edges)`,
      );
    }
    console.log(`big RCA view (render = data received -> graph painted):\n  ${timings.join("\n  ")}`);
    const graph = (await graphOf(big, "rca"))!;
    expect([...graph.nodes].sort()).toEqual(expectedNodes(rca));
    expect(await big.locator("section[aria-labelledby=timeline-h] tbody tr").count()).toBe(
      rca.timeline.length,
    );
    await shot(big, "rca-big");
    await big.close();
  });
});

const BIG_SYMPTOM = "ui-big-alert";

/**
 * A node going NotReady under 99 pods behind one Service: the node reports 100 times, the
 * Service's alert fires, then the Service logs 100 errors and every pod is evicted. The RCA of the
 * alert has a 200-event timeline (the node's and the Service's events) and ~100 resources in its
 * blast radius (the evicted pods, after the alert, so they are impact rather than candidates).
 */
function bigIncident(t0: number) {
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const ns = "perf";
  const pods = Array.from({ length: 99 }, (_, i) => `big-${String(i).padStart(2, "0")}`);
  const resources = [
    { kind: "Node", name: "big-node", status: { conditions: { Ready: "False" } } },
    { kind: "Service", name: "big-svc", namespace: ns },
    ...pods.map((name) => ({ kind: "Pod", name, namespace: ns, labels: { app: "big" } })),
  ];
  const edges = pods.flatMap((p) => [
    { from: `pod:${ns}:${p}`, to: "node:big-node", type: "RUNS_ON" },
    { from: `service:${ns}:big-svc`, to: `pod:${ns}:${p}`, type: "SELECTS" },
  ]);
  const node = { kind: "Node", name: "big-node" };
  const svc = { kind: "Service", ns, name: "big-svc" };
  const symptomAt = 300_000;
  const events = [
    {
      event_id: "ui-big-root",
      event_time: at(0),
      reason: "NodeNotReady",
      severity: "ERROR",
      message: "Node big-node status is now: NodeNotReady",
      subject: node,
    },
    ...Array.from({ length: 100 }, (_, i) => ({
      event_id: `ui-big-node-${i}`,
      event_time: at(2_000 + i * 2000),
      reason: "NodeStatusUnknown",
      severity: "WARNING",
      message: `kubelet on big-node stopped posting node status (${i})`,
      subject: node,
    })),
    {
      event_id: BIG_SYMPTOM,
      event_time: at(symptomAt),
      etype: "prom.alert" as const,
      reason: "BigServiceDown",
      severity: "ERROR",
      message: "big-svc has no ready endpoints",
      subject: svc,
    },
    ...Array.from({ length: 100 }, (_, i) => ({
      event_id: `ui-big-svc-${i}`,
      event_time: at(symptomAt + 1000 + i * 500),
      etype: "k8s.log" as const,
      reason: "HTTP5xx",
      severity: "ERROR",
      message: `GET /api/items returned status 503 (${i})`,
      subject: svc,
    })),
    ...pods.map((p, i) => ({
      event_id: `ui-big-evict-${i}`,
      event_time: at(symptomAt + 1000 + i * 1000),
      reason: "Evicted",
      severity: "ERROR",
      message: `Pod ${p} evicted: node big-node is not ready`,
      subject: { kind: "Pod", ns, name: p },
    })),
  ];
  return { cluster: "perf-ui", resources, edges, events };
}
