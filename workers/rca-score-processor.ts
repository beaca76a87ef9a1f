import type { CauseLink, Reach, StoredEvent } from "../graph/index.js";
import { reachIds } from "../graph/neighborhood.js";
import type { RcaScoreJob } from "../queues/index.js";
import {
  firstAtOrAfterTime,
  type GraphReader,
  LATE_DETECTION_MS,
  LOOKBACK_WINDOWS,
  mayBeReportedLate,
  type Scored,
  scoreCandidatesMany,
  scorePairs,
} from "../rca/analyze.js";
import { escalate } from "../rca/escalation.js";
import { backgroundPause } from "../rca/time-slice.js";
import { severityLevel } from "../rca/model.js";
import { cachedReader } from "./cached-reader.js";
import { anomalyWindows, enqueueAnomaly } from "./ingest-processor.js";
import { chunks, type WorkerContext } from "./context.js";

/**
 * Every scored pair at or above this confidence is stored. No per-effect cap: a cap applied at
 * each scoring keeps a different top-N depending on which candidates had arrived, so the union of
 * links would depend on arrival order; without it each pair's link is the same in any order.
 */
export const MIN_LINK_CONFIDENCE = 0.3;
/** Events near a resource whose topology changed that are rescored (most recent first). */
const RESCORE_PER_RESOURCE = 200;

/**
 * Scores new events both as effects (looking back) and as causes (looking forward, by scoring
 * each against the later events it may explain), after escalating repeated reasons. Links only
 * ever keep their highest confidence, so any arrival order ends in the same links.
 */
export async function processRcaScore(
  ctx: WorkerContext,
  job: RcaScoreJob,
): Promise<{ effects: number; links: number; escalated: number }> {
  const store = cachedReader(ctx.store);
  const { windowMs, maxHops } = ctx.rca;
  const events = new Map<string, StoredEvent>();
  for (const e of await store.getEvents(job.eventIds)) events.set(e.id, e);
  // A resource whose edges changed: its recent events are rescored, and through the forward pass
  // below so are the later events near it (a bounded, indexed read per resource). Where the store
  // said which reaches from the resource changed, its events are rescored as effects against
  // candidates on those resources only (`limited`): every other candidate has the reach, and so the
  // score, it had when the effect was scored.
  // Only events stored by the batch's commit (`eventsUpTo`): a later one's own job scores it, after
  // the change. Which events a change rescores then does not depend on how far ingest had run
  // ahead of scoring. Before, the newest 200 when the job ran were taken, many of them still
  // waiting for their own job, which derived their links again: in a 50k-event bench run scoring
  // derived 347k links before and 239k after, and stored the same 162,854.
  const limited = new Map<string, ReadonlySet<string>>();
  for (const rid of job.resourceIds) {
    const recent = store.recentEventsOn
      ? await store.recentEventsOn(rid, "WARNING", RESCORE_PER_RESOURCE, job.eventsUpTo)
      : (await store.listEvents({ resourceId: rid, minSeverity: "WARNING", limit: RESCORE_PER_RESOURCE }))
          .items;
    const only = job.reachChanged?.[rid];
    const onlySet = only ? new Set(only) : undefined;
    for (const e of recent) {
      if (events.has(e.id)) continue;
      events.set(e.id, e);
      if (onlySet) limited.set(e.id, onlySet);
    }
  }

  // Escalation: recompute each touched (resource, reason) over the occurrences around it.
  const groups = new Map<string, { rid: string; reason: string; lo: number; hi: number }>();
  for (const e of events.values()) {
    if (!e.resourceId || severityLevel(e.severity) < 1) continue;
    const k = `${e.resourceId}\u0000${e.reason}`;
    const g = groups.get(k);
    if (g) {
      g.lo = Math.min(g.lo, e.timeMs);
      g.hi = Math.max(g.hi, e.timeMs);
    } else groups.set(k, { rid: e.resourceId, reason: e.reason, lo: e.timeMs, hi: e.timeMs });
  }
  const raised: Array<{ eventId: string; level: StoredEvent["level"] }> = [];
  for (const g of groups.values()) {
    const occ = await store.eventsByReason(g.rid, g.reason, g.lo - 5 * 60_000, g.hi + 5 * 60_000);
    raised.push(...escalate(occ));
  }
  const escalated = await store.setEventLevels(raised);
  if (escalated) ctx.metrics.severityEscalations.inc(escalated);
  if (raised.length) {
    const now = await store.getEvents(raised.map((r) => r.eventId));
    // Error spikes count effective levels from ERROR up: the windows of events raised to it are
    // looked at again, or whether a raise counted would depend on whether it landed before the
    // window's last detection. (Events not read by this job before: their old level is unknown.)
    const nowError = now.filter(
      (e) => severityLevel(e.level) >= 2 && severityLevel(events.get(e.id)?.level ?? "INFO") < 2,
    );
    for (const e of now) {
      events.set(e.id, e);
      limited.delete(e.id); // a new level: every pair anew
    }
    if (escalated && nowError.length)
      await Promise.all(anomalyWindows(nowError).map((w) => enqueueAnomaly(ctx, w.cluster, w.bucket)));
  }

  // Effects: the events themselves (looking back over their whole window).
  const effects = new Map<string, StoredEvent>();
  for (const e of events.values()) if (severityLevel(e.level) >= 1) effects.set(e.id, e);
  const opts = { windowMs, maxHops, rules: ctx.rules };
  // Scored pairs are written a part at a time, so a job's memory does not grow with its size (a
  // rescoring job of thousands of effects held ~40 MB of scored pairs at once). Every pair at or
  // above the threshold is offered and a link keeps its best, so the parts can be any size and in
  // any order.
  let created = 0;
  // Links are written `LINK_WRITE` at a time across parts: a commit per part (~27 links) made
  // 4,092 link commits in a 30k-event bench run against 2,732, and 11 % more time in them. Each
  // upsert is idempotent, so a retry after a partial write is safe, and scoring reads no links.
  let pending: CauseLink[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const part = pending;
    pending = [];
    created += await store.upsertCauseLinks(part);
  };
  // Every scored pair at or above `MIN_LINK_CONFIDENCE` as a link, in no particular order (each
  // upsert keeps the better link, so order changes nothing stored; sorting each effect's pairs
  // best first with a locale comparison, through a generator, was ~1 % of the pipeline).
  const write = async (scored: ReadonlyMap<string, Scored[]>) => {
    // A reach's path, built once: scoring hands the candidates on one resource one reach (made per
    // scoring call, so a map per part), and the store turns each path array into text once.
    const paths = new Map<Reach, readonly string[]>();
    for (const [effectId, list] of scored)
      for (const c of list) {
        if (c.score.confidence < MIN_LINK_CONFIDENCE) continue;
        let path = paths.get(c.reach);
        if (path === undefined) {
          path = c.reach.path;
          paths.set(c.reach, path);
        }
        pending.push(linkOf(effectId, c, path));
        if (pending.length >= LINK_WRITE) await flush();
      }
  };
  for (const part of partsByResource([...effects.values()].filter((e) => !limited.has(e.id)))) {
    await write(await scoreCandidatesMany(store, part, opts, MIN_LINK_CONFIDENCE));
  }
  const limitedByResource = new Map<string, { only: ReadonlySet<string>; list: StoredEvent[] }>();
  for (const e of effects.values()) {
    const only = limited.get(e.id);
    if (!only || !e.resourceId) continue;
    const g = limitedByResource.get(e.resourceId);
    if (g) g.list.push(e);
    else limitedByResource.set(e.resourceId, { only, list: [e] });
  }
  // New to this job (not rescored for a topology change): pairs with them were never scored.
  const fresh = new Set([...events.keys()].filter((id) => !limited.has(id)));
  for (const { only, list } of limitedByResource.values()) {
    const reader = changedPairsOnly(store, only, fresh);
    for (const part of chunks(list, SCORE_PART)) {
      await write(await scoreCandidatesMany(reader, part, opts, MIN_LINK_CONFIDENCE));
    }
  }
  // Looking forward: each event as a cause of the later events near it that are not scored above.
  // Only those pairs are new (an effect's other candidates did not change), so only they are
  // scored. An effect's window reaches `LOOKBACK_WINDOWS` windows back and, for causes reported
  // late, `LATE_DETECTION_MS` ahead.
  //
  // An event rescored for a topology change with the reaches that changed known (`limited`) is
  // paired only with later events on those resources: a pair's score depends on the reach from the
  // effect's resource back to the cause's, and a walk crosses the same edges either way (hubs
  // expanded only at the start, no sibling hop through a fan-in target), so a resource whose reach
  // from the cause's did not change reaches it at the same hops as when the pair was scored. (Not
  // covered: a new path of the same length that only the effect's walk prefers, whose shape, not
  // length, would lift a penalty.) Before this, 311k of the 672k links scoring derived in a
  // 50k-event bench run were this pass deriving again links already stored, for the recent events
  // of pods a log line had just given a new dependency; every stored link came out the same.
  //
  // And only with later events stored by the batch's commit (`eventsUpTo`): one stored after it is
  // scored by its own job, after the commit, with this event as a candidate as the commit left it.
  // Not so for an event this job raised (after the commit): it is paired with every later one. In
  // a 30k-event bench run 123k links were offered before this and 107k after; a kept 30k-event run
  // stored the same rows either way. (Tried in sessions 14 and 18 and reverted both times for the
  // ingest latency of the runs then; session 19's runs, after the hidden-class steps, were faster
  // with it and their ingest p99 no worse. See bench/README.md.)
  const raisedHere = new Set(raised.map((r) => r.eventId));
  const byResource = new Map<string, StoredEvent[]>();
  for (const e of events.values()) {
    if (!e.resourceId || limited.get(e.id)?.size === 0) continue;
    const list = byResource.get(e.resourceId) ?? [];
    list.push(e);
    byResource.set(e.resourceId, list);
  }
  const lookback = windowMs * LOOKBACK_WINDOWS;
  let pairs: Array<{ cause: StoredEvent; effects: StoredEvent[] }> = [];
  let pairEffects = 0;
  for (const [rid, list] of byResource) {
    await backgroundPause();
    const near = await store.neighborhood(rid, maxHops);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const e of list) {
      lo = Math.min(lo, e.timeMs);
      hi = Math.max(hi, e.timeMs);
    }
    // The limited events of one resource share its set of changed reaches.
    const onlyAll = list.every((e) => limited.has(e.id)) ? limited.get(list[0]!.id) : undefined;
    const targets = onlyAll ? reachIds(near).filter((id) => onlyAll.has(id)) : reachIds(near);
    const later = (
      await store.eventsOnResources(targets, lo - LATE_DETECTION_MS, hi + lookback, "WARNING")
    ).filter((l) => !effects.has(l.id));
    if (later.length === 0) continue;
    for (const cause of list) {
      // Events stamped before the cause only for a cause that may be reported late: no other
      // explains them (`scoreCandidate`). Fewer pairs: 334k against 360k in a 30k-event bench run.
      const from = cause.timeMs - (mayBeReportedLate(cause) ? LATE_DETECTION_MS : 0);
      const to = cause.timeMs + lookback;
      const only = limited.get(cause.id);
      const upTo = raisedHere.has(cause.id) ? undefined : job.eventsUpTo;
      // `later` is ordered by time: the window is one run of it, found by a binary search. A filter
      // over all of `later` per cause visited 7.4M events in a 50k-event bench run.
      const inWindow: StoredEvent[] = [];
      for (let k = firstAtOrAfterTime(later, from); k < later.length && later[k]!.timeMs <= to; k++) {
        const l = later[k]!;
        if (
          (!only || only.has(l.resourceId!)) &&
          (upTo === undefined || l.seq === undefined || l.seq <= upTo)
        )
          inWindow.push(l);
      }
      if (inWindow.length === 0) continue;
      pairs.push({ cause, effects: inWindow });
      pairEffects += inWindow.length;
    }
    if (pairEffects >= SCORE_PART * 20) {
      await write(await scorePairs(store, pairs, opts, MIN_LINK_CONFIDENCE));
      pairs = [];
      pairEffects = 0;
    }
  }
  if (pairs.length) await write(await scorePairs(store, pairs, opts, MIN_LINK_CONFIDENCE));
  await flush();
  if (created) ctx.metrics.rcaLinksCreated.inc(created);

  // Clustering joins each new ERROR/FATAL event to the events near it: the later events the forward
  // pass linked to were clustered when they arrived.
  const incidentCandidates = [...effects.values()]
    .filter((e) => severityLevel(e.level) >= 2 && e.resourceId)
    .map((e) => e.id);
  await Promise.all(
    chunks(incidentCandidates.sort()).map((ids) => ctx.queues.add("cluster", { eventIds: ids })),
  );
  return { effects: effects.size, links: created, escalated };
}

/**
 * Effects per call of `scoreCandidatesMany`; the forward pass calls `scorePairs` per 20x as many
 * pairs. An effect in a busy window can have a thousand candidates above the threshold: 250
 * effects held 265k scored pairs (27 MB) at once in the bench's 200k-event run.
 */
const SCORE_PART = 50;

/**
 * Effects in parts of `SCORE_PART`, each resource's in time order and together where they fit (a
 * resource's events in one part share reads; the scores do not depend on the parts).
 */
function partsByResource(effects: readonly StoredEvent[]): StoredEvent[][] {
  const groups = new Map<string, StoredEvent[]>();
  for (const e of effects) {
    const k = e.resourceId ?? "";
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  const ordered = [...groups.values()].flatMap((g) => g.sort((a, b) => a.timeMs - b.timeMs));
  return chunks(ordered, SCORE_PART);
}

/**
 * Links per write transaction. Fewer, larger commits write each shared index page once, but a
 * transaction holds the event loop (ingest in this process waits behind it) for ~5-7 µs per
 * upsert (session 20): 1,000 keep it under ~10 ms. At 250 (when an upsert cost 15-60 µs) a
 * 30k-event bench run made 428 link commits and spent 13.1 % of its pipeline phase in link writes;
 * at 1,000, 10.7 % (`BEGIN`/`COMMIT` 4.9 -> 3.6 %).
 */
const LINK_WRITE = 1_000;

/** `c` as the link from its event to `effectId` (fields listed: a spread built each one slowly). */
const linkOf = (effectId: string, c: Scored, path: readonly string[]): CauseLink => ({
  causeId: c.event.id,
  effectId,
  confidence: c.score.confidence,
  temporal: c.score.temporal,
  distance: c.score.distance,
  domain: c.score.domain,
  rule: c.score.rule,
  hops: c.reach.hops,
  path,
});

/**
 * A reader whose candidate reads hold only events on resources in `only` (whose reach changed) and
 * events in `fresh`: the pairs a rescored effect can have that differ from when it was scored.
 */
function changedPairsOnly(
  store: GraphReader,
  only: ReadonlySet<string>,
  fresh: ReadonlySet<string>,
): GraphReader {
  return {
    getEvent: (id) => store.getEvent(id),
    getResources: (ids) => store.getResources(ids),
    edgesOf: (ids) => store.edgesOf(ids),
    getIncident: (id) => store.getIncident(id),
    listAnomalies: (f) => store.listAnomalies(f),
    neighborhood: (id, maxHops) => store.neighborhood(id, maxHops),
    eventsOnResources: async (ids, fromMs, toMs, minLevel) =>
      (await store.eventsOnResources(ids, fromMs, toMs, minLevel)).filter(
        (e) => (e.resourceId !== undefined && only.has(e.resourceId)) || fresh.has(e.id),
      ),
  };
}
