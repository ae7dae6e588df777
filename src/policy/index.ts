/**
 * Policy resources: loading YAML/JSON with source positions, the typed model, schema and semantic validation, and
 * Kubernetes NetworkPolicy conversion. Imports only the selector module; does no I/O (callers pass file text).
 */
// The diagnostic family lives in src/contracts (below every layer); re-exported here because every policy caller
// reports through it.
export { hasErrors, joinPath, sortDiagnostics, type Diagnostic, type Located, type Location, type Severity } from "../contracts/index.js";
export { SourceMap, SourceText } from "./source.js";
export { loadText, DEFAULT_LOAD_LIMITS, type LoadLimits, type RawDocument, type LoadedFile } from "./load.js";
export { documentsFromValues, documentValues, type DocumentValue } from "./document-values.js";
export { buildResources, DEFAULT_MODEL_OPTIONS, type ModelOptions, type ModelResult } from "./model.js";
export * from "./types.js";
export * from "./version.js";
export { convertK8sPolicy, defaultK8sSpec, selectorToCalico, K8S_POLICY_ORDER } from "./k8s-convert.js";
export { convertClusterPolicy, BANP_ORDER, type ConvertedClusterPolicy } from "./cluster-convert.js";
export { equivalentClusterNetworkPolicy, equivalentClusterNetworkPolicyYaml } from "./anp-to-cnp.js";
export { loadBundle, DEFAULT_BUNDLE_OPTIONS, type Bundle, type BundleOptions } from "./bundle.js";
export { validateResources, type ValidateOptions } from "./validate/index.js";
// Calico's value rules that the engine, flows, review, recommend and the adapters reuse (no deep imports into
// validate/ from outside this folder).
export { PORT_PROTOCOLS, PROTOCOL_NUMBERS } from "./validate/protocol.js";
export { parseIpAddress, parseNet } from "./validate/cidr.js";
export { MAX_PORTS } from "./validate/limits-333.js";
// The schema combinators, for the other YAML documents tierguard reads (tierguard.yaml, inventories, test files).
export * from "./schema.js";
