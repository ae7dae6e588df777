import type { CompiledPolicy, Endpoint, PolicySet } from "../engine/index.js";
import { parseSelector } from "../selector/index.js";
import { SelectorCache } from "../engine/index.js";
import { isTrue, isUncertain, selectorOn } from "../engine/index.js";

/**
 * What a selector matches (pods and network sets), or which pods a policy applies to (its selector after Calico's
 * namespace and service-account rewriting), through the engine's own selector evaluation.
 */
export type SelectTarget = { selector: string } | { policy: string };

export interface SelectMatch {
  kind: "pod" | "networkset" | "globalnetworkset";
  name: string;
  /** For a policy: the directions it governs. */
  directions?: string[];
  uncertain?: boolean;
}

export interface SelectResult {
  description: string;
  candidates: number;
  matches: SelectMatch[];
}

export function selectEndpoints(set: PolicySet, pods: readonly Endpoint[], target: SelectTarget): SelectResult | { error: string } {
  if ("selector" in target) {
    const cs = new SelectorCache().intern(parseSelector(target.selector).root);
    const matches: SelectMatch[] = [];
    for (const ep of pods) {
      const m = selectorOn(cs, ep.labels);
      if (isTrue(m)) matches.push({ kind: "pod", name: `${ep.namespace}/${ep.name}`, uncertain: isUncertain(m) || undefined });
    }
    for (const ns of set.networkSets) {
      if (isTrue(selectorOn(cs, ns.labels))) {
        matches.push(ns.namespace ? { kind: "networkset", name: `${ns.namespace}/${ns.name}` } : { kind: "globalnetworkset", name: ns.name });
      }
    }
    return { description: `selector ${cs.selector.toString()} matches:`, candidates: pods.length + set.networkSets.length, matches };
  }
  const found = findPolicy(set, target.policy);
  if ("error" in found) return found;
  const p = found.policy;
  const directions = [p.ingressApplies ? "ingress" : "", p.egressApplies ? "egress" : ""].filter(Boolean);
  const matches: SelectMatch[] = [];
  for (const ep of pods) {
    const m = selectorOn(p.selector, ep.labels);
    if (isTrue(m)) matches.push({ kind: "pod", name: `${ep.namespace}/${ep.name}`, directions, uncertain: isUncertain(m) || undefined });
  }
  const where = p.ref.namespace ? `${p.ref.namespace}/${p.ref.name}` : p.ref.name;
  return {
    description: `${p.ref.kind} ${where} (tier ${p.ref.tier}, effective selector ${p.selector.selector.toString()}) applies to:`,
    candidates: pods.length,
    matches,
  };
}

/** NAME, NAMESPACE/NAME, or KIND/[NAMESPACE/]NAME; ambiguous names are an error listing the choices. */
export function findPolicy(set: PolicySet, spec: string): { policy: CompiledPolicy } | { error: string } {
  const parts = spec.split("/");
  const kinds = new Set(set.policies.map((p) => p.ref.kind as string));
  let kind: string | undefined;
  if (parts.length > 1 && kinds.has(parts[0])) kind = parts.shift();
  else if (parts.length > 1 && /^[A-Z]/.test(parts[0])) kind = parts.shift();
  const [a, b] = parts;
  const namespace = b !== undefined ? a : undefined;
  const name = b !== undefined ? b : a;
  const found = set.policies.filter(
    (p) => p.ref.name === name && (namespace === undefined || p.ref.namespace === namespace) && (kind === undefined || p.ref.kind === kind),
  );
  if (found.length === 1) return { policy: found[0] };
  if (found.length === 0) return { error: `no policy named ${spec}` };
  const choices = found.map((p) => `${p.ref.kind}/${p.ref.namespace ? p.ref.namespace + "/" : ""}${p.ref.name}`).join(", ");
  return { error: `${spec} names ${found.length} policies (${choices}); add the kind or namespace` };
}
