import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fake runner for the Action: the environment GitHub gives a step (inputs as INPUT_* with action.yml's defaults,
 * the event payload file, the output and summary files), built from a real `pull_request` webhook payload of
 * @octokit/webhooks-examples with the fields tierguard reads replaced.
 */
export const OWNER = "acme";
export const NAME = "policies";
export const TOKEN = "ghs_workflowtoken";
export const TEAMS_TOKEN = "ghp_teamstoken";

/** action.yml's defaults, as the runner passes them when the workflow does not set an input. */
const DEFAULT_INPUTS: Record<string, string> = {
  config: "tierguard.yaml",
  flows: "",
  base: "",
  head: "",
  "github-token": TOKEN,
  "teams-token": "",
  comment: "false",
  "sarif-file": "",
  "fail-on": "error",
};

const EXAMPLES = JSON.parse(readFileSync("node_modules/@octokit/webhooks-examples/api.github.com/index.json", "utf8")) as Array<{ name: string; examples: any[] }>;

export interface PullEvent {
  number: number;
  author: string;
  base: string;
  head: string;
  /** The head repository's full name; default: the base repository (not a fork). */
  headRepo?: string;
}

/** The `synchronize` example payload, pointed at our repository, commits, number and author. */
export function pullRequestPayload(e: PullEvent): Record<string, any> {
  const payload = structuredClone(EXAMPLES.find((x) => x.name === "pull_request")!.examples.find((x) => x.action === "synchronize"));
  const pr = payload.pull_request;
  const full = `${OWNER}/${NAME}`;
  payload.number = pr.number = e.number;
  pr.user.login = e.author;
  payload.repository.full_name = pr.base.repo.full_name = full;
  pr.base.ref = "main";
  pr.base.sha = e.base;
  pr.head.ref = "change";
  pr.head.sha = e.head;
  pr.head.repo.full_name = e.headRepo ?? full;
  pr.head.label = `${(e.headRepo ?? full).split("/")[0]}:change`;
  return payload;
}

export interface FakeRunner {
  dir: string;
  env: Record<string, string>;
  summary(): string;
  outputs(): Record<string, string>;
  cleanup(): void;
}

export function fakeRunner(options: { event?: Record<string, any>; eventName?: string; inputs?: Record<string, string>; env?: Record<string, string | undefined> }): FakeRunner {
  const dir = mkdtempSync(join(tmpdir(), "tg-action-"));
  const files = { summary: join(dir, "step_summary.md"), output: join(dir, "output.txt"), event: join(dir, "event.json") };
  writeFileSync(files.summary, "");
  writeFileSync(files.output, "");
  if (options.event) writeFileSync(files.event, JSON.stringify(options.event));
  const env: Record<string, string> = {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: options.eventName ?? "pull_request",
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: `${OWNER}/${NAME}`,
    GITHUB_API_URL: "https://api.github.com",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_WORKSPACE: dir,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_ACTOR: "alice",
  };
  for (const [k, v] of Object.entries({ ...DEFAULT_INPUTS, ...options.inputs })) env[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return {
    dir,
    env,
    summary: () => readFileSync(files.summary, "utf8"),
    outputs: () => parseOutputs(readFileSync(files.output, "utf8")),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end < 0) throw new Error(`unterminated output ${heredoc[1]}`);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("=")) {
      out[lines[i].slice(0, lines[i].indexOf("="))] = lines[i].slice(lines[i].indexOf("=") + 1);
    }
  }
  return out;
}

/** Captures what the step prints: workflow commands and log lines. */
export function capture(): { write: (text: string) => void; text: () => string; commands: (name: string) => string[] } {
  let all = "";
  return {
    write: (t) => void (all += t),
    text: () => all,
    commands: (name) => all.split("\n").filter((l) => l.startsWith(`::${name}`)).map((l) => l.slice(l.indexOf("::", 2) + 2)),
  };
}
