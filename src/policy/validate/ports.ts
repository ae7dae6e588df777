import { joinPath } from "../../contracts/index.js";
import type { ValidationContext } from "./context.js";
import { quote } from "./context.js";
import { portNameProblem } from "./syntax.js";

/**
 * Rule port entries: an int, a "lo:hi" range, a string of digits, or a named port (numorstring.PortFromString and
 * validator.go validatePort, validatePortName). Returns what the list holds so the rule module can check it against
 * the protocol. calico-semantics §12 "Port values". The 50-entry limit is Calico 3.33's (limits-333.ts).
 */

export interface PortListSummary {
  numeric: boolean;
  named: boolean;
}

export function checkPortList(ports: ReadonlyArray<number | string>, path: string, ctx: ValidationContext): PortListSummary {
  const summary: PortListSummary = { numeric: false, named: false };
  ports.forEach((port, i) => {
    const kind = checkPort(port, joinPath(path, i), ctx);
    if (kind === "numeric") summary.numeric = true;
    if (kind === "named") summary.named = true;
  });
  return summary;
}

function checkPort(port: number | string, path: string, ctx: ValidationContext): "numeric" | "named" | undefined {
  if (typeof port === "number" || /^[0-9]+$/.test(port)) {
    return inRange(Number(port), port, path, ctx) ? "numeric" : undefined;
  }
  const range = /^([0-9]+):([0-9]+)$/.exec(port);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (!inRange(lo, port, path, ctx) || !inRange(hi, port, path, ctx)) return undefined;
    if (lo > hi) {
      ctx.report("port/range-order", path,
        `port range ${quote(port)} runs backwards (${lo} > ${hi}); write it as "${hi}:${lo}"`);
      return undefined;
    }
    return "numeric";
  }
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(port)) {
    ctx.report("port/invalid", path,
      `port ${quote(port)} is not a port number, a "lo:hi" range, or a port name; fix the entry (ranges use a colon, ` +
        'as in "8000:8080")');
    return undefined;
  }
  const problem = portNameProblem(port);
  if (problem) {
    const lower = port.toLowerCase();
    const dashed = /^([0-9]+)-([0-9]+)$/.exec(port);
    ctx.report("port/invalid-name", path,
      `named port ${quote(port)} is not a valid port name: it ${problem}` +
        (dashed ? `; for a range write "${dashed[1]}:${dashed[2]}"` : "") +
        (lower !== port && !portNameProblem(lower) ? `; write ${quote(lower)}` : ""));
    return undefined;
  }
  return "named";
}

function inRange(n: number, written: number | string, path: string, ctx: ValidationContext): boolean {
  if (n >= 1 && n <= 65535) return true;
  ctx.report("port/out-of-range", path,
    `port ${quote(written)} is out of range: port numbers are 1 to 65535`);
  return false;
}
