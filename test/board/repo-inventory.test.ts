import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { enterpriseRecord, run, tempDir, type TempDir } from "../cli/helpers.js";

/**
 * `board --repo`: the inventory tierguard.yaml names is read from the base revision in memory, as `review` reads it
 * (cli/snapshot.ts loadInventory), never exported to a scratch file: what is said about it names the file in the
 * repository, never a temporary path, and an inventory the base lacks is a note, as review says it.
 */
const POLICY = (port: number) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: adservice
  namespace: boutique
spec:
  tier: application
  selector: app == 'adservice'
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'frontend'
      destination:
        ports: [${port}]
`;
const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: application
spec:
  order: 400
`;
const pod = (name: string, app: string) => `- apiVersion: v1
  kind: Pod
  metadata: { name: ${name}, namespace: boutique, labels: { app: ${app} } }
  spec: { nodeName: n1, serviceAccountName: default }
  status: { podIP: 10.0.0.${name.length} }
`;
const INVENTORY = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: { name: boutique, labels: { kubernetes.io/metadata.name: boutique } }
${pod("ad", "adservice")}${pod("front", "frontend")}`;

let dir: TempDir;
let repo: string;
const git = (...a: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...a], { stdio: "pipe" });

beforeAll(async () => {
  dir = await tempDir("tg-board-inv-");
  repo = join(dir.path, "repo");
  await dir.write("repo/tiers.yaml", TIERS);
  await dir.write("repo/adservice.yaml", POLICY(9555));
  await dir.write("repo/inventory.yaml", INVENTORY);
  await dir.write("repo/tierguard.yaml", "policies: [tiers.yaml, adservice.yaml]\ninventory: inventory.yaml\n");
  await dir.write("flows.jsonl", enterpriseRecord() + "\n");
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "pr");
  await dir.write("repo/adservice.yaml", POLICY(9556));
  git("commit", "-q", "-am", "change");
}, 30_000);
afterAll(() => dir.cleanup());

function boardData(file: string): any {
  const html = readFileSync(join(dir.path, file), "utf8");
  return JSON.parse(/<script type="application\/json" id="board-data">(.*?)<\/script>/s.exec(html)![1]);
}

describe("board --repo reads the base's inventory in memory", () => {
  test("the board counts the pods of the base's inventory and names where it came from", async () => {
    const r = await run(["board", "--repo", "repo", "--base", "main", "--head", "pr", "--flows", "flows.jsonl", "--out", "b.html"], { cwd: dir.path });
    expect([r.code, r.stderr]).toEqual([0, "tierguard: wrote the board (1 policies) to b.html\n"]);
    const data = boardData("b.html");
    const policy = data.tiers.flatMap((t: any) => t.policies).find((p: any) => p.name === "adservice");
    expect(policy.endpoints).toBe(1);
    expect(readFileSync(join(dir.path, "b.html"), "utf8")).toContain("inventory: inventory.yaml (at main)");
  });

  test("an unreadable inventory is named as the repository's file, never as a scratch file", async () => {
    git("checkout", "-q", "-b", "bad-inv", "main");
    await dir.write("repo/inventory.yaml", "items: [\n");
    git("commit", "-q", "-am", "broken inventory");
    git("checkout", "-q", "pr");
    const r = await run(["board", "--repo", "repo", "--base", "bad-inv", "--head", "pr", "--flows", "flows.jsonl", "--out", "x.html"], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tierguard: cannot use the inventory inventory\.yaml: /);
    expect(r.stderr).not.toContain("tierguard-board-");
  });

  test("an inventory tierguard.yaml names that the base lacks is a note, as in review", async () => {
    git("checkout", "-q", "-b", "no-inv", "main");
    git("rm", "-q", "inventory.yaml");
    git("commit", "-q", "-m", "no inventory");
    git("checkout", "-q", "pr");
    const r = await run(["board", "--repo", "repo", "--base", "no-inv", "--head", "pr", "--flows", "flows.jsonl", "--out", "n.html"], { cwd: dir.path });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("tierguard: note: The inventory inventory.yaml named in tierguard.yaml is not in the base revision.\n");
    const policy = boardData("n.html").tiers.flatMap((t: any) => t.policies).find((p: any) => p.name === "adservice");
    expect(policy.endpoints).toBeUndefined();
  });
});
