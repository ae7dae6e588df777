import { NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL } from "../../engine/labels.js";
import type { SelectorNode } from "../../selector/index.js";

/**
 * Satisfiability of a conjunction of Calico selectors over one label set (calico-semantics §1.3): is there a label
 * set that every selector matches? Subsumption (`a` implies `b`) is the unsatisfiability of `a && !b`.
 *
 * The conjunction goes to disjunctive normal form (with a budget on its size); each term is decided per label key,
 * since keys are independent: `==`, `!=`, `in`, `not in`, `has`, `!has` by finite reasoning, and `contains`,
 * `starts with`, `ends with` (with their negations) by building a witness value: the longest prefix, the required
 * substrings and the longest suffix joined by a filler character that no forbidden pattern contains. A forbidden
 * pattern can then only occur inside one required piece, which is checked, so the answer is exact, except when the
 * witness would exceed the 63 characters a Kubernetes label value may have ("unknown": a shorter value would need
 * the pieces to overlap). Past the size budget the answer is "unknown" too.
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
  /** Size of the normal form that was built. */
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

/** Whether the conjunction can hold on some label set. */
export function satisfiable(conj: readonly SelectorNode[], maxTerms: number): SatResult {
  try {
    const dnfs = conj.map((n) => dnfOf(n, false, maxTerms)).sort((a, b) => a.length - b.length);
    let acc: Dnf = [[]];
    for (const d of dnfs) {
      acc = product(acc, d, maxTerms);
      if (acc.length === 0) return { result: "unsat", terms: 0 };
    }
    let reason: string | undefined;
    for (const t of acc) {
      const s = termStatus(t);
      if (s.result === "sat") return { result: "sat", terms: acc.length };
      reason ??= s.reason;
    }
    return { result: "unknown", reason, terms: acc.length };
  } catch (e) {
    if (!(e instanceof TooBig)) throw e;
    return { result: "unknown", reason: `the selectors combine into more than ${maxTerms} alternatives`, terms: maxTerms };
  }
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
      return [literal(node.label, "has", [], neg)];
    case "eq":
      return [literal(node.label, "in", [node.value], neg)];
    case "ne":
      return [literal(node.label, "in", [node.value], !neg)];
    case "in":
      return [literal(node.label, "in", node.values, neg)];
    case "notin":
      return [literal(node.label, "in", node.values, !neg)];
    case "contains":
      return [literal(node.label, "contains", [node.value], neg)];
    case "startswith":
      return [literal(node.label, "starts", [node.value], neg)];
    case "endswith":
      return [literal(node.label, "ends", [node.value], neg)];
  }
}

function literal(label: string, op: LitOp, values: readonly string[], neg: boolean): Term {
  const key = canonicalKey(label);
  const lit: Lit = { key, op, values, neg };
  if (neg) return [lit];
  if (key.startsWith("pcns.")) return [lit, { key: NAMESPACE_LABEL, op: "has", values: [], neg: false }];
  if (key.startsWith("pcsa.")) return [lit, { key: SERVICE_ACCOUNT_LABEL, op: "has", values: [], neg: false }];
  return [lit];
}

function product(a: Dnf, b: Dnf, max: number): Dnf {
  const out: Term[] = [];
  for (const ta of a) {
    for (const tb of b) {
      const t = tb.length === 0 ? ta : ta.length === 0 ? tb : [...ta, ...tb];
      if (termStatus(t).result === "unsat") continue;
      out.push(t);
      if (out.length > max) throw new TooBig();
    }
  }
  return out;
}

function termStatus(t: Term): { result: Sat; reason?: string } {
  const byKey = new Map<string, Lit[]>();
  for (const l of t) {
    const list = byKey.get(l.key);
    if (list) list.push(l);
    else byKey.set(l.key, [l]);
  }
  let unknown: string | undefined;
  for (const [key, lits] of byKey) {
    const s = keyStatus(key, lits);
    if (s.result === "unsat") return s;
    if (s.result === "unknown") unknown ??= s.reason;
  }
  return unknown !== undefined ? { result: "unknown", reason: unknown } : { result: "sat" };
}

interface ValueConstraints {
  inSet?: Set<string>;
  notIn: Set<string>;
  pos: Record<"contains" | "starts" | "ends", string[]>;
  neg: Record<"contains" | "starts" | "ends", string[]>;
}

function keyStatus(key: string, lits: readonly Lit[]): { result: Sat; reason?: string } {
  let present = false;
  let absent = false;
  const c: ValueConstraints = { notIn: new Set(), pos: { contains: [], starts: [], ends: [] }, neg: { contains: [], starts: [], ends: [] } };
  for (const l of lits) {
    if (l.op === "has") {
      if (l.neg) absent = true;
      else present = true;
    } else if (l.op === "in") {
      if (l.neg) l.values.forEach((v) => c.notIn.add(v));
      else {
        present = true;
        c.inSet = c.inSet ? new Set(l.values.filter((v) => c.inSet!.has(v))) : new Set(l.values);
      }
    } else if (l.neg) c.neg[l.op].push(l.values[0]);
    else {
      present = true;
      c.pos[l.op].push(l.values[0]);
    }
  }
  if (present && absent) return { result: "unsat" };
  // Every negative literal (`!=`, `not in`, `!has`, negated string operators) holds on an absent label.
  if (!present) return { result: "sat" };
  if (c.inSet) return [...c.inSet].some((v) => valueOk(v, c)) ? { result: "sat" } : { result: "unsat" };
  return openValue(key, c);
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
function openValue(key: string, c: ValueConstraints): { result: Sat; reason?: string } {
  const longest = (xs: string[]) => xs.reduce((a, b) => (b.length > a.length ? b : a), "");
  const prefix = longest(c.pos.starts);
  const suffix = longest(c.pos.ends);
  if (!c.pos.starts.every((p) => prefix.startsWith(p)) || !c.pos.ends.every((s) => suffix.endsWith(s))) return { result: "unsat" };
  const pieces = [prefix, ...c.pos.contains, suffix];
  if (c.neg.contains.some((n) => pieces.some((p) => p.includes(n)))) return { result: "unsat" };
  if (c.neg.starts.some((n) => prefix.startsWith(n)) || c.neg.ends.some((n) => suffix.endsWith(n))) return { result: "unsat" };
  const forbidden = [...c.neg.contains, ...c.neg.starts, ...c.neg.ends].join("");
  const filler = [...FILLERS].find((ch) => !forbidden.includes(ch));
  if (filler === undefined) return { result: "unknown", reason: `the string conditions on label ${key} leave no free character to build a value from` };
  for (let extra = 0; extra <= c.notIn.size; extra++) {
    const w = prefix + filler.repeat(1 + extra) + [...c.pos.contains, suffix].join(filler);
    if (w.length > MAX_LABEL_VALUE) break;
    if (valueOk(w, c)) return { result: "sat" };
  }
  return { result: "unknown", reason: `the string conditions on label ${key} need a value longer than ${MAX_LABEL_VALUE} characters unless they overlap` };
}
