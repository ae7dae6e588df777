import { isPolicy, isStagedKind, policyTier, type CalicoPolicySpec, type Resource } from "../../policy/index.js";
import type { ResourceChange } from "../types.js";

/**
 * The promotion plan of a merged pull request: what the controller does in each cluster when the change lands.
 * While the pull request was open its enforced policies were previewed as `Staged*` twins; on merge each becomes
 * enforced (the controller creates the enforced policy, then removes the twin). Staged kinds committed to the
 * repository stay staged, unless the same change replaces one with its enforced kind (the repository's own
 * promotion). Tiers and network sets are applied as they are; removals are deletions; a resource that only moved
 * between files or was reformatted changes nothing in the cluster. Pure: computed from the review's changes.
 */
export type PlanAction = "create" | "update" | "delete";

export interface PlanItem {
  action: PlanAction;
  kind: string;
  /** Undefined for cluster-wide kinds. */
  namespace?: string;
  name: string;
  /** The file that defines it: in the head revision for create/update, in the base revision for delete. */
  file: string;
  /** Calico policies only: their tier ("default" when the policy names none). */
  tier?: string;
  /** Enforced policies created or updated: the kind of the staged twin that previewed them and is replaced. */
  replacesStaged?: string;
  /** True when the repository itself held this policy as a staged kind and the change makes it enforced. */
  promotedFromRepo?: boolean;
  /** Staged kinds: their stagedAction (absent means Set). */
  stagedAction?: string;
}

export interface PromotionPlan {
  /** Enforced policies created or updated: what becomes enforced when the change merges. */
  enforce: PlanItem[];
  /** Staged policies created or updated: evaluated and reported, still not enforced. */
  stage: PlanItem[];
  /** Tiers and network sets created or updated. */
  apply: PlanItem[];
  /** Resources deleted from the cluster. */
  delete: PlanItem[];
  /** Resources that moved between files or were reformatted: nothing changes in the cluster. */
  unchanged: number;
}

const STAGED_TWIN: Record<string, string> = {
  NetworkPolicy: "StagedNetworkPolicy",
  GlobalNetworkPolicy: "StagedGlobalNetworkPolicy",
  KubernetesNetworkPolicy: "StagedKubernetesNetworkPolicy",
};

/** The order a controller applies kinds in: tiers before the policies in them, sets before the rules that use them. */
const KIND_ORDER = ["Tier", "GlobalNetworkSet", "NetworkSet", "GlobalNetworkPolicy", "NetworkPolicy", "KubernetesNetworkPolicy", "ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "StagedKubernetesNetworkPolicy"];

export function stagedTwinKind(kind: string): string | undefined {
  return STAGED_TWIN[kind];
}

export function promotionPlan(changes: readonly ResourceChange[]): PromotionPlan {
  const plan: PromotionPlan = { enforce: [], stage: [], apply: [], delete: [], unchanged: 0 };
  const upserts: Array<{ r: Resource; action: "create" | "update" }> = [];
  const deletions: Resource[] = [];
  for (const c of changes) {
    if (!c.meaningChanged) {
      plan.unchanged++;
      continue;
    }
    if (c.kind === "removed" && c.base) deletions.push(c.base);
    else if (c.kind === "added" && c.head) upserts.push({ r: c.head, action: "create" });
    else if (c.kind === "renamed" && c.base && c.head) {
      deletions.push(c.base);
      upserts.push({ r: c.head, action: "create" });
    } else if (c.head) upserts.push({ r: c.head, action: "update" });
  }
  // A staged policy removed in the same change that creates or updates its enforced twin was promoted, not deleted.
  const enforcedIds = new Set(upserts.filter(({ r }) => STAGED_TWIN[r.kind]).map(({ r }) => twinId(STAGED_TWIN[r.kind], r)));
  const promoted = new Set<string>();
  for (const r of deletions) {
    const id = twinId(r.kind, r);
    if (isStagedKind(r.kind) && enforcedIds.has(id)) promoted.add(id);
    else plan.delete.push(item(r, "delete"));
  }
  for (const { r, action } of upserts) {
    const twin = STAGED_TWIN[r.kind];
    if (twin) {
      const fromRepo = promoted.has(twinId(twin, r));
      plan.enforce.push({ ...item(r, action), replacesStaged: twin, ...(fromRepo ? { promotedFromRepo: true } : {}) });
    } else if (isStagedKind(r.kind)) {
      plan.stage.push({ ...item(r, action), stagedAction: (r.spec as { stagedAction?: string }).stagedAction ?? "Set" });
    } else {
      plan.apply.push(item(r, action));
    }
  }
  for (const list of [plan.enforce, plan.stage, plan.apply]) list.sort(byKindThenName);
  // Deletions run in reverse: policies before the sets and tiers they use.
  plan.delete.sort((a, b) => byKindThenName(a, b, -1));
  return plan;
}

/** "2 policies become enforced, 1 staged, 1 tier or network set applied, 1 deleted" — the plan in one line. */
export function planSummary(plan: PromotionPlan): string {
  const parts = [
    count(plan.enforce.length, "policy becomes enforced", "policies become enforced"),
    count(plan.stage.length, "staged policy updated", "staged policies updated"),
    count(plan.apply.length, "tier or network set applied", "tiers or network sets applied"),
    count(plan.delete.length, "resource deleted", "resources deleted"),
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "nothing changes in the cluster";
}

export function planItemCount(plan: PromotionPlan): number {
  return plan.enforce.length + plan.stage.length + plan.apply.length + plan.delete.length;
}

function count(n: number, one: string, many: string): string {
  return n === 0 ? "" : `${n} ${n === 1 ? one : many}`;
}

function item(r: Resource, action: PlanAction): PlanItem {
  const out: PlanItem = { action, kind: r.kind, name: r.metadata.name ?? "<unnamed>", file: r.source.file };
  if (r.metadata.namespace !== undefined) out.namespace = r.metadata.namespace;
  if (isPolicy(r) && r.kind !== "KubernetesNetworkPolicy" && r.kind !== "StagedKubernetesNetworkPolicy") out.tier = policyTier(r);
  return out;
}

function twinId(stagedKind: string, r: Resource): string {
  return `${stagedKind}/${r.metadata.namespace ?? ""}/${r.metadata.name ?? ""}`;
}

function byKindThenName(a: PlanItem, b: PlanItem, kindDirection = 1): number {
  const k = (KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)) * kindDirection;
  if (k !== 0) return k;
  const an = `${a.namespace ?? ""}/${a.name}`;
  const bn = `${b.namespace ?? ""}/${b.name}`;
  return an < bn ? -1 : an > bn ? 1 : 0;
}
