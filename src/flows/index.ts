/**
 * Flow-log and inventory readers: Calico Enterprise flow-log JSON (§10.1), Calico OSS Goldmane flows (§10.2) and
 * Kubernetes lists of namespaces, pods and service accounts, turned into one neutral model for the replay.
 *
 * Pure: callers read, decompress and split files and pass text or parsed values. This folder imports only
 * src/policy (and src/selector); it must not import src/engine (protocols and IPs stay text here, the engine parses
 * them) nor node:fs, node:zlib, node:child_process or anything else that does I/O.
 */
export type {
  FlowEndpointRef,
  FlowEndpointType,
  FlowFormat,
  FlowProblem,
  FlowProblemCode,
  FlowReadResult,
  FlowRecord,
} from "./types.js";
export { flowProblemToDiagnostic } from "./types.js";
export { parseEnterpriseRecord, readEnterpriseEndpoint } from "./enterprise.js";
export { parseGoldmaneRecord } from "./goldmane.js";
export { formatPolicyHit } from "./policy-hit.js";
export {
  createFlowLineParser,
  createFlowValueParser,
  parseFlowValue,
  recordFromValue,
  type FlowValueResult,
  DEFAULT_MAX_LINE_LENGTH,
  detectFormat,
  parseFlowLine,
  type FlowLineOptions,
  type FlowLineResult,
} from "./detect.js";
export { locateJsonError, type JsonErrorLocation } from "./json-error.js";
export { inventoryNamespaceLabels, parseInventory, type Inventory, type InventoryPod } from "./inventory.js";
export { enterpriseFastFields, type FastFields } from "./fast-key.js";
export { flowEndpointName } from "./names.js";
