import type { ExplainedDirection, ExplainedPolicy, Explanation } from "../engine/index.js";

/** `tierguard explain` in words: every tier and policy considered, and why each matched or not. */
export function renderExplanationText(x: Explanation, heading: string): string {
  const out: string[] = [heading];
  const pending = x.pendingVerdict !== x.verdict ? ` (with staged policies enforced it would be ${x.pendingVerdict.toUpperCase()})` : "";
  out.push(`Verdict: ${x.verdict.toUpperCase()}${pending}`, "");
  for (const note of x.notes) out.push(note);
  for (const d of [x.egress, x.ingress]) if (d) out.push(...renderDirection(d), "");
  if (x.uncertain.length > 0) {
    out.push("Uncertain: the verdict depends on facts the inputs do not give:");
    for (const u of x.uncertain) out.push(`  - ${u}`);
  }
  return out.join("\n").trimEnd() + "\n";
}

function renderDirection(d: ExplainedDirection): string[] {
  const label = d.direction === "egress" ? "Egress, evaluated at the source" : "Ingress, evaluated at the destination";
  const out = [`${label} ${d.endpoint}: ${d.verdict.toUpperCase()}`];
  if (d.tiers.length === 0) out.push("  no policy concerns this endpoint; the namespace profile allows");
  for (const t of d.tiers) {
    out.push(`  tier ${t.name} (order ${t.order ?? "none"}, default action ${t.defaultAction}): ${t.outcome}`);
    for (const p of t.policies) out.push(...renderPolicy(p));
  }
  if (d.otherNamespacePolicies > 0) out.push(`  (${d.otherNamespacePolicies} namespaced policies of other namespaces cannot apply)`);
  out.push(`  decided by: ${d.trace[d.trace.length - 1]}`);
  out.push(`  trace: ${d.trace.join("  ")}`);
  if (d.pendingTrace.join() !== d.trace.join()) out.push(`  pending trace (staged as enforced): ${d.pendingTrace.join("  ")} -> ${d.pendingVerdict}`);
  return out;
}

function renderPolicy(p: ExplainedPolicy): string[] {
  const what = `${p.staged ? "staged " : ""}${p.kind} ${p.name} (order ${p.order ?? "none"})`;
  if (p.applies === "no") return [`    - ${what}: does not apply: ${p.whyNot}`];
  const head = p.applies === "uncertain" ? `    ? ${what}: may apply (depends on unknown labels)` : `    * ${what}: applies`;
  if (p.staged) return [`${head}; staged, so it does not affect the enforced verdict`];
  if (!p.rules) return [`${head}; not reached (an earlier policy or tier decided)`];
  if (p.rules.length === 0) return [`${head}; it has no rules for this direction`];
  return [
    head,
    ...p.rules.map((r) => {
      const result = r.outcome === "matched" ? `matched -> ${r.action}` : r.outcome === "uncertain" ? `uncertain: ${r.detail}` : `no match (${r.detail})`;
      return `        rule ${r.index} ${r.action} at ${r.path}: ${result}`;
    }),
  ];
}
