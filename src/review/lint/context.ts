import type { CompiledPolicy, Endpoint, PolicySet } from "../../engine/index.js";
import { isTrue, isUncertain, selectorOn } from "../../engine/index.js";
import { describeResource, isNamespacedKind, isPolicy, type CalicoPolicyResource, type Resource, type Rule } from "../../policy/index.js";
import type { KnownWorkload, ReviewContext } from "../context.js";
import type { Finding } from "../types.js";

/**
 * What every lint rule receives: the review context plus the slices lint rules share (the resources the pull
 * request added or changed, the namespaces it touches, compiled policies by resource).
 */
export interface LintEnv {
  ctx: ReviewContext;
  /** The clock for "staged for N days"; injected so findings are reproducible. */
  now: Date;
  /** Head resources the pull request added or whose meaning it changed. */
  changed: Resource[];
  /**
   * Namespaces the pull request touches, each with the first changed resource that touches it (where
   * namespace-level findings are reported): namespaced resources touch their namespace; global policies (and the
   * tiers holding them) touch the namespaces of the known workloads they select, at base or at head.
   */
  touched: Map<string, { resource: Resource; revision: "base" | "head" }>;
  compiled(r: Resource, revision?: "base" | "head"): CompiledPolicy | undefined;
  workloadsIn(namespace: string): KnownWorkload[];
  /**
   * The known workloads one per label set (the first known of each): what a question about selectors is asked of.
   * Replicas share their labels, so a selector selects all of a set or none of it.
   */
  distinct: KnownWorkload[];
}

export interface LintRule {
  /** The code is `lint/<name>`; `lint.disable` in tierguard.yaml lists names (with or without `lint/`). */
  name: string;
  run(env: LintEnv): Finding[];
}

export function lintEnv(ctx: ReviewContext, now: Date): LintEnv {
  const byResource = { base: compiledIndex(ctx.base.set), head: compiledIndex(ctx.head.set) };
  const compiled = (r: Resource, revision: "base" | "head" = "head") => byResource[revision].get(r);
  const changed = ctx.changes.filter((c) => c.meaningChanged && c.head).map((c) => c.head!);
  const byNamespace = new Map<string, KnownWorkload[]>();
  for (const w of ctx.workloads) {
    const ns = w.endpoint.namespace ?? "";
    const list = byNamespace.get(ns);
    if (list) list.push(w);
    else byNamespace.set(ns, [w]);
  }
  // The first workload of each (label set, namespace), in order: it touches the namespace whenever any of them would.
  const labelClasses = firstOfEach(ctx.workloads, (w) => `${w.endpoint.labels.id}/${w.endpoint.namespace ?? ""}`);
  const touched: LintEnv["touched"] = new Map();
  const touch = (ns: string, resource: Resource, revision: "base" | "head") => {
    if (!touched.has(ns)) touched.set(ns, { resource, revision });
  };
  const touchSelected = (p: CompiledPolicy | undefined, resource: Resource, revision: "base" | "head") => {
    // A cluster-wide policy (it reads no label but the implicit namespace ones) is about no namespace in particular:
    // namespace-level rules should not fire for every namespace of the cluster because it changed.
    if (!p || clusterWide(p)) return;
    for (const w of labelClasses) if (maySelect(p, w.endpoint)) touch(w.endpoint.namespace ?? "", resource, revision);
  };
  for (const c of ctx.changes) {
    if (!c.meaningChanged) continue;
    for (const [r, revision] of [[c.head, "head"], [c.base, "base"]] as const) {
      if (!r) continue;
      if (isNamespacedKind(r.kind)) touch(r.metadata.namespace ?? ctx.config.namespace, r, revision);
      else if (isPolicy(r)) touchSelected(compiled(r, revision), r, revision);
      else if (r.kind === "Tier") {
        for (const p of ctx[revision].set.policies) if (p.ref.tier === r.metadata.name) touchSelected(p, r, revision);
      }
    }
  }
  const distinct = firstOfEach(ctx.workloads.filter((w) => w.endpoint.kind === "workload"), (w) => w.endpoint.labels.id);
  return { ctx, now, changed, touched, compiled, workloadsIn: (ns) => byNamespace.get(ns) ?? [], distinct };
}

function firstOfEach<T, K>(items: readonly T[], key: (item: T) => K): T[] {
  const seen = new Set<K>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function clusterWide(p: CompiledPolicy): boolean {
  for (const k of p.selector.selector.labelKeys()) if (k !== "projectcalico.org/namespace" && k !== "projectcalico.org/orchestrator") return false;
  return true;
}

function compiledIndex(set: PolicySet): Map<Resource, CompiledPolicy> {
  return new Map(set.policies.map((p) => [p.resource as Resource, p]));
}

/** True when the policy selects the endpoint, or might (labels the snapshot aggregated away). */
export function maySelect(p: CompiledPolicy, ep: Endpoint): boolean {
  if (ep.kind !== "workload") return false;
  const m = selectorOn(p.selector, ep.labels);
  return isTrue(m) || isUncertain(m);
}

/** A warning at a field's key (for a map or list field, the line that names it rather than its first item). */
export function warning(r: Resource, path: string, name: string, message: string, extra: Partial<Finding> = {}): Finding {
  const loc = r.source.keyAt(path);
  return { code: `lint/${name}`, severity: "warning", message, file: loc.file, line: loc.line, col: loc.col, path, resource: describeResource(r), ...extra };
}

/** A warning at an offset inside a string field (a label key inside a selector). */
export function warningInside(r: Resource, path: string, offset: number, name: string, message: string): Finding {
  const loc = offset >= 0 ? r.source.inside(path, offset) : r.source.at(path);
  return { code: `lint/${name}`, severity: "warning", message, file: loc.file, line: loc.line, col: loc.col, path, resource: describeResource(r) };
}

// One definition, in src/policy; re-exported for the lint rules that import it from here.
export { isCalicoPolicy } from "../../policy/index.js";

export interface RuleAt {
  rule: Rule;
  direction: "ingress" | "egress";
  /** `spec.ingress[2]` */
  path: string;
}

export function rulesOf(r: CalicoPolicyResource): RuleAt[] {
  const out: RuleAt[] = [];
  for (const direction of ["ingress", "egress"] as const) {
    (r.spec[direction] ?? []).forEach((rule, i) => out.push({ rule, direction, path: `spec.${direction}[${i}]` }));
  }
  return out;
}

/** `a, b and 3 more` */
export function listText(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

export { isGuardrailPolicy as isGuardrail } from "../config.js";
