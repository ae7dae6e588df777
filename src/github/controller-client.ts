import { ProbotOctokit } from "probot";
import { VERSION } from "../contracts/index.js";
import type { Log } from "../contracts/index.js";
import type { GitHubApi, RepoRef } from "./api.js";
import { tierguardOctokit } from "./app/octokit.js";

/**
 * The controller's GitHub client: tierguard's Octokit (timeouts, bounded rate-limit retries, 5xx retries), signed
 * in as the App's installation (installation tokens minted from the App's key and renewed before they expire) or
 * with a token. Without an installation id, the installation on the repository is looked up once with the App's
 * own JWT. Octokit stays in src/github; the controller only sees the GitHubApi port through the deployment feed.
 */
export type ControllerGitHubAuth = { kind: "token"; token: string } | { kind: "app"; appId: number; privateKey: string; installationId?: number };

export interface ControllerClientOptions {
  auth: ControllerGitHubAuth;
  /** https://api.github.com, or GitHub Enterprise Server's /api/v3. */
  baseUrl: string;
  repo: RepoRef;
  log: Log;
  /** Tests: an Octokit class with the waits shortened. Default: tierguard's. */
  Octokit?: typeof ProbotOctokit;
}

export async function controllerGitHubApi(o: ControllerClientOptions): Promise<GitHubApi> {
  const Octokit = o.Octokit ?? tierguardOctokit(ProbotOctokit);
  const log = octokitLog(o.log);
  const common = { baseUrl: o.baseUrl, log, userAgent: `tierguard-controller/${VERSION}` };
  if (o.auth.kind === "token") return new Octokit({ ...common, auth: { token: o.auth.token } }) as unknown as GitHubApi;
  const { appId, privateKey } = o.auth;
  let installationId = o.auth.installationId;
  if (installationId === undefined) {
    const app = new Octokit({ ...common, auth: { appId, privateKey } });
    const { data } = await app.request("GET /repos/{owner}/{repo}/installation", { owner: o.repo.owner, repo: o.repo.repo });
    installationId = data.id;
    o.log.info({ installation: installationId, repo: `${o.repo.owner}/${o.repo.repo}` }, "found the App's installation on the repository");
  }
  return new Octokit({ ...common, auth: { appId, privateKey, installationId } }) as unknown as GitHubApi;
}

/** Octokit's logger from the contracts Log: its request lines are debug, its warnings (rate limits) warnings. */
function octokitLog(log: Log) {
  const debug = (obj: unknown, msg?: string) => log.debug?.(typeof obj === "string" ? obj : (obj as Record<string, unknown>), msg);
  return {
    debug,
    info: debug,
    warn: (obj: unknown, msg?: string) => log.warn(typeof obj === "string" ? obj : (obj as Record<string, unknown>), msg),
    // Octokit logs every non-2xx answer as an error; the feed reports the ones that matter.
    error: debug,
  };
}
