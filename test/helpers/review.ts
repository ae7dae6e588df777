import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { parseInventory } from "../../src/flows/inventory.js";
import { endpointForPod } from "../../src/impact/endpoint-spec.js";
import { loadBundle, loadText } from "../../src/policy/index.js";
import { defaultConfig, parseConfig, type TierguardConfig } from "../../src/review/config.js";
import type { KnownWorkload, ReviewContext, RevisionState, TextFile } from "../../src/review/context.js";
import { diffResources } from "../../src/review/diff.js";

/**
 * Builds a ReviewContext from YAML text, the way the review pipeline does from git: `base` and `head` map file paths
 * to policy YAML; `config` is tierguard.yaml text (the base revision's); tests map paths to test-file YAML.
 */
export interface ReviewFixture {
  base: Record<string, string>;
  head: Record<string, string>;
  config?: string;
  baseTests?: Record<string, string>;
  headTests?: Record<string, string>;
  /** kubectl get namespaces,pods,serviceaccounts -A -o yaml */
  inventory?: string;
}

export function reviewContext(f: ReviewFixture): ReviewContext {
  const config: TierguardConfig = f.config !== undefined ? parseConfig(f.config).config : defaultConfig();
  const universe = new EngineUniverse();
  const inventory = f.inventory ? parseInventory(loadText("inventory.yaml", f.inventory).documents.map((d) => d.value)).inventory : undefined;
  const namespaceLabels = inventory ? new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])) : undefined;
  const revision = (files: Record<string, string>, tests: Record<string, string> | undefined, commit: string): RevisionState => {
    const bundle = loadBundle(Object.entries(files).map(([file, text]) => ({ file, text })), {
      version: config.calicoVersion,
      limits: { maxFileBytes: 1 << 24, maxDocumentBytes: 1 << 22, maxAliasCount: 100, maxDocuments: 10_000, maxNodes: 1_000_000, maxDepth: 64 },
      defaultNamespace: config.namespace,
    });
    const errors = bundle.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) throw new Error(`fixture ${commit} has errors: ${JSON.stringify(errors, null, 2)}`);
    const testFiles: TextFile[] = Object.entries(tests ?? {}).map(([file, text]) => ({ file, text }));
    return { commit, resources: bundle.resources, set: new PolicySet(bundle.resources, { version: config.calicoVersion, universe, namespaceLabels }), testFiles };
  };
  const base = revision(f.base, f.baseTests, "base");
  const head = revision(f.head, f.headTests, "head");
  const workloads: KnownWorkload[] = inventory
    ? inventory.pods.map((p) => ({ endpoint: endpointForPod(p, inventory, universe), name: `${p.namespace}/${p.name}`, source: "inventory" as const }))
    : [];
  return { config, base, head, changes: diffResources(base.resources, head.resources), universe, inventory, workloads };
}
