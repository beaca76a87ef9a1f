/** The main corpus: fault families and their variants. */
import type { VariantDef } from "../lib/scenario.js";
import { badImage } from "./bad-image.js";
import { badConfig, missingConfig } from "./config.js";
import { database, dns, jobFailure, networkPolicy, pvcFull, serviceRouting, tls } from "./deps.js";
import { hpa, nodeFailure, nodePressure, quota, scheduling, volumes } from "./infra.js";
import { oomkill } from "./oomkill.js";
import { cpuThrottling, initContainers, portConflict, probes } from "./workload.js";

export interface Family {
  fault: string;
  variants: VariantDef[];
}

export const MAIN_FAMILIES: Family[] = [
  { fault: "oomkill", variants: oomkill },
  { fault: "bad-image-rollout", variants: badImage },
  { fault: "bad-config-rollout", variants: badConfig },
  { fault: "missing-config", variants: missingConfig },
  { fault: "failed-scheduling", variants: scheduling },
  { fault: "node-not-ready", variants: nodeFailure },
  { fault: "node-pressure", variants: nodePressure },
  { fault: "probe-failure", variants: probes },
  { fault: "database-down", variants: database },
  { fault: "dns-failure", variants: dns },
  { fault: "tls-expired", variants: tls },
  { fault: "volume-attach", variants: volumes },
  { fault: "init-container", variants: initContainers },
  { fault: "quota-exceeded", variants: quota },
  { fault: "cpu-throttling", variants: cpuThrottling },
  { fault: "port-conflict", variants: portConflict },
  { fault: "service-no-endpoints", variants: serviceRouting },
  { fault: "job-failure", variants: jobFailure },
  { fault: "pvc-full", variants: pvcFull },
  { fault: "hpa-maxed", variants: hpa },
  { fault: "network-policy", variants: networkPolicy },
];
