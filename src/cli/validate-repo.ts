import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { CONFIG_FILE, parseConfig, pathMatcher, policyFileFilter, type TierguardConfig } from "../review/index.js";
import { parseTestFile, TEST_FILE } from "../review/index.js";
import type { Diagnostic } from "../policy/index.js";

/**
 * `tierguard validate DIR` where DIR is a policy repository's root (it holds tierguard.yaml): what the review would
 * read, and only that. The files its `policies` names are validated as policies, those under `tests` as policy
 * tests, tierguard.yaml as the configuration; every other YAML or JSON file (the inventory, a workflow) is skipped
 * and listed, instead of failing as a resource without a kind.
 */
export interface RepositoryPlan {
  root: string;
  config: TierguardConfig;
  /** Absolute paths of the policy files, in walk order. */
  policyFiles: string[];
  /** Diagnostics of tierguard.yaml and of the test files (schema and endpoints, per test). */
  diagnostics: Diagnostic[];
  testFiles: string[];
  /** Repository-relative paths left out, each with why. */
  skipped: Array<{ file: string; why: string }>;
}

const DATA_FILE = /\.(ya?ml|json)$/i;

/** Undefined when `path` is not a directory holding tierguard.yaml. */
export async function repositoryPlan(path: string, display: (abs: string) => string): Promise<RepositoryPlan | undefined> {
  const configPath = join(path, CONFIG_FILE);
  const isDir = await stat(path).then((i) => i.isDirectory(), () => false);
  const hasConfig = isDir && (await stat(configPath).then((i) => i.isFile(), () => false));
  if (!hasConfig) return undefined;
  const { config, findings } = parseConfig(await readFile(configPath, "utf8"), display(configPath));
  const diagnostics: Diagnostic[] = findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, file: f.file, line: f.line, col: f.col ?? 1, path: f.path ?? "" }));
  const isPolicy = policyFileFilter(config);
  const isTest = pathMatcher(config.tests);
  const plan: RepositoryPlan = { root: path, config, policyFiles: [], diagnostics, testFiles: [], skipped: [] };
  for (const rel of await walk(path)) {
    if (rel === CONFIG_FILE) continue;
    if (isTest(rel)) {
      if (TEST_FILE.test(rel)) plan.testFiles.push(join(path, rel));
      continue;
    }
    if (isPolicy(rel)) plan.policyFiles.push(join(path, rel));
    else if (DATA_FILE.test(rel)) plan.skipped.push({ file: rel, why: skippedWhy(rel, config) });
  }
  for (const file of plan.testFiles) {
    const parsed = parseTestFile({ file: display(file), text: await readFile(file, "utf8") });
    for (const f of parsed.findings) plan.diagnostics.push({ code: f.code, severity: f.severity, message: f.message, file: f.file, line: f.line, col: f.col ?? 1, path: f.path ?? "" });
  }
  return plan;
}

function skippedWhy(rel: string, config: TierguardConfig): string {
  if (rel === config.inventory) return "the inventory";
  if (config.flows.includes(rel)) return "a flow snapshot";
  return config.policies.length > 0 ? "not under tierguard.yaml's policies" : "under flows, tests or .github";
}

/** Repository-relative paths of the files below `root`, sorted; hidden folders and node_modules left out. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await visit(full);
      else if (e.isFile()) out.push(relative(root, full).split("\\").join("/"));
    }
  };
  await visit(root);
  return out;
}

/** "validated as a policy repository (tierguard.yaml): 26 policy files, 3 test files; skipped 1 file: flows/inventory.yaml (the inventory)" */
export function planText(plan: RepositoryPlan, shownRoot: string): string {
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  const head = `${shownRoot}: a policy repository (${CONFIG_FILE}): validated ${n(plan.policyFiles.length, "policy file")} its policies name, ${n(plan.testFiles.length, "test file")} as policy tests and ${CONFIG_FILE} as the configuration`;
  if (plan.skipped.length === 0) return head;
  const listed = plan.skipped.slice(0, 5).map((s) => `${s.file} (${s.why})`).join(", ");
  const more = plan.skipped.length > 5 ? `, and ${plan.skipped.length - 5} more` : "";
  return `${head}; skipped ${n(plan.skipped.length, "file")}: ${listed}${more}`;
}
