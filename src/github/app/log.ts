import type { Log } from "../../contracts/index.js";
import { httpStatus } from "../api.js";
import { scrub } from "../redact.js";

export { scrub };

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

const NAME_BINDING = /,"name":(?:"(?:[^"\\]|\\.)*"|[^,]*)/g;

/**
 * Pino appends a child's bindings to its parent's, so every `child({ name })` (Probot names its loggers probot,
 * event, github, http; the App names its own) gives a line with a second `name` key, which JSON readers resolve
 * differently. This keeps the last one, in this logger and every child made from it afterwards. A logger that is
 * not pino is left as it is.
 */
export function oneNamePerLine(logger: object): void {
  const sym = pinoBindings(logger);
  if (!sym) return;
  const dedupe = (l: Record<symbol, unknown>) => {
    const bindings = l[sym];
    if (typeof bindings !== "string") return;
    const names = bindings.match(NAME_BINDING);
    if (names && names.length > 1) l[sym] = bindings.replace(NAME_BINDING, "") + names[names.length - 1];
  };
  const l = logger as Record<symbol, unknown> & { onChild?: (child: object) => void };
  dedupe(l);
  const before = l.onChild;
  l.onChild = (child: object) => {
    dedupe(child as Record<symbol, unknown>);
    before?.call(l, child);
  };
}

/** Pino's bindings slot (`pino.symbols.chindingsSym`), found without importing pino (Probot's dependency, not ours). */
function pinoBindings(logger: object): symbol | undefined {
  for (let o: object | null = logger; o; o = Object.getPrototypeOf(o)) {
    const sym = Object.getOwnPropertySymbols(o).find((s) => s.description === "pino.chindings");
    if (sym) return sym;
  }
  return undefined;
}
