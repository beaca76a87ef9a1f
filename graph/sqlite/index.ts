export { fingerprintOf, SqliteGraphStore, type SqliteGraphStoreOptions } from "./sqlite-graph-store.js";
