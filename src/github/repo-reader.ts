import { CONFIG_FILE, defaultConfig, parseConfig, type LoadedConfig } from "../review/config.js";
import { readRevisionPair, type RevisionPair, type RevisionSource, type TreeEntry as RevisionTreeEntry } from "../run/revisions.js";
import { httpStatus, type GitHubApi, type RepoRef } from "./api.js";

/**
 * A repository at a commit, read through the Git Data API: the tree (recursive, or walked directory by directory
 * when GitHub truncates it), then only the blobs tierguard needs, a few at a time. A pull request touching
 * thousands of files costs one tree call per revision and one blob call per distinct policy file. Blobs are read in
 * the raw media type (bounded by the callers: the load limit per file, the snapshot limit). This is the run layer's
 * RevisionSource over the API: a pull request's revision pair is read by the same algorithm as from git.
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
      const { data } = await api.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...repo, file_sha: sha, headers: { accept: RAW } });
      out.set(sha, DECODER.decode(rawBytes(data)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, todo.length) }, worker));
  return out;
}

/**
 * GitHub's raw media type: the blob's bytes as they are. The JSON form carries them base64-encoded in one string,
 * which Octokit fails to parse from about 8 MB on (it then hands back the text, and `content` is undefined).
 */
const RAW = "application/vnd.github.raw";

/** A raw answer as Octokit hands it over: bytes (an ArrayBuffer), or text when GitHub names a charset. */
function rawBytes(data: unknown): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`GitHub answered a raw blob request with ${data === null ? "null" : typeof data}`);
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

/** A pull request's revision pair, as from git: the API's answer to the run layer's RevisionSource. */
export type PullRequestFiles = RevisionPair;

export function apiRevisionSource(api: GitHubApi, repo: RepoRef): RevisionSource {
  return {
    // The API cannot tell "no common commit" from the base itself: both compare with the base (no note).
    mergeBase: (base, head) => mergeBase(api, repo, base, head),
    tree: async (commit) => (await readTree(api, repo, commit)).map(revisionEntry),
    texts: (blobs) => readBlobs(api, repo, blobs),
  };
}

/**
 * The merge base of two commits (`GET /compare/{base}...{head}`'s `merge_base_commit`), the commit GitHub's
 * pull-request diff starts from. Commits with no common ancestor (GitHub answers 404) compare with `base` itself.
 */
export async function mergeBase(api: GitHubApi, repo: RepoRef, baseSha: string, headSha: string): Promise<string> {
  if (baseSha === headSha) return baseSha;
  try {
    const { data } = await api.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...repo, basehead: `${baseSha}...${headSha}`, per_page: 1 });
    const sha = (data as { merge_base_commit?: { sha?: unknown } }).merge_base_commit?.sha;
    return typeof sha === "string" && sha.length > 0 ? sha : baseSha;
  } catch (e) {
    if (httpStatus(e) === 404) return baseSha;
    throw e;
  }
}

/** A tree entry as the run layer names it (the API calls the blob id `sha`). */
export function revisionEntry(e: TreeEntry): RevisionTreeEntry {
  return { path: e.path, blob: e.sha, size: e.size };
}

/** A tree entry as the API names it. */
export function apiEntry(e: RevisionTreeEntry): TreeEntry {
  return { path: e.path, sha: e.blob, size: e.size };
}

/**
 * Both sides of a pull request: the head, and the merge base it is compared with; the configuration always from
 * the BASE tip, at `configPath` (the Action's `config` input; default tierguard.yaml at the root).
 */
export async function readPullRequestFiles(api: GitHubApi, repo: RepoRef, baseSha: string, headSha: string, maxFileBytes: number, configPath: string = CONFIG_FILE): Promise<PullRequestFiles> {
  return readRevisionPair(apiRevisionSource(api, repo), { base: { rev: baseSha, commit: baseSha }, head: { rev: headSha, commit: headSha }, maxFileBytes, configPath });
}
