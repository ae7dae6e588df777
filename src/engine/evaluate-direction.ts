import { evaluateFlow, type DirectionTrace } from "./evaluate.js";
import type { FlowFacts } from "./match.js";
import type { Direction, PolicySet, TierSlice } from "./policy-set.js";

/**
 * One direction of a flow: egress at the source, or ingress at the destination, in both modes (enforced and
 * pending). What a question about one end needs (the connectivity diff asks egress of a source class and ingress of
 * a destination class separately, then combines them) without walking the other end's tiers.
 *
 * It runs the very walk `evaluateFlow` runs (no second interpretation): the flow is evaluated against a view of the
 * set in which no policy applies in the other direction, so the other end's walk is empty (its profile allows) and
 * the verdict, hits and uncertainty of the asked direction are `evaluateFlow`'s own. Rule matching still sees both
 * ends whole (peer selectors, nets and ports).
 */
export interface DirectionEvaluation {
  direction: Direction;
  enforced: DirectionTrace;
  pending: DirectionTrace;
  /** Why the enforced verdict may be wrong (facts the inputs do not give); empty when certain. */
  uncertain: string[];
  /** The same for the pending verdict. */
  pendingUncertain: string[];
}

/** Undefined when the evaluated end is not a workload: no policy applies to it in that direction. */
export function evaluateDirection(set: PolicySet, flow: FlowFacts, direction: Direction): DirectionEvaluation | undefined {
  const e = evaluateFlow(oneWay(set, direction), flow);
  const side = direction === "egress" ? e.egress : e.ingress;
  if (!side) return undefined;
  return { direction, enforced: side.enforced, pending: side.pending, uncertain: e.uncertain, pendingUncertain: e.pendingUncertain };
}

const NONE: readonly TierSlice[] = Object.freeze([]);
const views = new WeakMap<PolicySet, Partial<Record<Direction, PolicySet>>>();

/**
 * The set as the walk of one direction sees it: every member delegates to the set (its memos, network sets and
 * staged-delete previews included), except that no tier applies to any endpoint in the other direction.
 */
function oneWay(set: PolicySet, direction: Direction): PolicySet {
  let entry = views.get(set);
  if (!entry) views.set(set, (entry = {}));
  let view = entry[direction];
  if (!view) {
    const relevant = (labels: Parameters<PolicySet["relevant"]>[0], d: Direction) => (d === direction ? set.relevant(labels, d) : (NONE as TierSlice[]));
    view = entry[direction] = Object.create(set, { relevant: { value: relevant } }) as PolicySet;
  }
  return view;
}
