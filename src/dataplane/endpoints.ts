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
 * The annotation that names a pod's host-side interface (a routed node's veth, e.g. Calico's `cali…`), where the
 * node's network plugin or its operator gives one. The inventory model keeps no annotations, so it is read from the
 * same parsed documents as `spec.nodeName`.
 */
export const INTERFACE_ANNOTATION = "tierguard.dev/interface";

interface NodePod {
  key: string;
  annotations: Record<string, unknown>;
}

/** The pods of `docs` whose `spec.nodeName` is `node`. Lists and plain objects, as `parseInventory` reads them. */
function nodePods(docs: readonly unknown[], node: string): NodePod[] {
  const out: NodePod[] = [];
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
      const annotations = typeof meta.annotations === "object" && meta.annotations !== null ? (meta.annotations as Record<string, unknown>) : {};
      out.push({ key: `${meta.namespace}/${meta.name}`, annotations });
    }
  };
  for (const d of docs) visit(d);
  return out;
}

/**
 * `namespace/name` of the pods whose `spec.nodeName` is `node`, from the same parsed documents the inventory was
 * read from (the inventory model does not keep node names).
 */
export function podsOnNode(docs: readonly unknown[], node: string): Set<string> {
  return new Set(nodePods(docs, node).map((p) => p.key));
}

/**
 * `namespace/name` → the host-side interface of this node's pods that name one (INTERFACE_ANNOTATION), as written;
 * the compiler checks the name (compile.ts).
 */
export function podInterfaces(docs: readonly unknown[], node: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of nodePods(docs, node)) {
    const name = p.annotations[INTERFACE_ANNOTATION];
    if (typeof name === "string") out.set(p.key, name);
  }
  return out;
}

/** A Linux interface name nft accepts as a string: 1 to 15 bytes, no quote, slash, space or control character. */
export function isInterfaceName(name: string): boolean {
  return /^[A-Za-z0-9_.:@+-]{1,15}$/.test(name) && name !== "." && name !== "..";
}
