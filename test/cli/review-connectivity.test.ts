import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DB_FROM_FRONT, DENY_SHOP, FRONT_INVENTORY, INVENTORY, SHOP_TO_INTERNET } from "../review/connectivity-fixtures.js";
import { enterpriseRecord, REPO_ROOT, run } from "./helpers.js";

/**
 * `tierguard review --output json` on small generated repositories with an inventory and no flow snapshot: the
 * connectivity diff is the only part of the review that sees the exposure.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(base: Record<string, string>, head: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tg-conn-"));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { stdio: "pipe" });
  const write = (files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
  };
  write({ "tierguard.yaml": "policies: [policies]\ninventory: inventory.yaml\n", "inventory.yaml": INVENTORY, ...base });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "pr");
  write(head);
  git("add", "-A");
  git("commit", "-q", "--allow-empty", "-m", "change");
  git("checkout", "-q", "main");
  return dir;
}

async function reviewJson(dir: string) {
  const r = await run(["review", "--repo", dir, "--base", "main", "--head", "pr", "--author", "alice", "--output", "json"], { cwd: REPO_ROOT });
  return JSON.parse(r.stdout);
}

describe("tierguard review: the connectivity diff", () => {
  test("a GlobalNetworkPolicy opening namespace shop to 0.0.0.0/0, with no flow to show it: connectivity names it first and warns at its rule", async () => {
    const out = await reviewJson(repo({ "policies/deny.yaml": DENY_SHOP }, { "policies/open.yaml": SHOP_TO_INTERNET }));
    expect(out.impact).toBeNull();
    expect(Object.keys(out.connectivity)).toEqual(["newlyReachable", "newlyUnreachable"]);
    expect(out.connectivity.newlyReachable[0]).toEqual({
      source: { kind: "anywhere", name: "anywhere outside the cluster", network: "0.0.0.0/0" },
      destination: { kind: "namespace", name: "namespace shop", namespace: "shop" },
      protocol: "TCP",
      ports: ["5432"],
      exercised: false,
      before: { verdict: "deny", decidedBy: "default|knp:shop/default-deny|deny|-1", tier: "default", policy: "KubernetesNetworkPolicy shop/default-deny", rule: -1, direction: "ingress" },
      after: { verdict: "allow", decidedBy: "default|gnp:open-shop|allow|0", tier: "default", policy: "GlobalNetworkPolicy open-shop", rule: 0, direction: "ingress" },
      mode: "enforced",
    });
    expect(out.connectivity.newlyUnreachable).toEqual([]);
    const exposure = out.findings.filter((f: { code: string }) => f.code === "impact/newly-reachable-from-internet");
    expect(exposure).toHaveLength(1);
    expect(exposure[0]).toMatchObject({ severity: "warning", file: "policies/open.yaml", line: 9, path: "spec.ingress[0]" });
  });

  test("a GlobalNetworkPolicy letting UDP from source port 53 into namespace shop: entries name sourcePorts, nothing else changes", async () => {
    const dns = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: { name: dns-replies }\nspec:\n  order: 10\n  namespaceSelector: projectcalico.org/name == 'shop'\n  types: [Ingress]\n  ingress:\n    - action: Allow\n      protocol: UDP\n      source: { ports: [53] }\n";
    const out = await reviewJson(repo({ "policies/deny.yaml": DENY_SHOP }, { "policies/dns.yaml": dns }));
    const entries = out.connectivity.newlyReachable.map((c: { source: { name: string }; protocol: string; ports: string[]; sourcePorts?: string[] }) => `${c.source.name} ${c.protocol} ${c.ports} from ${c.sourcePorts}`);
    expect(entries).toEqual(["anywhere outside the cluster UDP 1:65535 from 53", "namespace shop UDP 1:65535 from 53", "namespace other UDP 1:65535 from 53"]);
    expect(Object.keys(out.connectivity.newlyReachable[0])).toEqual(["source", "destination", "protocol", "ports", "sourcePorts", "exercised", "before", "after", "mode"]);
    expect(out.connectivity.newlyUnreachable).toEqual([]);
  });

  test("no change of meaning: connectivity present, both lists empty", async () => {
    const out = await reviewJson(repo({ "policies/deny.yaml": DENY_SHOP }, { "policies/deny.yaml": DENY_SHOP + "# reformatted\n" }));
    expect(out.connectivity).toEqual({ newlyReachable: [], newlyUnreachable: [] });
  });

  test("a recorded flow from web to db, replayed from the snapshot, exercises web's change and not admin's, which shares the namespace and the rule", async () => {
    const record = enterpriseRecord({
      source_ip: "10.1.0.1", source_name: "-", source_name_aggr: "web-*", source_namespace: "shop", source_labels: "-",
      dest_ip: "10.1.0.3", dest_name: "-", dest_name_aggr: "db-*", dest_namespace: "shop", dest_labels: "-", dest_port: 9000, action: "deny",
    });
    const config = "policies: [policies]\ninventory: inventory.yaml\nflows: [flows/snapshot.jsonl]\n";
    const dir = repo({ "tierguard.yaml": config, "inventory.yaml": FRONT_INVENTORY, "flows/snapshot.jsonl": record + "\n", "policies/deny.yaml": DENY_SHOP }, { "policies/db.yaml": DB_FROM_FRONT });
    const out = await reviewJson(dir);
    expect(out.impact.newlyAllowed.map((f: { src: string; dst: string; port: number }) => `${f.src} -> ${f.dst} ${f.port}`)).toEqual(["shop/web-* -> shop/db-* 9000"]);
    const entries = out.connectivity.newlyReachable.map((c: { source: { name: string }; destination: { name: string }; ports: string[]; exercised: boolean }) => `${c.source.name} -> ${c.destination.name} ${c.ports}: ${c.exercised}`);
    expect(entries).toEqual(["shop/{app=web,role=front} -> shop/{app=db} 9000: true", "shop/{app=admin,role=front} -> shop/{app=db} 9000: false"]);
  });
});
