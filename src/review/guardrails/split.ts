import type { SelectorNode } from "../../selector/index.js";
import type { IntervalSet } from "./intervals.js";
import type { SelectorOracle, Side } from "./oracle.js";
import { ALL_PROTOCOLS, isAllPorts, portCovers, portIntersect, portMinus, portOverlap, type Answer } from "./ports.js";
import { allAddresses } from "./cidrs.js";
import { andOf, notNode, type Box } from "./space.js";
import { forcedDisjoint, forcedValues } from "./selector-sat.js";

/**
 * Box difference: a piece of traffic against one higher rule's box gives the part the rule matches (`inside`) and
 * the parts it does not (`outside`, disjoint boxes). For each dimension the rule constrains and does not already
 * cover, one outside box takes the piece's values outside the rule's on that dimension (and inside on the dimensions
 * before it). Numeric dimensions are exact; selector dimensions ask the oracle.
 */
export interface SplitResult {
  inside?: Box;
  outside: Box[];
  /** Set when the overlap could not be decided (a named port no known workload declares): nothing was split. */
  unknown?: string;
}

const NAMED_PORT = "a named port that no known workload declares cannot be compared with numeric ports";

type NumericDim = "proto" | "dport" | "sport" | "peerNet" | "localNet";
const NUMERIC: readonly NumericDim[] = ["proto", "dport", "sport", "peerNet", "localNet"];
const SELECTORS: readonly Side[] = ["peer", "local"];

export function split(piece: Box, h: Box, oracle: SelectorOracle): SplitResult {
  if (piece.family !== h.family) return { outside: [piece] };
  // Certain disjointness on any dimension wins over an undecidable port comparison on another.
  let unknown = false;
  for (const d of NUMERIC) {
    const o = overlaps(d, piece[d], h[d]);
    if (o === "no") return { outside: [piece] };
    if (o === "unknown") unknown = true;
  }
  for (const side of SELECTORS) {
    if (h[side].length === 0) continue;
    if (forcedDisjoint(forced(piece[side]), forced(h[side]))) return { outside: [piece] };
    if (oracle.empty(side, piece[side], h[side])) return { outside: [piece] };
  }
  if (unknown) return { outside: [piece], unknown: NAMED_PORT };
  const outside: Box[] = [];
  let cur = piece;
  for (const d of NUMERIC) {
    if (isFull(d, h)) continue;
    const c = covers(d, h[d], cur[d]);
    if (c === "unknown") return { outside: [piece], unknown: NAMED_PORT };
    if (c === "yes") continue;
    outside.push({ ...cur, [d]: minus(d, cur[d], h[d]) });
    cur = { ...cur, [d]: intersect(d, cur[d], h[d]) };
  }
  for (const side of SELECTORS) {
    if (h[side].length === 0) continue;
    const negated = notNode(andOf(h[side]));
    if (oracle.empty(side, cur[side], [negated])) continue;
    oracle.conditions(cur[side].length + 1);
    outside.push({ ...cur, [side]: [...cur[side], negated] });
    cur = { ...cur, [side]: [...cur[side], ...h[side]] };
  }
  return { inside: cur, outside };
}

const forcedMemo = new WeakMap<readonly SelectorNode[], Map<string, string>>();
function forced(conj: readonly SelectorNode[]): Map<string, string> {
  let f = forcedMemo.get(conj);
  if (!f) forcedMemo.set(conj, (f = forcedValues(conj)));
  return f;
}

function isPort(d: NumericDim): boolean {
  return d === "dport" || d === "sport";
}

function overlaps(d: NumericDim, a: IntervalSet, b: IntervalSet): Answer {
  if (isPort(d)) return portOverlap(a, b);
  return a.overlaps(b) ? "yes" : "no";
}

function covers(d: NumericDim, outer: IntervalSet, inner: IntervalSet): Answer {
  if (isPort(d)) return portCovers(outer, inner);
  return outer.covers(inner) ? "yes" : "no";
}

function minus(d: NumericDim, a: IntervalSet, b: IntervalSet): IntervalSet {
  return isPort(d) ? portMinus(a, b) : a.minus(b);
}

function intersect(d: NumericDim, a: IntervalSet, b: IntervalSet): IntervalSet {
  return isPort(d) ? portIntersect(a, b) : a.intersect(b);
}

function isFull(d: NumericDim, h: Box): boolean {
  if (isPort(d)) return isAllPorts(h[d]);
  if (d === "proto") return h.proto.covers(ALL_PROTOCOLS);
  return h[d].covers(allAddresses(h.family));
}
