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
  /**
   * Recommend instead of review: namespaces (empty: tierguard.yaml's `recommend.namespaces`, else every namespace).
   * Undefined: review (or, on a `schedule` event, recommend when tierguard.yaml's `recommend.schedule` says so).
   */
  recommend?: { namespaces: string[] };
  /** Folder in the workspace the recommended files are written to; undefined: tierguard.yaml's `recommend.path`. */
  recommendOut?: string;
  /** Open or update the recommendation's pull request (needs contents and pull-requests write). */
  recommendPr: boolean;
  /** Where to write the policy board (HTML) in the workspace, for an upload-artifact step; undefined: no board. */
  boardFile?: string;
  /** The artifact's name the workflow uploads the board as, for the comment's link. */
  boardArtifact: string;
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
  const recommend = recommendInput(input(env, "recommend"), problems);
  const recommendPr = bool(input(env, "recommend-pr") || "false");
  if (recommendPr === undefined) problems.push(`recommend-pr is "${input(env, "recommend-pr")}"; use true or false`);
  for (const name of ["recommend-out", "board-file"]) {
    const v = input(env, name);
    if (v !== "" && (v.startsWith("/") || v.split("/").includes(".."))) problems.push(`${name} is "${v}"; give a path inside the workspace, relative to it`);
  }
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
      recommend,
      recommendOut: input(env, "recommend-out").replace(/^\.\//, "") || undefined,
      recommendPr: recommendPr!,
      boardFile: input(env, "board-file").replace(/^\.\//, "") || undefined,
      boardArtifact: input(env, "board-artifact") || "tierguard-board",
    },
  };
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `false` or empty: off; `true`: the configured namespaces; else the namespaces, one per line or comma-separated. */
function recommendInput(text: string, problems: string[]): ActionInputs["recommend"] {
  if (text === "" || ["false", "False", "FALSE"].includes(text)) return undefined;
  if (["true", "True", "TRUE"].includes(text)) return { namespaces: [] };
  const namespaces = list(text.replace(/\s+/g, ","));
  const bad = namespaces.find((ns) => !NAMESPACE.test(ns));
  if (bad !== undefined) problems.push(`recommend is "${text}"; give true, false, or namespaces ("${bad}" is not a namespace name)`);
  return { namespaces: [...new Set(namespaces)].sort() };
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
