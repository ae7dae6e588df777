import { describeEndpoint, EngineUniverse, PolicySet, protocolName, type CompiledPolicies } from "../engine/index.js";
import type { CalicoVersion, Resource } from "../policy/index.js";
import { BudgetExceeded, StateEvaluator, type Gap } from "./transitional-check.js";
import { buildClasses, type FlowClass, type TransitionalTuple } from "./transitional-classes.js";
import { OrderGraph, positions } from "./transitional-order.js";
import { Slots } from "./transitional-state.js";
import type { OrderConstraint, StateChange, WriteVerb } from "./types.js";

export type { TransitionalTuple } from "./transitional-classes.js";

/**
 * The transitional check (issue 11, "No transitional outage or exposure"): replay the snapshot's distinct flows
 * through every intermediate state of a write order and pick an order in which no state denies a flow that both
 * the old and the new state allow (an outage) nor allows one that both deny (an exposure). The default order is
 * checked first; each gap found is repaired by moving the write that closes it before the one that opens it (or
 * the opener after the closer), constraints never broken, a bounded number of times, never revisiting an order.
 * When no order closes every gap, the default order's gaps are the answer, unless a reordering found fewer.
 */
export interface TransitionalOptions {
  /** What the cluster holds now (enforced and staged kinds alike; staged ones never change an enforced verdict). */
  current: readonly Resource[];
  /** The snapshot's distinct flow tuples (src/run/tuples.ts collects them). */
  tuples: readonly TransitionalTuple[];
  version: CalicoVersion;
  /** Namespace labels from an inventory, for namespaced network sets' implicit labels. */
  namespaceLabels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The universe the tuples' endpoints were resolved in, to share its selector cache; a new one by default. */
  universe?: EngineUniverse;
  /** Most reorderings tried (default 200). */
  maxMoves?: number;
  /** Most transitional flows listed (default 200); the summary counts them all. */
  maxListed?: number;
  /**
   * Most flow evaluations the check may spend (default 5,000,000: about a minute). Past it, reordering stops with
   * the best order so far; if even the default order could not be checked, the result says so and is not safe.
   */
  maxEvaluations?: number;
}

/** A write as the transitional report names it: its place in the given (default) order and its object. */
export interface TransitionalWrite {
  index: number;
  verb: WriteVerb;
  kind: string;
  namespace: string | null;
  name: string;
}

/** One flow that some intermediate state of the chosen order treats unlike both the old and the new state (JSON). */
export interface TransitionalFlow {
  /** "outage": allowed before and after, denied in between; "exposure": denied before and after, allowed in between. */
  effect: "outage" | "exposure";
  source: string;
  destination: string;
  protocol: string;
  port: number | null;
  /** Flow records of the snapshot behind it, and how many distinct tuples. */
  records: number;
  tuples: number;
  verdicts: { before: "allow" | "deny"; after: "allow" | "deny"; during: "allow" | "deny" };
  /** The write after which the flow's verdict changes, and the one after which it is back. */
  opens: TransitionalWrite;
  closes: TransitionalWrite;
}

export interface TransitionalSummary {
  /** Distinct tuples and classes (tuples the engine cannot tell apart); classes touched by two writes or more. */
  tuples: number;
  classes: number;
  checked: number;
  /** Flows with a gap in the chosen order, listed or not. */
  transitional: { flows: number; records: number };
  /** Gaps whose verdicts depended on unknown facts (aggregated labels, missing addresses): not reported as flows. */
  uncertain: { flows: number; records: number };
  /** Reorderings tried, and whether the chosen order differs from the default. */
  moves: number;
  reordered: boolean;
  /** Small policy sets built and flow evaluations made. */
  sets: number;
  evaluations: number;
  /** Set when the check could not cover the chosen order within its budget: why. The result is then not safe. */
  incomplete?: string;
}

export interface TransitionalResult {
  /** Indices into the changes, in the order to write them. */
  order: number[];
  transitional: TransitionalFlow[];
  /** True when no intermediate state of `order` opens a gap on any certain flow. */
  safe: boolean;
  summary: TransitionalSummary;
}

/** The transitional orderer: satisfies order.ts's `OrderWrites`, with the check's summary on top. */
export type TransitionalOrderWrites = (changes: StateChange<Resource>[], constraints: OrderConstraint[]) => TransitionalResult;

export function transitionalOrderer(options: TransitionalOptions): TransitionalOrderWrites {
  return (changes, constraints) => orderWrites(options, changes, constraints);
}

function orderWrites(options: TransitionalOptions, changes: StateChange<Resource>[], constraints: OrderConstraint[]): TransitionalResult {
  const slots = new Slots(options.current, changes);
  // A verdict can leave and come back only between two writes an enforced verdict sees: with fewer, no flow can.
  if (slots.ofChange.filter((s) => s >= 0).length < 2) return unchanged(changes, options.tuples.length);
  const universe = options.universe ?? new EngineUniverse();
  const compiled: CompiledPolicies = new WeakMap();
  const { version, namespaceLabels } = options;
  const big = new PolicySet(slots.versions(), { version, universe, namespaceLabels, compiled, stagedDelete: "ignore" });
  const all = buildClasses(options.tuples, big, slots);
  const classes = all.filter((c) => c.writes.length >= 2);
  const evaluator = new StateEvaluator(slots, changes, { version, universe, namespaceLabels, compiled, budget: options.maxEvaluations ?? 5_000_000 });
  const graph = new OrderGraph(changes.length, [...constraints, ...slots.sameObjectConstraints()]);
  const search = new Search(classes, evaluator, graph, changes.length);
  let chosen: { order: number[]; gaps: Gap[] };
  let incomplete: string | undefined;
  try {
    chosen = search.run(options.maxMoves ?? 200);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    chosen = { order: changes.map((_, i) => i), gaps: [] };
    incomplete = `${e.message}: the default order was not checked`;
  }
  const certain = chosen.gaps.filter((g) => !g.uncertain);
  const unsure = chosen.gaps.filter((g) => g.uncertain);
  const sum = (gs: Gap[]) => ({ flows: gs.reduce((n, g) => n + g.cls.tuples, 0), records: gs.reduce((n, g) => n + g.cls.records, 0) });
  certain.sort((a, b) => b.cls.records - a.cls.records || a.cls.id - b.cls.id);
  return {
    order: chosen.order,
    transitional: certain.slice(0, options.maxListed ?? 200).map((g) => describeGap(g, changes)),
    safe: certain.length === 0 && !incomplete,
    summary: {
      tuples: options.tuples.length,
      classes: all.length,
      checked: classes.length,
      transitional: sum(certain),
      uncertain: sum(unsure),
      moves: search.moves,
      reordered: chosen.order.some((c, i) => c !== i),
      sets: evaluator.setsBuilt,
      evaluations: evaluator.evaluations,
      ...(incomplete ? { incomplete } : {}),
    },
  };
}

interface Candidate {
  order: number[];
  pos: Int32Array;
  /** Gaps by class index (into `classes`). */
  gaps: Map<number, Gap>;
  /** Classes with a certain gap, and their records: what a reordering must not raise. */
  count: number;
  cost: number;
}

/** The search over orders: greedy repairs of the first gap, each accepted when it leaves no more certain gaps. */
class Search {
  moves = 0;
  private readonly byWrite: number[][];

  constructor(
    private readonly classes: FlowClass[],
    private readonly evaluator: StateEvaluator,
    private readonly graph: OrderGraph,
    size: number,
  ) {
    this.byWrite = Array.from({ length: size }, () => []);
    classes.forEach((c, i) => c.writes.forEach((w) => this.byWrite[w].push(i)));
  }

  run(maxMoves: number): { order: number[]; gaps: Gap[] } {
    const initial = Array.from({ length: this.graph.size }, (_, i) => i);
    const first = this.evaluate(initial, undefined, this.classes.map((_, i) => i));
    let current = first;
    let best = first;
    const seen = new Set([initial.join(",")]);
    while (current.cost > 0 && this.moves < maxMoves) {
      const next = this.step(current, seen, maxMoves);
      if (!next) break;
      current = next;
      if (current.cost < best.cost) best = current;
    }
    return { order: best.order, gaps: [...best.gaps.values()] };
  }

  /** Tries repairs of the gaps in write order until one is accepted. */
  private step(current: Candidate, seen: Set<string>, maxMoves: number): Candidate | undefined {
    const gaps = [...current.gaps.values()].filter((g) => !g.uncertain).sort((a, b) => current.pos[a.opens] - current.pos[b.opens] || a.cls.id - b.cls.id);
    for (const g of gaps) {
      const repairs = [
        () => this.graph.moveBefore(current.order, current.pos, g.closes, g.opens),
        () => this.graph.moveAfter(current.order, current.pos, g.opens, g.closes),
      ];
      for (const repair of repairs) {
        if (this.moves >= maxMoves) return undefined;
        const order = repair();
        if (!order) continue;
        const sig = order.join(",");
        if (seen.has(sig)) continue;
        seen.add(sig);
        const pos = positions(order);
        if (!this.graph.valid(pos)) continue;
        this.moves++;
        const touched = new Set<number>();
        order.forEach((w, i) => {
          if (current.pos[w] !== i) for (const c of this.byWrite[w]) touched.add(c);
        });
        let next: Candidate;
        try {
          next = this.evaluate(order, current, [...touched].sort((a, b) => a - b));
        } catch (e) {
          if (e instanceof BudgetExceeded) return undefined; // out of budget: the best order so far stands
          throw e;
        }
        if (next.cost <= current.cost && next.count <= current.count) return next;
      }
    }
    return undefined;
  }

  /** The gaps of an order: those of `base` kept for classes whose writes did not move, the rest rechecked. */
  private evaluate(order: number[], base: Candidate | undefined, recheck: number[]): Candidate {
    const pos = positions(order);
    this.evaluator.prepare(recheck.map((i) => this.classes[i]), pos);
    const gaps = new Map(base?.gaps ?? []);
    for (const i of recheck) {
      const g = this.evaluator.gap(this.classes[i], pos);
      if (g) gaps.set(i, g);
      else gaps.delete(i);
    }
    let cost = 0;
    let count = 0;
    for (const g of gaps.values()) {
      if (g.uncertain) continue;
      cost += g.cls.records;
      count++;
    }
    return { order, pos, gaps, count, cost };
  }
}

/**
 * One line for a terminal or a PR comment: "outage: shop/frontend-1 → shop/web-1 TCP/8080 (7 records): allowed
 * before and after, denied from write 1 (delete NetworkPolicy shop/allow-web) until write 2 (create ...)".
 */
export function formatTransitionalFlow(f: TransitionalFlow): string {
  const w = (x: TransitionalWrite) => `write ${x.index + 1} (${x.verb} ${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name})`;
  const port = f.port === null ? "" : `/${f.port}`;
  const records = `${f.records} record${f.records === 1 ? "" : "s"}`;
  const past = (v: "allow" | "deny") => (v === "allow" ? "allowed" : "denied");
  return `${f.effect}: ${f.source} → ${f.destination} ${f.protocol}${port} (${records}): ${past(f.verdicts.before)} before and after, ${past(f.verdicts.during)} from ${w(f.opens)} until ${w(f.closes)}`;
}

function unchanged(changes: readonly StateChange<Resource>[], tuples: number): TransitionalResult {
  const none = { flows: 0, records: 0 };
  const summary = { tuples, classes: 0, checked: 0, transitional: none, uncertain: none, moves: 0, reordered: false, sets: 0, evaluations: 0 };
  return { order: changes.map((_, i) => i), transitional: [], safe: true, summary };
}

function describeGap(g: Gap, changes: readonly StateChange<Resource>[]): TransitionalFlow {
  const write = (index: number): TransitionalWrite => {
    const w = changes[index].write;
    return { index, verb: w.verb, kind: w.kind, namespace: w.namespace, name: w.name };
  };
  const { cls } = g;
  return {
    effect: g.verdict === "allow" ? "outage" : "exposure",
    source: describeEndpoint(cls.src.endpoint),
    destination: describeEndpoint(cls.dst.endpoint),
    protocol: protocolName(cls.facts.protocol),
    port: cls.facts.dstPort ?? null,
    records: cls.records,
    tuples: cls.tuples,
    verdicts: { before: g.verdict, after: g.verdict, during: g.during },
    opens: write(g.opens),
    closes: write(g.closes),
  };
}
