import { createWriteStream } from "node:fs";
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";
import { CONFIG_FILE, defaultConfig, parseConfig, type TierguardConfig } from "../review/config.js";
import { selectReviewFiles } from "../review/select-files.js";
import type { Finding } from "../review/types.js";
import type { RevisionFile } from "../review/load.js";
import { GitError, listTree, readBlobs, resolveCommit, type TreeEntry } from "./git.js";

/**
 * The two revisions of a pull request, read from git: the configuration from the BASE revision (a pull request
 * cannot grant itself ownership), the policy and test files of both, and where the flow snapshot and inventory
 * live in the base revision. Nothing is checked out.
 */
export interface RevisionRead {
  rev: string;
  commit: string;
  policyFiles: RevisionFile[];
  testFiles: RevisionFile[];
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
}

const TEXT_DECODER = new TextDecoder("utf-8", { fatal: false });

export async function readRevisionPair(repo: string, baseRev: string, headRev: string, maxFileBytes: number): Promise<RevisionPair> {
  const [baseCommit, headCommit] = await Promise.all([resolveCommit(repo, baseRev), resolveCommit(repo, headRev)]);
  const [baseTree, headTree] = await Promise.all([listTree(repo, baseCommit), listTree(repo, headCommit)]);
  const baseConfigEntry = baseTree.find((e) => e.path === CONFIG_FILE);
  const headConfigEntry = headTree.find((e) => e.path === CONFIG_FILE);
  let config = defaultConfig();
  let configFindings: Finding[] = [];
  if (baseConfigEntry) {
    const text = TEXT_DECODER.decode((await readBlobs(repo, [baseConfigEntry.blob])).get(baseConfigEntry.blob));
    ({ config, findings: configFindings } = parseConfig(text, CONFIG_FILE));
    for (const f of configFindings) f.revision = "base";
  }
  const { skipped, ...picked } = selectReviewFiles(config, baseTree, headTree, maxFileBytes);
  const blobs = await readBlobs(repo, Object.values(picked).flat().map((e) => e.blob));
  const files = (entries: TreeEntry[]): RevisionFile[] => entries.map((e) => ({ file: e.path, blob: e.blob, text: TEXT_DECODER.decode(blobs.get(e.blob)) }));
  return {
    base: { rev: baseRev, commit: baseCommit, policyFiles: files(picked.basePolicies), testFiles: files(picked.baseTests), tree: baseTree },
    head: { rev: headRev, commit: headCommit, policyFiles: files(picked.headPolicies), testFiles: files(picked.headTests), tree: headTree },
    config,
    configSource: baseConfigEntry ? "base" : "default",
    configFindings,
    configChanged: (baseConfigEntry?.blob ?? "") !== (headConfigEntry?.blob ?? ""),
    skipped,
  };
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
