/**
 * Checks every written scenario file: it parses, every message has a known topic and the fields
 * CONTRACT.md requires, the symptom is an event in the messages, every root-cause and
 * blast-radius resource appears in the messages, a root cause with a reason has an event with
 * that reason on it, and the root cause shows evidence within 15 minutes before the symptom.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TOPICS } from "./lib/world.js";

type Obj = Record<string, unknown>;

interface Problem {
  file: string;
  message: string;
}

const FIFTEEN_MIN = 15 * 60 * 1000;
const MIN_TIME = Date.UTC(2024, 0, 1);
const MAX_TIME = Date.UTC(2025, 11, 31);

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

interface EventInfo {
  id: string;
  time: number;
  reason?: string;
  kind?: string;
  ns?: string;
  name?: string;
  uid?: string;
}

function eventInfo(v: Obj): EventInfo | undefined {
  if (isObj(v.involvedObject)) {
    const io = v.involvedObject;
    const md = isObj(v.metadata) ? v.metadata : {};
    const ser = isObj(v.series) ? v.series : {};
    const t = str(v.lastTimestamp) ?? str(ser.lastObservedTime) ?? str(v.eventTime) ?? str(v.firstTimestamp);
    return {
      id: str(md.uid) ?? "",
      time: t ? Date.parse(t) : Number.NaN,
      reason: str(v.reason),
      kind: str(io.kind),
      ns: str(io.namespace),
      name: str(io.name),
      uid: str(io.uid),
    };
  }
  const s = isObj(v.subject) ? v.subject : {};
  const k8s = isObj(v.kubernetes) ? v.kubernetes : {};
  return {
    id: str(v.event_id) ?? "",
    time: Date.parse(str(v.event_time) ?? ""),
    reason: str(v.reason),
    kind: str(s.kind) ?? (v.pod_name || k8s.pod_name ? "Pod" : undefined),
    ns: str(s.ns) ?? str(s.namespace) ?? str(v.pod_namespace) ?? str(k8s.pod_namespace),
    name: str(s.name) ?? str(v.pod_name) ?? str(k8s.pod_name),
    uid: str(s.uid) ?? str(v.pod_uid) ?? str(k8s.pod_uid),
  };
}

export function validateFile(file: string): { problems: Problem[]; fault?: string } {
  const problems: Problem[] = [];
  const bad = (message: string) => problems.push({ file, message });
  let doc: Obj;
  try {
    doc = JSON.parse(readFileSync(file, "utf8")) as Obj;
  } catch (e) {
    bad(`does not parse: ${(e as Error).message}`);
    return { problems };
  }
  for (const k of ["name", "fault", "description"]) if (typeof doc[k] !== "string") bad(`missing ${k}`);
  const messages = Array.isArray(doc.messages) ? (doc.messages as unknown[]) : [];
  if (messages.length === 0) bad("no messages");
  const resources = new Map<string, Obj[]>(); // kind|ns|name -> upserts
  const uidToRes = new Map<string, string>();
  const deleted = new Set<string>();
  const tombKeys = new Set<string>();
  const events: EventInfo[] = [];
  let sawOutOfOrder = false;
  let lastT = 0;
  for (const [i, m] of messages.entries()) {
    if (!isObj(m)) {
      bad(`message ${i} is not an object`);
      continue;
    }
    const topic = m.topic as string;
    if (!TOPICS.includes(topic as (typeof TOPICS)[number])) bad(`message ${i}: unknown topic ${topic}`);
    if (typeof m.key !== "string" || m.key === "") bad(`message ${i}: no key`);
    const v = m.value;
    if (v === null) {
      if (topic === "state.k8s.resource") tombKeys.add(m.key as string);
      if (topic !== "state.k8s.resource" && topic !== "state.k8s.topology")
        bad(`message ${i}: tombstone on ${topic}`);
      continue;
    }
    if (!isObj(v)) {
      bad(`message ${i}: value is not an object`);
      continue;
    }
    switch (topic) {
      case "state.k8s.resource": {
        if (!str(v.kind) || !str(v.name)) bad(`message ${i}: resource without kind/name`);
        if (!str(v.uid) && !(str(v.namespace) && str(v.name)))
          bad(`message ${i}: resource without uid or namespace+name`);
        if (v.op !== "UPSERT" && v.op !== "DELETE") bad(`message ${i}: resource op ${String(v.op)}`);
        if ((m.key as string) !== `${String(v.kind).toLowerCase()}:${String(v.uid)}`)
          bad(`message ${i}: resource key ${String(m.key)} is not kind:uid`);
        const id = `${v.kind}|${v.namespace ?? ""}|${v.name}`;
        if (v.op === "DELETE") deleted.add(id);
        else {
          if (!resources.has(id)) resources.set(id, []);
          resources.get(id)!.push(v);
        }
        if (str(v.uid)) uidToRes.set(String(v.uid), id);
        const t = Date.parse(str(v.at) ?? "");
        if (Number.isNaN(t)) bad(`message ${i}: resource without a valid at`);
        break;
      }
      case "state.k8s.topology":
        for (const k of ["id", "from", "to", "type"]) if (!str(v[k])) bad(`message ${i}: edge without ${k}`);
        if (v.id !== m.key) bad(`message ${i}: edge key != id`);
        break;
      case "events.normalized": {
        const raw = isObj(v.involvedObject);
        if (raw) {
          const md = isObj(v.metadata) ? v.metadata : {};
          if (!str(md.uid)) bad(`message ${i}: raw event without metadata.uid`);
          if (!str(v.reason)) bad(`message ${i}: raw event without reason`);
          if (!["Normal", "Warning"].includes(String(v.type)))
            bad(`message ${i}: raw event type ${String(v.type)}`);
          if (md.uid !== m.key) bad(`message ${i}: raw event key != metadata.uid`);
        } else {
          for (const k of ["event_id", "event_time", "etype", "severity", "reason"])
            if (!str(v[k])) bad(`message ${i}: event without ${k}`);
          if (v.etype !== "k8s.event") bad(`message ${i}: etype ${String(v.etype)} on events.normalized`);
          if (!isObj(v.subject)) bad(`message ${i}: event without subject`);
          if (v.event_id !== m.key) bad(`message ${i}: event key != event_id`);
        }
        const e = eventInfo(v)!;
        if (Number.isNaN(e.time)) bad(`message ${i}: event without time`);
        events.push(e);
        break;
      }
      case "logs.normalized": {
        if (!str(v.message)) bad(`message ${i}: log without message`);
        if (!str(v.event_time)) bad(`message ${i}: log without event_time`);
        const k8s = isObj(v.kubernetes) ? v.kubernetes : {};
        if (!isObj(v.subject) && !str(v.pod_uid) && !str(v.pod_name) && !str(k8s.pod_uid))
          bad(`message ${i}: log without pod`);
        const e = eventInfo(v)!;
        if (e.id) events.push(e);
        break;
      }
      case "alerts.enriched": {
        for (const k of ["event_id", "event_time", "reason", "status"])
          if (!str(v[k])) bad(`message ${i}: alert without ${k}`);
        if (v.etype !== "prom.alert") bad(`message ${i}: alert etype ${String(v.etype)}`);
        if (!isObj(v.labels)) bad(`message ${i}: alert without labels`);
        events.push(eventInfo(v)!);
        break;
      }
    }
    const tt = Date.parse(
      str(v.event_time) ?? str(v.at) ?? str((v as Obj).lastTimestamp) ?? str((v as Obj).eventTime) ?? "",
    );
    if (!Number.isNaN(tt)) {
      if (tt < MIN_TIME || tt > MAX_TIME)
        bad(`message ${i}: time ${new Date(tt).toISOString()} outside 2024-2025`);
      if (tt < lastT - 1000) sawOutOfOrder = true;
      lastT = Math.max(lastT, tt);
    }
  }
  if (!sawOutOfOrder) bad("messages are in time order: no late delivery");
  const symptom = isObj(doc.symptom) ? str(doc.symptom.event_id) : undefined;
  const symEvents = events.filter((e) => e.id === symptom);
  if (!symptom || symEvents.length === 0) bad(`symptom ${String(symptom)} is not an event in messages`);
  const symTime = Math.min(...symEvents.map((e) => e.time));
  const truth = isObj(doc.truth) ? doc.truth : {};
  const roots = Array.isArray(truth.root_causes) ? (truth.root_causes as Obj[]) : [];
  if (roots.length === 0) bad("no root causes");
  const resolves = (e: EventInfo, kind: string, ns: string, name: string) => {
    if (e.kind && e.kind !== kind) return false;
    if (e.name === name && (e.ns ?? "") === ns) return true;
    if (e.uid && uidToRes.get(e.uid) === `${kind}|${ns}|${name}`) return true;
    return kind === "Node" && e.name === name;
  };
  let rootEvidence = false;
  for (const rc of roots) {
    const id = `${rc.kind}|${rc.namespace ?? ""}|${rc.name}`;
    if (!resources.has(id) && !deleted.has(id)) bad(`root cause ${id} not in messages`);
    const evs = events.filter((e) =>
      resolves(e, String(rc.kind), String(rc.namespace ?? ""), String(rc.name)),
    );
    const ups = resources.get(id) ?? [];
    const changeTimes = ups.map((u) => Date.parse(String(u.at)));
    if (rc.reason) {
      const withReason = evs.filter(
        (e) => (e.reason ?? "").toLowerCase() === String(rc.reason).toLowerCase(),
      );
      if (withReason.length === 0) bad(`root cause ${id} has no event with reason ${String(rc.reason)}`);
      if (withReason.some((e) => e.time <= symTime + 60_000 && e.time >= symTime - FIFTEEN_MIN))
        rootEvidence = true;
    } else {
      // a creation mid-recording counts as a change too
      const times = [...evs.map((e) => e.time), ...changeTimes];
      if (deleted.has(id)) rootEvidence = true;
      if (times.some((t) => t <= symTime + 60_000 && t >= symTime - FIFTEEN_MIN)) rootEvidence = true;
    }
  }
  if (!rootEvidence)
    bad(
      `no root-cause evidence within 15 minutes before the symptom (${Number.isFinite(symTime) ? new Date(symTime).toISOString() : "symptom time not found"})`,
    );
  for (const b of Array.isArray(truth.blast_radius) ? (truth.blast_radius as Obj[]) : []) {
    const id = `${b.kind}|${b.namespace ?? ""}|${b.name}`;
    if (!resources.has(id) && !deleted.has(id)) bad(`blast radius ${id} not in messages`);
  }
  return { problems, fault: str(doc.fault) };
}

export function validateDir(dir: string): {
  files: number;
  problems: Problem[];
  faults: Map<string, number>;
} {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const problems: Problem[] = [];
  const faults = new Map<string, number>();
  for (const f of files) {
    const res = validateFile(join(dir, f));
    problems.push(...res.problems);
    if (res.fault) faults.set(res.fault, (faults.get(res.fault) ?? 0) + 1);
  }
  return { files: files.length, problems, faults };
}
