import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitSteps } from "../helpers/git-steps.js";
import { REPO_ROOT, run, TEMPLATE } from "./helpers.js";

/**
 * `tierguard review` end to end, on git repositories built here: the template as the base commit, a change as the
 * head commit. Everything is read from git objects (the work tree is left at the base to prove it).
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The base commit (the template, with or without tierguard.yaml), built once per file and copied per test. */
const bases = new Map<boolean, string>();
function baseRepo(withConfig: boolean): string {
  let dir = bases.get(withConfig);
  if (dir) return dir;
  dir = mkdtempSync(join(tmpdir(), "tg-review-base-"));
  dirs.push(dir);
  bases.set(withConfig, dir);
  cpSync(TEMPLATE, dir, { recursive: true });
  if (!withConfig) rmSync(join(dir, "tierguard.yaml"));
  // A local identity that is no GitHub login, whatever the machine's global configuration says.
  const identity = [["config", "user.name", "T Tester"], ["config", "user.email", "t@example.invalid"], ["config", "github.user", ""]];
  gitSteps(dir, [["init", "-q", "-b", "main"], ...identity, ["add", "-A"], ["commit", "-q", "-m", "base"]]);
  return dir;
}

function repoWith(change: (dir: string) => void, options: { withConfig?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tg-review-"));
  dirs.push(dir);
  cpSync(baseRepo(options.withConfig !== false), dir, { recursive: true });
  change(dir);
  // The change is committed on a branch `pr`; the work tree is left at the base: review must not read it.
  gitSteps(dir, [["checkout", "-q", "-b", "pr"], ["add", "-A"], ["commit", "-q", "--allow-empty", "-m", "change"], ["checkout", "-q", "main"]]);
  return dir;
}

const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no change made to ${file}`);
  writeFileSync(path, next);
};

const CURRENCY_EGRESS = /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/;

async function review(dir: string, extra: string[] = []) {
  return run(["review", "--repo", dir, "--base", "main", "--head", "pr", "--author", "alice", "--teams", "acme/app-devs", ...extra], { cwd: REPO_ROOT });
}

describe("tierguard review", () => {
  const breaking = repoWith((d) => edit(d, "application/frontend.yaml", CURRENCY_EGRESS, ""));

  test("a change that breaks production traffic: impact/newly-denied error at the deciding policy, exit 1", async () => {
    const r = await review(breaking, ["--output", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["findings", "impact", "connectivity"]);
    const denied = out.findings.filter((f: { code: string }) => f.code === "impact/newly-denied");
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ severity: "error", file: "application/frontend.yaml", line: 12 });
    expect(out.impact.newlyDenied).toHaveLength(1);
    expect(out.impact.newlyDenied[0].src).toMatch(/^boutique\/frontend-/);
    expect(out.impact.newlyDenied[0].dst).toMatch(/^boutique\/currencyservice-/);
    expect(out.impact.newlyDenied[0].port).toBe(7000);
    expect(out.impact.newlyAllowed).toEqual([]);
    // The template's own test catches it too.
    expect(out.findings.map((f: { code: string }) => f.code)).toContain("test/failed");
    // alice owns the application tier: no ownership finding.
    expect(out.findings.filter((f: { code: string }) => f.code.startsWith("ownership/"))).toEqual([]);
  });

  test("--ack-impact turns newly denied flows into a notice naming who acknowledged", async () => {
    const r = await review(breaking, ["--output", "json", "--ack-impact"]);
    const denied = JSON.parse(r.stdout).findings.filter((f: { code: string }) => f.code === "impact/newly-denied");
    expect(denied[0].severity).toBe("notice");
    expect(denied[0].message).toContain("Acknowledged by @alice");
  });

  test("markdown output is the PR comment: marker first, verdict, next step last", async () => {
    const r = await review(breaking, ["--output", "markdown"]);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("<!-- tierguard:review -->");
    expect(lines[1]).toMatch(/^### ❌ \d+ errors?/);
    expect(lines[lines.length - 1]).toMatch(/^\*\*Next step:\*\*/);
    expect(r.stdout).toContain("```mermaid");
  });

  test("sarif output has the 2.1.0 structure with a rule for every result", async () => {
    const r = await review(breaking, ["--output", "sarif"]);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toMatch(/sarif/);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.name).toBe("tierguard");
    const ids = new Set(driver.rules.map((x: { id: string }) => x.id));
    for (const result of sarif.runs[0].results) {
      expect(ids.has(result.ruleId)).toBe(true);
      expect(["error", "warning", "note"]).toContain(result.level);
      expect(result.locations[0].physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
      expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
  });

  test("a change in a tier the author does not own; an owner's approval satisfies it", async () => {
    const dir = repoWith((d) => edit(d, "security/allow-dns.yaml", "order: 30", "order: 31"));
    const r = await review(dir, ["--output", "json"]);
    const own = JSON.parse(r.stdout).findings.filter((f: { code: string }) => f.code === "ownership/not-owner");
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ file: "security/allow-dns.yaml", severity: "error" });
    expect(own[0].message).toContain("@acme/secops");
    const approved = await review(dir, ["--output", "json", "--approved-by", "bob=@acme/secops"]);
    expect(JSON.parse(approved.stdout).findings.filter((f: { code: string }) => f.code === "ownership/not-owner")).toEqual([]);
  });

  test("a pull request cannot grant itself ownership: tierguard.yaml is read from the base", async () => {
    const dir = repoWith((d) => {
      edit(d, "tierguard.yaml", 'security:            { owners: ["@acme/secops"] }', 'security:            { owners: ["@acme/secops", "alice"] }');
      edit(d, "security/allow-dns.yaml", "order: 30", "order: 31");
    });
    const codes = JSON.parse((await review(dir, ["--output", "json"])).stdout).findings.filter((f: { code: string }) => f.code === "ownership/not-owner");
    expect(codes.map((f: { file: string }) => f.file).sort()).toEqual(["security/allow-dns.yaml", "tierguard.yaml"]);
  });

  test("the flow snapshot is read from the base: emptying it in the pull request changes nothing", async () => {
    const dir = repoWith((d) => {
      edit(d, "application/frontend.yaml", CURRENCY_EGRESS, "");
      writeFileSync(join(d, "flows/snapshot.jsonl.gz"), "");
    });
    const out = JSON.parse((await review(dir, ["--output", "json"])).stdout);
    expect(out.impact.newlyDenied).toHaveLength(1);
    expect(out.impact.totals.records).toBe(19766);
  });

  test("only formatting changed: no findings about the change, exit 0", async () => {
    const dir = repoWith((d) => edit(d, "application/frontend.yaml", /^/, "# a new comment\n"));
    const r = await review(dir, ["--output", "json"]);
    const out = JSON.parse(r.stdout);
    expect(out.findings.filter((f: { severity: string }) => f.severity === "error")).toEqual([]);
    expect(out.impact.newlyDenied).toEqual([]);
    expect(r.code).toBe(0);
  });

  test("no tierguard.yaml at base: defaults, no ownership, and the review says so", async () => {
    const dir = repoWith((d) => edit(d, "security/allow-dns.yaml", "order: 30", "order: 31"), { withConfig: false });
    const r = await review(dir, ["--output", "markdown"]);
    expect(r.stdout).not.toContain("ownership/not-owner");
    expect(r.stdout).toContain("no tierguard.yaml");
  });

  test("bad revisions and usage", async () => {
    const bad = await run(["review", "--repo", breaking, "--base", "nope", "--head", "pr", "--author", "alice"], { cwd: REPO_ROOT });
    expect(bad.code).toBe(2); // an option value that names nothing: a usage error, as a bad --selector is
    expect(bad.stderr).toMatch(/^tierguard: cannot read the revisions: nope is not a commit/);
    const usage = await run(["review", "--repo", breaking, "--base", "main"], { cwd: REPO_ROOT });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('tierguard: give --author LOGIN (the pull request author\'s GitHub login): git config user.name is "T Tester", not a GitHub login; or set git config github.user LOGIN\n');
    const missing = await run(["review", "--repo", join(breaking, "nope"), "--base", "main", "--author", "alice"], { cwd: REPO_ROOT });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`tierguard: cannot read --repo ${join(breaking, "nope")}: no such file or directory\n`);
    const badOutput = await run(["review", "--repo", breaking, "--base", "main", "--author", "a", "--output", "html"], { cwd: REPO_ROOT });
    expect(badOutput.code).toBe(2);
  });

  test("without --head the working tree is reviewed, uncommitted edits included, and the output says so; --author defaults to the git user", async () => {
    const dir = repoWith(() => undefined);
    execFileSync("git", ["-C", dir, "config", "github.user", "alice"]);
    edit(dir, "application/frontend.yaml", CURRENCY_EGRESS, ""); // not committed
    const r = await run(["review", "--repo", dir, "--base", "main", "--teams", "acme/app-devs", "--output", "json"], { cwd: REPO_ROOT });
    const out = JSON.parse(r.stdout);
    expect(out.impact.newlyDenied).toHaveLength(1);
    expect(out.findings.filter((f: { code: string }) => f.code === "impact/newly-denied")[0]).toMatchObject({ file: "application/frontend.yaml", line: 12 });
    const text = await run(["review", "--repo", dir, "--base", "main", "--teams", "acme/app-devs"], { cwd: REPO_ROOT });
    expect(text.stdout).toContain("note: Reviewed the working tree, uncommitted changes included (1 file: application/frontend.yaml); pass --head to review a commit.");
    expect(text.stdout).toContain("note: The author is @alice (from git config github.user; pass --author to change it).");
    // Nothing of the user's was touched: the edit is still uncommitted, the index empty.
    expect(execFileSync("git", ["-C", dir, "status", "--porcelain"]).toString()).toBe(" M application/frontend.yaml\n");
  });

  test("--head with a dirty working tree: the commit is reviewed and the user is warned that the edits are not", async () => {
    const dir = repoWith(() => undefined);
    edit(dir, "application/frontend.yaml", CURRENCY_EGRESS, "");
    const r = await run(["review", "--repo", dir, "--base", "main", "--head", "main", "--author", "alice", "--output", "json"], { cwd: REPO_ROOT });
    expect(JSON.parse(r.stdout).impact.newlyDenied).toEqual([]);
    expect(r.stderr).toBe(
      "tierguard: warning: the working tree has uncommitted changes (1 file: application/frontend.yaml); they are not reviewed, because --head main names a commit. Leave out --head to review the working tree.\n",
    );
  });

  test("a revision against itself: no warnings (lint findings on untouched resources are notices)", async () => {
    const r = await run(["review", "--repo", breaking, "--base", "main", "--head", "main", "--author", "alice"], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS: 0 errors, 0 warnings, 2 notices;/m);
  });

  test("--output text is terminal text: no Markdown escapes; colour only when stdout is a terminal, and never under NO_COLOR", async () => {
    const dir = repoWith((d) => cpSync(join(REPO_ROOT, "examples/pr-shopping-assistant/files"), d, { recursive: true }));
    const plain = await review(dir);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain("ask @acme/secops to approve ownership");
    expect(plain.stdout).not.toMatch(/&#8203;|\\[|#@&*_`<>]|\u001b\[/);
    expect(plain.stdout).toContain("before application|np:boutique/currencyservice|allow|0"); // Calico's own trace form, unescaped
    const args = ["review", "--repo", breaking, "--base", "main", "--head", "pr", "--author", "alice"];
    const tty = await run(args, { cwd: REPO_ROOT, stdoutIsTTY: true });
    expect(tty.stdout).toContain("\u001b[31merror\u001b[0m");
    expect(tty.stdout).toContain("\u001b[1mFAIL: ");
    const noColour = await run(args, { cwd: REPO_ROOT, stdoutIsTTY: true, env: { NO_COLOR: "1" } });
    expect(noColour.stdout).toContain("FAIL: ");
    expect(noColour.stdout).not.toContain("\u001b[");
  });
});
