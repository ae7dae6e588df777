import { NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL } from "../../engine/labels.js";
import type { SelectorNode } from "../../selector/index.js";

/**
 * Satisfiability of a conjunction of Calico selectors over one label set (calico-semantics §1.3): is there a label
 * set that every selector matches? Subsumption (`a` implies `b`) is the unsatisfiability of `a && !b`.
 *
 * Each selector goes to disjunctive normal form (with a budget on its size), a bounded search picks one alternative
 * of each (satisfiableWith), and a combination is decided per label key, since keys are independent: `==`, `!=`, `in`, `not in`, `has`, `!has` by finite reasoning, and `contains`,
 * `starts with`, `ends with` (with their negations) by building a witness value: the longest prefix, the required
 * substrings and the longest suffix joined by a filler character that no forbidden pattern contains. A forbidden
 * pattern can then only occur inside one required piece, which is checked, so the answer is exact, except when the
 * witness would exceed the 63 characters a Kubernetes label value may have ("unknown": a shorter value would need
 * the pieces to overlap). Past either budget the answer is "unknown" too.
 *
 * Labels that Calico derives from one another are merged: a namespace's `projectcalico.org/name` and
 * `kubernetes.io/metadata.name` (seen as `pcns.` labels) are the endpoint's `projectcalico.org/namespace`, and a
 * service account's `projectcalico.org/name` is `projectcalico.org/serviceaccount` (§2). Any `pcns.` label implies
 * a namespace, any `pcsa.` label a service account.
 */
export type Sat = "sat" | "unsat" | "unknown";

export interface SatResult {
  result: Sat;
  /** Why the answer is "unknown". */
  reason?: string;
  /** Search steps taken (or the size bound that was hit). */
  terms: number;
}

/** Present on every known endpoint and network set, absent on an address that belongs to none (rule peers only). */
export const KNOWN_LABEL = "tierguard.internal/known";

const MAX_LABEL_VALUE = 63;
const ALIASES: Readonly<Record<string, string>> = {
  "pcns.projectcalico.org/name": NAMESPACE_LABEL,
  "pcns.kubernetes.io/metadata.name": NAMESPACE_LABEL,
  "pcsa.projectcalico.org/name": SERVICE_ACCOUNT_LABEL,
};

type LitOp = "has" | "in" | "contains" | "starts" | "ends";
interface Lit {
  key: string;
  op: LitOp;
  /** `in`: the values; string ops: one pattern. */
  values: readonly string[];
  neg: boolean;
}
type Term = readonly Lit[];
type Dnf = readonly Term[];

class TooBig extends Error {}

export const canonicalKey = (key: string): string => ALIASES[key] ?? key;

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

const memo = new WeakMap<SelectorNode, [Dnf | undefined, Dnf | undefined]>();

function dnfOf(node: SelectorNode, neg: boolean, max: number): Dnf {
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

interface ValueConstraints {
  notIn: Set<string>;
  pos: Record<"contains" | "starts" | "ends", string[]>;
  neg: Record<"contains" | "starts" | "ends", string[]>;
}

const SAT: KeyResult = { result: "sat" };
const UNSAT: KeyResult = { result: "unsat" };
type KeyResult = { result: Sat; reason?: string };

function keyStatus(key: string, lits: readonly Lit[]): KeyResult {
  // The common cases allocate nothing: presence, `==`/`in` and their negations.
  let present = false;
  let absent = false;
  let strings = false;
  let inSet: readonly string[] | undefined;
  for (const l of lits) {
    if (l.op === "has") {
      if (l.neg) absent = true;
      else present = true;
    } else if (l.op === "in") {
      if (!l.neg) {
        present = true;
        inSet = inSet === undefined ? l.values : inSet.filter((v) => l.values.includes(v));
      }
    } else {
      strings = true;
      if (!l.neg) present = true;
    }
  }
  if (present && absent) return UNSAT;
  // Every negative literal (`!=`, `not in`, `!has`, negated string operators) holds on an absent label.
  if (!present) return SAT;
  // Present with only finite exclusions: some other value always exists.
  if (!inSet && !strings) return SAT;
  const c = constraints(lits);
  if (inSet) return inSet.some((v) => valueOk(v, c)) ? SAT : UNSAT;
  return openValue(key, c);
}

function constraints(lits: readonly Lit[]): ValueConstraints {
  const c: ValueConstraints = { notIn: new Set(), pos: { contains: [], starts: [], ends: [] }, neg: { contains: [], starts: [], ends: [] } };
  for (const l of lits) {
    if (l.op === "in") {
      if (l.neg) l.values.forEach((v) => c.notIn.add(v));
    } else if (l.op !== "has") (l.neg ? c.neg : c.pos)[l.op].push(l.values[0]);
  }
  return c;
}

function valueOk(v: string, c: ValueConstraints): boolean {
  if (c.notIn.has(v)) return false;
  return (
    c.pos.contains.every((s) => v.includes(s)) && c.pos.starts.every((s) => v.startsWith(s)) && c.pos.ends.every((s) => v.endsWith(s)) &&
    !c.neg.contains.some((s) => v.includes(s)) && !c.neg.starts.some((s) => v.startsWith(s)) && !c.neg.ends.some((s) => v.endsWith(s))
  );
}

const FILLERS = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A value constrained only by string operators and exclusions: exact by the witness construction above. */
function openValue(key: string, c: ValueConstraints): KeyResult {
  const longest = (xs: string[]) => xs.reduce((a, b) => (b.length > a.length ? b : a), "");
  const prefix = longest(c.pos.starts);
  const suffix = longest(c.pos.ends);
  if (!c.pos.starts.every((p) => prefix.startsWith(p)) || !c.pos.ends.every((s) => suffix.endsWith(s))) return UNSAT;
  const pieces = [prefix, ...c.pos.contains, suffix];
  if (c.neg.contains.some((n) => pieces.some((p) => p.includes(n)))) return UNSAT;
  if (c.neg.starts.some((n) => prefix.startsWith(n)) || c.neg.ends.some((n) => suffix.endsWith(n))) return UNSAT;
  const forbidden = [...c.neg.contains, ...c.neg.starts, ...c.neg.ends].join("");
  const filler = [...FILLERS].find((ch) => !forbidden.includes(ch));
  if (filler === undefined) return { result: "unknown", reason: `the string conditions on label ${key} leave no free character to build a value from` };
  for (let extra = 0; extra <= c.notIn.size; extra++) {
    const w = prefix + filler.repeat(1 + extra) + [...c.pos.contains, suffix].join(filler);
    if (w.length > MAX_LABEL_VALUE) break;
    if (valueOk(w, c)) return SAT;
  }
  return { result: "unknown", reason: `the string conditions on label ${key} need a value longer than ${MAX_LABEL_VALUE} characters unless they overlap` };
}
