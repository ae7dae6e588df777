/**
 * The audit log's model: every change of a policy, a tier, a network set or the repository's configuration in git
 * history, by identity (kind, namespace, name) and by meaning. The JSON form of `tierguard log` is
 * `{"entries": AuditEntry[]}` exactly as below.
 */
export interface FileChange {
  /** git's status letter: A added, M modified, D deleted, T type changed. */
  status: string;
  path: string;
  /** Undefined when the file did not exist before (added). */
  oldBlob?: string;
  /** Undefined when the file no longer exists (deleted). */
  newBlob?: string;
}

export interface HistoryCommit {
  commit: string;
  /** Empty for a root commit; two or more for a merge. */
  parents: string[];
  author: string;
  email: string;
  /** The author date, ISO 8601 with the author's offset. */
  date: string;
  subject: string;
  /** Files changed against the first parent; empty for merge commits. */
  files: FileChange[];
}

export type AuditChange = "added" | "changed" | "removed" | "moved";

export interface AuditEntry {
  commit: string;
  author: string;
  date: string;
  /** The pull request that brought the commit in; null when none is known. */
  pr: number | null;
  /** The resource kind; `TierguardConfig` for the repository's tierguard.yaml. */
  kind: string;
  /** Null for cluster-wide resources. */
  namespace: string | null;
  name: string;
  change: AuditChange;
  /** What changed in meaning, one fact a line; textual diff lines (`  -`/`  +`) where words are not enough. */
  details: string[];
}

/**
 * One promotion record: what the controller writes, one JSON object per line of its log (`--promotions`), and what
 * its Kubernetes Events carry (`--events`, see PROMOTION_EVENT in promotions.ts). THE contract between the
 * controller and `tierguard log`: the four required fields say which commit reached (or failed to reach) which
 * environment when; the optional ones say more and are shown when present. A log line without `commit` and
 * `environment` is another kind of log line and is skipped; one with them must be a valid record.
 *
 *   {"commit":"<sha>","environment":"prod","time":"2026-05-01T12:00:00Z","outcome":"succeeded",
 *    "cluster":"prod-eu","pr":42,"author":"alice","kind":"NetworkPolicy","namespace":"shop","name":"web",
 *    "verb":"update","reason":"enforce NetworkPolicy shop/web"}
 */
export interface PromotionRecord {
  /** The commit promoted (hex, 7 to 64 digits; an abbreviation is matched against the history). */
  commit: string;
  /** The environment (GitHub Deployment environment) it was promoted to. */
  environment: string;
  /** ISO 8601 time of the outcome. */
  time: string;
  /** `succeeded` delivers the commit and its ancestry; anything else is shown on the commit as it is. */
  outcome: "succeeded" | "failed" | "superseded" | string;
  /** The cluster (kube context), when an environment spans several. */
  cluster?: string;
  /** The pull request the commit came from. */
  pr?: number;
  /** Who authored the change (GitHub login). */
  author?: string;
  /** The object written, when the record is about one write (the controller's per-write lines). */
  kind?: string;
  /** Null or absent for cluster-wide kinds. */
  namespace?: string | null;
  name?: string;
  /** create, update, patch or delete. */
  verb?: string;
  /** What the write means, in the plan's words: "enforce NetworkPolicy shop/web", "remove staged twin". */
  reason?: string;
}
