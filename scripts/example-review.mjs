// The README's main command: `tierguard review` on the bundled example, between two revisions of it.
// Builds a throwaway git repository: commit 1 is policies-template/, commit 2 applies
// examples/pr-shopping-assistant/files/ (a pull request by alice of @acme/app-devs); then prints the PR comment.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const format = process.argv[2] ?? "markdown";
const repo = mkdtempSync(join(tmpdir(), "tierguard-example-"));
const git = (...args) => execFileSync("git", ["-C", repo, "-c", "user.name=tierguard example", "-c", "user.email=example@tierguard.invalid", ...args], { stdio: "pipe" });
try {
  cpSync("policies-template", repo, { recursive: true });
  git("init", "-q", "-b", "base");
  git("add", "-A");
  git("commit", "-q", "-m", "The Online Boutique policy repository");
  git("checkout", "-q", "-b", "pr");
  cpSync("examples/pr-shopping-assistant/files", repo, { recursive: true });
  git("add", "-A");
  git("commit", "-q", "-m", "Add the shopping assistant");
  const r = spawnSync(process.execPath, ["dist/cli/bin.js", "review", "--repo", repo, "--base", "base", "--head", "pr", "--author", "alice", "--teams", "acme/app-devs", "--output", format], { stdio: "inherit" });
  // The example pull request has errors on purpose: exit 1 is tierguard's verdict, not a failure of the example.
  if (r.status !== 0 && r.status !== 1) process.exit(r.status ?? 1);
  console.error(`\n(tierguard review exited with ${r.status}: ${r.status === 1 ? "the pull request has errors, as this example intends" : "no errors"})`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
