import { PREVIEW_OF_ANNOTATION } from "../reconcile/index.js";
import type { StageResult } from "./stage.js";

/**
 * The stage's one line for the deployment status (which the App mirrors into the pull request): what was written,
 * which policies other open pull requests stage too (each gets a staged copy of its own), and each staged deletion,
 * which has no live evidence on open-source Calico: its dataplane ignores `stagedAction: Delete`. GitHub keeps 140
 * characters of a status, so the parts come most useful first and each names as little as identifies it.
 */
export function stageSummary(pull: number, r: Pick<StageResult, "writes" | "shared" | "planned">): string {
  const parts = [`#${pull}: ${r.writes.length} preview write(s)`];
  for (const s of r.shared) parts.push(`${shortPolicy(s.policy)} also staged by ${s.pullRequests.map((n) => `#${n}`).join(", ")} (one copy each)`);
  const deletions = stagedDeletions(r.planned);
  if (deletions.length > 0) parts.push(`staged deletion of ${deletions.join(", ")}: no live evidence on open-source Calico (ignores stagedAction: Delete)`);
  return parts.join("; ");
}

/** The policies whose deletion this stage previews (`stagedAction: Delete`), as `namespace/name` or `name`. */
export function stagedDeletions(planned: StageResult["planned"]): string[] {
  return planned
    .filter((c) => c.write.verb !== "delete" && (c.write.object?.spec as { stagedAction?: string } | undefined)?.stagedAction === "Delete")
    .map((c) => shortPolicy(c.write.object?.metadata.annotations?.[PREVIEW_OF_ANNOTATION] ?? c.write.name));
}

/** "NetworkPolicy/boutique/checkoutservice" → "boutique/checkoutservice"; a cluster-wide one keeps its name. */
function shortPolicy(policy: string): string {
  const [, ns, name] = policy.split("/");
  return name === undefined ? policy : ns ? `${ns}/${name}` : name;
}
