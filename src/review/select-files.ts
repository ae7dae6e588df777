import { CONFIG_FILE, pathMatcher, policyFileFilter, type TierguardConfig } from "./config.js";
import type { Finding } from "./types.js";

/** A file in a revision's tree, as any reader lists it (git, the GitHub API). */
export interface SizedPath {
  path: string;
  size: number;
}

export interface ReviewFileSelection<T extends SizedPath> {
  basePolicies: T[];
  headPolicies: T[];
  baseTests: T[];
  headTests: T[];
  /** One `validation/file-too-large` error per matching file over the size limit, which is not read. */
  skipped: Finding[];
}

/**
 * The files of both revisions a review reads, chosen by the base configuration: policy files, and the YAML
 * policy tests. The configuration file itself is never a policy file, wherever it lives.
 */
export function selectReviewFiles<T extends SizedPath>(
  config: TierguardConfig,
  baseTree: readonly T[],
  headTree: readonly T[],
  maxFileBytes: number,
  configPath: string = CONFIG_FILE,
): ReviewFileSelection<T> {
  const isConfigPolicy = policyFileFilter(config);
  const isPolicy = (p: string) => p !== configPath && isConfigPolicy(p);
  const isTestPath = pathMatcher(config.tests);
  const isTest = (p: string) => isTestPath(p) && /\.ya?ml$/i.test(p);
  const skipped: Finding[] = [];
  const select = (tree: readonly T[], revision: "base" | "head", match: (p: string) => boolean) =>
    tree.filter((e) => {
      if (!match(e.path)) return false;
      if (e.size <= maxFileBytes) return true;
      skipped.push({ code: "validation/file-too-large", severity: "error", message: `${e.path} is ${e.size} bytes; the limit is ${maxFileBytes}, so it was not reviewed`, file: e.path, line: 1, revision });
      return false;
    });
  return {
    basePolicies: select(baseTree, "base", isPolicy),
    headPolicies: select(headTree, "head", isPolicy),
    baseTests: select(baseTree, "base", isTest),
    headTests: select(headTree, "head", isTest),
    skipped,
  };
}
