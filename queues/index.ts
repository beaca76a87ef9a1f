export { createRedis, type RedisSettings, redisAnswers } from "./connection.js";
export {
  ALL_QUEUES,
  type AnyQueueName,
  DEAD_LETTER,
  parsePools,
  QUEUE_NAMES,
  type QueueName,
} from "./names.js";
export type {
  AnomalyJob,
  CleanupJob,
  ClusterJob,
  DeadLetterJob,
  IngestJob,
  JobPayloads,
  MessageOrigin,
  RcaScoreJob,
} from "./payloads.js";
export { defaultJobOptions, Queues, type QueueSettings } from "./queues.js";
