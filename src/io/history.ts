import type { FileChange, HistoryCommit } from "../audit/types.js";
import { git, GitError, readBlobs, resolveCommit } from "./git.js";

/**
 * A repository's history for the audit log, read with one `git log --raw` (every commit with the files it changed
 * and their old and new blob ids) and one `git cat-file --batch` for the blobs the log needs. Rename detection is
 * off: the audit follows resources by identity (kind, namespace, name), so a renamed file is a deleted and an added
 * file whose resources meet again by identity, and git's similarity guess is neither needed nor paid for.
 */
const RECORD = "\u001e";
const FORMAT = `${RECORD}%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00`;

/**
 * Every commit reachable from `rev`, newest first, with parents, author, author date, subject and (for commits
 * with one parent, and the root) the files changed. Merge commits list no files: what they bring in is listed
 * under the commits of the merged branch.
 */
export async function readHistory(repo: string, rev: string): Promise<HistoryCommit[]> {
  const tip = await resolveCommit(repo, rev);
  const out = await git(repo, ["log", "--raw", "--no-abbrev", "--no-renames", "-z", "--topo-order", `--format=${FORMAT}`, tip]);
  const commits: HistoryCommit[] = [];
  for (const record of out.split(RECORD)) {
    if (!record) continue;
    const fields = record.split("\0");
    const [commit, parents, author, email, date, subject] = fields;
    commits.push({ commit, parents: parents ? parents.split(" ") : [], author, email, date, subject, files: parseRaw(fields.slice(6)) });
  }
  return commits;
}

/** `:old-mode new-mode old-blob new-blob status\0path\0` entries (NUL-separated because of -z). */
function parseRaw(parts: string[]): FileChange[] {
  const files: FileChange[] = [];
  for (let i = 0; i < parts.length; i++) {
    const head = parts[i].replace(/^\n+/, "");
    if (!head.startsWith(":")) continue;
    const [oldMode, newMode, oldBlob, newBlob, status] = head.slice(1).split(" ");
    const path = parts[++i];
    // Symlinks (120000) and submodules (160000) are not files whose content means anything here.
    if (/^1[26]0000$/.test(oldMode) || /^1[26]0000$/.test(newMode)) continue;
    const none = /^0+$/;
    files.push({ status: status[0], path, oldBlob: none.test(oldBlob) ? undefined : oldBlob, newBlob: none.test(newBlob) ? undefined : newBlob });
  }
  return files;
}

/** Blob texts (UTF-8) by id, through one `git cat-file --batch`. */
export async function readBlobTexts(repo: string, blobs: readonly string[]): Promise<Map<string, string>> {
  const raw = await readBlobs(repo, blobs);
  const decoder = new TextDecoder("utf-8", { fatal: false });
  return new Map([...raw].map(([id, buf]) => [id, decoder.decode(buf)]));
}

/** The text of a file at a revision, or undefined when the revision has no such file. */
export async function readFileAt(repo: string, rev: string, path: string): Promise<string | undefined> {
  try {
    return await git(repo, ["show", `${rev}:${path}`]);
  } catch (e) {
    if (e instanceof GitError && /does not exist|exists on disk, but not in/.test(e.message)) return undefined;
    throw e;
  }
}
