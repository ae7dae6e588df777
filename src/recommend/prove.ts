import { PolicySet, type EngineUniverse } from "../engine/index.js";
import { Replayer } from "../impact/index.js";
import type { EndpointResolver } from "../impact/index.js";
import { DEFAULT_LOAD_LIMITS, loadBundle, type Diagnostic, type Resource } from "../policy/index.js";
import type { CalicoVersion } from "../policy/index.js";
import { connections, type FlowTuple } from "./observe.js";
import { tupleWhy } from "./rules.js";

/**
 * The proof that a recommendation breaks nothing: its YAML is loaded back through tierguard's own loader and
 * validator (zero errors, or it is not offered), its staged policies are enforced in place of any policy of the same
 * name, and every flow tuple is replayed through today's policies and through that set. Flows allowed today and
 * denied with the recommendation enforced must be none.
 */
export interface ProofInput {
  resources: readonly Resource[];
  /** The recommendation's rendered YAML. */
  yaml: string;
  tuples: readonly FlowTuple[];
  universe: EngineUniverse;
  resolver: EndpointResolver;
  version: CalicoVersion;
  namespaceLabels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Today's replayer when the caller has one (its memoised evaluations are reused). */
  current?: Replayer;
}

export interface Proof {
  /** Load and validation diagnostics of the recommendation's own YAML (errors mean it must not be used). */
  diagnostics: Diagnostic[];
  /** The recommendation's resources as loaded (staged), for callers that measure it further. */
  loaded: Resource[];
  tuples: number;
  /** Allowed today, in records and connections. */
  allowed: { records: number; connections: number };
  /** Allowed today and denied with the recommendation enforced: must be zero. */
  newlyDenied: { records: number; connections: number; examples: string[] };
}

export function prove(input: ProofInput): Proof {
  const bundle = loadBundle([{ file: "recommendation.yaml", text: input.yaml }], { version: input.version, limits: { ...DEFAULT_LOAD_LIMITS, maxFileBytes: 1 << 30, maxDocumentBytes: 1 << 30 }, defaultNamespace: "default" });
  const loaded = bundle.resources;
  const diagnostics = bundle.diagnostics;
  const opts = { version: input.version, universe: input.universe, namespaceLabels: input.namespaceLabels };
  const current = input.current ?? new Replayer(new PolicySet(input.resources, opts), input.resolver);
  const enforced = new Replayer(new PolicySet(withEnforced(input.resources, loaded), opts), input.resolver);
  const proof: Proof = { diagnostics, loaded, tuples: 0, allowed: { records: 0, connections: 0 }, newlyDenied: { records: 0, connections: 0, examples: [] } };
  for (const t of input.tuples) {
    proof.tuples++;
    const before = current.outcome(t.src, t.dst, t.protocol, t.port, undefined).evaluation.verdict;
    if (before !== "allow") continue;
    proof.allowed.records += t.records;
    proof.allowed.connections += connections(t);
    if (enforced.outcome(t.src, t.dst, t.protocol, t.port, undefined).evaluation.verdict === "deny") {
      proof.newlyDenied.records += t.records;
      proof.newlyDenied.connections += connections(t);
      proof.newlyDenied.examples.push(tupleWhy(t).example!);
    }
  }
  proof.newlyDenied.examples = [...new Set(proof.newlyDenied.examples)].sort().slice(0, 10);
  return proof;
}

/**
 * Today's resources with the recommendation enforced: its staged policies become NetworkPolicies and replace any
 * policy (staged or not) of the same namespace and name; its Tier and network sets are added.
 */
export function withEnforced(resources: readonly Resource[], recommendation: readonly Resource[]): Resource[] {
  const key = (r: Resource) => `${r.metadata.namespace ?? ""}/${r.metadata.name ?? ""}`;
  const replaced = new Set(recommendation.filter((r) => r.kind === "StagedNetworkPolicy").map(key));
  const kept = resources.filter((r) => !((r.kind === "NetworkPolicy" || r.kind === "StagedNetworkPolicy") && replaced.has(key(r))));
  return [...kept, ...recommendation.map(enforce)];
}

export function enforce(r: Resource): Resource {
  if (r.kind !== "StagedNetworkPolicy") return r;
  const spec = { ...r.spec };
  delete spec.stagedAction;
  return { ...r, kind: "NetworkPolicy", spec };
}
