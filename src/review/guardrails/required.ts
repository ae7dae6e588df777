import { describeResource, isPolicy, type PolicyResource, type Resource } from "../../policy/index.js";
import type { ReviewContext } from "../context.js";
import type { Finding } from "../types.js";
import { ownersOf } from "./describe.js";
import { policyTier } from "./tiers.js";

/**
 * Guard rails as tierguard.yaml names them: `guardrails.required` lists policies that must exist, and
 * `guardrails.tiers` makes every policy of a tier a guard rail.
 * - A required policy present at base and gone at head (deleted, renamed, or turned into another kind) is an error
 *   at its base location; so is a staged twin with `stagedAction: Delete` that this change adds, because promoting
 *   it deletes the guard rail (calico-semantics §7).
 * - Any other change of meaning to a guard rail is a warning naming the owners who must look at it.
 */
interface RequiredRef {
  text: string;
  kind: string;
  namespace?: string;
  name: string;
}

const TWIN: Readonly<Record<string, string>> = {
  StagedNetworkPolicy: "NetworkPolicy",
  StagedGlobalNetworkPolicy: "GlobalNetworkPolicy",
  StagedKubernetesNetworkPolicy: "KubernetesNetworkPolicy",
};

export function parseRequired(text: string): RequiredRef | undefined {
  const parts = text.split("/");
  if (parts.length === 2) return { text, kind: parts[0], name: parts[1] };
  if (parts.length === 3) return { text, kind: parts[0], namespace: parts[1], name: parts[2] };
  return undefined;
}

function matches(ref: RequiredRef, kind: string, r: Resource): boolean {
  return kind.toLowerCase() === ref.kind.toLowerCase() && r.metadata.name === ref.name && (ref.namespace === undefined || r.metadata.namespace === ref.namespace);
}

export function checkRequired(ctx: ReviewContext): Finding[] {
  const findings: Finding[] = [];
  const handled = new Set<Resource>();
  const refs = ctx.config.guardrails.required.map(parseRequired).filter((r): r is RequiredRef => r !== undefined);
  for (const ref of refs) {
    const before = ctx.base.resources.filter((r) => matches(ref, r.kind, r));
    const after = ctx.head.resources.filter((r) => matches(ref, r.kind, r));
    if (before.length > 0 && after.length === 0) {
      const gone = before[0];
      handled.add(gone);
      const change = ctx.changes.find((c) => c.base === gone);
      const sameName = ctx.head.resources.find((r) => r.metadata.name === ref.name && r.metadata.namespace === gone.metadata.namespace && r.kind !== gone.kind);
      const how = change?.kind === "renamed" ? ` (${change.summary})` : sameName ? ` (its kind changed to ${sameName.kind}, which removes the ${gone.kind})` : "";
      findings.push({
        ...location(gone, "metadata.name"),
        revision: "base",
        code: "guardrail/required-removed",
        severity: "error",
        message: `${describeResource(gone)} is a required guard rail (tierguard.yaml guardrails.required: ${ref.text}) and this change removes it${how}. ` +
          `Restore it. Retiring a required guard rail takes a change to tierguard.yaml first, approved by ${ownerText(ctx, gone)}.`,
        ...approvers(ctx, gone),
      });
    }
    for (const staged of ctx.head.resources) {
      const twin = TWIN[staged.kind];
      if (!twin || !matches(ref, twin, staged) || !isPolicy(staged) || staged.spec.stagedAction !== "Delete") continue;
      const atBase = ctx.base.resources.find((r) => r.kind === staged.kind && r.metadata.name === staged.metadata.name && r.metadata.namespace === staged.metadata.namespace);
      if (atBase && isPolicy(atBase) && atBase.spec.stagedAction === "Delete") continue;
      handled.add(staged);
      findings.push({
        ...location(staged, "spec.stagedAction"),
        code: "guardrail/required-removed",
        severity: "error",
        message: `This ${staged.kind} with stagedAction: Delete previews the deletion of required guard rail ${twin} ${staged.metadata.namespace ? `${staged.metadata.namespace}/` : ""}${ref.name} ` +
          `(tierguard.yaml guardrails.required: ${ref.text}); promoting it deletes the guard rail. Remove the staged deletion. ` +
          `Retiring a required guard rail takes a change to tierguard.yaml first, approved by ${ownerText(ctx, staged)}.`,
        ...approvers(ctx, staged),
      });
    }
  }
  for (const change of ctx.changes) {
    if (!change.meaningChanged) continue;
    const subject = change.head ?? change.base!;
    if (!isPolicy(subject) || handled.has(subject) || (change.base && handled.has(change.base))) continue;
    const reason = guardrailReason(ctx, refs, change.base, change.head);
    if (!reason) continue;
    const removed = !change.head;
    const stagedDelete = change.head && isPolicy(change.head) && TWIN[change.head.kind] && change.head.spec.stagedAction === "Delete";
    const verb = stagedDelete ? "stages the deletion of its enforced twin" : change.kind === "added" ? "adds it" : removed ? "removes it" : `changes it (${change.summary})`;
    findings.push({
      ...location(subject, "metadata.name"),
      ...(removed ? { revision: "base" as const } : {}),
      code: "guardrail/guardrail-edited",
      severity: "warning",
      message: `${describeResource(subject)} is a guard rail (${reason}) and this change ${verb}. ` +
        `Guard rails belong to ${ownerText(ctx, subject)}: make sure they review it, and that nothing below relied on what changed.`,
      ...approvers(ctx, subject),
    });
  }
  return findings;
}

function guardrailReason(ctx: ReviewContext, refs: RequiredRef[], ...versions: Array<Resource | undefined>): string | undefined {
  for (const r of versions) {
    if (!r || !isPolicy(r)) continue;
    const tier = policyTier(r);
    if (ctx.config.guardrails.tiers.includes(tier)) return `a policy of guard-rail tier ${tier}`;
    const ref = refs.find((x) => matches(x, TWIN[r.kind] ?? r.kind, r));
    if (ref) return `required by tierguard.yaml guardrails.required: ${ref.text}`;
  }
  return undefined;
}

function ownerText(ctx: ReviewContext, r: Resource): string {
  const tier = isPolicy(r) ? policyTier(r) : undefined;
  const owners = tier ? ownersOf(ctx.config, tier) : undefined;
  const admins = ctx.config.admins.filter((a) => !(owners?.list ?? []).includes(a)).map((a) => `@${a}`);
  const parts = [owners && owners.list.length > 0 ? `the owners of tier ${tier} (${owners.text})` : "", admins.length > 0 ? `the admins (${admins.join(", ")})` : ""].filter(Boolean);
  return parts.length > 0 ? parts.join(" or ") : `the owners of tier ${tier ?? "?"} (nobody is listed in tierguard.yaml)`;
}

function approvers(ctx: ReviewContext, r: Resource): { approvers?: string[] } {
  const tier = isPolicy(r) ? policyTier(r as PolicyResource) : undefined;
  const list = [...new Set([...(tier ? ctx.config.tiers.get(tier)?.owners ?? [] : []), ...ctx.config.admins])];
  return list.length > 0 ? { approvers: list } : {};
}

function location(r: Resource, path: string): Pick<Finding, "file" | "line" | "col" | "path" | "resource"> {
  const at = r.source.at(path);
  return { file: at.file, line: at.line, col: at.col, path, resource: describeResource(r) };
}
