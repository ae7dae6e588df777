import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync } from "node:fs";

/**
 * The runner's side of a step, as GitHub documents it ("Workflow commands for GitHub Actions"): inputs arrive as
 * `INPUT_<NAME>` variables, outputs and the job summary go to the files named by GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY, annotations and masks are `::command::` lines on stdout. Written here instead of taken from
 * @actions/core because that package reads and writes the global `process.env` (run() takes its environment as an
 * argument, so tests pass their own) and its OIDC client pulls ~600 KB of undici and tunnel into the bundle.
 */
export type Env = Record<string, string | undefined>;

/** `core.getInput`: `INPUT_` + the name upper-cased with spaces as underscores (hyphens stay), trimmed. */
export function input(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

export type Annotation = "error" | "warning" | "notice";

export class Workflow {
  constructor(
    private readonly env: Env,
    private readonly write: (line: string) => void,
  ) {}

  /** Appends `name<<delimiter` / value / delimiter to GITHUB_OUTPUT, the form that allows any value. */
  output(name: string, value: string): void {
    const file = this.env.GITHUB_OUTPUT;
    if (!file) {
      this.debug(`GITHUB_OUTPUT is not set; output ${name}=${value} not written`);
      return;
    }
    const delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`, "utf8");
  }

  /** Appends Markdown to the step's summary; false when the runner gave no summary file (a local run). */
  summary(markdown: string): boolean {
    const file = this.env.GITHUB_STEP_SUMMARY;
    if (!file || !existsSync(file)) return false;
    appendFileSync(file, markdown.endsWith("\n") ? markdown : `${markdown}\n`, "utf8");
    return true;
  }

  annotate(level: Annotation, message: string, at?: { title?: string; file?: string; line?: number }): void {
    const props = [at?.title && `title=${property(at.title)}`, at?.file && `file=${property(at.file)}`, at?.line && `line=${at.line}`].filter(Boolean);
    this.write(`::${level}${props.length > 0 ? ` ${props.join(",")}` : ""}::${data(message)}\n`);
  }

  error(message: string): void {
    this.annotate("error", message);
  }

  warning(message: string): void {
    this.annotate("warning", message);
  }

  notice(message: string): void {
    this.annotate("notice", message);
  }

  /** Shown only when the run has step debugging on (ACTIONS_STEP_DEBUG). */
  debug(message: string): void {
    this.write(`::debug::${data(message)}\n`);
  }

  info(message: string): void {
    this.write(`${message}\n`);
  }

  /** The runner replaces the value with *** in every later log line. */
  mask(secret: string): void {
    if (secret !== "") this.write(`::add-mask::${data(secret)}\n`);
  }
}

function data(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function property(s: string): string {
  return data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
