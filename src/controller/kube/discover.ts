import { ApisApi, CustomObjectsApi } from "@kubernetes/client-node";
import { CLUSTER_KINDS, type ClusterKind } from "../../reconcile/index.js";
import type { Discovery } from "../port.js";
import type { sharedClients } from "./connection.js";
import { toKubeError } from "./errors.js";
import { withRetry, type RetryPolicy } from "./retry.js";

/**
 * How a cluster serves `projectcalico.org/v3`, and which managed kinds it knows. The Calico API server registers an
 * APIService `v3.projectcalico.org` with a `spec.service`; native CRDs (the default from Calico 3.33) get only the
 * local APIService Kubernetes creates for every CRD group (no service), or none at all. The served kinds come from
 * the group-version's resource list, so an older Calico without, say, StagedKubernetesNetworkPolicy is seen as such.
 * Calls: GET /apis, GET /apis/<group>/<version>, GET the APIService.
 */
const CALICO = { group: "projectcalico.org", version: "v3" };

async function servedPlurals(custom: CustomObjectsApi, group: string, version: string, retry: RetryPolicy): Promise<Set<string>> {
  try {
    const list = await withRetry(`GET /apis/${group}/${version}`, () => custom.getAPIResources({ group, version }), retry);
    return new Set(list.resources.map((r) => r.name).filter((n) => !n.includes("/")));
  } catch (e) {
    if (toKubeError(e).status === 404) return new Set();
    throw e;
  }
}

async function aggregated(custom: CustomObjectsApi, retry: RetryPolicy): Promise<boolean> {
  try {
    const svc = (await withRetry("GET apiservices/v3.projectcalico.org", () => custom.getClusterCustomObject({ group: "apiregistration.k8s.io", version: "v1", plural: "apiservices", name: "v3.projectcalico.org" }), retry)) as { spec?: { service?: unknown } };
    return svc.spec?.service !== undefined && svc.spec?.service !== null;
  } catch (e) {
    if (toKubeError(e).status === 404) return false;
    throw e;
  }
}

export async function discover(clients: ReturnType<typeof sharedClients>, retry: RetryPolicy): Promise<Discovery> {
  const custom = clients.make(CustomObjectsApi);
  const groups = await withRetry("GET /apis", () => clients.make(ApisApi).getAPIVersions(), retry);
  const hasCalico = groups.groups.some((g) => g.name === CALICO.group && g.versions.some((v) => v.version === CALICO.version));
  const kinds: ClusterKind[] = [];
  const byGroup = new Map<string, Set<string>>();
  for (const k of CLUSTER_KINDS) {
    const gv = `${k.group}/${k.version}`;
    if (k.group === CALICO.group && !hasCalico) continue;
    if (!byGroup.has(gv)) byGroup.set(gv, await servedPlurals(custom, k.group, k.version, retry));
    if (byGroup.get(gv)!.has(k.plural)) kinds.push(k.kind);
  }
  if (!hasCalico) return { calico: "absent", kinds };
  return { calico: (await aggregated(custom, retry)) ? "aggregated" : "crd", kinds };
}
