import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { GraphStore } from "./graph-store.js";
import { SqliteGraphStore } from "./sqlite/index.js";

/** Chooses and opens the configured store. The Neo4j adapter is loaded only when asked for. */
export async function openGraphStore(
  config: Config,
  hooks?: { neo4jMetrics?: unknown },
): Promise<GraphStore> {
  let store: GraphStore;
  if (config.store.kind === "neo4j") {
    const mod = (await import("./neo4j/index.js")) as unknown as {
      Neo4jGraphStore: new (opts: NonNullable<Config["store"]["neo4j"]>, hooks?: unknown) => GraphStore;
    };
    store = new mod.Neo4jGraphStore(config.store.neo4j!, hooks?.neo4jMetrics);
  } else {
    store = new SqliteGraphStore({ path: join(config.dataDir, "kg-rca.sqlite") });
  }
  await store.init();
  return store;
}
