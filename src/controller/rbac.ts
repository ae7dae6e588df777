import { CLUSTER_KINDS } from "../reconcile/index.js";

/**
 * Every Kubernetes API call the controller may make, as RBAC sees it: (API group, resource, verb). The ClusterRole
 * in deploy/controller/rbac.yaml must grant exactly these (test/controller/deploy.test.ts renders it and compares),
 * and the Kubernetes adapter (src/controller/kube/) should make no call outside them (its tests can check each
 * request the fake API server records with `isPermitted`). A new kind in CLUSTER_KINDS lands here by itself, and
 * the manifest test then fails until the ClusterRole follows.
 *
 * - Managed kinds: the full set of verbs (list and watch for the informers and drift, create/update/patch/delete
 *   for writes; patch covers server-side apply).
 * - Calico's tiered RBAC (the aggregated API server, and from 3.32 the admission webhook on native v3 CRDs)
 *   authorizes each tiered policy also as the pseudo-resource `tier.<plural>` (resource name `<tier>.<name>`), and
 *   needs `get` on its tier, which the Tier rows give:
 *   https://docs.tigera.io/calico/latest/network-policy/policy-tiers/rbac-tiered-policies
 * - Audit and drift records: core/v1 `events` (what the adapter posts: CoreV1Api createNamespacedEvent), create
 *   only. Not events.k8s.io: the adapter never calls it, and a grant of that group does not cover core events
 *   (the scenarios against the fake API server check every request it saw with `isPermitted`).
 * - Nodes (core/v1), get, list and watch: the node agents' reports (src/contracts/node-status.ts), read after each
 *   promotion and on the periodic pass to say "programmed on every node". The adapter lists; get and watch are
 *   granted for `kubectl`-style readers of the same data and cost no write (read-only, cluster-scoped).
 * - Discovery of how projectcalico.org/v3 is served: apiregistration APIServices (the aggregated API server) and
 *   apiextensions CustomResourceDefinitions (native v3 CRDs), get and list. The discovery documents themselves
 *   (/api, /apis) are open to every authenticated user (the `system:discovery` role).
 */
export type RbacVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";

export interface ApiCall {
  group: string;
  resource: string;
  verb: RbacVerb;
}

export const WRITE_VERBS: readonly RbacVerb[] = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** The kinds Calico files under a tier: its RBAC checks them as `tier.<plural>` too. */
const TIERED = new Set(["GlobalNetworkPolicy", "NetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "StagedKubernetesNetworkPolicy"]);

function rows(group: string, resources: readonly string[], verbs: readonly RbacVerb[]): ApiCall[] {
  return resources.flatMap((resource) => verbs.map((verb) => ({ group, resource, verb })));
}

export const CONTROLLER_API_CALLS: readonly ApiCall[] = [
  ...CLUSTER_KINDS.flatMap((k) => rows(k.group, [k.plural], WRITE_VERBS)),
  ...CLUSTER_KINDS.filter((k) => TIERED.has(k.kind)).flatMap((k) => rows(k.group, [`tier.${k.plural}`], WRITE_VERBS)),
  ...rows("", ["events"], ["create"]),
  ...rows("", ["nodes"], ["get", "list", "watch"]),
  ...rows("apiregistration.k8s.io", ["apiservices"], ["get", "list"]),
  ...rows("apiextensions.k8s.io", ["customresourcedefinitions"], ["get", "list"]),
];

export function apiCallKey(c: ApiCall): string {
  return `${c.group || "core"}/${c.resource}:${c.verb}`;
}

const PERMITTED = new Set(CONTROLLER_API_CALLS.map(apiCallKey));

/** True when the ClusterRole grants the call (for the adapter's tests: every request the fake server saw). */
export function isPermitted(c: ApiCall): boolean {
  return PERMITTED.has(apiCallKey(c));
}
