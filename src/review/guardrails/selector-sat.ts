import type { SelectorNode } from "../../selector/index.js";
import { keyStatus, SAT, UNSAT, type KeyResult, type Lit, type Sat } from "./label-constraints.js";
import { canonicalKey, dnfOf, TooBig, type Dnf, type Term } from "./normal-form.js";

/**
 * Satisfiability of a conjunction of Calico selectors over one label set (calico-semantics §1.3): is there a label
 * set that every selector matches? Subsumption (`a` implies `b`) is the unsatisfiability of `a && !b`.
 *
 * Each selector goes to disjunctive normal form on its own (normal-form.ts), a bounded search picks one alternative
 * of each, and a combination is decided key by key (label-constraints.ts). Past either budget (alternatives per
 * selector, search steps) the answer is "unknown", with the reason.
 */
export type { Sat };

export interface SatResult {
  result: Sat;
  /** Why the answer is "unknown". */
  reason?: string;
  /** Search steps taken (or the size bound that was hit). */
  terms: number;
}

/** Present on every known endpoint and network set, absent on an address that belongs to none (rule peers only). */
export const KNOWN_LABEL = "tierguard.internal/known";

export { canonicalKey };

export interface SatLimits {
  /** Alternatives (DNF terms) one selector of the conjunction may have. */
  maxTerms: number;
  /** Choices the search for a satisfying combination may try. */
  maxSteps: number;
}

/** Whether the conjunction can hold on some label set. */
export function satisfiable(conj: readonly SelectorNode[], limits: SatLimits): SatResult {
  return satisfiableWith([], conj, limits);
}

/**
 * Whether `base && extra` can hold. Each selector is put in normal form on its own (memoised per node); a search then
 * picks one alternative of each, smallest forms first, keeping the label constraints per key consistent and
 * backtracking on a conflict. A satisfying combination is found without building the product of the forms, which
 * for a piece that excludes many rules (`!(a && b) && !(c && d) && ...`) would double with every rule.
 *
 * `base` is a piece's conjunction, asked about many times: one satisfying choice for it is kept (per array, which the
 * analysis never mutates), and a question first tries to extend that choice with `extra` alone.
 */
export function satisfiableWith(base: readonly SelectorNode[], extra: readonly SelectorNode[], limits: SatLimits): SatResult {
  const extraForms = formsOf(extra, limits);
  if (!Array.isArray(extraForms)) return extraForms;
  if (base.length > 0) {
    const solved = baseSolution(base, limits);
    if (solved.result === "unsat") return solved;
    // Most questions are "is this piece disjoint from that rule?": an alternative-free conflict with what every
    // solution of the base holds settles it.
    if (solved.forced && extraForms.some((f) => f.every((t) => !fits(t, solved.forced!, { steps: 0 })))) return { result: "unsat", terms: extraForms.length };
    if (solved.state) {
      const quick = search(extraForms, solved.state, limits.maxSteps, false);
      if (quick.result === "sat") return { result: "sat", terms: solved.terms + quick.terms };
    }
  }
  const baseForms = formsOf(base, limits);
  if (!Array.isArray(baseForms)) return baseForms;
  return search([...baseForms, ...extraForms].sort((a, b) => a.length - b.length), new Map(), limits.maxSteps, false);
}

interface Solution extends SatResult {
  /** A satisfying choice's literals per key, when one was found. */
  state?: Map<string, Lit[]>;
  /** The literals every solution holds (the base's one-alternative selectors), per key. */
  forced?: Map<string, Lit[]>;
}

const solutions = new WeakMap<readonly SelectorNode[], Solution>();

function baseSolution(base: readonly SelectorNode[], limits: SatLimits): Solution {
  let s = solutions.get(base);
  if (!s) {
    const forms = formsOf(base, limits);
    if (Array.isArray(forms)) {
      s = search(forms.sort((a, b) => a.length - b.length), new Map(), limits.maxSteps, true);
      const forced = new Map<string, Lit[]>();
      for (const f of forms) if (f.length === 1) push(forced, f[0]);
      s.forced = forced;
    } else s = forms;
    solutions.set(base, s);
    return s;
  }
  return { result: s.result, reason: s.reason, state: s.state, forced: s.forced, terms: 0 };
}

function formsOf(list: readonly SelectorNode[], limits: SatLimits): Dnf[] | SatResult {
  const forms: Dnf[] = [];
  try {
    for (const n of list) {
      const d = dnfOf(n, false, limits.maxTerms);
      if (d.length === 0) return { result: "unsat", terms: 0 };
      if (d.length === 1 && d[0].length === 0) continue;
      forms.push(d);
    }
  } catch (e) {
    if (!(e instanceof TooBig)) throw e;
    return { result: "unknown", reason: `a selector has more than ${limits.maxTerms} alternatives`, terms: limits.maxTerms };
  }
  return forms;
}

/**
 * Depth-first choice of one alternative per form, on top of `state` (which is left as it was found). `terms` counts
 * the work: alternatives tried plus literals compared, bounded by `maxSteps`.
 */
function search(forms: readonly Dnf[], state: Map<string, Lit[]>, maxSteps: number, keep: boolean): Solution {
  const choice = new Array<number>(forms.length).fill(-1);
  const work = { steps: 0 };
  let unknown: string | undefined;
  let i = 0;
  const unwind = (upTo: number) => {
    for (let j = upTo - 1; j >= 0; j--) if (choice[j] >= 0) pop(state, forms[j][choice[j]]);
  };
  for (;;) {
    if (i === forms.length) {
      const leaf = termStatusOf(state, forms.length === 0 ? undefined : forms);
      if (leaf.result === "sat") {
        const snapshot = keep ? new Map([...state].map(([k, v]) => [k, [...v]])) : undefined;
        unwind(forms.length);
        return { result: "sat", terms: work.steps, state: snapshot };
      }
      unknown ??= leaf.reason ?? "the selectors cannot be compared exactly";
      i--;
    }
    if (i < 0) break;
    if (choice[i] >= 0) pop(state, forms[i][choice[i]]);
    let next = -1;
    for (let k = choice[i] + 1; k < forms[i].length; k++) {
      if (++work.steps > maxSteps) {
        choice[i] = -1;
        unwind(i);
        return { result: "unknown", reason: `the selectors need more than ${maxSteps} steps to compare`, terms: work.steps };
      }
      if (fits(forms[i][k], state, work)) {
        next = k;
        break;
      }
    }
    if (next < 0) {
      choice[i] = -1;
      i--;
      continue;
    }
    choice[i] = next;
    push(state, forms[i][next]);
    i++;
  }
  return unknown !== undefined ? { result: "unknown", reason: unknown, terms: work.steps } : { result: "unsat", terms: work.steps };
}

/** Whether a term's literals fit the state, key by key (pushed onto the state's lists and taken off again). */
function fits(t: Term, state: Map<string, Lit[]>, work: { steps: number }): boolean {
  push(state, t);
  let ok = true;
  for (let j = 0; j < t.length && ok; j++) {
    const key = t[j].key;
    let first = true;
    for (let x = 0; x < j && first; x++) if (t[x].key === key) first = false;
    if (!first) continue;
    const lits = state.get(key)!;
    work.steps += lits.length;
    if (keyStatus(key, lits) === UNSAT) ok = false;
  }
  pop(state, t);
  return ok;
}

function push(state: Map<string, Lit[]>, t: Term): void {
  for (const l of t) {
    const list = state.get(l.key);
    if (list) list.push(l);
    else state.set(l.key, [l]);
  }
}

function pop(state: Map<string, Lit[]>, t: Term): void {
  for (let j = t.length - 1; j >= 0; j--) {
    const list = state.get(t[j].key)!;
    list.pop();
    if (list.length === 0) state.delete(t[j].key);
  }
}

/** A full choice: only keys the choice touched can be undecided; the rest were checked as they were added. */
function termStatusOf(state: ReadonlyMap<string, Lit[]>, forms: readonly Dnf[] | undefined): KeyResult {
  if (!forms) return SAT;
  let unknown: string | undefined;
  for (const [key, lits] of state) {
    if (!lits.some((l) => l.op !== "has" && l.op !== "in")) continue;
    const s = keyStatus(key, lits);
    if (s.result === "unsat") return s;
    if (s.result === "unknown") unknown ??= s.reason;
  }
  return unknown !== undefined ? { result: "unknown", reason: unknown } : SAT;
}

/** Values the conjunction forces on keys by a top-level `==` (or one-valued `in`): a cheap disjointness test. */
export function forcedValues(conj: readonly SelectorNode[]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (n: SelectorNode) => {
    if (n.op === "and") n.operands.forEach(visit);
    else if (n.op === "eq") out.set(canonicalKey(n.label), n.value);
    else if (n.op === "in" && n.values.length === 1) out.set(canonicalKey(n.label), n.values[0]);
  };
  conj.forEach(visit);
  return out;
}

export function forcedDisjoint(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w !== undefined && w !== v) return true;
  }
  return false;
}
