import { NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL } from "../../engine/index.js";
import type { SelectorNode } from "../../selector/index.js";
import { keyStatus, UNSAT, type Lit, type LitOp } from "./label-constraints.js";

/**
 * Selectors in disjunctive normal form, over literals with negation pushed down (calico-semantics §1.3: `!=` and
 * `not in` are the negations of `==` and `in`, true on an absent label). Terms that contradict themselves are
 * dropped as they are built; a form larger than the budget throws TooBig. Forms are memoised per syntax node.
 *
 * Labels that Calico derives from one another are merged: a namespace's `projectcalico.org/name` and
 * `kubernetes.io/metadata.name` (seen as `pcns.` labels) are the endpoint's `projectcalico.org/namespace`, and a
 * service account's `projectcalico.org/name` is `projectcalico.org/serviceaccount` (§2). Any `pcns.` label implies
 * a namespace, any `pcsa.` label a service account.
 */
export type Term = readonly Lit[];
export type Dnf = readonly Term[];

export class TooBig extends Error {}

const ALIASES: Readonly<Record<string, string>> = {
  "pcns.projectcalico.org/name": NAMESPACE_LABEL,
  "pcns.kubernetes.io/metadata.name": NAMESPACE_LABEL,
  "pcsa.projectcalico.org/name": SERVICE_ACCOUNT_LABEL,
};

export const canonicalKey = (key: string): string => ALIASES[key] ?? key;

const memo = new WeakMap<SelectorNode, [Dnf | undefined, Dnf | undefined]>();

export function dnfOf(node: SelectorNode, neg: boolean, max: number): Dnf {
  const entry = memo.get(node);
  const cached = entry?.[neg ? 1 : 0];
  if (cached) {
    if (cached.length > max) throw new TooBig();
    return cached;
  }
  const dnf = buildDnf(node, neg, max);
  const slot = entry ?? [undefined, undefined];
  slot[neg ? 1 : 0] = dnf;
  memo.set(node, slot);
  return dnf;
}

function buildDnf(node: SelectorNode, neg: boolean, max: number): Dnf {
  switch (node.op) {
    case "all":
    case "global":
      return neg ? [] : [[]];
    case "not":
      return dnfOf(node.operand, !neg, max);
    case "and":
    case "or": {
      const parts = node.operands.map((o) => dnfOf(o, neg, max));
      if ((node.op === "and") !== neg) return parts.sort((a, b) => a.length - b.length).reduce<Dnf>((acc, d) => product(acc, d, max), [[]]);
      const out = parts.flat();
      if (out.length > max) throw new TooBig();
      return out;
    }
    case "has":
      return literal(node.label, "has", [], neg);
    case "eq":
      return literal(node.label, "in", [node.value], neg);
    case "ne":
      return literal(node.label, "in", [node.value], !neg);
    case "in":
      return literal(node.label, "in", node.values, neg);
    case "notin":
      return literal(node.label, "in", node.values, !neg);
    case "contains":
      return literal(node.label, "contains", [node.value], neg);
    case "startswith":
      return literal(node.label, "starts", [node.value], neg);
    case "endswith":
      return literal(node.label, "ends", [node.value], neg);
  }
}

function literal(label: string, op: LitOp, values: readonly string[], neg: boolean): Term[] {
  const key = canonicalKey(label);
  const lit: Lit = { key, op, values, neg };
  if (keyStatus(key, [lit]) === UNSAT) return [];
  if (neg) return [[lit]];
  if (key.startsWith("pcns.")) return [[lit, { key: NAMESPACE_LABEL, op: "has", values: [], neg: false }]];
  if (key.startsWith("pcsa.")) return [[lit, { key: SERVICE_ACCOUNT_LABEL, op: "has", values: [], neg: false }]];
  return [[lit]];
}

function product(a: Dnf, b: Dnf, max: number): Dnf {
  const out: Term[] = [];
  for (const ta of a) {
    for (const tb of b) {
      if (tb.length === 0) out.push(ta);
      else if (ta.length === 0) out.push(tb);
      else if (consistent(ta, tb)) out.push([...ta, ...tb]);
      else continue;
      if (out.length > max) throw new TooBig();
    }
  }
  return out;
}

/**
 * Whether two terms, each consistent on its own, can hold together: only keys both mention can become unsatisfiable,
 * and every such key appears in the shorter term.
 */
function consistent(ta: Term, tb: Term): boolean {
  const [small, big] = ta.length <= tb.length ? [ta, tb] : [tb, ta];
  for (let i = 0; i < small.length; i++) {
    const key = small[i].key;
    let first = true;
    for (let j = 0; j < i && first; j++) if (small[j].key === key) first = false;
    if (!first) continue;
    let shared = false;
    for (const l of big) if (l.key === key) shared = true;
    if (!shared) continue;
    const lits: Lit[] = [];
    for (const l of small) if (l.key === key) lits.push(l);
    for (const l of big) if (l.key === key) lits.push(l);
    if (keyStatus(key, lits) === UNSAT) return false;
  }
  return true;
}