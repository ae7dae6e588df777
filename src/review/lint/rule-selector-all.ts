import { isCalicoPolicy, rulesOf, warning, type LintRule } from "./context.js";
import { trySelector } from "./selector-util.js";

/**
 * `selector: all()` in a rule's source or destination (without a namespaceSelector or serviceAccounts). It matches
 * every endpoint and network set in scope (the policy's namespace, or the whole cluster for a global policy), not
 * every address: traffic from or to an address no endpoint or network set holds does not match
 * (calico-semantics §1.5, §13.6). To match any address, leave the selector out.
 */
export const ruleSelectorAll: LintRule = {
  name: "rule-selector-all",
  run(env) {
    return env.changed.flatMap((r) => {
      if (!isCalicoPolicy(r)) return [];
      const namespaced = r.kind === "NetworkPolicy" || r.kind === "StagedNetworkPolicy";
      return rulesOf(r).flatMap(({ rule, path }) =>
        (["source", "destination"] as const).flatMap((side) => {
          const e = rule[side];
          if (!e?.selector?.trim() || e.namespaceSelector?.trim() || e.serviceAccounts) return [];
          if (!trySelector(e.selector)?.isAll()) return [];
          const where = `${path}.${side}.selector`;
          const scope = namespaced ? `every endpoint and network set in namespace ${r.metadata.namespace}` : "every known endpoint and network set in the cluster";
          return [
            warning(r, where, "rule-selector-all",
              `${where}: all() matches ${scope}, not every address: addresses outside the cluster (and any IP no endpoint or network set holds) do not match. ` +
                `To match any address, remove the selector; if you meant ${namespaced ? "the pods of this namespace" : "every pod"}, say so ` +
                `(${namespaced ? `namespaceSelector: projectcalico.org/name == '${r.metadata.namespace}'` : "namespaceSelector: all()"}) so readers see it.`),
          ];
        }),
      );
    });
  },
};
