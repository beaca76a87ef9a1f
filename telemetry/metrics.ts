import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { liveHeapShare } from "./heap.js";

/**
 * Every metric kg-rca exports. Each process creates one `Metrics` (its own registry) and exposes
 * it on /metrics; names follow DESIGN.md.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly messagesProcessed: Counter<"topic" | "outcome">;
  readonly processingDuration: Histogram<"queue">;
  readonly neo4jOperations: Counter<"operation" | "outcome">;
  readonly neo4jQueryDuration: Histogram<"operation">;
  readonly storeOperations: Counter<"store" | "operation" | "outcome">;
  readonly storeQueryDuration: Histogram<"store" | "operation">;
  readonly rcaLinksCreated: Counter;
  readonly severityEscalations: Counter;
  readonly incidentsClustered: Counter;
  readonly anomaliesDetected: Counter<"type">;
  readonly circuitBreakerState: Gauge<"store">;
  readonly dlqMessages: Counter<"queue">;
  readonly queueJobs: Gauge<"queue" | "state">;
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  readonly ingestToQueryable: Histogram;
  readonly jobsProcessed: Counter<"queue" | "outcome">;
  readonly rcaQueryDuration: Histogram;
  readonly bridgeBatchSize: Histogram<"topic">;
  readonly bridgeCommitLag: Gauge<"topic" | "partition">;
  readonly bridgePaused: Gauge;
  readonly logLines: Counter<"outcome">;
  readonly watcherEvents: Counter<"kind" | "type">;
  readonly heavyJobsWaited: Counter;
  readonly anomalyDetectionsPromoted: Counter;
  readonly heapLiveRatio: Gauge;

  constructor(readonly process: string) {
    const r = this.registry;
    r.setDefaultLabels({ process });
    collectDefaultMetrics({ register: r });
    // prom-client names three gauges `*_total`, which `promtool check metrics` rejects (a `_total`
    // suffix promises a counter); the handle/request counts are not worth a failing lint.
    for (const name of [
      "nodejs_active_handles_total",
      "nodejs_active_requests_total",
      "nodejs_active_resources_total",
    ])
      r.removeSingleMetric(name);
    this.messagesProcessed = new Counter({
      name: "kg_messages_processed_total",
      help: "Messages processed, by topic and outcome (ok, invalid, failed)",
      labelNames: ["topic", "outcome"],
      registers: [r],
    });
    this.processingDuration = new Histogram({
      name: "kg_message_processing_duration_seconds",
      help: "Time to process one job, by queue",
      labelNames: ["queue"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [r],
    });
    this.neo4jOperations = new Counter({
      name: "kg_neo4j_operations_total",
      help: "Neo4j operations, by operation and outcome",
      labelNames: ["operation", "outcome"],
      registers: [r],
    });
    this.neo4jQueryDuration = new Histogram({
      name: "kg_neo4j_query_duration_seconds",
      help: "Neo4j query duration, by operation",
      labelNames: ["operation"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });
    this.storeOperations = new Counter({
      name: "kg_store_operations_total",
      help: "Graph store operations, by store, operation and outcome",
      labelNames: ["store", "operation", "outcome"],
      registers: [r],
    });
    this.storeQueryDuration = new Histogram({
      name: "kg_store_query_duration_seconds",
      help: "Graph store operation duration, by store and operation",
      labelNames: ["store", "operation"],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    this.rcaLinksCreated = new Counter({
      name: "kg_rca_links_created_total",
      help: "Cause links created or raised",
      registers: [r],
    });
    this.severityEscalations = new Counter({
      name: "kg_severity_escalations_total",
      help: "Events whose severity was escalated by repetition",
      registers: [r],
    });
    this.incidentsClustered = new Counter({
      name: "kg_incidents_clustered_total",
      help: "Incidents created or grown by clustering",
      registers: [r],
    });
    this.anomaliesDetected = new Counter({
      name: "kg_anomalies_detected_total",
      help: "Anomalies detected or updated, by type",
      labelNames: ["type"],
      registers: [r],
    });
    this.circuitBreakerState = new Gauge({
      name: "kg_circuit_breaker_state",
      help: "Graph store circuit breaker: 0 closed, 1 open, 2 half-open",
      labelNames: ["store"],
      registers: [r],
    });
    this.dlqMessages = new Counter({
      name: "kg_dlq_messages_total",
      help: "Messages or jobs sent to the dead-letter queue, by source queue",
      labelNames: ["queue"],
      registers: [r],
    });
    this.queueJobs = new Gauge({
      name: "kg_queue_jobs",
      help: "Jobs per queue and state (waiting, active, delayed, failed, completed)",
      labelNames: ["queue", "state"],
      registers: [r],
    });
    this.httpDuration = new Histogram({
      name: "kg_http_request_duration_seconds",
      help: "HTTP request duration by method, route and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    this.ingestToQueryable = new Histogram({
      name: "kg_ingest_to_queryable_seconds",
      help: "Time from enqueueing a batch to its events being stored",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [r],
    });
    this.jobsProcessed = new Counter({
      name: "kg_jobs_processed_total",
      help: "Jobs processed by queue and outcome (completed, failed, delayed)",
      labelNames: ["queue", "outcome"],
      registers: [r],
    });
    this.rcaQueryDuration = new Histogram({
      name: "kg_rca_query_duration_seconds",
      help: "RCA query duration",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [r],
    });
    this.bridgeBatchSize = new Histogram({
      name: "kg_bridge_batch_size",
      help: "Messages per ingest batch enqueued by the bridge",
      labelNames: ["topic"],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
      registers: [r],
    });
    this.bridgeCommitLag = new Gauge({
      name: "kg_bridge_commit_lag",
      help: "Messages consumed but not yet committed, by topic and partition",
      labelNames: ["topic", "partition"],
      registers: [r],
    });
    this.bridgePaused = new Gauge({
      name: "kg_bridge_paused",
      help: "1 while the bridge pauses consumption (backpressure)",
      registers: [r],
    });
    this.logLines = new Counter({
      name: "kg_log_lines_total",
      help: "Log lines seen by the high-signal filter, by outcome (kept, dropped)",
      labelNames: ["outcome"],
      registers: [r],
    });
    this.watcherEvents = new Counter({
      name: "kg_watcher_events_total",
      help: "Kubernetes watch notifications, by kind and type",
      labelNames: ["kind", "type"],
      registers: [r],
    });
    this.heavyJobsWaited = new Counter({
      name: "kg_heavy_jobs_waited_total",
      help: "Scoring and clustering jobs that waited for the others to finish under memory pressure",
      registers: [r],
    });
    this.anomalyDetectionsPromoted = new Counter({
      name: "kg_anomaly_detections_promoted_total",
      help: "Anomaly detections run before their coalescing delay because ingest and scoring were idle",
      registers: [r],
    });
    this.heapLiveRatio = new Gauge({
      name: "kg_heap_live_ratio",
      help: "V8 heap in use right after the last full collection, as a share of the heap limit",
      registers: [r],
      collect() {
        this.set(liveHeapShare());
      },
    });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
