import { CLUSTER_KINDS } from "../../../src/reconcile/types.js";
import type { ResourceDef, Store } from "./store.js";

/**
 * What the fake serves and how it describes itself: the resources of each mode, the discovery documents (/api,
 * /api/v1, /apis, /apis/<group>, /apis/<group>/<version>), and how projectcalico.org/v3 exists: behind an
 * APIService (the Calico API server, "aggregated"), as CustomResourceDefinitions ("crd", the default of new installs
 * from Calico 3.33), or not at all ("absent").
 */
export type CalicoMode = "aggregated" | "crd" | "absent";

const r = (group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceDef => ({ group, version, plural, kind, namespaced });

export const BUILTIN: readonly ResourceDef[] = [
  r("", "v1", "namespaces", "Namespace", false),
  r("", "v1", "nodes", "Node", false),
  r("", "v1", "pods", "Pod", true),
  r("", "v1", "serviceaccounts", "ServiceAccount", true),
  r("", "v1", "events", "Event", true),
  r("events.k8s.io", "v1", "events", "Event", true),
  r("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true),
  r("apiregistration.k8s.io", "v1", "apiservices", "APIService", false),
  r("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false),
];

/** Served only when a test asks (`clusterNetworkPolicy: true`): the CRD Calico 3.32+ installs. */
export const CLUSTER_NETWORK_POLICY: ResourceDef = r("policy.networking.k8s.io", "v1alpha2", "clusternetworkpolicies", "ClusterNetworkPolicy", false);

/** The projectcalico.org/v3 resources tierguard manages (src/reconcile's CLUSTER_KINDS), optionally only some kinds. */
export function calicoDefs(kinds?: readonly string[]): ResourceDef[] {
  return CLUSTER_KINDS.filter((k) => k.group === "projectcalico.org" && (!kinds || kinds.includes(k.apiKind))).map((k) => r(k.group, k.version, k.plural, k.apiKind, k.namespaced));
}

const singular = (kind: string) => kind.toLowerCase();
const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** Registers the resources of a mode and writes the APIService or CRD objects that announce Calico's group. */
export function seedResources(store: Store, mode: CalicoMode, calicoKinds?: readonly string[]): void {
  for (const d of BUILTIN) store.register(d);
  if (mode === "absent") return;
  const calico = calicoDefs(calicoKinds);
  for (const d of calico) store.register(d);
  const reg = store.resource("apiregistration.k8s.io", "v1", "apiservices")!;
  const crds = store.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
  if (mode === "aggregated") {
    store.create(reg, undefined, {
      metadata: { name: "v3.projectcalico.org" },
      spec: { group: "projectcalico.org", version: "v3", service: { name: "calico-api", namespace: "calico-apiserver", port: 443 }, groupPriorityMinimum: 1500, versionPriority: 200 },
      status: { conditions: [{ type: "Available", status: "True", reason: "Passed" }] },
    });
    return;
  }
  for (const d of calico) {
    store.create(crds, undefined, {
      metadata: { name: `${d.plural}.${d.group}` },
      spec: {
        group: d.group,
        names: { kind: d.kind, listKind: `${d.kind}List`, plural: d.plural, singular: singular(d.kind) },
        scope: d.namespaced ? "Namespaced" : "Cluster",
        versions: [{ name: d.version, served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
      status: { conditions: [{ type: "Established", status: "True" }], acceptedNames: { kind: d.kind, plural: d.plural } },
    });
  }
}

function resourceList(store: Store, group: string, version: string) {
  const resources = [...store.defs.values()].filter((d) => d.group === group && d.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.map((d) => ({ name: d.plural, singularName: singular(d.kind), namespaced: d.namespaced, kind: d.kind, verbs: VERBS })),
  };
}

function groups(store: Store) {
  const byGroup = new Map<string, Set<string>>();
  for (const d of store.defs.values()) if (d.group) byGroup.set(d.group, (byGroup.get(d.group) ?? new Set()).add(d.version));
  return [...byGroup].sort(([a], [b]) => a.localeCompare(b)).map(([name, versions]) => {
    const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { kind: "APIGroup", apiVersion: "v1", name, versions: vs, preferredVersion: vs[0] };
  });
}

/** The discovery document at `path`, or undefined when the path is not a discovery path (or names no group). */
export function discovery(store: Store, path: string, serverAddress: string): unknown | undefined {
  if (path === "/api") return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
  if (path === "/api/v1") return resourceList(store, "", "v1");
  if (path === "/apis") return { kind: "APIGroupList", apiVersion: "v1", groups: groups(store).map(({ kind: _k, apiVersion: _a, ...g }) => g) };
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  if (m[2] === undefined) return groups(store).find((g) => g.name === m[1]);
  return resourceList(store, m[1], m[2]);
}
