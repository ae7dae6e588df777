import { execFileSync } from "node:child_process";

/**
 * Several git commands in `dir`, in order, in one shell: stops at the first that fails (its stderr in the error)
 * and returns what the last one printed, trimmed. Starting a process from a jest worker costs tens of milliseconds
 * (the worker is a large process to fork), a git command inside the shell a few; the repositories tests build
 * take a dozen commands each. Commits are made as "t <t@t>" unless `identity` is false; `env` replaces the
 * environment (GIT_AUTHOR_* and the like).
 */
export function gitSteps(dir: string, steps: ReadonlyArray<readonly string[]>, options: { identity?: boolean; env?: NodeJS.ProcessEnv } = {}): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const git = ["git", "-C", dir, ...(options.identity === false ? [] : ["-c", "user.name=t", "-c", "user.email=t@t"])];
  const lines = steps.map((s, i) => [...git, ...s].map(quote).join(" ") + (i < steps.length - 1 ? " >/dev/null" : ""));
  return execFileSync("sh", ["-c", ["set -e", ...lines].join("\n")], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"], env: options.env }).trim();
}

/**
 * A commit of many files made straight into the object store with one `git fast-import`: no work-tree files to
 * write, hash (`git add`) and delete afterwards, which for thousands of files cost a test seconds. The commit goes to
 * `ref` (not the checked-out branch, so the work tree and index stay as they were) with `parent`'s tree plus `files`
 * (path → content); the author and date are fixed, so the same input makes the same commit. Returns its sha.
 */
export function fastCommit(dir: string, options: { ref: string; parent: string; message: string; files: ReadonlyMap<string, string> }): string {
  // Each `data` block is exact bytes; the newline join adds the optional LF fast-import allows after one.
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}`;
  const lines = [`commit ${options.ref}`, "committer t <t@t> 0 +0000", data(options.message), `from ${options.parent}`];
  for (const [path, content] of options.files) {
    if (/^"|\n/.test(path)) throw new Error(`fastCommit takes plain paths, not ${JSON.stringify(path)}`);
    lines.push(`M 100644 inline ${path}`, data(content));
  }
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = `set -e\ngit -C ${quote(dir)} fast-import --quiet --date-format=raw\ngit -C ${quote(dir)} rev-parse --verify ${quote(options.ref)}`;
  return execFileSync("sh", ["-c", script], { input: lines.join("\n") + "\n", encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] }).trim();
}
