import { EngineUniverse, PolicySet, type CompiledPolicies } from "../engine/index.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/index.js";
import { endpointForPod } from "../impact/index.js";
import type { Diagnostic, LoadLimits } from "../policy/index.js";
import type { TierguardConfig } from "./config.js";
import type { KnownWorkload, ReviewContext, TextFile } from "./context.js";
import { diffResources } from "./diff.js";
import { loadRevision, type ParseCache, type RevisionFile } from "./load.js";

/**
 * Both revisions' files in, the review context out: parsed and compiled (each unchanged file once), validated, in
 * policy sets that share one engine universe, and diffed by identity. Pure: the caller read git or the GitHub API.
 */
export interface RevisionFiles {
  commit: string;
  policyFiles: readonly RevisionFile[];
  testFiles: readonly TextFile[];
}

export interface PreparedReview {
  ctx: ReviewContext;
  headDiagnostics: Diagnostic[];
  baseDiagnostics: Diagnostic[];
  /** Head policy files with the same content as at base. */
  unchangedFiles: Set<string>;
  /** Both revisions' files parsed (by `parseKey`), for the worker threads of the replay to rebuild the sets from. */
  parsed: ParseCache;
}

export function prepareReview(base: RevisionFiles, head: RevisionFiles, config: TierguardConfig, limits: LoadLimits, inventory?: Inventory): PreparedReview {
  const cache: ParseCache = new Map();
  const universe = new EngineUniverse();
  const namespaceLabels = inventoryNamespaceLabels(inventory);
  const b = loadRevision(base.policyFiles, config, limits, cache);
  const h = loadRevision(head.policyFiles, config, limits, cache);
  // Unchanged files give both revisions the same resource objects (the parse cache): each is compiled once.
  const compiled: CompiledPolicies = new WeakMap();
  const set = (resources: typeof b.resources) => new PolicySet(resources, { version: config.calicoVersion, universe, namespaceLabels, compiled });
  const baseBlobs = new Map(base.policyFiles.map((f) => [f.file, f.blob]));
  const unchangedFiles = new Set(head.policyFiles.filter((f) => baseBlobs.get(f.file) === f.blob).map((f) => f.file));
  const workloads: KnownWorkload[] = inventory
    ? inventory.pods.map((p) => ({ endpoint: endpointForPod(p, inventory, universe), name: `${p.namespace}/${p.name}`, source: "inventory" }))
    : [];
  const ctx: ReviewContext = {
    config,
    base: { commit: base.commit, resources: b.resources, set: set(b.resources), testFiles: [...base.testFiles] },
    head: { commit: head.commit, resources: h.resources, set: set(h.resources), testFiles: [...head.testFiles] },
    changes: diffResources(b.resources, h.resources),
    universe,
    inventory,
    workloads,
  };
  return { ctx, headDiagnostics: h.diagnostics, baseDiagnostics: b.diagnostics, unchangedFiles, parsed: cache };
}
