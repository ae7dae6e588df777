import { convertK8sPolicy } from "../policy/index.js";
import type { CalicoPolicyResource, CalicoPolicySpec, EntityRule, PolicyResource, Rule } from "../policy/index.js";
import { andNodes, prefixLabels, printNode, replaceCalls, Selector, SelectorParses, type SelectorNode } from "../selector/index.js";
import { CidrSet } from "./cidr-set.js";
import { clusterPolicySpec } from "./compile-cnp.js";
import { isCatchAll, parseCidr, type Cidr } from "./ip.js";
import { NAMESPACE_LABEL, NAMESPACE_PREFIX, SERVICE_ACCOUNT_LABEL, SERVICE_ACCOUNT_PREFIX } from "./labels.js";
import { parseProtocol } from "./protocol.js";
import type { PolicyKind, PolicyRef } from "./trace.js";

/**
 * Policy resources → compiled policies: selectors rewritten the way Felix's update processors rewrite them
 * (calico-semantics §3), rules turned into matchers. The engine evaluates only compiled policies.
 */
export type RuleAction = "Allow" | "Deny" | "Log" | "Pass";

/** A selector with an id unique within its `SelectorCache`, so results can be memoised per label set. */
export interface CompiledSelector {
  id: number;
  selector: Selector;
}

/**
 * Ids are unique across caches (a process-wide counter), so a label set's memo can never confuse selectors of two
 * policy sets that were compiled with different caches.
 */
let nextSelectorId = 1;

export class SelectorCache {
  private readonly byText = new Map<string, CompiledSelector>();

  /** `parses`: the memo validation filled (a bundle's), so compile parses no text a second time. */
  constructor(readonly parses: SelectorParses = new SelectorParses()) {}

  intern(node: SelectorNode): CompiledSelector {
    // Keyed by canonical text before building the matcher: most interned selectors repeat one seen before.
    const key = printNode(node);
    let compiled = this.byText.get(key);
    if (!compiled) {
      compiled = { id: nextSelectorId++, selector: new Selector(node) };
      this.byText.set(key, compiled);
    }
    return compiled;
  }
}

export interface PortMatch {
  ranges: Array<[number, number]>;
  names: string[];
}

export interface CompiledEntity {
  /** Positive selector after namespace/service-account scoping; undefined means no selector constraint. */
  positive?: CompiledSelector;
  /** notSelector, raw (not namespace-scoped). */
  negative?: CompiledSelector;
  nets?: CidrSet<true>;
  notNets?: CidrSet<true>;
  ports?: PortMatch;
  notPorts?: PortMatch;
}

export interface CompiledRule {
  index: number;
  action: RuleAction;
  /** Field path of the rule in its file, e.g. `spec.ingress[2]` (or the Kubernetes rule/peer it came from). */
  path: string;
  protocol?: number;
  notProtocol?: number;
  icmp?: boolean;
  notIcmp?: boolean;
  ipVersion?: 4 | 6;
  source: CompiledEntity;
  destination: CompiledEntity;
  /** Match fields tierguard does not evaluate (services, domains, http): a match is then uncertain. */
  unevaluated?: string;
  /** The rule can never match (e.g. a negated catch-all CIDR, which Felix drops). */
  never?: string;
}

export interface CompiledPolicy {
  /** Position in the policy set's evaluation order. */
  seq: number;
  ref: PolicyRef;
  resource: PolicyResource;
  staged: boolean;
  stagedAction: "Set" | "Delete" | "Learn" | "Ignore";
  /** +Infinity when unordered. */
  order: number;
  selector: CompiledSelector;
  /** Namespaced policies apply only to workloads in this namespace. */
  namespace?: string;
  ingressApplies: boolean;
  egressApplies: boolean;
  ingress: CompiledRule[];
  egress: CompiledRule[];
  /** doNotTrack / preDNAT policies live in other chains; they never take part in workload evaluation here. */
  outOfScope?: string;
}

export interface CompileNote {
  code: string;
  message: string;
  policy: PolicyRef;
  path: string;
}

export function compilePolicy(resource: PolicyResource, seq: number, cache: SelectorCache, notes: CompileNote[]): CompiledPolicy {
  const kind = resource.kind as PolicyKind;
  const namespaced = kind === "NetworkPolicy" || kind === "StagedNetworkPolicy" || kind === "KubernetesNetworkPolicy" || kind === "StagedKubernetesNetworkPolicy";
  const namespace = namespaced ? resource.metadata.namespace ?? "default" : undefined;
  let spec: CalicoPolicySpec;
  let origins: { ingress?: string[]; egress?: string[] } = {};
  const cluster = clusterPolicySpec(resource, notes);
  if (cluster) {
    spec = cluster.spec;
    origins = cluster.origins;
  } else if (resource.kind === "KubernetesNetworkPolicy" || resource.kind === "StagedKubernetesNetworkPolicy") {
    const converted = convertK8sPolicy(resource);
    spec = converted.spec;
    origins = { ingress: converted.ingressOrigins, egress: converted.egressOrigins };
  } else {
    spec = (resource as CalicoPolicyResource).spec;
  }
  const ref: PolicyRef = { kind, namespace, name: resource.metadata.name ?? "", tier: spec.tier || "default" };
  const ctx: RuleContext = { cache, notes, ref, namespace };
  const types = effectiveTypes(spec);
  const policy: CompiledPolicy = {
    seq,
    ref,
    resource,
    staged: kind.startsWith("Staged"),
    stagedAction: (spec.stagedAction as CompiledPolicy["stagedAction"]) ?? "Set",
    order: spec.order ?? Number.POSITIVE_INFINITY,
    selector: cache.intern(policySelector(spec, namespace, ctx)),
    namespace,
    ingressApplies: types.ingress,
    egressApplies: types.egress,
    ingress: (spec.ingress ?? []).map((r, i) => compileRule(r, i, origins.ingress?.[i] ?? `spec.ingress[${i}]`, ctx)),
    egress: (spec.egress ?? []).map((r, i) => compileRule(r, i, origins.egress?.[i] ?? `spec.egress[${i}]`, ctx)),
  };
  if (spec.doNotTrack || spec.preDNAT) {
    policy.outOfScope = spec.doNotTrack ? "doNotTrack" : "preDNAT";
    notes.push({ code: "engine/not-evaluated", policy: ref, path: `spec.${policy.outOfScope}`,
      message: `${policy.outOfScope} policies are enforced before normal policy and are not evaluated by tierguard` });
  }
  return policy;
}

/** Defaulting of `types` (calico-semantics §4.6): Egress only when there are egress rules and no ingress rules. */
export function effectiveTypes(spec: CalicoPolicySpec): { ingress: boolean; egress: boolean } {
  if (spec.types && spec.types.length > 0) {
    return { ingress: spec.types.includes("Ingress"), egress: spec.types.includes("Egress") };
  }
  const hasEgress = (spec.egress?.length ?? 0) > 0;
  const hasIngress = (spec.ingress?.length ?? 0) > 0;
  if (!hasEgress) return { ingress: true, egress: false };
  return { ingress: hasIngress, egress: true };
}

interface RuleContext {
  cache: SelectorCache;
  notes: CompileNote[];
  ref: PolicyRef;
  namespace?: string;
}

function parseOrNote(text: string, path: string, ctx: RuleContext): SelectorNode | undefined {
  try {
    return ctx.cache.parses.parse(text).root;
  } catch (e) {
    ctx.notes.push({ code: "engine/invalid-selector", message: (e as Error).message, policy: ctx.ref, path });
    return undefined;
  }
}

/** Where a policy applies: networkpolicyprocessor.go / globalnetworkpolicyprocessor.go. */
function policySelector(spec: CalicoPolicySpec, namespace: string | undefined, ctx: RuleContext): SelectorNode {
  const NEVER: SelectorNode = { op: "not", operand: { op: "all" } };
  const sel = spec.selector ? parseOrNote(spec.selector, "spec.selector", ctx) : { op: "all" as const };
  if (!sel) return NEVER;
  let node: SelectorNode = sel;
  if (namespace !== undefined) {
    node = andNodes(node, { op: "eq", label: NAMESPACE_LABEL, value: namespace });
  } else if (spec.namespaceSelector) {
    const ns = parseOrNote(spec.namespaceSelector, "spec.namespaceSelector", ctx);
    if (!ns) return NEVER;
    node = replaceCalls(andNodes(node, prefixLabels(ns, NAMESPACE_PREFIX)), { all: { op: "has", label: NAMESPACE_LABEL } });
  }
  if (spec.serviceAccountSelector) {
    const sa = parseOrNote(spec.serviceAccountSelector, "spec.serviceAccountSelector", ctx);
    if (!sa) return NEVER;
    node = andNodes(node, prefixLabels(sa, SERVICE_ACCOUNT_PREFIX));
    if (namespace === undefined) node = replaceCalls(node, { all: { op: "has", label: SERVICE_ACCOUNT_LABEL } });
  }
  return node;
}

function compileRule(rule: Rule, index: number, path: string, ctx: RuleContext): CompiledRule {
  const out: CompiledRule = {
    index,
    action: (rule.action as RuleAction) ?? "Deny",
    path,
    source: compileEntity(rule.source ?? {}, `${path}.source`, ctx),
    destination: compileEntity(rule.destination ?? {}, `${path}.destination`, ctx),
  };
  if (rule.protocol !== undefined) out.protocol = parseProtocol(rule.protocol);
  if (rule.notProtocol !== undefined) out.notProtocol = parseProtocol(rule.notProtocol);
  if (rule.icmp && (rule.icmp.type !== undefined || rule.icmp.code !== undefined)) out.icmp = true;
  if (rule.notICMP && (rule.notICMP.type !== undefined || rule.notICMP.code !== undefined)) out.notIcmp = true;
  if (rule.ipVersion === 4 || rule.ipVersion === 6) out.ipVersion = rule.ipVersion;
  const unevaluated = [
    rule.http ? "http" : "",
    rule.source?.services || rule.destination?.services ? "services" : "",
    rule.destination?.domains?.length ? "domains" : "",
  ].filter(Boolean);
  if (unevaluated.length > 0) out.unevaluated = unevaluated.join(", ");
  for (const e of [rule.source, rule.destination]) {
    if (e?.notNets?.some((n) => { const c = parseCidr(n); return c !== undefined && isCatchAll(c); })) {
      out.never = "a negated catch-all CIDR in notNets (Felix drops such rules)";
    }
  }
  if ((out.protocol !== undefined && Number.isNaN(out.protocol)) || (out.notProtocol !== undefined && Number.isNaN(out.notProtocol))) {
    out.never = "an invalid protocol";
  }
  return out;
}

/** GetEntityRuleSelector (updateprocessors/rules.go), on syntax trees instead of strings. */
function compileEntity(e: EntityRule, path: string, ctx: RuleContext): CompiledEntity {
  const out: CompiledEntity = {};
  let saSel: SelectorNode | undefined;
  if (e.serviceAccounts) {
    const parts: SelectorNode[] = [];
    if (e.serviceAccounts.names && e.serviceAccounts.names.length > 0) {
      parts.push({ op: "in", label: SERVICE_ACCOUNT_LABEL, values: [...new Set(e.serviceAccounts.names)].sort() });
    }
    if (e.serviceAccounts.selector) {
      const s = parseOrNote(e.serviceAccounts.selector, `${path}.serviceAccounts.selector`, ctx);
      parts.push(s ? prefixLabels(s, SERVICE_ACCOUNT_PREFIX) : { op: "not", operand: { op: "all" } });
    }
    if (parts.length > 0) saSel = parts.length === 1 ? parts[0] : { op: "and", operands: parts };
  }
  let nsSel: SelectorNode | undefined;
  if (e.namespaceSelector) {
    const ns = parseOrNote(e.namespaceSelector, `${path}.namespaceSelector`, ctx) ?? { op: "not", operand: { op: "all" } };
    nsSel = replaceCalls(prefixLabels(ns, NAMESPACE_PREFIX), {
      all: { op: "has", label: NAMESPACE_LABEL },
      global: { op: "not", operand: { op: "has", label: NAMESPACE_LABEL } },
    });
  } else if (ctx.namespace !== undefined) {
    nsSel = { op: "eq", label: NAMESPACE_LABEL, value: ctx.namespace };
  }
  const sel = e.selector ? parseOrNote(e.selector, `${path}.selector`, ctx) ?? { op: "not", operand: { op: "all" } } : undefined;
  const positiveParts = [saSel, sel].filter((n): n is SelectorNode => n !== undefined);
  let positive: SelectorNode | undefined =
    positiveParts.length === 0 ? undefined : positiveParts.length === 1 ? positiveParts[0] : { op: "and", operands: positiveParts };
  if (nsSel && (positive || e.notSelector || e.namespaceSelector)) {
    positive = positive ? andNodes(nsSel, positive) : nsSel;
  }
  if (positive) out.positive = ctx.cache.intern(positive);
  if (e.notSelector) {
    const neg = parseOrNote(e.notSelector, `${path}.notSelector`, ctx);
    if (neg) out.negative = ctx.cache.intern(neg);
  }
  if (e.nets && e.nets.length > 0) out.nets = cidrSet(e.nets);
  if (e.notNets && e.notNets.length > 0) out.notNets = cidrSet(e.notNets);
  if (e.ports && e.ports.length > 0) out.ports = compilePorts(e.ports);
  if (e.notPorts && e.notPorts.length > 0) out.notPorts = compilePorts(e.notPorts);
  return out;
}

function cidrSet(nets: string[]): CidrSet<true> {
  const set = new CidrSet<true>();
  for (const n of nets) {
    const c: Cidr | undefined = parseCidr(n);
    if (c) set.add(c, true);
  }
  return set;
}

/** Port entries: a number, "n", "lo:hi", or a port name. */
export function compilePorts(ports: Array<number | string>): PortMatch {
  const out: PortMatch = { ranges: [], names: [] };
  for (const p of ports) {
    if (typeof p === "number") {
      out.ranges.push([p, p]);
      continue;
    }
    const m = /^(\d+)(?::(\d+))?$/.exec(p);
    if (m) out.ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
    else out.names.push(p);
  }
  return out;
}
