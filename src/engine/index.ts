/**
 * The tiered evaluation engine: compile policy resources into an ordered policy set, evaluate flows against it with
 * a trace in Calico's flow-log vocabulary. Pure: imports policy and selector only, does no I/O.
 * Review, simulate, the controller and the dataplane compiler all evaluate through this module.
 */
export { PolicySet, EngineUniverse, mergeBySeq, type Direction, type TierInfo, type TierSlice, type PolicySetOptions, type CompiledNetworkSet, type CompiledPolicies } from "./policy-set.js";
export { evaluateFlow, type FlowEvaluation, type EndpointEvaluation, type DirectionTrace, type Verdict, type Mode, type WalkObserver } from "./evaluate.js";
export { evaluateDirection, type DirectionEvaluation } from "./evaluate-direction.js";
export { MatchContext, type FlowFacts } from "./match.js";
export { workloadEndpoint, networkSetLabels, describeEndpoint, type Endpoint, type EndpointKind, type NamedPort, type WorkloadFacts } from "./endpoint.js";
export { LabelSet, LabelInterner, EMPTY_LABELS } from "./labels.js";
export { parseIp, parseCidr, cidrContains, formatIp, formatCidr, type Ip, type Cidr } from "./ip.js";
export { parseProtocol, parseFlowProtocol, protocolName, PROTOCOL_NUMBERS } from "./protocol.js";
export { formatHit, formatHits, flowLogPolicyName, describePolicy, twinKey, KIND_SHORT, type PolicyRef, type PolicyKind, type PolicyHit, type HitAction } from "./trace.js";
export { effectiveTypes, type CompiledPolicy, type CompiledRule, type CompileNote, type RuleAction } from "./compile.js";
export { IpClassifier } from "./ip-class.js";
export { PolicySignatures, sideKey, UnchangedSides } from "./side-key.js";
// What review, recommend, board and the dataplane compiler reuse: Kleene truth, Calico's implicit labels, the
// selector cache, CIDR sets and the explain trace.
export * from "./tri.js";
export * from "./labels.js";
export * from "./explain.js";
export * from "./cidr-set.js";
export * from "./protocol.js";
export * from "./compile.js";
