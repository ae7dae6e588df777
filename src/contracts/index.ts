/**
 * Contracts shared by every layer: the version, the logger, the diagnostic family, the Node annotations the agent
 * writes and the controller reads. Below everything: this folder imports nothing (not even src/selector) and does
 * no I/O, so any folder, core or adapter, may import it without creating a cycle. Put a type here only when two
 * layers that may not import each other both need it.
 */
export { VERSION } from "./version.js";
export { SILENT_LOG, type Log } from "./log.js";
export { NODE_AGENT_ANNOTATIONS, NODE_APPLIED_AT_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_RULESET_HASH_ANNOTATION } from "./node-status.js";
export {
  hasErrors,
  joinPath,
  sortDiagnostics,
  type Diagnostic,
  type Located,
  type Location,
  type OffsetProblem,
  type Severity,
} from "./diagnostic.js";
