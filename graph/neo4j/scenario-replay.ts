import type { Scenario } from "../../bridge/replay/index.js";
import { analyze } from "../../rca/analyze.js";
import { InvalidMessageError } from "../../rca/errors.js";
import { type RankedForEval, rankingOf } from "../../rca/evaluate.js";
import { emptyBatch } from "../../rca/model.js";
import { normalizeMessage, type WireMessage } from "../../rca/normalize.js";
import type { WorkerContext } from "../../workers/context.js";
import { processRcaScore } from "../../workers/rca-score-processor.js";

/** What one replay cost, for the store comparison benchmark. */
export interface ReplayTiming {
  readonly messages: number;
  readonly events: number;
  readonly writeMs: number;
  readonly scoreMs: number;
  readonly analyzeMs: number;
}

/**
 * Replays a scenario into `ctx.store` through the processors' own steps, in one fixed order:
 * normalize, `applyBatch` in ingest-sized batches, then the rca-score processor over everything
 * that changed, then `analyze` on the symptom. Used to hold the Neo4j and embedded stores to the
 * same RCA rankings (same inputs, same order, so any difference is the store's).
 */
export async function replayAndRank(
  ctx: WorkerContext,
  scenario: Scenario,
  batchSize = 100,
): Promise<{ ranking: RankedForEval[]; timing: ReplayTiming }> {
  const messages = scenario.messages as unknown as WireMessage[];
  const eventIds = new Set<string>();
  const resourceIds = new Set<string>();
  let events = 0;
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += batchSize) {
    const batch = emptyBatch();
    for (const msg of messages.slice(i, i + batchSize)) {
      try {
        normalizeMessage(msg, ctx.normalize, batch);
      } catch (err) {
        if (!(err instanceof InvalidMessageError)) throw err;
      }
    }
    const r = await ctx.store.applyBatch(batch);
    events += r.counts.events + r.counts.changeEvents;
    for (const id of r.eventIds) eventIds.add(id);
    for (const id of r.resourceIds) resourceIds.add(id);
  }
  const t1 = performance.now();
  await processRcaScore(ctx, {
    eventIds: [...eventIds].sort(),
    resourceIds: [...resourceIds].sort(),
    enqueuedMs: 0,
  });
  const t2 = performance.now();
  const a = await analyze(ctx.store, scenario.symptom.event_id, {
    windowMs: ctx.rca.windowMs,
    maxHops: ctx.rca.maxHops,
    rules: ctx.rules,
    limit: 10,
  });
  const t3 = performance.now();
  return {
    ranking: rankingOf(a),
    timing: { messages: messages.length, events, writeMs: t1 - t0, scoreMs: t2 - t1, analyzeMs: t3 - t2 },
  };
}
