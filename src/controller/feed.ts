import type { TierguardTask } from "../run/promotion.js";

/**
 * The controller's view of GitHub: the App's Deployments for one environment, the statuses it posts back, and the
 * default branch it falls back to. A port: src/github/deployment-feed.ts implements it over the GitHub API (the
 * only place Octokit lives), tests implement it in memory. The controller never imports src/github.
 */
export interface FeedDeployment {
  id: number;
  /** The commit the deployment is for: the merge commit (promote), the pull request's head (stage, cleanup). */
  sha: string;
  task: TierguardTask;
  environment: string;
  /** As GitHub returns it (an object or its JSON text), unchecked: the loop parses it with parseDeploymentPayload. */
  payload: unknown;
  /** ISO time GitHub created it. */
  createdAt: string;
}

/**
 * The states the controller posts. `inactive`: a deployment another one made pointless (a newer push of the same
 * pull request, the pull request closed or merged since), never run.
 */
export type PostedState = "in_progress" | "success" | "failure" | "inactive";

/** The states after which GitHub's deployment needs nothing more: skipped, also after a restart. */
export const TERMINAL_STATES: readonly string[] = ["success", "failure", "error", "inactive"];

export interface StatusUpdate {
  state: PostedState;
  /** What happened, or what failed; GitHub keeps 140 characters (the feed cuts longer text, the log keeps it all). */
  description: string;
  /** Undefined: no link (the controller's log is not on the web by default). */
  logUrl?: string;
}

/** How a commit relates to another, as GitHub's comparison says: `ahead`: `head` has commits `base` lacks, only. */
export type CommitRelation = "identical" | "ahead" | "behind" | "diverged";

export interface DefaultBranch {
  name: string;
  sha: string;
}

export interface DeploymentFeed {
  /**
   * The environment's tierguard deployments whose latest status is not terminal (none yet, pending, queued,
   * in_progress: a controller stopped mid-way runs it again), newest first. Ids in `known` are left out before their
   * status is read (the loop has handled them). Looks back a bounded number of deployments per task.
   */
  pending(environment: string, known: ReadonlySet<number>): Promise<FeedDeployment[]>;
  post(deployment: number, status: StatusUpdate): Promise<void>;
  defaultBranch(): Promise<DefaultBranch>;
  /** How `head` relates to `base` (GitHub's compare `base...head`). */
  compare(base: string, head: string): Promise<CommitRelation>;
}
