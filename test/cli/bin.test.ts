import { beforeAll, describe, expect, test } from "@jest/globals";
import { execFile, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { promisify } from "node:util";
import { BIN, ensureDist } from "../helpers/dist.js";
import { REPO_ROOT, run as inProcess, SNAPSHOT, TEMPLATE, TEMPLATE_POLICIES } from "./helpers.js";

/**
 * The built `tierguard` binary as a user runs it: a separate process with real streams and exit codes. Everything
 * else in test/cli runs the command in-process; this checks the wiring in bin.ts and processIo().
 */
const run = promisify(execFile);

/** Runs the binary; a non-zero exit is a result here, not an exception. */
async function tierguard(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: TEMPLATE });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== "number") throw e;
    return { code: err.code, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

describe("the tierguard binary", () => {
  beforeAll(ensureDist, 120_000); // one build for the whole run (test/helpers/dist.ts)

  test("validate with its exit codes: 0, 1 on bad input, 2 on bad usage", async () => {
    const [ok, missing, usage] = await Promise.all([
      tierguard(["validate", ...TEMPLATE_POLICIES]),
      tierguard(["validate", "-o", "json", "no-such-folder"]),
      tierguard(["validate", "--output", "yaml", "tiers"]),
    ]);
    expect(ok).toEqual({ code: 0, stdout: "0 errors, 0 warnings, 0 notices in 24 files (27 resources)\n", stderr: "" });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).diagnostics[0]).toMatchObject({ code: "load/not-found", file: "no-such-folder" });
    expect(usage).toEqual({ code: 2, stdout: "", stderr: 'tierguard: --output must be one of text, json, not "yaml"\n' });
  }, 60_000);

  test("a command loads its own modules only: validate never loads the Kubernetes client, Probot or the agent", async () => {
    // A module-resolution hook in the child records every module the command resolves (src/cli/main.ts loads a
    // command's module when the command line names it; --help loads them all).
    const dir = mkdtempSync(join(tmpdir(), "tg-loads-"));
    try {
      const log = join(dir, "resolved.txt");
      const hooks = `import { appendFileSync } from "node:fs";
        export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }`;
      writeFileSync(join(dir, "hooks.mjs"), hooks);
      writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});`);
      const resolved = async (args: string[]) => {
        writeFileSync(log, "");
        await run(process.execPath, ["--import", join(dir, "register.mjs"), BIN, ...args], { cwd: TEMPLATE });
        return readFileSync(log, "utf8");
      };
      const validate = await resolved(["validate", "tiers"]);
      expect(validate).toContain("/dist/cli/validate.js"); // the hook saw the command's own module
      for (const heavy of ["/node_modules/@kubernetes/client-node/", "/node_modules/probot/", "/dist/agent/", "/dist/cli/agent.js", "/dist/cli/app.js"]) expect(validate).not.toContain(heavy);
      // The agent's own commands load the Kubernetes client only to watch a cluster.
      const agentHelp = await resolved(["agent", "compile", "--help"]);
      expect(agentHelp).toContain("/dist/cli/agent.js");
      expect(agentHelp).not.toContain("/node_modules/@kubernetes/client-node/");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("the README's first command, `npm run example` (scripts/example-review.mjs), reviews the example pull request", async () => {
    const { stdout, stderr } = await run(process.execPath, ["scripts/example-review.mjs", "json"], { cwd: REPO_ROOT, maxBuffer: 1 << 26 });
    const findings = JSON.parse(stdout).findings as Array<{ code: string; severity: string; file: string; line: number }>;
    expect(findings.find((f) => f.code === "impact/newly-denied")).toMatchObject({ severity: "error", file: "application/frontend.yaml", line: 12 });
    expect(stderr).toBe("\n(tierguard review exited with 1: the pull request has errors, as this example intends)\n");
  }, 60_000);

  test("a reader that closes the pipe early ends the command quietly, without a stack trace", async () => {
    const child = spawn(process.execPath, [BIN, "simulate", "--policies", ...TEMPLATE_POLICIES, "--flows", SNAPSHOT], { cwd: TEMPLATE });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Like `| head -1`: read one chunk, then close our end of the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  test("simulate --output summary over worker threads prints exactly what one thread prints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tg-workers-"));
    try {
      // Uncompressed (a gzip cannot be cut into ranges), with a broken line so problem line numbers are checked too.
      // The first 6,000 records: three ranges, two cuts, like the whole file, at a third of the replays' cost.
      const lines = gunzipSync(readFileSync(join(TEMPLATE, SNAPSHOT))).toString("utf8").split("\n").slice(0, 6_000);
      lines.splice(3_000, 0, "{not json");
      const flows = join(dir, "flows.jsonl");
      writeFileSync(flows, lines.join("\n"));
      const args = ["simulate", "--policies", ...TEMPLATE_POLICIES, "--flows", flows, "--inventory", "flows/inventory.yaml", "--output", "summary", "--compare-recorded"];
      // The reference (one thread, no process needed) runs here while the binary runs in its own process.
      const [three, one] = await Promise.all([tierguard([...args, "--workers", "3"]), inProcess([...args, "--workers", "1"])]);
      expect(one.code).toBe(1);
      expect(one.stderr).toMatch(/flows\.jsonl:3001:2: error \[flows\/malformed-json\]/);
      expect(one.stdout).toMatch(/^Replayed 6000 records .*; 1 line skipped\.\n/);
      expect(three).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("review over worker threads reports exactly what one thread reports", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tg-review-workers-"));
    try {
      cpSync(TEMPLATE, dir, { recursive: true });
      const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { stdio: "pipe" });
      git("init", "-q", "-b", "main");
      git("add", "-A");
      git("commit", "-q", "-m", "base");
      const frontend = join(dir, "application/frontend.yaml");
      writeFileSync(frontend, readFileSync(frontend, "utf8").replace(/    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""));
      git("commit", "-q", "-am", "change");
      // The first 8,000 records: the frontend's calls to currencyservice (from record 5,706) among them.
      const lines = gunzipSync(readFileSync(join(TEMPLATE, SNAPSHOT))).toString("utf8").split("\n").slice(0, 8_000);
      lines.splice(5_000, 0, "{not json");
      const flows = join(dir, "flows.jsonl");
      writeFileSync(flows, lines.join("\n"));
      const args = ["review", "--repo", dir, "--base", "HEAD~1", "--head", "HEAD", "--author", "alice", "--teams", "acme/app-devs", "--flows", flows, "--output", "json"];
      // The reference (one thread, no process needed) runs here while the binary runs in its own process.
      const [three, one] = await Promise.all([tierguard([...args, "--workers", "3"]), inProcess([...args, "--workers", "1"])]);
      const impact = JSON.parse(one.stdout).impact;
      expect(impact.newlyDenied).toHaveLength(1);
      expect(impact.totals).toMatchObject({ records: 8000, skippedLines: 1 });
      expect(impact.totals.problems[0]).toMatch(/flows\.jsonl:5001: /);
      expect(three).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("the package root exports the library: parseSelector with matches, toString and coded errors", async () => {
    const lib = await import(join(REPO_ROOT, "dist/index.js"));
    const sel = lib.parseSelector("app in {'web', 'api'} && !has(quarantine)");
    expect(sel.toString()).toBe('(app in {"api", "web"} && !has(quarantine))');
    expect(sel.matches({ app: "web" })).toBe(true);
    expect(sel.matches({ app: "web", quarantine: "true" })).toBe(false);
    let caught: { code?: string; offset?: number } = {};
    try {
      lib.parseSelector("app == 'web");
    } catch (e) {
      caught = e as { code?: string; offset?: number };
    }
    expect({ code: caught.code, offset: caught.offset }).toEqual({ code: "selector/unterminated-string", offset: 7 });
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.exports["."].import).toBe("./dist/index.js");
    expect(pkg.bin.tierguard).toBe("dist/cli/bin.js");
  });
});

