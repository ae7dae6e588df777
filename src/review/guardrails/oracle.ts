import { NAMESPACE_LABEL } from "../../engine/index.js";
import { evaluateNode, labelKeys, type Labels, type SelectorNode } from "../../selector/index.js";
import { Undecidable, type Budget } from "./budget.js";
import { canonicalKey, forcedValues, KNOWN_LABEL, satisfiableWith } from "./selector-sat.js";

/**
 * Answers "is this conjunction of selectors empty?" for one side of a traffic space: exactly where the selector
 * reasoning can (selector-sat.ts), else from the identities known from the inventory and the flow snapshot (is any
 * of them matched?), noting that it did so. With nothing known either, the question is undecidable.
 *
 * Where the conjunction pins the namespace and the inventory knows that namespace's labels, the namespace labels
 * (`pcns.` keys) are filled in as facts first.
 */
export type Side = "local" | "peer";

export interface Identity {
  labels: Labels;
  name: string;
}

export class SelectorOracle {
  /** Why known identities had to decide, for the subject being analysed. */
  readonly fallbacks = new Set<string>();
  private readonly facts = new Map<string, SelectorNode>();

  constructor(
    private readonly budget: Budget,
    private readonly identities: Record<Side, readonly Identity[]>,
    private readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>> | undefined,
  ) {}

  /** Guards the growth of a piece's conditions. */
  conditions(n: number): void {
    this.budget.conditions(n);
  }

  /** Whether `base && extra` matches nothing on this side. `base` is a piece's conjunction (its normal form is kept). */
  empty(side: Side, base: readonly SelectorNode[], extra: readonly SelectorNode[] = []): boolean {
    const facts = this.namespaceFacts(base, extra);
    const r = satisfiableWith(base, facts.length > 0 ? [...extra, ...facts] : extra, this.budget.sat);
    this.budget.satDone(r.terms);
    if (r.result !== "unknown") return r.result === "unsat";
    this.budget.stats.satUnknown++;
    const known = this.identities[side];
    const reason = r.reason ?? "the selectors cannot be compared exactly";
    if (known.length === 0) throw new Undecidable(`${reason}, and no workloads are known from an inventory or flow snapshot to decide it`);
    this.budget.stats.fallbacks++;
    this.fallbacks.add(reason);
    return !known.some((id) => base.every((n) => evaluateNode(n, id.labels)) && extra.every((n) => evaluateNode(n, id.labels)));
  }

  /**
   * `k == v`, or `!has(k)` when `v` is undefined, one node per fact: normal forms are memoised per node, and a fresh
   * node per question made the analysis build (and the collector trace) a form for each of hundreds of thousands.
   */
  private fact(k: string, v: string | undefined): SelectorNode {
    const key = v === undefined ? k : `${k}\u0000${v}`;
    let node = this.facts.get(key);
    if (!node) {
      node = v === undefined ? { op: "not", operand: { op: "has", label: k } } : { op: "eq", label: k, value: v };
      this.facts.set(key, node);
    }
    return node;
  }

  /** `pcns.` labels of the namespace the conjunction pins, from the inventory, as selector facts. */
  private namespaceFacts(base: readonly SelectorNode[], extra: readonly SelectorNode[]): SelectorNode[] {
    if (!this.namespaceLabels) return [];
    const ns = forced(base).get(NAMESPACE_LABEL) ?? forcedValues(extra).get(NAMESPACE_LABEL);
    const labels = ns === undefined ? undefined : this.namespaceLabels.get(ns);
    if (!labels) return [];
    const keys = new Set<string>(keysOf(base));
    for (const n of extra) labelKeys(n, keys);
    const facts: SelectorNode[] = [];
    for (const k of keys) {
      // The name labels are the namespace itself (merged by canonicalKey), whatever the inventory lists.
      if (!k.startsWith("pcns.") || canonicalKey(k) !== k) continue;
      facts.push(this.fact(k, labels[k.slice("pcns.".length)]));
    }
    return facts;
  }
}

const keysMemo = new WeakMap<readonly SelectorNode[], Set<string>>();
function keysOf(conj: readonly SelectorNode[]): Set<string> {
  let k = keysMemo.get(conj);
  if (!k) {
    k = new Set();
    for (const n of conj) labelKeys(n, k);
    keysMemo.set(conj, k);
  }
  return k;
}

const forcedMemo = new WeakMap<readonly SelectorNode[], Map<string, string>>();
function forced(conj: readonly SelectorNode[]): Map<string, string> {
  let f = forcedMemo.get(conj);
  if (!f) forcedMemo.set(conj, (f = forcedValues(conj)));
  return f;
}

/** An identity's labels as a rule peer sees them: every known endpoint and network set carries KNOWN_LABEL. */
export function knownIdentity(labels: Labels, name: string): Identity {
  return { name, labels: { get: (k) => (k === KNOWN_LABEL ? "true" : labels.get(k)) } };
}

export const EXTERNAL_IDENTITY: Identity = { name: "an address outside every endpoint and network set", labels: { get: () => undefined } };
