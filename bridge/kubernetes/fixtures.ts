import type { KubeObject } from "./convert.js";

/**
 * API objects shaped like what a real API server returns (trimmed of managedFields), for the
 * watcher tests and the fake API server demo: a shop namespace with a cart Deployment, its
 * ReplicaSet and Pod on node-1, a Service with its EndpointSlice, an Ingress, a PVC bound to a PV,
 * a ConfigMap, a Secret, a StatefulSet, a DaemonSet, a CronJob with its Job, and a BackOff Event.
 */
export const UID = {
  node: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0001",
  deploy: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0002",
  rs: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0003",
  pod: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0004",
  svc: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0005",
  eps: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0006",
  ing: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0007",
  pvc: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0008",
  pv: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0009",
  cm: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0010",
  secret: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0011",
  sts: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0012",
  ds: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0013",
  cj: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0014",
  job: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0015",
  event: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0016",
  pod2: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0017",
};

export const SECRET_VALUE = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk"; // base64, must never reach the graph

const T0 = "2026-11-26T10:00:00Z";

const podTemplate = {
  metadata: { labels: { app: "cart", "pod-template-hash": "7d9f8" } },
  spec: {
    containers: [
      {
        name: "cart",
        image: "shop/cart:1.4.2",
        ports: [{ containerPort: 8080, protocol: "TCP" }],
        env: [
          { name: "LOG_LEVEL", value: "info" },
          { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "cart-secret", key: "password" } } },
        ],
        envFrom: [{ configMapRef: { name: "cart-config" } }],
        resources: { limits: { memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
      },
    ],
    volumes: [
      { name: "data", persistentVolumeClaim: { claimName: "data-cart" } },
      { name: "config", configMap: { name: "cart-config", defaultMode: 420 } },
    ],
    restartPolicy: "Always",
    serviceAccountName: "default",
  },
};

export function cartPod(name = "cart-7d9f8-x2k4p", uid = UID.pod, restartCount = 0): KubeObject {
  return {
    metadata: {
      name,
      namespace: "shop",
      uid,
      labels: { app: "cart", "pod-template-hash": "7d9f8" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "cart-7d9f8",
          uid: UID.rs,
          controller: true,
          blockOwnerDeletion: true,
        } as never,
      ],
      creationTimestamp: T0,
    },
    spec: { ...podTemplate.spec, nodeName: "node-1" },
    status: {
      phase: "Running",
      conditions: [
        {
          type: "Ready",
          status: restartCount > 0 ? "False" : "True",
          lastProbeTime: null,
          lastTransitionTime: T0,
        },
      ],
      hostIP: "10.0.0.11",
      podIP: name === "cart-7d9f8-x2k4p" ? "10.1.2.3" : "10.1.2.4",
      podIPs: [{ ip: "10.1.2.3" }],
      startTime: T0,
      containerStatuses: [
        {
          name: "cart",
          ready: restartCount === 0,
          restartCount,
          image: "docker.io/shop/cart:1.4.2",
          imageID: "docker.io/shop/cart@sha256:0d4c",
          containerID: "containerd://4b1f",
          started: restartCount === 0,
          state:
            restartCount > 0
              ? {
                  waiting: {
                    reason: "CrashLoopBackOff",
                    message: "back-off 10s restarting failed container",
                  },
                }
              : { running: { startedAt: T0 } },
          lastState:
            restartCount > 0
              ? { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: T0, finishedAt: T0 } }
              : {},
        },
      ],
      qosClass: "Burstable",
    },
  };
}

export const OBJECTS: ReadonlyArray<[string, KubeObject]> = [
  [
    "/api/v1/nodes",
    {
      metadata: {
        name: "node-1",
        uid: UID.node,
        labels: { "kubernetes.io/hostname": "node-1" },
        creationTimestamp: T0,
      },
      spec: { podCIDR: "10.1.2.0/24", providerID: "kind://docker/kind/node-1" },
      status: {
        conditions: [
          {
            type: "MemoryPressure",
            status: "False",
            reason: "KubeletHasSufficientMemory",
            lastHeartbeatTime: T0,
            lastTransitionTime: T0,
          },
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            lastHeartbeatTime: T0,
            lastTransitionTime: T0,
          },
        ],
        addresses: [
          { type: "InternalIP", address: "10.0.0.11" },
          { type: "Hostname", address: "node-1" },
        ],
        nodeInfo: { kubeletVersion: "v1.31.2", containerRuntimeVersion: "containerd://1.7.18" },
      },
    },
  ],
  [
    "/apis/apps/v1/deployments",
    {
      metadata: {
        name: "cart",
        namespace: "shop",
        uid: UID.deploy,
        labels: { app: "cart" },
        generation: 3,
      } as never,
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "cart" } },
        template: podTemplate,
        strategy: { type: "RollingUpdate" },
      },
      status: {
        observedGeneration: 3,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
      },
    },
  ],
  [
    "/apis/apps/v1/replicasets",
    {
      metadata: {
        name: "cart-7d9f8",
        namespace: "shop",
        uid: UID.rs,
        labels: { app: "cart", "pod-template-hash": "7d9f8" },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: "cart",
            uid: UID.deploy,
            controller: true,
          } as never,
        ],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "cart", "pod-template-hash": "7d9f8" } },
        template: podTemplate,
      },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 },
    },
  ],
  ["/api/v1/pods", cartPod()],
  [
    "/api/v1/services",
    {
      metadata: { name: "cart", namespace: "shop", uid: UID.svc, labels: { app: "cart" } },
      spec: {
        type: "ClusterIP",
        selector: { app: "cart" },
        clusterIP: "10.96.12.34",
        clusterIPs: ["10.96.12.34"],
        ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }],
      },
      status: { loadBalancer: {} },
    },
  ],
  [
    "/apis/discovery.k8s.io/v1/endpointslices",
    {
      metadata: {
        name: "cart-x8k2d",
        namespace: "shop",
        uid: UID.eps,
        labels: {
          "kubernetes.io/service-name": "cart",
          "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        },
        ownerReferences: [
          { apiVersion: "v1", kind: "Service", name: "cart", uid: UID.svc, controller: true } as never,
        ],
      },
      addressType: "IPv4",
      endpoints: [
        {
          addresses: ["10.1.2.3"],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: "node-1",
          targetRef: { kind: "Pod", namespace: "shop", name: "cart-7d9f8-x2k4p", uid: UID.pod },
        },
      ],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    },
  ],
  [
    "/apis/networking.k8s.io/v1/ingresses",
    {
      metadata: { name: "shop", namespace: "shop", uid: UID.ing },
      spec: {
        ingressClassName: "nginx",
        rules: [
          {
            host: "shop.example.com",
            http: {
              paths: [
                {
                  path: "/cart",
                  pathType: "Prefix",
                  backend: { service: { name: "cart", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } },
    },
  ],
  [
    "/api/v1/persistentvolumeclaims",
    {
      metadata: { name: "data-cart", namespace: "shop", uid: UID.pvc },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        storageClassName: "standard",
        volumeName: "pv-1",
      },
      status: { phase: "Bound", capacity: { storage: "1Gi" } },
    },
  ],
  [
    "/api/v1/persistentvolumes",
    {
      metadata: { name: "pv-1", uid: UID.pv },
      spec: {
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        claimRef: { kind: "PersistentVolumeClaim", namespace: "shop", name: "data-cart", uid: UID.pvc },
        storageClassName: "standard",
        hostPath: { path: "/var/local-path-provisioner/pv-1" },
      },
      status: { phase: "Bound" },
    },
  ],
  [
    "/api/v1/configmaps",
    {
      metadata: { name: "cart-config", namespace: "shop", uid: UID.cm },
      data: { CART_TTL: "3600", "cache.yaml": "size: 128Mi\n" },
    },
  ],
  [
    "/api/v1/secrets",
    {
      metadata: { name: "cart-secret", namespace: "shop", uid: UID.secret },
      type: "Opaque",
      data: { password: SECRET_VALUE },
    },
  ],
  [
    "/apis/apps/v1/statefulsets",
    {
      metadata: { name: "db", namespace: "shop", uid: UID.sts, labels: { app: "db" } },
      spec: {
        replicas: 1,
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: { containers: [{ name: "postgres", image: "postgres:16.4" }] },
        },
      },
      status: { replicas: 1, readyReplicas: 1, currentReplicas: 1 },
    },
  ],
  [
    "/apis/apps/v1/daemonsets",
    {
      metadata: { name: "node-agent", namespace: "kube-system", uid: UID.ds },
      spec: {
        selector: { matchLabels: { app: "node-agent" } },
        template: {
          metadata: { labels: { app: "node-agent" } },
          spec: { containers: [{ name: "agent", image: "agent:2.1" }] },
        },
      },
      status: { currentNumberScheduled: 1, desiredNumberScheduled: 1, numberReady: 1 },
    },
  ],
  [
    "/apis/batch/v1/cronjobs",
    {
      metadata: { name: "report", namespace: "shop", uid: UID.cj },
      spec: {
        schedule: "0 * * * *",
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [{ name: "report", image: "shop/report:0.3" }],
                restartPolicy: "OnFailure",
              },
            },
          },
        },
      },
      status: { lastScheduleTime: T0 },
    },
  ],
  [
    "/apis/batch/v1/jobs",
    {
      metadata: {
        name: "report-29000000",
        namespace: "shop",
        uid: UID.job,
        ownerReferences: [
          { apiVersion: "batch/v1", kind: "CronJob", name: "report", uid: UID.cj, controller: true } as never,
        ],
      },
      spec: {
        template: {
          spec: { containers: [{ name: "report", image: "shop/report:0.3" }], restartPolicy: "OnFailure" },
        },
      },
      status: { active: 1, startTime: T0 },
    },
  ],
];

export function backOffEvent(count: number, last: string): KubeObject {
  return {
    metadata: {
      name: "cart-7d9f8-x2k4p.17f3a1b2c3d4e5f6",
      namespace: "shop",
      uid: UID.event,
      creationTimestamp: T0,
    },
    involvedObject: {
      kind: "Pod",
      namespace: "shop",
      name: "cart-7d9f8-x2k4p",
      uid: UID.pod,
      apiVersion: "v1",
      fieldPath: "spec.containers{cart}",
    },
    reason: "BackOff",
    message: "Back-off restarting failed container cart in pod cart-7d9f8-x2k4p_shop",
    source: { component: "kubelet", host: "node-1" },
    firstTimestamp: "2026-11-26T10:01:00Z",
    lastTimestamp: last,
    count,
    type: "Warning",
    eventTime: null,
    reportingComponent: "kubelet",
    reportingInstance: "node-1",
  };
}
