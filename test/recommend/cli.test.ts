import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { cpSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadBundle } from "../../src/policy/index.js";
import { enterpriseRecord, expectNoStackTrace, INVENTORY, parseJson, run, SNAPSHOT, tempDir, TEMPLATE, TEMPLATE_POLICIES, templateArgs, type CliRun, type TempDir } from "../cli/helpers.js";

/** `tierguard recommend` from the command line, in-process, on the bundled example and on small generated files. */
const recommend = (...rest: string[]) => run(templateArgs("recommend", "--flows", SNAPSHOT, "--inventory", INVENTORY, ...rest));

describe("tierguard recommend", () => {
  let first: CliRun;
  let tmp: TempDir;

  beforeAll(async () => {
    first = await recommend();
    tmp = await tempDir("tierguard-recommend-");
  });
  afterAll(() => tmp.cleanup());

  test("prints multi-document YAML that tierguard's own loader validates with zero errors, and the proof on stderr", () => {
    expect(first.code).toBe(0);
    const b = loadBundle([{ file: "out.yaml", text: first.stdout }]);
    expect(b.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(b.resources.map((r) => r.kind)).toEqual(["StagedNetworkPolicy", "StagedNetworkPolicy", "StagedNetworkPolicy", "StagedNetworkPolicy"]);
    expect(first.stderr).toContain("Proof: replaying 230 distinct flow tuples with the recommendation enforced denies 0 flow records that are allowed today");
    expect(first.stderr).toContain("read 19766 flow records into 230 distinct flow tuples");
    expect(first.stderr).toContain("egress: 4919 records (5651 connections) allowed by a higher tier: tier security, GlobalNetworkPolicy allow-dns rule 0");
    // The proof travels with the YAML into the pull request.
    expect(first.stdout).toContain("# Proof: replaying 230 distinct flow tuples with the recommendation enforced denies 0 flow records");
  });

  test("the same flows give byte-identical YAML", async () => {
    const again = await recommend();
    expect(again.stdout).toBe(first.stdout);
  });

  test("--out writes one file per namespace; --namespace limits the namespaces", async () => {
    const r = await recommend("--namespace", "boutique", "monitoring", "--out", join(tmp.path, "rec"));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readdirSync(join(tmp.path, "rec")).sort()).toEqual(["boutique-isolation.yaml", "monitoring-isolation.yaml"]);
    expect(r.stderr).toContain("wrote 2 files to");
    const text = readFileSync(join(tmp.path, "rec", "boutique-isolation.yaml"), "utf8");
    expect(first.stdout).toContain(text.split("\n").slice(5).join("\n").slice(0, 2000));
  });

  test("--out into the repository's own tier folder replaces the earlier recommendation; the repository then validates", async () => {
    const repo = join(tmp.path, "repo");
    cpSync(TEMPLATE, repo, { recursive: true });
    const r = await run(["recommend", "--policies", ...TEMPLATE_POLICIES, "--flows", SNAPSHOT, "--inventory", INVENTORY, "--namespace", "boutique", "--out", "namespace-isolation"], { cwd: repo });
    expect(r.code).toBe(0);
    expect(readdirSync(join(repo, "namespace-isolation"))).toEqual(["boutique-isolation.yaml"]);
    expect(readFileSync(join(repo, "namespace-isolation", "boutique-isolation.yaml"), "utf8")).toContain("# Recommended by tierguard recommend");
    const v = await run(["validate", ...TEMPLATE_POLICIES], { cwd: repo });
    expect(v.stdout).toMatch(/^0 errors/m);
    expect(v.code).toBe(0);
  });

  test("--output json: resources, exclusions, the proof and statuses", async () => {
    const r = await recommend("--output", "json", "--level", "workload", "--namespace", "boutique");
    expect(r.code).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.proof.newlyDenied).toEqual({ records: 0, connections: 0, examples: [] });
    expect(out.resources.length).toBe(13);
    expect(out.resources.every((x: any) => x.kind === "StagedNetworkPolicy" && x.spec.tier === "namespace-isolation")).toBe(true);
    expect(Object.values(out.statuses)).toEqual(Array(13).fill("Learning"));
    expect(out.excluded.length).toBeGreaterThan(3);
  });

  test("a Tier is emitted, ordered after the repository's tiers, when --tier names one it does not have", async () => {
    const r = await recommend("--tier", "recommended", "--namespace", "boutique");
    expect(r.code).toBe(0);
    const b = loadBundle([{ file: "out.yaml", text: r.stdout }]);
    expect(b.resources[0]).toEqual(expect.objectContaining({ kind: "Tier", metadata: { name: "recommended" }, spec: { order: 1100, defaultAction: "Pass" } }));
  });

  test("--now and the lifecycle durations: one hour of steady traffic, looked at with a 30m lookback, is Stable", async () => {
    const r = await recommend("--namespace", "boutique", "--initial-lookback", "30m", "--output", "json");
    expect(Object.values(parseJson(r.stdout).statuses)).toEqual(["Stable"]);
  });

  test.each([
    [["--now", "yesterday"], "--now must be an RFC 3339 time (2025-06-03T12:00:00Z) or UNIX seconds, not \"yesterday\""],
    [["--stale-after", "7 days"], "--stale-after must be a duration such as 2m30s, 24h or 7d, not \"7 days\""],
    [["--max-rules", "0"], "--max-rules must be a positive whole number, not \"0\""],
    [["--output", "xml"], "--output must be one of yaml, json, not \"xml\""],
    [["--namespace", "Shop_1"], "--namespace \"Shop_1\" is not a namespace name"],
  ])("usage error %j: exit 2 with a message", async (args, message) => {
    const r = await recommend(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expectNoStackTrace(r);
  });

  test("--help explains every option of the issue's command line", async () => {
    const r = await run(["recommend", "--help"]);
    expect(r.code).toBe(0);
    for (const o of ["--policies", "--flows", "--inventory", "--namespace", "--level", "--tier", "--out", "--output", "--max-rules", "--now", "--since", "--until", "--interval", "--initial-lookback", "--stabilization", "--stale-after"]) {
      expect(r.stdout).toContain(o);
    }
  });

  test("an unreadable line is reported with its number; the rest is still learned and proven, exit 1", async () => {
    const file = await tmp.write("bad.jsonl", [enterpriseRecord(), "{not json", enterpriseRecord({ dest_port: 9556 })].join("\n") + "\n");
    const r = await run(templateArgs("recommend", "--flows", file, "--inventory", INVENTORY, "--namespace", "boutique"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:2:2: error \[flows\/malformed-json\]/);
    expect(r.stderr).toContain("1 line of the flow files could not be read");
    expect(r.stdout).toContain("selector: app == 'frontend'");
  });

  test("Goldmane flows and several files add up", async () => {
    const goldmane = (port: number) => JSON.stringify({
      Key: { source_name: "frontend-wdtnk7lxn-*", source_namespace: "boutique", source_type: "WorkloadEndpoint", dest_name: "adservice-d5vlts8wj-*", dest_namespace: "boutique", dest_type: "WorkloadEndpoint", dest_port: port, proto: "tcp", reporter: "Src", action: "Allow" },
      start_time: 1748955600, end_time: 1748955660, source_labels: ["app=frontend", "pod-template-hash=wdtnk7lxn"], dest_labels: ["app=adservice", "pod-template-hash=d5vlts8wj"], num_connections_started: 2,
    });
    const a = await tmp.write("g1.jsonl", goldmane(9555) + "\n");
    const b = await tmp.write("g2.jsonl", goldmane(9557) + "\n");
    const r = await run(["recommend", "--policies", "tiers", "--flows", a, b, "--namespace", "boutique", "--output", "json"]);
    expect(r.code).toBe(0);
    const pol = parseJson(r.stdout).resources[0].spec;
    expect(pol.ingress[0]).toEqual(expect.objectContaining({ source: { selector: "app == 'frontend'" }, destination: { selector: "app == 'adservice'", ports: [9555, 9557] } }));
  });
});
