import type { WireMessage } from "../rca/normalize.js";
import type { QueueName } from "./names.js";

/** Where a message came from; kept so a dead-lettered message can be traced and re-driven. */
export interface MessageOrigin {
  readonly source: "kafka" | "api" | "replay" | "watch" | "redrive" | "bench";
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly key?: string | null;
}

export interface IngestJob {
  readonly messages: WireMessage[];
  readonly source: MessageOrigin["source"];
  /** When the batch was enqueued (ms), for ingest-to-queryable latency. */
  readonly enqueuedMs: number;
}

export interface RcaScoreJob {
  readonly eventIds: string[];
  readonly resourceIds: string[];
  /** See `ApplyResult.reachChanged`: by resource of `resourceIds`, where known. */
  readonly reachChanged?: Readonly<Record<string, readonly string[]>>;
  /**
   * See `ApplyResult.eventsUpTo`: the events of `resourceIds` rescored, and the later events each
   * event is paired with as a cause (unless the job raised its level), are those stored by then;
   * later ones are scored by their own jobs.
   */
  readonly eventsUpTo?: number;
  readonly enqueuedMs?: number;
}

export interface ClusterJob {
  readonly eventIds: string[];
}

export interface AnomalyJob {
  readonly cluster: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface CleanupJob {
  readonly dryRun?: boolean;
  readonly retentionDays?: number;
}

export interface DeadLetterJob {
  readonly queue: QueueName;
  /** The original message (ingest) or job data (other queues). */
  readonly payload: unknown;
  readonly reason: string;
  readonly retryable: boolean;
  readonly failedMs: number;
  readonly attempts: number;
  readonly origin?: MessageOrigin;
  readonly jobId?: string;
}

export interface JobPayloads {
  ingest: IngestJob;
  "rca-score": RcaScoreJob;
  cluster: ClusterJob;
  anomaly: AnomalyJob;
  cleanup: CleanupJob;
}
