import type { Resource } from "../policy/index.js";
import { stableJson } from "../review/index.js";
import { covers } from "./covers.js";
import { previewOf, type PlannedChange } from "./diff.js";
import { tierOf } from "./names.js";
import { refKey } from "./objects.js";
import { CLUSTER_KINDS, type ClusterKind, type OrderConstraint, type StateChange } from "./types.js";

/**
 * The order writes are applied in, with no gap: tiers, then network sets, then policy creates and updates (each
 * update in place, never a delete and a create), and deletions last, in reverse dependency order (policies, then
 * sets, then tiers). An enforced policy exists before the staged twin it replaces goes; a renamed policy's new name
 * exists before the old one goes. The constraints say the same to the transitional orderer, which may reorder
 * writes to avoid a transitional outage but never breaks one.
 */
const KIND_RANK = new Map<ClusterKind, number>(CLUSTER_KINDS.map((k, i) => [k.kind, i]));
const POLICY_KINDS = new Set<ClusterKind>(["GlobalNetworkPolicy", "NetworkPolicy", "KubernetesNetworkPolicy", "ClusterNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "StagedKubernetesNetworkPolicy"]);
const SET_KINDS = new Set<ClusterKind>(["GlobalNetworkSet", "NetworkSet"]);

/** `(changes, constraints) => order`: the transitional orderer's contract. `order` lists indices into `changes`. */
export type OrderWrites = (
  changes: StateChange<Resource>[],
  constraints: OrderConstraint[],
  /** What the writes leave alone (as Resources), for replaying whole states; computed only when asked for. */
  context?: { readonly unchanged: Resource[] },
) => { order: number[]; transitional: unknown[]; safe: boolean };

/** The default orderer: the no-gap order the changes already have, nothing transitional checked. */
export const noGapOrder: OrderWrites = (changes) => ({ order: changes.map((_, i) => i), transitional: [], safe: true });

export function orderChanges<C extends PlannedChange>(changes: readonly C[]): C[] {
  return [...changes].sort(compareChanges);
}

function compareChanges(a: PlannedChange, b: PlannedChange): number {
  const phase = (c: PlannedChange) => (c.write.verb === "delete" ? 1 : 0);
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const rank = (KIND_RANK.get(a.write.kind)! - KIND_RANK.get(b.write.kind)!) * (phase(a) === 1 ? -1 : 1);
  if (rank !== 0) return rank;
  const an = refKey(a.write);
  const bn = refKey(b.write);
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** The pairs the order must keep, as indices into `changes` (which are in the no-gap order). */
export function orderConstraints(changes: readonly PlannedChange[]): OrderConstraint[] {
  const out: OrderConstraint[] = [];
  const upserts = changes.map((c, i) => [c, i] as const).filter(([c]) => c.write.verb !== "delete");
  const deletes = changes.map((c, i) => [c, i] as const).filter(([c]) => c.write.verb === "delete");
  const tierOfChange = (c: PlannedChange) => tierOf((c.after ?? c.before ?? { kind: c.write.kind, spec: {} }) as Resource);
  // Tiers and new sets before the policies that may use them.
  for (const [t, ti] of upserts) {
    if (t.write.kind === "Tier") for (const [p, pi] of upserts) if (POLICY_KINDS.has(p.write.kind) && tierOfChange(p) === t.write.name) out.push([ti, pi]);
    if (SET_KINDS.has(t.write.kind) && t.write.verb === "create") for (const [p, pi] of upserts) if (POLICY_KINDS.has(p.write.kind)) out.push([ti, pi]);
  }
  const upsertByKey = new Map(upserts.map(([c, i]) => [refKey(c.write), i]));
  const creates = new Map<string, Array<[PlannedChange, number]>>();
  for (const [c, i] of upserts) if (c.write.verb === "create" && c.write.object) push(creates, bucketOf(c.write.kind, c.write.namespace, c.write.object.spec), [c, i]);
  for (const [d, di] of deletes) {
    // The enforced policy (or the renamed one) before the object it replaces goes.
    const replacedBy = d.twin ? twinTarget(d, upsertByKey) : undefined;
    if (replacedBy !== undefined) out.push([replacedBy, di]);
    const renamed = d.live ? renamedTo(d.live.spec, creates.get(bucketOf(d.write.kind, d.write.namespace, d.live.spec))) : undefined;
    if (renamed !== undefined && renamed !== replacedBy) out.push([renamed, di]);
    // Policies before the sets and tiers they use; sets before tiers.
    for (const [e, ei] of deletes) {
      if (POLICY_KINDS.has(d.write.kind) && SET_KINDS.has(e.write.kind)) out.push([di, ei]);
      if (e.write.kind === "Tier" && (SET_KINDS.has(d.write.kind) || tierOfChange(d) === e.write.name)) out.push([di, ei]);
    }
  }
  return out;
}

function twinTarget(d: PlannedChange, upsertByKey: Map<string, number>): number | undefined {
  const previewed = d.live ? previewOf(d.live) : undefined;
  if (previewed !== undefined) return upsertByKey.get(previewed);
  return upsertByKey.get(`${d.write.kind.replace(/^Staged/, "")}/${d.write.namespace ?? ""}/${d.write.name}`);
}

/** Creates are looked up by kind, namespace and selector; a rename keeps all three. */
function bucketOf(kind: string, namespace: string | null, spec: Record<string, unknown>): string {
  return `${kind}/${namespace ?? ""}/${stableJson(spec.selector ?? spec.podSelector ?? spec.nets ?? null)}`;
}

/** The create whose spec the deleted object's live spec covers (server defaults aside): the same policy, renamed. */
function renamedTo(liveSpec: Record<string, unknown>, candidates: Array<[PlannedChange, number]> | undefined): number | undefined {
  return candidates?.find(([c]) => covers(liveSpec, c.write.object!.spec))?.[1];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** True when `order` is a permutation of the changes that keeps every constraint. */
export function keepsConstraints(order: readonly number[], count: number, constraints: readonly OrderConstraint[]): boolean {
  if (order.length !== count || new Set(order).size !== count || order.some((i) => !Number.isInteger(i) || i < 0 || i >= count)) return false;
  const at = new Map(order.map((c, pos) => [c, pos]));
  return constraints.every(([a, b]) => at.get(a)! < at.get(b)!);
}
