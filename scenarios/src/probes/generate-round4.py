import json, random, uuid, datetime as dt, sys
OUT = sys.argv[1]
def mk(seed, cluster, base):
    R = random.Random(seed)
    msgs = []
    def uid(): return str(uuid.UUID(int=R.getrandbits(128), version=4))
    def ts(sec): return (base + dt.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    cnt = [0]
    def eid(p):
        cnt[0] += 1; return f"{p}-{R.randrange(36**6):06x}-{cnt[0]:04d}"
    def res(kind, name, ns, at, **kw):
        u = kw.pop("uid", None) or uid()
        v = {"op": "UPSERT", "at": ts(at), "kind": kind, "uid": u, "name": name}
        if ns: v["namespace"] = ns
        v.update(kw); v["cluster"] = cluster
        msgs.append({"topic": "state.k8s.resource", "key": f"{kind.lower()}:{u}", "value": v}); return u
    def edge(fr, to, typ, at):
        i = f"edge:{fr}->{to}"
        msgs.append({"topic": "state.k8s.topology", "key": i, "value": {"op": "UPSERT", "at": ts(at), "id": i, "from": fr, "to": to, "type": typ, "cluster": cluster}})
    def ev(kind, name, ns, at, reason, msg, sev="INFO", comp="kubelet", raw=False, puid=None):
        if raw:
            u = uid()
            msgs.append({"topic": "events.normalized", "key": u, "value": {"metadata": {"name": f"{name}.{R.randrange(16**16):016x}", "namespace": ns or "default", "uid": u, "creationTimestamp": ts(at)},
                "involvedObject": {"kind": kind, "name": name, **({"namespace": ns} if ns else {}), **({"uid": puid} if puid else {})},
                "reason": reason, "message": msg, "source": {"component": comp}, "type": "Warning" if sev != "INFO" else "Normal",
                "firstTimestamp": ts(at), "lastTimestamp": ts(at), "count": 1, "cluster": cluster}}); return u
        i = eid("ev")
        msgs.append({"topic": "events.normalized", "key": i, "value": {"event_id": i, "event_time": ts(at), "etype": "k8s.event", "severity": sev, "reason": reason, "message": msg,
            "subject": {"kind": kind, "name": name, **({"ns": ns} if ns else {})}, "source": {"component": comp}, "cluster": cluster}}); return i
    def log(pod, ns, at, msg, sev="ERROR", puid=None):
        i = eid("log")
        v = {"event_time": ts(at), "etype": "k8s.log", "severity": sev, "message": msg, "event_id": i}
        if puid and R.random() < 0.5: v.update({"kubernetes": {"pod_uid": puid, "pod_name": pod, "pod_namespace": ns}})
        else: v["subject"] = {"kind": "Pod", "ns": ns, "name": pod}
        v["cluster"] = cluster
        msgs.append({"topic": "logs.normalized", "key": puid or i, "value": v}); return i
    def alert(at, name, labels, msg, sev="WARNING", status="firing"):
        i = eid("alert")
        msgs.append({"topic": "alerts.enriched", "key": i, "value": {"event_id": i, "event_time": ts(at), "etype": "prom.alert", "severity": sev, "reason": name, "status": status,
            "labels": {"alertname": name, **labels}, "message": msg, "cluster": cluster}}); return i
    nodes = [f"ip-10-{R.randrange(1,9)}-{R.randrange(0,255)}-{R.randrange(2,250)}.ec2.internal" for _ in range(4)]
    for n in nodes:
        res("Node", n, None, -86400, labels={"kubernetes.io/hostname": n}, status={"conditions": {"Ready": "True"}})
    def workload(ns, app, n, at, image, node_i=0, mounts=(), svc=True):
        d = res("Deployment", app, ns, at - 3600, labels={"app": app}, image=image, replicas=n)
        rsn = f"{app}-{R.randrange(16**9):09x}"[:len(app)+11]
        rs = res("ReplicaSet", rsn, ns, at - 3600, labels={"app": app}, ownerRefs=[{"kind": "Deployment", "name": app, "uid": d}], replicas=n, image=image)
        edge(f"deployment:{ns}:{app}", f"replicaset:{ns}:{rsn}", "CONTROLS", at - 3600)
        pods = []
        for k in range(n):
            pn = f"{rsn}-{''.join(R.choice('bcdfghjklmnpqrstvwxz2456789') for _ in range(5))}"
            node = nodes[(node_i + k) % len(nodes)]
            pu = res("Pod", pn, ns, at, labels={"app": app}, ownerRefs=[{"kind": "ReplicaSet", "name": rsn}], node=node,
                     podIP=f"10.{R.randrange(40,250)}.{R.randrange(0,255)}.{R.randrange(2,250)}", image=image, status={"phase": "Running", "restartCount": 0})
            edge(f"replicaset:{ns}:{rsn}", f"pod:{pu}", "CONTROLS", at)
            edge(f"pod:{pu}", f"node:{node}", "RUNS_ON", at)
            for mk_, mn in mounts:
                edge(f"pod:{pu}", f"{mk_.lower()}:{ns}:{mn}", "MOUNTS", at)
            ev("Pod", pn, ns, at, "Scheduled", f"Successfully assigned {ns}/{pn} to {node}", comp="default-scheduler")
            ev("Pod", pn, ns, at + 3, "Started", f"Started container {app}", raw=R.random() < 0.5, puid=pu)
            pods.append((pn, pu))
        if svc:
            res("Service", app, ns, at - 3600, labels={"app": app}, serviceSelector={"app": app}, spec={"type": "ClusterIP", "ports": [{"port": 80, "targetPort": 8080}]})
        return pods
    def noise(t0):
        # unrelated crash loop with its own alert, DNSConfigForming / sandbox storms, rollout, watchdog, info logs
        cp = workload("tools", "report-mailer", 1, t0 - 1500, "ghcr.io/acme/report-mailer:2.1.0", node_i=1, svc=False)
        for k in range(6):
            ev("Pod", cp[0][0], "tools", t0 - 1400 + k * 160, "BackOff", "Back-off restarting failed container report-mailer", sev="WARNING")
            log(cp[0][0], "tools", t0 - 1405 + k * 160, "fatal: SMTP_HOST is not set", puid=cp[0][1])
        alert(t0 - 900, "KubePodCrashLooping", {"namespace": "tools", "pod": cp[0][0], "container": "report-mailer", "job": "kube-state-metrics"}, f"Pod tools/{cp[0][0]} is in waiting state (reason: CrashLoopBackOff).")
        other = workload("analytics", "event-sink", 3, t0 - 1200, "ghcr.io/acme/event-sink:7.4.2", node_i=2)
        for k in range(10):
            p = other[k % 3]
            ev("Pod", p[0], "analytics", t0 - 1100 + k * 90, "DNSConfigForming", "Nameserver limits were exceeded, some nameservers have been omitted", sev="WARNING")
            log(p[0], "analytics", t0 - 1000 + k * 80, f"flushed {R.randrange(200,900)} events to warehouse", sev="INFO", puid=p[1])
        for k in range(4):
            ev("Pod", other[0][0], "analytics", t0 - 700 + k * 50, "FailedCreatePodSandBox", "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox", sev="WARNING")
        ev("Deployment", "event-sink", "analytics", t0 - 1250, "ScalingReplicaSet", "Scaled up replica set event-sink to 3", comp="deployment-controller")
        res("Deployment", "event-sink", "analytics", t0 - 1250, labels={"app": "event-sink"}, image="ghcr.io/acme/event-sink:7.4.3", replicas=3)
        alert(t0 - 1800, "Watchdog", {"severity": "none"}, "This is an alert meant to ensure that the entire alerting pipeline is functional.", sev="INFO")
        alert(t0 - 600, "CPUThrottlingHigh", {"namespace": "analytics", "pod": other[1][0], "container": "event-sink"}, "31% throttling of CPU in namespace analytics", sev="INFO")
        alert(t0 - 2400, "KubeMemoryOvercommit", {"severity": "warning"}, "Cluster has overcommitted memory resource requests.", status="resolved")
        return cp, other
    return dict(R=R, msgs=msgs, ts=ts, res=res, edge=edge, ev=ev, log=log, alert=alert, workload=workload, noise=noise, uid=uid, nodes=nodes)

def shuffle_late(R, msgs):
    # ~12% delivered late (moved a few positions later), never before the resource they need is fine either way
    out = list(msgs)
    for i in range(len(out) - 1, 0, -1):
        if R.random() < 0.12:
            j = min(len(out) - 1, i + R.randrange(1, 6))
            out.insert(j, out.pop(i))
    return out

def write(name, fault, desc, g, symptom, truth):
    msgs = shuffle_late(g["R"], g["msgs"])
    for m in msgs:
        if isinstance(m["value"], dict) and m["value"].get("cluster") == "": del m["value"]["cluster"]
    s = {"name": name, "fault": fault, "description": desc, "messages": msgs, "symptom": {"event_id": symptom}, "truth": truth}
    json.dump(s, open(f"{OUT}/{name}.json", "w"), indent=1)

# 1. ConfigMap payload nested under spec, first seen without data; hot reload -> panics; callers 500; SLO alert on caller
g = mk(4101, "eu-central-prod", dt.datetime(2025, 3, 11, 14, 0, 0))
T = 0
g["res"]("ConfigMap", "throttle-rules", "edge-api", -7 * 86400, labels={"app": "ratelimiter"})
rl = g["workload"]("edge-api", "ratelimiter", 2, -5000, "ghcr.io/acme/ratelimiter:3.8.0", mounts=[("ConfigMap", "throttle-rules")])
g["edge"]("deployment:edge-api:ratelimiter", "configmap:edge-api:throttle-rules", "MOUNTS", -5000)
gw = g["workload"]("edge-api", "public-gateway", 3, -5000, "ghcr.io/acme/public-gateway:1.19.4", node_i=1)
for p in gw: g["edge"](f"pod:{p[1]}", "service:edge-api:ratelimiter", "DEPENDS_ON", -5000)
cp, other = g["noise"](T)
g["res"]("ConfigMap", "throttle-rules", "edge-api", T - 420, labels={"app": "ratelimiter"},
         spec={"data": {"rules.toml": "[tenant.default]\nburst = \"2k\"\nrate_per_sec = 400\n"}}, annotations={"kubectl.kubernetes.io/last-applied-configuration": "{}"})
for k, p in enumerate(rl):
    g["log"](p[0], "edge-api", T - 400 + k * 4, "watcher: /config/rules.toml changed, reloading rules", sev="INFO", puid=p[1])
    for j in range(3):
        g["log"](p[0], "edge-api", T - 380 + k * 7 + j * 60, "panic: interface conversion: interface {} is string, not int64 [recovered] in handler /v1/check", sev="ERROR", puid=p[1])
sym = None
for j in range(8):
    p = gw[j % 3]
    i = g["log"](p[0], "edge-api", T - 330 + j * 35, f"upstream ratelimiter check failed: status=500 tenant=t-{1000 + j} path=/v1/orders", sev="ERROR", puid=p[1])
sym = g["alert"](T, "PublicGatewayErrorRatioHigh", {"service": "public-gateway", "namespace": "edge-api", "severity": "critical"}, "public-gateway 5xx ratio above 5% for 5m", sev="CRITICAL")
write("bad-config-rollout-07-configmap-spec-data-hot-reload-type-panic", "bad-config-rollout",
      "A ConfigMap edit (its payload reported under spec.data; the object was first seen without data) sets a rate-limit burst to the string \"2k\"; ratelimiter hot-reloads and panics on every check without restarting, public-gateway logs 500s from it and its error-ratio alert fires.",
      g, sym, {"root_causes": [{"kind": "ConfigMap", "namespace": "edge-api", "name": "throttle-rules"}], "blast_radius": [{"kind": "Service", "namespace": "edge-api", "name": "public-gateway"}]})

# 2. Job deadline exceeded, slow work with warnings; KubeJobFailed; unrelated job with backoff limit
g = mk(4202, "", dt.datetime(2024, 10, 3, 1, 0, 0))
T = 0
ns = "ledger"
cj = g["res"]("CronJob", "ledger-compaction", ns, -30 * 86400, spec={"schedule": "0 0 * * *", "jobTemplate": {"spec": {"activeDeadlineSeconds": 3300}}})
job = "ledger-compaction-28797120"
ju = g["res"]("Job", job, ns, -3500, ownerRefs=[{"kind": "CronJob", "name": "ledger-compaction", "uid": cj}])
g["edge"](f"cronjob:{ns}:ledger-compaction", f"job:{ns}:{job}", "CONTROLS", -3500)
pn = f"{job}-q7tzm"
pu = g["res"]("Pod", pn, ns, -3498, ownerRefs=[{"kind": "Job", "name": job, "uid": ju}], node=g["nodes"][3], status={"phase": "Running"})
g["edge"](f"job:{ns}:{job}", f"pod:{pu}", "CONTROLS", -3498)
g["edge"](f"pod:{pu}", f"node:{g['nodes'][3]}", "RUNS_ON", -3498)
g["ev"]("CronJob", "ledger-compaction", ns, -3500, "SuccessfulCreate", f"Created job {job}", comp="cronjob-controller")
g["ev"]("Job", job, ns, -3499, "SuccessfulCreate", f"Created pod: {pn}", comp="job-controller")
g["ev"]("Pod", pn, ns, -3490, "Started", "Started container compactor", raw=True, puid=pu)
for k in range(8):
    g["log"](pn, ns, -3300 + k * 400, f"compaction of partition p{k+3} failed (attempt {k+1}): worker stalled, retrying in 30s", sev="WARN", puid=pu)
cp, other = g["noise"](T)
# unrelated job failing by back-off limit in another namespace
g["ev"]("Job", "thumbs-rebuild-28797100", "media", -900, "BackoffLimitExceeded", "Job has reached the specified backoff limit", sev="WARNING", comp="job-controller")
g["res"]("Job", "thumbs-rebuild-28797100", "media", -2000)
g["ev"]("Job", job, ns, -200, "DeadlineExceeded", "Job was active longer than specified deadline", sev="WARNING", comp="job-controller", raw=True, puid=ju)
g["ev"]("Pod", pn, ns, -199, "Killing", "Stopping container compactor")
g["ev"]("CronJob", "ledger-compaction", ns, -198, "SawCompletedJob", f"Saw completed job: {job}, status: Failed", comp="cronjob-controller")
sym = g["alert"](T, "KubeJobFailed", {"namespace": ns, "job_name": job, "job": "kube-state-metrics", "severity": "warning"}, f"Job {ns}/{job} failed to complete.")
g["alert"](T + 30, "LedgerCompactionStale", {"namespace": ns, "service": "ledger-compaction"}, "Last successful compaction older than 25h")
write("job-failure-07-compaction-lock-waits-active-deadline", "job-failure",
      "The nightly ledger-compaction Job keeps waiting on table locks (warnings, retries) until it outruns activeDeadlineSeconds; the Job fails with DeadlineExceeded and KubeJobFailed fires. An unrelated Job elsewhere hits its back-off limit.",
      g, sym, {"root_causes": [{"kind": "Job", "namespace": ns, "name": job, "reason": "DeadlineExceeded"}]})

# 3. HPA pinned at max (ScalingLimited condition in a status-only update), overloaded pods flap readiness, caller times out
g = mk(4303, "us-west-live", dt.datetime(2025, 1, 20, 17, 30, 0))
T = 0
ns = "routing"
h = g["res"]("HorizontalPodAutoscaler", "tile-router", ns, -4 * 86400, spec={"minReplicas": 3, "maxReplicas": 8, "scaleTargetRef": {"kind": "Deployment", "name": "tile-router"}}, status={"currentReplicas": 4, "desiredReplicas": 4})
tr = g["workload"](ns, "tile-router", 4, -4000, "ghcr.io/acme/tile-router:2.3.1")
g["edge"](f"horizontalpodautoscaler:{ns}:tile-router", f"deployment:{ns}:tile-router", "SCALES", -4000)
cl = g["workload"]("mobile", "trip-api", 2, -4000, "ghcr.io/acme/trip-api:9.0.2", node_i=2)
for p in cl: g["edge"](f"pod:{p[1]}", f"service:{ns}:tile-router", "DEPENDS_ON", -4000)
cp, other = g["noise"](T)
g["ev"]("HorizontalPodAutoscaler", "tile-router", ns, -1500, "SuccessfulRescale", "New size: 8; reason: cpu resource utilization (percentage of request) above target", comp="horizontal-pod-autoscaler")
g["res"]("HorizontalPodAutoscaler", "tile-router", ns, -600, uid=h, status={"currentReplicas": 8, "desiredReplicas": 8, "conditions": [
    {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
    {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas", "message": "the desired replica count is more than the maximum replica count"}]})
for k, p in enumerate(tr):
    for j in range(2):
        g["ev"]("Pod", p[0], ns, -500 + k * 20 + j * 120, "Unhealthy", "Readiness probe failed: Get \"http://10.1.2.3:8080/ready\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", sev="WARNING")
sym = None
for j in range(8):
    p = cl[j % 2]
    i = g["log"](p[0], "mobile", -300 + j * 40, f"GET http://tile-router.routing/v2/route?id={7000+j}: context deadline exceeded (timeout 2s)", sev="ERROR", puid=p[1])
    sym = i
g["alert"](T + 400, "KubeHpaMaxedOut", {"namespace": ns, "horizontalpodautoscaler": "tile-router", "job": "kube-state-metrics"}, f"HPA {ns}/tile-router has been running at max replicas for longer than 15 minutes.")
write("hpa-maxed-04-scaling-limited-status-update-callers-timeout", "hpa-maxed",
      "Traffic outgrows tile-router: its HPA reaches maxReplicas=8 and a status-only update reports ScalingLimited (TooManyReplicas); overloaded pods fail readiness and trip-api's calls time out. KubeHpaMaxedOut fires only later.",
      g, sym, {"root_causes": [{"kind": "HorizontalPodAutoscaler", "namespace": ns, "name": "tile-router"}]})
