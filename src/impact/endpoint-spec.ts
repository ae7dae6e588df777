import { EMPTY_LABELS, parseIp, workloadEndpoint, type Endpoint, type EngineUniverse } from "../engine/index.js";
import { parseFlowProtocol } from "../engine/index.js";
import type { Inventory, InventoryPod } from "../flows/index.js";

/**
 * Endpoints named on the command line (`explain --from`, policy tests): `NS/POD` against the inventory (exact name,
 * else a unique name prefix such as a Deployment's name), an IP (a pod's, else an external address), or a
 * namespace plus labels for a workload that need not exist.
 */
export type EndpointSpecResult = { endpoint: Endpoint; description: string } | { error: string };

export function endpointForPod(pod: InventoryPod, inventory: Inventory, universe: EngineUniverse): Endpoint {
  return workloadEndpoint(
    {
      namespace: pod.namespace,
      name: pod.name,
      podLabels: pod.labels,
      serviceAccount: pod.serviceAccount,
      serviceAccountLabels: inventory.serviceAccounts.get(`${pod.namespace}/${pod.serviceAccount}`)?.labels,
      namespaceLabels: inventory.namespaces.get(pod.namespace)?.labels,
      ip: pod.ips.length > 0 ? parseIp(pod.ips[0]) : undefined,
      namedPorts: pod.namedPorts.map((p) => ({ name: p.name, port: p.port, protocol: parseFlowProtocol(p.protocol) ?? 6 })),
    },
    universe.labels,
  );
}

export function resolveEndpointSpec(
  spec: string,
  ctx: { inventory?: Inventory; universe: EngineUniverse; labels?: Record<string, string> },
): EndpointSpecResult {
  const ip = parseIp(spec);
  if (ip) {
    const pod = ctx.inventory?.podsByIp.get(spec);
    if (pod && ctx.inventory) return { endpoint: endpointForPod(pod, ctx.inventory, ctx.universe), description: `${pod.namespace}/${pod.name} (${spec})` };
    return { endpoint: { kind: "external", name: spec, labels: EMPTY_LABELS, ip }, description: `${spec} (not a known pod: an external address)` };
  }
  const slash = spec.indexOf("/");
  if (slash <= 0 || slash === spec.length - 1) {
    return { error: `"${spec}" is neither NAMESPACE/POD nor an IP address` };
  }
  const namespace = spec.slice(0, slash);
  const name = spec.slice(slash + 1);
  if (ctx.labels) {
    const endpoint = workloadEndpoint(
      { namespace, name, podLabels: ctx.labels, namespaceLabels: ctx.inventory?.namespaces.get(namespace)?.labels, hypothetical: true },
      ctx.universe.labels,
    );
    return { endpoint, description: `${spec} with labels ${Object.entries(ctx.labels).map(([k, v]) => `${k}=${v}`).join(",") || "(none)"}` };
  }
  if (!ctx.inventory) {
    return { error: `cannot resolve pod ${spec} without --inventory; give one, or give the pod's labels with --from-labels/--to-labels` };
  }
  const exact = ctx.inventory.podsByName.get(spec);
  if (exact) return { endpoint: endpointForPod(exact, ctx.inventory, ctx.universe), description: spec };
  const candidates = ctx.inventory.pods.filter((p) => p.namespace === namespace && p.name.startsWith(name));
  if (candidates.length === 0) return { error: `no pod ${spec} in the inventory` };
  const first = candidates[0];
  const sameShape = candidates.every((p) => sameLabelsExceptHash(p.labels, first.labels) && p.serviceAccount === first.serviceAccount);
  if (!sameShape) {
    const names = candidates.slice(0, 5).map((p) => `${p.namespace}/${p.name}`).join(", ");
    return { error: `${spec} matches ${candidates.length} pods with different labels (${names}${candidates.length > 5 ? ", ..." : ""}); name one` };
  }
  return { endpoint: endpointForPod(first, ctx.inventory, ctx.universe), description: `${namespace}/${first.name}` };
}

/** Replicas differ only in `pod-template-hash` (and the like): treat them as one workload. */
function sameLabelsExceptHash(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === "pod-template-hash" || k === "controller-revision-hash" || k === "statefulset.kubernetes.io/pod-name") continue;
    if (a[k] !== b[k]) return false;
  }
  return true;
}

/** `k=v,k2=v2` → labels. */
export function parseLabelArg(text: string): Record<string, string> | { error: string } {
  const out: Record<string, string> = {};
  if (text.trim() === "") return out;
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { error: `"${part}" is not key=value` };
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
