import { describePolicy, describeEndpoint } from "../../engine/index.js";
import type { Finding } from "../types.js";
import { listText, warning, type LintRule } from "./context.js";
import { distinctWorkloads, probeDirection, probePeer, PROBE_NAMESPACE, PROBE_PORT } from "./probe.js";

/**
 * A namespace touched by the pull request whose known workloads are not all under a default deny. A workload has
 * one when a connection that no policy mentions (to or from a hypothetical pod in a namespace no policy names, TCP
 * port 1) is denied by the enforced policies in at least one direction: an enforced policy applies to it and the
 * walk ends at a Deny rule or at the end of a tier whose default action is Deny. Reported once per namespace.
 */
const NAME = "no-default-deny";

export const noDefaultDeny: LintRule = {
  name: NAME,
  run(env) {
    const { ctx } = env;
    const peer = probePeer(ctx.universe);
    const out: Finding[] = [];
    for (const [namespace, at] of env.touched) {
      const workloads = distinctWorkloads(env.workloadsIn(namespace));
      if (workloads.length === 0) continue;
      const open = workloads.filter((w) => ["egress", "ingress"].every((d) => probeDirection(ctx.head.set, w.endpoint, d as "egress" | "ingress", peer)?.enforced.verdict !== "deny"));
      if (open.length === 0) continue;
      const staged = new Set<string>();
      for (const w of open) {
        for (const d of ["egress", "ingress"] as const) {
          const p = probeDirection(ctx.head.set, w.endpoint, d, peer);
          const last = p?.pending.hits[p.pending.hits.length - 1];
          if (p?.pending.verdict === "deny" && last && last.type !== "profile") staged.add(describePolicy(last.policy));
        }
      }
      const promote = staged.size > 0 ? ` The staged ${listText([...staged])} would deny it: promote ${staged.size === 1 ? "it" : "them"} once the preview is clean.` : "";
      out.push(
        warning(at.resource, "metadata", NAME,
          `Namespace ${namespace} has no default deny for ${open.length} of ${workloads.length} known workload${workloads.length === 1 ? "" : "s"} ` +
            `(${listText(open.map((w) => w.name))}): a connection no policy mentions (from or to ${PROBE_NAMESPACE}, TCP ${PROBE_PORT}) is allowed in both directions. ` +
            `Add one: a policy that selects every pod of ${namespace} (selector all() in a NetworkPolicy there) with types [Ingress, Egress], ` +
            `in a tier whose defaultAction is Deny, or ending with a rule \`- action: Deny\`; allow DNS before it.${promote}`,
          { ...(at.revision === "base" ? { revision: "base" as const } : {}), details: open.map((w) => describeEndpoint(w.endpoint)) }),
      );
    }
    return out;
  },
};
