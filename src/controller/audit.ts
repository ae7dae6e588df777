import { describeMeaningChange } from "../audit/index.js";
import type { Log } from "../contracts/index.js";
import type { Resource } from "../policy/index.js";
import { ANNOTATIONS, describe, MANAGED_LABEL, PR_LABEL, ROLE_LABEL, writeRef, type PlannedChange, type Provenance, type Write } from "../reconcile/index.js";
import type { ClusterEvent, ClusterPort } from "./port.js";

/**
 * The audit trail of every write: a Kubernetes Event on the object and a JSON log line with the commit, pull
 * request, author and the meaning that changed, in the audit log's words (src/audit/meaning.ts). Append-only: the
 * audit-log issue reads these lines. An Event that cannot be written is logged, never fatal (ClusterPort.event).
 */
export type AuditReason = "Promoted" | "Deleted" | "Staged" | "Unstaged" | "Restored" | "SyncFailed";

export interface AuditContext {
  port: ClusterPort;
  log: Log;
  provenance: Provenance;
  environment: string;
  /** Where Events about cluster-wide objects go (the controller's namespace). */
  eventNamespace: string;
}

export interface AuditLine {
  audit: true;
  environment: string;
  verb: Write["verb"];
  kind: string;
  namespace: string | null;
  name: string;
  reason: AuditReason;
  commit: string;
  pullRequest: number | null;
  author: string | null;
  time: string;
  /** `tierguard log --promotions` reads these lines as PromotionRecords (src/audit/types.ts): a write made. */
  outcome: "succeeded";
  /** The pull request again, under the PromotionRecord's name; absent when none is known. */
  pr?: number;
  /** What the write changed in meaning, line by line ("spec.ingress[0].action: action flipped from Allow to Deny"). */
  meaning: string[];
}

export function auditLine(change: PlannedChange, reason: AuditReason, ctx: Pick<AuditContext, "provenance" | "environment">, write: Write = change.write): AuditLine {
  const p = ctx.provenance;
  return {
    audit: true,
    environment: ctx.environment,
    verb: write.verb,
    kind: write.kind,
    namespace: write.namespace,
    name: write.name,
    reason,
    commit: p.commit,
    pullRequest: p.pullRequest ?? null,
    author: p.author ?? null,
    time: p.time,
    outcome: "succeeded",
    ...(p.pullRequest !== undefined ? { pr: p.pullRequest } : {}),
    meaning: meaningOf(change, write),
  };
}

/** Records one write: the Event and the log line. */
export async function recordWrite(ctx: AuditContext, change: PlannedChange, reason: AuditReason, write: Write = change.write): Promise<void> {
  const line = auditLine(change, reason, ctx, write);
  const ref = writeRef(write);
  const short = p7(ctx.provenance.commit);
  const by = [ctx.provenance.pullRequest !== undefined ? `#${ctx.provenance.pullRequest}` : "", ctx.provenance.author ? `by ${ctx.provenance.author}` : ""].filter(Boolean).join(" ");
  const message = `${write.verb} ${describe(ref)} at ${short}${by ? ` (${by})` : ""}: ${line.meaning.slice(0, 3).join("; ") || write.reason}`;
  ctx.log.info({ ...line }, message);
  const event: ClusterEvent = { regarding: ref, type: reason === "SyncFailed" ? "Warning" : "Normal", reason, message: message.slice(0, 1024), namespace: ref.namespace ?? ctx.eventNamespace };
  await ctx.port.event(event);
}

function p7(commit: string): string {
  return commit.slice(0, 7);
}

function meaningOf(change: PlannedChange, write: Write): string[] {
  if (write.verb === "delete") return [change.twin ? "staged twin removed: its enforced policy replaces it" : "deleted"];
  if (!change.before || !change.after) return ["created"];
  try {
    return describeMeaningChange(withoutMarks(change.before, change.after), change.after);
  } catch {
    return ["updated"];
  }
}

/** The live object as the repository would write it: tierguard's marks off, the repository's name. */
function withoutMarks(live: Resource, repo: Resource): Resource {
  const ours = new Set<string>([MANAGED_LABEL, ROLE_LABEL, PR_LABEL, ...Object.values(ANNOTATIONS)]);
  const strip = (m: Record<string, string> | undefined) => (m ? Object.fromEntries(Object.entries(m).filter(([k]) => !ours.has(k))) : undefined);
  const metadata = { ...live.metadata, name: repo.metadata.name, labels: strip(live.metadata.labels), annotations: strip(live.metadata.annotations) };
  if (!repo.metadata.labels && metadata.labels && Object.keys(metadata.labels).length === 0) delete metadata.labels;
  if (!repo.metadata.annotations && metadata.annotations && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  return { ...live, metadata } as Resource;
}
