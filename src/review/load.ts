import { buildResources, documentValues, loadText, sortDiagnostics, validateResources, type Diagnostic, type DocumentValue, type LoadLimits, type Resource } from "../policy/index.js";
import type { TierguardConfig } from "./config.js";

/**
 * Policy files of one revision → resources and diagnostics. Files are parsed once per (path, content id) through a
 * cache shared by both revisions, so the unchanged files of a pull request are read and parsed once; validation
 * runs per revision (duplicate identities and unknown tiers depend on the whole set).
 */
export interface RevisionFile {
  file: string;
  text: string;
  /** Content id (git blob); equal ids mean equal text. */
  blob: string;
}

/**
 * Parsed files by `parseKey`. `documents`: the file's parsed documents as plain values, for worker threads that
 * rebuild the resources without parsing (documentsFromValues).
 */
export type ParseCache = Map<string, { resources: Resource[]; diagnostics: Diagnostic[]; documents?: DocumentValue[] }>;

/** A file's key in a ParseCache: equal keys, equal text. */
export function parseKey(f: { file: string; blob: string }): string {
  return `${f.file}\u0000${f.blob}`;
}

export interface RevisionBundle {
  resources: Resource[];
  diagnostics: Diagnostic[];
}

export function loadRevision(files: readonly RevisionFile[], config: TierguardConfig, limits: LoadLimits, cache: ParseCache): RevisionBundle {
  const resources: Resource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const f of files) {
    const key = parseKey(f);
    let parsed = cache.get(key);
    if (!parsed) {
      const loaded = loadText(f.file, f.text, limits);
      const built = buildResources(loaded.documents, { defaultNamespace: config.namespace });
      parsed = { resources: built.resources, diagnostics: [...loaded.diagnostics, ...built.diagnostics], documents: documentValues(loaded.documents) };
      cache.set(key, parsed);
    }
    resources.push(...parsed.resources);
    diagnostics.push(...parsed.diagnostics);
  }
  diagnostics.push(...validateResources(resources, { version: config.calicoVersion }));
  return { resources, diagnostics: sortDiagnostics(diagnostics) };
}
