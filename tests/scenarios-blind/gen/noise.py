"""Background noise: normal lifecycle, infra storms, unrelated warnings, a second incident."""


def nodes_for(s, style, n):
    r = s.rng
    out = []
    for i in range(n):
        if style == "eks":
            out.append("ip-10-%d-%d-%d.eu-west-1.compute.internal" % (r.randint(0, 3), r.randint(0, 255), r.randint(2, 254)))
        elif style == "gke":
            pool = "default-pool" if i < n - 1 else "highmem-pool"
            out.append("gke-prod-%s-%s-%s" % (pool, s.hx(8), "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(4))))
        elif style == "aks":
            out.append("aks-nodepool1-%d-vmss%06d" % (r.randint(10000000, 99999999) if i == 0 else int(out[0].split("-")[2]), i))
        else:
            out.append("worker-%02d" % (i + 1))
    return out


def noise(s, t0, t1, nodes, cluster=None, exclude=(), second=None, light=False):
    """Adds background traffic between t0 and t1 (seconds from the scenario start)."""
    r = s.rng
    cl = cluster or s.cluster
    span = t1 - t0

    def at():
        return t0 + r.randint(0, span)

    for nd in nodes:
        s.node(t0 - r.randint(3600, 86400), nd, cluster=cl)
    # infra workloads
    dns = s.app(t0 - 86400, "kube-system", "coredns", nodes[:2], replicas=1 if light else 2, port=53, cluster=cl,
                svc_name="kube-dns", labels={"k8s-app": "kube-dns"},
                image="registry.k8s.io/coredns/coredns:v1.10.1") if "coredns" not in exclude else None
    prom = s.app(t0 - 86400 * 3, "monitoring", "prometheus-k8s", nodes[-1:], replicas=1, kind="StatefulSet", port=9090,
                 cluster=cl, labels={"app.kubernetes.io/name": "prometheus", "prometheus": "k8s"},
                 image="quay.io/prometheus/prometheus:v2.45.0") if not light else None
    ne_pods = []
    for nd in nodes[: 1 if light else 3]:
        pn = "node-exporter-%s" % s.hsh(5)
        s.pod(t0 - 86400 * 2, "monitoring", pn, nd, ("DaemonSet", "node-exporter"),
              {"app.kubernetes.io/name": "node-exporter"}, "quay.io/prometheus/node-exporter:v1.6.1", cl)
        ne_pods.append((pn, nd))
    ing = s.app(t0 - 86400 * 5, "ingress-nginx", "ingress-nginx-controller", nodes[:2], replicas=1 if light else 2, port=80,
                cluster=cl, labels={"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
                image="registry.k8s.io/ingress-nginx/controller:v1.8.1", svc=False)
    # Watchdog and a chronic throttling alert on node-exporter's kube-rbac-proxy
    s.alert(t0 - r.randint(0, 600), "Watchdog", "An alert that should always be firing to certify that Alertmanager is working properly.",
            {"_sev": "none"}, None, sev="INFO", cluster=cl)
    pn, nd = ne_pods[0]
    s.alert(at(), "CPUThrottlingHigh", "Processes experience elevated CPU throttling.",
            {"namespace": "monitoring", "pod": pn, "container": "kube-rbac-proxy", "_sev": "info"},
            ("Pod", "monitoring", pn), sev="INFO", cluster=cl,
            desc="%d.%d%% throttling of CPU in namespace monitoring for container kube-rbac-proxy in pod %s." % (r.randint(26, 70), r.randint(0, 9), pn))
    # DNSConfigForming storm (in-place updates)
    for _ in range(1 if light else 2):
        p = r.choice(ing["pods"] + ([{"name": x["name"], "node": x["node"]} for x in dns["pods"]] if dns else []))
        ns = "ingress-nginx" if p in ing["pods"] else "kube-system"
        k = r.randint(3, 6)
        s.evrep(at() - 300, sorted(r.sample(range(0, span), k)), "DNSConfigForming",
                "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.2 169.254.169.253 10.0.0.3",
                "Pod", ns, p["name"], host=p["node"], cluster=cl, start_count=r.randint(40, 300))
    # unrelated app rollout with full lifecycle
    na = r.choice(["newsletter", "recommendations", "feature-flags", "search-indexer", "audit-log", "wishlist"])
    nns = r.choice(["growth", "platform", "web"])
    other = s.app(t0 - 7200, nns, na, nodes, replicas=1 if light else 2, cluster=cl)
    tr = at()
    rs, newp = s.rollout(tr, other)
    for p in newp[:1]:
        s.ev(tr + 6, "Pulled", 'Successfully pulled image "%s" in 2.114s (2.114s including waiting)' % other["image"],
             "Pod", nns, p["name"], host=p["node"], cluster=cl)
        s.ev(tr + 7, "Created", "Created container %s" % na, "Pod", nns, p["name"], host=p["node"], cluster=cl)
        s.ev(tr + 7, "Started", "Started container %s" % na, "Pod", nns, p["name"], host=p["node"], cluster=cl)
        s.ev(tr + 9, "Unhealthy", 'Readiness probe failed: Get "http://10.0.%d.%d:8080/ready": dial tcp 10.0.%d.%d:8080: connect: connection refused'
             % (3, 17, 3, 17), "Pod", nns, p["name"], host=p["node"], cluster=cl)
    for p in other["pods"]:
        s.ev(tr + 30, "Killing", "Stopping container %s" % na, "Pod", nns, p["name"], host=p["node"], cluster=cl)
    # sandbox storm on one node (CNI hiccup) then recovery
    nd = r.choice(nodes)
    sbp = "%s-%s-%s" % (r.choice(["fluent-bit", "datadog-agent", "promtail"]), s.hsh(9), s.hsh(5))
    sbns = "logging"
    s.pod(t0, sbns, sbp, nd, ("ReplicaSet", sbp.rsplit("-", 1)[0]), {"app": sbp.split("-")[0]},
          "cr.fluentbit.io/fluent/fluent-bit:2.1.8", cl, phase="Pending", ready=False)
    ts = at()
    s.evrep(ts, [0, 14, 31, 62][: 2 if light else 4], "FailedCreatePodSandBox",
            'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "%s": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized' % s.hx(64),
            "Pod", sbns, sbp, host=nd, cluster=cl)
    s.ev(ts + 90, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", "Pod", sbns, sbp, host=nd, cluster=cl)
    # unrelated chronic BackOff elsewhere
    if not light:
        bp = "legacy-importer-%s-%s" % (s.hsh(9), s.hsh(5))
        s.pod(t0 - 86400, "batch", bp, nodes[-1], ("ReplicaSet", bp.rsplit("-", 1)[0]), {"app": "legacy-importer"},
              "registry.internal/batch/legacy-importer:0.9.3", cl, restarts=412, ready=False)
        s.evrep(at() - 200, sorted(r.sample(range(0, span), 3)), "BackOff",
                "Back-off restarting failed container importer in pod %s_batch(%s)" % (bp, s.uid("Pod", "batch", bp, cl)),
                "Pod", "batch", bp, host=nodes[-1], cluster=cl, start_count=r.randint(1500, 4000))
        s.log(at(), "batch", bp, "FileNotFoundError: [Errno 2] No such file or directory: '/data/inbox/export.csv'",
              sev="ERROR", cluster=cl)
    # ordinary application logs
    for _ in range(4 if light else 7):
        p = r.choice(other["pods"] + ing["pods"])
        nsx = nns if p in other["pods"] else "ingress-nginx"
        msg = r.choice([
            'level=info msg="request completed" method=GET path=/healthz status=200 duration=1.2ms',
            '10.0.1.17 - - "GET /api/v1/items?page=2 HTTP/1.1" 200 5123 "-" "okhttp/4.9.3" 0.012 [web-storefront-80] 10.0.2.44:8080 5123 0.012 200',
            'level=warn msg="slow query" duration=1.43s table=events',
            'I0412 08:12:44.128331 7 controller.go:190] "Configuration changes detected, backend reload required"',
            'level=info msg="cache refreshed" entries=18234',
            'W0412 08:13:02.551201 7 controller.go:1207] Service "web/legacy-admin" does not have any active Endpoint.',
        ])
        s.log(at(), nsx, p["name"], msg, sev="WARNING" if ("warn" in msg or msg.startswith("W0")) else "INFO", cluster=cl)
    # a second, unrelated incident in the same window
    if second is None:
        choices = [c for c in ("imagepull", "cronjob", "oom", "pvfill", "evicted") if c not in exclude]
        second = r.choice(choices)
    t2 = at()
    if second == "imagepull":
        ns2 = "dev-sandbox"
        a2 = s.app(t2 - 3600, ns2, "pr-4312-preview", nodes[1:], replicas=1, cluster=cl)
        p = a2["pods"][0]["name"]
        img = "ghcr.io/acme/storefront:pr-4312"
        s.evrep(t2, [0, 35, 110, 260], "Failed",
                'Failed to pull image "%s": rpc error: code = Unknown desc = failed to pull and unpack image "%s": failed to resolve reference "%s": unexpected status from HEAD request to https://ghcr.io/v2/acme/storefront/manifests/pr-4312: 401 Unauthorized' % (img, img, img),
                "Pod", ns2, p, host=a2["pods"][0]["node"], cluster=cl)
        s.ev(t2 + 40, "ImagePullBackOff", 'Back-off pulling image "%s"' % img, "Pod", ns2, p, form="norm", cluster=cl)
        s.alert(t2 + 900, "KubeContainerWaiting", "Pod container waiting longer than 1 hour",
                {"namespace": ns2, "pod": p, "container": "pr-4312-preview"}, ("Pod", ns2, p), cluster=cl,
                desc="pod/%s in namespace %s on container pr-4312-preview has been in waiting state for longer than 1 hour." % (p, ns2))
    elif second == "cronjob":
        ns2 = "reporting"
        job = "invoice-export-%d" % r.randint(28100000, 28400000)
        jp = "%s-%s" % (job, s.hsh(5))
        s.res(t2 - 10, "CronJob", "invoice-export", ns2, cl, spec={"schedule": "0 */6 * * *"})
        s.res(t2, "Job", job, ns2, cl, ownerRefs=[{"kind": "CronJob", "name": "invoice-export"}])
        s.edge(t2, "CronJob", "invoice-export", ns2, "Job", job, ns2, "CONTROLS", cl)
        s.pod(t2, ns2, jp, nodes[0], ("Job", job), {"job-name": job}, "registry.internal/reporting/invoice-export:2.3.0", cl,
              phase="Failed", ready=False)
        s.ev(t2, "SuccessfulCreate", "Created job %s" % job, "CronJob", ns2, "invoice-export", comp="cronjob-controller", cluster=cl)
        s.ev(t2 + 1, "SuccessfulCreate", "Created pod: %s" % jp, "Job", ns2, job, comp="job-controller", cluster=cl)
        s.log(t2 + 50, ns2, jp, "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied", cluster=cl)
        s.ev(t2 + 300, "BackoffLimitExceeded", "Job has reached the specified backoff limit", "Job", ns2, job, comp="job-controller", cluster=cl, form="norm", sev="WARNING")
        s.alert(t2 + 320, "KubeJobFailed", "Job failed to complete.", {"namespace": ns2, "job_name": job}, ("Job", ns2, job), cluster=cl,
                desc="Job %s/%s failed to complete. Removing failed job after investigation should clear this alert." % (ns2, job))
    elif second == "oom":
        ns2 = "analytics"
        pn = "jupyter-%s" % r.choice(["mkovacs", "jdoe", "aparker", "lchen"])
        s.pod(t2 - 3000, ns2, pn, nodes[-1], ("StatefulSet", pn.replace("jupyter-", "jupyter-")), {"app": "jupyterhub", "component": "singleuser-server"},
              "jupyter/datascience-notebook:2023-06-01", cl, restarts=2)
        s.ev(t2, "OOMKilling", "Memory cgroup out of memory: Killed process %d (python) total-vm:9512332kB, anon-rss:4183920kB, file-rss:31220kB, shmem-rss:0kB, UID:1000 pgtables:8712kB oom_score_adj:969" % r.randint(3000, 90000),
             "Node", None, nodes[-1], comp="kernel-monitor", host=nodes[-1], cluster=cl, form="norm")
        s.ev(t2 + 2, "OOMKilled", "Container notebook terminated with OOMKilled (exit code 137)", "Pod", ns2, pn, form="norm", cluster=cl)
        s.log(t2 + 5, ns2, pn, "[W 2023-06-14 10:22:41.118 ServerApp] Kernel restarted: 5b1c0d3e-2d9a-4c33-9d0f-31c1b2c1e6a7", sev="WARNING", cluster=cl)
    elif second == "pvfill":
        ns2 = "logging"
        s.res(t2 - 100, "PersistentVolumeClaim", "data-elasticsearch-master-1", ns2, cl,
              spec={"storageClassName": "gp3", "accessModes": ["ReadWriteOnce"]}, status={"phase": "Bound"})
        s.alert(t2, "KubePersistentVolumeFillingUp", "PersistentVolume is filling up.",
                {"namespace": ns2, "persistentvolumeclaim": "data-elasticsearch-master-1", "_sev": "warning"},
                ("PersistentVolumeClaim", ns2, "data-elasticsearch-master-1"), cluster=cl,
                desc="Based on recent sampling, the PersistentVolume claimed by data-elasticsearch-master-1 in Namespace logging is expected to fill up within four days. Currently 14.2% is available.")
        s.log(t2 + 30, ns2, "elasticsearch-master-1", "[WARN ][o.e.c.r.a.DiskThresholdMonitor] high disk watermark [90%] exceeded on [Xn2k][elasticsearch-master-1][/usr/share/elasticsearch/data/nodes/0] free: 5.8gb[9.4%], shards will be relocated away from this node", sev="WARNING", cluster=cl)
    elif second == "evicted":
        ns2 = "ci"
        for k in range(2):
            pn = "runner-%s-project-%d-concurrent-%d%s" % (s.hx(8), r.randint(100, 999), k, s.hsh(5))
            s.pod(t2 - 100, ns2, pn, nodes[0], ("ReplicaSet", "gitlab-runner"), {"app": "gitlab-runner-job"}, "docker:24-dind", cl, phase="Failed", ready=False)
            s.ev(t2 + k * 20, "Evicted", "Pod ephemeral local storage usage exceeds the total limit of containers 4Gi.", "Pod", ns2, pn, host=nodes[0], cluster=cl, form="norm")
    return {"dns": dns, "prom": prom, "ing": ing, "other": other, "ne": ne_pods}
