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

/** One line of a promotion-records file (`--promotions`): the controller writes these. */
export interface PromotionRecord {
  commit: string;
  environment: string;
  /** ISO 8601. */
  time: string;
  outcome: "succeeded" | "failed" | "superseded" | string;
}
