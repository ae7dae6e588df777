import { stagedTwinKind, type PlanItem, type PromotionPlan } from "../review/index.js";
import type { PlannedChange } from "./diff.js";
import { tierOf } from "./names.js";
import { toClusterObject, type Desired, type DesiredOptions } from "./objects.js";
import { ANNOTATIONS, PR_LABEL, type ClusterObject } from "./types.js";
import { builtinTiers, type Resource } from "../policy/index.js";

/**
 * The writes of a sync as the promotion plan the PR comment shows (review/promotion/plan.ts): enforced policies,
 * staged policies, tiers and sets, deletions, in the same words. The removal of a staged twin is not an item of
 * its own: the enforced policy that replaces it says so (`replacesStaged`), as in the comment.
 */
const ENFORCED_POLICY = new Set(["NetworkPolicy", "GlobalNetworkPolicy", "KubernetesNetworkPolicy"]);

/**
 * The objects the repository wants. Built-in tiers (default, kube-admin, ...) are Calico's own: created by Calico,
 * protected, their order and action fixed by validation, so a repository that writes one (for the review's sake)
 * neither writes it nor conflicts with it.
 */
export function desiredObjects(resources: readonly Resource[], opts: DesiredOptions): Desired[] {
  const builtin = new Set(builtinTiers({ model: opts.model, text: "" }).map((t) => t.name));
  return resources.filter((r) => !(r.kind === "Tier" && builtin.has(r.metadata.name ?? ""))).map((resource) => ({ resource, object: toClusterObject(resource, opts) }));
}

export function planOf(changes: readonly PlannedChange[]): PromotionPlan {
  const plan: PromotionPlan = { enforce: [], stage: [], apply: [], delete: [], unchanged: 0 };
  const repoTwins = new Set(changes.filter((c) => c.twin && !c.live?.metadata.labels?.[PR_LABEL]).map((c) => `${c.write.kind.replace(/^Staged/, "")}/${c.write.namespace ?? ""}/${c.write.name}`));
  for (const c of changes) {
    if (c.write.verb === "delete") {
      if (!c.twin) plan.delete.push(item(c, "delete"));
      continue;
    }
    const it = item(c, c.write.verb === "create" ? "create" : "update");
    const kind = c.write.kind;
    if (ENFORCED_POLICY.has(kind)) {
      it.replacesStaged = stagedTwinKind(kind);
      if (repoTwins.has(`${kind}/${c.write.namespace ?? ""}/${c.write.name}`)) it.promotedFromRepo = true;
      plan.enforce.push(it);
    } else if (kind.startsWith("Staged")) {
      it.stagedAction = (c.write.object?.spec as { stagedAction?: string } | undefined)?.stagedAction ?? "Set";
      plan.stage.push(it);
    } else plan.apply.push(it);
  }
  return plan;
}

/** The plan as one list in write order, as `tierguard sync --output json` prints it. */
export function planItems(changes: readonly PlannedChange[]): PlanItem[] {
  const plan = planOf(changes);
  const all = [...plan.apply, ...plan.enforce, ...plan.stage, ...plan.delete];
  const pos = new Map(changes.map((c, i) => [`${c.write.verb}/${c.write.kind}/${c.write.namespace ?? ""}/${c.write.name}`, i]));
  const key = (i: PlanItem) => pos.get(`${i.action}/${i.kind}/${i.namespace ?? ""}/${i.name}`) ?? 0;
  return all.sort((a, b) => key(a) - key(b));
}

function item(c: PlannedChange, action: PlanItem["action"]): PlanItem {
  const out: PlanItem = { action, kind: c.write.kind, name: c.write.name, file: fileOf(c) };
  if (c.write.namespace !== null) out.namespace = c.write.namespace;
  const r = c.after ?? c.before;
  const tier = r ? tierOf(r) : undefined;
  if (tier !== undefined) out.tier = tier;
  return out;
}

function fileOf(c: PlannedChange): string {
  if (c.after) return c.after.source.source.file;
  return sourceFile(c.live) ?? "(the cluster)";
}

/** The repository file an object came from, from its source annotation (`file:line`). */
export function sourceFile(obj: ClusterObject | undefined): string | undefined {
  const s = obj?.metadata.annotations?.[ANNOTATIONS.source];
  return s === undefined ? undefined : s.replace(/:\d+$/, "");
}
