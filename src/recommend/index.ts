/**
 * Policy recommendations learnt from flows: staged isolation policies in their own tier, learnt only from traffic
 * the tiers above leave undecided, each rule with the flows that justify it, and a proof by replay that enforcing
 * them denies nothing allowed today.
 *
 * Pure: imports policy, engine, flows, impact and selector; does no I/O (the command reads the files and streams
 * the records into a FlowObserver).
 */
export { FlowObserver, connections, type FlowTuple, type ObserveStats, type ObserveWindow } from "./observe.js";
export { recommend, placeTier, EXCLUDED_PREFIXES, type RecommendInput, type RecommendResult } from "./recommend.js";
export { classify, type Classification, type Exclusion, type Learned } from "./classify.js";
export { renderFiles, renderStream, type RenderedFile } from "./render.js";
export { prove, withEnforced, enforce, type Proof } from "./prove.js";
export { tightness, type Tightness } from "./measure.js";
export { summaryLines, staleRules, type StaleRule } from "./summary.js";
export { ENTERPRISE_DEFAULTS, DEFAULT_STALE_AFTER, parseDuration, parseTime, rfc3339, type LifecycleOptions, type Status } from "./lifecycle.js";
export { VOLATILE_LABELS, IDENTITY_LABELS, isNamespaceName } from "./identity.js";
export { DEFAULT_DNS, type Recommendation, type RecommendOptions, type RecPolicy, type RecRule } from "./types.js";
