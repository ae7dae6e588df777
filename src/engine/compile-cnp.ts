import { convertClusterPolicy, isClusterPolicy, type CalicoPolicySpec, type CalicoVersion, type PolicyResource } from "../policy/index.js";
import type { PolicyKind, PolicyRef } from "./trace.js";

/** compile.ts's CompileNote, restated so this file need not import compile.ts (which imports it). */
interface CompileNote {
  code: string;
  message: string;
  policy: PolicyRef;
  path: string;
}

/**
 * The cluster-admin kinds in the engine. A ClusterNetworkPolicy compiles as the GlobalNetworkPolicy Calico 3.32
 * builds from it (policy/cluster-convert.ts): tier kube-admin (order 1000) or kube-baseline (order 10,000,000,
 * after default), order = priority, Accept/Deny/Pass, both tiers defaulting to Pass, so Pass and an unmatched
 * tier both move on to the next tier, and past kube-baseline to the namespace profile. Calico 3.31 instead
 * enforced AdminNetworkPolicy and BaselineAdminNetworkPolicy in the adminnetworkpolicy / baselineadminnetworkpolicy
 * tiers. Each version enforces only its own kinds; the other kinds are left out of the policy set with a note.
 */
export function enforcedUnder(r: PolicyResource, version: CalicoVersion, notes: CompileNote[]): boolean {
  if (!isClusterPolicy(r)) return true;
  const modern = r.kind === "ClusterNetworkPolicy";
  if (modern === (version.model !== "v3.31")) return true;
  notes.push({
    code: "engine/not-enforced",
    policy: { kind: r.kind, name: r.metadata.name ?? "", tier: "" },
    path: "kind",
    message: modern
      ? `Calico ${version.text} does not enforce ClusterNetworkPolicy (added in 3.32): not evaluated`
      : `Calico ${version.text} no longer enforces ${r.kind} (replaced by ClusterNetworkPolicy in 3.32): not evaluated`,
  });
  return false;
}

/** The Calico spec a cluster-admin policy compiles from, with the path each rule came from; undefined for other kinds. */
export function clusterPolicySpec(
  r: PolicyResource,
  notes: CompileNote[],
): { spec: CalicoPolicySpec; origins: { ingress: string[]; egress: string[] } } | undefined {
  if (!isClusterPolicy(r)) return undefined;
  const converted = convertClusterPolicy(r);
  const ref: PolicyRef = { kind: r.kind as PolicyKind, name: r.metadata.name ?? "", tier: converted.spec.tier ?? "" };
  for (const f of converted.failed) {
    notes.push({ code: "engine/rule-not-converted", policy: ref, path: f.path, message: f.reason });
  }
  return { spec: converted.spec, origins: { ingress: converted.ingressOrigins, egress: converted.egressOrigins } };
}
