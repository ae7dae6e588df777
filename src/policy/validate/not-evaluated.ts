import { isPolicy, type CalicoPolicySpec, type Resource } from "../types.js";
import type { ValidationContext } from "./context.js";

/**
 * What tierguard models and validates but does not evaluate: untracked and pre-DNAT policies (other chains),
 * forwarded traffic, and Kubernetes-service, domain and HTTP matches. Each gets a notice so a user knows a
 * simulated verdict that depends on it is marked uncertain rather than computed.
 */
export function checkNotEvaluated(resource: Resource, ctx: ValidationContext): void {
  if (!isPolicy(resource) || resource.kind === "KubernetesNetworkPolicy" || resource.kind === "StagedKubernetesNetworkPolicy") return;
  const spec = resource.spec as CalicoPolicySpec;
  const notice = (path: string, what: string) =>
    ctx.report("policy/not-evaluated", path, `${what} is not evaluated by tierguard: simulations and reviews do not account for it, and verdicts that depend on it are marked uncertain.`, { severity: "notice" });
  if (spec.doNotTrack) notice("spec.doNotTrack", "An untracked (doNotTrack) policy");
  if (spec.preDNAT) notice("spec.preDNAT", "A pre-DNAT policy");
  if (spec.applyOnForward) notice("spec.applyOnForward", "Policy for forwarded traffic (applyOnForward)");
  for (const dir of ["ingress", "egress"] as const) {
    (spec[dir] ?? []).forEach((rule, i) => {
      const at = `spec.${dir}[${i}]`;
      if (rule.http) notice(`${at}.http`, "An HTTP match");
      if (rule.source?.services) notice(`${at}.source.services`, "A Kubernetes service match");
      if (rule.destination?.services) notice(`${at}.destination.services`, "A Kubernetes service match");
      if (rule.destination?.domains?.length) notice(`${at}.destination.domains`, "A domain match (Calico Enterprise)");
    });
  }
}
