import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { gitSteps } from "../helpers/git-steps.js";
import { REPO_ROOT, run, SNAPSHOT, TEMPLATE } from "./helpers.js";

/**
 * `tierguard review` fails closed on a flow snapshot it could not read whole, and compares the head with the merge
 * base (as GitHub does), while tierguard.yaml, ownership and the snapshot still come from the base branch's tip.
 * Each case builds its own git repository from the bundled template.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Steps {
  /** Applied to the template before the first commit on main. */
  base?: (dir: string) => void;
  /** The pull request's commit, on branch pr cut from that first commit. */
  pr: (dir: string) => void;
  /** A commit on main after pr was cut. */
  mainAfter?: (dir: string) => void;
}

function repo(steps: Steps): string {
  const dir = mkdtempSync(join(tmpdir(), "tg-review-snap-"));
  dirs.push(dir);
  cpSync(TEMPLATE, dir, { recursive: true });
  const commit = (message: string) => [["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message]];
  gitSteps(dir, [["init", "-q", "-b", "main"]]);
  steps.base?.(dir);
  gitSteps(dir, [...commit("base"), ["checkout", "-q", "-b", "pr"]]);
  steps.pr(dir);
  gitSteps(dir, [...commit("change"), ["checkout", "-q", "main"]]);
  if (steps.mainAfter) {
    steps.mainAfter(dir);
    gitSteps(dir, commit("main moves on"));
  }
  return dir;
}

const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no change made to ${file}`);
  writeFileSync(path, next);
};

/** A pull request that changes nothing a check or the replay could object to. */
const harmless = (d: string) => edit(d, "application/frontend.yaml", /^/, "# a comment\n");
const snapshotBytes = () => readFileSync(join(TEMPLATE, SNAPSHOT));

interface Finding {
  code: string;
  severity: string;
  file: string;
  message: string;
}

async function review(dir: string, extra: string[] = []) {
  const r = await run(["review", "--repo", dir, "--base", "main", "--head", "pr", "--author", "alice", "--teams", "acme/app-devs", "--output", "json", ...extra], { cwd: REPO_ROOT });
  return { ...r, findings: JSON.parse(r.stdout).findings as Finding[] };
}

const snapshotFindings = (findings: Finding[]) => findings.filter((f) => f.code.startsWith("impact/snapshot-")).map((f) => [f.code, f.severity, f.file]);

describe("review: a flow snapshot that could not be read whole fails the review", () => {
  const truncated = repo({ base: (d) => writeFileSync(join(d, SNAPSHOT), snapshotBytes().subarray(0, Math.floor(snapshotBytes().length / 2))), pr: harmless });

  test("a truncated gzip snapshot: impact/snapshot-incomplete error naming it and the line, exit 1", async () => {
    const r = await review(truncated);
    expect(r.code).toBe(1);
    expect(snapshotFindings(r.findings)).toEqual([["impact/snapshot-incomplete", "error", SNAPSHOT]]);
    const f = r.findings.find((x) => x.code === "impact/snapshot-incomplete")!;
    expect(f.message).toMatch(/^The flow snapshot flows\/snapshot\.jsonl\.gz was read only in part \(reading stopped at line \d+: the gzip stream is truncated or corrupt; only the \d+ records before it were replayed\)/);
    // The same in the PR comment and the text report.
    const md = await run(["review", "--repo", truncated, "--base", "main", "--head", "pr", "--author", "alice", "--teams", "acme/app-devs", "--output", "markdown"], { cwd: REPO_ROOT });
    expect(md.stdout).toContain("impact/snapshot-incomplete");
    expect(md.stdout.split("\n")[1]).toMatch(/^### ❌ 1 error/);
  });

  test("impact.snapshotProblems: warning turns it into a warning, exit 0", async () => {
    const dir = repo({
      base: (d) => {
        writeFileSync(join(d, SNAPSHOT), snapshotBytes().subarray(0, Math.floor(snapshotBytes().length / 2)));
        edit(d, "tierguard.yaml", "  newlyAllowed: warning\n", "  newlyAllowed: warning\n  snapshotProblems: warning\n");
      },
      pr: harmless,
    });
    const r = await review(dir);
    expect(snapshotFindings(r.findings)).toEqual([["impact/snapshot-incomplete", "warning", SNAPSHOT]]);
    expect(r.code).toBe(0);
  });

  test("a gzip of 64 MiB of zeros as the snapshot: impact/snapshot-incomplete, read no further than the runaway limit", async () => {
    const dir = repo({ base: (d) => writeFileSync(join(d, SNAPSHOT), gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 })), pr: harmless });
    const r = await review(dir, ["--max-line-bytes", "65536"]);
    expect(r.code).toBe(1);
    expect(snapshotFindings(r.findings)).toEqual([["impact/snapshot-incomplete", "error", SNAPSHOT]]);
    expect(r.findings.find((x) => x.code === "impact/snapshot-incomplete")!.message).toContain("a line runs on for more than 4194304 bytes without a newline");
  });

  test("a snapshot of blank lines: impact/snapshot-empty; one tierguard.yaml names but the base lacks: impact/snapshot-unavailable", async () => {
    const blank = repo({ base: (d) => writeFileSync(join(d, SNAPSHOT), gzipSync(Buffer.from("\n".repeat(1000)))), pr: harmless });
    expect(snapshotFindings((await review(blank)).findings)).toEqual([["impact/snapshot-empty", "error", SNAPSHOT]]);
    const missing = repo({ base: (d) => rmSync(join(d, SNAPSHOT)), pr: harmless });
    const r = await review(missing);
    expect(r.code).toBe(1);
    expect(snapshotFindings(r.findings)).toEqual([["impact/snapshot-unavailable", "error", SNAPSHOT]]);
  });

  test("--flows with a file cut off mid-record: impact/snapshot-incomplete at the last line", async () => {
    const dir = repo({ pr: harmless });
    const scratch = mkdtempSync(join(tmpdir(), "tg-review-flows-"));
    dirs.push(scratch);
    const lines = gunzipSync(snapshotBytes()).toString("utf8").split("\n").slice(0, 50);
    writeFileSync(join(scratch, "cut.jsonl"), lines.join("\n").slice(0, -30));
    const r = await review(dir, ["--flows", join(scratch, "cut.jsonl")]);
    expect(r.code).toBe(1);
    const f = r.findings.filter((x) => x.code === "impact/snapshot-incomplete");
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain("reading stopped at line 50: the last line ends without a newline in the middle of a record: the file was cut off; only the 49 records before it were replayed");
  });
});

describe("review: the head is compared with the merge base, not the moved-on base tip", () => {
  // After the PR was cut, main changes a security policy and tierguard.yaml (alice no longer owns application).
  const mainAfter = (d: string) => {
    edit(d, "security/allow-dns.yaml", "order: 30", "order: 31");
    edit(d, "tierguard.yaml", 'application:         { owners: ["@acme/app-devs", "alice"] }', 'application:         { owners: ["bob"] }');
  };
  const dir = repo({ pr: (d) => edit(d, "application/frontend.yaml", "order:", "order: 1 #"), mainAfter });

  test("main's own changes are not blamed on the PR, while ownership still comes from the tip's tierguard.yaml", async () => {
    const r = await review(dir);
    const ownership = r.findings.filter((f) => f.code.startsWith("ownership/")).map((f) => [f.code, f.file]);
    // Only the PR's own file, judged by the tip's owners (bob): nothing about allow-dns.yaml or tierguard.yaml.
    expect(ownership).toEqual([["ownership/not-owner", "application/frontend.yaml"]]);
    expect(r.findings.filter((f) => f.file === "security/allow-dns.yaml" || f.file === "tierguard.yaml")).toEqual([]);
  });

  test("the review says which merge base it used", async () => {
    const sha = (rev: string) => execFileSync("git", ["-C", dir, "rev-parse", rev]).toString().trim();
    const r = await run(["review", "--repo", dir, "--base", "main", "--head", "pr", "--author", "alice", "--teams", "acme/app-devs"], { cwd: REPO_ROOT });
    expect(r.stdout).toContain(`Compared with the merge base ${sha("main~1").slice(0, 12)} of main and the head`);
    expect(r.stdout).toContain(`not with the tip of main (${sha("main").slice(0, 12)})`);
  });
});
