/**
 * A simulated cluster: its flavour (EKS, GKE, AKS, kubeadm), how its nodes are named, its pod
 * and service address ranges, its registry, and how its producers label the tenant.
 */
import type { Rng } from "./rng.js";

export type Flavor = "eks" | "gke" | "aks" | "kubeadm";

export interface Cluster {
  id: string;
  /** Which field carries the tenant on this cluster's messages ("none": the configured default). */
  field: "cluster" | "client_id" | "none";
  flavor: Flavor;
  region: string;
  registry: string;
  promRelease: string;
  /** Whether Prometheus adds an external `cluster` label to alerts. */
  promClusterLabel: boolean;
  dnsIP: string;
  /** Kubernetes minor version (1.2x): message formats differ across versions. */
  minor: number;
  /** Node condition form in Node status: map {Ready: "True"} or the K8s list. */
  nodeConditions: "map" | "list";
  podIP(nodeIndex: number): string;
  serviceIP(): string;
  nodeName(index: number, pool?: string): string;
  internalIP(index: number): string;
}

const REGIONS: Record<Flavor, string[]> = {
  eks: ["eu-west-1", "us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2"],
  gke: ["europe-west1", "us-central1", "europe-west4", "asia-northeast1"],
  aks: ["westeurope", "northeurope", "eastus2", "uksouth"],
  kubeadm: ["dc1", "fra-dc2", "onprem-ams"],
};

export function makeCluster(
  rng: Rng,
  opts: { id?: string; flavor?: Flavor; field?: Cluster["field"]; minor?: number } = {},
): Cluster {
  const flavor = opts.flavor ?? rng.pick(["eks", "gke", "aks", "kubeadm"] as const);
  const region = rng.pick(REGIONS[flavor]);
  const env = rng.pick(["prod", "production", "prd", "live"]);
  const id =
    opts.id ??
    {
      eks: `${env}-${region}`,
      gke: `gke-${env}-${region}`,
      aks: `aks-${env}-${region.replace("europe", "eu")}`,
      kubeadm: `${env}-${region}`,
    }[flavor];
  const used = new Set<string>();
  const uniq = (f: () => string): string => {
    for (let i = 0; i < 50; i++) {
      const v = f();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
    return f();
  };
  const acct = String(rng.int(100000000000, 999999999999));
  const vpcB = rng.int(0, 40);
  const nodeOctets: number[] = [];
  const gkeSuffix = rng.hex(8);
  const aksId = String(rng.int(10000000, 99999999));
  const cidrBase = rng.pick([10, 100, 192]);
  const svcBase =
    flavor === "eks"
      ? "172.20"
      : flavor === "aks"
        ? "10.0"
        : flavor === "gke"
          ? `34.118`
          : rng.pick(["10.96", "10.43"]);
  const kubeadmStyle = rng.pick(["worker-0", "k8s-node-0", "node-", "kw"]);
  const c: Cluster = {
    id,
    field:
      opts.field ??
      rng.weighted([
        ["cluster", 5],
        ["none", 3],
        ["client_id", 1],
      ] as const),
    flavor,
    region,
    registry: {
      eks: `${acct}.dkr.ecr.${region}.amazonaws.com`,
      gke: `${region}-docker.pkg.dev/${rng.pick(["acme", "northwind", "globex"])}-${env}/apps`,
      aks: `${rng.pick(["acme", "contoso", "fabrikam"])}${env}acr.azurecr.io`,
      kubeadm: rng.pick(["harbor.internal.example.com", "registry.corp.example:5000", "ghcr.io/acme-corp"]),
    }[flavor],
    promRelease: rng.pick(["kube-prometheus-stack", "kps", "prometheus", "monitoring"]),
    promClusterLabel: rng.chance(0.6),
    dnsIP: `${svcBase}.0.10`,
    minor: opts.minor ?? rng.int(25, 31),
    nodeConditions: rng.chance(0.5) ? "map" : "list",
    podIP(nodeIndex: number): string {
      if (flavor === "eks") return uniq(() => `10.${vpcB}.${nodeOctets[nodeIndex] ?? 1}.${rng.int(4, 250)}`);
      if (flavor === "gke")
        return uniq(() => `10.${52 + (vpcB % 8)}.${nodeIndex * 2 + rng.int(0, 1)}.${rng.int(2, 250)}`);
      if (cidrBase === 192)
        return uniq(() => `192.168.${nodeIndex * 16 + rng.int(0, 3) + 128}.${rng.int(2, 250)}`);
      return uniq(() => `10.244.${nodeIndex + 1}.${rng.int(2, 250)}`);
    },
    serviceIP(): string {
      return uniq(() => `${svcBase}.${rng.int(1, 250)}.${rng.int(2, 250)}`);
    },
    nodeName(index: number, pool?: string): string {
      switch (flavor) {
        case "eks": {
          if (nodeOctets[index] === undefined) nodeOctets[index] = rng.int(16, 250);
          return `ip-10-${vpcB}-${nodeOctets[index]}-${(index * 37 + 11) % 250}.${region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`}`;
        }
        case "gke":
          return `gke-${id.replace(/^gke-/, "").slice(0, 18)}-${pool ?? "default-pool"}-${gkeSuffix}-${rng.safe(4)}`;
        case "aks":
          return `aks-${pool ?? "nodepool1"}-${aksId}-vmss${String(index).padStart(6, "0")}`;
        default:
          if (kubeadmStyle === "kw")
            return `kw-${region.split("-")[0]}-${String(index + 1).padStart(2, "0")}`;
          return `${kubeadmStyle}${index + 1}`;
      }
    },
    internalIP(index: number): string {
      if (flavor === "eks") return `10.${vpcB}.${nodeOctets[index] ?? 20}.${(index * 37 + 11) % 250}`;
      if (flavor === "gke") return `10.132.0.${index + 10}`;
      if (flavor === "aks") return `10.224.0.${index + 4}`;
      return `10.20.${rng.int(0, 3)}.${index + 21}`;
    },
  };
  return c;
}
