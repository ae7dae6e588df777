import { parseDuration } from "../controller/config.js";
import { NodeTracker } from "../controller/nodes.js";
import type { ClusterPort } from "../controller/port.js";
import type { NodeProgramming } from "../reconcile/index.js";
import { UsageError, type CliIo } from "./io.js";

/**
 * `tierguard sync --wait-programmed DURATION`: after a sync that converged, wait (bounded) until every node whose
 * agent reports (src/contracts/node-status.ts) holds the policy digest of what the cluster now holds. Nodes with no
 * agent annotation are not waited for; a cluster with none at all (Felix enforces) has nothing to wait for.
 */
export const WAIT_POLL_MS = 2000;

export interface WaitOutcome {
  /** Undefined: the port cannot read Nodes. */
  programming?: NodeProgramming;
  timedOut: boolean;
  /** What to print on stderr (one line each), beyond the report. */
  notes: string[];
}

export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_WAIT_CLOCK: WaitClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** "30s", "5m", "250ms" or whole seconds, more than zero. */
export function waitDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--wait-programmed must be a duration such as 30s, 5m or 250ms, not "${text}"`);
  return ms;
}

/** Polls the Nodes every WAIT_POLL_MS (at most until the deadline: the loop makes ⌈timeout / poll⌉ + 1 reads at most). */
export async function waitProgrammed(port: ClusterPort, timeoutMs: number, clock: WaitClock): Promise<WaitOutcome> {
  const tracker = new NodeTracker(port, () => clock.now());
  const deadline = clock.now() + timeoutMs;
  let p = await tracker.afterApply();
  if (!p) return { timedOut: false, notes: ["--wait-programmed: this cluster connection cannot read Nodes; nothing waited for"] };
  const reads = Math.ceil(timeoutMs / WAIT_POLL_MS) + 1;
  for (let i = 1; p.state === "waiting" && i < reads && clock.now() < deadline; i++) {
    await clock.sleep(Math.min(WAIT_POLL_MS, Math.max(0, deadline - clock.now())));
    p = (await tracker.check())!;
  }
  if (p.state === "none") return { programming: p, timedOut: false, notes: [`nodes: ${p.summary}`] };
  if (p.state === "programmed") return { programming: p, timedOut: false, notes: [] };
  const stale = p.waiting.map((w) => `  ${w.name}: reports ${w.digest ?? "no policy digest (an agent older than this controller?)"}${w.appliedAt ? ` since ${w.appliedAt}` : ""}`);
  return { programming: p, timedOut: true, notes: [`not programmed on every node within ${Math.round(timeoutMs / 1000)} s: ${p.summary}; expected policy digest ${p.expected}`, ...stale] };
}

/** The JSON form (`nodes` in `sync --output json`): the comparison as computed, fields in a fixed order. */
export function programmingJson(p: NodeProgramming): Record<string, unknown> {
  const { state, expected, reporting, programmed, waiting, notReported, waitingSeconds, summary } = p;
  return { state, expected, reporting, programmed, waiting, notReported, ...(waitingSeconds !== undefined ? { waitingSeconds } : {}), summary };
}

export function printWaitNotes(o: WaitOutcome, io: CliIo): void {
  for (const n of o.notes) io.stderr(n.startsWith("  ") ? `${n}\n` : `tierguard: ${n}\n`);
}
