import type { Category } from "./counts.js";

/**
 * The node agent's counters as board input (`tierguard board --counters FILE`). The agent exports them two ways,
 * both read here, and several of them (one per node) add up:
 * - `tierguard agent counters --output json`: a CounterReport `{hash, counters: [{mode, direction, kind, action,
 *   tier, policy, ruleIndex, packets, bytes, ...}], policies}` (src/dataplane/counters.ts); several reports may be
 *   concatenated or given as a JSON array;
 * - the agent's `/metrics` page: `tierguard_policy_hits_total{node,walk,direction,kind,tier,policy,rule,action} N`
 *   (src/dataplane/metrics.ts).
 * A counter counts connections (the first packet of each: established traffic is accepted before any policy chain),
 * so the board shows them as connections, beside the snapshot's records. `policy` is the name flow logs use
 * (`np:shop/web`, `gnp:security.quarantine`), which is how a counter finds its policy on the board. Profiles have no
 * policy and are left out; `log` rules decide nothing and are left out.
 */
export type AgentTally = Record<Category, number>;

export interface AgentPolicyHits {
  counts: AgentTally;
  /** `ingress#0` → counts. */
  rules: Map<string, AgentTally>;
}

export interface AgentHits {
  /** Files read, for the page's header. */
  sources: string[];
  /** Distinct nodes (metrics) or reports (JSON) summed. */
  reports: number;
  /** Ruleset hashes seen: more than one means the nodes did not all enforce the same policies. */
  rulesets: string[];
  /** By the policy's flow-log name. */
  policies: Map<string, AgentPolicyHits>;
}

export interface CounterProblem {
  line: number;
  message: string;
}

interface CounterRow {
  mode: string;
  direction: string;
  kind: string;
  action: string;
  policy?: string;
  ruleIndex?: number;
  packets: number;
}

export function emptyAgentHits(): AgentHits {
  return { sources: [], reports: 0, rulesets: [], policies: new Map() };
}

const zero = (): AgentTally => ({ allowed: 0, denied: 0, passed: 0, pending: 0 });
const CATEGORY: Record<string, Category> = { allow: "allowed", deny: "denied", pass: "passed" };

/** Adds one file's counters to `into`; returns what could not be read, by line. */
export function addAgentCounters(into: AgentHits, text: string, source: string): CounterProblem[] {
  const problems: CounterProblem[] = [];
  const trimmed = text.trimStart();
  const rows = trimmed.startsWith("{") || trimmed.startsWith("[") ? jsonRows(text, into, problems) : metricRows(text, into, problems);
  into.sources.push(source);
  for (const r of rows) add(into, r);
  return problems;
}

function add(into: AgentHits, r: CounterRow): void {
  if (!r.policy || r.kind === "profile" || r.action === "log" || r.packets <= 0) return;
  const cat: Category | undefined = r.mode === "pending" ? "pending" : CATEGORY[r.action];
  if (!cat) return;
  const p = into.policies.get(r.policy) ?? into.policies.set(r.policy, { counts: zero(), rules: new Map() }).get(r.policy)!;
  p.counts[cat] += r.packets;
  if (r.kind === "rule" && r.ruleIndex !== undefined) {
    const key = `${r.direction}#${r.ruleIndex}`;
    (p.rules.get(key) ?? p.rules.set(key, zero()).get(key)!)[cat] += r.packets;
  }
}

/** Concatenated reports (`jq -c` or several `agent counters` outputs one after another), or an array of them. */
function jsonRows(text: string, into: AgentHits, problems: CounterProblem[]): CounterRow[] {
  const rows: CounterRow[] = [];
  for (const { value, line, error } of jsonValues(text)) {
    if (error) {
      problems.push({ line, message: `not JSON: ${error}` });
      break;
    }
    for (const report of Array.isArray(value) ? value : [value]) {
      const counters = (report as { counters?: unknown } | null)?.counters;
      if (!Array.isArray(counters)) {
        problems.push({ line, message: "expected the output of `tierguard agent counters --output json` (an object with \"counters\")" });
        continue;
      }
      into.reports++;
      const hash = (report as { hash?: unknown }).hash;
      if (typeof hash === "string" && !into.rulesets.includes(hash)) into.rulesets.push(hash);
      for (const c of counters as Array<Record<string, unknown>>) {
        if (typeof c?.packets !== "number" || typeof c.mode !== "string") continue;
        rows.push({ mode: c.mode, direction: String(c.direction), kind: String(c.kind), action: String(c.action), policy: typeof c.policy === "string" ? c.policy : undefined, ruleIndex: typeof c.ruleIndex === "number" ? c.ruleIndex : undefined, packets: c.packets });
      }
    }
  }
  return rows;
}

/** Each top-level JSON value of a text, with the line it starts on; stops at the first that does not parse. */
function* jsonValues(text: string): Generator<{ value?: unknown; line: number; error?: string }> {
  let start = 0;
  let line = 1;
  while (start < text.length) {
    while (start < text.length && /\s/.test(text[start])) if (text[start++] === "\n") line++;
    if (start >= text.length) return;
    const end = valueEnd(text, start);
    if (end === undefined) return void (yield { line, error: "unbalanced brackets or an unterminated string" });
    try {
      yield { value: JSON.parse(text.slice(start, end)), line };
    } catch (e) {
      return void (yield { line, error: (e as Error).message });
    }
    for (let i = start; i < end; i++) if (text.charCodeAt(i) === 10) line++;
    start = end;
  }
}

/** The end of the object or array starting at `start`: a bracket count that skips strings. One pass, linear. */
function valueEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      if (--depth === 0) return i + 1;
    } else if (depth === 0) return undefined;
  }
  return undefined;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;

function metricRows(text: string, into: AgentHits, problems: CounterProblem[]): CounterRow[] {
  const rows: CounterRow[] = [];
  const nodes = new Set<string>();
  const rulesets = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const l = raw.trim();
    if (l === "" || l.startsWith("#")) return;
    if (l.startsWith("tierguard_agent_ruleset_info{")) {
      const hash = /hash="([^"]*)"/.exec(l)?.[1];
      if (hash) rulesets.add(hash);
      return;
    }
    if (!l.startsWith("tierguard_policy_hits_total")) return;
    // Cut at the braces, not with one regular expression (`\{(.*)\}\s+` backtracks over a line of braces).
    const open = l.indexOf("{");
    const close = l.lastIndexOf("}");
    const value = open === "tierguard_policy_hits_total".length && close > open ? Number(l.slice(close + 1).trim().split(/\s+/)[0] || "x") : NaN;
    if (!Number.isFinite(value)) return void problems.push({ line: i + 1, message: "not a tierguard_policy_hits_total sample: name{labels} value" });
    const labels: Record<string, string> = {};
    for (const [, k, v] of l.slice(open + 1, close).matchAll(LABEL)) labels[k] = v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (labels.node) nodes.add(labels.node);
    const rule = labels.rule === undefined ? undefined : Number(labels.rule);
    rows.push({ mode: labels.walk ?? "", direction: labels.direction ?? "", kind: labels.kind ?? "", action: labels.action ?? "", policy: labels.policy?.startsWith("kns.") ? undefined : labels.policy, ruleIndex: Number.isInteger(rule) ? rule : undefined, packets: value });
  });
  into.reports += Math.max(nodes.size, rows.length > 0 ? 1 : 0);
  for (const h of rulesets) if (!into.rulesets.includes(h)) into.rulesets.push(h);
  return rows;
}
