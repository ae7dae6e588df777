import { describeEndpoint, describePolicy, evaluateFlow, formatHits, workloadEndpoint, type Endpoint, type EngineUniverse } from "../../engine/index.js";
import { K8S_NAMESPACE_NAME_LABEL } from "../../engine/index.js";
import { UDP } from "../../engine/index.js";
import { isPolicy } from "../../policy/index.js";
import type { KnownWorkload } from "../context.js";
import type { Finding } from "../types.js";
import { listText, warning, type LintRule } from "./context.js";
import { decidedBy, matchesEverything, workloadsFor } from "./probe.js";

/**
 * A default deny for egress that takes DNS down with it: an added or changed policy that applies to egress and
 * denies by default (its tier's defaultAction is Deny, or it has an egress Deny rule that matches everything),
 * for whose workloads a DNS lookup (UDP 53 to kube-dns) is denied by that very policy or at the end of its tier:
 * no rule allowed it before (in this policy, an earlier one, or a higher tier). Staged policies are judged by the
 * verdict they would have once promoted (the pending verdict).
 */
const NAME = "default-deny-blocks-dns";
const DNS_PORT = 53;

export const defaultDenyBlocksDns: LintRule = {
  name: NAME,
  run(env) {
    const { ctx } = env;
    const set = ctx.head.set;
    const dns = dnsServers(env.distinct, ctx.universe);
    const out: Finding[] = [];
    for (const r of env.changed) {
      if (!isPolicy(r)) continue;
      const p = env.compiled(r);
      if (!p || p.outOfScope || !p.egressApplies || (p.staged && p.stagedAction === "Delete")) continue;
      // A policy whose egress rules are all explicit Denies (a quarantine) cuts everything on purpose, DNS included;
      // a default deny with no rules, or one that allows some egress but not DNS, has most likely forgotten it.
      if (p.egress.length > 0 && p.egress.every((rule) => rule.action === "Deny" || rule.action === "Log")) continue;
      const tierDenies = set.tier(p.ref.tier)?.defaultAction !== "Pass";
      if (!tierDenies && !p.egress.some((rule) => rule.action === "Deny" && matchesEverything(rule))) continue;
      const mode = p.staged ? "pending" : "enforced";
      const blocked: Array<{ w: Endpoint; trace: string[] }> = [];
      for (const w of workloadsFor(p, env.distinct, ctx.universe)) {
        const e = evaluateFlow(set, { src: w, dst: dns, protocol: UDP, dstPort: DNS_PORT }).egress?.[mode];
        if (e && e.verdict === "deny" && decidedBy(e.hits[e.hits.length - 1], p)) blocked.push({ w, trace: formatHits(e.hits, set.version.model) });
      }
      if (blocked.length === 0) continue;
      const k8s = r.kind === "KubernetesNetworkPolicy" || r.kind === "StagedKubernetesNetworkPolicy";
      const path = r.source.has("spec.egress") ? "spec.egress" : r.source.has(k8s ? "spec.policyTypes" : "spec.types") ? (k8s ? "spec.policyTypes" : "spec.types") : "spec";
      const how = tierDenies ? `its tier ${p.ref.tier} ends with Deny` : "an egress rule denies everything";
      const fix = k8s
        ? "add an egress rule `- to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }, podSelector: { matchLabels: { k8s-app: kube-dns } } }]` with `ports: [{ protocol: UDP, port: 53 }, { protocol: TCP, port: 53 }]`"
        : "add egress rules before the deny: `- action: Allow` with `protocol: UDP` (and one with TCP), `destination: { namespaceSelector: projectcalico.org/name == 'kube-system', selector: k8s-app == 'kube-dns', ports: [53] }`";
      out.push(
        warning(r, path, NAME,
          `${describePolicy(p.ref)} is a default deny for egress (${how}) and denies DNS with it: UDP ${DNS_PORT} to ${describeEndpoint(dns)} is denied for ` +
            `${listText(blocked.map((b) => describeEndpoint(b.w)))}${p.staged ? " once promoted" : ""}, so name lookups fail. ` +
            `To fix, ${fix}; or allow DNS for every workload in a higher tier.`,
          { details: blocked.slice(0, 3).map((b) => `${describeEndpoint(b.w)} -> ${describeEndpoint(dns)} UDP ${DNS_PORT}: ${b.trace.join("  ")}`) }),
      );
    }
    return out;
  },
};

/**
 * kube-dns as the inventory knows it (CoreDNS pods labelled k8s-app=kube-dns), else a hypothetical one in kube-system.
 * `workloads` are one per label set (`LintEnv.distinct`).
 */
function dnsServers(workloads: readonly KnownWorkload[], universe: EngineUniverse): Endpoint {
  const known = workloads.filter((w) => w.endpoint.labels.get("k8s-app") === "kube-dns");
  if (known.length > 0) return known[0].endpoint;
  return workloadEndpoint(
    { namespace: "kube-system", name: "kube-dns", podLabels: { "k8s-app": "kube-dns" }, serviceAccount: "coredns", serviceAccountLabels: {}, namespaceLabels: { [K8S_NAMESPACE_NAME_LABEL]: "kube-system" }, hypothetical: true },
    universe.labels,
  );
}
