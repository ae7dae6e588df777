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
