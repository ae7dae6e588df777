import { closest } from "../schema.js";
import type { Diagnostic } from "../../contracts/index.js";
import { describeResource, type Resource } from "../types.js";
import { builtinTiers, type CalicoVersion } from "../version.js";
import { hint, isCalicoPolicy, quote } from "./context.js";

/**
 * Checks across the whole resource set: one resource per identity (kind, namespace, name), and every policy's
 * tier either defined in the set or built into the chosen Calico version (calico-semantics §9: "The tier must
 * exist"). A tier may exist only in the cluster, so an unknown tier is a warning.
 */
export function checkDuplicates(resources: readonly Resource[], out: Diagnostic[]): void {
  const first = new Map<string, Resource>();
  for (const r of resources) {
    const key = `${r.kind}\u0000${r.metadata.namespace ?? ""}\u0000${r.metadata.name ?? ""}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, r);
      continue;
    }
    const there = earlier.source.at("metadata.name");
    out.push({
      code: "resource/duplicate",
      severity: "error",
      message: `${describeResource(r)} is defined twice: here and at ${there.file}:${there.line}:${there.col}; ` +
        "the later one would replace the earlier when applied. Remove one or rename it",
      ...r.source.at("metadata.name"),
      path: "metadata.name",
      resource: describeResource(r),
    });
  }
}

export function checkTierReferences(resources: readonly Resource[], version: CalicoVersion, out: Diagnostic[]): void {
  const defined = resources.filter((r) => r.kind === "Tier").map((r) => r.metadata.name!);
  const builtin = builtinTiers(version).map((t) => t.name);
  const known = new Set([...defined, ...builtin]);
  const otherModel = builtinTiers({ model: version.model === "v3.31" ? "v3.32" : "v3.31", text: "" }).map((t) => t.name);
  for (const r of resources) {
    if (!isCalicoPolicy(r)) continue;
    const tier = r.spec.tier;
    if (tier === undefined || tier === "" || known.has(tier)) continue;
    const renamed = otherModel.includes(tier)
      ? ` (${quote(tier)} is a built-in tier in Calico ${version.model === "v3.31" ? "3.32 and later" : "3.31 and earlier"}, not in ${version.text})`
      : "";
    out.push({
      code: "policy/unknown-tier",
      severity: "warning",
      message: `tier ${quote(tier)} is not defined in these files and is not built into Calico ${version.text}${renamed}; ` +
        `it must exist in the cluster before this policy can be applied — add a Tier named ${quote(tier)}` +
        hint(closest(tier, [...known])),
      ...r.source.at("spec.tier"),
      path: "spec.tier",
      resource: describeResource(r),
    });
  }
}
