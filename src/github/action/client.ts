import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { VERSION } from "../../contracts/index.js";
import type { GitHubApi } from "../api.js";
import type { Workflow } from "./workflow.js";

/**
 * The Action's GitHub clients: @octokit/rest with retries (5xx, network) and throttling (primary and secondary rate
 * limits, retried twice), against GITHUB_API_URL so that GitHub Enterprise Server works unchanged.
 */
const Client = Octokit.plugin(retry, throttling);

export interface ClientOptions {
  token: string;
  baseUrl: string;
  workflow: Workflow;
  /** False in tests: the throttle spaces writes a second apart. */
  throttle: boolean;
}

const RATE_LIMIT_RETRIES = 2;

export function createClient(o: ClientOptions): GitHubApi {
  const w = o.workflow;
  const limited = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    w.warning(`GitHub's ${kind} rate limit was hit on ${options.method} ${options.url}; ${retryCount < RATE_LIMIT_RETRIES ? `retrying in ${retryAfter} s` : "giving up"}`);
    return retryCount < RATE_LIMIT_RETRIES;
  };
  return new Client({
    auth: o.token,
    baseUrl: o.baseUrl,
    userAgent: `tierguard-action/${VERSION}`,
    throttle: o.throttle ? { onRateLimit: limited("primary"), onSecondaryRateLimit: limited("secondary") } : { enabled: false },
    retry: o.throttle ? {} : { enabled: false },
    // Octokit logs every non-2xx response as an error; tierguard handles them (a 404 membership is "not a member").
    log: { debug: (m: string) => w.debug(m), info: (m: string) => w.debug(m), warn: (m: string) => w.warning(m), error: (m: string) => w.debug(m) },
  }) as unknown as GitHubApi;
}

const TEAMS_ROUTE = /^GET \/orgs\/\{org\}\/teams\//;

/**
 * One API for the runner with organization-team reads sent through the teams token: the workflow's GITHUB_TOKEN
 * reads the repository, a token with `read:org` (or an App's `members: read`) answers team memberships.
 */
export function withTeamsClient(main: GitHubApi, teams: GitHubApi): GitHubApi {
  const pick = (route: string) => (TEAMS_ROUTE.test(route) ? teams : main);
  return {
    request: (route, params) => pick(route).request(route, params),
    paginate: (route, params) => pick(route).paginate(route, params),
  };
}
