import { readFileSync } from "node:fs";
import type { RepoRef } from "../api.js";
import type { Env } from "./workflow.js";

/**
 * What the Action needs from the run's context: the repository (GITHUB_REPOSITORY), the event that triggered the
 * workflow (the webhook payload at GITHUB_EVENT_PATH) and, for pull-request events, the base and head commits, the
 * number, the author, and whether the token is read-only because the pull request comes from a fork.
 */
export interface PullContext {
  number: number;
  author: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  /** The head branch lives in another repository. */
  fork: boolean;
}

export interface RunContext {
  repo: RepoRef;
  eventName: string;
  /** Undefined when the event is not about a pull request (push, workflow_dispatch...): base and head are inputs. */
  pull?: PullContext;
  /** GITHUB_ACTOR: the author when there is no pull request. */
  actor: string;
  /**
   * GitHub gives a `pull_request` run (and the other events a fork's pull request triggers, except
   * `pull_request_target`) a read-only token and no secrets.
   */
  readOnlyToken: boolean;
  apiUrl: string;
  serverUrl: string;
  workspace: string;
  /** A `schedule` event's cron (`github.event.schedule`), one space between fields. */
  schedule?: string;
  /** This workflow run's page (GITHUB_RUN_ID), where its artifacts are listed; undefined outside a run. */
  runUrl?: string;
}

export class ContextError extends Error {}

export function readContext(env: Env, cwd: string): RunContext {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) throw new ContextError("GITHUB_EVENT_PATH is not set: tierguard's Action runs as a step of a GitHub Actions workflow, which sets it");
  let payload: Record<string, any>;
  try {
    payload = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ContextError(`the event payload at GITHUB_EVENT_PATH (${path}) could not be read: ${(e as Error).message}`);
  }
  const full = env.GITHUB_REPOSITORY ?? payload.repository?.full_name;
  const [owner, repo, extra] = typeof full === "string" ? full.split("/") : [];
  if (!owner || !repo || extra !== undefined) throw new ContextError(`GITHUB_REPOSITORY is "${full ?? ""}"; expected owner/name`);
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const pull = pullOf(payload.pull_request);
  return {
    repo: { owner, repo },
    eventName,
    pull,
    actor: env.GITHUB_ACTOR ?? payload.sender?.login ?? "",
    readOnlyToken: pull !== undefined && pull.fork && eventName !== "pull_request_target",
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    serverUrl: (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, ""),
    workspace: env.GITHUB_WORKSPACE || cwd,
    schedule: typeof payload.schedule === "string" ? payload.schedule.trim().split(/\s+/).join(" ") : undefined,
    runUrl: env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID) ? `${(env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "")}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
  };
}

function pullOf(pr: any): PullContext | undefined {
  if (!pr || typeof pr !== "object") return undefined;
  const need = [pr.number, pr.user?.login, pr.base?.sha, pr.head?.sha];
  if (need.some((v) => v === undefined || v === null)) throw new ContextError("the event's pull_request lacks its number, author, or base and head commits");
  const baseRepo = pr.base?.repo?.full_name;
  // A fork that was deleted leaves head.repo null: still not this repository.
  const headRepo = pr.head?.repo?.full_name ?? null;
  return {
    number: Number(pr.number),
    author: String(pr.user.login),
    base: { ref: String(pr.base.ref ?? pr.base.sha), sha: String(pr.base.sha) },
    head: { ref: String(pr.head.ref ?? pr.head.sha), sha: String(pr.head.sha) },
    fork: headRepo !== baseRepo,
  };
}
