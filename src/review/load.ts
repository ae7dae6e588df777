import { buildResources, loadText, sortDiagnostics, validateResources, type Diagnostic, type LoadLimits, type Resource } from "../policy/index.js";
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

export type ParseCache = Map<string, { resources: Resource[]; diagnostics: Diagnostic[] }>;

export interface RevisionBundle {
  resources: Resource[];
  diagnostics: Diagnostic[];
}

export function loadRevision(files: readonly RevisionFile[], config: TierguardConfig, limits: LoadLimits, cache: ParseCache): RevisionBundle {
  const resources: Resource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const f of files) {
    const key = `${f.file}\u0000${f.blob}`;
    let parsed = cache.get(key);
    if (!parsed) {
      const loaded = loadText(f.file, f.text, limits);
      const built = buildResources(loaded.documents, { defaultNamespace: config.namespace });
      parsed = { resources: built.resources, diagnostics: [...loaded.diagnostics, ...built.diagnostics] };
      cache.set(key, parsed);
    }
    resources.push(...parsed.resources);
    diagnostics.push(...parsed.diagnostics);
  }
  diagnostics.push(...validateResources(resources, { version: config.calicoVersion }));
  return { resources, diagnostics: sortDiagnostics(diagnostics) };
}
