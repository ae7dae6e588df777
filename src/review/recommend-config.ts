import { obj, oneOf, str, type Schema } from "../policy/index.js";

/**
 * tierguard.yaml's `recommend` section: what a delivered recommendation (the App's `/tierguard recommend`, the
 * Action's `recommend` input and its scheduled run) learns and where it puts the files.
 *
 *   recommend:
 *     schedule: "0 6 * * 1"        # a cron, UTC: the Action's `schedule:` run with this cron opens or updates the PR
 *     namespaces: [shop, boutique]  # default: every namespace the flows show but kube-*, calico-*, tigera-*
 *     level: namespace              # or workload
 *     tier: namespace-isolation
 *     path: namespace-isolation     # the folder the files go to (default: the tier's name)
 *     branch: tierguard/recommend   # the pull request's branch (a namespace asked for by comment is appended)
 */
export interface RecommendConfig {
  /** Five-field cron (minute hour day-of-month month day-of-week, UTC); undefined: no scheduled recommendation. */
  schedule?: string;
  namespaces: string[];
  level: "namespace" | "workload";
  tier: string;
  /** Folder in the repository; undefined: the tier's name. */
  path?: string;
  branch: string;
}

export const DEFAULT_RECOMMEND_BRANCH = "tierguard/recommend";

export function defaultRecommendConfig(): RecommendConfig {
  return { namespaces: [], level: "namespace", tier: "namespace-isolation", branch: DEFAULT_RECOMMEND_BRANCH };
}

/** Where the recommendation's files go. */
export function recommendPath(c: RecommendConfig): string {
  return c.path ?? c.tier;
}

export const RECOMMEND_SCHEMA: Schema = obj({
  schedule: str,
  namespaces: { t: "any" },
  level: oneOf("namespace", "workload"),
  tier: str,
  path: str,
  branch: str,
});

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TIER = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/** The section after the schema check: every problem with its field path (under `recommend.`). */
export function readRecommendConfig(raw: Record<string, unknown> | undefined, problem: (path: string, message: string) => void): RecommendConfig {
  const c = defaultRecommendConfig();
  if (!raw) return c;
  if (typeof raw.schedule === "string") {
    const why = cronProblem(raw.schedule);
    if (why) problem("recommend.schedule", `"${raw.schedule}" is not a cron schedule (minute hour day-of-month month day-of-week, UTC): ${why}`);
    else c.schedule = normalizeCron(raw.schedule);
  }
  if (raw.namespaces !== undefined) {
    const list = typeof raw.namespaces === "string" ? [raw.namespaces] : Array.isArray(raw.namespaces) ? raw.namespaces : undefined;
    if (!list) problem("recommend.namespaces", "recommend.namespaces must be a namespace or a list of namespaces");
    else {
      list.forEach((ns, i) => {
        const path = typeof raw.namespaces === "string" ? "recommend.namespaces" : `recommend.namespaces[${i}]`;
        if (typeof ns !== "string" || !NAMESPACE.test(ns)) problem(path, `${JSON.stringify(ns)} is not a namespace name (lower-case letters, digits and "-", at most 63)`);
        else c.namespaces.push(ns);
      });
    }
  }
  if (raw.level === "namespace" || raw.level === "workload") c.level = raw.level;
  if (typeof raw.tier === "string") {
    if (!TIER.test(raw.tier)) problem("recommend.tier", `"${raw.tier}" is not a tier name (lower-case letters, digits, "-" and ".")`);
    else c.tier = raw.tier;
  }
  if (typeof raw.path === "string") {
    const p = raw.path.replace(/^\.\//, "").replace(/\/+$/, "");
    if (p === "" || p.startsWith("/") || p.split("/").some((s) => s === ".." || s === "." || s === "") || p.startsWith(".github")) {
      problem("recommend.path", `"${raw.path}" is not a folder inside the repository (relative, no "..", not under .github)`);
    } else c.path = p;
  }
  if (typeof raw.branch === "string") {
    if (!/^[A-Za-z0-9._/-]{1,200}$/.test(raw.branch) || raw.branch.split("/").some((s) => s === "" || s.startsWith(".") || s.endsWith(".lock")) || raw.branch.includes("..")) {
      problem("recommend.branch", `"${raw.branch}" is not a usable branch name`);
    } else c.branch = raw.branch;
  }
  return c;
}

/** Cron fields, with what each accepts (POSIX cron, as GitHub Actions' `schedule:` reads it). */
const FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/** One space between fields: how GitHub's `github.event.schedule` spells the cron back. */
export function normalizeCron(text: string): string {
  return text.trim().split(/\s+/).join(" ");
}

/** Undefined when the text is a valid five-field cron; else why not, naming the field. */
export function cronProblem(text: string): string | undefined {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5 || text.trim() === "") return `it has ${text.trim() === "" ? 0 : fields.length} fields; a cron has 5`;
  for (const [i, f] of FIELDS.entries()) {
    for (const part of fields[i].split(",")) {
      const why = partProblem(part, f);
      if (why) return `the ${f.name} field "${fields[i]}": ${why}`;
    }
  }
  return undefined;
}

function partProblem(part: string, f: (typeof FIELDS)[number]): string | undefined {
  const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
  if (!m) return `"${part}" is not *, a value, a range a-b, or one of them /step`;
  if (m[2] !== undefined && Number(m[2]) < 1) return `the step /${m[2]} must be at least 1`;
  if (m[1] === "*") return undefined;
  const [lo, hi] = m[1].split("-").map((v) => value(v, f));
  if (lo === undefined || (hi === undefined && m[1].includes("-"))) return `"${m[1]}" has a value outside ${f.min}-${f.max}`;
  if (hi !== undefined && hi < lo) return `the range ${m[1]} runs backwards`;
  return undefined;
}

function value(v: string, f: (typeof FIELDS)[number]): number | undefined {
  const named = f.names?.indexOf(v.toUpperCase()) ?? -1;
  if (named >= 0) return named + (f.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= f.min && n <= f.max ? n : undefined;
}
