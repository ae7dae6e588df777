/**
 * Policy resources: loading YAML/JSON with source positions, the typed model, schema and semantic validation, and
 * Kubernetes NetworkPolicy conversion. Imports only the selector module; does no I/O (callers pass file text).
 */
export * from "./diagnostic.js";
export { SourceMap, SourceText } from "./source.js";
export { loadText, DEFAULT_LOAD_LIMITS, type LoadLimits, type RawDocument, type LoadedFile } from "./load.js";
export { buildResources, DEFAULT_MODEL_OPTIONS, type ModelOptions, type ModelResult } from "./model.js";
export * from "./types.js";
export * from "./version.js";
export { convertK8sPolicy, defaultK8sSpec, selectorToCalico, K8S_POLICY_ORDER } from "./k8s-convert.js";
export { loadBundle, DEFAULT_BUNDLE_OPTIONS, type Bundle, type BundleOptions } from "./bundle.js";
export { validateResources, type ValidateOptions } from "./validate/index.js";
