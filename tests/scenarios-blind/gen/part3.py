from lib import Scn
from noise import noise, nodes_for
from part1 import backoff_msg


def bl17():
    s = Scn("bl17-node-memorypressure-evictions", "bl17-node-memorypressure-evictions", "node-memory-pressure",
            "an etl-runner pod without memory requests balloons to ~6Gi on a worker; the node reports MemoryPressure and kubelet evicts pods there, including two checkout replicas; checkout capacity halves and the storefront logs timeouts",
            "2022-02-17T02:10:00Z", "onprem-dc1", 117)
    nodes = nodes_for(s, "kubeadm", 4)
    bad = nodes[1]
    nz = noise(s, 0, 2200, nodes, exclude=("evicted", "oom"))
    co = s.app(-100000, "shop", "checkout", [bad, bad, nodes[2], nodes[3]], replicas=4)
    fe = s.app(-100000, "web", "storefront", [nodes[0], nodes[2]], replicas=2)
    etl = "etl-runner-%s-%s" % (s.hsh(9), s.hsh(5))
    s.pod(-1800, "data", etl, bad, ("ReplicaSet", etl.rsplit("-", 1)[0]), {"app": "etl-runner"}, "registry.internal/data/etl-runner:0.14.0",
          spec={"containers": [{"name": "etl", "image": "registry.internal/data/etl-runner:0.14.0", "resources": {}}]})
    s.lifecycle(-1800, "data", etl, bad, "etl", "registry.internal/data/etl-runner:0.14.0", ("ReplicaSet", etl.rsplit("-", 1)[0]))
    s.log(-900, "data", etl, "INFO  loading partition 2022-02-16 into memory (rows=48211903)", sev="INFO")
    s.alert(60, "NodeMemoryHighUtilization", "Host is running out of memory.", {"instance": bad, "node": bad}, ("Node", None, bad),
            desc="Memory is filling up at %s, has been above 90%% for the last 15 minutes, is currently at 96.4%%." % bad)
    s.node(200, bad, pressure="MemoryPressure", taints=[{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}])
    s.ev(200, "NodeHasInsufficientMemory", "Node %s status is now: NodeHasInsufficientMemory" % bad, "Node", None, bad, host=bad, form="norm", sev="WARNING")
    s.evrep(205, [0, 40, 95], "EvictionThresholdMet", "Attempting to reclaim memory", "Node", None, bad, host=bad)
    victims = [p for p in co["pods"] if p["node"] == bad]
    for i, p in enumerate(victims):
        s.ev(210 + i * 12, "Evicted", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 81232Ki. Container checkout was using 402Mi, which exceeds its request of 256Mi. ",
             "Pod", "shop", p["name"], host=bad, form="norm" if i == 0 else "raw")
        s.ev(211 + i * 12, "Killing", "Stopping container checkout", "Pod", "shop", p["name"], host=bad)
        s.pod(212 + i * 12, "shop", p["name"], bad, ("ReplicaSet", co["rs"]), co["labels"], co["image"], phase="Failed", ready=False, status={"reason": "Evicted"})
        nn = "%s-%s" % (co["rs"], s.hsh(5))
        s.pod(214 + i * 12, "shop", nn, None, ("ReplicaSet", co["rs"]), co["labels"], co["image"], phase="Pending", ready=False)
        s.ev(214 + i * 12, "SuccessfulCreate", "Created pod: %s" % nn, "ReplicaSet", "shop", co["rs"], comp="replicaset-controller")
        s.evrep(215 + i * 12, [0, 30, 120], "FailedScheduling", "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
                "Pod", "shop", nn, comp="default-scheduler")
    s.ev(260, "Evicted", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 96120Ki. Container etl was using 6233412Ki, which exceeds its request of 0. ",
         "Pod", "data", etl, host=bad, form="norm")
    s.ev(262, "SystemOOM", "System OOM encountered, victim process: etl, pid: 1283311", "Node", None, bad, host=bad)
    s.alert(700, "KubeletEvictingPods", "Kubelet is evicting pods.", {"node": bad}, ("Node", None, bad), desc="Kubelet on %s is evicting pods due to MemoryPressure." % bad)
    sym = None
    for k, tt in enumerate([225, 240, 270, 330, 420, 600]):
        e = s.log(tt, "web", fe["pods"][k % 2]["name"], 'level=error msg="checkout call failed" err="context deadline exceeded (Client.Timeout exceeded while awaiting headers)" upstream=checkout.shop.svc:80 elapsed=5.001s',
                  form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Node", "namespace": "", "name": bad}, {"kind": "Pod", "namespace": "data", "name": etl}]}
    return s


def bl18():
    s = Scn("bl18-service-selector-no-endpoints", "bl18-service-selector-no-endpoints", "service-no-endpoints",
            "a Helm chart refactor changes the cart Service selector to {app: cart, tier: backend}; the running pods have no tier label, so the Service has no endpoints; ingress-nginx reports no active endpoint and the web frontend gets 503 on /cart",
            "2023-04-18T10:20:00Z", "gke-prod", 118)
    nodes = nodes_for(s, "gke", 4)
    nz = noise(s, 0, 2000, nodes)
    cart = s.app(-300000, "shop", "cart", nodes[:3], replicas=3)
    web = s.app(-300000, "shop", "web", nodes, replicas=3)
    s.res(300, "Service", "cart", "shop", labels={"app": "cart", "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "cart-2.0.0"},
          serviceSelector={"app": "cart", "tier": "backend"},
          spec={"selector": {"app": "cart", "tier": "backend"}, "ports": [{"port": 80, "targetPort": 8080}], "type": "ClusterIP"})
    for p in cart["pods"]:
        s.unedge(301, "Service", "cart", "shop", "Pod", p["name"], "shop", "SELECTS")
    s.res(302, "Endpoints", "cart", "shop", labels={"app": "cart"}, spec={"subsets": []})
    s.ev(301, "UPDATE", "Ingress shop/shop-web", "Ingress", "shop", "shop-web", comp="nginx-ingress-controller")
    s.log(310, "ingress-nginx", nz["ing"]["pods"][0]["name"], 'I0418 10:25:10.992011       7 controller.go:190] "Configuration changes detected, backend reload required"', sev="INFO")
    for k, tt in enumerate([312, 330, 420, 600]):
        s.log(tt, "ingress-nginx", nz["ing"]["pods"][k % 2]["name"], 'W0418 10:%02d:%02d.%06d       7 controller.go:1207] Service "shop/cart" does not have any active Endpoint.' % (25 + k, 12 + k, s.rng.randint(0, 999999)), sev="WARNING")
    sym = None
    for k, tt in enumerate([315, 340, 360, 400, 520, 800]):
        e = s.log(tt, "shop", web["pods"][k % 3]["name"], '{"level":"error","ts":%d.%03d,"caller":"cart/client.go:61","msg":"GET /api/cart failed","status":503,"body":"<html><head><title>503 Service Temporarily Unavailable</title></head>"}' % (1681813200 + tt, k),
                  form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    s.alert(900, "WebCartErrorsHigh", "cart errors above 20%", {"namespace": "shop", "service": "web", "_sev": "critical"}, ("Service", "shop", "web"), sev="ERROR",
            desc="98.7% of /cart requests failed over the last 5m.")
    for tt in (500, 900):
        s.log(tt, "shop", cart["pods"][0]["name"], 'level=info msg="request completed" method=GET path=/healthz status=200 duration=0.4ms', sev="INFO")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Service", "namespace": "shop", "name": "cart"}]}
    return s


def bl19():
    s = Scn("bl19-networkpolicy-default-deny-egress", "bl19-networkpolicy-default-deny-egress", "network-policy",
            "the platform team's policy rollout adds a default-deny-egress NetworkPolicy to namespace orders that only allows DNS; orders-api can no longer reach postgres in namespace data (i/o timeout), readiness fails and checkout errors",
            "2024-03-05T09:00:00Z", "prod-eu-1", 119)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2000, nodes)
    oa = s.app(-300000, "orders", "orders-api", nodes[:3], replicas=3,
               containers=[{"name": "orders-api", "image": "registry.internal/orders/orders-api:7.2.1",
                            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}])
    pg = s.app(-900000, "data", "orders-pg", [nodes[3]], replicas=1, kind="StatefulSet", port=5432, image="postgres:14.10")
    co = s.app(-300000, "shop", "checkout", nodes, replicas=2)
    s.res(200, "NetworkPolicy", "default-deny-egress", "orders", labels={"app.kubernetes.io/managed-by": "argocd", "policy.acme.io/tier": "baseline"},
          spec={"podSelector": {}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]})
    for p in oa["pods"]:
        s.edge(200, "NetworkPolicy", "default-deny-egress", "orders", "Pod", p["name"], "orders", "APPLIES_TO")
    s.log(190, "argocd", "argocd-application-controller-0", 'time="2024-03-05T09:03:10Z" level=info msg="Applying resource NetworkPolicy/default-deny-egress in cluster: https://kubernetes.default.svc, namespace: orders"', sev="INFO")
    for i, p in enumerate(oa["pods"]):
        b = 260 + i * 9
        s.log(b, "orders", p["name"], 'ERROR 1 --- [nio-8080-exec-%d] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Exception during pool initialization: org.postgresql.util.PSQLException: The connection attempt failed. Caused by: java.net.SocketTimeoutException: connect timed out (orders-pg.data.svc.cluster.local/10.0.7.41:5432)' % (i + 1))
        s.evrep(b + 5, [0, 10, 20, 30, 200, 400], "Unhealthy", 'Readiness probe failed: HTTP probe failed with statuscode: 503', "Pod", "orders", p["name"], host=p["node"])
        s.pod(b + 40, "orders", p["name"], p["node"], ("ReplicaSet", oa["rs"]), oa["labels"], oa["image"], ready=False)
    s.alert(900, "KubeDeploymentReplicasMismatch", "Deployment has not matched the expected number of replicas.", {"namespace": "orders", "deployment": "orders-api"},
            ("Deployment", "orders", "orders-api"), desc="Deployment orders/orders-api has not matched the expected number of replicas for longer than 15 minutes.")
    sym = None
    for k, tt in enumerate([300, 320, 350, 420, 600, 850]):
        e = s.log(tt, "shop", co["pods"][k % 2]["name"], 'level=error msg="create order failed" status=503 upstream=orders-api.orders.svc:80 body="no healthy upstream"',
                  form="subj" if k == 3 else None, pin=k == 3)
        if k == 3:
            sym = e
    s.log(400, "data", pg["pods"][0]["name"], '2024-03-05 09:06:40.002 UTC [1] LOG:  checkpoint complete: wrote 112 buffers (0.7%); 0 WAL file(s) added, 0 removed, 1 recycled', sev="INFO")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "NetworkPolicy", "namespace": "orders", "name": "default-deny-egress"}]}
    return s


def bl20():
    s = Scn("bl20-cronjob-backup-version-mismatch", "bl20-cronjob-backup-version-mismatch", "job-failure",
            "the nightly db-backup CronJob still ships pg_dump 13 after the database was upgraded to Postgres 15; each job pod exits with 'server version mismatch', the Job hits its backoff limit and KubeJobFailed fires. Another cluster runs the same CronJob fine",
            "2023-11-21T01:00:00Z", "prod-eu-1", 120)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2000, nodes, exclude=("cronjob",))
    s.node(-90000, "ip-10-9-4-17.us-east-1.compute.internal", cluster="prod-us-1")
    pg = s.app(-600000, "data", "main-pg", [nodes[3]], replicas=1, kind="StatefulSet", port=5432, image="postgres:15.5")
    s.log(-500000, "data", "main-pg-0", "2023-11-15 22:10:01.212 UTC [1] LOG:  starting PostgreSQL 15.5 (Debian 15.5-1.pgdg120+1) on x86_64-pc-linux-gnu", sev="INFO")
    img = "registry.internal/ops/pg-backup:13-2023.06"
    for cl in ("prod-eu-1", "prod-us-1"):
        s.res(-2000000, "CronJob", "db-backup", "data", cl, image=img, spec={"schedule": "0 1 * * *", "concurrencyPolicy": "Forbid",
                                                                             "jobTemplate": {"spec": {"backoffLimit": 2}}})
    job = "db-backup-28343580"
    s.res(0, "Job", job, "data", ownerRefs=[{"kind": "CronJob", "name": "db-backup"}], image=img, status={"failed": 3})
    s.edge(0, "CronJob", "db-backup", "data", "Job", job, "data", "CONTROLS")
    s.ev(0, "SuccessfulCreate", "Created job %s" % job, "CronJob", "data", "db-backup", comp="cronjob-controller")
    roots = []
    for i in range(3):
        b = 2 + i * 40 * (i + 1)
        jp = "%s-%s" % (job, s.hsh(5))
        nd = nodes[i % 3]
        s.pod(b, "data", jp, nd, ("Job", job), {"job-name": job, "controller-uid": s.uid("Job", "data", job)}, img, phase="Failed", ready=False,
              status={"reason": "Error", "exitCode": 1})
        s.ev(b, "SuccessfulCreate", "Created pod: %s" % jp, "Job", "data", job, comp="job-controller")
        s.lifecycle(b + 1, "data", jp, nd, "pg-backup", img)
        s.log(b + 8, "data", jp, "pg_dump: error: server version: 15.5 (Debian 15.5-1.pgdg120+1); pg_dump version: 13.11 (Debian 13.11-1.pgdg110+1)", sev="ERROR")
        s.log(b + 8, "data", jp, "pg_dump: error: aborting because of server version mismatch", sev="ERROR")
        s.ev(b + 9, "Error", "Container pg-backup terminated with Error (exit code 1)", "Pod", "data", jp, comp="state-watcher", form="norm", sev="FATAL")
        roots.append(jp)
    s.ev(300, "BackoffLimitExceeded", "Job has reached the specified backoff limit", "Job", "data", job, comp="job-controller", form="norm", sev="WARNING")
    s.ev(310, "SawCompletedJob", "Saw completed job: %s, status: Failed" % job, "CronJob", "data", "db-backup", comp="cronjob-controller")
    sym = s.alert(1200, "KubeJobFailed", "Job failed to complete.", {"namespace": "data", "job_name": job}, ("Job", "data", job),
                  desc="Job data/%s failed to complete. Removing failed job after investigation should clear this alert." % job, pin=True)
    s.alert(1500, "PostgresBackupTooOld", "Last successful backup older than 26h", {"namespace": "data", "cronjob": "db-backup", "_sev": "critical"}, ("CronJob", "data", "db-backup"),
            sev="ERROR", desc="No successful base backup of main-pg for 26h12m.")
    # the other cluster: same CronJob, still on Postgres 13, succeeds
    job2 = "db-backup-28343580"
    jp2 = "%s-%s" % (job2, s.hsh(5))
    s.res(0, "Job", job2, "data", "prod-us-1", ownerRefs=[{"kind": "CronJob", "name": "db-backup"}], image=img, status={"succeeded": 1})
    s.pod(2, "data", jp2, "ip-10-9-4-17.us-east-1.compute.internal", ("Job", job2), {"job-name": job2}, img, cluster="prod-us-1", phase="Succeeded", ready=False)
    s.ev(2, "SuccessfulCreate", "Created pod: %s" % jp2, "Job", "data", job2, comp="job-controller", cluster="prod-us-1")
    s.log(200, "data", jp2, "backup uploaded to s3://acme-pg-backups/us/main/2023-11-21T01:00:03Z.dump (41.2 GiB)", sev="INFO", cluster="prod-us-1")
    s.ev(600, "Completed", "Job completed", "Job", "data", job2, comp="job-controller", cluster="prod-us-1")
    s.ev(610, "SawCompletedJob", "Saw completed job: %s, status: Complete" % job2, "CronJob", "data", "db-backup", comp="cronjob-controller", cluster="prod-us-1")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "data", "name": n} for n in roots] +
               [{"kind": "CronJob", "namespace": "data", "name": "db-backup"}]}
    return s


def bl21():
    s = Scn("bl21-resourcequota-exceeded-scaleup", "bl21-resourcequota-exceeded-scaleup", "quota-exceeded",
            "a new image-resizer deployment uses most of namespace web's limits.memory quota; when the storefront HPA scales up for the lunch peak, the ReplicaSet cannot create pods (exceeded quota: compute-quota) and storefront latency alerts fire",
            "2022-06-08T11:30:00Z", "aks-prod-weu", 121)
    nodes = nodes_for(s, "aks", 4)
    nz = noise(s, 0, 2000, nodes)
    s.res(-900000, "ResourceQuota", "compute-quota", "web", spec={"hard": {"limits.memory": "16Gi", "requests.cpu": "12", "pods": "40"}},
          status={"used": {"limits.memory": "6Gi"}})
    sf = s.app(-300000, "web", "storefront", nodes, replicas=3,
               containers=[{"name": "storefront", "image": "registry.internal/web/storefront:9.4.0", "resources": {"limits": {"memory": "2Gi", "cpu": "1"}, "requests": {"cpu": "500m", "memory": "1Gi"}}}])
    s.res(-300000, "HorizontalPodAutoscaler", "storefront", "web", spec={"scaleTargetRef": {"kind": "Deployment", "name": "storefront"}, "minReplicas": 3, "maxReplicas": 12})
    s.edge(-300000, "HorizontalPodAutoscaler", "storefront", "web", "Deployment", "storefront", "web", "SCALES")
    ir = s.app(-5400, "web", "image-resizer", nodes[1:], replicas=2, lifecycle=True,
               containers=[{"name": "image-resizer", "image": "registry.internal/web/image-resizer:1.0.0", "resources": {"limits": {"memory": "2560Mi", "cpu": "2"}}}])
    s.res(-5300, "ResourceQuota", "compute-quota", "web", spec={"hard": {"limits.memory": "16Gi", "requests.cpu": "12", "pods": "40"}},
          status={"used": {"limits.memory": "15Gi"}})
    s.res(200, "Deployment", "storefront", "web", labels=sf["labels"], image=sf["image"], replicas=6, status={"readyReplicas": 3, "replicas": 3})
    s.ev(200, "SuccessfulRescale", "New size: 6; reason: cpu resource utilization (percentage of request) above target", "HorizontalPodAutoscaler", "web", "storefront",
         comp="horizontal-pod-autoscaler")
    s.ev(201, "ScalingReplicaSet", "Scaled up replica set %s to 6 from 3" % sf["rs"], "Deployment", "web", "storefront", comp="deployment-controller")
    root = s.evrep(202, [0, 1, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512], "FailedCreate",
                   'Error creating: pods "%s-%s" is forbidden: exceeded quota: compute-quota, requested: limits.memory=2Gi, used: limits.memory=15Gi, limited: limits.memory=16Gi' % (sf["rs"], s.hsh(5)),
                   "ReplicaSet", "web", sf["rs"], comp="replicaset-controller", form="norm", pin=True,
                   msgs=['Error creating: pods "%s-%s" is forbidden: exceeded quota: compute-quota, requested: limits.memory=2Gi, used: limits.memory=15Gi, limited: limits.memory=16Gi' % (sf["rs"], s.hsh(5)) for _ in range(12)])
    s.alert(500, "KubeQuotaFullyUsed", "Namespace quota is fully used.", {"namespace": "web", "resourcequota": "compute-quota", "resource": "limits.memory", "_sev": "info"},
            ("ResourceQuota", "web", "compute-quota"), sev="INFO", desc="Namespace web is using 93.75% of its limits.memory quota.")
    s.alert(900, "KubeHpaReplicasMismatch", "HPA has not matched desired number of replicas.", {"namespace": "web", "horizontalpodautoscaler": "storefront"},
            ("HorizontalPodAutoscaler", "web", "storefront"), desc="HPA web/storefront has not matched the desired number of replicas for longer than 15 minutes.")
    sym = s.alert(700, "StorefrontLatencyHigh", "storefront p95 latency above 1.5s", {"namespace": "web", "service": "storefront", "_sev": "critical"}, ("Service", "web", "storefront"),
                  sev="ERROR", desc="p95 latency of storefront is 3.8s over the last 10m (SLO 1.5s).", pin=True)
    for k, tt in enumerate([300, 450, 650, 800]):
        s.log(tt, "web", sf["pods"][k % 3]["name"], 'level=warn msg="request queue saturated" inflight=%d max=256' % (240 + k * 5), sev="WARNING")
    for k, tt in enumerate([680, 720]):
        s.log(tt, "ingress-nginx", nz["ing"]["pods"][k % 2]["name"], '2022/06/08 11:%02d:%02d [error] 31#31: *918211 upstream timed out (110: Operation timed out) while reading response header from upstream, client: 10.240.0.4, server: www.example.com, request: "GET /product/4411 HTTP/2.0", upstream: "http://10.244.2.31:8080/product/4411"' % (41 + k, 20 + k), sev="ERROR")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "ReplicaSet", "namespace": "web", "name": sf["rs"], "reason": "FailedCreate"},
                               {"kind": "ResourceQuota", "namespace": "web", "name": "compute-quota"}]}
    return s


def bl22():
    s = Scn("bl22-cpu-throttling-rightsizing", "bl22-cpu-throttling-rightsizing", "cpu-throttling",
            "a cost 'right-sizing' PR lowers pricing-engine's CPU limit from 2 to 500m; the JVM is throttled hard (CPUThrottlingHigh), p99 goes to seconds and checkout times out calling pricing. A same-named workload in the other cluster shows routine mild throttling",
            "2023-09-12T08:45:00Z", "prod-eu-1", 122)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2000, nodes)
    usn = "ip-10-8-12-90.us-east-1.compute.internal"
    s.node(-90000, usn, cluster="prod-us-1")
    pe = s.app(-400000, "pricing", "pricing-engine", nodes[:3], replicas=3,
               containers=[{"name": "pricing-engine", "image": "registry.internal/pricing/pricing-engine:3.3.0",
                            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}}}])
    pe2 = s.app(-400000, "pricing", "pricing-engine", [usn], replicas=1, cluster="prod-us-1", svc=False)
    co = s.app(-400000, "shop", "checkout", nodes, replicas=3)

    def upd(spec):
        spec["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "500m", "memory": "2Gi"}}
    rs, new = s.rollout(120, pe, spec_update=upd, lifecycle=True)
    for i, p in enumerate(new):
        s.ev(124 + i * 40, "Started", "Started container pricing-engine", "Pod", "pricing", p["name"], host=p["node"])
    roots = []
    for i, p in enumerate(new):
        e = s.alert(500 + i * 20, "CPUThrottlingHigh", "Processes experience elevated CPU throttling.",
                    {"namespace": "pricing", "pod": p["name"], "container": "pricing-engine", "_sev": "info"}, ("Pod", "pricing", p["name"]), sev="INFO",
                    desc="%d.%d%% throttling of CPU in namespace pricing for container pricing-engine in pod %s." % (s.rng.randint(71, 93), s.rng.randint(0, 9), p["name"]))
        roots.append(p["name"])
        s.log(300 + i * 30, "pricing", p["name"], "WARN  o.h.e.j.s.SqlExceptionHelper - [GC (Allocation Failure) pause 1.84s] request /v2/quote took 4213ms", sev="WARNING")
        s.evrep(420 + i * 15, [0, 10, 300], "Unhealthy", 'Readiness probe failed: Get "http://10.0.%d.%d:8080/actuator/health/readiness": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % (i + 1, 60 + i),
                "Pod", "pricing", p["name"], host=p["node"])
    s.alert(600, "CPUThrottlingHigh", "Processes experience elevated CPU throttling.", {"namespace": "pricing", "pod": pe2["pods"][0]["name"], "container": "pricing-engine", "_sev": "info"},
            ("Pod", "pricing", pe2["pods"][0]["name"]), sev="INFO", cluster="prod-us-1",
            desc="27.1%% throttling of CPU in namespace pricing for container pricing-engine in pod %s." % pe2["pods"][0]["name"])
    sym = None
    for k, tt in enumerate([330, 360, 410, 480, 650, 900]):
        e = s.log(tt, "shop", co["pods"][k % 3]["name"], 'level=error msg="quote failed" err="rpc error: code = DeadlineExceeded desc = context deadline exceeded" upstream=pricing-engine.pricing.svc:80 deadline=2s cart=c_%s' % s.hx(8),
                  form="subj" if k == 3 else None, pin=k == 3)
        if k == 3:
            sym = e
    s.alert(800, "CheckoutLatencySLOBurn", "checkout latency SLO burn rate high", {"namespace": "shop", "service": "checkout", "_sev": "critical"}, ("Service", "shop", "checkout"), sev="ERROR",
            desc="checkout is burning its latency error budget 14.4x faster than allowed (1h window).")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "pricing", "name": n, "reason": "CPUThrottlingHigh"} for n in roots] +
               [{"kind": "Deployment", "namespace": "pricing", "name": "pricing-engine"}]}
    return s


def bl23():
    s = Scn("bl23-port-conflict-config-rollout", "bl23-port-conflict-config-rollout", "port-conflict",
            "a config change sets ledger's management port to 15090, which the injected istio-proxy sidecar already binds in the shared pod network namespace; new ledger pods crash with 'Address already in use' and the rollout stalls; the gateway sees reduced capacity errors",
            "2024-10-15T14:00:00Z", "gke-prod", 123)
    nodes = nodes_for(s, "gke", 4)
    nz = noise(s, 0, 2000, nodes)
    lg = s.app(-500000, "finance", "ledger", nodes[:3], replicas=3,
               containers=[{"name": "ledger", "image": "registry.internal/finance/ledger:5.1.2", "ports": [{"containerPort": 8080}]},
                           {"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.3", "ports": [{"containerPort": 15090, "name": "http-envoy-prom"}]}],
               volumes=[{"name": "config", "configMap": {"name": "ledger-config"}}])
    gw = s.app(-500000, "finance", "payments-gateway", nodes, replicas=2)
    s.res(-500000, "ConfigMap", "ledger-config", "finance", labels={"app": "ledger"}, spec={"data": {"application.yaml": "management:\n  server:\n    port: 8081\n"}})
    for p in lg["pods"]:
        s.edge(-500000, "Pod", p["name"], "finance", "ConfigMap", "ledger-config", "finance", "MOUNTS")
    s.res(100, "ConfigMap", "ledger-config", "finance", labels={"app": "ledger"}, spec={"data": {"application.yaml": "management:\n  server:\n    port: 15090\n"}})

    def upd(spec):
        spec["template"]["metadata"]["annotations"] = {"checksum/config": "9f2c%s" % s.hx(28)}
    rs, new = s.rollout(130, lg, spec_update=upd, count=1, finish=False)
    p = new[0]
    s.edge(133, "Pod", p["name"], "finance", "ConfigMap", "ledger-config", "finance", "MOUNTS")
    s.ev(150, "Started", "Started container istio-proxy", "Pod", "finance", p["name"], host=p["node"])
    s.evrep(151, [0, 20, 50, 110, 230, 470, 800], "Started", "Started container ledger", "Pod", "finance", p["name"], host=p["node"])
    s.log(170, "finance", p["name"], "***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\nWeb server failed to start. Port 15090 was already in use.", sev="ERROR", container="ledger")
    s.log(169, "finance", p["name"], "ERROR o.s.b.d.LoggingFailureAnalysisReporter - java.net.BindException: Address already in use", sev="ERROR", container="ledger")
    s.ev(172, "Error", "Container ledger terminated with Error (exit code 1)", "Pod", "finance", p["name"], comp="state-watcher", form="norm", sev="FATAL")
    s.evrep(180, [0, 40, 100, 220, 460, 790], "BackOff", backoff_msg(s, "ledger", "finance", p["name"]), "Pod", "finance", p["name"], host=p["node"])
    s.ev(400, "CrashLoopBackOff", "back-off 2m40s restarting failed container=ledger pod=%s_finance(%s)" % (p["name"], s.uid("Pod", "finance", p["name"])), "Pod", "finance", p["name"],
         comp="state-watcher", form="norm")
    s.pod(420, "finance", p["name"], p["node"], ("ReplicaSet", rs), lg["labels"], lg["image"], restarts=5, ready=False, status={"reason": "CrashLoopBackOff"})
    s.ev(131 + 20, "ScalingReplicaSet", "Scaled down replica set %s to 2 from 3" % lg["pods"][0]["name"].rsplit("-", 1)[0], "Deployment", "finance", "ledger", comp="deployment-controller")
    s.ev(152, "Killing", "Stopping container ledger", "Pod", "finance", lg["pods"][0]["name"], host=lg["pods"][0]["node"])
    s.tomb(160, "Pod", lg["pods"][0]["name"], "finance")
    sym = s.alert(1100, "KubeDeploymentRolloutStuck", "Deployment rollout is not progressing.", {"namespace": "finance", "deployment": "ledger"},
                  ("Deployment", "finance", "ledger"), desc="Rollout of deployment finance/ledger is not progressing for longer than 15 minutes.", pin=True)
    s.alert(1000, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "finance", "pod": p["name"], "container": "ledger"}, ("Pod", "finance", p["name"]),
            desc='Pod finance/%s (ledger) is in waiting state (reason: "CrashLoopBackOff").' % p["name"])
    for k, tt in enumerate([500, 700, 950]):
        s.log(tt, "finance", gw["pods"][k % 2]["name"], '[2024-10-15T14:%02d:%02d.331Z] "POST /ledger/v1/entries HTTP/1.1" 503 UO upstream_reset_before_response_started{overflow} - "-" 0 81 0 - "10.12.0.9" "Go-http-client/1.1"' % (8 + k * 4, 20 + k), sev="WARNING")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "ConfigMap", "namespace": "finance", "name": "ledger-config"},
                               {"kind": "Pod", "namespace": "finance", "name": p["name"]}]}
    return s


def bl24():
    s = Scn("bl24-hpa-maxed-out-campaign", "bl24-hpa-maxed-out-campaign", "hpa-max",
            "a marketing push triples traffic; the frontend HPA scales to its maxReplicas of 10 and stays there (KubeHpaMaxedOut) with pods at 100% CPU; the ingress starts returning 504 and the availability SLO alert fires",
            "2021-11-26T07:55:00Z", "prod-eu-1", 124)
    nodes = nodes_for(s, "eks", 5)
    nz = noise(s, 0, 2400, nodes)
    fe = s.app(-300000, "web", "frontend", nodes, replicas=4)
    s.res(-300000, "HorizontalPodAutoscaler", "frontend", "web", spec={"scaleTargetRef": {"kind": "Deployment", "name": "frontend"}, "minReplicas": 4, "maxReplicas": 10,
                                                                      "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
          status={"currentReplicas": 4, "desiredReplicas": 4})
    s.edge(-300000, "HorizontalPodAutoscaler", "frontend", "web", "Deployment", "frontend", "web", "SCALES")
    sizes = [(120, 6), (300, 8), (480, 10)]
    newpods = []
    for t, n in sizes:
        s.ev(t, "SuccessfulRescale", "New size: %d; reason: cpu resource utilization (percentage of request) above target" % n, "HorizontalPodAutoscaler", "web", "frontend",
             comp="horizontal-pod-autoscaler", form="norm")
        s.ev(t + 1, "ScalingReplicaSet", "Scaled up replica set %s to %d from %d" % (fe["rs"], n, n - 2), "Deployment", "web", "frontend", comp="deployment-controller")
        s.res(t + 1, "Deployment", "frontend", "web", labels=fe["labels"], image=fe["image"], replicas=n, status={"readyReplicas": n - 2, "replicas": n})
        for j in range(2):
            pn = "%s-%s" % (fe["rs"], s.hsh(5))
            nd = nodes[(j + n) % len(nodes)]
            s.pod(t + 2, "web", pn, nd, ("ReplicaSet", fe["rs"]), fe["labels"], fe["image"])
            s.edge(t + 2, "Service", "frontend", "web", "Pod", pn, "web", "SELECTS")
            if j == 0:
                s.lifecycle(t + 3, "web", pn, nd, "frontend", fe["image"], ("ReplicaSet", fe["rs"]), pull=False)
            newpods.append(pn)
    s.res(481, "HorizontalPodAutoscaler", "frontend", "web", spec={"scaleTargetRef": {"kind": "Deployment", "name": "frontend"}, "minReplicas": 4, "maxReplicas": 10},
          status={"currentReplicas": 10, "desiredReplicas": 10, "conditions": [{"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas", "message": "the desired replica count is more than the maximum replica count"}]})
    root = s.alert(1400, "KubeHpaMaxedOut", "HPA is running at max replicas", {"namespace": "web", "horizontalpodautoscaler": "frontend", "_sev": "warning"},
                   ("HorizontalPodAutoscaler", "web", "frontend"), desc="HPA web/frontend has been running at max replicas for longer than 15 minutes.")
    for k, p in enumerate(newpods[:3] + [x["name"] for x in fe["pods"][:2]]):
        s.evrep(700 + k * 30, [0, 10, 20], "Unhealthy", 'Readiness probe failed: Get "http://10.0.%d.%d:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % (k, 90 + k),
                "Pod", "web", p, host=nodes[k % 5])
    for k, tt in enumerate([650, 760, 900, 1100]):
        s.log(tt, "ingress-nginx", nz["ing"]["pods"][k % 2]["name"], '2021/11/26 08:%02d:%02d [error] 27#27: *41277%02d upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.7, server: www.example.com, request: "GET / HTTP/2.0", upstream: "http://10.0.3.%d:8080/"' % (6 + k * 2, k * 11, k, 20 + k), sev="ERROR")
    sym = s.alert(1000, "FrontendAvailabilitySLOBurn", "frontend availability SLO burning", {"namespace": "web", "service": "frontend", "_sev": "critical"}, ("Service", "web", "frontend"), sev="ERROR",
                  desc="frontend 5xx/504 ratio 6.2% over 30m; error budget burn 12x.", pin=True)
    for k, tt in enumerate([500, 800, 1200]):
        s.log(tt, "web", fe["pods"][k]["name"], 'level=warn msg="event loop lag" lag_ms=%d' % (350 + k * 200), sev="WARNING")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "HorizontalPodAutoscaler", "namespace": "web", "name": "frontend"}]}
    return s


SCENARIOS = [bl17, bl18, bl19, bl20, bl21, bl22, bl23, bl24]
