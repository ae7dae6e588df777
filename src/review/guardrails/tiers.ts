import { describeResource, isPolicy, type PolicyResource, type Resource } from "../../policy/index.js";
import { builtinTiers, policyTier as tierOfPolicy } from "../../policy/index.js";
import type { ReviewContext } from "../context.js";
import type { Finding } from "../types.js";

/**
 * Where a changed policy sits: its tier must exist (Calico rejects a policy naming a tier that does not, §9), and it
 * must have owners in tierguard.yaml, or nobody but the admins answers for it. Removing (or renaming) a Tier that
 * head policies still name is caught at each of those policies.
 */
export function policyTier(r: PolicyResource): string {
  return tierOfPolicy(r);
}

export function checkTiers(ctx: ReviewContext): Finding[] {
  const { config } = ctx;
  const defined = new Set([...ctx.head.resources.filter((r) => r.kind === "Tier").map((r) => r.metadata.name ?? ""), ...builtinTiers(config.calicoVersion).map((t) => t.name)]);
  const findings: Finding[] = [];
  const reported = new Set<Resource>();
  const removedTiers = new Set(
    ctx.changes.filter((c) => c.base?.kind === "Tier" && (c.kind === "removed" || c.kind === "renamed")).map((c) => c.base!.metadata.name ?? ""),
  );
  for (const change of ctx.changes) {
    const r = change.head;
    if (!change.meaningChanged || !r || !isPolicy(r)) continue;
    const tier = policyTier(r);
    if (!defined.has(tier)) {
      findings.push(unknownTier(ctx, r, tier, removedTiers.has(tier)));
      reported.add(r);
    } else if (config.enforceOwnership && (config.tiers.get(tier)?.owners.length ?? 0) === 0) {
      const owned = [...config.tiers].filter(([, t]) => t.owners.length > 0).map(([n]) => n);
      findings.push({
        ...at(r),
        code: "guardrail/unowned-tier",
        severity: "error",
        message:
          `Tier ${tier} has no owners in tierguard.yaml, so no team answers for this policy and nobody but the admins may approve it. ` +
          `Add tiers.${tier}.owners to tierguard.yaml (in its own pull request: the configuration is read from the base revision), ` +
          `or move the policy to an owned tier${owned.length > 0 ? ` (${owned.join(", ")})` : ""}.`,
        ...(config.admins.length > 0 ? { approvers: [...config.admins] } : {}),
      });
    }
  }
  for (const r of ctx.head.resources) {
    if (!isPolicy(r) || reported.has(r)) continue;
    const tier = policyTier(r);
    if (removedTiers.has(tier) && !defined.has(tier)) findings.push(unknownTier(ctx, r, tier, true));
  }
  return findings;
}

function unknownTier(ctx: ReviewContext, r: PolicyResource, tier: string, removedHere: boolean): Finding {
  const configured = ctx.config.tiers.has(tier);
  const defined = [...new Set([...ctx.head.resources.filter((x) => x.kind === "Tier").map((x) => x.metadata.name), ...builtinTiers(ctx.config.calicoVersion).map((t) => t.name)])];
  const message = removedHere
    ? `Tier ${tier} is removed by this change, but this policy still names it: Calico rejects a policy whose tier does not exist. ` +
      `Keep the Tier, or move this policy to another tier (${defined.join(", ")}).`
    : configured
      ? `Tier ${tier} is not defined in this repository; tierguard.yaml gives it owners, so it may exist only in the cluster. ` +
        `Calico rejects this policy unless the tier exists: add its Tier resource here, or make sure the cluster has it before this is applied.`
      : `Tier ${tier} does not exist: no Tier resource in this repository defines it and Calico ${ctx.config.calicoVersion.text} has no such built-in tier, ` +
        `so Calico rejects this policy. Add a Tier named ${tier} (and its owners to tierguard.yaml), or use an existing tier (${defined.join(", ")}).`;
  return { ...at(r), code: "guardrail/unknown-tier", severity: configured && !removedHere ? "warning" : "error", message };
}

function at(r: PolicyResource): Pick<Finding, "file" | "line" | "col" | "path" | "resource"> {
  const path = r.source.has("spec.tier") ? "spec.tier" : "spec";
  const loc = r.source.at(path);
  return { file: loc.file, line: loc.line, col: loc.col, path, resource: describeResource(r) };
}
