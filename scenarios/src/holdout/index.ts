/** The held-out set: other domains, other naming, heavier noise, variants absent from the main set. */
import type { VariantDef } from "../lib/scenario.js";
import { holdoutA } from "./scenarios-a.js";
import { holdoutB } from "./scenarios-b.js";

export interface HoldoutScenario {
  fault: string;
  variant: VariantDef;
}

export const HOLDOUT_SCENARIOS: HoldoutScenario[] = [...holdoutA, ...holdoutB];
