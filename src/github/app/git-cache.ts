import { CONFIG_FILE, pathMatcher, policyFileFilter, type TierguardConfig } from "../../review/config.js";
import { readRevisionTrees, type TreeEntry } from "../../run/revisions.js";
import type { GitHubApi, GitHubResponse, RepoRef } from "../api.js";
import { apiRevisionSource } from "../repo-reader.js";

/**
 * Git objects are named by their content, so a commit, tree or blob read once never changes: a job reads them
 * through this cache, and deciding whether a pull request touches policy files costs no second read when the
 * review then reads the same trees. Only `GET .../git/...` and the comparison of two commits (their merge base) are
 * cached, and only for one job.
 */
export function cachingGitApi(api: GitHubApi): GitHubApi {
  const cache = new Map<string, Promise<GitHubResponse>>();
  return {
    request<T = any>(route: string, params?: Record<string, unknown>): Promise<GitHubResponse<T>> {
      const cacheable = route.startsWith("GET /repos/{owner}/{repo}/git/") || route.startsWith("GET /repos/{owner}/{repo}/compare/");
      // A streamed body (a large blob in the raw media type) can be read once only: never shared.
      const streamed = (params?.request as { parseSuccessResponseBody?: boolean } | undefined)?.parseSuccessResponseBody === false;
      if (!cacheable || streamed) return api.request<T>(route, params);
      const key = `${route} ${JSON.stringify(params ?? {})}`;
      let hit = cache.get(key);
      if (!hit) {
        hit = api.request(route, params);
        cache.set(key, hit);
        hit.catch(() => cache.delete(key));
      }
      return hit as Promise<GitHubResponse<T>>;
    },
    paginate: (route, params) => api.paginate(route, params),
  };
}

export interface PolicyTouch {
  config: TierguardConfig;
  /** Paths that differ between base and head and that the review reads: policy files, tests, tierguard.yaml. */
  paths: string[];
}

/**
 * Which reviewed paths a pull request changes, from the trees of its head and of the merge base it is compared with
 * (no pull-request file listing, which GitHub caps at 3,000 files), with the paths of the BASE tip's tierguard.yaml.
 */
export async function policyTouch(api: GitHubApi, repo: RepoRef, baseSha: string, headSha: string): Promise<PolicyTouch> {
  // The first half of reading the revision pair (src/run/revisions.ts): the same trees, which the review then reads
  // from this job's cache.
  const { config, baseTree, headTree } = await readRevisionTrees(apiRevisionSource(api, repo), { base: { rev: baseSha, commit: baseSha }, head: { rev: headSha, commit: headSha } });
  const isPolicy = policyFileFilter(config);
  const isTest = pathMatcher(config.tests);
  const reviewed = (p: string) => p === CONFIG_FILE || isPolicy(p) || isTest(p);
  return { config, paths: changedPaths(baseTree, headTree).filter(reviewed) };
}

export function changedPaths(base: readonly TreeEntry[], head: readonly TreeEntry[]): string[] {
  const before = new Map(base.map((e) => [e.path, e.blob]));
  const after = new Map(head.map((e) => [e.path, e.blob]));
  const out = new Set<string>();
  for (const [p, sha] of after) if (before.get(p) !== sha) out.add(p);
  for (const p of before.keys()) if (!after.has(p)) out.add(p);
  return [...out].sort();
}
