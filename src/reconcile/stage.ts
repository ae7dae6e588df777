import { builtinTiers, isPolicy, isStagedKind, type CalicoModel, type Resource } from "../policy/index.js";
import type { ResourceChange } from "../review/index.js";
import { describe, removal, upToDate, writeOf, type Conflict, type PlannedChange } from "./diff.js";
import { clusterName, previewName, tierOf } from "./names.js";
import { fromClusterObject, isManaged, PREVIEW_OF_ANNOTATION, refKey, refOf, roleOf, toClusterObject, type Desired } from "./objects.js";
import { orderChanges } from "./order.js";
import { PR_LABEL, type ClusterKind, type ClusterObject, type Provenance } from "./types.js";

/**
 * A pull request's staged previews: each added or changed policy as its Staged* kind (`stagedAction: Set`), each
 * deleted policy as a staged object with `stagedAction: Delete` (every spec field but `tier` empty), so the
 * dataplane reports their pending verdicts while the pull request is open. Each preview has a name of its own per
 * pull request (`<name>-pr<N>`), carries PR_LABEL and ROLE_LABEL=preview, and names what it previews; enforced
 * objects are never touched. Unstaging removes exactly the managed objects labelled with the pull request.
 */
export interface StageInput {
  /** The review's identity diff of the pull request (base → head). */
  changes: readonly ResourceChange[];
  /** Every object of the managed kinds in the cluster. */
  observed: readonly ClusterObject[];
  pullRequest: number;
  model: CalicoModel;
  provenance: Provenance;
}

/** A change of the pull request with no preview, and why. */
export interface StageSkip {
  kind: string;
  namespace?: string;
  name: string;
  file: string;
  reason: string;
}

export interface StagePlan {
  /** In write order. */
  changes: PlannedChange[];
  previews: Desired[];
  skipped: StageSkip[];
  conflicts: Conflict[];
}

const STAGED: Record<string, ClusterKind> = { NetworkPolicy: "StagedNetworkPolicy", GlobalNetworkPolicy: "StagedGlobalNetworkPolicy", KubernetesNetworkPolicy: "StagedKubernetesNetworkPolicy" };

export function planStage(input: StageInput): StagePlan {
  const tiers = new Set([...builtinTiers({ model: input.model, text: "" }).map((t) => t.name), ...input.observed.filter((o) => o.kind === "Tier").map((o) => o.metadata.name)]);
  const previews: Desired[] = [];
  const skipped: StageSkip[] = [];
  const add = (r: Resource, action: "Set" | "Delete") => {
    const why = skipReason(r, action, tiers);
    if (why) skipped.push(skip(r, why));
    else {
      const resource = previewResource(r, action, input.pullRequest, input.model);
      previews.push({ resource, object: toClusterObject(resource, { model: input.model, provenance: input.provenance, role: "preview", pullRequest: input.pullRequest }) });
    }
  };
  for (const c of input.changes) {
    if (!c.meaningChanged) continue;
    if (c.head) add(c.head, "Set");
    if (c.base && (c.kind === "removed" || c.kind === "renamed")) add(c.base, "Delete");
  }
  const mine = (o: ClusterObject) => isManaged(o) && o.metadata.labels?.[PR_LABEL] === String(input.pullRequest);
  const observed = new Map(input.observed.map((o) => [refKey(refOf(o)), o]));
  const changes: PlannedChange[] = [];
  const conflicts: Conflict[] = [];
  const wanted = new Set<string>();
  for (const d of previews) {
    const ref = refOf(d.object);
    wanted.add(refKey(ref));
    const live = observed.get(refKey(ref));
    if (live && !mine(live)) {
      const at = d.resource.source.at("");
      conflicts.push({ ref, file: at.file, line: at.line, message: `${describe(ref)} exists and is not pull request #${input.pullRequest}'s preview; it is left alone` });
    } else if (!live || !upToDate(live, d.object)) {
      const object = structuredClone(d.object);
      if (live?.metadata.resourceVersion) object.metadata.resourceVersion = live.metadata.resourceVersion;
      const verb = live ? "update" : "create";
      changes.push({ write: writeOf(verb, ref, `stage ${describe(ref)} for pull request #${input.pullRequest}`, object), after: d.resource, desired: d, ...(live ? { live, before: fromClusterObject(live) } : {}) });
    }
  }
  for (const [key, live] of observed) if (mine(live) && !wanted.has(key)) changes.push(removal(live, `pull request #${input.pullRequest} no longer changes it`));
  return { changes: orderChanges(changes), previews, skipped, conflicts };
}

/** Exactly the managed objects labelled with the pull request, deleted. */
export function planUnstage(observed: readonly ClusterObject[], pullRequest: number): PlannedChange[] {
  const mine = observed.filter((o) => isManaged(o) && o.metadata.labels?.[PR_LABEL] === String(pullRequest));
  return orderChanges(mine.map((o) => removal(o, `unstage pull request #${pullRequest}`)));
}

/** The other pull requests whose previews stand for the same policy (`Kind/namespace/name` in cluster names). */
export function otherPullRequestsStaging(observed: readonly ClusterObject[], policy: string, pullRequest: number): number[] {
  const prs = observed
    .filter((o) => isManaged(o) && roleOf(o) === "preview" && o.metadata.annotations?.[PREVIEW_OF_ANNOTATION] === policy)
    .map((o) => Number(o.metadata.labels?.[PR_LABEL]))
    .filter((n) => Number.isInteger(n) && n !== pullRequest);
  return [...new Set(prs)].sort((a, b) => a - b);
}

/** For the PR comment: each policy this pull request previews that other open pull requests preview too. */
export function sharedPreviews(observed: readonly ClusterObject[], previews: readonly Desired[], pullRequest: number): Array<{ policy: string; pullRequests: number[] }> {
  return previews
    .map((d) => d.object.metadata.annotations?.[PREVIEW_OF_ANNOTATION] ?? "")
    .map((policy) => ({ policy, pullRequests: otherPullRequestsStaging(observed, policy, pullRequest) }))
    .filter((s) => s.pullRequests.length > 0);
}

function skipReason(r: Resource, action: "Set" | "Delete", tiers: Set<string>): string | undefined {
  if (!isPolicy(r)) return "tiers and network sets are applied when the pull request merges; they have no staged form";
  if (action === "Delete" && isStagedKind(r.kind)) return "removing a staged policy changes no verdict, so there is nothing to preview";
  const tier = tierOf(r);
  if (tier !== undefined && !tiers.has(tier)) return `tier ${tier} is not in the cluster yet; its policies are previewed once the tier is promoted`;
  return undefined;
}

function skip(r: Resource, reason: string): StageSkip {
  const out: StageSkip = { kind: r.kind, name: r.metadata.name ?? "", file: r.source.source.file, reason };
  if (r.metadata.namespace !== undefined) out.namespace = r.metadata.namespace;
  return out;
}

/** The preview of `r` as a Resource: its staged kind, the per-PR name, the spec (Set) or only the tier (Delete). */
function previewResource(r: Resource, action: "Set" | "Delete", pr: number, model: CalicoModel): Resource {
  const kind = STAGED[r.kind] ?? r.kind;
  const name = clusterName(r, model);
  const of = refKey({ kind: r.kind, namespace: r.metadata.namespace, name });
  const tier = tierOf(r);
  let spec: Record<string, unknown>;
  if (action === "Delete") spec = kind === "StagedKubernetesNetworkPolicy" ? { stagedAction: "Delete" } : { tier, stagedAction: "Delete" };
  else spec = isStagedKind(r.kind) ? { ...r.spec } : { ...r.spec, stagedAction: "Set" };
  const metadata = { ...r.metadata, name: previewName(name, pr), annotations: { ...(r.metadata.annotations ?? {}), [PREVIEW_OF_ANNOTATION]: of } };
  return { ...r, kind, metadata, spec } as Resource;
}
