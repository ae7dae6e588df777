import { evaluateFlow, PolicySet, type CompiledPolicies, type EngineUniverse } from "../engine/index.js";
import type { CalicoVersion, Resource } from "../policy/index.js";
import type { FlowClass, Side } from "./transitional-classes.js";
import type { Slots } from "./transitional-state.js";
import type { StateChange } from "./types.js";

/**
 * A class's verdicts through the states of an order, computed on small policy sets: per side (the source's egress,
 * the destination's ingress), only the versions present of the policies that may apply to that endpoint, their
 * tiers, and the network sets the flow's addresses touch. The walk over such a set is the full set's walk for that
 * endpoint and direction: the other policies never apply to it, and tiers without one are skipped (§4.4).
 * Sets are keyed by the versions they hold and built from policies compiled once; outcomes are memoised per set
 * and class, so an order that revisits a state costs nothing.
 */
export const DENY = 1;
export const UNCERTAIN = 2;

/** Where a class's verdict leaves the value it has before and after, and where it comes back. */
export interface Gap {
  cls: FlowClass;
  /** The verdict before and after the whole order (equal), and in the gap. */
  verdict: "allow" | "deny";
  during: "allow" | "deny";
  /** The write after which the verdict first differs, and the one after which it is back. */
  opens: number;
  closes: number;
  /** Some verdict involved depended on facts the snapshot does not give. */
  uncertain: boolean;
}

export interface EvaluatorOptions {
  version: CalicoVersion;
  universe: EngineUniverse;
  namespaceLabels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  compiled: CompiledPolicies;
  /** Most small sets kept at once; older ones are dropped (and rebuilt if met again). */
  maxSets?: number;
}

export class StateEvaluator {
  private sets = new Map<string, PolicySet>();
  /** Set key → class id → the egress code | the ingress code << 2. */
  private readonly outcomes = new Map<string, Map<number, number>>();
  evaluations = 0;
  setsBuilt = 0;

  constructor(
    private readonly slots: Slots,
    private readonly changes: readonly StateChange<Resource>[],
    private readonly options: EvaluatorOptions,
  ) {}

  /** The class's gap under an order (`pos[change]` = its place), if its verdict leaves and comes back. */
  gap(cls: FlowClass, pos: Int32Array): Gap | undefined {
    const { writes, codes } = this.timeline(cls, pos);
    const first = codes[0] & DENY;
    const last = codes[codes.length - 1] & DENY;
    if (first !== last) return undefined;
    for (let j = 1; j < codes.length - 1; j++) {
      if ((codes[j] & DENY) === first) continue;
      let k = j + 1;
      while ((codes[k] & DENY) !== first) k++;
      let uncertain = cls.addressUnknown || ((codes[0] | codes[codes.length - 1]) & UNCERTAIN) !== 0;
      for (let i = j; i < k; i++) uncertain ||= (codes[i] & UNCERTAIN) !== 0;
      const verdict = first === DENY ? "deny" : "allow";
      return { cls, verdict, during: first === DENY ? "allow" : "deny", opens: writes[j - 1], closes: writes[k - 1], uncertain };
    }
    return undefined;
  }

  /** Verdict codes at each prefix of the order restricted to the class's writes (the first: now; the last: after). */
  timeline(cls: FlowClass, pos: Int32Array): { writes: number[]; codes: number[] } {
    const writes = [...cls.writes].sort((a, b) => pos[a] - pos[b]);
    const version = new Map<number, Resource | undefined>();
    let egress = cls.egress ? this.sideCode(cls, cls.egress, version) : 0;
    let ingress = cls.ingress ? this.sideCode(cls, cls.ingress, version) : 0;
    const codes = [egress | ingress];
    for (const w of writes) {
      const slot = this.slots.ofChange[w];
      version.set(slot, this.changes[w].after);
      const net = cls.netSlots.includes(slot);
      if (cls.egress && (net || has(cls.egress.slots, slot))) egress = this.sideCode(cls, cls.egress, version);
      if (cls.ingress && (net || has(cls.ingress.slots, slot))) ingress = this.sideCode(cls, cls.ingress, version);
      codes.push(egress | ingress);
    }
    return { writes, codes };
  }

  /** The side's verdict code in the state `version` describes (slots not in it hold their current version). */
  private sideCode(cls: FlowClass, side: Side, version: Map<number, Resource | undefined>): number {
    const resources: Resource[] = [];
    let key = "";
    for (const slot of merge(side.slots, cls.netSlots)) {
      const v = version.has(slot) ? version.get(slot) : this.slots.list[slot].initial;
      if (!v) continue;
      resources.push(v);
      key += this.slots.versionId.get(v) + ",";
    }
    let byClass = this.outcomes.get(key);
    if (!byClass) this.outcomes.set(key, (byClass = new Map()));
    let packed = byClass.get(cls.id);
    if (packed === undefined) {
      packed = this.evaluate(key, resources, cls);
      byClass.set(cls.id, packed);
    }
    return side.direction === "egress" ? packed & 3 : packed >> 2;
  }

  private evaluate(key: string, resources: Resource[], cls: FlowClass): number {
    let set = this.sets.get(key);
    if (!set) {
      const { version, universe, namespaceLabels, compiled } = this.options;
      if (this.sets.size >= (this.options.maxSets ?? 4096)) this.sets = new Map();
      set = new PolicySet(resources, { version, universe, namespaceLabels, compiled, stagedDelete: "ignore" });
      this.sets.set(key, set);
      this.setsBuilt++;
    }
    this.evaluations++;
    const e = evaluateFlow(set, cls.facts);
    // The uncertainty of one evaluation is not split by side: taking it for both only ever reports less.
    const unsure = e.uncertain.length > 0 || cls.addressUnknown ? UNCERTAIN : 0;
    const code = (v: "allow" | "deny" | undefined) => (v === "deny" ? DENY : 0) | unsure;
    return code(e.egress?.enforced.verdict) | (code(e.ingress?.enforced.verdict) << 2);
  }
}

function has(sorted: readonly number[], x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === x) return true;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Two ascending lists as one, without duplicates. */
function merge(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a as number[];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (out[out.length - 1] !== x) out.push(x);
  }
  return out;
}
