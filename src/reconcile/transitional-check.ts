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
 * Sets are keyed by the versions they hold and built from policies compiled once, one at a time for all the
 * classes that need it (`prepare`); outcomes are memoised per set and class, so an order that revisits a state
 * costs nothing.
 */
/** Slot entries listed while building side states, per unit of evaluation budget (both are cheap, this cheaper). */
const STATE_WORK_PER_EVALUATION = 50;
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

/** Thrown by `prepare` when an order would take more evaluations than the check may spend. */
export class BudgetExceeded extends Error {
  constructor(readonly budget: number) {
    super(`the transitional check needs more than ${budget} flow evaluations`);
  }
}

interface SideStates {
  writes: number[];
  /** Per prefix (0: none of the writes applied): the set key, and the resources present. */
  keys: string[];
  resources: Resource[][];
}

export interface EvaluatorOptions {
  version: CalicoVersion;
  universe: EngineUniverse;
  namespaceLabels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  compiled: CompiledPolicies;
  /** Most flow evaluations the check may make (every order tried counts). */
  budget: number;
}

export class StateEvaluator {
  /** Set key → class id → the egress code | the ingress code << 2. */
  private readonly outcomes = new Map<string, Map<number, number>>();
  private readonly statesMemo = new Map<string, SideStates>();
  private statesPos: Int32Array | undefined;
  private stateWork = 0;
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
    const eg = cls.egress && this.states(cls.egress, cls, pos);
    const ing = cls.ingress && this.states(cls.ingress, cls, pos);
    let i = 0;
    let j = 0;
    const code = () => (eg ? this.outcome(eg, i, cls) & 3 : 0) | (ing ? this.outcome(ing, j, cls) >> 2 : 0);
    const writes: number[] = [];
    const codes = [code()];
    const ne = eg ? eg.writes.length : 0;
    const ni = ing ? ing.writes.length : 0;
    while (i < ne || j < ni) {
      const a = i < ne ? eg!.writes[i] : -1;
      const b = j < ni ? ing!.writes[j] : -1;
      // A write both sides see (a policy that applies to both ends, a network set) is one step of both.
      if (a >= 0 && (b < 0 || pos[a] <= pos[b])) {
        writes.push(a);
        i++;
        if (a === b) j++;
      } else {
        writes.push(b);
        j++;
      }
      codes.push(code());
    }
    return { writes, codes };
  }

  /**
   * A side's states under an order: its writes in order and the set key (and resources) after each prefix. Shared
   * by every class with that side and the same network sets, computed once per order.
   */
  private states(side: Side, cls: FlowClass, pos: Int32Array): SideStates {
    if (pos !== this.statesPos) {
      this.statesMemo.clear();
      this.statesPos = pos;
    }
    const memoKey = `${side.key}#${cls.netKey}`;
    const known = this.statesMemo.get(memoKey);
    if (known) return known;
    const slots = merge(side.slots, cls.netSlots);
    const writes = slots.flatMap((s) => this.slots.list[s].changes).sort((a, b) => pos[a] - pos[b]);
    // Each state lists the side's resources: a side with thousands of writes and policies (say, a promotion of
    // thousands of policies that all select every endpoint) must stop the check, not stall it.
    this.stateWork += slots.length * (writes.length + 1);
    if (this.stateWork > this.options.budget * STATE_WORK_PER_EVALUATION) throw new BudgetExceeded(this.options.budget);
    const version = new Map<number, Resource | undefined>();
    const state = (): [string, Resource[]] => {
      const resources: Resource[] = [];
      let key = "";
      for (const slot of slots) {
        const v = version.has(slot) ? version.get(slot) : this.slots.list[slot].initial;
        if (!v) continue;
        resources.push(v);
        key += this.slots.versionId.get(v) + ",";
      }
      return [key, resources];
    };
    const states: SideStates = { writes, keys: [], resources: [] };
    const push = ([key, resources]: [string, Resource[]]) => {
      states.keys.push(key);
      states.resources.push(resources);
    };
    push(state());
    for (const w of writes) {
      version.set(this.slots.ofChange[w], this.changes[w].after);
      push(state());
    }
    this.statesMemo.set(memoKey, states);
    return states;
  }

  /** Both sides' codes for the class in a side's k-th state (egress in bits 0-1, ingress in bits 2-3). */
  private outcome(states: SideStates, k: number, cls: FlowClass): number {
    const key = states.keys[k];
    let byClass = this.outcomes.get(key);
    if (!byClass) this.outcomes.set(key, (byClass = new Map()));
    let packed = byClass.get(cls.id);
    if (packed === undefined) {
      // Not prepared (a caller asking for one class): a set of its own.
      const { version, universe, namespaceLabels, compiled } = this.options;
      this.setsBuilt++;
      packed = this.evaluate(new PolicySet(states.resources[k], { version, universe, namespaceLabels, compiled, stagedDelete: "ignore" }), cls);
      byClass.set(cls.id, packed);
    }
    return packed;
  }

  /**
   * Evaluates, for an order, every (state, class) pair the classes' timelines will ask for and the memo lacks: one
   * small set per state, built once and dropped when its classes are done, so no set is ever built twice.
   */
  prepare(classes: readonly FlowClass[], pos: Int32Array): void {
    const pending = new Map<string, { resources: Resource[]; classes: FlowClass[] }>();
    const need = (states: SideStates | undefined, cls: FlowClass) => {
      if (!states) return;
      states.keys.forEach((key, k) => {
        if (this.outcomes.get(key)?.has(cls.id)) return;
        let entry = pending.get(key);
        if (!entry) pending.set(key, (entry = { resources: states.resources[k], classes: [] }));
        if (entry.classes[entry.classes.length - 1] !== cls) entry.classes.push(cls);
      });
    };
    for (const cls of classes) {
      need(cls.egress && this.states(cls.egress, cls, pos), cls);
      need(cls.ingress && this.states(cls.ingress, cls, pos), cls);
    }
    const { version, universe, namespaceLabels, compiled, budget } = this.options;
    let needed = 0;
    for (const entry of pending.values()) needed += entry.classes.length;
    if (this.evaluations + needed > budget) throw new BudgetExceeded(budget);
    for (const [key, entry] of pending) {
      const set = new PolicySet(entry.resources, { version, universe, namespaceLabels, compiled, stagedDelete: "ignore" });
      this.setsBuilt++;
      let byClass = this.outcomes.get(key);
      if (!byClass) this.outcomes.set(key, (byClass = new Map()));
      for (const cls of entry.classes) if (!byClass.has(cls.id)) byClass.set(cls.id, this.evaluate(set, cls));
    }
  }

  private evaluate(set: PolicySet, cls: FlowClass): number {
    this.evaluations++;
    const e = evaluateFlow(set, cls.facts);
    // The uncertainty of one evaluation is not split by side: taking it for both only ever reports less.
    const unsure = e.uncertain.length > 0 || cls.addressUnknown ? UNCERTAIN : 0;
    const code = (v: "allow" | "deny" | undefined) => (v === "deny" ? DENY : 0) | unsure;
    return code(e.egress?.enforced.verdict) | (code(e.ingress?.enforced.verdict) << 2);
  }

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
