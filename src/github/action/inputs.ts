import { CONFIG_FILE } from "../../review/index.js";
import { input, type Env } from "./workflow.js";

/**
 * The Action's inputs (action/action.yml), read and checked together so that a misconfigured workflow learns every
 * problem at once. Paths stay as written; run.ts resolves them against the workspace.
 */
export type FailOn = "error" | "warning" | "never";

export const FAIL_ON: readonly FailOn[] = ["error", "warning", "never"];

export interface ActionInputs {
  /** tierguard.yaml's path in the base revision. */
  config: string;
  /** Flow files in the workspace replayed instead of the configured snapshot; empty: the configuration's. */
  flows: string[];
  /** A commit SHA or ref; undefined: the pull request's. */
  base?: string;
  head?: string;
  githubToken: string;
  /** Undefined: team memberships cannot be read (the workflow token has no access to organization teams). */
  teamsToken?: string;
  comment: boolean;
  /** Undefined: no SARIF written. */
  sarifFile?: string;
  failOn: FailOn;
  /** Newly denied flows are intended: acknowledged by the workflow's actor (they become notices). */
  ackImpact: boolean;
}

export type InputsResult = { ok: true; inputs: ActionInputs } | { ok: false; problems: string[] };

export function readInputs(env: Env): InputsResult {
  const problems: string[] = [];
  const failOn = input(env, "fail-on") || "error";
  if (!(FAIL_ON as readonly string[]).includes(failOn)) problems.push(`fail-on is "${failOn}"; use one of ${FAIL_ON.join(", ")}`);
  const comment = bool(input(env, "comment") || "false");
  if (comment === undefined) problems.push(`comment is "${input(env, "comment")}"; use true or false`);
  const ackImpact = bool(input(env, "ack-impact") || "false");
  if (ackImpact === undefined) problems.push(`ack-impact is "${input(env, "ack-impact")}"; use true or false`);
  const githubToken = input(env, "github-token");
  if (githubToken === "") problems.push("github-token is empty; pass ${{ github.token }} (the default) or a token that can read the repository");
  const config = input(env, "config") || CONFIG_FILE;
  if (config.startsWith("/") || config.split("/").includes("..")) problems.push(`config is "${config}"; give a path inside the repository, relative to its root`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    inputs: {
      config: config.replace(/^\.\//, ""),
      flows: list(input(env, "flows")),
      base: input(env, "base") || undefined,
      head: input(env, "head") || undefined,
      githubToken,
      teamsToken: input(env, "teams-token") || undefined,
      comment: comment!,
      sarifFile: input(env, "sarif-file") || undefined,
      failOn: failOn as FailOn,
      ackImpact: ackImpact!,
    },
  };
}

/** YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput accepts them. */
function bool(text: string): boolean | undefined {
  if (["true", "True", "TRUE"].includes(text)) return true;
  if (["false", "False", "FALSE"].includes(text)) return false;
  return undefined;
}

/** One path per line, or comma-separated. */
function list(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
