import type { SelectorNode } from "../selector/index.js";
import { editDistance } from "./suggest.js";

/**
 * Why a selector matched nothing, in the words of the labels that do exist: a key no endpoint carries (`ap`, with
 * `app` close by), or a value no endpoint has for a key (`app == "frontnd"`, with `app=frontend` close by). Only
 * the selector's positive terms are looked at: a term under `!` asks for absence, which no label can be close to.
 */
const MAX_SHOWN = 3;

export function noMatchHint(selector: SelectorNode, known: ReadonlyArray<Readonly<Record<string, string>>>): string {
  const values = new Map<string, Set<string>>();
  for (const labels of known) {
    for (const [k, v] of Object.entries(labels)) {
      const set = values.get(k) ?? new Set<string>();
      set.add(v);
      values.set(k, set);
    }
  }
  const reasons: string[] = [];
  for (const term of positiveTerms(selector)) {
    if (!values.has(term.label)) {
      const close = nearest(term.label, [...values.keys()]);
      reasons.push(`no endpoint has a label ${term.label}${close.length > 0 ? ` (closest that exist: ${close.join(", ")})` : ""}`);
      continue;
    }
    const wanted = term.op === "eq" ? [term.value] : term.op === "in" ? [...term.values] : [];
    const have = values.get(term.label)!;
    const missing = wanted.filter((v) => !have.has(v));
    if (wanted.length === 0 || missing.length < wanted.length) continue;
    const close = nearest(missing[0], [...have]).map((v) => `${term.label}=${v}`);
    reasons.push(`no endpoint has ${term.label}=${missing.join(" or ")}${close.length > 0 ? ` (closest that exist: ${close.join(", ")})` : ""}`);
  }
  if (reasons.length > 0) return `Nothing matches: ${reasons.join("; ")}.`;
  return `Nothing matches: every label the selector asks for exists, but no endpoint has them together.`;
}

type Term = Extract<SelectorNode, { label: string }>;

function positiveTerms(n: SelectorNode): Term[] {
  switch (n.op) {
    case "and":
    case "or":
      return n.operands.flatMap(positiveTerms);
    case "not":
    case "all":
    case "global":
      return [];
    case "ne":
    case "notin":
      return [];
    default:
      return [n];
  }
}

/** The closest few by edit distance, ties in the order given; only those a typo away. */
function nearest(word: string, candidates: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(word, c) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
    .slice(0, MAX_SHOWN)
    .map((x) => x.c);
}
