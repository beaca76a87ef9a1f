import { describe, expect, it } from "vitest";
import { canonicalKind, parseRefString, parseResourceId, refToId, resourceId } from "../../rca/identity.js";

describe("resource identity", () => {
  it("gives one canonical id per (cluster, kind, namespace, name)", () => {
    expect(resourceId("prod", "Pod", "shop", "cart-1")).toBe("prod:pod:shop:cart-1");
    expect(resourceId("prod", "pods", "shop", "cart-1")).toBe("prod:pod:shop:cart-1");
    expect(resourceId("prod", "po", "shop", "cart-1")).toBe("prod:pod:shop:cart-1");
  });

  it("drops the namespace of cluster-scoped kinds", () => {
    expect(resourceId("prod", "Node", "kube-system", "node-2")).toBe("prod:node::node-2");
    expect(resourceId("prod", "pv", "x", "vol-1")).toBe("prod:persistentvolume::vol-1");
  });

  it("parses the three endpoint forms producers send", () => {
    expect(parseRefString("c", "pod:shop:cart-1")).toEqual({ cluster: "c", kind: "Pod", namespace: "shop", name: "cart-1" });
    expect(parseRefString("c", "node:node-2")).toEqual({ cluster: "c", kind: "Node", name: "node-2" });
    expect(parseRefString("c", "pod:9c1f")).toEqual({ cluster: "c", kind: "Pod", uid: "9c1f" });
    expect(parseRefString("c", "node:5d0c2a41-9b1e-4c47-8f7a-1f2e3d4c5b6a")).toEqual({
      cluster: "c",
      kind: "Node",
      uid: "5d0c2a41-9b1e-4c47-8f7a-1f2e3d4c5b6a",
    });
    expect(parseRefString("c", "garbage")).toBeUndefined();
    expect(parseRefString("c", "1bad:x:y")).toBeUndefined();
  });

  it("resolves name-bearing references to the same id as the resource record", () => {
    const fromEdge = refToId(parseRefString("prod", "pod:shop:cart-1")!);
    expect(fromEdge).toBe(resourceId("prod", "Pod", "shop", "cart-1"));
    expect(refToId({ cluster: "prod", kind: "Pod", uid: "u-1" })).toBeUndefined();
  });

  it("round-trips ids, including clusters with colons", () => {
    expect(parseResourceId("eu:west:pod:shop:cart")).toEqual({ cluster: "eu:west", kind: "Pod", namespace: "shop", name: "cart" });
    expect(canonicalKind("statefulsets")).toBe("StatefulSet");
    expect(canonicalKind("MyCustomThing")).toBe("MyCustomThing");
  });
});
