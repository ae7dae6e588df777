import { PolicySet, type Endpoint, type EngineUniverse, type TierInfo } from "../engine/index.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/index.js";
import { Replayer } from "../impact/index.js";
import type { EndpointResolver } from "../impact/index.js";
import { isPolicy, type Resource } from "../policy/index.js";
import { builtinTiers, policyTier as tierOfPolicy } from "../policy/index.js";
import { buildPolicies } from "./build.js";
import { classify, type Classification } from "./classify.js";
import { isNamespaceName } from "./identity.js";
import type { FlowTuple } from "./observe.js";
import type { Recommendation, RecommendOptions } from "./types.js";

/**
 * The recommendation pipeline over distinct flow tuples: place the recommendation tier, judge each tuple against
 * the tiers above it and today's policies, and learn policies from what is left.
 */
export const EXCLUDED_PREFIXES = ["kube-", "calico-", "tigera-"];

export interface RecommendInput {
  resources: readonly Resource[];
  tuples: readonly FlowTuple[];
  universe: EngineUniverse;
  resolver: EndpointResolver;
  inventory?: Inventory;
  /** Namespaces asked for; undefined: every namespace seen, but kube-*, calico-* and tigera-*. */
  namespaces?: readonly string[];
  /** Earliest flow time (UNIX seconds). */
  earliest?: number;
  options: RecommendOptions;
}

export interface RecommendResult {
  recommendation: Recommendation;
  classification: Classification;
  /** The namespaces that got a policy. */
  namespaces: string[];
  /** Today's policies as a replayer, for the proof to reuse. */
  current: Replayer;
}

export function recommend(input: RecommendInput): RecommendResult {
  const { options } = input;
  const namespaceLabels = inventoryNamespaceLabels(input.inventory);
  const current = new PolicySet(input.resources, { version: options.version, universe: input.universe, namespaceLabels });
  const tier = placeTier(current, options);
  const higherTiers = new Set(current.tiers.filter((t) => t.defined && before(t, tier)).map((t) => t.name));
  const higher = new PolicySet(
    input.resources.filter((r) => !isPolicy(r) || higherTiers.has(policyTier(r))),
    { version: options.version, universe: input.universe, namespaceLabels },
  );
  const namespaces = chooseNamespaces(input);
  const wanted = new Set(namespaces);
  const today = new Replayer(current, input.resolver);
  const classification = classify({
    tuples: input.tuples,
    higher: new Replayer(higher, input.resolver),
    current: today,
    wanted: (ns) => wanted.has(ns),
  });
  const workloads = new Map<number, Endpoint>();
  for (const t of input.tuples) for (const ep of [t.src.endpoint, t.dst.endpoint]) if (ep.kind === "workload") workloads.set(ep.labels.id, ep);
  const built = buildPolicies({ learned: classification.learned, workloads: [...workloads.values()], namespaces, set: current, earliest: input.earliest, options });
  return { recommendation: { tier, ...built }, classification, namespaces, current: today };
}

/** The tier's place: where the repository defines it, else after every tier it defines (before `default`). */
export function placeTier(set: PolicySet, options: RecommendOptions): { name: string; order: number; emit: boolean } {
  const existing = set.tier(options.tier);
  if (existing?.defined) return { name: options.tier, order: existing.order, emit: false };
  const defaultOrder = builtinTiers(options.version).find((t) => t.name === "default")!.order;
  const orders = set.tiers.filter((t) => t.defined && t.name !== "default" && Number.isFinite(t.order) && t.order < defaultOrder).map((t) => t.order);
  const max = orders.length > 0 ? Math.max(...orders) : 0;
  const order = Math.min(max + 100, (max + defaultOrder) / 2);
  return { name: options.tier, order, emit: true };
}

/** Calico's tier order (policy_sorter.go): by order, then name. */
function before(t: TierInfo, rec: { name: string; order: number }): boolean {
  return t.order < rec.order || (t.order === rec.order && t.name < rec.name);
}

function policyTier(r: Resource): string {
  return isPolicy(r) ? tierOfPolicy(r) : "default";
}

/** Namespaces named by a record but not valid names are left out: no policy can live there. */
function chooseNamespaces(input: RecommendInput): string[] {
  if (input.namespaces && input.namespaces.length > 0) return [...new Set(input.namespaces)].filter(isNamespaceName).sort();
  const seen = new Set<string>();
  for (const t of input.tuples) {
    for (const ep of [t.src.endpoint, t.dst.endpoint]) if (ep.kind === "workload" && ep.namespace) seen.add(ep.namespace);
  }
  for (const ns of input.inventory?.namespaces.keys() ?? []) seen.add(ns);
  return [...seen].filter((ns) => isNamespaceName(ns) && !EXCLUDED_PREFIXES.some((p) => ns.startsWith(p))).sort();
}
