export {
  type BreakerOptions,
  type BreakerState,
  CircuitBreaker,
  withCircuitBreaker,
} from "./circuit-breaker.js";
export type {
  Anomaly,
  AnomalyFilter,
  ApplyResult,
  CauseLink,
  CleanupResult,
  EventFilter,
  GraphCounts,
  GraphStats,
  GraphStore,
  Incident,
  IncidentSummary,
  IncidentUpdate,
  IncidentFilter,
  Page,
  Reach,
  ResourceQuery,
  StoredEdge,
  StoredEvent,
  StoredResource,
} from "./graph-store.js";
export { StoreUnavailableError } from "./graph-store.js";
export { openGraphStore } from "./open-store.js";
