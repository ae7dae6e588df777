import type { EntityRule } from "../../policy/index.js";
import { isCalicoPolicy, rulesOf, warning, type LintRule } from "./context.js";
import { selectsAll, trySelector } from "./selector-util.js";

/**
 * A GlobalNetworkPolicy that selects every endpoint (`selector: all()` or none, no namespace or service-account
 * selector) but whose rules are about specific applications: Calico's best practice is to select the workloads a
 * policy is about (a NetworkPolicy in their namespace, or a narrower selector), so the policy is evaluated only
 * for them and reads as what it is. A rule is "about an app" when the side that is the policy's own endpoint
 * (ingress destination, egress source) selects by an application label, or when the peer does so without a
 * namespaceSelector (matching that app in every namespace). Peers scoped by a namespaceSelector (allow DNS to
 * kube-system's kube-dns from everywhere) are the legitimate global pattern and are not flagged.
 */
export const APP_LABELS: ReadonlySet<string> = new Set([
  "app",
  "k8s-app",
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/component",
  "run",
  "service",
]);

export const globalPolicyForApp: LintRule = {
  name: "global-policy-for-app",
  run(env) {
    return env.changed.flatMap((r) => {
      if (!isCalicoPolicy(r) || (r.kind !== "GlobalNetworkPolicy" && r.kind !== "StagedGlobalNetworkPolicy")) return [];
      const spec = r.spec;
      if (!selectsAll(spec.selector) || spec.namespaceSelector?.trim() || spec.serviceAccountSelector?.trim()) return [];
      const hits: Array<{ path: string; what: string }> = [];
      for (const { rule, direction, path } of rulesOf(r)) {
        const [localSide, peerSide] = direction === "ingress" ? (["destination", "source"] as const) : (["source", "destination"] as const);
        const local = appLabels(rule[localSide]);
        if (local.length > 0) hits.push({ path: `${path}.${localSide}.selector`, what: `${path}.${localSide}.selector reads ${local.join(", ")}` });
        const peer = rule[peerSide];
        const peerApps = peer?.namespaceSelector?.trim() ? [] : appLabels(peer);
        if (peerApps.length > 0) hits.push({ path: `${path}.${peerSide}.selector`, what: `${path}.${peerSide}.selector reads ${peerApps.join(", ")} in every namespace` });
      }
      if (hits.length === 0) return [];
      return [
        warning(r, hits[0].path, "global-policy-for-app",
          `${r.kind} ${r.metadata.name} applies to every endpoint in the cluster (selector ${spec.selector?.trim() || "all()"}), but its rules are about specific applications ` +
            `(${hits.map((h) => h.what).join("; ")}). Select the workloads the policy is about instead: write a NetworkPolicy in their namespace whose selector names the app, ` +
            `or narrow spec.selector (or add spec.namespaceSelector), so the policy is evaluated only for them.`),
      ];
    });
  },
};

function appLabels(e: EntityRule | undefined): string[] {
  const sel = trySelector(e?.selector);
  return sel ? [...sel.labelKeys()].filter((k) => APP_LABELS.has(k)) : [];
}
