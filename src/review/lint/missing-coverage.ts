import { describePolicy, type Direction } from "../../engine/index.js";
import type { Finding } from "../types.js";
import { listText, warning, type LintRule } from "./context.js";
import { distinctWorkloads } from "./probe.js";

/**
 * Known workloads of a namespace touched by the pull request that no enforced policy applies to in a direction:
 * that direction is decided by the namespace profile alone (allow everything). Reported once per namespace, with
 * the uncovered workloads of each direction.
 */
const NAME = "missing-coverage";

export const missingCoverage: LintRule = {
  name: NAME,
  run(env) {
    const set = env.ctx.head.set;
    const out: Finding[] = [];
    for (const [namespace, at] of env.touched) {
      const workloads = distinctWorkloads(env.workloadsIn(namespace));
      const staged = new Set<string>();
      const uncovered = (d: Direction) =>
        workloads
          .filter((w) => {
            const slices = set.relevant(w.endpoint.labels, d);
            if (slices.some((s) => s.enforced.length > 0)) return false;
            for (const s of slices) for (const p of s.pending) if (p.staged) staged.add(describePolicy(p.ref));
            return true;
          })
          .map((w) => w.name);
      const ingress = uncovered("ingress");
      const egress = uncovered("egress");
      if (ingress.length === 0 && egress.length === 0) continue;
      const parts = [
        ingress.length > 0 ? `ingress of ${listText(ingress)}` : "",
        egress.length > 0 ? `egress of ${listText(egress)}` : "",
      ].filter(Boolean);
      const types = [ingress.length > 0 ? "Ingress" : "", egress.length > 0 ? "Egress" : ""].filter(Boolean).join(", ");
      out.push(
        warning(at.resource, "metadata", NAME,
          `In namespace ${namespace}, no enforced policy applies to the ${parts.join(", nor to the ")}: that traffic is decided by the namespace profile alone, which allows everything. ` +
            `Write a policy that selects ${ingress.length + egress.length > 1 ? "them" : "it"} with types [${types}] ${staged.size > 0 ? `, or promote the staged ${listText([...staged])} that would` : ""}.`,
          {
            ...(at.revision === "base" ? { revision: "base" as const } : {}),
            details: [...ingress.map((n) => `ingress: ${n}`), ...egress.map((n) => `egress: ${n}`)],
          }),
      );
    }
    return out;
  },
};
