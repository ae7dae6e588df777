import { isCalicoPolicy, rulesOf, warning, type LintRule } from "./context.js";

/**
 * Domain names written into a rule (Calico Enterprise `destination.domains`). Calico's best practice is to keep
 * them in a GlobalNetworkSet's `allowedEgressDomains` (or a NetworkSet's) and select the set by label: the list
 * can then change, and be shared, without editing the policy.
 */
export const inlineDomains: LintRule = {
  name: "inline-domains",
  run(env) {
    return env.changed.flatMap((r) => {
      if (!isCalicoPolicy(r)) return [];
      return rulesOf(r).flatMap(({ rule, path }) => {
        const domains = rule.destination?.domains ?? [];
        if (domains.length === 0) return [];
        const where = `${path}.destination.domains`;
        return [
          warning(r, where, "inline-domains",
            `${where} lists ${domains.length} domain name${domains.length === 1 ? "" : "s"} in the rule. Put them in a GlobalNetworkSet's spec.allowedEgressDomains ` +
              `with a label such as \`egress: saas-apis\` and write destination.selector: egress == 'saas-apis'` +
              `${r.kind === "NetworkPolicy" || r.kind === "StagedNetworkPolicy" ? " with namespaceSelector: global()" : ""} instead, ` +
              `so the list can change, and be reused, without editing the policy.`),
        ];
      });
    });
  },
};
