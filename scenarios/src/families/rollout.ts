/** Helpers for rollouts that go wrong: which old pods go away, which new pods appear. */
import type { Workload } from "../lib/k8s.js";
import { createPod, rsPod, scalingMessage, startRollout, stopPod } from "../lib/k8s.js";
import type { Ctx } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import { SEC } from "./common.js";

export interface BadRollout {
  newRs: Res;
  newPods: Res[];
  /** When each new pod got its node (its containers would start right after). */
  podTimes: number[];
  killed: Res[];
  /** When the last old pod stopped serving (Recreate / maxUnavailable), if any did. */
  outageAt?: number;
}

/**
 * Change the template and let the Deployment controller act as its strategy says:
 * RollingUpdate surges `surge` new pods and removes `unavailable` old ones; Recreate removes all
 * old pods first, then creates all new ones.
 */
export function badRollout(
  ctx: Ctx,
  wl: Workload,
  t: number,
  change: Parameters<typeof startRollout>[3],
  o: { strategy?: "RollingUpdate" | "Recreate"; surge?: number; unavailable?: number } = {},
): BadRollout {
  const { w, rng: r } = ctx;
  const n = wl.pods.length;
  const strategy = o.strategy ?? "RollingUpdate";
  const old = wl.rs!;
  const killed: Res[] = [];
  let outageAt: number | undefined;
  if (strategy === "Recreate") {
    const depT = t;
    // Recreate: scale old to 0 first (the new RS is created once old pods are gone).
    const tmp = { ...change };
    let tt = depT + r.int(200, 900);
    // the Deployment object changes first; the controller then scales the old RS down
    w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(wl.c, "down", old.name, 0, n), tt, {
      type: "Normal",
      component: "deployment-controller",
    });
    let last = tt;
    for (const p of wl.pods)
      last = Math.max(last, stopPod(w, p, tt + r.int(100, 800), { owner: old, graceSec: r.int(1, 30) }));
    killed.push(...wl.pods);
    outageAt = tt + r.int(500, 2000);
    old.replicas = 0;
    old.status = { replicas: 0, readyReplicas: 0 };
    w.put(old, tt + r.int(100, 900));
    tt = last + r.int(500, 2000);
    const newRs = startRollout(w, wl, depT, tmp, n, tt - depT);
    const newPods: Res[] = [];
    const podTimes: number[] = [];
    for (let i = 0; i < n; i++) {
      const node = r.pick(wl.nodes);
      const pt = tt + r.int(50, 900);
      newPods.push(rsPod(w, wl, newRs, node, pt));
      podTimes.push(pt + 1500);
    }
    return { newRs, newPods, podTimes, killed, outageAt };
  }
  const surge = o.surge ?? Math.max(1, Math.ceil(n * 0.25));
  const unavailable = o.unavailable ?? Math.floor(n * 0.25);
  const newRs = startRollout(w, wl, t, change, surge);
  const newPods: Res[] = [];
  const podTimes: number[] = [];
  let tt = t + r.int(1, 2) * SEC;
  for (let i = 0; i < surge; i++) {
    const node = r.pick(wl.nodes);
    newPods.push(rsPod(w, wl, newRs, node, tt));
    podTimes.push(tt + 1500);
    tt += r.int(50, 600);
  }
  if (unavailable > 0) {
    w.event(
      wl.ctrl,
      "ScalingReplicaSet",
      scalingMessage(wl.c, "down", old.name, n - unavailable, n),
      t + r.int(300, 1500),
      { type: "Normal", component: "deployment-controller" },
    );
    for (let i = 0; i < unavailable; i++) {
      const victim = wl.pods[i]!;
      stopPod(w, victim, t + r.int(1, 3) * SEC, { owner: old });
      killed.push(victim);
    }
    old.replicas = n - unavailable;
    old.status = { replicas: n - unavailable, readyReplicas: n - unavailable };
    w.put(old, t + r.int(1, 4) * SEC);
    if (unavailable >= n) outageAt = t + 3 * SEC;
  }
  return { newRs, newPods, podTimes, killed, outageAt };
}

export { createPod };
