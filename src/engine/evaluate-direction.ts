import { evaluateSide, type DirectionTrace } from "./evaluate.js";
import { MatchContext, type FlowFacts } from "./match.js";
import type { Direction, PolicySet } from "./policy-set.js";

/**
 * One direction of a flow: egress at the source, or ingress at the destination, in both modes (enforced and
 * pending). What a question about one end needs (the connectivity diff asks egress of a source class and ingress of
 * a destination class separately, then combines them) without walking the other end's tiers.
 *
 * It runs the very code `evaluateFlow` runs for that end (`evaluateSide`: no second interpretation), so the verdict,
 * hits and uncertainty are `evaluateFlow`'s own for that side. Rule matching still sees both ends whole (peer
 * selectors, nets and ports).
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
  const acc = { uncertain: new Set<string>(), pendingUncertain: new Set<string>() };
  const side = evaluateSide(set, direction === "egress" ? flow.src : flow.dst, direction, new MatchContext(set, flow), acc);
  if (!side) return undefined;
  return { direction, enforced: side.enforced, pending: side.pending, uncertain: [...acc.uncertain], pendingUncertain: [...acc.pendingUncertain] };
}
