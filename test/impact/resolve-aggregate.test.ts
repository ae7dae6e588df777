import { describe, expect, test } from "@jest/globals";
import { EngineUniverse } from "../../src/engine/index.js";
import { parseInventory, type InventoryPod } from "../../src/flows/index.js";
import { EndpointResolver } from "../../src/impact/resolve.js";

/**
 * Issue 17 (simulate): an aggregated name (`api-7d9c-*`) is resolved against the pods of its own namespace only, so
 * resolving thousands of aggregates does not scan the whole inventory each time; the first pod in inventory order
 * with the prefix still wins.
 */
const pod = (ns: string, name: string, app: string) => ({ kind: "Pod", metadata: { namespace: ns, name, labels: { app } }, status: { podIP: "" } });

function inventory(namespaces: number, perNamespace: number) {
  const items: unknown[] = [];
  for (let n = 0; n < namespaces; n++) {
    items.push({ kind: "Namespace", metadata: { name: `ns-${n}` } });
    for (let p = 0; p < perNamespace; p++) items.push(pod(`ns-${n}`, `app-${p}-abc-${n}`, `app-${p}`));
  }
  return parseInventory([{ kind: "List", items }]).inventory;
}

/** Counts reads of the inventory's pods by index, the work a linear scan does. */
function counted(pods: InventoryPod[]): { pods: InventoryPod[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(pods, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { pods: proxy, reads: () => reads };
}

describe("aggregate names resolve within their namespace", () => {
  test("200 aggregates over 100 namespaces of 20 pods read each pod a bounded number of times", () => {
    const inv = inventory(100, 20);
    const c = counted(inv.pods);
    const resolver = new EndpointResolver(new EngineUniverse(), { ...inv, pods: c.pods });
    for (let n = 0; n < 100; n += 10) {
      for (let p = 0; p < 20; p++) {
        const r = resolver.resolve({ type: "wep", namespace: `ns-${n}`, nameAggr: `app-${p}-abc-*`, labelsAggregated: true });
        expect(r.unresolved).toBeUndefined();
        expect(r.endpoint.name).toBe(`app-${p}-abc-*`);
      }
    }
    // A scan of the whole inventory per aggregate would read up to 200 x 2,000 pods.
    expect(c.reads()).toBeLessThanOrEqual(2 * inv.pods.length);
  });

  test("the first pod of the namespace with the prefix gives the labels, not a same-named pod of another namespace", () => {
    const inv = parseInventory([
      { kind: "List", items: [pod("a", "web-1", "other"), pod("b", "web-2", "first"), pod("b", "web-3", "second")] },
    ]).inventory;
    const resolver = new EndpointResolver(new EngineUniverse(), inv);
    const r = resolver.resolve({ type: "wep", namespace: "b", nameAggr: "web-*", labelsAggregated: true });
    expect(r.endpoint.labels.get("app")).toBe("first");
    const none = resolver.resolve({ type: "wep", namespace: "c", nameAggr: "web-*", labelsAggregated: true });
    expect(none.unresolved).toBe("labels of c/web-* are aggregated in the record and the pod is not in the inventory");
  });
});
