export { processAnomaly } from "./anomaly-processor.js";
export { processCleanup } from "./cleanup-processor.js";
export { processCluster } from "./cluster-processor.js";
export { chunks, type WorkerContext } from "./context.js";
export { enqueueAnomaly, type IngestResult, processIngest } from "./ingest-processor.js";
export { type PoolOptions, WorkerPool } from "./pool.js";
export { processRcaScore } from "./rca-score-processor.js";
