import type { Diagnostic } from "../contracts/index.js";
import { lookupKind, METADATA_SCHEMA } from "./kinds.js";
import type { RawDocument } from "./load.js";
import { any, checkSchema, closest, isPlainObject, obj, str, type SchemaContext } from "./schema.js";
import type { SourceMap } from "./source.js";
import { isNamespacedKind, type ObjectMeta, type Resource } from "./types.js";

/**
 * Raw documents → typed resources. Unmodelled kinds of other API groups are skipped with a notice; an unknown kind
 * in the Calico or Kubernetes networking groups is an error, since it is almost always a typo.
 */
export interface ModelOptions {
  /** Namespace for namespaced resources that do not name one, as `kubectl apply` without -n would use. */
  defaultNamespace: string;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = { defaultNamespace: "default" };

export interface ModelResult {
  resources: Resource[];
  diagnostics: Diagnostic[];
}

export function buildResources(documents: readonly RawDocument[], options: ModelOptions = DEFAULT_MODEL_OPTIONS): ModelResult {
  const out: ModelResult = { resources: [], diagnostics: [] };
  for (const doc of documents) visit(doc.value, doc.source, options, out, 0);
  return out;
}

function visit(value: unknown, source: SourceMap, options: ModelOptions, out: ModelResult, depth: number): void {
  const diag = (code: string, severity: Diagnostic["severity"], message: string, path = "") =>
    out.diagnostics.push({ code, severity, message, ...source.at(path), path });

  if (!isPlainObject(value)) {
    diag("resource/not-an-object", "error", "expected a Kubernetes object with apiVersion, kind and metadata; found " +
      (Array.isArray(value) ? "a list" : `a ${typeof value}`));
    return;
  }
  const { apiVersion, kind } = value;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
    if (depth > 0) {
      diag("resource/nested-list", "error", "a List inside a List is not allowed; flatten it", "kind");
      return;
    }
    value.items.forEach((item, i) => visit(item, source.child(`items[${i}]`), options, out, depth + 1));
    return;
  }
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    const missing = [typeof apiVersion !== "string" ? "apiVersion" : "", typeof kind !== "string" ? "kind" : ""]
      .filter(Boolean)
      .join(" and ");
    diag("resource/missing-kind", "error", `the object has no ${missing}; every resource needs apiVersion, kind and metadata`);
    return;
  }

  const found = lookupKind(apiVersion, kind);
  switch (found.found) {
    case "foreign":
      diag("resource/skipped", "notice", `${kind} (${apiVersion}) is not a network-policy resource; skipped`, "kind");
      return;
    case "other-known":
      diag("resource/skipped", "notice",
        kind === "HostEndpoint"
          ? "HostEndpoint is not evaluated by tierguard (host endpoints are out of scope); skipped"
          : `${kind} (${apiVersion}) is not a policy resource tierguard models; skipped`,
        "kind");
      return;
    case "unknown-in-group": {
      const guess = closest(kind, found.candidates);
      diag("resource/unknown-kind", "error",
        `${found.group} has no kind "${kind}"` + (guess ? `; did you mean "${guess}"?` : "; check the spelling"), "kind");
      return;
    }
    case "wrong-version":
      diag("resource/unsupported-api-version", "error",
        `${kind} is served as ${found.info.group}/${found.info.versions.join(", ")}, not ${apiVersion}`, "apiVersion");
      return;
  }

  const info = found.info;
  const ctx: SchemaContext = { source, diagnostics: out.diagnostics, resource: `${info.kind} ${nameOf(value)}` };
  const checked = checkSchema(value, obj({ apiVersion: str, kind: str, metadata: METADATA_SCHEMA, spec: info.spec, status: any }, ["metadata"]), "", ctx) as {
    metadata?: ObjectMeta;
    spec?: Record<string, unknown>;
  };
  if (value.spec === undefined && !info.specOptional) {
    diag("schema/missing-field", "error", "spec is required", "");
  }
  const metadata: ObjectMeta = { ...(checked.metadata ?? {}) };
  if (metadata.name === undefined) {
    if (isPlainObject(value.metadata) && value.metadata.name === undefined) {
      diag("schema/missing-field", "error", "metadata.name is required (generateName is not supported for policies)", "metadata");
    }
    return;
  }
  let namespaceDefaulted = false;
  if (isNamespacedKind(info.kind)) {
    namespaceDefaulted = metadata.namespace === undefined;
    metadata.namespace ??= options.defaultNamespace;
  } else if (metadata.namespace !== undefined) {
    diag("metadata/namespace-ignored", "warning",
      `${info.kind} is cluster-scoped; metadata.namespace "${metadata.namespace}" is ignored. Remove it.`, "metadata.namespace");
    delete metadata.namespace;
  }
  const resource = { apiVersion, kind: info.kind, metadata, spec: checked.spec ?? {}, source } as Resource;
  if (namespaceDefaulted) resource.namespaceDefaulted = true;
  out.resources.push(resource);
}

function nameOf(value: Record<string, unknown>): string {
  const m = value.metadata;
  if (isPlainObject(m) && typeof m.name === "string") {
    return typeof m.namespace === "string" ? `${m.namespace}/${m.name}` : m.name;
  }
  return "<unnamed>";
}
