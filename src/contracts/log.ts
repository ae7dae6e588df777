/**
 * The logger every adapter takes (Probot's pino logger fits it; so does the Action's core.* wrapper). Lines carry
 * `{ repo, pr, sha }` context and never a token.
 */
export interface Log {
  info(obj: Record<string, unknown> | string, msg?: string): void;
  warn(obj: Record<string, unknown> | string, msg?: string): void;
  error(obj: Record<string, unknown> | string, msg?: string): void;
  /** Undefined: the logger has no debug level; callers skip the line. */
  debug?(obj: Record<string, unknown> | string, msg?: string): void;
}

/** A logger that drops every line: tests, and callers that report through their return value instead. */
export const SILENT_LOG: Log = { info: () => {}, warn: () => {}, error: () => {} };
