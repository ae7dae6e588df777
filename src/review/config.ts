import picomatch from "picomatch";
import { loadText } from "../policy/index.js";
import { arr, checkSchema, int, obj, oneOf, str, type Schema } from "../policy/index.js";
import { DEFAULT_CALICO_VERSION, parseCalicoVersion, type CalicoVersion } from "../policy/index.js";
import { defaultRecommendConfig, readRecommendConfig, RECOMMEND_SCHEMA, type RecommendConfig } from "./recommend-config.js";
import type { Finding, FindingSeverity } from "./types.js";

/**
 * `tierguard.yaml`, the repository's review configuration. It is always read from the BASE revision, so a pull
 * request cannot grant itself ownership; where the base has none, the defaults apply and ownership is not
 * enforced. Validated like a policy file: every problem with its line.
 */
export const CONFIG_FILE = "tierguard.yaml";

export type ImpactLevel = FindingSeverity | "off";

export interface TierguardConfig {
  calicoVersion: CalicoVersion;
  /** Namespace for namespaced resources that name none. */
  namespace: string;
  /** Folders, files or globs holding policy YAML; empty means every YAML/JSON file outside tests and flows. */
  policies: string[];
  /** Folders, files or globs holding policy tests. */
  tests: string[];
  /** Flow snapshots: paths in the base revision, or https URLs. */
  flows: string[];
  inventory?: string;
  /** Principals (lower-case logins and `org/team`) who may change anything, the config included. */
  admins: string[];
  tiers: Map<string, { owners: string[] }>;
  guardrails: {
    /** `Kind/[namespace/]name` of policies that must exist; removing one (or staging its deletion) is an error. */
    required: string[];
    /** Tiers whose policies are guard rails: edits to them are flagged for their owners' attention. */
    tiers: string[];
  };
  impact: {
    newlyDenied: ImpactLevel;
    newlyAllowed: ImpactLevel;
    pendingChanged: ImpactLevel;
    /** The connectivity diff: a namespace or workload newly reachable from outside the cluster (no flow needed). */
    newlyReachableFromInternet: ImpactLevel;
    /** The connectivity diff: other newly reachable pairs no recorded flow exercised. */
    newlyReachable: ImpactLevel;
    /** The connectivity diff: newly unreachable pairs no recorded flow exercised. */
    newlyUnreachable: ImpactLevel;
    maxListed: number;
    /** A flow snapshot that could not be read whole (or gave no record): an error by default, so the review fails closed. */
    snapshotProblems: "error" | "warning";
  };
  lint: { disable: string[] };
  clusters: Array<{ name: string; environment?: string; context?: string }>;
  /** What to do when team memberships cannot be read (the Action without a teams token): a finding of this level. */
  ownership: { unverifiableTeams: ImpactLevel };
  /** Recommendations delivered as pull requests: the schedule, the namespaces, where the files go. */
  recommend: RecommendConfig;
  /** False when the base revision had no tierguard.yaml: ownership is then not enforced. */
  enforceOwnership: boolean;
  /** The path it was read from (the Action's `config` input), for findings about it. Undefined: CONFIG_FILE. */
  file?: string;
}

/** Where the configuration of a review lives: the path it was read from, else tierguard.yaml. */
export function configFileOf(config: Pick<TierguardConfig, "file">): string {
  return config.file ?? CONFIG_FILE;
}

export function defaultConfig(): TierguardConfig {
  return {
    calicoVersion: DEFAULT_CALICO_VERSION,
    namespace: "default",
    policies: [],
    tests: ["tests"],
    flows: [],
    admins: [],
    tiers: new Map(),
    guardrails: { required: [], tiers: [] },
    impact: { newlyDenied: "error", newlyAllowed: "warning", pendingChanged: "notice", newlyReachableFromInternet: "warning", newlyReachable: "notice", newlyUnreachable: "notice", maxListed: 50, snapshotProblems: "error" },
    lint: { disable: [] },
    clusters: [],
    ownership: { unverifiableTeams: "error" },
    recommend: defaultRecommendConfig(),
    enforceOwnership: false,
  };
}

const stringOrList: Schema = { t: "any" };
const level = oneOf("error", "warning", "notice", "off");
const SCHEMA = obj({
  calicoVersion: { t: "intOrString" },
  namespace: str,
  policies: stringOrList,
  tests: stringOrList,
  flows: stringOrList,
  inventory: str,
  admins: arr(str),
  tiers: { t: "map", values: obj({ owners: arr(str) }, ["owners"]) },
  guardrails: obj({ required: arr(str), tiers: arr(str) }),
  impact: obj({ newlyDenied: level, newlyAllowed: level, pendingChanged: level, newlyReachableFromInternet: level, newlyReachable: level, newlyUnreachable: level, maxListed: int, snapshotProblems: oneOf("error", "warning") }),
  lint: obj({ disable: arr(str) }),
  clusters: arr(obj({ name: str, environment: str, context: str }, ["name"])),
  ownership: obj({ unverifiableTeams: level }),
  recommend: RECOMMEND_SCHEMA,
});

export interface LoadedConfig {
  config: TierguardConfig;
  findings: Finding[];
}

/** Parses and validates the configuration text; problems become `config/*` findings at their lines. */
export function parseConfig(text: string, file = CONFIG_FILE): LoadedConfig {
  const config: TierguardConfig = { ...defaultConfig(), enforceOwnership: true, file };
  const findings: Finding[] = [];
  const loaded = loadText(file, text);
  for (const d of loaded.diagnostics) findings.push({ code: `config/${d.code.split("/")[1]}`, severity: "error", message: d.message, file, line: d.line, col: d.col });
  const doc = loaded.documents[0];
  if (!doc) return { config, findings };
  const diagnostics: Parameters<typeof checkSchema>[3]["diagnostics"] = [];
  const raw = checkSchema(doc.value, SCHEMA, "", { source: doc.source, diagnostics }) as Record<string, unknown> | undefined;
  for (const d of diagnostics) findings.push({ code: `config/${d.code.split("/")[1]}`, severity: "error", message: d.message, file, line: d.line, col: d.col, path: d.path });
  if (!raw) return { config, findings };
  const problem = (path: string, message: string) => {
    const at = doc.source.at(path);
    findings.push({ code: "config/invalid-value", severity: "error", message, file, line: at.line, col: at.col, path });
  };

  if (raw.calicoVersion !== undefined) {
    const v = parseCalicoVersion(String(raw.calicoVersion));
    if ("error" in v) problem("calicoVersion", v.error);
    else config.calicoVersion = v;
  }
  if (typeof raw.namespace === "string") config.namespace = raw.namespace;
  for (const key of ["policies", "tests", "flows"] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const list = typeof v === "string" ? [v] : Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
    if (!list) problem(key, `${key} must be a path or a list of paths`);
    else config[key] = list.map(normalizeRepoPath);
  }
  if (typeof raw.inventory === "string") config.inventory = normalizeRepoPath(raw.inventory);
  config.admins = principals(raw.admins as string[] | undefined, "admins", problem);
  for (const [tier, spec] of Object.entries((raw.tiers ?? {}) as Record<string, { owners?: string[] }>)) {
    config.tiers.set(tier, { owners: principals(spec.owners, `tiers.${tier}.owners`, problem) });
  }
  const guardrails = (raw.guardrails ?? {}) as { required?: string[]; tiers?: string[] };
  config.guardrails = { required: guardrails.required ?? [], tiers: guardrails.tiers ?? [] };
  (guardrails.required ?? []).forEach((ref, i) => {
    if (!/^[A-Za-z]+\/([a-z0-9.-]+\/)?[a-z0-9.-]+$/.test(ref)) {
      problem(`guardrails.required[${i}]`, `"${ref}" is not KIND/NAME or KIND/NAMESPACE/NAME, e.g. GlobalNetworkPolicy/quarantine`);
    }
  });
  Object.assign(config.impact, raw.impact ?? {});
  if (config.impact.maxListed < 1) problem("impact.maxListed", "impact.maxListed must be at least 1");
  config.lint = { disable: ((raw.lint ?? {}) as { disable?: string[] }).disable ?? [] };
  config.clusters = (raw.clusters ?? []) as TierguardConfig["clusters"];
  Object.assign(config.ownership, raw.ownership ?? {});
  config.recommend = readRecommendConfig(raw.recommend as Record<string, unknown> | undefined, problem);
  return { config, findings };
}

/** `@Acme/SecOps` and `acme/secops` are the same team; logins compare case-insensitively too. */
export function normalizePrincipal(p: string): string {
  return p.trim().replace(/^@/, "").toLowerCase();
}

function principals(list: string[] | undefined, path: string, problem: (path: string, message: string) => void): string[] {
  return (list ?? []).flatMap((p, i) => {
    const n = normalizePrincipal(p);
    if (!/^[a-z0-9](?:[a-z0-9-]{0,38})(\/[a-z0-9][a-z0-9_.-]*)?$/.test(n)) {
      problem(`${path}[${i}]`, `"${p}" is neither a GitHub login nor a team written as @org/team`);
      return [];
    }
    return [n];
  });
}

function normalizeRepoPath(p: string): string {
  const path = p.replace(/^\.\//, "");
  let end = path.length; // a scan, not /\/+$/ (which retries every start in a run of slashes: quadratic)
  while (end > 0 && path[end - 1] === "/") end--;
  return path.slice(0, end);
}

/** Matches repository paths against the configured folders, files and globs. */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const globs = patterns.filter((p) => /[*?[\]{}]/.test(p));
  const plain = patterns.filter((p) => !globs.includes(p));
  const glob = globs.length > 0 ? picomatch(globs, { dot: false }) : () => false;
  return (path) => glob(path) || plain.some((p) => path === p || path.startsWith(p + "/"));
}

const POLICY_FILE = /\.(ya?ml|json)$/i;

/** Which files of a revision are policy files under this configuration. */
export function policyFileFilter(config: TierguardConfig): (path: string) => boolean {
  const listed = pathMatcher(config.policies);
  const excluded = pathMatcher([...config.tests, ...config.flows, ...(config.inventory ? [config.inventory] : []), ".github", "flows"]);
  return (path) => {
    if (!POLICY_FILE.test(path) || path === CONFIG_FILE || path === config.file) return false;
    if (config.policies.length > 0) return listed(path);
    return !excluded(path) && !path.split("/").some((seg) => seg.startsWith("."));
  };
}

/**
 * True for policies tierguard.yaml names as guard rails: in a `guardrails.tiers` tier, or listed in
 * `guardrails.required` as `Kind/name` (any namespace) or `Kind/namespace/name`, the kind in any case.
 */
export function isGuardrailPolicy(p: { kind: string; namespace?: string; name: string; tier: string }, config: Pick<TierguardConfig, "guardrails">): boolean {
  if (config.guardrails.tiers.includes(p.tier)) return true;
  return config.guardrails.required.some((text) => {
    const [kind, a, b] = text.split("/");
    const name = b ?? a;
    const namespace = b === undefined ? undefined : a;
    return kind.toLowerCase() === p.kind.toLowerCase() && name === p.name && (namespace === undefined || namespace === p.namespace);
  });
}
