from lib import Scn
from noise import noise, nodes_for
from part1 import backoff_msg


def bl09():
    s = Scn("bl09-dns-coredns-forward-config", "bl09-dns-coredns-forward-config", "dns-failure",
            "someone edits the coredns ConfigMap to forward to the old datacenter resolvers (10.20.0.53/54), which were decommissioned; CoreDNS reloads, external names time out with SERVFAIL, and payment-provider calls from checkout fail with 'server misbehaving'",
            "2023-10-03T11:40:00Z", "prod-eu-1", 109)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2000, nodes, exclude=("coredns",))
    dns = s.app(-500000, "kube-system", "coredns", nodes[:2], replicas=2, port=53, svc_name="kube-dns",
                labels={"k8s-app": "kube-dns"}, image="602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.10.1-eksbuild.2",
                volumes=[{"name": "config-volume", "configMap": {"name": "coredns"}}])
    s.res(-500000, "ConfigMap", "coredns", "kube-system", labels={"eks.amazonaws.com/component": "coredns"},
          spec={"data": {"Corefile": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"}})
    for p in dns["pods"]:
        s.edge(-500000, "Pod", p["name"], "kube-system", "ConfigMap", "coredns", "kube-system", "MOUNTS")
    s.res(180, "ConfigMap", "coredns", "kube-system", labels={"eks.amazonaws.com/component": "coredns"},
          spec={"data": {"Corefile": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . 10.20.0.53 10.20.0.54\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"}})
    co = s.app(-90000, "shop", "checkout", nodes, replicas=3)
    ct = s.app(-90000, "shop", "catalog", nodes[1:], replicas=2)
    for i, p in enumerate(dns["pods"]):
        s.log(205 + i * 7, "kube-system", p["name"], "[INFO] Reloading", sev="INFO")
        s.log(206 + i * 7, "kube-system", p["name"], "[INFO] plugin/reload: Running configuration SHA512 = 8e4a1f%s" % s.hx(40), sev="INFO")
        s.log(207 + i * 7, "kube-system", p["name"], "[INFO] Reloading complete", sev="INFO")
        for k in range(4):
            tt = 230 + i * 11 + k * 170
            host = s.rng.choice(["api.stripe.com.", "hooks.slack.com.", "sqs.eu-west-1.amazonaws.com.", "api.adyen.com."])
            s.log(tt, "kube-system", p["name"], "[ERROR] plugin/errors: 2 %s A: read udp 10.0.%d.%d:%d->10.20.0.5%d:53: i/o timeout" %
                  (host, i + 1, 20 + i, s.rng.randint(30000, 60000), 3 + (k % 2)), sev="ERROR")
    s.alert(600, "CoreDNSErrorsHigh", "CoreDNS is returning SERVFAIL.", {"namespace": "kube-system", "job": "kube-dns", "_sev": "critical"},
            ("Service", "kube-system", "kube-dns"), sev="ERROR", desc="CoreDNS is returning SERVFAIL for 37.42% of requests.")
    s.alert(620, "CoreDNSForwardErrorsHigh", "CoreDNS is returning SERVFAIL for forward requests.", {"namespace": "kube-system", "to": "10.20.0.53:53", "_sev": "critical"},
            None, sev="ERROR", desc="CoreDNS is returning SERVFAIL for 100.00% of forward requests to 10.20.0.53:53.")
    sym = None
    for k, tt in enumerate([260, 300, 340, 420, 510, 700, 900]):
        e = s.log(tt, "shop", co["pods"][k % 3]["name"],
                  'level=error msg="charge failed" provider=stripe err="Post \\"https://api.stripe.com/v1/payment_intents\\": dial tcp: lookup api.stripe.com on 172.20.0.10:53: server misbehaving" order=ord_%s' % s.hx(8),
                  form="subj" if k == 3 else None, pin=k == 3)
        if k == 3:
            sym = e
    s.log(450, "shop", ct["pods"][0]["name"], 'level=warn msg="image CDN purge failed" err="dial tcp: lookup api.fastly.com on 172.20.0.10:53: read udp 10.0.2.14:51022->172.20.0.10:53: i/o timeout"', sev="WARNING")
    s.alert(800, "CheckoutPaymentFailuresHigh", "Payment failures above 10%", {"namespace": "shop", "service": "checkout", "_sev": "critical"}, ("Service", "shop", "checkout"),
            sev="ERROR", desc="62% of payment attempts failed in the last 5 minutes.")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "ConfigMap", "namespace": "kube-system", "name": "coredns"},
                               {"kind": "Deployment", "namespace": "kube-system", "name": "coredns"}] +
               [{"kind": "Pod", "namespace": "kube-system", "name": p["name"]} for p in dns["pods"]]}
    return s


def bl10():
    s = Scn("bl10-tls-cert-expired-vault-issuer", "bl10-tls-cert-expired-vault-issuer", "tls-expired",
            "cert-manager could not renew the payments-gateway mTLS certificate for a month because the Vault issuer's Kubernetes-auth role was removed; the certificate expired and settlement/partner callers fail with x509 'certificate has expired'",
            "2024-02-29T09:30:00Z", "prod-eu-1", 110)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2400, nodes)
    gw = s.app(-3000000, "payments", "payments-gateway", nodes[:2], replicas=2, port=8443,
               volumes=[{"name": "tls", "secret": {"secretName": "payments-gateway-tls"}}])
    st = s.app(-3000000, "payments", "settlement", nodes[1:3], replicas=2)
    pa = s.app(-3000000, "partners", "partner-api", nodes[2:], replicas=2)
    cmc = s.app(-9000000, "cert-manager", "cert-manager", nodes[:1], replicas=1, svc=False, image="quay.io/jetstack/cert-manager-controller:v1.13.2")
    s.res(-3000000, "Issuer", "vault-issuer", "payments", spec={"vault": {"server": "https://vault.security.svc:8200", "path": "pki_int/sign/payments",
                                                                         "auth": {"kubernetes": {"role": "cert-manager-payments", "mountPath": "/v1/auth/kubernetes"}}}},
          status={"ready": False})
    s.res(-3000000, "Certificate", "payments-gateway-tls", "payments", spec={"secretName": "payments-gateway-tls", "duration": "720h", "renewBefore": "240h",
                                                                            "issuerRef": {"name": "vault-issuer", "kind": "Issuer"},
                                                                            "dnsNames": ["payments-gateway.payments.svc", "payments-gateway.payments.svc.cluster.local"]},
          status={"ready": False, "notAfter": "2024-02-29T09:41:07Z", "renewalTime": "2024-02-19T09:41:07Z"})
    s.res(-3000000, "Secret", "payments-gateway-tls", "payments", type="kubernetes.io/tls",
          labels={"controller.cert-manager.io/fao": "true"}, spec={"annotations": {"cert-manager.io/certificate-name": "payments-gateway-tls"}})
    s.edge(-3000000, "Certificate", "payments-gateway-tls", "payments", "Secret", "payments-gateway-tls", "payments", "OWNS")
    s.edge(-3000000, "Certificate", "payments-gateway-tls", "payments", "Issuer", "vault-issuer", "payments", "ISSUED_BY")
    for p in gw["pods"]:
        s.edge(-3000000, "Pod", p["name"], "payments", "Secret", "payments-gateway-tls", "payments", "MOUNTS")
    m_iss = ("Error initializing issuer: while requesting a Vault token using the Kubernetes auth: error calling Vault server: Error making API request.\n\n"
             "URL: PUT https://vault.security.svc:8200/v1/auth/kubernetes/login\nCode: 400. Errors:\n\n* invalid role name \"cert-manager-payments\"")
    s.evrep(-2400, [0, 600, 1200, 1800, 2400, 3000], "ErrInitIssuer", m_iss, "Issuer", "payments", "vault-issuer", comp="cert-manager-issuers", start_count=2870)
    s.evrep(-2000, [0, 1800, 3600], "Failed", "The certificate request has failed to complete and will be retried: Referenced \"Issuer\" not found or not ready: issuer vault-issuer is not ready",
            "Certificate", "payments", "payments-gateway-tls", comp="cert-manager-certificates-issuing", start_count=221)
    s.ev(-1990, "IssuerNotReady", "Referenced issuer does not have a Ready status condition", "CertificateRequest", "payments", "payments-gateway-tls-%d" % 57,
         comp="cert-manager-certificaterequests-issuer-vault")
    s.alert(-1500, "CertManagerCertExpirySoon", "The cert `payments-gateway-tls` is 0 days from expiring.",
            {"namespace": "payments", "name": "payments-gateway-tls", "exported_namespace": "payments", "_sev": "warning"},
            ("Certificate", "payments", "payments-gateway-tls"),
            desc="The domain that this cert covers will be unavailable after 2024-02-29 09:41:07 +0000 UTC. Clients using endpoints that this cert protects will start to fail in 0 days.")
    s.alert(-1400, "CertManagerCertNotReady", "The cert `payments-gateway-tls` is not ready to serve traffic.",
            {"namespace": "payments", "name": "payments-gateway-tls", "condition": "False", "_sev": "critical"}, ("Certificate", "payments", "payments-gateway-tls"), sev="ERROR",
            desc="This certificate has not been ready to serve traffic for at least 10m. If the cert is being renewed or there is another valid cert, the ingress controller _may_ be able to serve that instead.")
    s.log(-1000, "cert-manager", cmc["pods"][0]["name"],
          'E0229 08:53:12.801334       1 sync.go:181] cert-manager/issuers "msg"="error setting up issuer" "error"="while requesting a Vault token using the Kubernetes auth: error calling Vault server: Error making API request. Code: 400. Errors: * invalid role name \\"cert-manager-payments\\"" "resource_kind"="Issuer" "resource_name"="vault-issuer" "resource_namespace"="payments"', sev="ERROR")
    sym = None
    for k, tt in enumerate([680, 700, 745, 820, 980, 1200, 1500]):
        p = st["pods"][k % 2]["name"]
        e = s.log(tt, "payments", p,
                  'ERROR settlement.gateway - POST https://payments-gateway.payments.svc:8443/v1/settle failed: javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (java.security.cert.CertificateExpiredException: NotAfter: Thu Feb 29 09:41:07 UTC 2024)',
                  form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    for k, tt in enumerate([690, 900, 1300]):
        s.log(tt, "partners", pa["pods"][k % 2]["name"], 'level=error msg="gateway call failed" err="Post \\"https://payments-gateway.payments.svc:8443/v1/authorize\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2024-02-29T09:%02d:%02dZ is after 2024-02-29T09:41:07Z"' % (41 + k, 30 + k))
    for k, tt in enumerate([700, 1000]):
        s.log(tt, "payments", gw["pods"][k]["name"], "http: TLS handshake error from 10.0.%d.%d:%d: remote error: tls: bad certificate" % (k + 2, 33, s.rng.randint(30000, 60000)), sev="WARNING")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Certificate", "namespace": "payments", "name": "payments-gateway-tls"},
                               {"kind": "Issuer", "namespace": "payments", "name": "vault-issuer"}]}
    return s


def bl11():
    s = Scn("bl11-volume-multiattach-rwo", "bl11-volume-multiattach-rwo", "volume-attach",
            "the single-replica wiki (RWO EBS volume) is updated; the new pod lands on another node while the volume is still attached to the old one; FailedAttachVolume Multi-Attach then FailedMount time-outs keep it ContainerCreating and the wiki is down (blackbox probe fails)",
            "2023-06-12T13:15:00Z", "prod-eu-1", 111)
    nodes = nodes_for(s, "eks", 4)
    nz = noise(s, 0, 2400, nodes)
    wk = s.app(-800000, "intranet", "wiki", [nodes[0]], replicas=1, image="docker.io/requarks/wiki:2.5.299",
               volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "wiki-data"}}])
    pv = "pvc-8d3e61c2-1f0b-4b7e-9a55-2c9b0e7f4a13"
    s.res(-800000, "PersistentVolumeClaim", "wiki-data", "intranet", spec={"accessModes": ["ReadWriteOnce"], "storageClassName": "gp2", "volumeName": pv}, status={"phase": "Bound"})
    s.res(-800000, "PersistentVolume", pv, None, spec={"accessModes": ["ReadWriteOnce"], "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0b7c1e4d2f9a83e51"}})
    s.edge(-800000, "PersistentVolumeClaim", "wiki-data", "intranet", "PersistentVolume", pv, None, "BOUND_TO")
    old = wk["pods"][0]
    s.edge(-800000, "Pod", old["name"], "intranet", "PersistentVolumeClaim", "wiki-data", "intranet", "MOUNTS")
    pg = s.app(-800000, "intranet", "wiki-postgres", [nodes[2]], replicas=1, kind="StatefulSet", port=5432, image="postgres:15.3")
    rs, new = s.rollout(300, wk, image="docker.io/requarks/wiki:2.5.300", count=1, finish=False, start_pods=False)
    np_ = new[0]
    s.edge(302, "Pod", np_["name"], "intranet", "PersistentVolumeClaim", "wiki-data", "intranet", "MOUNTS")
    s.ev(298, "Killing", "Stopping container wiki", "Pod", "intranet", old["name"], host=old["node"])
    s.tomb(330, "Pod", old["name"], "intranet")
    s.ev(299, "ScalingReplicaSet", "Scaled down replica set %s to 0 from 1" % wk["pods"][0]["name"].rsplit("-", 1)[0], "Deployment", "intranet", "wiki", comp="deployment-controller")
    root = s.evrep(303, [0, 2, 6, 14, 30, 62, 126, 254, 510], "FailedAttachVolume",
                   'Multi-Attach error for volume "%s" Volume is already exclusively attached to one node and can\'t be attached to another' % pv,
                   "Pod", "intranet", np_["name"], comp="attachdetach-controller", form="norm", pin=True)
    s.evrep(305, [0, 2, 6, 14, 30], "FailedAttachVolume",
            'Multi-Attach error for volume "%s" Volume is already exclusively attached to one node and can\'t be attached to another' % pv,
            "Pod", "intranet", np_["name"], comp="attachdetach-controller", form="raw")
    s.evrep(425, [0, 135, 270, 405, 540, 675], "FailedMount",
            "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-%s]: timed out waiting for the condition" % s.hsh(5),
            "Pod", "intranet", np_["name"], host=np_["node"])
    s.pod(430, "intranet", np_["name"], np_["node"], ("ReplicaSet", rs), wk["labels"], wk["image"], phase="Pending", ready=False, status={"reason": "ContainerCreating"})
    s.alert(1300, "KubePodNotReady", "Pod has been in a non-ready state for more than 15 minutes.", {"namespace": "intranet", "pod": np_["name"]},
            ("Pod", "intranet", np_["name"]), desc="Pod intranet/%s has been in a non-ready state for longer than 15 minutes." % np_["name"])
    sym = s.alert(600, "BlackboxProbeFailed", "Probe failed", {"instance": "https://wiki.corp.example.com", "job": "blackbox-http", "namespace": "intranet", "service": "wiki", "_sev": "critical"},
                  ("Service", "intranet", "wiki"), sev="ERROR", desc="Probe failed\n  VALUE = 0\n  LABELS = map[instance:https://wiki.corp.example.com job:blackbox-http]", pin=True)
    for k, tt in enumerate([350, 500, 800]):
        s.log(tt, "ingress-nginx", nz["ing"]["pods"][k % 2]["name"], 'W0612 13:%02d:%02d.412290       7 controller.go:1207] Service "intranet/wiki" does not have any active Endpoint.' % (20 + k * 4, 10 + k), sev="WARNING")
    s.log(360, "intranet", pg["pods"][0]["name"], "2023-06-12 13:21:02.114 UTC [4121] LOG:  could not receive data from client: Connection reset by peer", sev="INFO")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "intranet", "name": np_["name"], "reason": "FailedAttachVolume"}],
               "blast_radius": [{"kind": "Service", "namespace": "intranet", "name": "wiki"}]}
    return s


def bl12():
    s = Scn("bl12-initcontainer-migration-fails", "bl12-initcontainer-migration-fails", "init-container",
            "accounts-api deploys with strategy Recreate; its migrate init container fails on a non-idempotent migration (column already exists), pods sit in Init:CrashLoopBackOff, and the mobile BFF gets 503 from accounts",
            "2022-09-15T19:02:00Z", "gke-prod", 112)
    nodes = nodes_for(s, "gke", 4)
    nz = noise(s, 0, 2200, nodes)
    img0 = "europe-docker.pkg.dev/acme-prod/apps/accounts-api:2022.09.14-3"
    img1 = "europe-docker.pkg.dev/acme-prod/apps/accounts-api:2022.09.15-1"
    acc = s.app(-60000, "accounts", "accounts-api", nodes[:3], replicas=2, image=img0,
                containers=[{"name": "accounts-api", "image": img0}], extra_spec={"initContainers": [{"name": "migrate", "image": img0, "command": ["python", "manage.py", "migrate", "--noinput"]}]})
    bff = s.app(-60000, "mobile", "mobile-bff", nodes, replicas=3)

    def upd(spec):
        spec["template"]["spec"]["initContainers"][0]["image"] = img1
    for p in acc["pods"]:
        s.ev(240, "Killing", "Stopping container accounts-api", "Pod", "accounts", p["name"], host=p["node"])
        s.tomb(270, "Pod", p["name"], "accounts")
    s.ev(238, "ScalingReplicaSet", "Scaled down replica set %s to 0 from 2" % acc["rs"], "Deployment", "accounts", "accounts-api", comp="deployment-controller")
    rs, new = s.rollout(280, acc, image=img1, spec_update=upd, finish=False)
    roots = []
    for i, p in enumerate(new):
        b = 290 + i * 40
        s.ev(b, "Pulled", 'Successfully pulled image "%s" in 9.882s (9.882s including waiting)' % img1, "Pod", "accounts", p["name"], host=p["node"])
        s.evrep(b + 1, [0, 15, 40, 90, 180, 350, 640], "Created", "Created container migrate", "Pod", "accounts", p["name"], host=p["node"])
        s.evrep(b + 1, [0, 15, 40, 90, 180, 350, 640], "Started", "Started container migrate", "Pod", "accounts", p["name"], host=p["node"])
        s.log(b + 8, "accounts", p["name"], "  Applying accounts.0047_account_tenant_id...", sev="INFO", container="migrate")
        s.log(b + 9, "accounts", p["name"], 'django.db.utils.ProgrammingError: column "tenant_id" of relation "accounts_account" already exists', sev="ERROR", container="migrate")
        s.ev(b + 10, "Error", "Init container migrate terminated with Error (exit code 1)", "Pod", "accounts", p["name"], comp="state-watcher", form="norm", sev="FATAL")
        s.evrep(b + 20, [0, 30, 75, 165, 335, 620, 900], "BackOff", backoff_msg(s, "migrate", "accounts", p["name"]), "Pod", "accounts", p["name"], host=p["node"],
                form="raw" if i == 0 else "norm")
        s.pod(b + 700, "accounts", p["name"], p["node"], ("ReplicaSet", rs), acc["labels"], img1, phase="Pending", restarts=6, ready=False,
              status={"reason": "Init:CrashLoopBackOff", "initContainerRestarts": 6})
        roots.append(p["name"])
    s.alert(1200, "KubeDeploymentReplicasMismatch", "Deployment has not matched the expected number of replicas.", {"namespace": "accounts", "deployment": "accounts-api"},
            ("Deployment", "accounts", "accounts-api"), desc="Deployment accounts/accounts-api has not matched the expected number of replicas for longer than 15 minutes.")
    s.alert(1250, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "accounts", "pod": new[0]["name"], "container": "migrate"}, ("Pod", "accounts", new[0]["name"]),
            desc='Pod accounts/%s (migrate) is in waiting state (reason: "CrashLoopBackOff").' % new[0]["name"])
    sym = None
    for k, tt in enumerate([300, 330, 370, 460, 600, 900]):
        e = s.log(tt, "mobile", bff["pods"][k % 3]["name"], '{"level":"error","msg":"accounts lookup failed","status":503,"upstream":"accounts-api.accounts.svc.cluster.local","body":"no healthy upstream","trace_id":"%s"}' % s.hx(32),
                  form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "accounts", "name": n} for n in roots] +
               [{"kind": "Deployment", "namespace": "accounts", "name": "accounts-api"}]}
    return s


def bl13():
    s = Scn("bl13-oomkill-redis-session-cache", "bl13-oomkill-redis-session-cache", "oomkill",
            "session-cache redis has no maxmemory and a 1Gi limit; a login surge grows the keyspace until redis is OOM-killed and restarts empty; auth-service logs connection refused and users are logged out. Two clusters; the other region is healthy",
            "2021-12-01T18:00:00Z", "prod-eu-1", 113)
    nodes = nodes_for(s, "eks", 3)
    nodes2 = ["ip-10-8-%d-%d.us-east-1.compute.internal" % (s.rng.randint(0, 200), s.rng.randint(2, 250)) for _ in range(2)]
    nz = noise(s, 0, 2000, nodes, exclude=("oom",), second="pvfill")
    noise(s, 0, 2000, nodes2, cluster="prod-us-1", light=True, second="pvfill")
    rc = s.app(-300000, "identity", "session-cache", [nodes[2]], replicas=1, kind="StatefulSet", port=6379, image="redis:6.2.6-alpine",
               containers=[{"name": "redis", "image": "redis:6.2.6-alpine", "resources": {"limits": {"memory": "1Gi"}}}])
    au = s.app(-300000, "identity", "auth-service", nodes, replicas=3)
    rc2 = s.app(-300000, "identity", "session-cache", [nodes2[0]], replicas=1, kind="StatefulSet", port=6379, image="redis:6.2.6-alpine", cluster="prod-us-1")
    au2 = s.app(-300000, "identity", "auth-service", nodes2, replicas=1, cluster="prod-us-1")
    s.alert(200, "KubeMemoryOvercommit", "Cluster has overcommitted memory resource requests.", {"_sev": "warning"}, None,
            desc="Cluster has overcommitted memory resource requests for Pods by 3.2G bytes and cannot tolerate node failure.")
    pod = "session-cache-0"
    s.log(250, "identity", pod, "1:M 01 Dec 2021 18:04:10.221 # WARNING: 64 clients connected (max 10000); used_memory 987.2M", sev="WARNING")
    s.ev(400, "OOMKilling", "Memory cgroup out of memory: Killed process 41877 (redis-server) total-vm:1172840kB, anon-rss:1046320kB, file-rss:2104kB, shmem-rss:0kB, UID:999 pgtables:2196kB oom_score_adj:-997",
         "Node", None, nodes[2], comp="kernel-monitor", host=nodes[2], form="raw")
    root = s.evrep(401, [0, 420, 900], "OOMKilled", "Container redis terminated with OOMKilled (exit code 137)", "Pod", "identity", pod, comp="state-watcher", form="norm")
    s.pod(402, "identity", pod, nodes[2], ("StatefulSet", "session-cache"), rc["labels"], rc["image"], restarts=1, ready=False,
          status={"lastTerminationReason": "OOMKilled", "exitCode": 137})
    s.evrep(405, [0, 420, 900], "Pulled", 'Container image "redis:6.2.6-alpine" already present on machine', "Pod", "identity", pod, host=nodes[2])
    s.evrep(406, [0, 420, 900], "Started", "Started container redis", "Pod", "identity", pod, host=nodes[2])
    s.evrep(430, [0, 470, 900], "BackOff", backoff_msg(s, "redis", "identity", pod), "Pod", "identity", pod, host=nodes[2])
    s.log(407, "identity", pod, "1:M 01 Dec 2021 18:06:47.003 * Ready to accept connections", sev="INFO")
    s.log(408, "identity", pod, "1:M 01 Dec 2021 18:06:47.002 # Server initialized", sev="INFO")
    sym = None
    for k, tt in enumerate([401, 403, 404, 820, 822, 1302]):
        e = s.log(tt, "identity", au["pods"][k % 3]["name"],
                  'level=error ts=%s caller=session.go:88 msg="session lookup failed" err="dial tcp 10.0.3.%d:6379: connect: connection refused"' % (s.ts(tt), 77),
                  form="subj" if k == 1 else None, pin=k == 1)
        if k == 1:
            sym = e
    s.log(500, "identity", au["pods"][0]["name"], 'level=warn msg="session not found, forcing re-login" user=u_%s' % s.hx(6), sev="WARNING")
    # other region: similar names, different (harmless) messages
    s.log(600, "identity", au2["pods"][0]["name"], 'level=warn msg="slow redis command" cmd=HGETALL duration=112ms', sev="WARNING", cluster="prod-us-1")
    s.evrep(700, [0, 10, 20], "Unhealthy", 'Readiness probe failed: Get "http://10.8.1.21:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
            "Pod", "identity", au2["pods"][0]["name"], host=nodes2[1], cluster="prod-us-1")
    s.alert(1000, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "identity", "pod": pod, "container": "redis"}, ("Pod", "identity", pod),
            desc='Pod identity/session-cache-0 (redis) is restarting 1.5 times / 10 minutes.')
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "identity", "name": pod, "reason": "OOMKilled"}],
               "blast_radius": [{"kind": "Service", "namespace": "identity", "name": "session-cache"}]}
    return s


def bl14():
    s = Scn("bl14-imagepull-secret-deleted", "bl14-imagepull-secret-deleted", "bad-image",
            "a namespace-cleanup job deletes the regcred imagePullSecret; hours later the HPA scales ledger onto a freshly autoscaled node without the image cached, pulls fail with 401 Unauthorized and the new replicas never start while load keeps growing",
            "2024-07-09T10:00:00Z", "aks-prod-weu", 114)
    nodes = nodes_for(s, "aks", 4)
    newnode = nodes[-1][:-1] + "7"
    nz = noise(s, 0, 2400, nodes)
    img = "acme.jfrog.io/docker/ledger:2.4.1"
    lg = s.app(-200000, "ledger", "ledger", nodes[:2], replicas=2, image=img, extra_spec={"imagePullSecrets": [{"name": "regcred"}]})
    s.res(-300000, "Secret", "regcred", "ledger", type="kubernetes.io/dockerconfigjson")
    s.res(-200000, "HorizontalPodAutoscaler", "ledger", "ledger", spec={"scaleTargetRef": {"kind": "Deployment", "name": "ledger"}, "minReplicas": 2, "maxReplicas": 8})
    s.edge(-200000, "HorizontalPodAutoscaler", "ledger", "ledger", "Deployment", "ledger", "ledger", "SCALES")
    cj = "ns-janitor-%d" % 28674300
    jp = "%s-%s" % (cj, s.hsh(5))
    s.pod(-7200, "ledger", jp, nodes[1], ("Job", cj), {"job-name": cj}, "bitnami/kubectl:1.29", phase="Succeeded", ready=False)
    s.log(-7150, "ledger", jp, 'secret "regcred" deleted', sev="INFO")
    s.tomb(-7150, "Secret", "regcred", "ledger")
    s.ev(-7100, "Completed", "Job completed", "Job", "ledger", cj, comp="job-controller")
    s.node(100, newnode)
    s.ev(100, "RegisteredNode", "Node %s event: Registered Node %s in Controller" % (newnode, newnode), "Node", None, newnode, comp="node-controller")
    s.ev(60, "TriggeredScaleUp", "pod triggered scale-up: [{aks-nodepool1-vmss 3->4 (max: 10)}]", "Pod", "ledger", "ledger-placeholder", comp="cluster-autoscaler")
    s.res(50, "Deployment", "ledger", "ledger", image=img, replicas=5, labels=lg["labels"], status={"readyReplicas": 2, "replicas": 5})
    s.ev(50, "SuccessfulRescale", "New size: 5; reason: cpu resource utilization (percentage of request) above target", "HorizontalPodAutoscaler", "ledger", "ledger",
         comp="horizontal-pod-autoscaler")
    s.ev(51, "ScalingReplicaSet", "Scaled up replica set %s to 5 from 2" % lg["rs"], "Deployment", "ledger", "ledger", comp="deployment-controller")
    roots = []
    for i in range(3):
        pn = "%s-%s" % (lg["rs"], s.hsh(5))
        nd = newnode if i < 2 else nodes[2]
        s.pod(130 + i, "ledger", pn, nd, ("ReplicaSet", lg["rs"]), lg["labels"], img, phase="Pending", ready=False, status={"reason": "ImagePullBackOff"})
        s.ev(52 + i, "SuccessfulCreate", "Created pod: %s" % pn, "ReplicaSet", "ledger", lg["rs"], comp="replicaset-controller")
        s.ev(131 + i, "Scheduled", "Successfully assigned ledger/%s to %s" % (pn, nd), "Pod", "ledger", pn, comp="default-scheduler")
        s.evrep(132 + i, [0, 16, 46, 106, 226], "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.",
                "Pod", "ledger", pn, host=nd)
        m = ('Failed to pull image "%s": rpc error: code = Unknown desc = failed to pull and unpack image "%s": failed to resolve reference "%s": pulling from host acme.jfrog.io failed with status code [manifests 2.4.1]: 401 Unauthorized' % (img, img, img))
        s.evrep(134 + i, [0, 16, 46, 106, 226, 500], "Failed", m, "Pod", "ledger", pn, host=nd)
        s.evrep(134 + i, [0, 46, 226], "ErrImagePull", m, "Pod", "ledger", pn, form="norm", host=nd)
        s.evrep(150 + i, [0, 60, 300, 600, 1200], "BackOff", 'Back-off pulling image "%s"' % img, "Pod", "ledger", pn, host=nd)
        s.ev(160 + i, "ImagePullBackOff", 'Back-off pulling image "%s"' % img, "Pod", "ledger", pn, form="norm", host=nd)
        roots.append(pn)
    sym = s.alert(1100, "KubeDeploymentReplicasMismatch", "Deployment has not matched the expected number of replicas.", {"namespace": "ledger", "deployment": "ledger"},
                  ("Deployment", "ledger", "ledger"), desc="Deployment ledger/ledger has not matched the expected number of replicas for longer than 15 minutes.", pin=True)
    s.alert(1300, "KubeHpaReplicasMismatch", "HPA has not matched desired number of replicas.", {"namespace": "ledger", "horizontalpodautoscaler": "ledger"},
            ("HorizontalPodAutoscaler", "ledger", "ledger"), desc="HPA ledger/ledger has not matched the desired number of replicas for longer than 15 minutes.")
    for k, tt in enumerate([300, 600, 900]):
        s.log(tt, "ledger", lg["pods"][k % 2]["name"], 'WARN  [http-nio-8080-exec-%d] o.a.c.c.C.[Tomcat] request queue depth %d exceeds 200' % (k + 3, 260 + 40 * k), sev="WARNING")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Secret", "namespace": "ledger", "name": "regcred"}] +
               [{"kind": "Pod", "namespace": "ledger", "name": n, "reason": "ErrImagePull"} for n in roots] +
               [{"kind": "Pod", "namespace": "ledger", "name": n, "reason": "FailedToRetrieveImagePullSecret"} for n in roots]}
    return s


def bl15():
    s = Scn("bl15-configmap-missing-failedmount", "bl15-configmap-missing-failedmount", "missing-configmap",
            "notifier v4 references ConfigMap notifier-config-v4, which the failed Helm pre-upgrade hook never created; with Recreate strategy the new pod is stuck ContainerCreating on FailedMount, and orders logs 'failed to publish notification'. Staging cluster shows the same app healthy",
            "2023-02-07T15:30:00Z", "prod-eu-1", 115)
    nodes = nodes_for(s, "eks", 3)
    snodes = ["stg-worker-01"]
    nz = noise(s, 0, 2000, nodes)
    s.node(-90000, snodes[0], cluster="staging-eu-1")
    nt = s.app(-400000, "messaging", "notifier", [nodes[1]], replicas=1, image="registry.internal/messaging/notifier:3.9.2",
               volumes=[{"name": "config", "configMap": {"name": "notifier-config-v3"}}])
    s.res(-400000, "ConfigMap", "notifier-config-v3", "messaging", labels={"app": "notifier", "app.kubernetes.io/managed-by": "Helm"})
    s.edge(-400000, "Pod", nt["pods"][0]["name"], "messaging", "ConfigMap", "notifier-config-v3", "messaging", "MOUNTS")
    od = s.app(-400000, "orders", "orders-api", nodes, replicas=3)
    st = s.app(-400000, "messaging", "notifier", snodes, replicas=1, cluster="staging-eu-1", image="registry.internal/messaging/notifier:4.0.0",
               volumes=[{"name": "config", "configMap": {"name": "notifier-config-v4"}}])
    s.res(-400000, "ConfigMap", "notifier-config-v4", "messaging", cluster="staging-eu-1", labels={"app": "notifier"})
    s.evrep(300, [0, 400, 900], "DNSConfigForming", "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.2 169.254.169.253 10.0.0.3",
            "Pod", "messaging", st["pods"][0]["name"], host=snodes[0], cluster="staging-eu-1", start_count=88)
    hj = "notifier-pre-upgrade-%s" % s.hsh(5)
    s.pod(100, "messaging", hj, nodes[0], ("Job", "notifier-pre-upgrade"), {"job-name": "notifier-pre-upgrade"}, "registry.internal/messaging/notifier-hooks:4.0.0", phase="Failed", ready=False)
    s.log(130, "messaging", hj, "Error from server (Forbidden): configmaps is forbidden: User \"system:serviceaccount:messaging:notifier-hooks\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"messaging\"", sev="ERROR")
    s.ev(150, "BackoffLimitExceeded", "Job has reached the specified backoff limit", "Job", "messaging", "notifier-pre-upgrade", comp="job-controller", form="raw")
    old = nt["pods"][0]

    def upd(spec):
        spec["template"]["spec"]["volumes"] = [{"name": "config", "configMap": {"name": "notifier-config-v4"}}]
    s.ev(200, "Killing", "Stopping container notifier", "Pod", "messaging", old["name"], host=old["node"])
    s.tomb(230, "Pod", old["name"], "messaging")
    rs, new = s.rollout(240, nt, image="registry.internal/messaging/notifier:4.0.0", spec_update=upd, count=1, finish=False, start_pods=False)
    p = new[0]
    s.edge(242, "Pod", p["name"], "messaging", "ConfigMap", "notifier-config-v4", "messaging", "MOUNTS")
    root = s.evrep(245, [0, 1, 3, 7, 15, 31, 63, 127, 255], "FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "notifier-config-v4" not found',
                   "Pod", "messaging", p["name"], host=p["node"], form="norm", pin=True)
    s.evrep(367, [0, 135, 270, 405, 540], "FailedMount", "Unable to attach or mount volumes: unmounted volumes=[config], unattached volumes=[kube-api-access-%s config]: timed out waiting for the condition" % s.hsh(5),
            "Pod", "messaging", p["name"], host=p["node"])
    s.pod(250, "messaging", p["name"], p["node"], ("ReplicaSet", rs), nt["labels"], nt["image"], phase="Pending", ready=False, status={"reason": "ContainerCreating"})
    sym = None
    for k, tt in enumerate([260, 310, 380, 520, 700, 1000]):
        e = s.log(tt, "orders", od["pods"][k % 3]["name"],
                  'level=error msg="failed to publish notification" order=ord_%s err="rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing dial tcp 172.20.91.14:9090: connect: connection refused\\""' % s.hx(8),
                  form="subj" if k == 2 else None, pin=k == 2)
        if k == 2:
            sym = e
    s.alert(1200, "KubePodNotReady", "Pod has been in a non-ready state for more than 15 minutes.", {"namespace": "messaging", "pod": p["name"]},
            ("Pod", "messaging", p["name"]), desc="Pod messaging/%s has been in a non-ready state for longer than 15 minutes." % p["name"])
    s.log(400, "messaging", st["pods"][0]["name"], 'level=info msg="sent" channel=email template=order_shipped', sev="INFO", cluster="staging-eu-1")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "Pod", "namespace": "messaging", "name": p["name"], "reason": "FailedMount"},
                               {"kind": "Deployment", "namespace": "messaging", "name": "notifier"}]}
    return s


def bl16():
    s = Scn("bl16-scheduling-unbound-pvc-storageclass", "bl16-scheduling-unbound-pvc-storageclass", "failed-scheduling",
            "the ledger-db StatefulSet is installed in prod-a with storageClassName fast-ssd, which exists only in prod-b; its PVC cannot be provisioned, ledger-db-0 stays Pending (unbound immediate PVC) and the ledger app crash-loops unable to resolve its database",
            "2024-09-30T12:00:00Z", "prod-a", 116)
    nodes = nodes_for(s, "gke", 5)
    nodesb = nodes_for(s, "gke", 3)
    nz = noise(s, 0, 2000, nodes)
    for nd in nodesb:
        s.node(-90000, nd, cluster="prod-b")
    for cl, nds in (("prod-a", nodes), ("prod-b", nodesb)):
        s.res(100, "StatefulSet", "ledger-db", "payments-v2", cl, replicas=1, labels={"app": "ledger-db"},
              spec={"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"storageClassName": "fast-ssd", "accessModes": ["ReadWriteOnce"]}}]})
        s.res(100, "Service", "ledger-db", "payments-v2", cl, serviceSelector={"app": "ledger-db"}, spec={"clusterIP": "None"})
        s.res(101, "PersistentVolumeClaim", "data-ledger-db-0", "payments-v2", cl, labels={"app": "ledger-db"},
              spec={"storageClassName": "fast-ssd", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "200Gi"}}},
              status={"phase": "Pending" if cl == "prod-a" else "Bound"})
        s.edge(101, "StatefulSet", "ledger-db", "payments-v2", "Pod", "ledger-db-0", "payments-v2", "CONTROLS", cl)
        s.edge(101, "Pod", "ledger-db-0", "payments-v2", "PersistentVolumeClaim", "data-ledger-db-0", "payments-v2", "MOUNTS", cl)
        s.ev(101, "SuccessfulCreate", "create Claim data-ledger-db-0 Pod ledger-db-0 in StatefulSet ledger-db success", "StatefulSet", "payments-v2", "ledger-db",
             comp="statefulset-controller", cluster=cl)
        s.ev(101, "SuccessfulCreate", "create Pod ledger-db-0 in StatefulSet ledger-db successful", "StatefulSet", "payments-v2", "ledger-db", comp="statefulset-controller", cluster=cl)
    s.res(100, "StorageClass", "fast-ssd", None, "prod-b", spec={"provisioner": "pd.csi.storage.gke.io", "parameters": {"type": "pd-ssd"}})
    s.pod(102, "payments-v2", "ledger-db-0", None, ("StatefulSet", "ledger-db"), {"app": "ledger-db"}, "postgres:16.4", phase="Pending", ready=False)
    s.pod(102, "payments-v2", "ledger-db-0", nodesb[0], ("StatefulSet", "ledger-db"), {"app": "ledger-db"}, "postgres:16.4", cluster="prod-b")
    s.ev(103, "ProvisioningSucceeded", 'Successfully provisioned volume pvc-%s' % s.hx(8), "PersistentVolumeClaim", "payments-v2", "data-ledger-db-0",
         comp="pd.csi.storage.gke.io_gke-%s" % s.hx(16), cluster="prod-b")
    s.ev(105, "Scheduled", "Successfully assigned payments-v2/ledger-db-0 to %s" % nodesb[0], "Pod", "payments-v2", "ledger-db-0", comp="default-scheduler", cluster="prod-b")
    root = s.evrep(102, [0, 15, 30, 45, 60, 75, 90, 105, 255, 555, 1155], "ProvisioningFailed", 'storageclass.storage.k8s.io "fast-ssd" not found',
                   "PersistentVolumeClaim", "payments-v2", "data-ledger-db-0", comp="persistentvolume-controller", form="norm", pin=True)
    s.evrep(103, [0, 60, 360, 960], "FailedScheduling", "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.",
            "Pod", "payments-v2", "ledger-db-0", comp="default-scheduler")
    la = s.app(150, "payments-v2", "ledger", nodes[:3], replicas=2, image="registry.internal/payments/ledger:1.0.0", lifecycle=True)
    for i, p in enumerate(la["pods"]):
        s.log(170 + i * 5, "payments-v2", p["name"], 'FATAL: failed to connect to `host=ledger-db-0.ledger-db.payments-v2.svc.cluster.local user=ledger database=ledger`: hostname resolving error (lookup ledger-db-0.ledger-db.payments-v2.svc.cluster.local on 10.0.0.10:53: no such host)', sev="FATAL")
        s.evrep(190 + i * 5, [0, 25, 60, 140, 300, 600], "BackOff", backoff_msg(s, "ledger", "payments-v2", p["name"]), "Pod", "payments-v2", p["name"], host=p["node"])
        s.pod(800, "payments-v2", p["name"], p["node"], ("ReplicaSet", la["rs"]), la["labels"], la["image"], restarts=6, ready=False, status={"reason": "CrashLoopBackOff"})
    sym = s.alert(1000, "KubePodCrashLooping", "Pod is crash looping.", {"namespace": "payments-v2", "pod": la["pods"][0]["name"], "container": "ledger"},
                  ("Pod", "payments-v2", la["pods"][0]["name"]), desc='Pod payments-v2/%s (ledger) is in waiting state (reason: "CrashLoopBackOff").' % la["pods"][0]["name"], pin=True)
    s.alert(1100, "KubeStatefulSetReplicasMismatch", "StatefulSet has not matched the expected number of replicas.", {"namespace": "payments-v2", "statefulset": "ledger-db"},
            ("StatefulSet", "payments-v2", "ledger-db"), desc="StatefulSet payments-v2/ledger-db has not matched the expected number of replicas for longer than 15 minutes.")
    s.log(900, "payments-v2", "ledger-%s-%s" % (s.hsh(9), s.hsh(5)), 'level=info msg="ledger ready" db=ledger-db-0.ledger-db.payments-v2.svc.cluster.local', sev="INFO", cluster="prod-b")
    s.symptom = sym
    s.truth = {"root_causes": [{"kind": "PersistentVolumeClaim", "namespace": "payments-v2", "name": "data-ledger-db-0", "reason": "ProvisioningFailed"}]}
    return s


SCENARIOS = [bl09, bl10, bl11, bl12, bl13, bl14, bl15, bl16]
