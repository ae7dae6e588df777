import { readFileSync } from "node:fs";
import type { RepoRef } from "../api.js";
import { pullOf, type Pull } from "../pull.js";
import type { Env } from "./workflow.js";

/**
 * What the Action needs from the run's context: the repository (GITHUB_REPOSITORY), the event that triggered the
 * workflow (the webhook payload at GITHUB_EVENT_PATH) and, for pull-request events, the pull request in the shape the
 * App uses too (../pull.ts): base and head commits, number, author, and whether it comes from a fork (whose runs get
 * a read-only token).
 */
export interface RunContext {
  repo: RepoRef;
  eventName: string;
  /** Undefined when the event is not about a pull request (push, workflow_dispatch...): base and head are inputs. */
  pull?: Pull;
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
  const pull = eventPull({ owner, repo }, payload.pull_request);
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

/** The event's pull request; the Action, unlike the App, refuses one without its number, author or commits. */
function eventPull(repo: RepoRef, pr: any): Pull | undefined {
  if (!pr || typeof pr !== "object") return undefined;
  const need = [pr.number, pr.user?.login, pr.base?.sha, pr.head?.sha];
  if (need.some((v) => v === undefined || v === null)) throw new ContextError("the event's pull_request lacks its number, author, or base and head commits");
  return pullOf(repo, pr);
}
