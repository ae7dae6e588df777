/**
 * One label key's constraints in a conjunction of selector literals: can some value (or the label's absence)
 * satisfy them all? Keys are independent, so this decides a whole term key by key. `==`, `!=`, `in`, `not in`,
 * `has`, `!has` are decided by finite reasoning; `contains`, `starts with`, `ends with` and their negations by
 * building a witness value: the longest prefix, the required substrings and the longest suffix joined by a filler
 * character that no forbidden pattern contains. A forbidden pattern can then only occur inside one required piece,
 * which is checked, so the answer is exact, except when the witness would exceed the 63 characters a Kubernetes
 * label value may have ("unknown": a shorter value would need the pieces to overlap).
 */
export type Sat = "sat" | "unsat" | "unknown";

export type LitOp = "has" | "in" | "contains" | "starts" | "ends";

export interface Lit {
  key: string;
  op: LitOp;
  /** `in`: the values; string ops: one pattern. */
  values: readonly string[];
  neg: boolean;
}

export type KeyResult = { result: Sat; reason?: string };

const MAX_LABEL_VALUE = 63;

interface ValueConstraints {
  notIn: Set<string>;
  pos: Record<"contains" | "starts" | "ends", string[]>;
  neg: Record<"contains" | "starts" | "ends", string[]>;
}

export const SAT: KeyResult = { result: "sat" };
export const UNSAT: KeyResult = { result: "unsat" };

export function keyStatus(key: string, lits: readonly Lit[]): KeyResult {
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
