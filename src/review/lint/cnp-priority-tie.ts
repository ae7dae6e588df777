import { isClusterPolicy, policyTier } from "../../policy/index.js";
import { warning, type LintRule } from "./context.js";

/**
 * Two ClusterNetworkPolicies of one tier at the same priority. The API leaves their relative order to the
 * implementation ("there is no way for the user to reliably determine which one it will choose",
 * clusternetworkpolicy_types.go); Calico breaks the tie by name, so renaming a policy can change what it decides.
 */
const NAME = "cnp-priority-tie";

export const cnpPriorityTie: LintRule = {
  name: NAME,
  run(env) {
    const all = env.ctx.head.resources.filter(isClusterPolicy).filter((r) => r.kind === "ClusterNetworkPolicy");
    return env.changed.filter(isClusterPolicy).filter((r) => r.kind === "ClusterNetworkPolicy").flatMap((r) => {
      const tier = policyTier(r);
      const others = all.filter((o) => o !== r && policyTier(o) === tier && o.spec.priority === r.spec.priority);
      if (others.length === 0 || r.spec.priority === undefined) return [];
      const names = others.map((o) => o.metadata.name ?? "<unnamed>").sort();
      return [
        warning(r, "spec.priority", NAME,
          `ClusterNetworkPolicy ${r.metadata.name} shares priority ${r.spec.priority} in the ${r.spec.tier} tier with ${names.join(", ")}: ` +
            "the API leaves their order undefined and Calico orders them by name, so a rename can change the verdict. " +
            "Give each policy a distinct priority"),
      ];
    });
  },
};
