import { afterAll, describe, expect, test } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ACTION_REF, ACTION_REPOSITORY } from "../../src/cli/init.js";
import { TIERGUARD_URI } from "../../src/report/index.js";
import { parseConfig } from "../../src/review/index.js";
import { REPO_ROOT, TEMPLATE, run } from "./helpers.js";

/**
 * `tierguard init`: a starter tierguard.yaml, tiers and workflow written into an existing policy repository. What
 * it writes loads and validates, names the folders that hold policies, and the workflow uses the Action by this
 * repository's own path; an existing file is kept unless --force.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A policy repository as teams have them before tierguard: policy folders, a README, no tierguard.yaml. */
function policyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "tg-init-"));
  dirs.push(dir);
  cpSync(join(TEMPLATE, "application"), join(dir, "apps", "boutique"), { recursive: true });
  cpSync(join(TEMPLATE, "platform"), join(dir, "platform"), { recursive: true });
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs", "notes.md"), "# notes\n");
  writeFileSync(join(dir, "README.md"), "# our policies\n");
  return dir;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

describe("tierguard init", () => {
  test("writes tierguard.yaml, tiers/tiers.yaml and the workflow, and says so", async () => {
    const dir = policyRepo();
    const r = await run(["init", "--admin", "@acme/netsec"], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout.split("\n").slice(0, 5)).toEqual(["wrote   tierguard.yaml", "wrote   tiers/tiers.yaml", "wrote   .github/workflows/tierguard.yml", "", "policies: tiers, apps, platform"]);
    expect(r.stdout).toContain("Then: tierguard validate tiers");
  });

  test("the tierguard.yaml it writes loads without a finding and names the folders that hold policies", async () => {
    const dir = policyRepo();
    await run(["init", "--admin", "@acme/netsec", "alice"], { cwd: dir });
    const { config, findings } = parseConfig(read(dir, "tierguard.yaml"));
    expect(findings).toEqual([]);
    expect(config.policies).toEqual(["tiers", "apps", "platform"]);
    expect(config.admins).toEqual(["acme/netsec", "alice"]);
    expect([...config.tiers.keys()]).toEqual(["security", "platform", "application", "default"]);
    expect(config.impact.newlyDenied).toBe("error");
  });

  test("everything it names validates: tierguard validate over the tiers and the policy folders exits 0", async () => {
    const dir = policyRepo();
    await run(["init"], { cwd: dir });
    const { config } = parseConfig(read(dir, "tierguard.yaml"));
    const r = await run(["validate", "--quiet", ...config.policies], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/^0 errors/m);
  });

  test("the workflow runs the Action by this repository's path, on the folders tierguard.yaml names", async () => {
    const dir = policyRepo();
    await run(["init"], { cwd: dir });
    const wf = parse(read(dir, ".github/workflows/tierguard.yml"));
    const step = wf.jobs.review.steps.find((s: { id?: string }) => s.id === "tierguard");
    expect(step.uses).toBe("tierguard/tierguard/action@v1");
    expect(step.uses).toBe(ACTION_REF);
    expect(wf.on.pull_request.paths).toEqual(["tiers/**", "apps/**", "platform/**", "tests/**", "flows/**", "tierguard.yaml", ".github/workflows/tierguard.yml"]);
    // The path is this repository's: the Action lives in action/, and the repository is the one tierguard names itself by.
    expect(existsSync(join(REPO_ROOT, "action", "action.yml"))).toBe(true);
    expect(TIERGUARD_URI).toBe(`https://github.com/${ACTION_REPOSITORY}`);
    expect(parse(read(REPO_ROOT, "app.yml")).url).toBe(`https://github.com/${ACTION_REPOSITORY}`);
  });

  test("the README and policies-template use the same Action reference, and no placeholder", () => {
    const uses = (text: string) => [...text.matchAll(/uses:\s*(\S*tierguard\/action@\S+)/g)].map((m) => m[1]);
    const readme = read(REPO_ROOT, "README.md");
    const template = read(TEMPLATE, ".github/workflows/tierguard.yml");
    expect([...new Set([...uses(readme), ...uses(template)])]).toEqual([ACTION_REF]);
    expect(`${readme}\n${template}`).not.toMatch(/placeholder/i);
  });

  test("an existing file is kept, and named; --force replaces it", async () => {
    const dir = policyRepo();
    writeFileSync(join(dir, "tierguard.yaml"), "# ours\n");
    const kept = await run(["init"], { cwd: dir });
    expect(kept.code).toBe(0);
    expect(kept.stdout.split("\n").slice(0, 3)).toEqual(["kept    tierguard.yaml (it exists; --force overwrites it)", "wrote   tiers/tiers.yaml", "wrote   .github/workflows/tierguard.yml"]);
    expect(read(dir, "tierguard.yaml")).toBe("# ours\n");
    const again = await run(["init"], { cwd: dir });
    expect(again.stdout.split("\n").slice(0, 3).every((l) => l.startsWith("kept "))).toBe(true);
    const forced = await run(["init", "--force"], { cwd: dir });
    expect(forced.stdout.split("\n").slice(0, 3)).toEqual(["replaced tierguard.yaml", "replaced tiers/tiers.yaml", "replaced .github/workflows/tierguard.yml"]);
    expect(parseConfig(read(dir, "tierguard.yaml")).findings).toEqual([]);
  });

  test.each([
    [["init", "missing-dir"], 1, "tierguard: missing-dir is not a directory: give the root of an existing policy repository\n"],
    [["init", "--admin", "not a team!"], 2, 'tierguard: --admin "not a team!" is not a GitHub login or @org/team\n'],
  ])("%j: exit %d, one line, nothing written", async (argv, code, stderr) => {
    const dir = policyRepo();
    const r = await run(argv, { cwd: dir });
    expect([r.code, r.stderr, r.stdout]).toEqual([code, stderr, ""]);
    expect(existsSync(join(dir, "tierguard.yaml"))).toBe(false);
  });

  test("--help says what it writes, that it never overwrites without --force, and the Action it uses", async () => {
    const r = await run(["init", "--help"]);
    expect(r.code).toBe(0);
    for (const s of ["tierguard.yaml", "tiers/tiers.yaml", ".github/workflows/tierguard.yml", "--force", "--admin", ACTION_REF, "Never overwrites"]) expect(r.stdout).toContain(s);
  });
});
