/** The queues of the pipeline. `dead-letter` holds what could not be processed, with the reason. */
export const QUEUE_NAMES = ["ingest", "rca-score", "cluster", "anomaly", "cleanup"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
export const DEAD_LETTER = "dead-letter" as const;
export type AnyQueueName = QueueName | typeof DEAD_LETTER;
export const ALL_QUEUES: readonly AnyQueueName[] = [...QUEUE_NAMES, DEAD_LETTER];

export function parsePools(spec: string | undefined): QueueName[] {
  if (!spec || spec === "all") return [...QUEUE_NAMES];
  const out: QueueName[] = [];
  for (const p of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(QUEUE_NAMES as readonly string[]).includes(p)) {
      throw new Error(`unknown pool "${p}" (expected any of ${QUEUE_NAMES.join(", ")})`);
    }
    out.push(p as QueueName);
  }
  return out;
}
