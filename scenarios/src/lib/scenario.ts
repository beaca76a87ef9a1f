/**
 * One scenario: a world (style, clusters, nodes), a fault variant that builds the causal chain
 * and states the truth, then background noise; serialized in the FORMAT.md shape.
 */
import type { Lang } from "./applog.js";
import { type Cluster, type Flavor, makeCluster } from "./cluster.js";
import { deployment, MIN, makeNodes, statefulSet, type Workload, type WorkloadOpts } from "./k8s.js";
import { Names, type Profile } from "./names.js";
import { addNoise, type NoiseLevel, twinCluster } from "./noise.js";
import { Rng } from "./rng.js";
import { type Message, type Res, type Style, World } from "./world.js";

export interface Ref {
  kind: string;
  namespace?: string;
  name: string;
}

export interface RootCause extends Ref {
  reason?: string;
}

export interface Outcome {
  description: string;
  symptom: string;
  root: RootCause[];
  blast: Ref[];
}

export interface Ctx {
  w: World;
  rng: Rng;
  c: Cluster;
  nodes: Res[];
  names: Names;
  profile: Profile;
  heavy: boolean;
  workloads: Workload[];
  /** A Deployment in a (possibly new) namespace of a domain; registered for noise and twins. */
  deploy(o?: Partial<WorkloadOpts> & { domain?: string }): Workload;
  sts(
    o: Partial<WorkloadOpts> & { domain?: string; app: string; storage?: string; storageClass?: string },
  ): Workload;
  lang(): Lang;
  /** Add a second cluster holding same-named workloads (must not merge with this one). */
  twin(): Cluster;
}

export interface VariantDef {
  slug: string;
  flavors?: Flavor[];
  nodes?: [number, number];
  twin?: boolean;
  build(ctx: Ctx): Outcome;
}

export interface ScenarioFile {
  name: string;
  fault: string;
  description: string;
  messages: Message[];
  symptom: { event_id: string };
  truth: { root_causes: RootCause[]; blast_radius: Ref[] };
}

export function ref(r: Res): Ref {
  return r.namespace
    ? { kind: r.kind, namespace: r.namespace, name: r.name }
    : { kind: r.kind, name: r.name };
}

export function rc(r: Res, reason?: string): RootCause {
  return reason ? { ...ref(r), reason } : ref(r);
}

export function uniqRefs(refs: Ref[]): Ref[] {
  const seen = new Set<string>();
  return refs.filter((x) => {
    const k = `${x.kind}|${x.namespace ?? ""}|${x.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function randomStyle(r: Rng, heavy: boolean): Style {
  return {
    eventForm: r.weighted([
      ["raw", 3],
      ["normalized", 3],
      ["mixed", 4],
    ] as const),
    subjectForm: r.weighted([
      ["full", 3],
      ["uid", 2],
      ["nsname", 2],
      ["mixed", 3],
    ] as const),
    topoForm: r.weighted([
      ["nsname", 3],
      ["uid", 3],
      ["mixed", 4],
    ] as const),
    logForm: r.weighted([
      ["subject", 4],
      ["flat", 2],
      ["nested", 2],
      ["mixed", 3],
    ] as const),
    logIds: r.chance(0.6),
    schedulerSeries: r.chance(0.4),
    lateProb: heavy ? r.float(0.08, 0.2) : r.float(0.02, 0.12),
    npd: r.chance(0.5),
    relistDuplicates: r.chance(0.4),
  };
}

const START = Date.UTC(2024, 1, 20);
const END = Date.UTC(2025, 8, 28);

export function runScenario(
  name: string,
  fault: string,
  v: VariantDef,
  o: { profile: Profile; noise: NoiseLevel; seed: string },
): ScenarioFile {
  const rng = new Rng(`${o.seed}/${name}`);
  const heavy = o.noise === "heavy";
  const style = randomStyle(rng, heavy);
  const t0 = START + Math.floor((rng.next() * (END - START)) / 1000) * 1000;
  const tList = t0 - rng.int(9, 26) * MIN - rng.int(0, 59) * 1000;
  const w = new World(rng, style, t0, tList);
  const flavor = v.flavors ? rng.pick(v.flavors) : undefined;
  const c = w.addCluster(
    makeCluster(rng, {
      flavor,
      field: v.twin ? rng.pick(["cluster", "none", "client_id"] as const) : undefined,
    }),
  );
  const [nlo, nhi] = v.nodes ?? [3, 7];
  const nodes = makeNodes(w, c, rng.int(nlo, nhi));
  const names = new Names(rng, o.profile);
  const workloads: Workload[] = [];
  let twinC: Cluster | undefined;
  const ctx: Ctx = {
    w,
    rng,
    c,
    nodes,
    names,
    profile: o.profile,
    heavy,
    workloads,
    deploy(d = {}) {
      const [ns, domain] = d.ns ? [d.ns, d.domain ?? ""] : names.ns(d.domain);
      const app = d.app ?? names.app(domain || undefined);
      const wl = deployment(w, c, nodes, {
        labelKey: names.labelKey(),
        restarts: rng.chance(0.3),
        ...d,
        ns,
        app,
      });
      workloads.push(wl);
      return wl;
    },
    sts(d) {
      const [ns] = d.ns ? [d.ns] : names.ns(d.domain);
      const wl = statefulSet(w, c, nodes, {
        ...d,
        ns,
        volumeEdges: d.volumes === undefined ? rng.chance(0.6) : true,
      });
      workloads.push(wl);
      return wl;
    },
    lang: () => names.lang(),
    twin() {
      if (!twinC) twinC = twinCluster(w, ctx);
      return twinC;
    },
  };
  const out = v.build(ctx);
  if (v.twin) ctx.twin();
  const avoid = new Set<string>();
  for (const x of [...out.root, ...out.blast]) {
    const r = w.find(c, x.kind, x.namespace, x.name);
    if (x.namespace) avoid.add(`ns:${x.namespace}`);
    if (r?.kind === "Node") avoid.add(r.name);
    if (r?.node) avoid.add(r.node);
  }
  addNoise(w, ctx, o.noise, avoid);
  const messages = w.finish();
  return {
    name,
    fault,
    description: out.description,
    messages,
    symptom: { event_id: out.symptom },
    truth: { root_causes: out.root, blast_radius: uniqRefs(out.blast) },
  };
}

/** Serialize with one message per line: small diffs, readable, deterministic. */
export function serialize(s: ScenarioFile): string {
  const head = [
    `  "name": ${JSON.stringify(s.name)}`,
    `  "fault": ${JSON.stringify(s.fault)}`,
    `  "description": ${JSON.stringify(s.description)}`,
  ];
  const msgs = s.messages.map((m) => `    ${JSON.stringify(m)}`).join(",\n");
  const tail = [
    `  "symptom": ${JSON.stringify(s.symptom)}`,
    `  "truth": ${JSON.stringify(s.truth, null, 2).replace(/\n/g, "\n  ")}`,
  ];
  return `{\n${head.join(",\n")},\n  "messages": [\n${msgs}\n  ],\n${tail.join(",\n")}\n}\n`;
}
