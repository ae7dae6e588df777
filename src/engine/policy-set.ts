import { isPolicy, type NetworkSetResource, type PolicyResource, type Resource, type TierResource } from "../policy/index.js";
import { builtinTiers, DEFAULT_CALICO_VERSION, type CalicoVersion } from "../policy/index.js";
import { CidrSet } from "./cidr-set.js";
import { compilePolicy, SelectorCache, type CompiledPolicy, type CompiledSelector, type CompileNote } from "./compile.js";
import { networkSetLabels } from "./endpoint.js";
import { parseCidr, type Cidr, type Ip } from "./ip.js";
import { LabelInterner, NAMESPACE_LABEL, type LabelSet } from "./labels.js";
import { enforcedUnder } from "./compile-cnp.js";
import { legacyName, twinKey } from "./trace.js";
import { isTrue, isUncertain, selectorOn } from "./tri.js";
import type { SelectorParses } from "../selector/index.js";

/**
 * A compiled, ordered set of policies: what Felix would hold for one cluster. Tiers sort by existence, order and
 * name; policies within a tier by order and Calico's tie-break for the chosen version (calico-semantics §4.3).
 * Which policies apply to an endpoint is computed once per distinct label set and direction.
 */
export type Direction = "ingress" | "egress";

/** Shared by every policy set of one run (base and head in a review) and the endpoints resolved for it. */
export class EngineUniverse {
  readonly labels = new LabelInterner();
  readonly selectors: SelectorCache;

  /** `parses`: selector texts already parsed (by validation, `Bundle.selectors`), reused by every compile. */
  constructor(parses?: SelectorParses) {
    this.selectors = new SelectorCache(parses);
  }
}

export interface PolicySetOptions {
  version?: CalicoVersion;
  universe?: EngineUniverse;
  /** Namespace labels from an inventory, for the implicit labels of namespaced network sets. */
  namespaceLabels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /**
   * `stagedAction: Delete`: "preview" removes the enforced twin from the pending verdict, as Calico Enterprise's
   * preview does; "ignore" follows the open-source dataplane, which never sees such staged policies.
   */
  stagedDelete?: "preview" | "ignore";
  /**
   * Compiled policies by resource, shared by many sets over the same resources (the transitional check builds a
   * small set per intermediate state): each resource is compiled once. The set works on copies, so its sort never
   * touches what the cache holds.
   */
  compiled?: CompiledPolicies;
}

export type CompiledPolicies = WeakMap<object, { policy: CompiledPolicy; notes: CompileNote[] }>;

export interface TierInfo {
  name: string;
  /** +Infinity when the tier has no order. */
  order: number;
  defaultAction: "Deny" | "Pass";
  /** False when only referenced by a policy (no Tier resource and not built in): sorts after defined tiers. */
  defined: boolean;
  resource?: TierResource;
}

export interface CompiledNetworkSet {
  kind: "NetworkSet" | "GlobalNetworkSet";
  namespace?: string;
  name: string;
  labels: LabelSet;
  cidrs: Cidr[];
  resource: NetworkSetResource;
}

export interface TierSlice {
  tier: TierInfo;
  /** Non-staged policies that apply, in order. */
  enforced: CompiledPolicy[];
  /** Policies that apply when staged ones are treated as enforced (the pending verdict), in order. */
  pending: CompiledPolicy[];
  /** Policies whose applicability depended on unknown labels. */
  uncertain: CompiledPolicy[];
}

export class PolicySet {
  readonly version: CalicoVersion;
  readonly universe: EngineUniverse;
  readonly tiers: TierInfo[];
  readonly policies: CompiledPolicy[];
  readonly networkSets: CompiledNetworkSet[];
  readonly notes: CompileNote[] = [];
  /** Twin keys of enforced policies whose deletion a staged Delete previews. */
  readonly previewDeleted = new Set<string>();
  /** No staged policy: the enforced and pending walks see the same policies, so one walk gives both verdicts. */
  readonly modesAgree: boolean;
  private readonly tierByName = new Map<string, TierInfo>();
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly global: CompiledPolicy[] = [];
  private readonly netsetIndex = new CidrSet<CompiledNetworkSet>();
  private readonly netsetByName = new Map<string, CompiledNetworkSet>();
  private readonly relevantMemo = new WeakMap<LabelSet, { ingress?: TierSlice[]; egress?: TierSlice[] }>();
  private readonly selectsNetworkSetMemo = new Map<number, boolean>();

  constructor(resources: readonly Resource[], options: PolicySetOptions = {}) {
    this.version = options.version ?? DEFAULT_CALICO_VERSION;
    this.universe = options.universe ?? new EngineUniverse();
    this.tiers = this.buildTiers(resources);
    const compiled: CompiledPolicy[] = [];
    for (const r of resources) {
      if (isPolicy(r) && enforcedUnder(r, this.version, this.notes)) compiled.push(this.compile(r, options.compiled));
    }
    for (const p of compiled) this.tierFor(p.ref.tier);
    this.tiers.sort(compareTiers);
    const tierRank = new Map(this.tiers.map((t, i) => [t.name, i]));
    compiled.sort(
      (a, b) =>
        tierRank.get(a.ref.tier)! - tierRank.get(b.ref.tier)! ||
        compareOrder(a.order, b.order) ||
        compareStrings(this.tieKey(a), this.tieKey(b)),
    );
    compiled.forEach((p, i) => (p.seq = i));
    this.policies = compiled;
    for (const p of compiled) {
      if (p.namespace === undefined) this.global.push(p);
      else {
        const list = this.byNamespace.get(p.namespace);
        if (list) list.push(p);
        else this.byNamespace.set(p.namespace, [p]);
      }
      if (p.staged && p.stagedAction === "Delete" && (options.stagedDelete ?? "preview") === "preview") {
        this.previewDeleted.add(twinKey(p.ref));
      }
    }
    this.modesAgree = compiled.every((p) => !p.staged);
    this.networkSets = resources
      .filter((r): r is NetworkSetResource => r.kind === "NetworkSet" || r.kind === "GlobalNetworkSet")
      .map((r) => this.compileNetworkSet(r, options.namespaceLabels));
  }

  private compile(r: PolicyResource, cache: CompiledPolicies | undefined): CompiledPolicy {
    let entry = cache?.get(r);
    if (!entry) {
      const notes: CompileNote[] = [];
      entry = { policy: compilePolicy(r, 0, this.universe.selectors, notes), notes };
      cache?.set(r, entry);
    }
    this.notes.push(...entry.notes);
    return cache ? { ...entry.policy } : entry.policy;
  }

  tier(name: string): TierInfo | undefined {
    return this.tierByName.get(name);
  }

  /** Tiers with at least one policy that applies to the endpoint in this direction, each with those policies. */
  relevant(labels: LabelSet, direction: Direction): TierSlice[] {
    let entry = this.relevantMemo.get(labels);
    if (!entry) {
      entry = {};
      this.relevantMemo.set(labels, entry);
    }
    return (entry[direction] ??= this.computeRelevant(labels, direction));
  }

  /** Network sets whose CIDRs contain the address, longest prefix first. */
  networkSetsContaining(ip: Ip): CompiledNetworkSet[] {
    return this.netsetIndex.size === 0 ? [] : this.netsetIndex.lookup(ip);
  }

  networkSet(namespace: string | undefined, name: string): CompiledNetworkSet | undefined {
    return this.netsetByName.get(`${namespace ?? ""}/${name}`);
  }

  /** True when the selector matches some network set: an endpoint whose IP is unknown might be inside it. */
  selectsSomeNetworkSet(cs: CompiledSelector): boolean {
    let v = this.selectsNetworkSetMemo.get(cs.id);
    if (v === undefined) {
      v = this.networkSets.some((ns) => isTrue(selectorOn(cs, ns.labels)));
      this.selectsNetworkSetMemo.set(cs.id, v);
    }
    return v;
  }

  private computeRelevant(labels: LabelSet, direction: Direction): TierSlice[] {
    const ns = labels.get(NAMESPACE_LABEL);
    const local = ns === undefined ? undefined : this.byNamespace.get(ns);
    const candidates = local ? mergeBySeq(local, this.global) : this.global;
    const slices: TierSlice[] = [];
    let slice: TierSlice | undefined;
    for (const p of candidates) {
      if (p.outOfScope) continue;
      if (direction === "ingress" ? !p.ingressApplies : !p.egressApplies) continue;
      const applies = selectorOn(p.selector, labels);
      if (applies === 0) continue;
      if (!slice || slice.tier.name !== p.ref.tier) {
        slice = { tier: this.tierByName.get(p.ref.tier)!, enforced: [], pending: [], uncertain: [] };
        slices.push(slice);
      }
      if (isUncertain(applies)) slice.uncertain.push(p);
      if (!isTrue(applies)) continue;
      if (!p.staged) slice.enforced.push(p);
      const deletedByStaged = !p.staged && this.previewDeleted.has(twinKey(p.ref));
      if (!(p.staged && p.stagedAction === "Delete") && !deletedByStaged) slice.pending.push(p);
    }
    return slices;
  }

  private buildTiers(resources: readonly Resource[]): TierInfo[] {
    for (const b of builtinTiers(this.version)) {
      this.tierByName.set(b.name, { name: b.name, order: b.order, defaultAction: b.defaultAction, defined: true });
    }
    for (const r of resources) {
      if (r.kind !== "Tier" || !r.metadata.name) continue;
      this.tierByName.set(r.metadata.name, {
        name: r.metadata.name,
        order: r.spec.order ?? Number.POSITIVE_INFINITY,
        defaultAction: r.spec.defaultAction === "Pass" ? "Pass" : "Deny",
        defined: true,
        resource: r,
      });
    }
    return [...this.tierByName.values()];
  }

  /** A policy's tier that no Tier resource defines still applies, after all defined tiers, with Deny. */
  private tierFor(name: string): TierInfo {
    let t = this.tierByName.get(name);
    if (!t) {
      t = { name, order: Number.POSITIVE_INFINITY, defaultAction: "Deny", defined: false };
      this.tierByName.set(name, t);
      this.tiers.push(t);
    }
    return t;
  }

  /** Calico's tie-break between equally ordered policies of one tier (policy_sorter.go PolKVLess). */
  private tieKey(p: CompiledPolicy): string {
    const { ref } = p;
    if (this.version.model === "v3.32") return `${ref.name}/${ref.namespace ?? ""}/${ref.kind}`;
    const legacy = legacyName(ref);
    if (legacy !== undefined) return legacy;
    const k8s = ref.kind === "KubernetesNetworkPolicy" || ref.kind === "StagedKubernetesNetworkPolicy";
    let name = k8s ? `knp.default.${ref.name}` : ref.name.startsWith(`${ref.tier}.`) ? ref.name : `${ref.tier}.${ref.name}`;
    if (p.staged) name = `staged:${name}`;
    return ref.namespace !== undefined ? `${ref.namespace}/${name}` : name;
  }

  private compileNetworkSet(r: NetworkSetResource, nsLabels: PolicySetOptions["namespaceLabels"]): CompiledNetworkSet {
    const namespace = r.kind === "NetworkSet" ? r.metadata.namespace ?? "default" : undefined;
    const cidrs = (r.spec.nets ?? []).map((n) => parseCidr(n)).filter((c): c is Cidr => c !== undefined);
    const set: CompiledNetworkSet = {
      kind: r.kind,
      namespace,
      name: r.metadata.name ?? "",
      labels: networkSetLabels(r.metadata.labels ?? {}, namespace, namespace ? nsLabels?.get(namespace) : undefined, this.universe.labels),
      cidrs,
      resource: r,
    };
    for (const c of cidrs) this.netsetIndex.add(c, set);
    this.netsetByName.set(`${namespace ?? ""}/${set.name}`, set);
    return set;
  }
}

function compareTiers(a: TierInfo, b: TierInfo): number {
  if (a.defined !== b.defined) return a.defined ? -1 : 1;
  return compareOrder(a.order, b.order) || compareStrings(a.name, b.name);
}

function compareOrder(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Two lists in evaluation order merged into one (namespace-local and global policies). */
export function mergeBySeq(a: readonly CompiledPolicy[], b: readonly CompiledPolicy[]): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].seq < b[j].seq)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}
