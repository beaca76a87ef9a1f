// The Neo4j adapter is built in issue #4; until then selecting it fails with a clear message.
export class Neo4jGraphStore {
  constructor() {
    throw new Error("GRAPH_STORE=neo4j is not available in this build");
  }
}
