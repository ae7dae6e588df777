import { CONFIG_FILE, defaultConfig, parseConfig, type LoadedConfig, type TierguardConfig } from "../review/config.js";
import { selectReviewFiles } from "../review/select-files.js";
import type { TextFile } from "../review/context.js";
import type { RevisionFile } from "../review/load.js";
import type { Finding } from "../review/types.js";
import type { GitHubApi, RepoRef } from "./api.js";

/**
 * A repository at a commit, read through the Git Data API: the tree (recursive, or walked directory by directory
 * when GitHub truncates it), then only the blobs tierguard needs, a few at a time. A pull request touching
 * thousands of files costs one tree call per revision and one blob call per distinct policy file.
 */
export interface TreeEntry {
  path: string;
  sha: string;
  size: number;
}

const BLOB_CONCURRENCY = 8;
const DECODER = new TextDecoder("utf-8", { fatal: false });

export async function readTree(api: GitHubApi, repo: RepoRef, commit: string): Promise<TreeEntry[]> {
  const { data: c } = await api.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: commit });
  const root: string = c.tree.sha;
  const { data } = await api.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { ...repo, tree_sha: root, recursive: "1" });
  if (!data.truncated) return blobsOf(data.tree, "");
  // Truncated (over 100,000 entries or 7 MB): walk the tree one directory at a time.
  const out: TreeEntry[] = [];
  const walk = async (sha: string, prefix: string): Promise<void> => {
    const { data: t } = await api.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { ...repo, tree_sha: sha });
    out.push(...blobsOf(t.tree, prefix));
    for (const e of t.tree as Array<{ type: string; path: string; sha: string }>) if (e.type === "tree") await walk(e.sha, `${prefix}${e.path}/`);
  };
  await walk(root, "");
  return out;
}

function blobsOf(tree: Array<{ type: string; mode: string; path: string; sha: string; size?: number }>, prefix: string): TreeEntry[] {
  return tree.filter((e) => e.type === "blob" && e.mode !== "120000").map((e) => ({ path: prefix + e.path, sha: e.sha, size: e.size ?? 0 }));
}

export async function readBlobs(api: GitHubApi, repo: RepoRef, shas: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const todo = [...new Set(shas)];
  const worker = async () => {
    for (let sha = todo.pop(); sha !== undefined; sha = todo.pop()) {
      const { data } = await api.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...repo, file_sha: sha });
      const bytes = data.encoding === "base64" ? Buffer.from(data.content, "base64") : Buffer.from(data.content, "utf8");
      out.set(sha, DECODER.decode(bytes));
    }
  };
  await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, todo.length) }, worker));
  return out;
}

/**
 * The BASE revision's configuration at `configPath`, parsed, its findings marked `base`; the defaults when the tree
 * has none. `entry` is the file, when there is one.
 */
export async function readBaseConfig(api: GitHubApi, repo: RepoRef, baseTree: readonly TreeEntry[], configPath: string = CONFIG_FILE): Promise<LoadedConfig & { entry?: TreeEntry }> {
  const entry = baseTree.find((e) => e.path === configPath);
  if (!entry) return { config: defaultConfig(), findings: [] };
  const loaded = parseConfig((await readBlobs(api, repo, [entry.sha])).get(entry.sha) ?? "", configPath);
  for (const f of loaded.findings) f.revision = "base";
  return { ...loaded, entry };
}

export interface PullRequestFiles {
  config: TierguardConfig;
  configSource: "base" | "default";
  configFindings: Finding[];
  configChanged: boolean;
  base: { commit: string; tree: TreeEntry[]; policyFiles: RevisionFile[]; testFiles: TextFile[] };
  head: { commit: string; tree: TreeEntry[]; policyFiles: RevisionFile[]; testFiles: TextFile[] };
  /** Files over the size limit, as findings. */
  skipped: Finding[];
}

/**
 * Both revisions of a pull request; the configuration always from the BASE, at `configPath` (the Action's `config`
 * input; default tierguard.yaml at the root).
 */
export async function readPullRequestFiles(api: GitHubApi, repo: RepoRef, baseSha: string, headSha: string, maxFileBytes: number, configPath: string = CONFIG_FILE): Promise<PullRequestFiles> {
  const [baseTree, headTree] = await Promise.all([readTree(api, repo, baseSha), readTree(api, repo, headSha)]);
  const { config, findings: configFindings, entry: baseConfig } = await readBaseConfig(api, repo, baseTree, configPath);
  const headConfig = headTree.find((e) => e.path === configPath);
  const { skipped, ...picked } = selectReviewFiles(config, baseTree, headTree, maxFileBytes, configPath);
  const blobs = await readBlobs(api, repo, Object.values(picked).flat().map((e) => e.sha));
  const files = (entries: TreeEntry[]): RevisionFile[] => entries.map((e) => ({ file: e.path, blob: e.sha, text: blobs.get(e.sha) ?? "" }));
  return {
    config,
    configSource: baseConfig ? "base" : "default",
    configFindings,
    configChanged: (baseConfig?.sha ?? "") !== (headConfig?.sha ?? ""),
    base: { commit: baseSha, tree: baseTree, policyFiles: files(picked.basePolicies), testFiles: files(picked.baseTests) },
    head: { commit: headSha, tree: headTree, policyFiles: files(picked.headPolicies), testFiles: files(picked.headTests) },
    skipped,
  };
}
