export {
  type ConvertContext,
  type ConvertedResource,
  convertEvent,
  convertResource,
  type EdgeSpec,
  edgeMessage,
  type KubeObject,
  refOf,
} from "./convert.js";
export {
  getJson,
  KubeApiError,
  type KubeList,
  listAll,
  loadKubeConfig,
  METADATA_LIST_ACCEPT,
  METADATA_WATCH_ACCEPT,
  metadataOnly,
} from "./kube-api.js";
export { KubeWatcher, type KubeWatcherOptions, WATCHED_KINDS, type WatchedKind } from "./kube-watcher.js";
export { BatchPublisher, KafkaSink, type MessageSink, QueueSink } from "./sink.js";
