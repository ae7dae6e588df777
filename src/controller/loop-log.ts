import { hostname } from "node:os";
import type { Log } from "../contracts/index.js";

/**
 * The controller's log: one JSON object a line, in pino's shape as the App writes it (`level` 20/30/40/50, `time`
 * in ms, `pid`, `hostname`, `name`, the bindings, `msg`), so one log pipeline reads both. Fields named like a
 * credential are never written; errors arrive as their message (loop-handle.ts `errorText`).
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVEL: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const SECRET_KEY = /^(authorization|token|secret|password|private_?key)$/i;
const TOKEN = /\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

export interface JsonLogOptions {
  write(line: string): void;
  level?: LogLevel;
  bindings?: Record<string, unknown>;
  now?: () => number;
}

export function jsonLog(o: JsonLogOptions): Log & { debug(obj: Record<string, unknown> | string, msg?: string): void } {
  const least = LEVEL[o.level ?? "info"];
  const base = { pid: process.pid, hostname: hostname(), name: "tierguard-controller", ...o.bindings };
  const now = o.now ?? Date.now;
  const at =
    (level: LogLevel) =>
    (obj: Record<string, unknown> | string, msg?: string): void => {
      if (LEVEL[level] < least) return;
      const fields = typeof obj === "string" ? { msg: obj } : { ...clean(obj), ...(msg !== undefined ? { msg } : {}) };
      o.write(scrubText(JSON.stringify({ level: LEVEL[level], time: now(), ...base, ...fields })) + "\n");
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function clean(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[REDACTED]" : v]));
}

function scrubText(line: string): string {
  return line.replace(TOKEN, "[REDACTED]");
}
