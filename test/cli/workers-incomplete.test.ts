import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { BIN, ensureDist } from "../helpers/dist.js";
import { SNAPSHOT, TEMPLATE, TEMPLATE_POLICIES } from "./helpers.js";

/**
 * Truncation and emptiness are detected over worker threads too: the built binary (worker threads exist only in
 * dist/) replays an uncompressed file in byte ranges with --workers 2; the cut last line belongs to the last range,
 * and its line number must come out counted from the start of the file.
 */
const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "tg-workers-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function tierguard(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: TEMPLATE, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== "number") throw e;
    return { code: err.code, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

const lines = gunzipSync(readFileSync(join(TEMPLATE, SNAPSHOT))).toString("utf8").split("\n").filter((l) => l.trim() !== "").slice(0, 400);
const cut = join(scratch, "cut.jsonl");
const blank = join(scratch, "blank.jsonl");
let repo: string;

beforeAll(async () => {
  await ensureDist(); // one build for the whole run (test/helpers/dist.ts)
  writeFileSync(cut, lines.join("\n").slice(0, -25)); // line 400 cut mid-record, no newline
  writeFileSync(blank, "\n \n".repeat(20_000));
  repo = join(scratch, "repo");
  cpSync(TEMPLATE, repo, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "pr");
  writeFileSync(join(repo, "application/frontend.yaml"), "# a comment\n" + readFileSync(join(repo, "application/frontend.yaml"), "utf8"));
  git("commit", "-q", "-am", "change");
}, 120_000);

describe("worker threads detect an incomplete or empty flow file", () => {
  test("simulate --output summary --workers 2: flows/cut-off at the file's line 400, exit 1", async () => {
    const r = await tierguard(["simulate", "--policies", ...TEMPLATE_POLICIES, "--flows", cut, "--output", "summary", "--workers", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${cut}:400:1: error [flows/cut-off] the last line ends without a newline in the middle of a record: the file was cut off`);
    expect(r.stderr).toContain(`tierguard: ${cut} was read only up to line 400: the last line ends without a newline in the middle of a record: the file was cut off; the results cover the 399 records before it`);
  });

  test("simulate --output summary --workers 2 on blank lines: flows/no-records, exit 1", async () => {
    const r = await tierguard(["simulate", "--policies", ...TEMPLATE_POLICIES, "--flows", blank, "--output", "summary", "--workers", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${blank}:1:1: error [flows/no-records]`);
  });

  test("review --workers 2: impact/snapshot-incomplete at line 400, and impact/snapshot-empty for blank lines", async () => {
    const review = async (flows: string) => {
      const r = await tierguard(["review", "--repo", repo, "--base", "main", "--head", "pr", "--author", "alice", "--teams", "acme/app-devs", "--output", "json", "--workers", "2", "--flows", flows]);
      const found = (JSON.parse(r.stdout).findings as Array<{ code: string; message: string }>).filter((f) => f.code.startsWith("impact/snapshot-"));
      return { code: r.code, found };
    };
    const incomplete = await review(cut);
    expect(incomplete.code).toBe(1);
    expect(incomplete.found.map((f) => f.code)).toEqual(["impact/snapshot-incomplete"]);
    expect(incomplete.found[0].message).toContain("reading stopped at line 400: the last line ends without a newline in the middle of a record: the file was cut off; only the 399 records before it were replayed");
    const empty = await review(blank);
    expect(empty.code).toBe(1);
    expect(empty.found.map((f) => f.code)).toEqual(["impact/snapshot-empty"]);
  });
});
