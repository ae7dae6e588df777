import { createWriteStream } from "node:fs";
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";
import { readRevisionPair, type RevisionPair, type RevisionSource } from "../run/revisions.js";
import { GitError, listTree, mergeBase, readBlobs, resolveCommit } from "./git.js";

/**
 * The run layer's RevisionSource over a local git repository (nothing is checked out), and the command line's way
 * in: revisions resolved to commits, then the one algorithm of src/run/revisions.ts.
 */
const TEXT_DECODER = new TextDecoder("utf-8", { fatal: false });

export function gitRevisionSource(repo: string): RevisionSource {
  return {
    mergeBase: (base, head) => mergeBase(repo, base, head),
    tree: (commit) => listTree(repo, commit),
    texts: async (blobs) => {
      const read = await readBlobs(repo, blobs);
      return new Map([...read].map(([blob, bytes]) => [blob, TEXT_DECODER.decode(bytes)]));
    },
  };
}

/** `head` is a revision to resolve, or one already resolved (the working tree's snapshot) with the name to show. */
export async function readGitRevisionPair(repo: string, baseRev: string, head: string | { rev: string; commit: string }, maxFileBytes: number): Promise<RevisionPair> {
  const headRev = typeof head === "string" ? head : head.rev;
  const [baseCommit, headCommit] = await Promise.all([resolveCommit(repo, baseRev), typeof head === "string" ? resolveCommit(repo, head) : head.commit]);
  return readRevisionPair(gitRevisionSource(repo), { base: { rev: baseRev, commit: baseCommit }, head: { rev: headRev, commit: headCommit }, maxFileBytes });
}

/** One blob's text (an inventory: read whole, as the inventory reader needs all of it), a BOM kept as a file read keeps it. */
export async function readBlobText(repo: string, blob: string): Promise<string> {
  return BLOB_DECODER.decode((await readBlobs(repo, [blob])).get(blob));
}

const BLOB_DECODER = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

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
