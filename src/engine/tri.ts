import type { LabelSet } from "./labels.js";
import type { CompiledSelector } from "./compile.js";

/**
 * Match results that carry uncertainty. Bit 0 is the answer when unknown facts are taken as absent (what the
 * engine acts on); bit 1 says the answer depended on something the inputs did not say.
 */
export type Tri = 0 | 1 | 2 | 3;
export const F: Tri = 0;
export const T: Tri = 1;
/** Uncertain; false when unknowns are taken as absent. */
export const UF: Tri = 2;
/** Uncertain; true when unknowns are taken as absent. */
export const UT: Tri = 3;

export const isTrue = (x: Tri): boolean => (x & 1) === 1;
export const isUncertain = (x: Tri): boolean => (x & 2) === 2;

export function and(a: Tri, b: Tri): Tri {
  if (a === F || b === F) return F;
  return (((a & b) & 1) | ((a | b) & 2)) as Tri;
}

export function or(a: Tri, b: Tri): Tri {
  if (a === T || b === T) return T;
  return (((a | b) & 1) | ((a | b) & 2)) as Tri;
}

export function not(a: Tri): Tri {
  return (a ^ 1) as Tri;
}

/** A selector on a label set, memoised on the set: each selector is evaluated once per distinct label set. */
export function selectorOn(cs: CompiledSelector, labels: LabelSet): Tri {
  const memo = labels.memo.get(cs.id);
  if (memo !== undefined) return memo as Tri;
  const value = cs.selector.test(labels);
  let result: Tri = value ? T : F;
  if (labels.unknown !== 0 && cs.selector.evaluate3(labels, (k) => labels.isUnknown(k)) === "unknown") {
    result = value ? UT : UF;
  }
  labels.memo.set(cs.id, result);
  return result;
}
