import { afterAll, describe, expect, test } from "@jest/globals";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import yaml from "js-yaml";
import { edit, templateRepo } from "../../helpers/github-repo.js";
import { fakeRunner, NAME, OWNER, pullRequestPayload, TOKEN } from "./helpers.js";

/**
 * The committed Action: action.yml against what the code reads and writes, the bundle against its sources
 * (rebuilt and compared byte for byte), and the bundle itself run by `node` in a child process, as the runner runs
 * it, against a small local HTTP server standing in for GitHub's API (nock cannot reach into another process).
 */
const run = promisify(execFile);
const BUNDLE = "action/dist/index.mjs";
const scratch = mkdtempSync(join(tmpdir(), "tg-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("action.yml", () => {
  const meta = yaml.load(readFileSync("action/action.yml", "utf8")) as {
    name: string;
    description: string;
    branding: { icon: string; color: string };
    inputs: Record<string, { description: string; required?: boolean; default?: string }>;
    outputs: Record<string, { description: string }>;
    runs: { using: string; main: string };
  };

  test("runs the committed bundle on the runtime GitHub's runners support (node24; the bundle also runs on 20)", () => {
    expect(meta.runs).toEqual({ using: "node24", main: "dist/index.mjs" });
    expect(meta.name).toBe("tierguard");
    expect(meta.description.length).toBeLessThanOrEqual(125);
    expect(meta.branding).toEqual({ icon: "shield", color: "orange" });
  });

  test("declares exactly the inputs the Action reads, each described, with the documented defaults", () => {
    const read = [...readFileSync("src/github/action/inputs.ts", "utf8").matchAll(/input\(env, "([a-z-]+)"\)/g)].map((m) => m[1]);
    expect(Object.keys(meta.inputs).sort()).toEqual([...new Set(read)].sort());
    for (const [name, spec] of Object.entries(meta.inputs)) {
      expect([name, spec.description.length > 20, spec.required ?? false]).toEqual([name, true, false]);
    }
    const defaults = Object.fromEntries(Object.entries(meta.inputs).map(([k, v]) => [k, v.default]));
    expect(defaults).toEqual({
      config: "tierguard.yaml",
      flows: "",
      base: "",
      head: "",
      "github-token": "${{ github.token }}",
      "teams-token": "",
      comment: "false",
      "sarif-file": "",
      "fail-on": "error",
      "ack-impact": "false",
      recommend: "false",
      "recommend-out": "",
      "recommend-pr": "false",
      "board-file": "",
      "board-artifact": "tierguard-board",
    });
  });

  test("declares exactly the outputs the Action sets", () => {
    const setIn = (file: string) => [...readFileSync(`src/github/action/${file}`, "utf8").matchAll(/workflow\.output\("([a-z-]+)"/g)].map((m) => m[1]);
    const set = [...setIn("run.ts"), ...setIn("board.ts"), ...setIn("recommend.ts")];
    expect(Object.keys(meta.outputs).sort()).toEqual([...set].sort());
    expect(setIn("run.ts")).toEqual(["errors", "warnings", "notices", "findings", "newly-denied", "newly-allowed", "verdict"]);
    expect(setIn("board.ts")).toEqual(["board-file"]);
    expect(setIn("recommend.ts")).toEqual(["recommend-files", "recommend-dir", "recommend-namespaces", "recommend-newly-denied", "recommend-pr", "recommend-pr-number"]);
  });
});

describe("the template's workflow", () => {
  const wf = yaml.load(readFileSync("policies-template/.github/workflows/tierguard.yml", "utf8")) as {
    on: { pull_request: { paths: string[] } };
    permissions: Record<string, string>;
    jobs: { review: { steps: Array<{ id?: string; uses?: string; if?: string; with?: Record<string, unknown>; "continue-on-error"?: string }> } };
  };
  const meta = yaml.load(readFileSync("action/action.yml", "utf8")) as { inputs: Record<string, unknown> };
  const steps = wf.jobs.review.steps;
  const action = steps.find((s) => s.uses?.includes("/tierguard/action@"))!;
  const upload = steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;

  test("runs on pull requests touching what the template's tierguard.yaml reads", () => {
    const config = yaml.load(readFileSync("policies-template/tierguard.yaml", "utf8")) as { policies: string[]; tests: string; flows: string };
    const folders = [...config.policies, config.tests, config.flows.split("/")[0]].map((p) => `${p}/**`);
    expect(wf.on.pull_request.paths).toEqual(expect.arrayContaining([...folders, "tierguard.yaml"]));
  });

  test("uses the Action with inputs it declares, the teams-token secret, and uploads its SARIF even when the step fails", () => {
    expect(action.uses).toBe("tierguard/tierguard/action@v1");
    expect(Object.keys(action.with!).filter((k) => !(k in meta.inputs))).toEqual([]);
    expect(action.with).toMatchObject({ "teams-token": "${{ secrets.TIERGUARD_TEAMS_TOKEN }}", comment: true, "sarif-file": "tierguard.sarif" });
    expect(upload.uses).toBe("github/codeql-action/upload-sarif@v4");
    expect(upload.if).toMatch(/^always\(\)/);
    expect(upload.with).toMatchObject({ sarif_file: action.with!["sarif-file"] });
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write", "security-events": "write", actions: "read" });
  });

  test("writes the policy board and uploads it as the artifact the comment names, even when the step fails", () => {
    const board = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(action.with!["board-file"]).toBe("tierguard-board.html");
    expect(board.if).toBe("always() && steps.tierguard.outputs.board-file != ''");
    expect(board.with).toMatchObject({ name: (meta.inputs["board-artifact"] as { default: string }).default, path: "${{ steps.tierguard.outputs.board-file }}" });
  });

  test("the recommendation workflow runs on tierguard.yaml's recommend.schedule, with the write permissions it needs", () => {
    const rec = yaml.load(readFileSync("policies-template/.github/workflows/tierguard-recommend.yml", "utf8")) as any;
    const config = yaml.load(readFileSync("policies-template/tierguard.yaml", "utf8")) as { recommend: { schedule: string } };
    expect(rec.on.schedule).toEqual([{ cron: config.recommend.schedule }]);
    expect(rec.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    const step = rec.jobs.recommend.steps.find((s: any) => s.uses?.includes("/tierguard/action@"));
    expect(Object.keys(step.with).filter((k) => !(k in meta.inputs))).toEqual([]);
    expect(step.with["recommend-pr"]).toBe(true);
  });
});

describe("the bundle", () => {
  test("is what `npm run build:action` makes from the current sources (rebuild, compare byte for byte)", async () => {
    const fresh = join(scratch, "index.mjs");
    await run(process.execPath, ["action/build.mjs", "--outfile", fresh]);
    const same = Buffer.compare(readFileSync(fresh), readFileSync(BUNDLE)) === 0;
    if (!same) throw new Error(`${BUNDLE} is stale: run \`npm run build:action\` and commit it`);
    expect(same).toBe(true);
  });

  test("is one file: no worker script beside it, so the replay runs in one thread", () => {
    expect(readdirSync("action/dist")).toEqual(["index.mjs"]);
    // src/io/replay-files.ts falls back to one thread when this file does not exist next to the bundle.
    expect(readFileSync(BUNDLE, "utf8")).toContain('new URL("./replay-worker.js", import.meta.url)');
  });

  test("started without a runner's environment, it fails with one clear message and no stack trace", async () => {
    const result = await run(process.execPath, [BUNDLE], { env: { PATH: process.env.PATH, "INPUT_GITHUB-TOKEN": "x" } }).then(
      () => ({ code: 0, stdout: "" }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("::add-mask::x\n::error::tierguard: GITHUB_EVENT_PATH is not set: tierguard's Action runs as a step of a GitHub Actions workflow, which sets it\n");
  });

  test(`reviews a pull request end to end in a child process (node ${process.versions.node}) against a local GitHub`, async () => {
    const repo = templateRepo();
    const github = await fakeGitHub(repo.dir);
    try {
      const base = repo.commit("base");
      const head = repo.commit("drop the currency service", (d) =>
        edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
      );
      const runner = fakeRunner({ event: pullRequestPayload({ number: 7, author: "alice", base, head }), inputs: { "sarif-file": "tierguard.sarif" }, env: { GITHUB_API_URL: github.url } });
      const child = await run(process.execPath, [BUNDLE], { env: { PATH: process.env.PATH, ...runner.env } }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(github.unexpected).toEqual([]);
      expect(child.stderr).toBe("");
      expect(child.code).toBe(1);
      expect(runner.outputs()).toMatchObject({ errors: "2", "newly-denied": "1", "newly-allowed": "0", verdict: "fail" });
      expect(runner.summary()).toMatch(/^### ❌ 2 errors, 1 warning · 1 flow newly denied, 0 newly allowed\n/);
      expect(JSON.parse(readFileSync(join(runner.dir, "tierguard.sarif"), "utf8")).version).toBe("2.1.0");
      expect(github.authorizations).toEqual(new Set([`token ${TOKEN}`]));
      runner.cleanup();
    } finally {
      await github.close();
      repo.cleanup();
    }
  });
});

/** GitHub's Git Data API for a local repository, plus an empty list of reviews; anything else is recorded and refused. */
async function fakeGitHub(dir: string) {
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "buffer", maxBuffer: 1 << 28 });
  const unexpected: string[] = [];
  const authorizations = new Set<string>();
  const prefix = `/repos/${OWNER}/${NAME}`;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    authorizations.add(String(req.headers.authorization));
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method !== "GET") {
      unexpected.push(`${req.method} ${path}`);
      return json(res, 404, { message: "Not Found" });
    }
    if ((m = new RegExp(`^${prefix}/git/commits/([0-9a-f]{40})$`).exec(path))) {
      return json(res, 200, { sha: m[1], tree: { sha: git("rev-parse", `${m[1]}^{tree}`).toString().trim() } });
    }
    if ((m = new RegExp(`^${prefix}/git/trees/([0-9a-f]{40})$`).exec(path)) && url.searchParams.get("recursive") === "1") {
      const tree = git("ls-tree", "-r", "--long", "-z", m[1])
        .toString()
        .split("\0")
        .filter(Boolean)
        .map((rec) => {
          const tab = rec.indexOf("\t");
          const [mode, type, sha, size] = rec.slice(0, tab).split(/ +/);
          return { path: rec.slice(tab + 1), mode, type, sha, size: Number(size) };
        });
      return json(res, 200, { sha: m[1], truncated: false, tree });
    }
    if ((m = new RegExp(`^${prefix}/git/blobs/([0-9a-f]{40})$`).exec(path))) {
      const content = git("cat-file", "blob", m[1]);
      if (String(req.headers.accept).includes("application/vnd.github.raw")) return void res.writeHead(200, { "content-type": "application/vnd.github.raw" }).end(content);
      return json(res, 200, { sha: m[1], size: content.length, encoding: "base64", content: content.toString("base64") });
    }
    if ((m = new RegExp(`^${prefix}/compare/([0-9a-f]{40})\\.\\.\\.([0-9a-f]{40})$`).exec(path))) {
      return json(res, 200, { merge_base_commit: { sha: git("merge-base", m[1], m[2]).toString().trim() } });
    }
    if (path === `${prefix}/pulls/7/reviews`) return json(res, 200, []);
    unexpected.push(`GET ${path}`);
    json(res, 404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    unexpected,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
