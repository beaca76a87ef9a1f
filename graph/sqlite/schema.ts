/** The embedded store's schema. Applied idempotently at open; `user_version` tracks migrations. */
export const SCHEMA_VERSION = 5;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS resources (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT,
  labels TEXT NOT NULL DEFAULT '{}',
  props TEXT NOT NULL DEFAULT '{}',
  at_ms INTEGER NOT NULL DEFAULT -1,
  deleted INTEGER NOT NULL DEFAULT 0,
  pod_ip TEXT,
  cluster_ip TEXT
);
CREATE INDEX IF NOT EXISTS resources_scope ON resources(cluster, namespace, kind);
CREATE INDEX IF NOT EXISTS resources_name ON resources(name);
CREATE INDEX IF NOT EXISTS resources_pod_ip ON resources(cluster, pod_ip) WHERE pod_ip IS NOT NULL;
CREATE INDEX IF NOT EXISTS resources_cluster_ip ON resources(cluster, cluster_ip) WHERE cluster_ip IS NOT NULL;

CREATE TABLE IF NOT EXISTS uids (
  cluster TEXT NOT NULL,
  uid TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  PRIMARY KEY (cluster, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uids_by_uid ON uids (uid);

CREATE TABLE IF NOT EXISTS resource_versions (
  resource_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  version TEXT NOT NULL,
  PRIMARY KEY (resource_id, at_ms)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS edges (
  from_id TEXT NOT NULL,
  type TEXT NOT NULL,
  to_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  cluster TEXT NOT NULL,
  PRIMARY KEY (from_id, type, to_id, origin)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_to ON edges(to_id);

-- Each topology version's edge row changes, as a JSON array of [from_id, type, to_id, origin,
-- present] (present 1: inserted, 0: deleted), so that another process's store patches its topology
-- in memory instead of reading every edge again. One row per version; old versions are pruned.
CREATE TABLE IF NOT EXISTS edge_log (
  version INTEGER PRIMARY KEY,
  changes TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sent_edges (
  cluster TEXT NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL,
  from_id TEXT,
  to_id TEXT,
  from_uid TEXT,
  to_uid TEXT,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (cluster, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sent_edges_from_uid ON sent_edges(cluster, from_uid) WHERE from_uid IS NOT NULL;
CREATE INDEX IF NOT EXISTS sent_edges_to_uid ON sent_edges(cluster, to_uid) WHERE to_uid IS NOT NULL;

CREATE TABLE IF NOT EXISTS dependency_hints (
  cluster TEXT NOT NULL,
  hint TEXT NOT NULL,
  from_id TEXT NOT NULL,
  PRIMARY KEY (cluster, hint, from_id)
) WITHOUT ROWID;

-- \`seq\`: the row's number in insertion order, never reused (AUTOINCREMENT) and kept by VACUUM (an
-- explicit INTEGER PRIMARY KEY), so that cause links can name events by it (see cause_links).
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  base_id TEXT NOT NULL,
  cluster TEXT NOT NULL,
  etype TEXT NOT NULL,
  severity INTEGER NOT NULL,
  level INTEGER NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  resource_id TEXT,
  subject_kind TEXT,
  subject_ns TEXT,
  subject_name TEXT,
  subject_uid TEXT,
  extra TEXT,
  incident_id TEXT,
  ingested_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_resource_time ON events(resource_id, time_ms);
-- No index on (resource_id, reason, time_ms) since schema 5: a resource's events of one reason in a
-- window (escalation's read) are its events in the window, found by events_resource_time, with the
-- reason checked per row. Its long random keys were the dearest b-tree of an event insert: 22.7 ->
-- 12.5 µs per insert at 60k events with 8 MB of page cache.
DROP INDEX IF EXISTS events_resource_reason;
CREATE INDEX IF NOT EXISTS events_cluster_time ON events(cluster, time_ms);
CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);
-- No index on base_id: an event's id starts with its base id (the base itself, \`base#n\` for a
-- repeat, \`base:reason\` for a change event), so the id index finds a base's events by prefix.
-- An index of random keys costs a random page per insert: at 300k stored events dropping it
-- took an event insert from ~110 to ~85 µs.
DROP INDEX IF EXISTS events_base;
CREATE INDEX IF NOT EXISTS events_pending ON events(cluster, subject_uid) WHERE resource_id IS NULL;
CREATE INDEX IF NOT EXISTS events_incident ON events(incident_id) WHERE incident_id IS NOT NULL;

-- Keyed by the events' \`seq\`, not their ids: scoring links recent effects to recent causes, so
-- new rows land on the last pages of both b-trees instead of on random ones (ids are hashes and
-- uids). With 1M events and 2.7M links stored (8 MB page cache): 13 µs per link upsert against
-- 79 keyed by uid ids (bench/link-writes.ts). A link is written only when both events are stored.
CREATE TABLE IF NOT EXISTS cause_links (
  effect_seq INTEGER NOT NULL,
  cause_seq INTEGER NOT NULL,
  confidence REAL NOT NULL,
  temporal REAL NOT NULL,
  distance REAL NOT NULL,
  domain REAL NOT NULL,
  hops INTEGER NOT NULL,
  rule TEXT NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (effect_seq, cause_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cause_links_cause ON cause_links(cause_seq);

CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  severity INTEGER NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  resource_ids TEXT NOT NULL,
  namespaces TEXT NOT NULL,
  root_event_id TEXT
);
CREATE INDEX IF NOT EXISTS incidents_time ON incidents(cluster, end_ms);
CREATE INDEX IF NOT EXISTS incidents_end ON incidents(end_ms);

CREATE TABLE IF NOT EXISTS anomalies (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  type TEXT NOT NULL,
  resource_id TEXT,
  reason TEXT,
  window_start_ms INTEGER NOT NULL,
  window_end_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  score REAL NOT NULL,
  event_ids TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS anomalies_time ON anomalies(cluster, window_end_ms);
`;

/** What `better-sqlite3`'s Database offers the migration (kept narrow). */
interface MigrationDb {
  prepare(sql: string): { all(...args: unknown[]): unknown[] };
  exec(sql: string): unknown;
}

/**
 * Schema 4 numbers events (`seq`) and keys cause links by those numbers. A store from before it
 * has `events` without `seq`: its two tables are renamed aside (and their indexes dropped, so
 * that `SCHEMA` creates the new ones under the same names), to be copied by
 * `copyEventTablesToSeq` once `SCHEMA` has created the new tables. Returns whether it did.
 * Runs inside the schema transaction, so a second process opening the file meanwhile waits
 * and then finds `seq`.
 */
export function renameEventTablesBeforeSeq(db: MigrationDb): boolean {
  const cols = db.prepare("SELECT name FROM pragma_table_info('events')").all() as Array<{ name: string }>;
  if (cols.length === 0 || cols.some((c) => c.name === "seq")) return false;
  const indexes = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'cause_links') AND sql IS NOT NULL",
    )
    .all() as Array<{ name: string }>;
  for (const { name } of indexes) db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
  db.exec(
    "ALTER TABLE events RENAME TO events_pre_seq; ALTER TABLE cause_links RENAME TO cause_links_pre_seq;",
  );
  return true;
}

/** The second half of the migration: rows keep their rowid as `seq`; links are re-keyed by it. */
export function copyEventTablesToSeq(db: MigrationDb): void {
  const cols = (
    db.prepare("SELECT name FROM pragma_table_info('events_pre_seq')").all() as Array<{ name: string }>
  )
    .map((c) => `"${c.name.replaceAll('"', '""')}"`)
    .join(", ");
  db.exec(`
    INSERT INTO events (seq, ${cols}) SELECT rowid, ${cols} FROM events_pre_seq ORDER BY rowid;
    INSERT INTO cause_links (effect_seq, cause_seq, confidence, temporal, distance, domain, hops, rule, path)
      SELECT f.seq, c.seq, l.confidence, l.temporal, l.distance, l.domain, l.hops, l.rule, l.path
      FROM cause_links_pre_seq l JOIN events f ON f.id = l.effect_id JOIN events c ON c.id = l.cause_id;
    DROP TABLE cause_links_pre_seq;
    DROP TABLE events_pre_seq;
  `);
}
