import { sortDiagnostics, type Diagnostic } from "../contracts/index.js";
import { SelectorParses } from "../selector/index.js";
import { documentValues, type DocumentValue } from "./document-values.js";
import { DEFAULT_LOAD_LIMITS, loadText, type LoadLimits } from "./load.js";
import { buildResources, DEFAULT_MODEL_OPTIONS } from "./model.js";
import type { Resource } from "./types.js";
import { validateResources } from "./validate/index.js";
import { DEFAULT_CALICO_VERSION, type CalicoVersion } from "./version.js";

/**
 * Many files in, one set of resources and every diagnostic out: parse (with limits), build the typed model, and
 * run the semantic validation. Pure: the caller reads the files.
 */
export interface BundleOptions {
  version: CalicoVersion;
  limits: LoadLimits;
  defaultNamespace: string;
}

export const DEFAULT_BUNDLE_OPTIONS: BundleOptions = {
  version: DEFAULT_CALICO_VERSION,
  limits: DEFAULT_LOAD_LIMITS,
  defaultNamespace: DEFAULT_MODEL_OPTIONS.defaultNamespace,
};

export interface Bundle {
  resources: Resource[];
  diagnostics: Diagnostic[];
  /** Each file's parsed documents (in file order), for worker threads that rebuild the resources without parsing. */
  documents?: DocumentValue[][];
  /** Every selector text validation parsed, for the engine's compile to reuse (`EngineUniverse`). */
  selectors?: SelectorParses;
}

export function loadBundle(files: ReadonlyArray<{ file: string; text: string }>, options: BundleOptions = DEFAULT_BUNDLE_OPTIONS): Bundle {
  const resources: Resource[] = [];
  const diagnostics: Diagnostic[] = [];
  const documents: DocumentValue[][] = [];
  for (const f of files) {
    const loaded = loadText(f.file, f.text, options.limits);
    documents.push(documentValues(loaded.documents));
    diagnostics.push(...loaded.diagnostics);
    const built = buildResources(loaded.documents, { defaultNamespace: options.defaultNamespace });
    resources.push(...built.resources);
    diagnostics.push(...built.diagnostics);
  }
  const selectors = new SelectorParses();
  diagnostics.push(...validateResources(resources, { version: options.version, selectors }));
  return { resources, diagnostics: sortDiagnostics(diagnostics), documents, selectors };
}
