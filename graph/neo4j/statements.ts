/**
 * Every Cypher statement the Neo4j adapter can send, by name. Nothing else in the adapter builds
 * Cypher: values always travel as parameters, labels and relationship types are the fixed ones
 * below (a topology edge's producer-given type is a property of the one `TOPOLOGY` relationship,
 * never spliced into a statement). `kgrca cypher --list` prints this list for review, and a test
 * lints each statement with the schema described by `GRAPH_SCHEMA`.
 *
 * Model: `(:Resource)-[:TOPOLOGY {type, origin}]->(:Resource)`, `(:Event)-[:CAUSES]->(:Event)`,
 * `(:Incident)`, `(:Anomaly)`; bookkeeping nodes `(:UidAlias)` (uid -> canonical id),
 * `(:ResourceVersion)` (state history for change events), `(:SentEdge)` (producer edges by key,
 * possibly waiting for an endpoint's uid) and `(:DependencyHint)` (log-named IPs/services).
 * Times are integer milliseconds; severities are levels 0..3 (INFO..FATAL); labels, props and
 * extra fields are JSON strings, as in the embedded store.
 */

/** Schema statements, applied in order at `init()`; all idempotent. */
export const SCHEMA_STATEMENTS = {
  constraintResourceId: "CREATE CONSTRAINT resource_id IF NOT EXISTS FOR (r:Resource) REQUIRE r.id IS UNIQUE",
  constraintEventId: "CREATE CONSTRAINT event_id IF NOT EXISTS FOR (e:Event) REQUIRE e.id IS UNIQUE",
  constraintIncidentId: "CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (i:Incident) REQUIRE i.id IS UNIQUE",
  constraintAnomalyId: "CREATE CONSTRAINT anomaly_id IF NOT EXISTS FOR (a:Anomaly) REQUIRE a.id IS UNIQUE",
  constraintUidAlias:
    "CREATE CONSTRAINT uid_alias IF NOT EXISTS FOR (u:UidAlias) REQUIRE (u.cluster, u.uid) IS UNIQUE",
  indexUidAliasUid: "CREATE INDEX uid_alias_uid IF NOT EXISTS FOR (u:UidAlias) ON (u.uid)",
  constraintResourceVersion:
    "CREATE CONSTRAINT resource_version IF NOT EXISTS FOR (v:ResourceVersion) REQUIRE (v.resourceId, v.atMs) IS UNIQUE",
  constraintSentEdge:
    "CREATE CONSTRAINT sent_edge IF NOT EXISTS FOR (s:SentEdge) REQUIRE (s.cluster, s.key) IS UNIQUE",
  constraintWriteLock: "CREATE CONSTRAINT write_lock IF NOT EXISTS FOR (l:WriteLock) REQUIRE l.key IS UNIQUE",
  constraintDependencyHint:
    "CREATE CONSTRAINT dependency_hint IF NOT EXISTS FOR (h:DependencyHint) REQUIRE (h.cluster, h.hint, h.fromId) IS UNIQUE",
  indexResourceScope:
    "CREATE INDEX resource_scope IF NOT EXISTS FOR (r:Resource) ON (r.cluster, r.namespace, r.kind)",
  indexResourceName: "CREATE INDEX resource_name IF NOT EXISTS FOR (r:Resource) ON (r.name)",
  indexResourcePodIp: "CREATE INDEX resource_pod_ip IF NOT EXISTS FOR (r:Resource) ON (r.cluster, r.podIP)",
  indexResourceClusterIp:
    "CREATE INDEX resource_cluster_ip IF NOT EXISTS FOR (r:Resource) ON (r.cluster, r.clusterIP)",
  indexResourceKind: "CREATE INDEX resource_kind IF NOT EXISTS FOR (r:Resource) ON (r.kind)",
  indexEventResourceTime:
    "CREATE INDEX event_resource_time IF NOT EXISTS FOR (e:Event) ON (e.resourceId, e.timeMs)",
  indexEventResourceReason:
    "CREATE INDEX event_resource_reason IF NOT EXISTS FOR (e:Event) ON (e.resourceId, e.reason, e.timeMs)",
  indexEventClusterTime:
    "CREATE INDEX event_cluster_time IF NOT EXISTS FOR (e:Event) ON (e.cluster, e.timeMs)",
  indexEventTime: "CREATE INDEX event_time IF NOT EXISTS FOR (e:Event) ON (e.timeMs)",
  indexEventBase: "CREATE INDEX event_base IF NOT EXISTS FOR (e:Event) ON (e.baseId)",
  indexEventPending: "CREATE INDEX event_pending IF NOT EXISTS FOR (e:Event) ON (e.cluster, e.subjectUid)",
  indexEventIncident: "CREATE INDEX event_incident IF NOT EXISTS FOR (e:Event) ON (e.incidentId)",
  indexIncidentTime: "CREATE INDEX incident_time IF NOT EXISTS FOR (i:Incident) ON (i.cluster, i.endMs)",
  indexIncidentEnd: "CREATE INDEX incident_end IF NOT EXISTS FOR (i:Incident) ON (i.endMs)",
  indexAnomalyTime: "CREATE INDEX anomaly_time IF NOT EXISTS FOR (a:Anomaly) ON (a.cluster, a.windowEndMs)",
  indexAnomalyEnd: "CREATE INDEX anomaly_end IF NOT EXISTS FOR (a:Anomaly) ON (a.windowEndMs)",
  indexVersionResource:
    "CREATE INDEX version_resource IF NOT EXISTS FOR (v:ResourceVersion) ON (v.resourceId)",
  indexSentEdgeKey: "CREATE INDEX sent_edge_key IF NOT EXISTS FOR (s:SentEdge) ON (s.key)",
  indexSentEdgeFromUid:
    "CREATE INDEX sent_edge_from_uid IF NOT EXISTS FOR (s:SentEdge) ON (s.cluster, s.fromUid)",
  indexSentEdgeToUid: "CREATE INDEX sent_edge_to_uid IF NOT EXISTS FOR (s:SentEdge) ON (s.cluster, s.toUid)",
  indexHintLookup: "CREATE INDEX hint_lookup IF NOT EXISTS FOR (h:DependencyHint) ON (h.cluster, h.hint)",
} as const;

/** Reads and writes. Write statements take `$rows` (one round trip per batch, not per row). */
export const STATEMENTS = {
  ping: "RETURN 1 AS ok",

  // ---------------------------------------------------------------- applyBatch: look-ups
  // Taken first in every batch (keys sorted): batches of one cluster apply one at a time, so each
  // one's look-ups see everything committed before it, as with the embedded store's single writer.
  lockClusters: `UNWIND $keys AS key
MERGE (l:WriteLock {key: key})
SET l.seq = coalesce(l.seq, 0) + 1`,
  loadResources: "UNWIND $ids AS id MATCH (r:Resource {id: id}) RETURN r {.*} AS r",
  loadUids: `UNWIND $rows AS row
MATCH (u:UidAlias {cluster: row.cluster, uid: row.uid})
RETURN u.cluster AS cluster, u.uid AS uid, u.resourceId AS resourceId`,
  uidInAnyCluster: "MATCH (u:UidAlias {uid: $uid}) RETURN u.resourceId AS resourceId LIMIT 2",
  loadVersionNeighbours: `UNWIND $rows AS row
OPTIONAL MATCH (here:ResourceVersion {resourceId: row.id, atMs: row.atMs})
CALL (row) {
  OPTIONAL MATCH (p:ResourceVersion {resourceId: row.id})
  WHERE p.atMs < row.atMs
  RETURN p ORDER BY p.atMs DESC LIMIT 1
}
CALL (row) {
  OPTIONAL MATCH (n:ResourceVersion {resourceId: row.id})
  WHERE n.atMs > row.atMs
  RETURN n ORDER BY n.atMs ASC LIMIT 1
}
RETURN row.id AS id, row.atMs AS atMs, here IS NOT NULL AS present,
  p.atMs AS prevAtMs, p.version AS prevVersion, n.atMs AS nextAtMs, n.version AS nextVersion`,
  loadEvents: "UNWIND $ids AS id MATCH (e:Event {id: id}) RETURN e {.*} AS e",
  loadPendingEvents: `UNWIND $rows AS row
MATCH (e:Event {cluster: row.cluster, subjectUid: row.uid})
WHERE e.resourceId IS NULL
RETURN e {.*} AS e`,
  loadSentEdges: `UNWIND $rows AS row
MATCH (s:SentEdge {cluster: row.cluster, key: row.key})
RETURN s {.*} AS s`,
  loadSentEdgesAnyCluster: "UNWIND $keys AS key MATCH (s:SentEdge {key: key}) RETURN s {.*} AS s",
  loadPendingSentEdges: `UNWIND $rows AS row
CALL (row) {
  MATCH (s:SentEdge {cluster: row.cluster, fromUid: row.uid})
  RETURN s
  UNION
  MATCH (s:SentEdge {cluster: row.cluster, toUid: row.uid})
  RETURN s
}
RETURN DISTINCT s {.*} AS s`,
  loadHints: `UNWIND $rows AS row
MATCH (h:DependencyHint {cluster: row.cluster, hint: row.hint})
RETURN h.cluster AS cluster, h.hint AS hint, h.fromId AS fromId`,
  loadScope: `UNWIND $rows AS row
MATCH (r:Resource {cluster: row.cluster, namespace: row.namespace, kind: row.kind})
RETURN row.cluster AS cluster, row.namespace AS namespace, row.kind AS kind, r {.*} AS r`,
  loadServicesByName: `UNWIND $rows AS row
MATCH (r:Resource {cluster: row.cluster, name: row.name})
WHERE r.kind = 'Service'
RETURN row.cluster AS cluster, row.name AS name, r {.*} AS r`,
  loadServicesInCluster: `UNWIND $rows AS c
MATCH (r:Resource {cluster: c})
WHERE r.kind = 'Service'
RETURN c AS cluster, r {.*} AS r`,
  // The derived edges a resource's state implies (re-derived as a difference when it changes).
  loadDerivedEdges: `UNWIND $ids AS id
MATCH (r:Resource {id: id})-[e:TOPOLOGY {origin: 'derived'}]-(:Resource)
WHERE (startNode(e) = r AND (e.type IN $derivedOutTypes OR e.type = 'SELECTS'))
  OR (endNode(e) = r AND e.type IN ['CONTROLS', 'SELECTS'])
RETURN id, startNode(e).id AS fromId, e.type AS type, endNode(e).id AS toId`,
  loadByIp: `UNWIND $rows AS row
CALL (row) {
  MATCH (r:Resource {cluster: row.cluster, podIP: row.ip})
  RETURN r
  UNION
  MATCH (r:Resource {cluster: row.cluster, clusterIP: row.ip})
  RETURN r
}
RETURN row.cluster AS cluster, row.ip AS ip, r {.*} AS r`,

  // ---------------------------------------------------------------- applyBatch: writes
  mergeResources: `UNWIND $rows AS row
MERGE (r:Resource {id: row.id})
ON CREATE SET r.cluster = row.cluster, r.kind = row.kind, r.namespace = row.namespace, r.name = row.name,
  r.labels = '{}', r.props = '{}', r.atMs = -1, r.deleted = false`,
  putUids: `UNWIND $rows AS row
MERGE (u:UidAlias {cluster: row.cluster, uid: row.uid})
SET u.resourceId = row.resourceId`,
  setResourceUids: `UNWIND $rows AS row
MATCH (r:Resource {id: row.id})
WHERE r.uid IS NULL
SET r.uid = row.uid`,
  setResourceStates: `UNWIND $rows AS row
MATCH (r:Resource {id: row.id})
WITH r, row
WHERE row.atMs > r.atMs OR (row.atMs = r.atMs AND row.props + row.labels > r.props + r.labels)
SET r.uid = coalesce(row.uid, r.uid), r.labels = row.labels, r.props = row.props, r.atMs = row.atMs,
  r.deleted = row.deleted, r.podIP = row.podIP, r.clusterIP = row.clusterIP`,
  markResourcesDeleted: "UNWIND $ids AS id MATCH (r:Resource {id: id}) SET r.deleted = true",
  putVersions: `UNWIND $rows AS row
MERGE (v:ResourceVersion {resourceId: row.resourceId, atMs: row.atMs})
ON CREATE SET v.version = row.version`,
  deleteChangeEventsOfBase: `UNWIND $bases AS base
MATCH (e:Event {baseId: base})
WHERE e.etype = 'k8s.change'
DETACH DELETE e`,
  upsertChangeEvents: `UNWIND $rows AS row
MERGE (e:Event {id: row.id})
ON CREATE SET e.baseId = row.baseId, e.cluster = row.cluster, e.etype = 'k8s.change', e.severity = row.severity,
  e.level = row.level, e.reason = row.reason, e.message = row.message, e.timeMs = row.timeMs, e.count = 1,
  e.resourceId = row.resourceId, e.subjectKind = row.subjectKind, e.subjectNs = row.subjectNs,
  e.subjectName = row.subjectName, e.ingestedMs = row.ingestedMs
ON MATCH SET e.level = CASE WHEN row.level > e.level THEN row.level ELSE e.level END,
  e.message = row.message, e.severity = row.severity`,
  upsertEvents: `UNWIND $rows AS row
MERGE (e:Event {id: row.id})
WITH e, row, e.timeMs IS NULL AS created
WHERE created OR row.timeMs > e.timeMs OR (row.timeMs = e.timeMs AND row.message > e.message)
SET e.level = CASE WHEN created OR row.level > e.level THEN row.level ELSE e.level END,
  e.severity = row.severity, e.reason = row.reason, e.message = row.message, e.timeMs = row.timeMs,
  e.extra = row.extra
WITH e, row, created
WHERE created
SET e.baseId = row.baseId, e.cluster = row.cluster, e.etype = row.etype, e.count = row.count,
  e.resourceId = row.resourceId, e.subjectKind = row.subjectKind, e.subjectNs = row.subjectNs,
  e.subjectName = row.subjectName, e.subjectUid = row.subjectUid, e.ingestedMs = row.ingestedMs`,
  resolveEvents: `UNWIND $rows AS row
MATCH (e:Event {id: row.id})
WHERE e.resourceId IS NULL
SET e.resourceId = row.resourceId`,
  deleteSentEdgeRecords: `UNWIND $rows AS row
MATCH (s:SentEdge {cluster: row.cluster, key: row.key})
DELETE s`,
  putSentEdgeRecords: `UNWIND $rows AS row
MERGE (s:SentEdge {cluster: row.cluster, key: row.key})
SET s.type = row.type, s.fromId = row.fromId, s.toId = row.toId, s.fromUid = row.fromUid, s.toUid = row.toUid,
  s.atMs = row.atMs`,
  putHints: `UNWIND $rows AS row
MERGE (h:DependencyHint {cluster: row.cluster, hint: row.hint, fromId: row.fromId})`,
  deleteTopologyEdges: `UNWIND $rows AS row
MATCH (:Resource {id: row.fromId})-[e:TOPOLOGY {type: row.type, origin: row.origin}]->(:Resource {id: row.toId})
DELETE e`,
  mergeTopology: `UNWIND $rows AS row
MATCH (a:Resource {id: row.fromId})
MATCH (b:Resource {id: row.toId})
OPTIONAL MATCH (a)-[x:TOPOLOGY {type: row.type, origin: row.origin}]->(b)
WITH a, b, row, count(x) AS existing
MERGE (a)-[e:TOPOLOGY {type: row.type, origin: row.origin}]->(b)
ON CREATE SET e.cluster = row.cluster
RETURN row.fromId AS fromId, row.toId AS toId, row.type AS type, row.origin AS origin, existing = 0 AS created`,

  // ---------------------------------------------------------------- derived facts
  setEventLevels: `UNWIND $rows AS row
MATCH (e:Event {id: row.id})
WHERE e.level < row.level
SET e.level = row.level
RETURN count(e) AS n`,
  upsertCauseLinks: `UNWIND $rows AS row
MATCH (c:Event {id: row.causeId})
MATCH (f:Event {id: row.effectId})
MERGE (c)-[l:CAUSES]->(f)
WITH l, row
WHERE l.confidence IS NULL OR row.confidence > l.confidence
  OR (row.confidence = l.confidence AND row.path < l.path)
SET l.confidence = row.confidence, l.temporal = row.temporal, l.distance = row.distance, l.domain = row.domain,
  l.hops = row.hops, l.rule = row.rule, l.path = row.path
RETURN count(l) AS n`,
  deleteIncidents: "UNWIND $ids AS id MATCH (i:Incident {id: id}) DELETE i",
  upsertIncidents: `UNWIND $rows AS row
MERGE (i:Incident {id: row.id})
SET i.cluster = row.cluster, i.severity = row.severity, i.startMs = row.startMs, i.endMs = row.endMs,
  i.eventCount = row.eventCount, i.resourceIds = row.resourceIds, i.namespaces = row.namespaces,
  i.rootEventId = row.rootEventId`,
  setEventIncidents: `UNWIND $rows AS row
MATCH (e:Event {id: row.eventId})
SET e.incidentId = row.incidentId`,
  moveIncidentEvents: `UNWIND $rows AS row
MATCH (e:Event {incidentId: row.fromId})
SET e.incidentId = row.toId`,
  upsertAnomalies: `UNWIND $rows AS row
MERGE (a:Anomaly {id: row.id})
WITH a, row
WHERE a.count IS NULL OR row.count > a.count
SET a.cluster = row.cluster, a.type = row.type, a.resourceId = row.resourceId, a.reason = row.reason,
  a.windowStartMs = row.windowStartMs, a.windowEndMs = row.windowEndMs, a.count = row.count, a.score = row.score,
  a.eventIds = row.eventIds, a.detail = row.detail
RETURN count(a) AS n`,

  // ---------------------------------------------------------------- retention (bounded batches)
  countOldEvents: "MATCH (e:Event) WHERE e.timeMs < $cutoffMs RETURN count(e) AS n",
  countOldCauseLinks: `MATCH (e:Event)-[l:CAUSES]-(:Event)
WHERE e.timeMs < $cutoffMs
RETURN count(DISTINCT l) AS n`,
  countOldIncidents: "MATCH (i:Incident) WHERE i.endMs < $cutoffMs RETURN count(i) AS n",
  countOldAnomalies: "MATCH (a:Anomaly) WHERE a.windowEndMs < $cutoffMs RETURN count(a) AS n",
  deleteOldEventsBatch: `MATCH (e:Event)
WHERE e.timeMs < $cutoffMs
WITH e LIMIT $batchSize
WITH collect(e) AS batch
CALL (batch) {
  UNWIND batch AS e
  OPTIONAL MATCH (e)-[l:CAUSES]-(:Event)
  RETURN count(DISTINCT l) AS links
}
FOREACH (e IN batch | DETACH DELETE e)
RETURN size(batch) AS events, links`,
  deleteOldIncidentsBatch: `MATCH (i:Incident)
WHERE i.endMs < $cutoffMs
WITH i LIMIT $batchSize
DELETE i
RETURN count(*) AS n`,
  clearDanglingIncidentRefsBatch: `MATCH (e:Event)
WHERE e.incidentId IS NOT NULL AND NOT EXISTS { MATCH (i:Incident {id: e.incidentId}) }
WITH e LIMIT $batchSize
REMOVE e.incidentId
RETURN count(*) AS n`,
  deleteOldAnomaliesBatch: `MATCH (a:Anomaly)
WHERE a.windowEndMs < $cutoffMs
WITH a LIMIT $batchSize
DELETE a
RETURN count(*) AS n`,
  // Keeps each resource's newest version, so the next state still has something to diff against.
  pruneVersionsBatch: `MATCH (v:ResourceVersion)
WHERE v.atMs < $cutoffMs
  AND EXISTS { MATCH (w:ResourceVersion {resourceId: v.resourceId}) WHERE w.atMs > v.atMs }
WITH v LIMIT $batchSize
DELETE v
RETURN count(*) AS n`,

  // Empties the graph in bounded batches (test and benchmark set-up; Community has one database).
  deleteAllBatch: `MATCH (n)
WITH n LIMIT $batchSize
DETACH DELETE n
RETURN count(*) AS n`,

  // ---------------------------------------------------------------- reads
  getEvent: "MATCH (e:Event {id: $id}) RETURN e {.*} AS e",
  getLatestEventOfBase: `MATCH (e:Event {baseId: $id})
WITH e ORDER BY e.timeMs DESC, e.count DESC LIMIT 1
RETURN e {.*} AS e`,
  getEvents: `UNWIND $ids AS id
MATCH (e:Event {id: id})
WITH DISTINCT e ORDER BY e.timeMs, e.id
RETURN e {.*} AS e`,
  getResource: "MATCH (r:Resource {id: $id}) RETURN r {.*} AS r",
  getResources: `UNWIND $ids AS id
MATCH (r:Resource {id: id})
WITH DISTINCT r
RETURN r {.*} AS r`,
  // Both directions of every edge of the frontier; the caller orders them as the embedded store does.
  neighbours: `UNWIND $ids AS id
MATCH (:Resource {id: id})-[e:TOPOLOGY]->(b:Resource)
RETURN id, b.id AS other, e.type AS type, true AS outgoing
UNION ALL
UNWIND $ids AS id
MATCH (:Resource {id: id})<-[e:TOPOLOGY]-(b:Resource)
RETURN id, b.id AS other, e.type AS type, false AS outgoing`,
  eventsOnResources: `UNWIND $ids AS id
MATCH (e:Event {resourceId: id})
WHERE e.timeMs >= $fromMs AND e.timeMs <= $toMs AND e.level >= $minLevel
WITH DISTINCT e ORDER BY e.timeMs, e.id
RETURN e {.*} AS e`,
  eventsByReason: `MATCH (e:Event {resourceId: $resourceId, reason: $reason})
WHERE e.timeMs >= $fromMs AND e.timeMs <= $toMs
WITH e ORDER BY e.timeMs, e.id
RETURN e {.*} AS e`,
  eventsInCluster: `MATCH (e:Event {cluster: $cluster})
WHERE e.timeMs >= $fromMs AND e.timeMs <= $toMs
WITH e ORDER BY e.timeMs DESC, e.id LIMIT $limit
RETURN e {.*} AS e`,
  edgesOf: `UNWIND $ids AS id
MATCH (:Resource {id: id})-[e:TOPOLOGY]-(:Resource)
WITH DISTINCT e
RETURN startNode(e).id AS fromId, endNode(e).id AS toId, e.type AS type, e.origin AS origin`,
  causeLinksTo: `MATCH (c:Event)-[l:CAUSES]->(f:Event {id: $id})
WITH c, f, l ORDER BY l.confidence DESC, c.id
RETURN c.id AS causeId, f.id AS effectId, l {.*} AS l`,
  causeLinksFrom: `MATCH (c:Event {id: $id})-[l:CAUSES]->(f:Event)
WITH c, f, l ORDER BY l.confidence DESC, f.id
RETURN c.id AS causeId, f.id AS effectId, l {.*} AS l`,
  getIncident: "MATCH (i:Incident {id: $id}) RETURN i {.*} AS i",
  incidentSummaries: "UNWIND $ids AS id MATCH (i:Incident {id: id}) RETURN i {.*} AS i",
  incidentEventIds: `MATCH (e:Event {incidentId: $id})
WITH e ORDER BY e.timeMs, e.id
RETURN e.id AS id`,
  incidentEvents: `MATCH (e:Event {incidentId: $id})
WITH e ORDER BY e.timeMs, e.id LIMIT $limit
RETURN e {.*} AS e`,
  countIncidents: `MATCH (i:Incident)
WHERE ($cluster IS NULL OR i.cluster = $cluster) AND ($namespace IS NULL OR $namespace IN i.namespaces)
  AND ($severity IS NULL OR i.severity >= $severity) AND ($sinceMs IS NULL OR i.endMs >= $sinceMs)
  AND ($untilMs IS NULL OR i.startMs <= $untilMs)
RETURN count(i) AS n`,
  listIncidents: `MATCH (i:Incident)
WHERE ($cluster IS NULL OR i.cluster = $cluster) AND ($namespace IS NULL OR $namespace IN i.namespaces)
  AND ($severity IS NULL OR i.severity >= $severity) AND ($sinceMs IS NULL OR i.endMs >= $sinceMs)
  AND ($untilMs IS NULL OR i.startMs <= $untilMs)
WITH i ORDER BY i.endMs DESC, i.id SKIP $offset LIMIT $limit
RETURN i {.*} AS i`,
  countEvents: `MATCH (e:Event)
WHERE ($cluster IS NULL OR e.cluster = $cluster) AND ($namespace IS NULL OR e.subjectNs = $namespace)
  AND ($resourceId IS NULL OR e.resourceId = $resourceId) AND ($reason IS NULL OR e.reason = $reason)
  AND ($etype IS NULL OR e.etype = $etype) AND ($minLevel IS NULL OR e.level >= $minLevel)
  AND ($sinceMs IS NULL OR e.timeMs >= $sinceMs) AND ($untilMs IS NULL OR e.timeMs <= $untilMs)
  AND ($incidentId IS NULL OR e.incidentId = $incidentId)
RETURN count(e) AS n`,
  listEvents: `MATCH (e:Event)
WHERE ($cluster IS NULL OR e.cluster = $cluster) AND ($namespace IS NULL OR e.subjectNs = $namespace)
  AND ($resourceId IS NULL OR e.resourceId = $resourceId) AND ($reason IS NULL OR e.reason = $reason)
  AND ($etype IS NULL OR e.etype = $etype) AND ($minLevel IS NULL OR e.level >= $minLevel)
  AND ($sinceMs IS NULL OR e.timeMs >= $sinceMs) AND ($untilMs IS NULL OR e.timeMs <= $untilMs)
  AND ($incidentId IS NULL OR e.incidentId = $incidentId)
WITH e ORDER BY e.timeMs DESC, e.id SKIP $offset LIMIT $limit
RETURN e {.*} AS e`,
  countAnomalies: `MATCH (a:Anomaly)
WHERE ($cluster IS NULL OR a.cluster = $cluster) AND ($type IS NULL OR a.type = $type)
  AND ($sinceMs IS NULL OR a.windowEndMs >= $sinceMs)
RETURN count(a) AS n`,
  listAnomalies: `MATCH (a:Anomaly)
WHERE ($cluster IS NULL OR a.cluster = $cluster) AND ($type IS NULL OR a.type = $type)
  AND ($sinceMs IS NULL OR a.windowEndMs >= $sinceMs)
WITH a ORDER BY a.windowEndMs DESC, a.id SKIP $offset LIMIT $limit
RETURN a {.*} AS a`,
  // Name match is a case-insensitive substring, as SQL LIKE is in the embedded store.
  countResources: `MATCH (r:Resource)
WHERE ($cluster IS NULL OR r.cluster = $cluster) AND ($kind IS NULL OR r.kind = $kind)
  AND ($namespace IS NULL OR r.namespace = $namespace)
  AND ($name IS NULL OR toLower(r.name) CONTAINS toLower($name))
RETURN count(r) AS n`,
  searchResources: `MATCH (r:Resource)
WHERE ($cluster IS NULL OR r.cluster = $cluster) AND ($kind IS NULL OR r.kind = $kind)
  AND ($namespace IS NULL OR r.namespace = $namespace)
  AND ($name IS NULL OR toLower(r.name) CONTAINS toLower($name))
WITH r ORDER BY r.id SKIP $offset LIMIT $limit
RETURN r {.*} AS r`,

  // ---------------------------------------------------------------- stats
  statsCounts: `CALL () { MATCH (r:Resource) RETURN count(r) AS resources }
CALL () { MATCH (e:Event) RETURN count(e) AS events, min(e.timeMs) AS oldest, max(e.timeMs) AS newest }
CALL () { MATCH (i:Incident) RETURN count(i) AS incidents }
CALL () { MATCH (:Event)-[l:CAUSES]->(:Event) RETURN count(l) AS causeLinks }
CALL () { MATCH (a:Anomaly) RETURN count(a) AS anomalies }
RETURN resources, events, oldest, newest, incidents, causeLinks, anomalies`,
  // Counts by label and relationship type only: Neo4j answers them from its count store.
  countObjects: `CALL () { MATCH (r:Resource) RETURN count(r) AS resources }
CALL () { MATCH (e:Event) RETURN count(e) AS events }
CALL () { MATCH (i:Incident) RETURN count(i) AS incidents }
CALL () { MATCH ()-[l:CAUSES]->() RETURN count(l) AS causeLinks }
CALL () { MATCH (a:Anomaly) RETURN count(a) AS anomalies }
RETURN resources, events, incidents, causeLinks, anomalies`,
  statsResourcesByKind: "MATCH (r:Resource) RETURN r.kind AS k, count(r) AS n",
  // An edge is (from, type, to); the same edge from two origins counts once.
  statsEdgesByType: `MATCH (a:Resource)-[e:TOPOLOGY]->(b:Resource)
WITH DISTINCT a.id AS fromId, e.type AS type, b.id AS toId
RETURN type AS k, count(*) AS n`,
  statsEventsByLevel: "MATCH (e:Event) RETURN e.level AS k, count(e) AS n",
  statsClusterResources: "MATCH (r:Resource) RETURN r.cluster AS k, count(r) AS n",
  statsClusterEvents: "MATCH (e:Event) RETURN e.cluster AS k, count(e) AS n",
  statsClusterIncidents: "MATCH (i:Incident) RETURN i.cluster AS k, count(i) AS n",
} as const;

export type StatementName = keyof typeof STATEMENTS;

/** Every statement the adapter can send, schema first; what `kgrca cypher --list` prints. */
export function listStatements(): Array<{ name: string; cypher: string }> {
  return [
    ...Object.entries(SCHEMA_STATEMENTS).map(([name, cypher]) => ({ name: `schema.${name}`, cypher })),
    ...Object.entries(STATEMENTS).map(([name, cypher]) => ({ name, cypher })),
  ];
}

/**
 * The graph's vocabulary: the only labels, relationship types and property keys the statements
 * use, and every parameter with an example value. The Cypher lint test checks statements against
 * it, so a typo in a label or property is caught before it silently matches nothing.
 */
export const GRAPH_SCHEMA = {
  labels: [
    "Resource",
    "Event",
    "Incident",
    "Anomaly",
    "UidAlias",
    "ResourceVersion",
    "SentEdge",
    "DependencyHint",
    "WriteLock",
  ],
  relationshipTypes: ["TOPOLOGY", "CAUSES"],
  propertyKeys: [
    // Resource
    "id",
    "cluster",
    "kind",
    "namespace",
    "name",
    "uid",
    "labels",
    "props",
    "atMs",
    "deleted",
    "podIP",
    "clusterIP",
    // UidAlias, ResourceVersion, SentEdge, DependencyHint
    "resourceId",
    "version",
    "key",
    "type",
    "fromId",
    "toId",
    "fromUid",
    "toUid",
    "hint",
    // Event
    "baseId",
    "etype",
    "severity",
    "level",
    "reason",
    "message",
    "timeMs",
    "count",
    "subjectKind",
    "subjectNs",
    "subjectName",
    "subjectUid",
    "extra",
    "incidentId",
    "ingestedMs",
    // TOPOLOGY, CAUSES
    "origin",
    "confidence",
    "temporal",
    "distance",
    "domain",
    "hops",
    "rule",
    "path",
    // Incident, Anomaly
    "startMs",
    "endMs",
    "eventCount",
    "resourceIds",
    "namespaces",
    "rootEventId",
    "windowStartMs",
    "windowEndMs",
    "score",
    "eventIds",
    "detail",
    // WriteLock
    "seq",
    // Keys of `$rows` maps that the linter cannot tell apart from node properties.
    "causeId",
    "effectId",
    "eventId",
  ],
  parameters: {
    rows: [] as unknown[],
    ids: ["c1:pod:ns:name"],
    keys: ["edge-key"],
    bases: ["chg:c1:pod:ns:name:0"],
    derivedOutTypes: ["RUNS_ON"],
    id: "id",
    uid: "9c1f0000-0000-4000-8000-00000000000a",
    resourceId: "c1:pod:ns:name",
    reason: "BackOff",
    cluster: "c1",
    namespace: "ns",
    kind: "Pod",
    name: "name",
    type: "error_spike",
    etype: "k8s.event",
    incidentId: "inc-1",
    severity: 2,
    minLevel: 1,
    fromMs: 0,
    toMs: 1,
    sinceMs: 0,
    untilMs: 1,
    cutoffMs: 0,
    batchSize: 1000,
    offset: 0,
    limit: 50,
  } as Record<string, unknown>,
} as const;
