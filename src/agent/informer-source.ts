import { podInterfaces, podsOnNode } from "../dataplane/index.js";
import { parseInventory } from "../flows/index.js";
import { buildResources, DEFAULT_LOAD_LIMITS, loadText } from "../policy/index.js";
import type { CalicoVersion } from "../policy/version.js";
import type { ClusterSnapshot, ClusterSource } from "./daemon.js";

/**
 * The in-cluster source: one informer per kind the agent needs (pods, namespaces and service accounts cluster-wide,
 * for selectors and named ports; the policy kinds the controller applies). The informer interface is the shape of
 * @kubernetes/client-node 1.4's `makeInformer(kc, path, listFn)` result; kube-informers.ts builds the real ones
 * (`kubeInformerFactory(kc)`), and unit tests drive this class with fake informers.
 */
export interface ObjectInformer {
  list(): unknown[];
  on(event: "add" | "update" | "delete" | "error", cb: (obj: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void> | void;
}

export interface WatchedResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const core = (plural: string, kind: string): WatchedResource => ({ group: "", version: "v1", plural, kind });
const calico = (plural: string, kind: string): WatchedResource => ({ group: "projectcalico.org", version: "v3", plural, kind });

export const INVENTORY_RESOURCES: readonly WatchedResource[] = [core("namespaces", "Namespace"), core("pods", "Pod"), core("serviceaccounts", "ServiceAccount")];
export const POLICY_RESOURCES: readonly WatchedResource[] = [
  { group: "networking.k8s.io", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy" },
  calico("tiers", "Tier"),
  calico("networkpolicies", "NetworkPolicy"),
  calico("globalnetworkpolicies", "GlobalNetworkPolicy"),
  calico("stagednetworkpolicies", "StagedNetworkPolicy"),
  calico("stagedglobalnetworkpolicies", "StagedGlobalNetworkPolicy"),
  calico("stagedkubernetesnetworkpolicies", "StagedKubernetesNetworkPolicy"),
  calico("networksets", "NetworkSet"),
  calico("globalnetworksets", "GlobalNetworkSet"),
];

/**
 * Watched only where the cluster serves them (a watch of a kind the API server does not know fails, and would stop
 * every apply): Calico 3.32+ enforces ClusterNetworkPolicy, whose CRD is not installed everywhere.
 */
export const OPTIONAL_POLICY_RESOURCES: readonly WatchedResource[] = [
  { group: "policy.networking.k8s.io", version: "v1alpha2", plural: "clusternetworkpolicies", kind: "ClusterNetworkPolicy" },
];

/** Whether the cluster serves a resource (API discovery); without one, optional resources are not watched. */
export type Served = (r: WatchedResource) => Promise<boolean>;

/** The API path an informer lists and watches (cluster-wide). */
export function apiPath(r: WatchedResource): string {
  return r.group === "" ? `/api/${r.version}/${r.plural}` : `/apis/${r.group}/${r.version}/${r.plural}`;
}

export class InformerSource implements ClusterSource {
  private readonly informers = new Map<WatchedResource, ObjectInformer>();
  private readonly errors: string[] = [];
  /** The policy resources watched: the fixed ones and the optional ones the cluster serves. */
  private policyResources: readonly WatchedResource[] = POLICY_RESOURCES;

  constructor(
    private readonly factory: (r: WatchedResource) => ObjectInformer,
    private readonly node: string,
    private readonly version: CalicoVersion,
    private readonly served?: Served,
  ) {}

  async start(onChange: () => void): Promise<void> {
    const optional: WatchedResource[] = [];
    for (const r of this.served ? OPTIONAL_POLICY_RESOURCES : []) if (await this.served!(r)) optional.push(r);
    this.policyResources = [...POLICY_RESOURCES, ...optional];
    for (const r of [...INVENTORY_RESOURCES, ...this.policyResources]) {
      const inf = this.factory(r);
      for (const ev of ["add", "update", "delete"] as const) inf.on(ev, () => onChange());
      inf.on("error", (e) => this.errors.push(`${apiPath(r)}: ${(e as Error)?.message ?? String(e)}`));
      this.informers.set(r, inf);
    }
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  /** The policy objects the informers hold now, as the next snapshot compiles them. */
  policyObjects(): Array<Record<string, unknown>> {
    return this.items(this.policyResources);
  }

  async snapshot(): Promise<ClusterSnapshot | { error: string }> {
    if (this.errors.length > 0) return { error: this.errors.splice(0).join("; ") };
    const inventoryDocs = [{ kind: "List", items: this.items(INVENTORY_RESOURCES) }];
    const { inventory } = parseInventory(inventoryDocs);
    const text = this.policyObjects().map((o) => JSON.stringify(o)).join("\n---\n");
    const max = 1 << 30;
    const loaded = loadText("cluster", text, { ...DEFAULT_LOAD_LIMITS, maxFileBytes: max, maxDocumentBytes: max, maxDocuments: 1_000_000, maxNodes: max });
    const built = buildResources(loaded.documents);
    const errors = [...loaded.diagnostics, ...built.diagnostics].filter((d) => d.severity === "error");
    if (errors.length > 0) return { error: errors.slice(0, 5).map((d) => `${d.code}: ${d.message}`).join("; ") };
    return { resources: built.resources, inventory, localPods: podsOnNode(inventoryDocs, this.node), interfaces: podInterfaces(inventoryDocs, this.node), version: this.version };
  }

  stop(): void {
    for (const i of this.informers.values()) void i.stop();
  }

  /** List items carry no kind or apiVersion: they are set from the resource the informer watches. */
  private items(rs: readonly WatchedResource[]): Array<Record<string, unknown>> {
    return rs.flatMap((r) => (this.informers.get(r)?.list() ?? []).map((o) => ({ ...(o as object), kind: r.kind, apiVersion: r.group ? `${r.group}/${r.version}` : r.version })));
  }
}
