/** Bad image rollouts: the Deployment's image changes to one that cannot be pulled or run. */
import * as A from "../lib/alerts.js";
import { callerErrors } from "../lib/applog.js";
import { bump, crashLoop, imageRef, podEvent, pullFailure, startContainers, startedAt } from "../lib/k8s.js";
import { rc, ref, type VariantDef } from "../lib/scenario.js";
import { callers, MIN, SEC, symptomClientError, target } from "./common.js";
import { badRollout } from "./rollout.js";

function notFound(image: string): string {
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
}

export const badImage: VariantDef[] = [
  {
    slug: "tag-v-prefix-not-found",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(3, 4), image: undefined });
      const cur = wl.image.split(":").pop()!;
      const next = bump(w, cur.replace(/^v/, ""));
      const badTag = cur.startsWith("v") ? next : `v${next}`; // CI pushed without the v, values file has it (or the reverse)
      const bad = imageRef(wl.c, wl.ns, wl.app, badTag);
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, { image: bad });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        const res = pullFailure(w, p, { image: bad, error: notFound(bad), from: ro.podTimes[i]!, until });
        if (i === 0)
          sym = r.chance(0.5)
            ? res.backoffIds[Math.min(1, res.backoffIds.length - 1)]!
            : A.podNotReady(w, p, ro.podTimes[i]! + 2 * SEC).id;
      });
      A.rolloutStuck(w, wl.ctrl, t0 + r.int(1, 3) * MIN);
      return {
        description: `Deployment ${wl.ns}/${wl.app} is rolled to ${badTag}, a tag that was never pushed (the registry has ${next.replace(/^v/, cur.startsWith("v") ? "v" : "")}); the new ReplicaSet's pod sits in ErrImagePull/ImagePullBackOff and the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "registry-migration-pull-denied-recreate",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(1, 2), strategy: "Recreate" });
      const [cl] = callers(ctx, 1, { replicas: r.int(1, 3) });
      const tg = target(ctx, wl, "http");
      const cur = wl.image.split(":").pop()!;
      const org = r.pick(["acme-platform", "acme-corp", "northwind-eng"]);
      const bad = `ghcr.io/${org}/${wl.app}:${bump(w, cur)}`;
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, { image: bad }, { strategy: "Recreate" });
      const until = t0 + r.int(15, 20) * MIN;
      const err = r.chance(0.5)
        ? `rpc error: code = Unknown desc = failed to pull and unpack image "${bad}": failed to resolve reference "${bad}": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3A${org}%2F${wl.app}%3Apull&service=ghcr.io: 401 Unauthorized`
        : `rpc error: code = Unknown desc = failed to pull and unpack image "${bad}": failed to resolve reference "${bad}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
      ro.newPods.forEach((p, i) => {
        pullFailure(w, p, { image: bad, error: err, from: ro.podTimes[i]!, until });
      });
      const lang = ctx.lang();
      const tSym = ro.outageAt! + r.int(5, 40) * SEC;
      const sym = symptomClientError(ctx, cl!.pods[0]!, lang, tg, "refused", tSym);
      callerErrors(w, cl!.pods, lang, tg, "refused", tSym + SEC, until, { everySec: [5, 25] });
      A.deploymentReplicasMismatch(w, wl.ctrl, ro.outageAt! + 10 * SEC);
      return {
        description: `${wl.app} moves its image to ghcr.io/${org} without an imagePullSecret; with the Recreate strategy all old pods are removed first and the new ones cannot pull (401/denied), so ${cl!.app} gets connection refused.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(wl.svc!), ref(ro.newRs), ...ro.newPods.map(ref), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "invalid-image-name-uppercase",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: 2 });
      const cur = wl.image.split(":").pop()!;
      const appCamel = wl.app
        .split("-")
        .map((s) => s[0]!.toUpperCase() + s.slice(1))
        .join("");
      const bad = `${wl.c.registry}/${wl.ns}/${appCamel}:${bump(w, cur)}`;
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, { image: bad }, { surge: 1, unavailable: 1 });
      const until = t0 + r.int(15, 20) * MIN;
      const p = ro.newPods[0]!;
      const msg = `Failed to apply default image tag "${bad}": couldn't parse image reference "${bad}": invalid reference format: repository name must be lowercase`;
      let tt = ro.podTimes[0]!;
      let first = "";
      let k = 0;
      while (tt < until) {
        podEvent(w, p, "InspectFailed", msg, tt, { fieldPath: `spec.containers{${wl.container}}` });
        podEvent(w, p, "Failed", "Error: InvalidImageName", tt + r.int(1, 40), {
          fieldPath: `spec.containers{${wl.container}}`,
        });
        if (k < 2) {
          const id = w.watcherEvent(
            p,
            "InvalidImageName",
            `Container ${wl.container} waiting: InvalidImageName: ${msg}`,
            tt + r.int(200, 1200),
          );
          if (!first) first = id;
        }
        tt += r.int(10, 70) * SEC;
        k++;
      }
      const tSym = t0 + r.int(2, 5) * MIN;
      const sym = A.appAlert(w, ctx.c, "latency", wl.svc!, tSym, { forSec: 300 }).id;
      A.deploymentReplicasMismatch(w, wl.ctrl, t0 + r.int(20, 60) * SEC);
      return {
        description: `A Helm values change renders ${wl.app}'s image as ${appCamel} (upper case): kubelet rejects it as InvalidImageName. maxUnavailable=1 already took one of two old pods away, so latency on the Service climbs.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(wl.svc!), ref(ro.newRs), ref(p)],
      };
    },
  },
  {
    slug: "arm64-only-image-exec-format-error",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(2, 4) });
      const cur = wl.image.split(":").pop()!;
      const bad = imageRef(wl.c, wl.ns, wl.app, bump(w, cur));
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, { image: bad });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: true, ready: false });
        const start = startedAt(p)!;
        const bin = r.pick(["/usr/local/bin/server", "/app/server", "/ko-app/" + wl.app, "/bin/app"]);
        const { crashes } = crashLoop(w, p, {
          term: "Error",
          exitCode: 1,
          firstStart: start,
          runSec: [0.05, 0.4],
          until,
          onRun: (ts) => w.log(p, ts + 30, "ERROR", `exec ${bin}: exec format error`),
        });
        if (i === 0)
          sym = A.podCrashLooping(w, p, wl.container, crashes[1] ?? crashes[0] ?? ro.podTimes[i]!).id;
      });
      return {
        description: `${wl.app} is rolled to an image built only for linux/arm64 (buildx platform flag dropped); on amd64 nodes the new pod exits immediately with "exec format error" and crash-loops.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
];
