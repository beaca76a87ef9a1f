export {
  Neo4jGraphStore,
  type Neo4jGraphStoreOptions,
  type Neo4jMetrics,
  toStoreError,
} from "./neo4j-graph-store.js";
export {
  GRAPH_SCHEMA,
  listStatements,
  SCHEMA_STATEMENTS,
  STATEMENTS,
  type StatementName,
} from "./statements.js";
