import { joinPath } from "../../contracts/index.js";
import type { Resource } from "../types.js";
import type { ValidationContext } from "./context.js";
import { checkSetNets } from "./nets.js";

/**
 * NetworkSet and GlobalNetworkSet: nets are CIDRs or IPs with host bits allowed, and the
 * projectcalico.org/namespace label is reserved, because Calico sets it itself from the namespace
 * (calico-semantics §2, §6, §12 "NetworkSet and GlobalNetworkSet"; validator.go validate(Global)NetworkSet).
 */
export const NAMESPACE_LABEL = "projectcalico.org/namespace";

export function checkNetworkSet(resource: Resource, ctx: ValidationContext): void {
  if (resource.kind !== "NetworkSet" && resource.kind !== "GlobalNetworkSet") return;
  checkSetNets(resource.spec.nets, "spec.nets", ctx);
  if (resource.metadata.labels && Object.prototype.hasOwnProperty.call(resource.metadata.labels, NAMESPACE_LABEL)) {
    ctx.report("networkset/namespace-label", joinPath("metadata.labels", NAMESPACE_LABEL),
      `the label ${NAMESPACE_LABEL} is reserved: Calico sets it from the set's namespace` +
        (resource.kind === "GlobalNetworkSet" ? " (and a global set must not have it)" : "") +
        "; remove the label and select the namespace with a namespaceSelector instead",
      { at: "key" });
  }
}
