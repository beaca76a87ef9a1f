#!/usr/bin/env python3
"""Scenario builder for new noisy scenarios (not part of the product). python3 .gen-scen.py OUTDIR"""
import json, random, sys, uuid, hashlib
from datetime import datetime, timedelta, timezone

OUT = sys.argv[1] if len(sys.argv) > 1 else "scenarios"


def iso(t, ms=False):
    s = t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return s + (".%03dZ" % (t.microsecond // 1000) if ms else "Z")


class S:
    def __init__(self, seed, cluster, t0, evstyle="norm", logstyle="subject", with_cluster=True):
        self.r = random.Random(seed)
        self.cluster = cluster
        self.t0 = t0
        self.msgs = []
        self.evstyle = evstyle
        self.logstyle = logstyle
        self.with_cluster = with_cluster
        self.uids = {}
        self.ips = {}
        self.evcount = {}

    def uid(self, key):
        if key not in self.uids:
            self.uids[key] = str(uuid.UUID(int=self.r.getrandbits(128), version=4))
        return self.uids[key]

    def hx(self, n=12):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def sfx(self, n=5):
        return "".join(self.r.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))

    def at(self, sec):
        return self.t0 + timedelta(seconds=sec)

    def ip(self, key, base="10.42"):
        if key not in self.ips:
            self.ips[key] = "%s.%d.%d" % (base, self.r.randint(0, 15), self.r.randint(2, 250))
        return self.ips[key]

    def put(self, topic, key, value):
        self.msgs.append({"topic": topic, "key": key, "value": value})

    # ---------------- state
    def res(self, sec, kind, name, ns=None, op="UPSERT", **fields):
        v = {"op": op, "at": iso(self.at(sec))}
        if self.with_cluster:
            v["cluster"] = self.cluster
        v["kind"] = kind
        v["uid"] = self.uid((kind, ns, name))
        if ns:
            v["namespace"] = ns
        v["name"] = name
        v.update(fields)
        self.put("state.k8s.resource", "%s:%s" % (kind.lower(), v["uid"]), v)

    def delete(self, sec, kind, name, ns=None):
        v = {"op": "DELETE", "at": iso(self.at(sec))}
        if self.with_cluster:
            v["cluster"] = self.cluster
        v.update({"kind": kind, "uid": self.uid((kind, ns, name)), "name": name})
        if ns:
            v["namespace"] = ns
        self.put("state.k8s.resource", "%s:%s" % (kind.lower(), v["uid"]), v)

    def edge(self, sec, frm, to, typ, tomb=False):
        key = "edge:%s->%s" % (frm, to)
        if tomb:
            self.msgs.append({"topic": "state.k8s.topology", "key": key, "value": None})
            return
        v = {"op": "UPSERT", "at": iso(self.at(sec)), "id": key, "from": frm, "to": to, "type": typ}
        if self.with_cluster:
            v["cluster"] = self.cluster
        self.put("state.k8s.topology", key, v)

    def node(self, sec, name, ready=True, **extra):
        cond = {"MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False", "Ready": "True" if ready else "Unknown"}
        cond.update(extra)
        self.res(sec, "Node", name, labels={"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                 status={"conditions": cond, "allocatable": {"cpu": "3920m", "memory": "15Gi", "pods": "110"}})

    def workload(self, sec, ns, app, nodes, replicas=2, image=None, port=8080, kind="Deployment", mem="512Mi",
                 svc=True, extra_spec=None, send_edges=True, labels_key="app"):
        image = image or "registry.example.net/%s/%s:%s" % (ns, app, "v%d.%d.%d" % (self.r.randint(1, 4), self.r.randint(0, 30), self.r.randint(0, 9)))
        lab = {labels_key: app}
        tmpl = {"metadata": {"labels": lab}, "spec": {"containers": [{"name": app, "image": image, "ports": [{"containerPort": port}],
                                                                        "resources": {"limits": {"memory": mem}, "requests": {"cpu": "100m", "memory": mem}}}]}}
        if extra_spec:
            tmpl["spec"].update(extra_spec)
        spec = {"replicas": replicas, "selector": {"matchLabels": lab}, "template": tmpl}
        pods = []
        if kind == "Deployment":
            self.res(sec, "Deployment", app, ns, labels=lab, image=image, replicas=replicas, spec=spec,
                     status={"replicas": replicas, "readyReplicas": replicas})
            h = self.sfx(10)
            rs = "%s-%s" % (app, h)
            self.res(sec, "ReplicaSet", rs, ns, labels=dict(lab, **{"pod-template-hash": h}), image=image, replicas=replicas,
                     ownerRefs=[{"kind": "Deployment", "name": app, "uid": self.uid(("Deployment", ns, app)), "controller": True}])
            if send_edges:
                self.edge(sec, "deployment:%s:%s" % (ns, app), "replicaset:%s:%s" % (ns, rs), "CONTROLS")
            owner = ("ReplicaSet", rs)
            names = ["%s-%s" % (rs, self.sfx()) for _ in range(replicas)]
        else:
            spec["serviceName"] = app + "-headless"
            self.res(sec, "StatefulSet", app, ns, labels=lab, image=image, replicas=replicas, spec=spec,
                     status={"replicas": replicas, "readyReplicas": replicas})
            owner = ("StatefulSet", app)
            names = ["%s-%d" % (app, i) for i in range(replicas)]
        for i, pn in enumerate(names):
            nd = nodes[i % len(nodes)]
            self.pod(sec + 1 + i, ns, pn, owner, nd, image, lab, send_edges=send_edges)
            pods.append(pn)
        if svc:
            self.res(sec + 1, "Service", app, ns, labels=lab, serviceSelector=lab,
                     spec={"type": "ClusterIP", "clusterIP": self.ip(("svc", ns, app), "10.96"), "ports": [{"port": port, "targetPort": port}]})
            if send_edges:
                for pn in pods:
                    self.edge(sec + 2, "service:%s:%s" % (ns, app), "pod:%s:%s" % (ns, pn), "SELECTS")
        return pods

    def pod(self, sec, ns, name, owner, node, image, labels, restarts=0, phase="Running", send_edges=True, **extra):
        self.res(sec, "Pod", name, ns, labels=labels,
                 ownerRefs=[{"kind": owner[0], "name": owner[1], "uid": self.uid((owner[0], ns, owner[1])), "controller": True}],
                 node=node, podIP=self.ip(("pod", ns, name)), image=image,
                 status={"phase": phase, "restartCount": restarts, "containerReady": phase == "Running"}, **extra)
        if send_edges:
            self.edge(sec, "pod:%s:%s" % (ns, name), "node:%s" % node, "RUNS_ON")
            self.edge(sec, "%s:%s:%s" % (owner[0].lower(), ns, owner[1]), "pod:%s:%s" % (ns, name), "CONTROLS")

    # ---------------- events
    def ev(self, sec, kind, name, reason, message, ns=None, sev=None, component="kubelet", host=None, key=None,
           style=None, by_uid=False, count=None):
        style = style or self.evstyle
        t = self.at(sec)
        key = key or (kind, ns, name, reason, message[:40])
        first = key not in self.evcount
        if first:
            self.evcount[key] = [0, str(uuid.UUID(int=self.r.getrandbits(128), version=4)), t]
        self.evcount[key][0] += 1
        n, eid, t1 = self.evcount[key]
        if count is not None:
            n = count
        warn = sev in ("WARNING", "ERROR", "FATAL", "CRITICAL") if sev else reason not in ("Pulled", "Created", "Started", "Scheduled", "SuccessfulCreate", "Killing", "ScalingReplicaSet", "SuccessfulDelete", "Issuing", "SawCompletedJob", "Completed")
        if style == "raw":
            v = {"metadata": {"name": "%s.%s" % (name, self.hx(16)), "namespace": ns or "default", "uid": eid,
                              "resourceVersion": str(self.r.randint(10**7, 10**8)), "creationTimestamp": iso(t1)},
                 "involvedObject": {"kind": kind, "name": name, "uid": self.uid((kind, ns, name)), "apiVersion": "v1"},
                 "reason": reason, "message": message, "source": {"component": component, **({"host": host} if host else {})},
                 "firstTimestamp": iso(t1), "lastTimestamp": iso(t), "count": n, "type": "Warning" if warn else "Normal"}
            if ns:
                v["involvedObject"]["namespace"] = ns
            if self.with_cluster:
                v["cluster"] = self.cluster
            self.put("events.normalized", eid, v)
        else:
            subj = {"kind": kind, "uid": self.uid((kind, ns, name))}
            if not by_uid:
                if ns:
                    subj["ns"] = ns
                subj["name"] = name
            v = {"event_id": eid, "event_time": iso(t), "etype": "k8s.event",
                 "severity": sev or ("WARNING" if warn else "INFO"), "reason": reason, "message": message,
                 "subject": subj, "source": {"component": component, **({"host": host} if host else {})}, "count": n}
            if n > 1:
                v["first_time"] = iso(t1)
            if self.with_cluster:
                v["cluster"] = self.cluster
            self.put("events.normalized", eid, v)
        return eid

    def sw(self, sec, ns, pod, reason, message, sev="FATAL", host=None):
        """A state-watcher event (one id per occurrence)."""
        eid = "sw-" + self.hx()
        v = {"event_id": eid, "event_time": iso(self.at(sec)), "etype": "k8s.event", "severity": sev, "reason": reason,
             "message": message, "subject": {"kind": "Pod", "uid": self.uid(("Pod", ns, pod)), "ns": ns, "name": pod},
             "source": {"component": "state-watcher", **({"host": host} if host else {})}, "count": 1}
        if self.with_cluster:
            v["cluster"] = self.cluster
        self.put("events.normalized", eid, v)
        return eid

    def log(self, sec, ns, pod, container, message, sev="ERROR", style=None):
        style = style or self.logstyle
        eid = "l-" + self.hx(16)
        t = self.at(sec) + timedelta(milliseconds=self.r.randint(0, 999))
        if style == "kubernetes":
            v = {"event_id": eid, "event_time": iso(t, True), "severity": sev.lower(), "message": message,
                 "kubernetes": {"pod_uid": self.uid(("Pod", ns, pod)), "pod_namespace": ns, "pod_name": pod, "container_name": container},
                 "stream": "stderr" if sev != "INFO" else "stdout"}
        else:
            v = {"event_id": eid, "event_time": iso(t, True), "etype": "k8s.log", "severity": sev, "message": message,
                 "subject": {"kind": "Pod", "uid": self.uid(("Pod", ns, pod)), "ns": ns, "name": pod}, "container": container}
        if self.with_cluster:
            v["cluster"] = self.cluster
        self.put("logs.normalized", self.uid(("Pod", ns, pod)), v)
        return eid

    def alert(self, sec, name, labels, message, sev="WARNING", status="firing"):
        eid = self.hx(16)
        v = {"event_id": eid, "event_time": iso(self.at(sec)), "etype": "prom.alert", "severity": sev, "reason": name,
             "message": message, "status": status, "labels": dict(alertname=name, **labels),
             "annotations": {"summary": message}}
        if self.with_cluster:
            v["cluster"] = self.cluster
        self.put("alerts.enriched", eid, v)
        return eid

    # ---------------- noise
    def lifecycle(self, sec, ns, pod, container, image, host):
        self.ev(sec, "Pod", pod, "Scheduled", "Successfully assigned %s/%s to %s" % (ns, pod, host), ns, component="default-scheduler")
        self.ev(sec + 2, "Pod", pod, "Pulled", 'Container image "%s" already present on machine' % image, ns, host=host)
        self.ev(sec + 2, "Pod", pod, "Created", "Created container %s" % container, ns, host=host)
        self.ev(sec + 3, "Pod", pod, "Started", "Started container %s" % container, ns, host=host)

    def sandbox_storm(self, sec, ns, pod, host, n=6, every=20):
        for i in range(n):
            self.ev(sec + i * every, "Pod", pod, "FailedCreatePodSandBox",
                    'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "%s": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized' % self.hx(64),
                    ns, sev="WARNING", host=host, key=("sb", ns, pod))

    def backoff_noise(self, sec, ns, pod, container, host, n=5, every=45):
        for i in range(n):
            self.ev(sec + i * every, "Pod", pod, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)" % (container, pod, ns, self.uid(("Pod", ns, pod))),
                    ns, sev="WARNING", host=host, key=("bo", ns, pod))
            self.log(sec + i * every - 3, ns, pod, container, "Error: connect ECONNREFUSED 127.0.0.1:6379", "ERROR")

    def dnsconfig(self, sec, ns, pod, host, n=4, every=120):
        for i in range(n):
            self.ev(sec + i * every, "Pod", pod, "DNSConfigForming",
                    "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.2 10.0.0.3 10.0.0.4",
                    ns, sev="WARNING", host=host, key=("dns", ns, pod))

    def info_logs(self, sec, ns, pod, container, n=6, every=30):
        for i in range(n):
            self.log(sec + i * every, ns, pod, container,
                     '{"level":"info","msg":"request completed","method":"GET","path":"/healthz","status":200,"duration_ms":%d}' % self.r.randint(1, 40), "INFO")

    def watchdog(self, sec):
        self.alert(sec, "Watchdog", {"namespace": "monitoring", "severity": "none"},
                   "This is an alert meant to ensure that the entire alerting pipeline is functional.", sev="INFO")

    # ---------------- output
    def shuffle_late(self, frac=0.12, span=8):
        """Out-of-order delivery: move some messages later by a few positions."""
        m = self.msgs
        for _ in range(int(len(m) * frac)):
            i = self.r.randrange(0, len(m) - 1)
            j = min(len(m) - 1, i + self.r.randint(1, span))
            m.insert(j, m.pop(i))

    def write(self, name, fault, description, symptom, roots, blast=None):
        d = {"name": name, "fault": fault, "description": description, "messages": self.msgs,
             "symptom": {"event_id": symptom}, "truth": {"root_causes": roots}}
        if blast:
            d["truth"]["blast_radius"] = blast
        with open("%s/%s.json" % (OUT, name), "w") as f:
            json.dump(d, f, indent=1)
            f.write("\n")
        print("wrote", name, len(self.msgs), "messages")


def oom_msg(c, n):
    return "Container %s terminated with OOMKilled (exit code 137), restart count %d" % (c, n)


def common_noise(s, nodes, t_end, ns_noise="tools"):
    """Unrelated background: lifecycle, DNSConfigForming, a sandbox storm, a crash-looping cache client, Watchdog."""
    s.watchdog(5)
    nz = s.workload(20, ns_noise, "cache-warmer", nodes, replicas=1, port=9000)
    s.backoff_noise(300, ns_noise, nz[0], "cache-warmer", nodes[0], n=max(3, t_end // 200))
    s.dnsconfig(60, ns_noise, nz[0], nodes[0], n=max(2, t_end // 300))
    s.workload(25, "kube-system", "metrics-agent", nodes, replicas=len(nodes), port=9100, svc=False)
    stormpod = "batch-runner-%s-%s" % (s.sfx(9), s.sfx())
    s.sandbox_storm(t_end // 3, "batch", stormpod, nodes[-1], n=8, every=15)
    return nz


def sc_oom_caller():
    s = S(101, "prod-eu-west-3", datetime(2025, 5, 14, 9, 12, 0, tzinfo=timezone.utc), evstyle="norm", logstyle="subject")
    nodes = ["ip-10-40-%d-%d.eu-west-3.compute.internal" % (s.r.randint(0, 255), s.r.randint(0, 255)) for _ in range(4)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1500)
    led = s.workload(40, "ledger", "ledger-writer", nodes[:2], replicas=2, mem="768Mi")
    chk = s.workload(45, "storefront", "checkout-api", nodes[1:3], replicas=2)
    s.workload(50, "storefront", "cart", nodes[2:], replicas=2)
    svc_ip = s.ips[("svc", "ledger", "ledger-writer")]
    s.info_logs(100, "storefront", chk[0], "checkout-api", n=10)
    s.info_logs(110, "ledger", led[0], "ledger-writer", n=8)
    # heap grows, GC thrash, then caller errors; the OOM kill is stamped after the first caller errors
    for i in range(4):
        s.log(600 + i * 30, "ledger", led[0], "ledger-writer", "[GC (Allocation Failure) %dM->%dM(768M), 0.41 secs]" % (600 + i * 30, 590 + i * 40), "WARNING")
    first = s.log(735, "storefront", chk[0], "checkout-api",
                  'POST http://ledger-writer.ledger.svc.cluster.local:8080/v1/entries failed: upstream request timeout (504)', "ERROR")
    sym = s.log(742, "storefront", chk[1], "checkout-api",
                'level=error msg="ledger write failed" err="dial tcp %s:8080: connect: connection refused" order_id=ord_%s' % (svc_ip, s.hx(8)), "ERROR")
    s.sw(760, "ledger", led[0], "OOMKilled", oom_msg("ledger-writer", 1), host=nodes[0])
    s.res(761, "Pod", led[0], "ledger", labels={"app": "ledger-writer"},
          ownerRefs=[{"kind": "ReplicaSet", "name": led[0].rsplit("-", 1)[0], "uid": s.uid(("ReplicaSet", "ledger", led[0].rsplit("-", 1)[0])), "controller": True}],
          node=nodes[0], podIP=s.ips[("pod", "ledger", led[0])], status={"phase": "Running", "restartCount": 1, "containerReady": False})
    for i in range(6):
        s.ev(770 + i * 40, "Pod", led[0], "BackOff", "Back-off restarting failed container ledger-writer in pod %s_ledger(%s)" % (led[0], s.uid(("Pod", "ledger", led[0]))), "ledger", sev="WARNING", host=nodes[0], key=("bo", led[0]))
        s.log(750 + i * 40, "storefront", chk[i % 2], "checkout-api", 'POST http://ledger-writer.ledger.svc.cluster.local:8080/v1/entries: 503 Service Unavailable', "ERROR")
    s.sw(880, "ledger", led[0], "OOMKilled", oom_msg("ledger-writer", 2), host=nodes[0])
    s.sw(881, "ledger", led[0], "CrashLoopBackOff", "back-off 20s restarting failed container=ledger-writer pod=%s_ledger" % led[0], host=nodes[0])
    # a second, unrelated incident: cart image bumped to a missing tag
    s.res(900, "Deployment", "cart", "storefront", labels={"app": "cart"}, image="registry.example.net/storefront/cart:v2.9.0-rc1", replicas=2,
          spec={"replicas": 2, "selector": {"matchLabels": {"app": "cart"}}, "template": {"spec": {"containers": [{"name": "cart", "image": "registry.example.net/storefront/cart:v2.9.0-rc1"}]}}})
    cp = "cart-%s-%s" % (s.sfx(10), s.sfx())
    for i in range(4):
        s.ev(910 + i * 30, "Pod", cp, "Failed", 'Failed to pull image "registry.example.net/storefront/cart:v2.9.0-rc1": not found', "storefront", sev="WARNING", key=("pull", cp))
    s.alert(950, "KubeContainerWaiting", {"namespace": "tools", "pod": "x", "severity": "warning"}, "pod has been in waiting state for longer than 1 hour.")
    s.shuffle_late()
    s.write("oomkill-05-ledger-heap-oom-caller-refused-late-stamp", "oomkill",
            "ledger-writer's heap outgrows its 768Mi limit; checkout-api's calls time out and are refused before the OOM kill is reported; noise: an unrelated crash loop, a sandbox storm, a second incident (cart image tag missing)",
            sym, [{"kind": "Pod", "namespace": "ledger", "name": led[0], "reason": "OOMKilled"}])


def sc_oom_alert_on_deployment():
    s = S(202, "aks-live-westeu", datetime(2025, 2, 3, 22, 40, 0, tzinfo=timezone.utc), evstyle="raw", logstyle="kubernetes", with_cluster=True)
    nodes = ["aks-pool1-3108844-vmss00000%d" % i for i in range(4)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1400, ns_noise="ops")
    pods = s.workload(30, "maps", "geo-tiles", nodes[:3], replicas=3, mem="256Mi")
    s.workload(35, "maps", "route-cache", nodes[1:], replicas=2)
    # unrelated node memory pressure on node 3 evicts a besteffort pod of another team
    s.res(500, "Node", nodes[3], labels={"kubernetes.io/hostname": nodes[3]},
          status={"conditions": {"MemoryPressure": "True", "DiskPressure": "False", "PIDPressure": "False", "Ready": "True"}})
    s.ev(505, "Pod", "report-gen-7x2lq", "Evicted", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91232Ki.", "ops", sev="WARNING", component="kubelet", host=nodes[3])
    # two geo-tiles pods OOM repeatedly; one is replaced (bare DELETE) and the replacement OOMs too
    for k, p in enumerate(pods[:2]):
        base = 700 + k * 25
        for n in range(1, 4):
            s.sw(base + n * 70, "maps", p, "OOMKilled", oom_msg("geo-tiles", n), host=nodes[k])
            s.ev(base + n * 70 + 2, "Pod", p, "BackOff", "Back-off restarting failed container geo-tiles in pod %s_maps(%s)" % (p, s.uid(("Pod", "maps", p))), "maps", host=nodes[k], key=("bo", p))
    s.delete(990, "Pod", pods[1], "maps")
    s.edge(0, "pod:maps:%s" % pods[1], "node:%s" % nodes[1], "RUNS_ON", tomb=True)
    newp = pods[1].rsplit("-", 1)[0] + "-" + s.sfx()
    rs = pods[1].rsplit("-", 1)[0]
    s.pod(995, "maps", newp, ("ReplicaSet", rs), nodes[2], "registry.example.net/maps/geo-tiles:v1", {"app": "geo-tiles"})
    s.lifecycle(996, "maps", newp, "geo-tiles", "registry.example.net/maps/geo-tiles:v1", nodes[2])
    s.sw(1060, "maps", newp, "OOMKilled", oom_msg("geo-tiles", 1), host=nodes[2])
    s.ev(1061, "Pod", pods[2], "Unhealthy", "Readiness probe failed: Get \"http://%s:8080/ready\": context deadline exceeded" % s.ips[("pod", "maps", pods[2])], "maps", sev="WARNING", host=nodes[2])
    sym = s.alert(860, "KubeDeploymentReplicasMismatch", {"namespace": "maps", "deployment": "geo-tiles", "severity": "warning"},
                  "Deployment maps/geo-tiles has not matched the expected number of replicas for longer than 15 minutes.")
    # HPA noise
    s.res(40, "HorizontalPodAutoscaler", "route-cache", "maps", spec={"scaleTargetRef": {"kind": "Deployment", "name": "route-cache"}, "minReplicas": 2, "maxReplicas": 6})
    s.ev(600, "HorizontalPodAutoscaler", "route-cache", "SuccessfulRescale", "New size: 3; reason: cpu resource utilization (percentage of request) above target", "maps", component="horizontal-pod-autoscaler")
    s.shuffle_late(0.15)
    s.write("oomkill-06-tile-renderer-oom-replicas-mismatch-alert", "oomkill",
            "geo-tiles pods are OOM-killed over and over (256Mi limit); one is replaced and its replacement dies too; the operator starts from a replicas-mismatch alert on the Deployment; noise: memory pressure and an eviction on an unrelated node, HPA rescale, readiness failures",
            sym, [{"kind": "Pod", "namespace": "maps", "name": p, "reason": "OOMKilled"} for p in pods[:2]] + [{"kind": "Pod", "namespace": "maps", "name": newp, "reason": "OOMKilled"}])


def sc_oom_ingress():
    s = S(303, "gke-prd-asia-east1", datetime(2024, 12, 9, 3, 5, 0, tzinfo=timezone.utc), evstyle="norm", logstyle="kubernetes")
    nodes = ["gke-prd-asia-east1-pool-2-%s-%s" % (s.hx(8), s.sfx(4)) for _ in range(3)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1300, ns_noise="data")
    rep = s.workload(30, "reporting", "pdf-export", nodes, replicas=2, mem="1Gi", port=8081)
    s.res(33, "Ingress", "pdf-export", "reporting", spec={"rules": [{"host": "reports.example.com", "http": {"paths": [{"path": "/", "backend": {"service": {"name": "pdf-export", "port": {"number": 8081}}}}]}}]})
    s.edge(34, "ingress:reporting:pdf-export", "service:reporting:pdf-export", "ROUTES_TO")
    # an unrelated config change in another namespace and a rollout of another team's deployment
    s.res(200, "ConfigMap", "feature-flags", "data", data={"NEW_SEARCH": "true"})
    s.res(400, "ConfigMap", "feature-flags", "data", data={"NEW_SEARCH": "false"})
    s.workload(420, "data", "etl-scheduler", nodes[:1], replicas=1)
    for i in range(3):
        s.log(500 + i * 20, "reporting", rep[1], "pdf-export", "java.lang.OutOfMemoryError: Java heap space\n\tat com.example.pdf.Renderer.render(Renderer.java:212)", "ERROR")
    for n in range(1, 4):
        s.sw(560 + n * 90, "reporting", rep[1], "OOMKilled", oom_msg("pdf-export", n), host=nodes[1])
        s.ev(562 + n * 90, "Pod", rep[1], "BackOff", "Back-off restarting failed container pdf-export in pod %s_reporting(%s)" % (rep[1], s.uid(("Pod", "reporting", rep[1]))), "reporting", host=nodes[1], key=("bo", rep[1]), by_uid=True)
    s.log(640, "reporting", rep[0], "pdf-export", "WARN  o.e.pdf.Queue - render queue depth 412 above 200, shedding", "WARNING")
    sym = s.alert(700, "NginxIngressHigh5xxRate", {"namespace": "reporting", "ingress": "pdf-export", "service": "pdf-export", "severity": "critical"},
                  "Ingress reporting/pdf-export is serving 23.4% 5xx responses.", sev="CRITICAL")
    s.shuffle_late()
    s.write("oomkill-07-pdf-export-java-heap-ingress-5xx", "oomkill",
            "pdf-export's JVM heap exceeds its 1Gi limit on large reports; one replica is OOM-killed and crash-loops and the ingress in front of it serves 5xx; noise: config edits and a rollout in another namespace, a sandbox storm, an unrelated crash loop",
            sym, [{"kind": "Pod", "namespace": "reporting", "name": rep[1], "reason": "OOMKilled"}])


def sc_dns_scaled_zero():
    s = S(404, "eks-prod-eu-north-1", datetime(2025, 8, 19, 14, 20, 0, tzinfo=timezone.utc), evstyle="raw", logstyle="subject")
    nodes = ["ip-172-31-%d-%d.eu-north-1.compute.internal" % (s.r.randint(0, 255), s.r.randint(0, 255)) for _ in range(3)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1200, ns_noise="platform")
    dns = s.workload(10, "kube-system", "coredns", nodes[:2], replicas=2, port=53, svc=False, labels_key="k8s-app")
    s.res(12, "Service", "kube-dns", "kube-system", labels={"k8s-app": "kube-dns"}, serviceSelector={"k8s-app": "coredns"},
          spec={"type": "ClusterIP", "clusterIP": "10.100.0.10", "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]})
    for p in dns:
        s.edge(13, "service:kube-system:kube-dns", "pod:kube-system:%s" % p, "SELECTS")
    app = s.workload(40, "fulfil", "pick-planner", nodes, replicas=2)
    s.workload(45, "fulfil", "label-printer", nodes[1:], replicas=1)
    # a cleanup script scales coredns down
    s.res(600, "Deployment", "coredns", "kube-system", labels={"k8s-app": "coredns"}, image="602401143452.dkr.ecr.eu-north-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4", replicas=0,
          spec={"replicas": 0, "selector": {"matchLabels": {"k8s-app": "coredns"}}})
    s.ev(600, "Deployment", "coredns", "ScalingReplicaSet", "Scaled down replica set coredns-%s to 0" % s.sfx(10), "kube-system", component="deployment-controller")
    for i, p in enumerate(dns):
        s.ev(602, "Pod", p, "Killing", "Stopping container coredns", "kube-system", host=nodes[i])
        s.delete(606 + i, "Pod", p, "kube-system")
        s.edge(0, "service:kube-system:kube-dns", "pod:kube-system:%s" % p, "", tomb=True)
        s.edge(0, "pod:kube-system:%s" % p, "node:%s" % nodes[i], "", tomb=True)
    sym = None
    for i in range(8):
        e = s.log(640 + i * 35, "fulfil", app[i % 2], "pick-planner",
                  'level=error msg="refresh stock levels" err="Get \\"http://inventory.stock.svc.cluster.local/v2/levels\\": dial tcp: lookup inventory.stock.svc.cluster.local on 10.100.0.10:53: read udp %s:4%04d->10.100.0.10:53: i/o timeout"' % (s.ips[("pod", "fulfil", app[i % 2])], i), "ERROR")
        if i == 2:
            sym = e
    s.log(700, "fulfil", app[0], "pick-planner", "java.net.UnknownHostException: s3.eu-north-1.amazonaws.com: Temporary failure in name resolution", "ERROR")
    # unrelated: label-printer probe flaps
    s.ev(500, "Pod", "label-printer-x", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", "fulfil", sev="WARNING")
    s.shuffle_late()
    s.write("dns-failure-04-coredns-scaled-to-zero-pods-deleted-bare", "dns-failure",
            "a cleanup script scales kube-system/coredns to zero; its pods are deleted (tombstones carry only uid and name) and every lookup through kube-dns times out; the symptom is a caller's log",
            sym, [{"kind": "Deployment", "namespace": "kube-system", "name": "coredns"}])


def sc_tls_ca_rotation():
    s = S(505, "onprem-muc-2", datetime(2025, 3, 27, 7, 0, 0, tzinfo=timezone.utc), evstyle="norm", logstyle="kubernetes")
    nodes = ["k8s-w%02d.muc2.internal" % i for i in range(1, 5)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1300, ns_noise="monitoring")
    nats = s.workload(20, "messaging", "nats", nodes[:3], replicas=3, port=4222, kind="StatefulSet")
    s.res(22, "Certificate", "nats-server-tls", "messaging", spec={"secretName": "nats-server-tls", "issuerRef": {"kind": "ClusterIssuer", "name": "platform-ca-2024"},
                                                                  "dnsNames": ["*.nats-headless.messaging.svc.cluster.local", "*.nats-headless.messaging.svc"]},
          status={"conditions": [{"type": "Ready", "status": "True"}]})
    s.res(22, "Secret", "nats-server-tls", "messaging", type="kubernetes.io/tls", data={"tls.crt": "(redacted)", "tls.key": "(redacted)", "ca.crt": "(redacted)"})
    cl = s.workload(40, "orders", "order-events", nodes[1:], replicas=2)
    s.workload(45, "orders", "order-api", nodes, replicas=2)
    # the platform team switches the certificate to the new CA; clients still trust only the old one
    s.res(700, "Certificate", "nats-server-tls", "messaging", spec={"secretName": "nats-server-tls", "issuerRef": {"kind": "ClusterIssuer", "name": "platform-ca-2025"},
                                                                   "dnsNames": ["*.nats-headless.messaging.svc.cluster.local", "*.nats-headless.messaging.svc"]},
          status={"conditions": [{"type": "Ready", "status": "True"}], "revision": 7})
    s.ev(701, "Certificate", "nats-server-tls", "Issuing", "Issuing certificate as Secret was previously issued by ClusterIssuer.cert-manager.io/platform-ca-2024", "messaging", component="cert-manager-certificates-trigger")
    s.ev(704, "Certificate", "nats-server-tls", "Issuing", "The certificate has been successfully issued", "messaging", component="cert-manager-certificates-issuing")
    s.res(704, "Secret", "nats-server-tls", "messaging", type="kubernetes.io/tls", data={"tls.crt": "(redacted)", "tls.key": "(redacted)", "ca.crt": "(redacted)"},
          annotations={"cert-manager.io/issuer-name": "platform-ca-2025"})
    for i, p in enumerate(nats):
        s.log(740 + i * 5, "messaging", p, "nats", "[1] 2025/03/27 07:12:%02d.000000 [INF] Reloaded server configuration" % (20 + i), "INFO")
    sym = None
    for i in range(10):
        e = s.log(760 + i * 25, "orders", cl[i % 2], "order-events",
                  "nats: error: tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"platform-ca-2024\"), server=nats://%s.nats-headless.messaging.svc.cluster.local:4222" % nats[i % 3], "ERROR")
        if i == 3:
            sym = e
    # second, unrelated incident: order-api liveness fails after a config edit in another namespace
    s.res(720, "ConfigMap", "order-api-config", "orders", data={"POOL_SIZE": "2"})
    s.ev(800, "Pod", "order-api-x", "Unhealthy", "Liveness probe failed: Get \"http://10.1.1.1:8080/healthz\": context deadline exceeded", "orders", sev="WARNING")
    s.shuffle_late()
    s.write("tls-expired-04-nats-cert-reissued-by-new-ca-clients-untrusted", "tls-expired",
            "the NATS server certificate is re-issued by a new ClusterIssuer; clients still trusting the old CA fail verification when they dial <pod>.nats-headless.messaging.svc; nothing mounts the Secret in the state sent",
            sym, [{"kind": "Certificate", "namespace": "messaging", "name": "nats-server-tls"}])


def sc_cred_rotation():
    s = S(606, "prod-ca-central-1", datetime(2025, 10, 2, 1, 0, 0, tzinfo=timezone.utc), evstyle="raw", logstyle="subject")
    nodes = ["ip-10-60-%d-%d.ca-central-1.compute.internal" % (s.r.randint(0, 255), s.r.randint(0, 255)) for _ in range(3)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1200, ns_noise="finance-tools")
    s.res(10, "CronJob", "ledger-reconcile", "finance", labels={"app": "ledger-reconcile"}, image="registry.example.net/finance/ledger-reconcile:4.2.0",
          spec={"schedule": "0 * * * *", "jobTemplate": {"spec": {"backoffLimit": 2}}})
    s.res(11, "Secret", "ledger-reconcile-db", "finance", type="Opaque", data={"PGUSER": "(redacted)", "PGPASSWORD": "(redacted)"})
    s.res(11, "Secret", "ledger-api-tls", "finance", type="kubernetes.io/tls", data={"tls.crt": "(redacted)"})
    s.workload(15, "finance", "ledger-api", nodes, replicas=2)
    # rotation job rewrites the password in the Secret but the database user was not updated
    s.res(1800 - 1500, "Secret", "ledger-reconcile-db", "finance", type="Opaque", data={"PGUSER": "(redacted)", "PGPASSWORD": "(redacted)"},
          annotations={"rotated-by": "vault-rotator", "rotated-at": "2025-10-02T01:05:00Z"})
    job = "ledger-reconcile-29322060"
    s.res(600, "Job", job, "finance", labels={"job-name": job}, ownerRefs=[{"kind": "CronJob", "name": "ledger-reconcile", "uid": s.uid(("CronJob", "finance", "ledger-reconcile")), "controller": True}],
          spec={"backoffLimit": 2})
    s.ev(600, "CronJob", "ledger-reconcile", "SuccessfulCreate", "Created job %s" % job, "finance", component="cronjob-controller")
    pods = []
    for k in range(3):
        p = "%s-%s" % (job, s.sfx())
        pods.append(p)
        t = 602 + k * 40
        s.pod(t, "finance", p, ("Job", job), nodes[k % 3], "registry.example.net/finance/ledger-reconcile:4.2.0", {"job-name": job}, send_edges=(k != 1))
        s.ev(t, "Job", job, "SuccessfulCreate", "Created pod: %s" % p, "finance", component="job-controller", key=("jc", p))
        s.lifecycle(t, "finance", p, "reconcile", "registry.example.net/finance/ledger-reconcile:4.2.0", nodes[k % 3])
        s.log(t + 6, "finance", p, "reconcile", 'psql: error: connection to server at "ledger-pg.finance.svc" (10.100.31.7), port 5432 failed: FATAL:  password authentication failed for user "reconciler"', "ERROR")
        s.sw(t + 7, "finance", p, "Error", "Container reconcile terminated with Error (exit code 2), restart count 0", host=nodes[k % 3])
    sym = s.ev(725, "Job", job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", "finance", sev="WARNING", component="job-controller")
    s.alert(760, "KubeJobFailed", {"namespace": "finance", "job_name": job, "severity": "warning"}, "Job finance/%s failed to complete." % job)
    s.shuffle_late()
    s.write("job-failure-05-db-password-rotated-reconcile-cronjob", "job-failure",
            "a rotator rewrites the ledger-reconcile-db Secret with a password the database does not know; the hourly job's pods fail authentication and the Job hits its backoff limit; the pod specs sent name no Secret",
            sym, [{"kind": "Secret", "namespace": "finance", "name": "ledger-reconcile-db"}])


def sc_remote_disk_full():
    s = S(707, "hetzner-fsn1-prod", datetime(2025, 6, 30, 18, 30, 0, tzinfo=timezone.utc), evstyle="norm", logstyle="kubernetes")
    nodes = ["fsn1-worker-%d" % i for i in range(1, 5)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1300, ns_noise="ci")
    mn = s.workload(10, "media", "minio", nodes[:4], replicas=4, port=9000, kind="StatefulSet")
    for i, p in enumerate(mn):
        s.res(12, "PersistentVolumeClaim", "export-minio-%d" % i, "media", spec={"accessModes": ["ReadWriteOnce"], "volumeName": "pvc-%s" % s.uid(("pv", i))},
              status={"phase": "Bound", "capacity": {"storage": "200Gi"}})
    up = s.workload(30, "media", "thumb-uploader", nodes[1:3], replicas=2)
    s.workload(35, "media", "transcoder", nodes[2:], replicas=2)
    s.alert(620, "KubePersistentVolumeFillingUp", {"namespace": "media", "persistentvolumeclaim": "export-minio-2", "severity": "warning"},
            "The PersistentVolume claimed by export-minio-2 in Namespace media is only 2.71% free.")
    s.alert(760, "KubePersistentVolumeFillingUp", {"namespace": "media", "persistentvolumeclaim": "export-minio-2", "severity": "critical"},
            "The PersistentVolume claimed by export-minio-2 in Namespace media is only 0.4% free.", sev="CRITICAL")
    for i in range(4):
        s.log(700 + i * 30, "media", mn[2], "minio", "API: SYSTEM()\nTime: 18:4%d:00 UTC\nError: write /export/.minio.sys/tmp/%s: no space left on device" % (i, s.uid(("tmp", i))), "ERROR")
    sym = None
    for i in range(8):
        e = s.log(720 + i * 28, "media", up[i % 2], "thumb-uploader",
                  '{"level":"error","msg":"put object failed","bucket":"thumbs","err":"We encountered an internal error, please try again.: cause(write /export/thumbs/%s: no space left on device)","status":500}' % s.hx(10), "ERROR")
        if i == 2:
            sym = e
    # unrelated: a transcoder rollout and CPU throttling
    s.alert(650, "CPUThrottlingHigh", {"namespace": "media", "pod": "transcoder-x", "container": "transcoder", "severity": "info"}, "41.2% throttling of CPU in namespace media for container transcoder.", sev="INFO")
    s.shuffle_late()
    s.write("pvc-full-04-minio-drive-full-uploaders-500", "pvc-full",
            "one MinIO drive's claim fills up; uploads routed to it fail with a relayed ENOSPC inside a 500; the uploader's logs name no host",
            sym, [{"kind": "PersistentVolumeClaim", "namespace": "media", "name": "export-minio-2"}])


def sc_rbac_bare_delete():
    s = S(808, "rke2-lab-ams", datetime(2025, 1, 11, 4, 0, 0, tzinfo=timezone.utc), evstyle="raw", logstyle="kubernetes")
    nodes = ["ams-node-%02d" % i for i in range(1, 4)]
    for i, n in enumerate(nodes):
        s.node(i, n)
    common_noise(s, nodes, 1200, ns_noise="apps")
    s.res(10, "ServiceAccount", "release-bot", "delivery")
    s.res(10, "Role", "deployment-patcher", "delivery", spec={"rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "patch"]}]})
    s.res(10, "RoleBinding", "release-bot-patcher", "delivery", roleRef={"kind": "Role", "name": "deployment-patcher"},
          subjects=[{"kind": "ServiceAccount", "name": "release-bot", "namespace": "delivery"}])
    s.res(11, "CronJob", "nightly-promote", "delivery", spec={"schedule": "*/10 * * * *", "jobTemplate": {"spec": {"backoffLimit": 1, "template": {"spec": {"serviceAccountName": "release-bot"}}}}})
    s.workload(20, "delivery", "web", nodes, replicas=2)
    # a tidy-up deletes the RoleBinding; the DELETE carries only uid and name
    s.delete(400, "RoleBinding", "release-bot-patcher", "delivery")
    job = "nightly-promote-28942330"
    s.res(600, "Job", job, "delivery", ownerRefs=[{"kind": "CronJob", "name": "nightly-promote", "uid": s.uid(("CronJob", "delivery", "nightly-promote"))}],
          spec={"backoffLimit": 1, "template": {"spec": {"serviceAccountName": "release-bot"}}})
    for k in range(2):
        p = "%s-%s" % (job, s.sfx())
        t = 602 + k * 30
        s.pod(t, "delivery", p, ("Job", job), nodes[k], "bitnami/kubectl:1.30", {"job-name": job}, spec={"serviceAccountName": "release-bot"})
        s.lifecycle(t, "delivery", p, "promote", "bitnami/kubectl:1.30", nodes[k])
        s.log(t + 5, "delivery", p, "promote", 'Error from server (Forbidden): deployments.apps "web" is forbidden: User "system:serviceaccount:delivery:release-bot" cannot patch resource "deployments" in API group "apps" in the namespace "delivery"', "ERROR")
        s.sw(t + 6, "delivery", p, "Error", "Container promote terminated with Error (exit code 1), restart count 0", host=nodes[k])
    sym = s.ev(670, "Job", job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", "delivery", sev="WARNING", component="job-controller")
    s.shuffle_late()
    s.write("job-failure-06-rolebinding-deleted-bare-tombstone-forbidden", "job-failure",
            "a tidy-up deletes the RoleBinding granting release-bot its Role; the DELETE carries only uid and name, and the next promote job is forbidden to patch deployments",
            sym, [{"kind": "RoleBinding", "namespace": "delivery", "name": "release-bot-patcher"}])


if __name__ == "__main__":
    for f in [sc_oom_caller, sc_oom_alert_on_deployment, sc_oom_ingress, sc_dns_scaled_zero, sc_tls_ca_rotation, sc_cred_rotation, sc_remote_disk_full, sc_rbac_bare_delete]:
        f()
