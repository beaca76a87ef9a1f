# Round-5 scenario: the callers' own warnings echo the symptom (a queue backlog beside a backlog alert).
# Usage: python3 scenarios/src/probes/generate-round5.py scenarios
# Reuses the helpers of generate-round4.py (everything before its first scenario).
import sys, datetime as dt
src = open(__file__.replace("generate-round5.py", "generate-round4.py")).read()
exec(src[: src.index("# 1. ")])

# failed-scheduling-05: a memory request raised past any node's allocatable; new pods stay Pending;
# the producer's own warnings say the queue is backing up; the backlog alert fires on the broker.
g = mk(5101, "ap-south-live", dt.datetime(2025, 5, 6, 9, 15, 0))
T = 0
ns = "studio"
g["res"]("StatefulSet", "nats", ns, -9 * 86400, labels={"app": "nats"}, image="nats:2.10.14-alpine", replicas=1)
npod = "nats-0"
nu = g["res"]("Pod", npod, ns, -9 * 86400, labels={"app": "nats"}, ownerRefs=[{"kind": "StatefulSet", "name": "nats"}], node=g["nodes"][0],
              podIP="10.77.3.21", status={"phase": "Running", "restartCount": 0})
g["edge"](f"statefulset:{ns}:nats", f"pod:{nu}", "CONTROLS", -9 * 86400)
g["res"]("Service", "nats", ns, -9 * 86400, labels={"app": "nats"}, serviceSelector={"app": "nats"}, spec={"type": "ClusterIP", "clusterIP": "10.100.41.7", "ports": [{"port": 4222}]})
enc = g["workload"](ns, "frame-encoder", 2, -5000, "ghcr.io/acme/frame-encoder:5.2.0", node_i=1)
intake = g["workload"](ns, "asset-intake", 3, -5000, "ghcr.io/acme/asset-intake:1.14.3", node_i=2)
for p in enc + intake: g["edge"](f"pod:{p[1]}", f"service:{ns}:nats", "DEPENDS_ON", -5000)
cp, other = g["noise"](T)
# The PR: requests.memory 3Gi -> 30Gi (meant 3.0Gi), rolled out; the new ReplicaSet's pods never schedule.
g["res"]("Deployment", "frame-encoder", ns, -1500, labels={"app": "frame-encoder"}, image="ghcr.io/acme/frame-encoder:5.2.0", replicas=4,
         spec={"template": {"spec": {"containers": [{"name": "frame-encoder", "resources": {"requests": {"memory": "30Gi", "cpu": "2"}}}]}}})
rs2 = "frame-encoder-7c4fd9b2k"
r2 = g["res"]("ReplicaSet", rs2, ns, -1498, labels={"app": "frame-encoder"}, ownerRefs=[{"kind": "Deployment", "name": "frame-encoder"}], replicas=2, image="ghcr.io/acme/frame-encoder:5.2.0")
g["edge"](f"deployment:{ns}:frame-encoder", f"replicaset:{ns}:{rs2}", "CONTROLS", -1498)
g["ev"]("Deployment", "frame-encoder", ns, -1497, "ScalingReplicaSet", f"Scaled up replica set {rs2} to 1", comp="deployment-controller")
pend = []
for k, suf in enumerate(["tq8wz", "m2hxv"]):
    pn = f"{rs2}-{suf}"
    pu = g["res"]("Pod", pn, ns, -1496 + k * 300, labels={"app": "frame-encoder"}, ownerRefs=[{"kind": "ReplicaSet", "name": rs2}], status={"phase": "Pending"})
    g["edge"](f"replicaset:{ns}:{rs2}", f"pod:{pu}", "CONTROLS", -1496 + k * 300)
    pend.append(pn)
    for j in range(5):
        g["ev"]("Pod", pn, ns, -1495 + k * 300 + j * 240, "FailedScheduling",
                "0/4 nodes are available: 4 Insufficient memory. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
                sev="WARNING", comp="default-scheduler", raw=(j % 2 == 0))
# The old encoders are drained by the rollout: the queue stops being consumed.
for k, p in enumerate(enc):
    g["ev"]("Pod", p[0], ns, -1200 + k * 290, "Killing", "Stopping container frame-encoder")
# The producer notices first: its own warnings repeat what the alert will say.
for j in range(10):
    p = intake[j % 3]
    g["log"](p[0], ns, -900 + j * 80, f"level=warn msg=\"encode backlog growing\" subject=encode.tasks pending={1500 + j * 700} consumers=0", sev="WARN", puid=p[1])
    g["log"](p[0], ns, -880 + j * 80, f"accepted upload asset-{4400 + j} size={120 + j}MB", sev="INFO", puid=p[1])
sym = g["alert"](T, "NatsConsumerPendingHigh", {"namespace": ns, "service": "nats", "stream": "ENCODE", "consumer": "frame-encoder", "severity": "warning"},
                 "Consumer frame-encoder on stream ENCODE has more than 8000 pending messages (encode backlog)")
write("failed-scheduling-05-memory-request-typo-queue-backlog-echo", "failed-scheduling",
      "A PR raises frame-encoder's memory request from 3Gi to 30Gi; the rolled-out pods stay Pending (Insufficient memory) while the old ones are drained. asset-intake keeps publishing and logs its own 'encode backlog growing' warnings before the broker's pending-messages alert fires.",
      g, sym, {"root_causes": [{"kind": "Pod", "namespace": ns, "name": pend[0], "reason": "FailedScheduling"},
                               {"kind": "Pod", "namespace": ns, "name": pend[1], "reason": "FailedScheduling"},
                               {"kind": "Deployment", "namespace": ns, "name": "frame-encoder"}]})

# failed-scheduling-06: a StatefulSet scale-up whose
# new claim names a StorageClass that does not exist; the new replica never schedules and the cluster
# health alert fires on the first replica, whose node has an unrelated kubelet warning just before.
g = mk(5202, "eu-north-core", dt.datetime(2025, 2, 17, 22, 40, 0))
T = 0
ns = "search"
sts = "index-shards"
g["res"]("StatefulSet", sts, ns, -20 * 86400, labels={"app": sts}, image="docker.elastic.co/elasticsearch/elasticsearch:8.13.4", replicas=3,
         spec={"replicas": 3, "volumeClaimTemplates": [{"name": "data", "storageClassName": "gp3", "storage": "200Gi"}]})
shard_pods = []
for k in range(3):
    pn = f"{sts}-{k}"
    node = g["nodes"][k]
    pu = g["res"]("Pod", pn, ns, -20 * 86400, labels={"app": sts}, ownerRefs=[{"kind": "StatefulSet", "name": sts}], node=node,
                  podIP=f"10.31.{k + 4}.{17 + k}", status={"phase": "Running", "restartCount": 0})
    g["edge"](f"statefulset:{ns}:{sts}", f"pod:{pu}", "CONTROLS", -20 * 86400)
    g["edge"](f"pod:{pu}", f"node:{node}", "RUNS_ON", -20 * 86400)
    g["res"]("PersistentVolumeClaim", f"data-{pn}", ns, -20 * 86400, spec={"storageClassName": "gp3", "resources": {"requests": {"storage": "200Gi"}}}, status={"phase": "Bound"})
    g["edge"](f"pod:{pu}", f"persistentvolumeclaim:{ns}:data-{pn}", "MOUNTS", -20 * 86400)
    shard_pods.append((pn, pu, node))
g["res"]("Service", sts, ns, -20 * 86400, labels={"app": sts}, serviceSelector={"app": sts}, spec={"type": "ClusterIP", "clusterIP": "None", "ports": [{"port": 9200}]})
api = g["workload"](ns, "search-api", 2, -6000, "ghcr.io/acme/search-api:4.0.7", node_i=1)
for p in api: g["edge"](f"pod:{p[1]}", f"service:{ns}:{sts}", "DEPENDS_ON", -6000)
cp, other = g["noise"](T)
# The scale-up, with the claim template edited to a StorageClass name that was never created.
g["res"]("StatefulSet", sts, ns, -1500, labels={"app": sts}, image="docker.elastic.co/elasticsearch/elasticsearch:8.13.4", replicas=4,
         spec={"replicas": 4, "volumeClaimTemplates": [{"name": "data", "storageClassName": "io2-premium", "storage": "200Gi"}]})
g["ev"]("StatefulSet", sts, ns, -1498, "SuccessfulCreate", f"create Claim data-{sts}-3 Pod {sts}-3 in StatefulSet {sts} success", comp="statefulset-controller")
pvc = f"data-{sts}-3"
g["res"]("PersistentVolumeClaim", pvc, ns, -1497, spec={"storageClassName": "io2-premium", "resources": {"requests": {"storage": "200Gi"}}}, status={"phase": "Pending"})
np_ = f"{sts}-3"
npu = g["res"]("Pod", np_, ns, -1497, labels={"app": sts}, ownerRefs=[{"kind": "StatefulSet", "name": sts}], status={"phase": "Pending"})
g["edge"](f"statefulset:{ns}:{sts}", f"pod:{npu}", "CONTROLS", -1497)
g["edge"](f"pod:{npu}", f"persistentvolumeclaim:{ns}:{pvc}", "MOUNTS", -1497)
for j in range(6):
    g["ev"]("PersistentVolumeClaim", pvc, ns, -1496 + j * 200, "ProvisioningFailed", 'storageclass.storage.k8s.io "io2-premium" not found',
            sev="WARNING", comp="persistentvolume-controller", raw=(j % 2 == 1))
    g["ev"]("Pod", np_, ns, -1490 + j * 200, "FailedScheduling", "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
            sev="WARNING", comp="default-scheduler")
# Shard relocation waits for the missing node; the first replica logs it (informational).
for j in range(5):
    g["log"](shard_pods[0][0], ns, -1200 + j * 200, f"[{sts}-0] cluster health status changed from [GREEN] to [YELLOW] (reason: [shards unassigned: {12 + j}])", sev="INFO", puid=shard_pods[0][1])
# Unrelated kubelet warning on the first replica's node, a few minutes before the alert.
g["ev"]("Node", shard_pods[0][2], None, -190, "ContainerGCFailed", "rpc error: code = DeadlineExceeded desc = context deadline exceeded", sev="WARNING", comp="kubelet")
sym = g["alert"](T, "ElasticsearchClusterHealthYellow", {"namespace": ns, "pod": f"{sts}-0", "service": sts, "cluster": "search-prod", "severity": "warning"},
                 "Elastic cluster search-prod health is YELLOW: replica shards are unassigned")
write("failed-scheduling-06-scale-up-claim-storageclass-missing-node-warning", "failed-scheduling",
      "index-shards is scaled 3->4 with its claim template edited to StorageClass io2-premium, which does not exist; data-index-shards-3 never provisions, index-shards-3 stays Pending (unbound immediate PVC) and the cluster goes YELLOW. The first replica's node logs an unrelated ContainerGCFailed warning minutes before the alert.",
      g, sym, {"root_causes": [{"kind": "PersistentVolumeClaim", "namespace": ns, "name": pvc}]})
