import { describePolicy } from "../../engine/index.js";
import { isClusterPolicy, isPolicy } from "../../policy/index.js";
import { isGuardrail, maySelect, warning, type LintRule } from "./context.js";

/**
 * An added or changed policy that selects no known workload. Only when workloads are known (an inventory or a flow
 * snapshot), and it says so: the workload may not be deployed yet, or the selector may have a typo. Policies that
 * apply only outside workload evaluation (doNotTrack, preDNAT) and staged deletions are skipped.
 */
const NAME = "selects-nothing";

export const selectsNothing: LintRule = {
  name: NAME,
  run(env) {
    const { workloads } = env.ctx;
    if (workloads.length === 0) return [];
    return env.changed.flatMap((r) => {
      if (!isPolicy(r)) return [];
      const p = env.compiled(r);
      if (!p || p.outOfScope || (p.staged && p.stagedAction === "Delete")) return [];
      // Guard rails such as a quarantine apply only once someone labels a pod: selecting nothing is their normal state.
      if (isGuardrail(p.ref, env.ctx.config)) return [];
      if (env.distinct.some((w) => maySelect(p, w.endpoint))) return [];
      const k8s = r.kind === "KubernetesNetworkPolicy" || r.kind === "StagedKubernetesNetworkPolicy";
      const path = k8s ? "spec.podSelector" : isClusterPolicy(r) ? "spec.subject" : r.source.has("spec.selector") ? "spec.selector" : "spec";
      const inNamespace = p.namespace !== undefined ? workloads.filter((w) => w.endpoint.namespace === p.namespace).length : undefined;
      const scope =
        inNamespace === undefined ? "" : inNamespace === 0 ? ` No workload of namespace ${p.namespace} is known at all.` : ` Namespace ${p.namespace} has ${inNamespace} known workload${inNamespace === 1 ? "" : "s"}.`;
      const global = p.namespace === undefined ? " If it is meant for host endpoints, which tierguard does not know, ignore this." : "";
      return [
        warning(r, path, NAME,
          `According to the inventory and flow snapshot, ${describePolicy(p.ref)} selects no workload (it applies where ${p.selector.selector.toString()}).${scope} ` +
            `Check the selector for a typo (label keys and values are case-sensitive), or ignore this if the workload is not deployed yet.${global}`),
      ];
    });
  },
};
