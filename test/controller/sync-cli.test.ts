import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { ClusterPortFactory } from "../../src/cli/sync.js";
import { manyPolicies } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";

/**
 * `tierguard sync|stage|unstage` end to end on git repositories built here, against the in-memory cluster (the
 * ClusterPort factory is injected as the composition root will inject the Kubernetes adapter).
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = "policies: [policies]\nclusters:\n  - { name: eu-1, environment: prod, context: ctx-prod }\n  - { name: us-1, environment: staging, context: ctx-staging }\n";

/** A repository with one commit per entry (subject, policies.yaml text); `main` ends at the last one. */
function repo(commits: Array<[string, string]>, config = CONFIG): string {
  const dir = mkdtempSync(join(tmpdir(), "tg-sync-"));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=Alice", "-c", "user.email=a@x", ...args], { stdio: "pipe" }).toString().trim();
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, "tierguard.yaml"), config);
  writeFileSync(join(dir, "kubeconfig"), "apiVersion: v1\nkind: Config\n");
  mkdirSync(join(dir, "policies"));
  commits.forEach(([subject, text], i) => {
    writeFileSync(join(dir, "policies", "policies.yaml"), text);
    git("add", "-A");
    git("commit", "-q", "-m", subject);
    git("tag", `v${i + 1}`);
  });
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  contexts: Array<string | undefined>;
}

async function tg(argv: string[], cwd: string, cluster?: MemoryCluster): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const contexts: Array<string | undefined> = [];
  const io: CliIo = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stderrIsTTY: false, cwd, now: () => Date.UTC(2026, 11, 3, 12) };
  const clusterPort: ClusterPortFactory = (_file, opts) => {
    contexts.push(opts.context);
    return cluster!.port();
  };
  const code = await main(argv, io, cluster ? { clusterPort } : {});
  return { code, stdout: out.join(""), stderr: err.join(""), contexts };
}

const V1 = manyPolicies(["a", "b", "c"]);
const V2 = manyPolicies(["a", "b", "d"], { action: "Deny" });
const SYNC = (ref: string, ...rest: string[]) => ["sync", "--kubeconfig", "kubeconfig", "--repo", ".", "--ref", ref, "--environment", "prod", ...rest];

describe("tierguard sync", () => {
  test("--output json prints exactly {plan, writes, converged, transitional}; a second run writes nothing", async () => {
    const dir = repo([["Merge pull request #7 from acme/first", V1]]);
    const cluster = new MemoryCluster();
    const r = await tg(SYNC("v1", "--output", "json"), dir, cluster);
    expect(r.code).toBe(0);
    expect(r.contexts).toEqual(["ctx-prod"]);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["plan", "writes", "converged", "transitional"]);
    expect(json.writes).toEqual([
      { verb: "create", kind: "Tier", namespace: null, name: "security" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "a" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "b" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "c" },
    ]);
    expect(json.plan[0]).toEqual({ action: "create", kind: "Tier", name: "security", file: "policies/policies.yaml" });
    expect([json.converged, json.transitional]).toEqual([true, []]);
    // Provenance from the commit: its author and the pull request its subject names; audit lines on stderr.
    const a = cluster.get({ kind: "NetworkPolicy", namespace: "shop", name: "a" })!;
    expect([a.metadata.annotations?.["tierguard.dev/author"], a.metadata.annotations?.["tierguard.dev/pull-request"], a.metadata.annotations?.["tierguard.dev/applied-at"]]).toEqual(["Alice", "7", "2026-12-03T12:00:00.000Z"]);
    const audit = r.stderr.trim().split("\n").map((l) => JSON.parse(l)).filter((l) => l.audit);
    expect(audit.map((l) => [l.verb, l.name, l.pullRequest, l.author, l.environment])).toEqual([
      ["create", "security", 7, "Alice", "prod"], ["create", "a", 7, "Alice", "prod"], ["create", "b", 7, "Alice", "prod"], ["create", "c", 7, "Alice", "prod"],
    ]);
    const again = await tg(SYNC("v1", "--output", "json"), dir, cluster);
    expect([again.code, JSON.parse(again.stdout)]).toEqual([0, { plan: [], writes: [], converged: true, transitional: [] }]);
  });

  test("text prints the plan in the deployment comment's words", async () => {
    const dir = repo([["first", V1], ["Tighten (#9)", V2]]);
    const cluster = new MemoryCluster();
    await tg(SYNC("v1"), dir, cluster);
    const r = await tg(SYNC("v2"), dir, cluster);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(": 3 policies become enforced, 1 resource deleted.\n\nBecome enforced (each replaces its staged twin):\n  - NetworkPolicy shop/a (updated, tier security) in policies/policies.yaml\n");
    expect(r.stdout).toContain("Deleted:\n  - NetworkPolicy shop/c (deleted, tier security) in policies/policies.yaml\n");
    expect(r.stdout).toContain("Writes (4):\n  update NetworkPolicy shop/a\n  update NetworkPolicy shop/b\n  create NetworkPolicy shop/d\n  delete NetworkPolicy shop/c\n");
    expect(r.stdout.trim().split("\n").at(-1)).toBe("Converged: prod holds what the repository says.");
  });

  test("an unmanaged look-alike: exit 1 and nothing written; --adopt adopts it", async () => {
    const dir = repo([["first", V1]]);
    const cluster = new MemoryCluster().seed({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "b", namespace: "shop" }, spec: { tier: "security" } });
    const r = await tg(SYNC("v1", "--output", "json"), dir, cluster);
    expect([r.code, JSON.parse(r.stdout).converged, cluster.writes.length]).toEqual([1, false, 0]);
    expect(r.stderr).toContain("tierguard: conflict: NetworkPolicy shop/b is an object tierguard does not manage; tierguard never changes it (run with --adopt to take it over) (policies/policies.yaml:22)\n");
    expect((await tg(SYNC("v1", "--adopt"), dir, cluster)).code).toBe(0);
  });

  test("refusal to empty, --allow-empty, a dry run, --calico-version 3.31", async () => {
    const dir = repo([["first", V1], ["empty", manyPolicies([])]]);
    const cluster = new MemoryCluster();
    expect((await tg(SYNC("v1", "--dry-run"), dir, cluster)).code).toBe(1);
    expect(cluster.writes).toEqual([]);
    await tg(SYNC("v1"), dir, cluster);
    const refused = await tg(SYNC("v2"), dir, cluster);
    expect([refused.code, refused.stderr.split("\n").find((l) => l.startsWith("tierguard:"))]).toEqual([1, "tierguard: refused: this sync would delete every managed policy of the environment; run again with --allow-empty to confirm"]);
    expect((await tg(SYNC("v2", "--allow-empty"), dir, cluster)).code).toBe(0);
    const v31 = new MemoryCluster();
    expect((await tg(SYNC("v1", "--calico-version", "3.31"), dir, v31)).code).toBe(0);
    expect(v31.get({ kind: "NetworkPolicy", namespace: "shop", name: "security.a" })).toBeDefined();
  });

  test("a policy error at REF: exit 1, the error at its line, nothing applied", async () => {
    const dir = repo([["bad", V1.replace("action: Allow", "action: allow")]]);
    const cluster = new MemoryCluster();
    const r = await tg(SYNC("v1"), dir, cluster);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('policies/policies.yaml:18:15: error rule/action-case: action "allow" is not valid');
    expect(r.stderr).toContain("tierguard: refused: the repository at v1 has 1 policy error(s); nothing applied\n");
    expect(cluster.writes).toEqual([]);
  });

  test.each([
    [["--output", "yaml"], "--output must be one of text, json"],
    [["--environment", "nope"], "--environment nope is not in tierguard.yaml's clusters (prod, staging)"],
  ])("usage errors exit 2: %j", async (extra, message) => {
    const dir = repo([["first", V1]]);
    const argv = SYNC("v1", ...extra);
    if (extra[0] === "--environment") argv.splice(argv.indexOf("prod") - 1, 2);
    const r = await tg(argv, dir, new MemoryCluster());
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(message)]);
  });

  test("a missing option exits 2; several environments need --environment; --help lists the options", async () => {
    const dir = repo([["first", V1]]);
    expect((await tg(["sync", "--kubeconfig", "kubeconfig", "--repo", "."], dir, new MemoryCluster())).code).toBe(2);
    const noEnv = await tg(["sync", "--kubeconfig", "kubeconfig", "--repo", ".", "--ref", "v1"], dir, new MemoryCluster());
    expect([noEnv.code, noEnv.stderr]).toEqual([2, "tierguard: tierguard.yaml names several environments (prod, staging); choose one with --environment\n"]);
    const help = await tg(["sync", "--help"], dir);
    expect(help.code).toBe(0);
    for (const o of ["--kubeconfig", "--repo", "--ref", "--environment", "--dry-run", "--allow-transitional", "--adopt", "--allow-empty", "--output"]) expect(help.stdout).toContain(o);
    const none = await tg(SYNC("v1"), dir);
    // Without an injected cluster, the real adapter reads the kubeconfig: this one is no kubeconfig.
    expect([none.code, none.stderr]).toEqual([1, expect.stringMatching(/^tierguard: cannot use the kubeconfig \S+kubeconfig \(context [a-z-]+\): /)]);
  });
});

describe("tierguard stage and unstage", () => {
  test("stage the pull request's changes as previews, then unstage exactly them", async () => {
    const dir = repo([["first", V1], ["pr", V2]]);
    const cluster = new MemoryCluster();
    await tg(SYNC("v1"), dir, cluster);
    const enforced = JSON.stringify([...cluster.objects]);
    const staged = await tg(["stage", "--kubeconfig", "kubeconfig", "--repo", ".", "--base", "v1", "--head", "v2", "--pr", "12", "--output", "json"], dir, cluster);
    expect(staged.code).toBe(0);
    expect(JSON.parse(staged.stdout)).toEqual({
      writes: ["a", "b", "c", "d"].map((n) => ({ verb: "create", kind: "StagedNetworkPolicy", namespace: "shop", name: `${n}-pr12` })),
      skipped: [],
      shared: [],
      converged: true,
    });
    const un = await tg(["unstage", "--kubeconfig", "kubeconfig", "--pr", "12"], dir, cluster);
    expect(un.code).toBe(0);
    expect(un.stdout).toBe("pull request #12: 4 write(s).\n  delete StagedNetworkPolicy shop/a-pr12\n  delete StagedNetworkPolicy shop/b-pr12\n  delete StagedNetworkPolicy shop/c-pr12\n  delete StagedNetworkPolicy shop/d-pr12\nDone.\n");
    expect(JSON.stringify([...cluster.objects])).toBe(enforced);
    expect((await tg(["unstage", "--kubeconfig", "kubeconfig", "--pr", "x"], dir, cluster)).code).toBe(2);
  });
});
