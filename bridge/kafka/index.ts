export {
  createKafkaClient,
  type KafkaAdminLike,
  type KafkaBatch,
  type KafkaClient,
  KafkaClientUnavailableError,
  type KafkaConsumerLike,
  type KafkaProducerLike,
  type KafkaRecord,
  type KafkaSettings,
  type ProducedMessage,
  type TopicPartitionOffset,
} from "./client.js";
export { KafkaBridge, type KafkaBridgeOptions, MAX_MESSAGE_BYTES } from "./kafka-bridge.js";
export { type Completion, OffsetTracker } from "./offset-tracker.js";
