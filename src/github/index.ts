/**
 * The GitHub adapter: the Probot App (app/: webhooks, background jobs, checks, comments, deployments) and the
 * Action runner (action/), over one narrow Octokit-shaped port (api.ts). May import run, io, the core, report and
 * src/contracts; never cli, controller or agent, and nothing outside this folder imports it. Review logic lives in
 * src/review and src/run, rendering in src/report: here only what GitHub needs said and done.
 */
export { tierguardApp, startAppServer, DEFAULT_WEBHOOK_PATH, type TierguardApp, type TierguardAppOptions, type AppServer, type AppServerOptions } from "./app/index.js";
export { run as runAction, EXIT as ACTION_EXIT } from "./action/run.js";
export { httpStatus, type GitHubApi, type GitHubResponse, type RepoRef } from "./api.js";
