import { CONFIG_FILE, defaultConfig, parseConfig, type TierguardConfig } from "../review/config.js";
import type { RevisionFile } from "../review/load.js";
import { selectReviewFiles } from "../review/select-files.js";
import type { Finding } from "../review/types.js";

/**
 * A pull request's two revisions, read through a RevisionSource port (git in src/io/repo.ts, the GitHub API in
 * src/github/repo-reader.ts) by one algorithm. The base BRANCH's tip gives what the pull request is judged by: the
 * configuration (a pull request cannot grant itself ownership: tier owners, admins), and where the flow snapshot
 * and inventory live. The MERGE BASE of base and head gives what it is compared with, as GitHub's own diff does:
 * the base policy and test files, and the tierguard.yaml a config change is measured against. Diffing against the
 * tip instead would blame the pull request for every commit that landed on the base branch since it was cut.
 */
export interface TreeEntry {
  path: string;
  /** Blob id: equal ids mean equal content, so unchanged files are read and parsed once. */
  blob: string;
  size: number;
}

export interface RevisionSource {
  /** The merge base of two commits; undefined when their histories share no commit. */
  mergeBase(base: string, head: string): Promise<string | undefined>;
  /** Every file of a commit (symbolic links left out). */
  tree(commit: string): Promise<TreeEntry[]>;
  /** The blobs' text (UTF-8, invalid bytes replaced), by blob id. */
  texts(blobs: readonly string[]): Promise<Map<string, string>>;
}

export interface RevisionSide {
  rev: string;
  commit: string;
  tree: TreeEntry[];
  policyFiles: RevisionFile[];
  testFiles: RevisionFile[];
}

export interface RevisionPair {
  config: TierguardConfig;
  configSource: "base" | "default";
  configFindings: Finding[];
  /** What the pull request itself did to tierguard.yaml: measured from the merge base, like the policies. */
  configChanged: boolean;
  /** What the head is compared with: the merge base, or the base tip when the histories share no commit. */
  base: RevisionSide;
  head: RevisionSide;
  /** The base branch's tip: where tierguard.yaml, the snapshot and the inventory are read. */
  baseTip: { rev: string; commit: string; tree: TreeEntry[] };
  /** Files too large to read, as findings. */
  skipped: Finding[];
  /** Set when the head is not compared with the base tip, for the review to say so. */
  note?: string;
}

export interface RevisionRequest {
  base: { rev: string; commit: string };
  head: { rev: string; commit: string };
  maxFileBytes: number;
  /** Where tierguard.yaml is in the base revision; default tierguard.yaml at the root. */
  configPath?: string;
}

/** The three trees a pair is read from, and the configuration from the base tip: what deciding "does this pull request touch policies" needs too. */
export interface RevisionTrees {
  /** The merge base; undefined when the histories share no commit. */
  common: string | undefined;
  /** What the head is compared with: the merge base, else the tip. */
  fork: string;
  tipTree: TreeEntry[];
  baseTree: TreeEntry[];
  headTree: TreeEntry[];
  config: TierguardConfig;
  configFindings: Finding[];
  configSource: "base" | "default";
  configPath: string;
}

export async function readRevisionTrees(source: RevisionSource, req: Omit<RevisionRequest, "maxFileBytes">): Promise<RevisionTrees> {
  const configPath = req.configPath ?? CONFIG_FILE;
  const tip = req.base.commit;
  const common = await source.mergeBase(tip, req.head.commit);
  const fork = common ?? tip;
  const [tipTree, forkTree, headTree] = await Promise.all([source.tree(tip), fork === tip ? undefined : source.tree(fork), source.tree(req.head.commit)]);
  const tipConfig = tipTree.find((e) => e.path === configPath);
  let config = defaultConfig();
  let configFindings: Finding[] = [];
  if (tipConfig) {
    ({ config, findings: configFindings } = parseConfig((await source.texts([tipConfig.blob])).get(tipConfig.blob) ?? "", configPath));
    for (const f of configFindings) f.revision = "base";
  }
  return { common, fork, tipTree, baseTree: forkTree ?? tipTree, headTree, config, configFindings, configSource: tipConfig ? "base" : "default", configPath };
}

export async function readRevisionPair(source: RevisionSource, req: RevisionRequest): Promise<RevisionPair> {
  const t = await readRevisionTrees(source, req);
  const { config, configPath, baseTree, headTree } = t;
  const { skipped, ...picked } = selectReviewFiles(config, baseTree, headTree, req.maxFileBytes, configPath);
  const texts = await source.texts(Object.values(picked).flat().map((e) => e.blob));
  const files = (entries: TreeEntry[]): RevisionFile[] => entries.map((e) => ({ file: e.path, blob: e.blob, text: texts.get(e.blob) ?? "" }));
  const blobAt = (tree: TreeEntry[]) => tree.find((e) => e.path === configPath)?.blob ?? "";
  return {
    config,
    configSource: t.configSource,
    configFindings: t.configFindings,
    configChanged: blobAt(baseTree) !== blobAt(headTree),
    base: { rev: req.base.rev, commit: t.fork, tree: baseTree, policyFiles: files(picked.basePolicies), testFiles: files(picked.baseTests) },
    head: { rev: req.head.rev, commit: req.head.commit, tree: headTree, policyFiles: files(picked.headPolicies), testFiles: files(picked.headTests) },
    baseTip: { rev: req.base.rev, commit: req.base.commit, tree: t.tipTree },
    skipped,
    note: compareNote(req.base.rev, req.base.commit, t.common),
  };
}

function compareNote(baseRev: string, baseCommit: string, common: string | undefined): string | undefined {
  if (!common) return `${baseRev} and the head share no commit: the change is compared with the tip of ${baseRev} (${baseCommit.slice(0, 12)}).`;
  if (common === baseCommit) return undefined;
  return (
    `Compared with the merge base ${common.slice(0, 12)} of ${baseRev} and the head, as GitHub diffs a pull request, not with the tip of ${baseRev} ` +
    `(${baseCommit.slice(0, 12)}), which has moved on; tierguard.yaml, ownership, the flow snapshot and the inventory are read from the tip.`
  );
}
