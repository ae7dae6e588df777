/**
 * The slice of Octokit tierguard uses: `request` and `paginate` by route. Probot's octokit and @octokit/rest both
 * satisfy it, so the App and the Action share every GitHub call; tests drive it with nock against the real client.
 */
export interface GitHubResponse<T = any> {
  status: number;
  data: T;
  headers: Record<string, string | number | undefined>;
}

export interface GitHubApi {
  request<T = any>(route: string, params?: Record<string, unknown>): Promise<GitHubResponse<T>>;
  paginate<T = any>(route: string, params?: Record<string, unknown>): Promise<T[]>;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** An error status from GitHub (Octokit's RequestError), without depending on its class. */
export function httpStatus(e: unknown): number | undefined {
  const s = (e as { status?: unknown }).status;
  return typeof s === "number" ? s : undefined;
}

// Log lives in src/contracts (every adapter logs); re-exported for github/review-run.ts and its test.
export { SILENT_LOG, type Log } from "../contracts/index.js";
