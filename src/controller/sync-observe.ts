import { CLUSTER_KINDS, type ClusterKind, type ClusterObject } from "../reconcile/index.js";
import type { ClusterPort } from "./port.js";

/**
 * What the cluster holds of the kinds tierguard manages: discovery first (Calico's API served by the aggregated
 * API server or by the v3 CRDs; a kind the server does not serve is simply absent), then one list per kind. A
 * repository resource of a kind the server does not serve is a problem, said before anything is written.
 */
export async function observeCluster(port: ClusterPort, wanted: ReadonlyArray<{ kind: string }>): Promise<{ objects: ClusterObject[] } | { problem: string }> {
  const discovery = await port.discover();
  const served = new Set<ClusterKind>(discovery.kinds);
  const missing = [...new Set(wanted.map((r) => r.kind))].filter((k) => !served.has(k as ClusterKind));
  if (missing.length > 0) {
    const how = discovery.calico === "absent" ? "projectcalico.org/v3 is not served (neither the Calico API server nor the v3 CRDs)" : `the server does not serve ${missing.join(", ")}`;
    return { problem: `cannot sync: the repository has ${missing.join(", ")} but ${how}` };
  }
  const objects: ClusterObject[] = [];
  for (const info of CLUSTER_KINDS) if (served.has(info.kind)) objects.push(...(await port.list(info.kind)));
  return { objects };
}

