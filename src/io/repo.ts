import { createWriteStream } from "node:fs";
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";
import { CONFIG_FILE, defaultConfig, parseConfig, type TierguardConfig } from "../review/config.js";
import { selectReviewFiles } from "../review/select-files.js";
import type { Finding } from "../review/types.js";
import type { RevisionFile } from "../review/load.js";
import { GitError, listTree, mergeBase, readBlobs, resolveCommit, type TreeEntry } from "./git.js";

/**
 * The two revisions of a pull request, read from git. The base BRANCH's tip gives what the pull request is judged
 * by: the configuration (a pull request cannot grant itself ownership: tier owners, admins), and where the flow
 * snapshot and inventory live. The MERGE BASE of base and head gives what it is compared with, as GitHub's own
 * diff does: the base policy and test files, and the tierguard.yaml a config change is measured against. Diffing
 * against the tip instead would blame the pull request for every commit that landed on the base branch since it
 * was cut. Nothing is checked out.
 */
export interface RevisionRead {
  rev: string;
  /** The revision's commit: for the base, its tip (not the merge base). */
  commit: string;
  /** For the base: the merge base's files, which the head is diffed and replayed against. */
  policyFiles: RevisionFile[];
  testFiles: RevisionFile[];
  /** For the base: the tip's tree, where tierguard.yaml names the snapshot and inventory. */
  tree: TreeEntry[];
}

export interface RevisionPair {
  base: RevisionRead;
  head: RevisionRead;
  config: TierguardConfig;
  configSource: "base" | "default";
  configFindings: Finding[];
  configChanged: boolean;
  /** Files too large to read, as findings. */
  skipped: Finding[];
  /** The commit the head is compared with: the merge base, or the base tip when the histories share no commit. */
  compareCommit: string;
  /** Set when compareCommit is not the base tip, for the review to say so. */
  note?: string;
}

const TEXT_DECODER = new TextDecoder("utf-8", { fatal: false });

export async function readRevisionPair(repo: string, baseRev: string, headRev: string, maxFileBytes: number): Promise<RevisionPair> {
  const [baseCommit, headCommit] = await Promise.all([resolveCommit(repo, baseRev), resolveCommit(repo, headRev)]);
  const common = await mergeBase(repo, baseCommit, headCommit);
  const compareCommit = common ?? baseCommit;
  const [baseTree, compareTree, headTree] = await Promise.all([listTree(repo, baseCommit), compareCommit === baseCommit ? undefined : listTree(repo, compareCommit), listTree(repo, headCommit)]);
  const fromTree = compareTree ?? baseTree;
  const configEntry = (tree: TreeEntry[]) => tree.find((e) => e.path === CONFIG_FILE);
  const baseConfigEntry = configEntry(baseTree);
  let config = defaultConfig();
  let configFindings: Finding[] = [];
  if (baseConfigEntry) {
    const text = TEXT_DECODER.decode((await readBlobs(repo, [baseConfigEntry.blob])).get(baseConfigEntry.blob));
    ({ config, findings: configFindings } = parseConfig(text, CONFIG_FILE));
    for (const f of configFindings) f.revision = "base";
  }
  const { skipped, ...picked } = selectReviewFiles(config, fromTree, headTree, maxFileBytes);
  const blobs = await readBlobs(repo, Object.values(picked).flat().map((e) => e.blob));
  const files = (entries: TreeEntry[]): RevisionFile[] => entries.map((e) => ({ file: e.path, blob: e.blob, text: TEXT_DECODER.decode(blobs.get(e.blob)) }));
  return {
    base: { rev: baseRev, commit: baseCommit, policyFiles: files(picked.basePolicies), testFiles: files(picked.baseTests), tree: baseTree },
    head: { rev: headRev, commit: headCommit, policyFiles: files(picked.headPolicies), testFiles: files(picked.headTests), tree: headTree },
    config,
    configSource: baseConfigEntry ? "base" : "default",
    configFindings,
    // What the pull request itself did to tierguard.yaml: measured from the merge base, like the policies.
    configChanged: (configEntry(fromTree)?.blob ?? "") !== (configEntry(headTree)?.blob ?? ""),
    skipped,
    compareCommit,
    note: compareNote(baseRev, baseCommit, common),
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

/** Copies a blob of the base revision (a flow snapshot, possibly hundreds of megabytes) to a file, streaming. */
export async function exportBlob(repo: string, blob: string, dest: string): Promise<void> {
  const child = spawn("git", ["-C", repo, "cat-file", "blob", blob], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  await pipeline(child.stdout, createWriteStream(dest));
  const code = await exited;
  if (code !== 0) throw new GitError(stderr.trim() || `git cat-file exited with ${code}`);
}
