import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitError, listTree, resolveCommit, UnknownRevision } from "../../src/io/git.js";
import { ensureDist, REPO_ROOT } from "../helpers/dist.js";
import { gitSteps } from "../helpers/git-steps.js";

/**
 * Reads a review makes together (base and head resolved, three trees listed) share one process started from Node,
 * with the same answers and the same errors as calls made one at a time. Which process started each git command
 * is seen through a `git` on PATH that logs its parent's pid, then runs the real git: PATH reaches the reads only in
 * a process of their own (jest gives a test a copy of the environment), so those run the built module (dist/).
 */
const dir = mkdtempSync(join(tmpdir(), "tg-git-"));
const repo = join(dir, "repo");
const log = join(dir, "calls.log");
let base = "";
let head = "";

beforeAll(() => {
  mkdirSync(join(repo, "dir/with space"), { recursive: true });
  writeFileSync(join(repo, "a.yaml"), "a: 1\n");
  writeFileSync(join(repo, "dir/with space/ünï\tcode.yaml"), "b: 2\n");
  base = gitSteps(repo, [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"], ["rev-parse", "HEAD"]]);
  writeFileSync(join(repo, "c.yaml"), "c: 3\n");
  head = gitSteps(repo, [["checkout", "-q", "-b", "pr"], ["add", "-A"], ["commit", "-q", "-m", "head"], ["rev-parse", "HEAD"]]);
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "git"), `#!/bin/sh\necho "$PPID $1 $2 $3" >> '${log}'\nexec '${realGit}' "$@"\n`);
  chmodSync(join(dir, "bin", "git"), 0o755);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `calls` (an expression over `git`, the built src/io/git.js, and `repo`) in a Node process with the logging
 * git first on PATH; its result, that process's pid, and the parent pid of each logged git command of kind `command`.
 */
async function inProcess(command: string, calls: string): Promise<{ result: unknown; pid: number; parents: number[] }> {
  await ensureDist();
  writeFileSync(log, "");
  const script = `const git = await import(${JSON.stringify(join(REPO_ROOT, "dist/io/git.js"))}); const repo = ${JSON.stringify(repo)};\nconsole.log(JSON.stringify({ pid: process.pid, result: await (${calls}) }));`;
  const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}` };
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" }));
  const lines = readFileSync(log, "utf8").split("\n").filter((l) => l.split(" ")[3] === command);
  return { ...out, parents: lines.map((l) => Number(l.split(" ")[0])) };
}

describe("git reads made together", () => {
  test("base and head resolved together: one process from Node runs both rev-parse, same commits as one at a time", async () => {
    const alone = [await resolveCommit(repo, "main"), await resolveCommit(repo, "pr")];
    expect(alone).toEqual([base, head]);
    const { result, pid, parents: by } = await inProcess("rev-parse", `Promise.all([git.resolveCommit(repo, "main"), git.resolveCommit(repo, "pr")])`);
    expect(result).toEqual(alone);
    expect(by).toHaveLength(2);
    expect(new Set(by).size).toBe(1);
    expect(by[0]).not.toBe(pid);
  }, 120_000);

  test("three trees listed together: one process from Node, the same entries (odd paths included) as one at a time", async () => {
    const alone = [await listTree(repo, base), await listTree(repo, head), await listTree(repo, base)];
    expect(alone[1].map((e) => e.path)).toEqual(["a.yaml", "c.yaml", "dir/with space/ünï\tcode.yaml"]);
    const { result, pid, parents: by } = await inProcess("ls-tree", `Promise.all([git.listTree(repo, "${base}"), git.listTree(repo, "${head}"), git.listTree(repo, "${base}")])`);
    expect(result).toEqual(alone);
    expect(by).toHaveLength(3);
    expect(new Set(by).size).toBe(1);
    expect(by[0]).not.toBe(pid);
    // Made in this process (no logging git), the same reads give the same entries.
    expect(await Promise.all([listTree(repo, base), listTree(repo, head), listTree(repo, base)])).toEqual(alone);
  }, 120_000);

  test("an unknown revision among others: UnknownRevision for it alone, the others resolve", async () => {
    const [good, bad] = await Promise.allSettled([resolveCommit(repo, "main"), resolveCommit(repo, "no-such-branch")]);
    expect(good).toEqual({ status: "fulfilled", value: base });
    expect(bad.status).toBe("rejected");
    const err = (bad as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(UnknownRevision);
    expect(err.message).toBe(`no-such-branch is not a commit in ${repo}`);
  });

  test("a tree git cannot list among others: the GitError a lone call gives, with git's message; the others list", async () => {
    const missing = "0".repeat(40);
    const lone = await listTree(repo, missing).catch((e: unknown) => e as GitError);
    expect(lone).toBeInstanceOf(GitError);
    expect((lone as GitError).message).toMatch(/^fatal: not a tree object/);
    const [good, bad] = await Promise.allSettled([listTree(repo, head), listTree(repo, missing)]);
    expect(good.status === "fulfilled" && good.value.map((e) => e.path)).toEqual(["a.yaml", "c.yaml", "dir/with space/ünï\tcode.yaml"]);
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(GitError);
    expect((bad as PromiseRejectedResult).reason.message).toBe((lone as GitError).message);
  });
});
