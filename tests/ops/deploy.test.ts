import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "./cli-process.js";

/**
 * deploy/ checked without a cluster: the kustomization is rendered here the way `kubectl apply -k`
 * would for what it uses (its resources, the namespace on namespaced objects, the image
 * override), then structural checks on the result. kubectl is not needed (CI does not install it);
 * `kubectl kustomize deploy/` gives the same objects. Not checked: the API server's own schema
 * validation.
 */
// biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain data
type Doc = any;

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "PersistentVolume",
  "StorageClass",
]);

function renderKustomization(dir: string): Doc[] {
  const k = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
  const out: Doc[] = [];
  for (const file of k.resources as string[]) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
      const doc = d.toJSON();
      if (!doc) continue;
      if (!doc.apiVersion || !doc.kind || !doc.metadata?.name)
        throw new Error(`${file}: object without apiVersion/kind/name`);
      if (k.namespace && !CLUSTER_SCOPED.has(doc.kind)) doc.metadata.namespace = k.namespace;
      for (const c of doc.spec?.template?.spec?.containers ?? []) {
        const img = (k.images ?? []).find((i: { name: string }) => c.image.split(":")[0] === i.name);
        if (img) c.image = `${img.newName ?? img.name}:${img.newTag}`;
      }
      out.push(doc);
    }
  }
  return out;
}

const docs: Doc[] = renderKustomization(join(ROOT, "deploy"));
const byKind = (kind: string) => docs.filter((d) => d?.kind === kind);
const deployments = byKind("Deployment");
const named = (name: string) => deployments.find((d) => d.metadata.name === name);

describe("deploy/ (Kubernetes manifests)", () => {
  it("renders its kustomization into the kg-rca namespace", () => {
    expect(docs.length).toBeGreaterThanOrEqual(10);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      "kg-rca-api",
      "kg-rca-bridge",
      "kg-rca-watcher",
      "kg-rca-worker",
    ]);
    for (const d of docs.filter(
      (x) => !["Namespace", "ClusterRole", "ClusterRoleBinding"].includes(x.kind),
    )) {
      expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBe("kg-rca");
    }
  });

  it("gives every container an image, requests and limits, probes on declared ports, the secret", () => {
    for (const d of deployments) {
      const spec = d.spec.template.spec;
      expect(d.spec.selector.matchLabels, d.metadata.name).toEqual(
        Object.fromEntries(
          Object.entries(d.spec.template.metadata.labels).filter(([k]) => k in d.spec.selector.matchLabels),
        ),
      );
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of spec.containers) {
        const where = `${d.metadata.name}/${c.name}`;
        expect(c.image, where).toMatch(/^kg-rca:/);
        for (const r of ["cpu", "memory"]) {
          expect(c.resources.requests[r], `${where} requests.${r}`).toBeDefined();
          expect(c.resources.limits[r], `${where} limits.${r}`).toBeDefined();
        }
        const ports = new Set(c.ports.map((p: { name: string }) => p.name));
        for (const probe of ["livenessProbe", "readinessProbe"]) {
          expect(c[probe], `${where} ${probe}`).toBeDefined();
          expect(ports.has(c[probe].httpGet.port), `${where} ${probe} port`).toBe(true);
        }
        expect(c.envFrom[0].configMapRef.name).toBe("kg-rca-config");
        expect(c.volumeMounts.find((m: { name: string }) => m.name === "secrets").mountPath).toBe(
          "/run/secrets/kg-rca",
        );
        const port = c.ports[0].containerPort;
        expect(d.spec.template.metadata.annotations["prometheus.io/port"], where).toBe(String(port));
        if (c.args[0] !== "api") expect(c.args.join(" "), where).toContain(`--metrics-port ${port}`);
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      }
      expect(spec.volumes.find((v: { name: string }) => v.name === "secrets").secret.secretName).toBe(
        "kg-rca-secrets",
      );
    }
    const api = named("kg-rca-api").spec.template.spec.containers[0];
    expect(api.livenessProbe.httpGet.path).toBe("/healthz");
    expect(api.readinessProbe.httpGet.path).toBe("/readyz");
  });

  it("scales workers (replicas, HPA, PDB) and keeps the watcher single with its RBAC", () => {
    expect(named("kg-rca-worker").spec.replicas).toBeGreaterThanOrEqual(2);
    const hpa = byKind("HorizontalPodAutoscaler")[0];
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "kg-rca-worker" });
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(byKind("PodDisruptionBudget")[0].spec.selector.matchLabels["app.kubernetes.io/component"]).toBe(
      "worker",
    );
    const watcher = named("kg-rca-watcher");
    expect(watcher.spec.replicas).toBe(1);
    expect(watcher.spec.strategy.type).toBe("Recreate");
    const sa = watcher.spec.template.spec.serviceAccountName;
    expect(byKind("ServiceAccount").map((s) => s.metadata.name)).toContain(sa);
    const svc = byKind("Service").find((s) => s.metadata.name === "kg-rca-api");
    expect(named("kg-rca-api").spec.template.metadata.labels).toMatchObject(svc.spec.selector);
  });

  it("documents the Secret without real values and keeps it out of the kustomization", () => {
    const secret = parseAllDocuments(
      readFileSync(join(ROOT, "deploy", "secret.example.yaml"), "utf8"),
    )[0]!.toJSON();
    expect(Object.keys(secret.stringData).sort()).toEqual(["api-keys", "neo4j-password"]);
    for (const v of Object.values(secret.stringData) as string[]) expect(v).toContain("CHANGE-ME");
    expect(byKind("Secret")).toEqual([]);
    const cm = byKind("ConfigMap")[0];
    expect(cm.data.NEO4J_PASSWORD_FILE).toBe("/run/secrets/kg-rca/neo4j-password");
    expect(cm.data.KG_API_KEYS_FILE).toBe("/run/secrets/kg-rca/api-keys");
    expect(JSON.stringify(cm.data)).not.toMatch(/PASSWORD"\s*:/);
  });
});
