import { httpStatus, type Log } from "../api.js";

/**
 * The App's logger: every line carries where it happened ({ repo, pr, sha }, plus the delivery and the job), and
 * nothing that looks like a credential survives into it. Errors are logged as their message and HTTP status only:
 * an Octokit error object holds the request, and with it headers a token could hide in.
 */
export interface AppLog extends Log {
  debug(obj: Record<string, unknown> | string, msg?: string): void;
  child(bindings: Record<string, unknown>): AppLog;
}

/** The slice of pino (Probot's `context.log`, `app.log`) this needs. */
export interface PinoLike {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): PinoLike;
}

const SECRETS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[REDACTED PRIVATE KEY]"],
  [/\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|v1\.[0-9a-f]{40})\b/g, "[REDACTED]"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, "[REDACTED JWT]"],
  [/\b(token|bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, "$1 [REDACTED]"],
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, "$1[REDACTED]@"],
  [/([?&](?:access_token|token|sig|signature|X-Amz-Signature|X-Amz-Credential)=)[^&\s]+/gi, "$1[REDACTED]"],
];

export function scrub(text: string): string {
  let out = text;
  for (const [re, to] of SECRETS) out = out.replace(re, to);
  return out;
}

/** An error as a log field: its message (scrubbed) and status; never its request or response objects. */
export function describeError(e: unknown): { message: string; status?: number; name?: string } {
  const err = e as { message?: unknown; name?: unknown };
  const message = scrub(typeof err?.message === "string" ? err.message : String(e));
  const status = httpStatus(e ?? {});
  return { message, ...(status !== undefined ? { status } : {}), ...(typeof err?.name === "string" && err.name !== "Error" ? { name: err.name } : {}) };
}

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value instanceof Error) return describeError(value);
  if (value === null || typeof value !== "object" || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = /^(authorization|token|secret|password|private_?key)$/i.test(k) ? "[REDACTED]" : clean(v, depth + 1);
  return out;
}

export function appLog(base: PinoLike, bindings: Record<string, unknown> = {}): AppLog {
  const log = Object.keys(bindings).length > 0 ? base.child(clean(bindings) as Record<string, unknown>) : base;
  const at =
    (level: "info" | "warn" | "error" | "debug") =>
    (obj: Record<string, unknown> | string, msg?: string): void => {
      if (typeof obj === "string") log[level](scrub(obj));
      else log[level](clean(obj), msg === undefined ? undefined : scrub(msg));
    };
  return { info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug"), child: (b) => appLog(log, b) };
}

/** Where a pull request's work happens, as log bindings. */
export function pullBindings(t: { repo: { owner: string; repo: string }; pull: number; head?: { sha: string } }): Record<string, unknown> {
  return { repo: `${t.repo.owner}/${t.repo.repo}`, pr: t.pull, ...(t.head ? { sha: t.head.sha } : {}) };
}
