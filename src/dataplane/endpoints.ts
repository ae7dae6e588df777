import { parseIp, workloadEndpoint, type Endpoint, type EngineUniverse, type Ip } from "../engine/index.js";
import { parseFlowProtocol } from "../engine/protocol.js";
import type { Inventory, InventoryPod } from "../flows/index.js";

/**
 * The workloads the dataplane knows: every pod of the inventory that Calico would give a workload endpoint (not
 * host-networked, not finished, with an address), built with the same facts the simulator's resolver uses
 * (src/impact/resolve.ts), so a selector matches the same pods in the kernel as in `tierguard simulate`.
 */
export interface DataplaneEndpoint {
  pod: InventoryPod;
  endpoint: Endpoint;
  ips: Ip[];
}

const FINISHED = new Set(["Succeeded", "Failed"]);

export function inventoryEndpoints(inventory: Inventory, universe: EngineUniverse): DataplaneEndpoint[] {
  const out: DataplaneEndpoint[] = [];
  for (const pod of inventory.pods) {
    if (pod.hostNetwork || FINISHED.has(pod.phase ?? "")) continue;
    // An address another (live) pod holds is that pod's: the inventory's IP index decides, as in the simulator.
    const ips = pod.ips.filter((t) => inventory.podsByIp.get(t) === pod).map((t) => parseIp(t)).filter((ip): ip is Ip => ip !== undefined);
    if (ips.length === 0) continue;
    const endpoint = workloadEndpoint(
      {
        namespace: pod.namespace,
        name: pod.name,
        podLabels: pod.labels,
        namespaceLabels: inventory.namespaces.get(pod.namespace)?.labels,
        serviceAccount: pod.serviceAccount,
        serviceAccountLabels: inventory.serviceAccounts.get(`${pod.namespace}/${pod.serviceAccount}`)?.labels,
        ip: ips[0],
        namedPorts: pod.namedPorts.map((p) => ({ name: p.name, port: p.port, protocol: parseFlowProtocol(p.protocol) ?? 6 })),
      },
      universe.labels,
    );
    out.push({ pod, endpoint, ips });
  }
  return out;
}

/**
 * `namespace/name` of the pods whose `spec.nodeName` is `node`, from the same parsed documents the inventory was
 * read from (the inventory model does not keep node names). Lists and plain objects, as `parseInventory` reads them.
 */
export function podsOnNode(docs: readonly unknown[], node: string): Set<string> {
  const out = new Set<string>();
  const visit = (item: unknown, implied?: string) => {
    if (typeof item !== "object" || item === null) return;
    const o = item as Record<string, unknown>;
    const kind = typeof o.kind === "string" ? o.kind : implied;
    if (kind !== undefined && kind.endsWith("List") && Array.isArray(o.items)) {
      const inner = kind === "List" ? undefined : kind.slice(0, -"List".length);
      for (const i of o.items) visit(i, inner);
      return;
    }
    if (kind !== "Pod") return;
    const meta = (o.metadata ?? {}) as Record<string, unknown>;
    const spec = (o.spec ?? {}) as Record<string, unknown>;
    if (spec.nodeName === node && typeof meta.name === "string" && typeof meta.namespace === "string") {
      out.add(`${meta.namespace}/${meta.name}`);
    }
  };
  for (const d of docs) visit(d);
  return out;
}
