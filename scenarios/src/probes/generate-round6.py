# Round-6 scenarios: a backing store seen only through its callers, who name it by technology
# (a bare engine word, its standard port) and dial an address that is in no state.
# Usage: python3 scenarios/src/probes/generate-round6.py scenarios
# Reuses the helpers of generate-round4.py (everything before its first scenario).
import sys, datetime as dt
src = open(__file__.replace("generate-round6.py", "generate-round4.py")).read()
exec(src[: src.index("# 1. ")])

# oomkill-08: the catalogue's MySQL is OOM-killed; callers dial a stale address and say only "mysql".
g = mk(6101, "sa-east-prod", dt.datetime(2025, 8, 14, 3, 20, 0))
T = 0
ns = "quoting"
db = "tariff-mysql"
g["res"]("StatefulSet", db, ns, -30 * 86400, labels={"app": db}, image="docker.io/bitnami/mysql:8.0.36", replicas=1,
         spec={"template": {"spec": {"containers": [{"name": "mysql", "resources": {"limits": {"memory": "2Gi"}}}]}}})
dbu = g["res"]("Pod", f"{db}-0", ns, -30 * 86400, labels={"app": db}, ownerRefs=[{"kind": "StatefulSet", "name": db}], node=g["nodes"][2],
               podIP="10.61.4.19", status={"phase": "Running", "restartCount": 0})
g["edge"](f"statefulset:{ns}:{db}", f"pod:{dbu}", "CONTROLS", -30 * 86400)
g["edge"](f"pod:{dbu}", f"node:{g['nodes'][2]}", "RUNS_ON", -30 * 86400)
g["res"]("Service", db, ns, -30 * 86400, labels={"app": db}, serviceSelector={"app": db},
         spec={"type": "ClusterIP", "clusterIP": "10.100.77.40", "ports": [{"port": 3306, "targetPort": 3306}]})
web = g["workload"](ns, "quote-web", 2, -7000, "ghcr.io/acme/quote-web:6.3.1", node_i=0)
rater = g["workload"](ns, "rate-engine", 3, -7000, "ghcr.io/acme/rate-engine:2.8.0", node_i=1)
cp, other = g["noise"](T)
for j in range(4):
    g["log"](f"{db}-0", ns, -600 + j * 100, f"[Warning] [MY-010055] [Server] IP address '10.61.{j}.7' could not be resolved", sev="WARN", puid=dbu)
g["log"](f"{db}-0", ns, -240, "[Warning] [MY-013711] [Server] Manifest file '/opt/bitnami/mysql/bin/mysqld.my' is not read-only", sev="WARN", puid=dbu)
g["ev"]("Pod", f"{db}-0", ns, -150, "OOMKilled", "Container mysql in pod tariff-mysql-0 was OOMKilled", sev="ERROR", puid=dbu)
g["res"]("Pod", f"{db}-0", ns, -148, labels={"app": db}, ownerRefs=[{"kind": "StatefulSet", "name": db}], node=g["nodes"][2], podIP="10.61.4.19",
         status={"phase": "Running", "restartCount": 1, "containerReady": False, "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}})
for j in range(4):
    g["ev"]("Pod", f"{db}-0", ns, -120 + j * 25, "Unhealthy", "Readiness probe failed: mysqladmin: connect to server at 'localhost' failed", sev="WARNING", puid=dbu)
# Callers: the rate engines dial an address no state has (a stale endpoint), the web tier names the engine only.
for j in range(9):
    p = rater[j % 3]
    g["log"](p[0], ns, -140 + j * 14, "Error 2003 (HY000): Can't connect to MySQL server on '10.61.9.251:3306' (111)", puid=p[1])
for j in range(6):
    p = web[j % 2]
    g["log"](p[0], ns, -110 + j * 15, f"POST /v2/quote 500 in {310 + j * 11}ms: tariff lookup: [mysql] invalid connection", puid=p[1])
sym = g["alert"](T, "QuoteWebHigh5xx", {"namespace": ns, "service": "quote-web", "severity": "critical"},
                 "quote-web 5xx ratio above 5% for 2 minutes")
write("oomkill-08-mysql-oom-callers-name-engine-stale-ip", "oomkill",
      "tariff-mysql-0 is OOM-killed and restarts; rate-engine dials a stale address on 3306 and quote-web logs '[mysql] invalid connection' 500s; nothing names the Service or its address. The 5xx alert fires on quote-web.",
      g, sym, {"root_causes": [{"kind": "Pod", "namespace": ns, "name": f"{db}-0", "reason": "OOMKilled"}],
               "blast_radius": [{"kind": "Service", "namespace": ns, "name": db}]})

# database-down-04: a store whose name says nothing of its engine (port 5432 does) crash-loops; callers
# log only the port and the driver's words.
g = mk(6202, "us-west-edge", dt.datetime(2025, 10, 2, 17, 5, 0))
T = 0
ns = "fleet"
db = "telemetry-store"
g["res"]("StatefulSet", db, ns, -40 * 86400, labels={"app": db}, image="docker.io/timescale/timescaledb:2.14.2-pg16", replicas=1)
dbu = g["res"]("Pod", f"{db}-0", ns, -40 * 86400, labels={"app": db}, ownerRefs=[{"kind": "StatefulSet", "name": db}], node=g["nodes"][1],
               podIP="10.52.8.33", status={"phase": "Running", "restartCount": 0})
g["edge"](f"statefulset:{ns}:{db}", f"pod:{dbu}", "CONTROLS", -40 * 86400)
g["edge"](f"pod:{dbu}", f"node:{g['nodes'][1]}", "RUNS_ON", -40 * 86400)
g["res"]("Service", db, ns, -40 * 86400, labels={"app": db}, serviceSelector={"app": db},
         spec={"type": "ClusterIP", "clusterIP": "10.100.3.88", "ports": [{"name": "sql", "port": 5432, "targetPort": 5432}]})
api = g["workload"](ns, "vehicle-api", 2, -8000, "ghcr.io/acme/vehicle-api:11.0.2", node_i=2)
ingest = g["workload"](ns, "gps-ingest", 2, -8000, "ghcr.io/acme/gps-ingest:3.3.0", node_i=0)
cp, other = g["noise"](T)
g["log"](f"{db}-0", ns, -400, "LOG:  checkpoint starting: time", sev="INFO", puid=dbu)
g["log"](f"{db}-0", ns, -260, "PANIC:  could not locate a valid checkpoint record", sev="FATAL", puid=dbu)
g["ev"]("Pod", f"{db}-0", ns, -250, "BackOff", "Back-off restarting failed container timescaledb", sev="WARNING", puid=dbu)
g["res"]("Pod", f"{db}-0", ns, -248, labels={"app": db}, ownerRefs=[{"kind": "StatefulSet", "name": db}], node=g["nodes"][1], podIP="10.52.8.33",
         status={"phase": "Running", "restartCount": 4, "containerReady": False, "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}})
for j in range(8):
    p = ingest[j % 2]
    g["log"](p[0], ns, -220 + j * 20, "failed to flush batch: dial tcp 10.52.0.14:5432: connect: connection refused", puid=p[1])
for j in range(6):
    p = api[j % 2]
    g["log"](p[0], ns, -180 + j * 22, "GET /v1/vehicles/positions 503: failed to connect to `host=10.52.0.14 user=fleet database=fleet`: dial error (port 5432)", puid=p[1])
sym = g["alert"](T, "VehicleApiUnavailable", {"namespace": ns, "service": "vehicle-api", "severity": "critical"},
                 "vehicle-api availability below 95% (503s)")
write("database-down-04-store-named-by-port-callers-stale-ip", "database-down",
      "telemetry-store-0 (a TimescaleDB whose name does not say postgres) PANICs on a missing checkpoint and crash-loops; gps-ingest and vehicle-api dial a stale address on port 5432 and say nothing else about the store. The availability alert fires on vehicle-api.",
      g, sym, {"root_causes": [{"kind": "Pod", "namespace": ns, "name": f"{db}-0"}],
               "blast_radius": [{"kind": "Service", "namespace": ns, "name": db}]})
