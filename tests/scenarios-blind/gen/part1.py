from lib import Scn
from noise import noise, nodes_for


def backoff_msg(s, cont, ns, pod, cl=None):
    return "Back-off restarting failed container %s in pod %s_%s(%s)" % (cont, pod, ns, s.uid("Pod", ns, pod, cl))


def bl01():
    s = Scn("bl01-oomkill-payments-release", "bl01-oomkill-payments-release", "oomkill",
            "payments 2.8.0 ships a larger in-memory cache; its pods exceed the 512Mi limit, are OOM-killed and crash-loop; checkout logs connection refused to payments and the ingress returns 502",
            "2023-03-14T09:00:00Z", "prod-eu-1", 101)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2400, nodes, exclude=("oom",))
    pay = s.app(-86400, "shop", "payments", nodes[1:3], replicas=2, image="registry.internal/shop/payments:2.7.4",
                containers=[{"name": "payments", "image": "registry.internal/shop/payments:2.7.4",
                             "resources": {"requests": {"cpu": "500m", "memory": "384Mi"}, "limits": {"memory": "512Mi"}}}])
    co = s.app(-86400, "shop", "checkout", nodes, replicas=3)
    cart = s.app(-86400, "shop", "cart", nodes[:2], replicas=2)
    rs, new = s.rollout(300, pay, image="registry.internal/shop/payments:2.8.0")
    for i, p in enumerate(new):
        tt = 300 + 2 + i * 40
        s.ev(tt + 12, "Pulled", 'Successfully pulled image "registry.internal/shop/payments:2.8.0" in 6.41s (6.41s including waiting)', "Pod", "shop", p["name"], host=p["node"])
        s.ev(tt + 13, "Created", "Created container payments", "Pod", "shop", p["name"], host=p["node"])
        s.ev(tt + 13, "Started", "Started container payments", "Pod", "shop", p["name"], host=p["node"])
    s.tomb(420, "Pod", pay["pods"][0]["name"], "shop")
    s.tomb(470, "Pod", pay["pods"][1]["name"], "shop")
    roots = []
    for i, p in enumerate(new):
        base = 900 + i * 70
        s.ev(base, "OOMKilling", "Memory cgroup out of memory: Killed process %d (java) total-vm:4915232kB, anon-rss:523812kB, file-rss:21360kB, shmem-rss:0kB, UID:1001 pgtables:2404kB oom_score_adj:985" % (23000 + i * 311),
             "Node", None, p["node"], comp="kernel-monitor", host=p["node"], form="norm")
        ev = s.evrep(base + 1, [0, 95, 260, 560], "OOMKilled", "Container payments terminated with OOMKilled (exit code 137)",
                     "Pod", "shop", p["name"], comp="state-watcher", form="norm")
        roots.append(ev)
        s.pod(base + 2, "shop", p["name"], p["node"], ("ReplicaSet", rs), pay["labels"], pay["image"], restarts=1, ready=False,
              status={"lastTerminationReason": "OOMKilled", "exitCode": 137})
        s.evrep(base + 20, [0, 80, 250, 540, 900], "BackOff", backoff_msg(s, "payments", "shop", p["name"]), "Pod", "shop", p["name"], host=p["node"])
        s.ev(base + 300, "CrashLoopBackOff", 'back-off 2m40s restarting failed container=payments pod=%s_shop(%s)' % (p["name"], s.uid("Pod", "shop", p["name"])),
             "Pod", "shop", p["name"], form="norm", comp="state-watcher")
        s.pod(base + 600, "shop", p["name"], p["node"], ("ReplicaSet", rs), pay["labels"], pay["image"], restarts=4, ready=False,
              status={"reason": "CrashLoopBackOff", "lastTerminationReason": "OOMKilled", "exitCode": 137})
        s.log(base - 20, "shop", p["name"], 'Exception in thread "cache-warmer" java.lang.OutOfMemoryError: Java heap space', sev="ERROR")
        s.log(base - 60, "shop", p["name"], "INFO  c.a.p.cache.RateCache - warming rate cache: 1843200 entries loaded", sev="INFO")
    s.alert(1500, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "shop", "pod": new[0]["name"], "container": "payments", "_sev": "warning"},
            ("Pod", "shop", new[0]["name"]), desc='Pod shop/%s (payments) is in waiting state (reason: "CrashLoopBackOff").' % new[0]["name"])
    s.alert(1700, "KubeDeploymentReplicasMismatch", "Deployment has not matched the expected number of replicas.",
            {"namespace": "shop", "deployment": "payments"}, ("Deployment", "shop", "payments"),
            desc="Deployment shop/payments has not matched the expected number of replicas for longer than 15 minutes.")
    sym = None
    for k, tt in enumerate([960, 1010, 1100, 1230, 1405, 1620]):
        p = co["pods"][k % 3]["name"]
        e = s.log(tt, "shop", p, 'level=error msg="payment authorization failed" err="Post \\"http://payments.shop.svc.cluster.local/v1/authorize\\": dial tcp 10.96.41.212:80: connect: connection refused" order_id=ord_%s' % s.hx(10),
                  form="subj" if k == 2 else None, pin=(k == 2))
        if k == 2:
            sym = e
    for tt in (1005, 1240):
        s.log(tt, "ingress-nginx", nz["ing"]["pods"][0]["name"], '10.0.1.9 - - "POST /api/checkout HTTP/2.0" 502 150 "https://shop.example.com/cart" "Mozilla/5.0" 412 0.031 [shop-checkout-80] 10.0.2.77:8080 150 0.030 502', sev="WARNING")
    s.log(1300, "shop", cart["pods"][0]["name"], 'level=warn msg="redis latency high" p99=41ms', sev="WARNING")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "shop", "name": p["name"], "reason": "OOMKilled"} for p in new],
               "blast_radius": [{"kind": "Service", "namespace": "shop", "name": "payments"}]}
    return s


def bl02():
    s = Scn("bl02-imagepull-tag-typo", "bl02-imagepull-tag-typo", "bad-image",
            "a CI pipeline bumps orders to an image tag that was never pushed (v3.12.0-rc1 vs v3.12.0rc1); the new pod sits in ErrImagePull/ImagePullBackOff, the rollout stalls and KubeDeploymentRolloutStuck fires",
            "2022-11-02T14:20:00Z", "gke-prod", 102)
    nodes = nodes_for(s, "gke", 4)
    nz = noise(s, 0, 2700, nodes, exclude=("imagepull",))
    od = s.app(-7200, "orders", "orders-api", nodes, replicas=3, image="europe-docker.pkg.dev/acme-prod/apps/orders-api:v3.11.4", lifecycle=False)
    s.app(-7200, "orders", "orders-worker", nodes[1:], replicas=2, svc=False)
    img = "europe-docker.pkg.dev/acme-prod/apps/orders-api:v3.12.0-rc1"
    rs, new = s.rollout(200, od, image=img, count=1, lifecycle=True, finish=False, start_pods=False)
    p = new[0]
    s.pod(203, "orders", p["name"], p["node"], ("ReplicaSet", rs), od["labels"], img, phase="Pending", ready=False,
          status={"reason": "ErrImagePull"})
    msg = ('Failed to pull image "%s": rpc error: code = NotFound desc = failed to pull and unpack image "%s": failed to resolve reference "%s": %s: not found' % (img, img, img, img))
    s.evrep(206, [0, 17, 45, 101, 230, 512, 830], "Failed", msg, "Pod", "orders", p["name"], host=p["node"])
    root = s.evrep(207, [0, 16, 44, 100, 229], "ErrImagePull", msg, "Pod", "orders", p["name"], comp="kubelet", form="norm", host=p["node"])
    s.evrep(220, [0, 30, 90, 300, 600, 1200, 1800], "BackOff", 'Back-off pulling image "%s"' % img, "Pod", "orders", p["name"], host=p["node"])
    s.ev(222, "ImagePullBackOff", 'Back-off pulling image "%s"' % img, "Pod", "orders", p["name"], form="norm", host=p["node"])
    s.evrep(222, [0, 31, 91, 301], "Failed", "Error: ImagePullBackOff", "Pod", "orders", p["name"], host=p["node"])
    s.res(260, "Deployment", "orders-api", "orders", labels=od["labels"], image=img, replicas=3,
          status={"readyReplicas": 3, "replicas": 4, "updatedReplicas": 1, "unavailableReplicas": 1})
    s.alert(1200, "KubeContainerWaiting", "Pod container waiting longer than 1 hour",
            {"namespace": "orders", "pod": p["name"], "container": "orders-api"}, ("Pod", "orders", p["name"]),
            desc="pod/%s in namespace orders on container orders-api has been in waiting state for longer than 1 hour." % p["name"])
    sym = s.alert(1100, "KubeDeploymentRolloutStuck", "Deployment rollout is not progressing.",
                  {"namespace": "orders", "deployment": "orders-api"}, ("Deployment", "orders", "orders-api"),
                  desc="Rollout of deployment orders/orders-api is not progressing for longer than 15 minutes.", pin=True)
    s.ev(800, "ProgressDeadlineExceeded", 'ReplicaSet "%s" has timed out progressing.' % rs, "Deployment", "orders", "orders-api",
         comp="deployment-controller", form="norm", sev="WARNING")
    for tt in (300, 900, 1500):
        s.log(tt, "orders", od["pods"][0]["name"], '{"level":"info","ts":"%s","msg":"order accepted","latency_ms":%d}' % (s.ts(tt), s.rng.randint(8, 40)), sev="INFO")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "orders", "name": p["name"], "reason": "ErrImagePull"},
                               {"kind": "Deployment", "namespace": "orders", "name": "orders-api"}]}
    return s


def bl03():
    s = Scn("bl03-secret-missing-key", "bl03-secret-missing-key", "missing-secret",
            "billing's new release reads DB_PASSWORD from Secret billing-db, but the key was renamed to password in the Secret; new pods fail with CreateContainerConfigError while invoicing jobs log 503s from billing",
            "2024-01-22T07:45:00Z", "prod-us-east", 103)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2000, nodes)
    bill = s.app(-40000, "billing", "billing-api", nodes[:3], replicas=2,
                 containers=[{"name": "billing-api", "image": "registry.internal/billing/billing-api:5.2.0",
                              "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "billing-db", "key": "DB_PASSWORD"}}}]}])
    s.res(-40000, "Secret", "billing-db", "billing", type="Opaque", spec={"keys": ["DB_PASSWORD", "DB_USER"]})
    s.res(150, "Secret", "billing-db", "billing", type="Opaque", spec={"keys": ["password", "username"]})
    inv = s.app(-40000, "billing", "invoicer", nodes[1:], replicas=2)
    rs, new = s.rollout(400, bill, image="registry.internal/billing/billing-api:5.3.0", lifecycle=True, finish=False)
    # old pods are replaced as a node is drained for an upgrade
    s.ev(380, "NodeNotSchedulable", "Node %s status is now: NodeNotSchedulable" % nodes[0], "Node", None, nodes[0], host=nodes[0], form="norm")
    for p in bill["pods"]:
        if p["node"] == nodes[0]:
            s.ev(390, "Killing", "Stopping container billing-api", "Pod", "billing", p["name"], host=p["node"])
            s.tomb(420, "Pod", p["name"], "billing")
    root = None
    for i, p in enumerate(new):
        b = 410 + i * 40
        s.ev(b + 5, "Pulled", 'Container image "registry.internal/billing/billing-api:5.3.0" already present on machine', "Pod", "billing", p["name"], host=p["node"])
        s.evrep(b + 6, [0, 12, 27, 55, 130, 260, 545], "Failed", "Error: couldn't find key DB_PASSWORD in Secret billing/billing-db", "Pod", "billing", p["name"], host=p["node"])
        e = s.evrep(b + 6, [0, 27, 130, 545], "CreateContainerConfigError", "couldn't find key DB_PASSWORD in Secret billing/billing-db",
                    "Pod", "billing", p["name"], comp="state-watcher", form="norm")
        root = root or e
        s.pod(b + 7, "billing", p["name"], p["node"], ("ReplicaSet", rs), bill["labels"], bill["image"], phase="Pending", ready=False,
              status={"reason": "CreateContainerConfigError"})
    s.alert(1400, "KubePodNotReady", "Pod has been in a non-ready state for more than 15 minutes.", {"namespace": "billing", "pod": new[0]["name"]},
            ("Pod", "billing", new[0]["name"]), desc="Pod billing/%s has been in a non-ready state for longer than 15 minutes." % new[0]["name"])
    sym = None
    for k, tt in enumerate([700, 760, 840, 1010, 1150]):
        e = s.log(tt, "billing", inv["pods"][k % 2]["name"],
                  'ERROR invoicer.client: POST http://billing-api.billing.svc:80/v2/charges failed: 503 Service Unavailable (attempt 3/3) customer=cus_%s' % s.hx(8),
                  form="subj" if k == 1 else None, pin=k == 1)
        if k == 1:
            sym = e
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Secret", "namespace": "billing", "name": "billing-db"}] +
               [{"kind": "Pod", "namespace": "billing", "name": p["name"], "reason": "CreateContainerConfigError"} for p in new] +
               [{"kind": "Pod", "namespace": "billing", "name": p["name"], "reason": "Failed"} for p in new]}
    return s


def bl04():
    s = Scn("bl04-scheduling-insufficient-cpu", "bl04-scheduling-insufficient-cpu", "failed-scheduling",
            "a Black-Friday scale-up of search to 8 replicas with 2 CPU requests cannot fit; new pods stay Pending with FailedScheduling (Insufficient cpu) and search latency SLO alerts fire on the frontend",
            "2022-11-25T06:00:00Z", "prod-eu-1", 104)
    nodes = nodes_for(s, "eks", 5)
    nz = noise(s, 0, 1800, nodes)
    srch = s.app(-90000, "search", "search-api", nodes, replicas=3,
                 containers=[{"name": "search-api", "image": "registry.internal/search/search-api:1.19.2",
                              "resources": {"requests": {"cpu": "2", "memory": "3Gi"}, "limits": {"memory": "3Gi"}}}])
    fe = s.app(-90000, "web", "storefront", nodes, replicas=4)
    s.res(120, "Deployment", "search-api", "search", labels=srch["labels"], image=srch["image"], replicas=8, spec=srch["spec"],
          status={"readyReplicas": 3, "replicas": 8})
    s.ev(121, "ScalingReplicaSet", "Scaled up replica set %s to 8 from 3" % srch["rs"], "Deployment", "search", "search-api", comp="deployment-controller")
    s.res(121, "ReplicaSet", srch["rs"], "search", ownerRefs=[{"kind": "Deployment", "name": "search-api"}], replicas=8, labels=srch["labels"])
    pend = []
    for i in range(5):
        pn = "%s-%s" % (srch["rs"], s.hsh(5))
        s.pod(122, "search", pn, None, ("ReplicaSet", srch["rs"]), srch["labels"], srch["image"], phase="Pending", ready=False,
              status={"reason": "Unschedulable"})
        s.ev(122, "SuccessfulCreate", "Created pod: %s" % pn, "ReplicaSet", "search", srch["rs"], comp="replicaset-controller")
        pend.append(pn)
    roots = []
    for i, pn in enumerate(pend):
        if i < 2:
            s.ev(126, "Scheduled", "Successfully assigned search/%s to %s" % (pn, nodes[i]), "Pod", "search", pn, comp="default-scheduler")
            s.pod(126, "search", pn, nodes[i], ("ReplicaSet", srch["rs"]), srch["labels"], srch["image"])
            s.ev(130, "Started", "Started container search-api", "Pod", "search", pn, host=nodes[i])
            continue
        m = ("0/5 nodes are available: 5 Insufficient cpu. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.")
        e = s.evrep(124 + i, [0, 60, 180, 420, 900, 1500], "FailedScheduling", m, "Pod", "search", pn, comp="default-scheduler",
                    form="raw" if i == 3 else "norm")
        roots.append(pn)
    s.ev(125, "NotTriggerScaleUp", "pod didn't trigger scale-up: 1 max node group size reached", "Pod", "search", pend[2], comp="cluster-autoscaler", form="raw")
    s.alert(1100, "KubeDeploymentReplicasMismatch", "Deployment has not matched the expected number of replicas.", {"namespace": "search", "deployment": "search-api"},
            ("Deployment", "search", "search-api"), desc="Deployment search/search-api has not matched the expected number of replicas for longer than 15 minutes.")
    s.alert(1000, "KubeCPUOvercommit", "Cluster has overcommitted CPU resource requests.", {"_sev": "warning"}, None,
            desc="Cluster has overcommitted CPU resource requests for Pods by 1.9 CPU shares and cannot tolerate node failure.")
    for k, tt in enumerate([400, 520, 700, 880]):
        s.log(tt, "search", srch["pods"][k % 3]["name"], 'WARN  [search-pool-%d] query queue saturated depth=%d' % (k, 180 + k * 40), sev="WARNING")
    sym = s.alert(800, "StorefrontSearchLatencyHigh", "Search p99 latency above SLO", {"namespace": "web", "service": "storefront", "_sev": "critical"},
                  ("Service", "web", "storefront"), sev="ERROR", desc="p99 latency of /search on storefront is 4.2s (SLO 800ms) for 10m.", pin=True)
    for k, tt in enumerate([650, 820, 990]):
        s.log(tt, "web", fe["pods"][k]["name"], 'level=error msg="search backend timeout" upstream=search-api.search.svc:80 timeout=3s', sev="ERROR")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "search", "name": pn, "reason": "FailedScheduling"} for pn in roots]}
    return s


def bl05():
    s = Scn("bl05-node-notready-kubelet", "bl05-node-notready-kubelet", "node-notready",
            "kubelet on a worker stops posting status (containerd hung); the node goes NotReady, its pods are marked not ready and later taint-evicted; the single-replica ledger-db on it becomes unavailable and the accounts service logs timeouts",
            "2021-07-08T22:10:00Z", "onprem-dc2", 105)
    nodes = nodes_for(s, "kubeadm", 5)
    bad = nodes[2]
    nz = noise(s, 0, 2200, nodes, second="cronjob")
    db = s.app(-200000, "finance", "ledger-db", [bad], replicas=1, kind="StatefulSet", port=5432, image="postgres:13.3")
    acc = s.app(-200000, "finance", "accounts", [nodes[0], nodes[1], nodes[3]], replicas=3)
    web = s.app(-200000, "finance", "statements", [bad, nodes[4]], replicas=2)
    s.res(300, "Node", bad, labels={"kubernetes.io/hostname": bad}, status={"ready": False, "conditions": [
        {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."}]},
          spec={"taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}]})
    s.log(250, "kube-system", "kube-proxy-" + s.hsh(5), "E0708 22:14:10.223451 1 reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.EndpointSlice: unknown", sev="ERROR")
    root = s.ev(300, "NodeNotReady", "Node %s status is now: NodeNotReady" % bad, "Node", None, bad, comp="node-controller", form="norm", pin=True)
    for p in db["pods"] + [x for x in web["pods"] if x["node"] == bad]:
        nsx = "finance"
        s.ev(301, "NodeNotReady", "Node is not ready", "Pod", nsx, p["name"], comp="node-controller")
    s.alert(600, "KubeNodeUnreachable", "Node is unreachable.", {"node": bad, "key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
            ("Node", None, bad), desc="%s is unreachable and some workloads may be rescheduled." % bad)
    s.alert(1200, "KubeNodeNotReady", "Node is not ready.", {"node": bad, "_sev": "warning"}, ("Node", None, bad),
            desc="%s has been unready for more than 15 minutes." % bad)
    s.alert(700, "KubeletDown", "Target disappeared from Prometheus target discovery.", {"_sev": "critical", "job": "kubelet"}, None, sev="ERROR",
            desc="Kubelet has disappeared from Prometheus target discovery.")
    for p in [x for x in web["pods"] if x["node"] == bad]:
        s.ev(600, "TaintManagerEviction", "Marking for deletion Pod finance/%s" % p["name"], "Pod", "finance", p["name"], comp="taint-controller", form="raw")
        nn = "%s-%s" % (web["rs"], s.hsh(5))
        s.pod(602, "finance", nn, nodes[3], ("ReplicaSet", web["rs"]), web["labels"], web["image"])
        s.lifecycle(602, "finance", nn, nodes[3], "statements", web["image"], ("ReplicaSet", web["rs"]))
    s.ev(600, "TaintManagerEviction", "Marking for deletion Pod finance/ledger-db-0", "Pod", "finance", "ledger-db-0", comp="taint-controller", form="raw")
    s.pod(610, "finance", "ledger-db-0", bad, ("StatefulSet", "ledger-db"), db["labels"], db["image"], phase="Running", ready=False,
          status={"reason": "NodeLost"})
    s.alert(900, "KubeStatefulSetReplicasMismatch", "StatefulSet has not matched the expected number of replicas.", {"namespace": "finance", "statefulset": "ledger-db"},
            ("StatefulSet", "finance", "ledger-db"), desc="StatefulSet finance/ledger-db has not matched the expected number of replicas for longer than 15 minutes.")
    sym = None
    for k, tt in enumerate([330, 390, 470, 610, 820, 1100]):
        e = s.log(tt, "finance", acc["pods"][k % 3]["name"],
                  'ERROR [accounts] o.h.engine.jdbc.spi.SqlExceptionHelper - HikariPool-1 - Connection is not available, request timed out after 30000ms. (ledger-db.finance.svc.cluster.local:5432)',
                  form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Node", "namespace": "", "name": bad, "reason": "NodeNotReady"}],
               "blast_radius": [{"kind": "Pod", "namespace": "finance", "name": "ledger-db-0"}]}
    return s


def bl06():
    s = Scn("bl06-node-diskpressure-evictions", "bl06-node-diskpressure-evictions", "node-disk-pressure",
            "a worker's root filesystem fills up (image layers + container logs); kubelet reports DiskPressure, image GC cannot free enough and pods are evicted; the evicted api pods restart elsewhere and the mobile gateway sees 503s meanwhile",
            "2023-08-19T03:30:00Z", "aks-prod-weu", 106)
    nodes = nodes_for(s, "aks", 4)
    bad = nodes[1]
    nz = noise(s, 0, 2400, nodes, exclude=("evicted",))
    api = s.app(-50000, "mobile", "profile-api", [bad, bad, nodes[2]], replicas=3)
    gw = s.app(-50000, "mobile", "mobile-gateway", [nodes[0], nodes[3]], replicas=2)
    s.alert(60, "NodeFilesystemAlmostOutOfSpace", "Filesystem has less than 5% space left.", {"instance": bad, "mountpoint": "/", "device": "/dev/sda1", "fstype": "ext4", "node": bad},
            ("Node", None, bad), desc="Filesystem on /dev/sda1 at %s has only 4.12%% available space left." % bad)
    s.evrep(120, [0, 300, 600, 900], "FreeDiskSpaceFailed", "Failed to garbage collect required amount of images. Attempted to free 9126805504 bytes, but only found 1283457024 bytes eligible to free.",
            "Node", None, bad, host=bad)
    s.ev(180, "ImageGCFailed", "failed to garbage collect required amount of images. Wanted to free 9126805504 bytes, but freed 1283457024 bytes", "Node", None, bad, host=bad, form="norm")
    s.node(240, bad, pressure="DiskPressure", taints=[{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"}])
    root = s.ev(240, "NodeHasDiskPressure", "Node %s status is now: NodeHasDiskPressure" % bad, "Node", None, bad, host=bad, form="norm", sev="WARNING", pin=True)
    s.evrep(250, [0, 60, 130], "EvictionThresholdMet", "Attempting to reclaim ephemeral-storage", "Node", None, bad, host=bad)
    for i, p in enumerate([x for x in api["pods"] if x["node"] == bad]):
        s.ev(262 + i * 8, "Evicted", "The node was low on resource: ephemeral-storage. Threshold quantity: 10%%, available: 2984012Ki. Container profile-api was using 1236Ki, which exceeds its request of 0. ",
             "Pod", "mobile", p["name"], host=bad, form="norm" if i == 0 else "raw")
        s.ev(263 + i * 8, "Killing", "Stopping container profile-api", "Pod", "mobile", p["name"], host=bad)
        s.pod(264 + i * 8, "mobile", p["name"], bad, ("ReplicaSet", api["rs"]), api["labels"], api["image"], phase="Failed", ready=False, status={"reason": "Evicted"})
        nn = "%s-%s" % (api["rs"], s.hsh(5))
        s.pod(266 + i * 8, "mobile", nn, nodes[3], ("ReplicaSet", api["rs"]), api["labels"], api["image"], ready=False)
        s.lifecycle(266 + i * 8, "mobile", nn, nodes[3], "profile-api", api["image"], ("ReplicaSet", api["rs"]), pull=True)
    # fluent-bit on the same node also evicted (it was the log writer)
    fb = "fluent-bit-" + s.hsh(5)
    s.pod(-80000, "logging", fb, bad, ("DaemonSet", "fluent-bit"), {"app.kubernetes.io/name": "fluent-bit"}, "cr.fluentbit.io/fluent/fluent-bit:2.1.8")
    s.ev(290, "Evicted", "The node was low on resource: ephemeral-storage. Threshold quantity: 10%, available: 2811540Ki. Container fluent-bit was using 18Gi, which exceeds its request of 0. ",
         "Pod", "logging", fb, host=bad, form="norm")
    s.ev(292, "FailedScheduling", "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
         "Pod", "logging", "fluent-bit-" + s.hsh(5), comp="default-scheduler", form="raw")
    s.alert(600, "KubeletEvictingPods", "Kubelet is evicting pods.", {"node": bad}, ("Node", None, bad), desc="Kubelet on %s is evicting pods due to DiskPressure." % bad)
    sym = None
    for k, tt in enumerate([268, 275, 300, 340, 420]):
        e = s.log(tt, "mobile", gw["pods"][k % 2]["name"],
                  '[2023-08-19T03:34:%02d.118Z] "GET /v1/profile/me HTTP/1.1" 503 UF,URX 0 91 1002 - "-" "okhttp/4.10.0" "%s" "profile-api.mobile.svc.cluster.local" "10.244.1.31:8080"' % (k * 7, s.hx(8)),
                  sev="ERROR", form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Node", "namespace": "", "name": bad}]}
    return s


def bl07():
    s = Scn("bl07-liveness-timeout-restarts", "bl07-liveness-timeout-restarts", "probe-failure",
            "catalog's liveness probe has timeoutSeconds 1 and hits /healthz which now checks the DB pool; under morning load the probe times out, kubelet keeps restarting catalog pods and the storefront shows 502/504 on product pages",
            "2024-05-06T08:00:00Z", "prod-eu-1", 107)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2400, nodes)
    cat = s.app(-30000, "catalog", "catalog", nodes[:3], replicas=3,
                containers=[{"name": "catalog", "image": "registry.internal/catalog/catalog:4.1.0",
                             "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "timeoutSeconds": 1, "periodSeconds": 10, "failureThreshold": 3}}])
    fe = s.app(-30000, "web", "storefront", nodes, replicas=3)
    roots = []
    for i, p in enumerate(cat["pods"]):
        b = 300 + i * 45
        ip = "10.0.%d.%d" % (i + 1, 40 + i)
        e = s.evrep(b, [0, 10, 20, 200, 210, 220, 640, 650], "Unhealthy",
                    'Liveness probe failed: Get "http://%s:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % ip,
                    "Pod", "catalog", p["name"], host=p["node"], form="norm" if i != 1 else "raw")
        roots.append(p["name"])
        s.evrep(b + 21, [0, 200, 630], "Killing", "Container catalog failed liveness probe, will be restarted", "Pod", "catalog", p["name"], host=p["node"])
        s.ev(b + 23, "Pulled", 'Container image "registry.internal/catalog/catalog:4.1.0" already present on machine', "Pod", "catalog", p["name"], host=p["node"])
        s.ev(b + 24, "Started", "Started container catalog", "Pod", "catalog", p["name"], host=p["node"])
        s.evrep(b + 5, [0, 11, 200], "Unhealthy", 'Readiness probe failed: Get "http://%s:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % ip,
                "Pod", "catalog", p["name"], host=p["node"])
        s.pod(b + 660, "catalog", p["name"], p["node"], ("ReplicaSet", cat["rs"]), cat["labels"], cat["image"], restarts=3, ready=False)
        s.log(b - 5, "catalog", p["name"], "WARN  HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).", sev="WARNING")
        s.log(b + 22, "catalog", p["name"], "INFO  Received SIGTERM, shutting down gracefully", sev="INFO")
    s.alert(1300, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "catalog", "pod": cat["pods"][0]["name"], "container": "catalog"},
            ("Pod", "catalog", cat["pods"][0]["name"]), desc='Pod catalog/%s (catalog) is restarting 1.05 times / 10 minutes.' % cat["pods"][0]["name"])
    sym = s.alert(900, "StorefrontHigh5xxRate", "Storefront 5xx ratio above 5%", {"namespace": "web", "service": "storefront", "_sev": "critical"},
                  ("Service", "web", "storefront"), sev="ERROR", desc="9.7% of storefront requests returned 5xx over the last 5 minutes.", pin=True)
    for k, tt in enumerate([330, 360, 520, 700, 980]):
        s.log(tt, "web", fe["pods"][k % 3]["name"], 'level=error msg="upstream error" upstream=catalog.catalog.svc:80 path=/api/products/%d status=502 err="EOF"' % s.rng.randint(1000, 9999))
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "catalog", "name": n, "reason": "Unhealthy"} for n in roots]}
    return s


def bl08():
    s = Scn("bl08-postgres-wal-full-cascade", "bl08-postgres-wal-full-cascade", "database-down",
            "the orders Postgres primary's data volume fills with WAL (a stuck replication slot); postgres PANICs and crash-loops; orders-api, fulfillment and the checkout flow log connection refused / 500s",
            "2022-04-27T16:05:00Z", "prod-eu-1", 108)
    nodes = nodes_for(s, "eks", 5)
    nz = noise(s, 0, 2400, nodes, exclude=("pvfill",))
    pg = s.app(-900000, "data", "orders-pg", [nodes[3]], replicas=1, kind="StatefulSet", port=5432, image="docker.io/bitnami/postgresql:14.2.0-debian-10-r70",
               volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data-orders-pg-0"}}])
    s.res(-900000, "PersistentVolumeClaim", "data-orders-pg-0", "data", spec={"storageClassName": "gp3", "resources": {"requests": {"storage": "100Gi"}}}, status={"phase": "Bound"})
    s.edge(-900000, "Pod", "orders-pg-0", "data", "PersistentVolumeClaim", "data-orders-pg-0", "data", "MOUNTS")
    oa = s.app(-90000, "orders", "orders-api", nodes[:3], replicas=3)
    ff = s.app(-90000, "orders", "fulfillment", nodes[1:4], replicas=2)
    s.alert(-1200, "KubePersistentVolumeFillingUp", "PersistentVolume is filling up.", {"namespace": "data", "persistentvolumeclaim": "data-orders-pg-0", "_sev": "critical"},
            ("PersistentVolumeClaim", "data", "data-orders-pg-0"), sev="ERROR",
            desc="The PersistentVolume claimed by data-orders-pg-0 in Namespace data is only 2.87% free.")
    pgp = "orders-pg-0"
    s.log(200, "data", pgp, '2022-04-27 16:08:20.114 GMT [1] LOG:  checkpoints are occurring too frequently (9 seconds apart)', sev="WARNING")
    root = s.log(290, "data", pgp, '2022-04-27 16:09:50.402 GMT [87] PANIC:  could not write to file "pg_wal/xlogtemp.87": No space left on device', sev="FATAL", form="subj", pin=True)
    s.log(291, "data", pgp, "2022-04-27 16:09:50.561 GMT [1] LOG:  server process (PID 87) was terminated by signal 6: Aborted", sev="ERROR")
    s.log(292, "data", pgp, "2022-04-27 16:09:50.562 GMT [1] LOG:  terminating any other active server processes", sev="ERROR")
    s.ev(300, "Error", "Container postgresql terminated with Error (exit code 1)", "Pod", "data", pgp, comp="state-watcher", form="norm", sev="FATAL")
    s.evrep(310, [0, 40, 130, 320, 640, 1000], "BackOff", backoff_msg(s, "postgresql", "data", pgp), "Pod", "data", pgp, host=nodes[3])
    s.ev(330, "CrashLoopBackOff", 'back-off 40s restarting failed container=postgresql pod=%s_data(%s)' % (pgp, s.uid("Pod", "data", pgp)), "Pod", "data", pgp, comp="state-watcher", form="norm")
    s.evrep(320, [0, 10, 20, 140, 150], "Unhealthy", 'Readiness probe failed: 127.0.0.1:5432 - no response', "Pod", "data", pgp, host=nodes[3])
    s.pod(340, "data", pgp, nodes[3], ("StatefulSet", "orders-pg"), pg["labels"], pg["image"], restarts=3, ready=False, status={"reason": "CrashLoopBackOff"})
    s.log(345, "data", pgp, '2022-04-27 16:10:45.220 GMT [1] FATAL:  could not write lock file "postmaster.pid": No space left on device', sev="FATAL")
    sym = None
    for k, tt in enumerate([298, 305, 330, 380, 460, 600, 800]):
        p = oa["pods"][k % 3]["name"]
        e = s.log(tt, "orders", p, 'ERROR o.s.b.w.s.c.ErrorPageFilter - Forwarding to error page from request [/api/orders] due to exception [org.postgresql.util.PSQLException: Connection to orders-pg.data.svc.cluster.local:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.]',
                  form="subj" if k == 3 else None, pin=k == 3)
        if k == 3:
            sym = e
    for k, tt in enumerate([310, 450, 700]):
        s.log(tt, "orders", ff["pods"][k % 2]["name"], 'time="%s" level=error msg="failed to reserve stock" error="pq: the database system is in recovery mode"' % s.ts(tt))
    s.alert(700, "PostgresqlDown", "Postgresql down (instance orders-pg-0)", {"namespace": "data", "pod": pgp, "_sev": "critical"}, ("Pod", "data", pgp), sev="ERROR",
            desc="Postgresql instance is down\n  VALUE = 0\n  LABELS = map[instance:orders-pg-0:9187]")
    s.alert(900, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "data", "pod": pgp, "container": "postgresql"}, ("Pod", "data", pgp),
            desc='Pod data/%s (postgresql) is in waiting state (reason: "CrashLoopBackOff").' % pgp)
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "data", "name": pgp},
                               {"kind": "PersistentVolumeClaim", "namespace": "data", "name": "data-orders-pg-0"}],
               "blast_radius": [{"kind": "Service", "namespace": "orders", "name": "orders-api"}]}
    return s


SCENARIOS = [bl01, bl02, bl03, bl04, bl05, bl06, bl07, bl08]
