import { evaluateFlow, workloadEndpoint, type CompiledPolicy, type CompiledRule, type Endpoint, type EngineUniverse, type PolicyHit, type PolicySet } from "../../engine/index.js";
import {
  K8S_NAMESPACE_NAME_LABEL,
  NAMESPACE_LABEL,
  NAMESPACE_PREFIX,
  ORCHESTRATOR_LABEL,
  SERVICE_ACCOUNT_LABEL,
  SERVICE_ACCOUNT_PREFIX,
} from "../../engine/index.js";
import { TCP } from "../../engine/index.js";
import type { SelectorNode } from "../../selector/index.js";
import type { KnownWorkload } from "../context.js";
import { maySelect } from "./context.js";

/**
 * Probe connections for the lint rules that ask what the policies *do* rather than how they are written: "is
 * traffic that no policy mentions denied?" is asked with a hypothetical pod in a namespace no policy names, on a
 * port nobody uses; "does DNS still work?" with a lookup to kube-dns. All through the engine.
 */
export const PROBE_NAMESPACE = "tierguard-probe";
export const PROBE_PORT = 1;

export function probePeer(universe: EngineUniverse): Endpoint {
  return workloadEndpoint(
    {
      namespace: PROBE_NAMESPACE,
      name: "unlisted-peer",
      podLabels: {},
      serviceAccount: "default",
      serviceAccountLabels: {},
      namespaceLabels: { [K8S_NAMESPACE_NAME_LABEL]: PROBE_NAMESPACE },
      hypothetical: true,
    },
    universe.labels,
  );
}

export interface ProbeResult {
  enforced: { verdict: "allow" | "deny"; hits: readonly PolicyHit[] };
  pending: { verdict: "allow" | "deny"; hits: readonly PolicyHit[] };
}

/** The verdict, in one direction at the workload, for a connection no policy mentions. */
export function probeDirection(set: PolicySet, w: Endpoint, direction: "ingress" | "egress", peer: Endpoint): ProbeResult | undefined {
  const flow = direction === "egress" ? { src: w, dst: peer, protocol: TCP, dstPort: PROBE_PORT } : { src: peer, dst: w, protocol: TCP, dstPort: PROBE_PORT };
  const e = evaluateFlow(set, flow)[direction];
  return e ? { enforced: e.enforced, pending: e.pending } : undefined;
}

/** Known workloads, one per label set (replicas share their labels). */
export function distinctWorkloads(ws: readonly KnownWorkload[]): KnownWorkload[] {
  const seen = new Set<number>();
  return ws.filter((w) => w.endpoint.kind === "workload" && !seen.has(w.endpoint.labels.id) && seen.add(w.endpoint.labels.id));
}

/**
 * Known workloads the policy selects (or might), one per label set; else one synthesised from its selector. Pass
 * the workloads already one per label set (`LintEnv.distinct`): the answer is the same, asked a tenth as often.
 */
export function workloadsFor(p: CompiledPolicy, workloads: readonly KnownWorkload[], universe: EngineUniverse): Endpoint[] {
  const known = distinctWorkloads(workloads.filter((w) => maySelect(p, w.endpoint))).map((w) => w.endpoint);
  if (known.length > 0) return known;
  const synthetic = synthesize(p, universe);
  return synthetic ? [synthetic] : [];
}

/**
 * A hypothetical pod the policy selects, built from the equality terms of its (rewritten) selector: namespace,
 * pod labels, namespace labels (pcns.), service account and its labels (pcsa.). Undefined when the selector is
 * not a conjunction of such terms, or the result does not match after all.
 */
export function synthesize(p: CompiledPolicy, universe: EngineUniverse): Endpoint | undefined {
  const terms: SelectorNode[] = [];
  const root = p.selector.selector.root;
  if (root.op === "and") terms.push(...root.operands);
  else terms.push(root);
  let namespace = p.namespace;
  const pod: Record<string, string> = {};
  const ns: Record<string, string> = {};
  const sa: Record<string, string> = {};
  let serviceAccount: string | undefined;
  for (const t of terms) {
    if (t.op === "all") continue;
    const value = t.op === "eq" ? t.value : t.op === "in" && t.values.length > 0 ? t.values[0] : t.op === "has" ? "" : undefined;
    if (value === undefined || !("label" in t)) return undefined;
    const key = t.label;
    if (key === NAMESPACE_LABEL) {
      if (t.op !== "has") namespace = value;
    } else if (key === ORCHESTRATOR_LABEL) continue;
    else if (key === SERVICE_ACCOUNT_LABEL) serviceAccount = value;
    else if (key.startsWith(NAMESPACE_PREFIX)) ns[key.slice(NAMESPACE_PREFIX.length)] = value;
    else if (key.startsWith(SERVICE_ACCOUNT_PREFIX)) sa[key.slice(SERVICE_ACCOUNT_PREFIX.length)] = value;
    else pod[key] = value;
  }
  namespace ??= ns["projectcalico.org/name"] ?? ns[K8S_NAMESPACE_NAME_LABEL] ?? "default";
  serviceAccount ??= sa["projectcalico.org/name"] ?? "default";
  const endpoint = workloadEndpoint(
    {
      namespace,
      name: "(selected by " + p.ref.name + ")",
      podLabels: pod,
      serviceAccount,
      serviceAccountLabels: sa,
      namespaceLabels: { [K8S_NAMESPACE_NAME_LABEL]: namespace, ...ns },
      hypothetical: true,
    },
    universe.labels,
  );
  return maySelect(p, endpoint) ? endpoint : undefined;
}

/** A rule with no match fields at all: it matches every connection. */
export function matchesEverything(rule: CompiledRule): boolean {
  const empty = (e: CompiledRule["source"]) => !e.positive && !e.negative && !e.nets && !e.notNets && !e.ports && !e.notPorts;
  return (
    rule.protocol === undefined && rule.notProtocol === undefined && !rule.icmp && !rule.notIcmp && rule.ipVersion === undefined &&
    !rule.unevaluated && !rule.never && empty(rule.source) && empty(rule.destination)
  );
}

/** True when the hit is the policy's own rule, or the end of the policy's tier. */
export function decidedBy(hit: PolicyHit | undefined, p: CompiledPolicy): boolean {
  if (!hit) return false;
  if (hit.type === "end-of-tier") return hit.tier === p.ref.tier;
  if (hit.type === "rule") return hit.policy.kind === p.ref.kind && hit.policy.namespace === p.ref.namespace && hit.policy.name === p.ref.name;
  return false;
}
