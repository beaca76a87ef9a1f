/**
 * Cause-link writes into an embedded store that already holds many events and their links, as a
 * store does after hours of a busy cluster (`kgrca bench` measures a store that starts empty).
 * Fills the store with `--events` events (uid ids, as Kubernetes events have; on 10,000 pods) and
 * ~2.7 links per event (each to an event among the 3,000 before it, as scoring links recent
 * effects to recent causes), then times `upsertCauseLinks` for `--timed` new links, written 250 per
 * call as the scoring processor writes them, and `applyBatch` for their events (100 per batch).
 *
 *   npm run build && node dist/bench/link-writes.js [--events 1000000] [--timed 100000] \
 *     [--cache-mb 8] [--hot 100000] [--json]
 *
 * `--hot N` keeps the newest N events in memory, as a `kgrca start` or `kgrca worker` process does
 * (`KG_HOT_EVENTS`): links between held events are then written by their numbers, with no look-up
 * of either id. 0 (the default) measures a store without them, such as a separate API process.
 *
 * Figures are printed, never asserted: they depend on the machine. No Redis needed.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { tuneV8 } from "../cli/v8-tuning.js";
import type { CauseLink } from "../graph/index.js";
import { SqliteGraphStore } from "../graph/sqlite/index.js";
import type { EventInput } from "../rca/model.js";
import { tempDir } from "../tests/helpers.js";
import { progressBar } from "./progress.js";

// As every kgrca process does (cli/v8-tuning.ts).
tuneV8();

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    timed: { type: "string", default: "100000" },
    "cache-mb": { type: "string", default: "8" },
    hot: { type: "string", default: "0" },
    json: { type: "boolean", default: false },
  },
});
const EVENTS = Number(args.events);
const TIMED = Number(args.timed);
const LINK_WRITE = 250;
const T0 = Date.UTC(2026, 10, 1);

/** Event `i`'s id: a uid, as a Kubernetes event's `metadata.uid`. */
const uid = (i: number) =>
  createHash("md5")
    .update(String(i))
    .digest("hex")
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

const pod = (i: number) => ({
  cluster: "bench",
  kind: "Pod",
  namespace: `ns-${i % 20}`,
  name: `app-${i % 10_000}`,
});

const event = (i: number): EventInput => ({
  id: uid(i),
  baseId: uid(i),
  cluster: "bench",
  etype: "k8s.event",
  severity: "WARNING",
  reason: "BackOff",
  message: `Back-off restarting failed container app in pod app-${i % 10_000}`,
  timeMs: T0 + i * 10,
  count: 1,
  subject: pod(i),
});

/** Two or three links from event `i` (the effect) to events among the 3,000 before it. */
function linksOf(i: number, random: () => number): CauseLink[] {
  const out: CauseLink[] = [];
  const n = random() < 0.7 ? 3 : 2;
  for (let k = 0; k < n && i > 0; k++) {
    const c = Math.max(0, i - 1 - Math.floor(random() * 3_000));
    out.push({
      effectId: uid(i),
      causeId: uid(c),
      confidence: 0.3 + random() * 0.7,
      temporal: 0.5,
      distance: 0.5,
      domain: 0.5,
      hops: 1,
      rule: "crashloop-after-oom",
      path: [`bench:pod:ns-${i % 20}:app-${i % 10_000}`, `bench:node::node-${i % 50}`],
    });
  }
  return out;
}

/** A small seeded generator, so that two runs (two builds) write the same links. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(): Promise<void> {
  const t = tempDir("kgrca-link-bench-");
  const path = join(t.dir, "kg-rca.sqlite");
  const hot = Number(args.hot);
  const store = new SqliteGraphStore({
    path,
    cacheMb: Number(args["cache-mb"]),
    backgroundCheckpoint: true,
    ...(hot > 0 ? { hotEvents: { maxEvents: hot } } : {}),
  });
  await store.init();
  const random = mulberry32(7);
  const bar = progressBar("{phase} [{bar}] {value}/{total} {unit}", 5000);
  try {
    /** Stores events [from, to) and their links; returns the ms spent storing each. */
    const write = async (
      from: number,
      to: number,
    ): Promise<{ eventMs: number; ms: number; links: number }> => {
      const e0 = performance.now();
      await store.applyBatch({
        resources: [],
        resourceDeletes: [],
        edges: [],
        events: Array.from({ length: to - from }, (_, k) => event(from + k)),
      });
      const eventMs = performance.now() - e0;
      const links: CauseLink[] = [];
      for (let i = from; i < to; i++) links.push(...linksOf(i, random));
      const t0 = performance.now();
      for (let k = 0; k < links.length; k += LINK_WRITE)
        await store.upsertCauseLinks(links.slice(k, k + LINK_WRITE));
      return { eventMs, ms: performance.now() - t0, links: links.length };
    };
    const fillStarted = performance.now();
    bar.start(EVENTS, 0, { phase: "fill ", unit: "events" });
    let next = 0;
    while (next < EVENTS) {
      const to = Math.min(EVENTS, next + 1_000);
      await write(next, to);
      next = to;
      bar.update(next);
    }
    bar.stop();
    const fillS = (performance.now() - fillStarted) / 1000;
    let ms = 0;
    let eventMs = 0;
    let links = 0;
    bar.start(TIMED, 0, { phase: "timed", unit: "links" });
    const timedFrom = next;
    while (links < TIMED) {
      const r = await write(next, next + 100);
      next += 100;
      ms += r.ms;
      eventMs += r.eventMs;
      links += r.links;
      bar.update(Math.min(TIMED, links));
    }
    bar.stop();
    const result = {
      stored_events: timedFrom,
      stored_links: (await store.stats()).cause_links - links,
      fill_s: Math.round(fillS),
      timed_links: links,
      us_per_link: Math.round((ms * 1000 * 10) / links) / 10,
      timed_events: next - timedFrom,
      us_per_event: Math.round((eventMs * 1000 * 10) / (next - timedFrom)) / 10,
      file_mb: Math.round(statSync(path).size / 1e6),
      cache_mb: Number(args["cache-mb"]),
      hot_events: hot,
    };
    if (args.json) console.log(JSON.stringify(result));
    else
      console.log(
        `${result.timed_links} links into a store of ${result.stored_events} events and ${result.stored_links} links: ` +
          `${result.us_per_link} µs per link (${LINK_WRITE} per call); their ${result.timed_events} events ` +
          `${result.us_per_event} µs each (100 per batch); filled in ${result.fill_s} s; ` +
          `file ${result.file_mb} MB; cache ${result.cache_mb} MB`,
      );
  } finally {
    await store.close();
    t.remove();
  }
}

await main();
