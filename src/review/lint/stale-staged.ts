import { describeResource, isStagedKind, type Resource } from "../../policy/index.js";
import { identityOf } from "../diff.js";
import { warning, type LintRule } from "./context.js";

/**
 * Staged policies that were staged before this pull request and that it leaves as they are: staging is a preview
 * step, not a place to keep policy. `policyrecommendation.tigera.io/lastUpdated` (Calico Enterprise
 * recommendations) says for how long, when present.
 */
const NAME = "stale-staged";
export const LAST_UPDATED = "policyrecommendation.tigera.io/lastUpdated";
const DAY_MS = 24 * 60 * 60 * 1000;

export const staleStaged: LintRule = {
  name: NAME,
  run(env) {
    const { ctx } = env;
    const inBase = new Set(ctx.base.resources.map(identityOf));
    const changed = new Set(ctx.changes.filter((c) => c.meaningChanged && c.head).map((c) => identityOf(c.head!)));
    return ctx.head.resources.flatMap((r) => {
      if (!isStagedKind(r.kind) || !inBase.has(identityOf(r)) || changed.has(identityOf(r))) return [];
      const since = age(r, env.now);
      const enforced = r.kind.replace(/^Staged/, "").replace("KubernetesNetworkPolicy", "NetworkPolicy (networking.k8s.io/v1)");
      const deletes = (r.spec as { stagedAction?: string }).stagedAction === "Delete";
      const promote = deletes
        ? `promote it (delete the enforced ${enforced} ${r.metadata.name} and this staged deletion)`
        : `promote it (replace it with its enforced kind, ${enforced}, without stagedAction)`;
      return [
        warning(r, "kind", NAME,
          `${describeResource(r)} was staged before this pull request${since}; ${promote} or remove it. A staged policy is evaluated and reported but never enforced.`),
      ];
    });
  },
};

function age(r: Resource, now: Date): string {
  const text = r.metadata.annotations?.[LAST_UPDATED];
  const t = text !== undefined ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) return "";
  const days = Math.floor((now.getTime() - t) / DAY_MS);
  const when = text!.slice(0, 10);
  return days >= 1 ? ` (its recommendation was last updated ${when}, ${days} day${days === 1 ? "" : "s"} ago)` : ` (its recommendation was last updated ${when})`;
}
