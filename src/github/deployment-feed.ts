import { TIERGUARD_TASKS, type TierguardTask } from "../run/promotion.js";
import { httpStatus, type GitHubApi, type RepoRef } from "./api.js";
import { scrub } from "./redact.js";

/**
 * The controller's deployment feed over the GitHub API: the App's tierguard Deployments of one environment that
 * still wait for a controller, the statuses the controller posts back, the default branch and commit comparisons.
 * The controller (src/controller/feed.ts) declares the port; this module has the same shape without importing it
 * (adapters never import each other) and the command that starts the controller (src/cli/controller.ts) joins the
 * two, so the compiler checks they fit.
 *
 * Cost: each poll lists the newest `lookBack` deployments of each tierguard task (three requests) and reads the
 * latest status only of deployments not seen before; one whose status is terminal is remembered and never read
 * again. Statuses are posted with `auto_inactive: false`: a controller's success must not mark other deployments of
 * the environment inactive, some of which may still be waiting.
 */
export interface FeedDeploymentShape {
  id: number;
  sha: string;
  task: TierguardTask;
  environment: string;
  payload: unknown;
  createdAt: string;
}

export interface StatusShape {
  state: "in_progress" | "success" | "failure" | "inactive";
  description: string;
  logUrl?: string;
}

export type CommitRelationShape = "identical" | "ahead" | "behind" | "diverged";

/** GitHub keeps this many characters of a deployment status's description. */
export const STATUS_DESCRIPTION_LIMIT = 140;
const TERMINAL = new Set(["success", "failure", "error", "inactive"]);
const REMEMBERED = 10_000;

export interface GitHubDeploymentFeedOptions {
  api: GitHubApi;
  repo: RepoRef;
  /** Deployments per task looked at in each poll. Default 30. */
  lookBack?: number;
}

interface DeploymentObject {
  id: number;
  sha: string;
  task: string;
  environment: string;
  payload: unknown;
  created_at: string;
}

/** A GitHub failure as the controller logs it: the route and GitHub's answer, credentials scrubbed. */
export class GitHubFeedError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = "GitHubFeedError";
  }
}

export class GitHubDeploymentFeed {
  private readonly finished = new Set<number>();
  private readonly lookBack: number;

  constructor(private readonly o: GitHubDeploymentFeedOptions) {
    this.lookBack = o.lookBack ?? 30;
  }

  async pending(environment: string, known: ReadonlySet<number>): Promise<FeedDeploymentShape[]> {
    const out: FeedDeploymentShape[] = [];
    for (const task of TIERGUARD_TASKS) {
      const { data } = await this.call<DeploymentObject[]>("GET /repos/{owner}/{repo}/deployments", { environment, task, per_page: this.lookBack });
      for (const d of data) {
        // GitHub filters by task and environment; checked again so that nothing else is ever acted on.
        if (d.task !== task || d.environment !== environment || known.has(d.id) || this.finished.has(d.id)) continue;
        if (await this.isFinished(d.id)) continue;
        out.push({ id: d.id, sha: d.sha, task, environment: d.environment, payload: d.payload, createdAt: d.created_at });
      }
    }
    return out.sort((a, b) => b.id - a.id);
  }

  async post(deployment: number, status: StatusShape): Promise<void> {
    await this.call("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      deployment_id: deployment,
      state: status.state,
      description: cut(status.description, STATUS_DESCRIPTION_LIMIT),
      ...(status.logUrl ? { log_url: status.logUrl } : {}),
      auto_inactive: false,
    });
    if (TERMINAL.has(status.state)) this.remember(deployment);
  }

  async defaultBranch(): Promise<{ name: string; sha: string }> {
    const { data: repo } = await this.call<{ default_branch: string }>("GET /repos/{owner}/{repo}");
    const { data: branch } = await this.call<{ commit: { sha: string } }>("GET /repos/{owner}/{repo}/branches/{branch}", { branch: repo.default_branch });
    return { name: repo.default_branch, sha: branch.commit.sha };
  }

  async compare(base: string, head: string): Promise<CommitRelationShape> {
    // One commit per page: only the status is wanted, not the (possibly long) list of commits between.
    const { data } = await this.call<{ status: string }>("GET /repos/{owner}/{repo}/compare/{basehead}", { basehead: `${base}...${head}`, per_page: 1 });
    if (data.status === "identical" || data.status === "ahead" || data.status === "behind" || data.status === "diverged") return data.status;
    throw new GitHubFeedError(undefined, `GitHub compared ${base.slice(0, 7)}...${head.slice(0, 7)} as "${data.status}", which tierguard does not know`);
  }

  private async isFinished(id: number): Promise<boolean> {
    const { data } = await this.call<Array<{ state: string }>>("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { deployment_id: id, per_page: 1 });
    const done = data.length > 0 && TERMINAL.has(data[0].state);
    if (done) this.remember(id);
    return done;
  }

  private remember(id: number): void {
    this.finished.add(id);
    if (this.finished.size > REMEMBERED) this.finished.delete(this.finished.values().next().value as number);
  }

  private async call<T>(route: string, params: Record<string, unknown> = {}): Promise<{ data: T }> {
    try {
      return await this.o.api.request<T>(route, { owner: this.o.repo.owner, repo: this.o.repo.repo, ...params });
    } catch (e) {
      const status = httpStatus(e ?? {});
      const where = route.replace("{owner}/{repo}", `${this.o.repo.owner}/${this.o.repo.repo}`);
      throw new GitHubFeedError(status, `${where}: GitHub answered ${status ?? "with an error"}: ${scrub(String((e as Error)?.message ?? e))}`);
    }
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
