/**
 * tierguard's library entry. The core (selector, policy, engine, flows, impact, report) is pure: no network, no
 * filesystem, no child processes. Adapters for files, git, GitHub and Kubernetes live at the edge (src/io, src/cli).
 */
export { parseSelector, Selector, SelectorError, type SelectorErrorCode, type Labels } from "./selector/index.js";
export {
  loadText,
  loadBundle,
  buildResources,
  validateResources,
  parseCalicoVersion,
  DEFAULT_CALICO_VERSION,
  DEFAULT_LOAD_LIMITS,
  type Bundle,
  type BundleOptions,
  type CalicoVersion,
  type Diagnostic,
  type LoadLimits,
  type Resource,
  type PolicyResource,
} from "./policy/index.js";
export {
  PolicySet,
  EngineUniverse,
  evaluateFlow,
  workloadEndpoint,
  formatHits,
  parseIp,
  type Endpoint,
  type FlowEvaluation,
  type FlowFacts,
  type PolicyHit,
  type PolicyRef,
  type Verdict,
} from "./engine/index.js";
export { explainFlow, type Explanation } from "./engine/explain.js";
export {
  parseFlowLine,
  parseEnterpriseRecord,
  parseGoldmaneRecord,
  parseInventory,
  type FlowRecord,
  type FlowEndpointRef,
  type Inventory,
} from "./flows/index.js";
export { Replayer, type RecordOutcome } from "./impact/replay.js";
export { EndpointResolver } from "./impact/resolve.js";
