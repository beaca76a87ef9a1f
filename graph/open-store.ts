import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { GraphStore } from "./graph-store.js";
import { SqliteGraphStore } from "./sqlite/index.js";

/**
 * Chooses and opens the configured store. The Neo4j adapter is loaded only when asked for.
 * `singleWriter`: this process does (nearly) all the writing (`kgrca start`, replay, eval, bench),
 * so the embedded store keeps recent events in memory (`KG_HOT_EVENTS`) and its edge index
 * current; with several writing processes every foreign commit would reload them, so they read
 * SQL only and build the edge index when a query needs it.
 */
export async function openGraphStore(
  config: Config,
  hooks?: { neo4jMetrics?: unknown },
  singleWriter = false,
): Promise<GraphStore> {
  let store: GraphStore;
  if (config.store.kind === "neo4j") {
    const mod = (await import("./neo4j/index.js")) as unknown as {
      Neo4jGraphStore: new (opts: NonNullable<Config["store"]["neo4j"]>, hooks?: unknown) => GraphStore;
    };
    store = new mod.Neo4jGraphStore(config.store.neo4j!, hooks?.neo4jMetrics);
  } else {
    store = new SqliteGraphStore({
      path: join(config.dataDir, "kg-rca.sqlite"),
      cacheMb: config.rca.sqliteCacheMb,
      checkpointPages: config.rca.sqliteCheckpointPages,
      backgroundCheckpoint: config.rca.sqliteCheckpointThread,
      onCheckpointError: (err) =>
        process.emitWarning(
          `the SQLite checkpoint thread stopped (commits checkpoint instead): ${err.message}`,
        ),
      reachHops: config.rca.maxHops,
      keepEdgeIndex: singleWriter,
      ...(singleWriter && config.rca.hotEvents > 0 ? { hotEvents: { maxEvents: config.rca.hotEvents } } : {}),
    });
  }
  await store.init();
  return store;
}
