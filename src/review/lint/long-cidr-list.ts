import { isCalicoPolicy, rulesOf, warning, type LintRule } from "./context.js";

/**
 * More than MAX_INLINE_CIDRS addresses written into one rule. Calico's best practice is a network set: a
 * (Global)NetworkSet holds the list under a label, rules select the label, and the list can change (or be shared
 * by several policies) without touching any policy.
 */
export const MAX_INLINE_CIDRS = 10;

export const longCidrList: LintRule = {
  name: "long-cidr-list",
  run(env) {
    return env.changed.flatMap((r) => {
      if (!isCalicoPolicy(r)) return [];
      const namespaced = r.kind === "NetworkPolicy" || r.kind === "StagedNetworkPolicy";
      return rulesOf(r).flatMap(({ rule, path }) =>
        (["source", "destination"] as const).flatMap((side) =>
          (["nets", "notNets"] as const).flatMap((field) => {
            const list = rule[side]?.[field] ?? [];
            if (list.length <= MAX_INLINE_CIDRS) return [];
            const where = `${path}.${side}.${field}`;
            const select = namespaced
              ? `a NetworkSet in ${r.metadata.namespace} (or a GlobalNetworkSet, selected with namespaceSelector: global())`
              : "a GlobalNetworkSet";
            return [
              warning(r, where, "long-cidr-list",
                `${where} lists ${list.length} CIDRs inline (more than ${MAX_INLINE_CIDRS}). Move them to ${select} with a label such as ` +
                  `\`addresses: partners\`, and write ${field === "nets" ? `${side}.selector: addresses == 'partners'` : `${side}.notSelector: addresses == 'partners'`} instead, ` +
                  `so the list can change, and be reused, without editing the policy.`),
            ];
          }),
        ),
      );
    });
  },
};
