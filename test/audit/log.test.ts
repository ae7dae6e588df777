import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROMOTION_EVENT, promotionEventFields } from "../../src/audit/index.js";
import { run } from "../cli/helpers.js";
import { HistoryRepo, policyYaml, TIERS } from "./git-history.js";

/**
 * `tierguard log` end to end on repositories built here: a policy added, widened, moved to another file, reformatted,
 * deleted and re-added; a pull request merged with a merge commit and one squashed; a selector narrowed, an action
 * flipped, a rule added; tierguard.yaml changed; the promotion records joined.
 */
const repo = new HistoryRepo();
const ids: Record<string, string> = {};
afterAll(() => repo.cleanup());

beforeAll(() => {
  ids.tiers = repo.commit("Add tiers", { "tiers.yaml": TIERS });
  ids.add = repo.commit("Add the web policy", { "apps/web.yaml": policyYaml({ name: "web" }) }, "alice");
  ids.widen = repo.commit("Open the metrics ports (#7)", { "apps/web.yaml": policyYaml({ name: "web", ports: [8080, "9000:9100"] }) }, "bob");
  ids.move = repo.move("apps/web.yaml", "shop/web-policy.yaml", "Reorganise folders", "carol");
  // Comments, key order and indentation only: not a change.
  const reformatted = policyYaml({ name: "web", ports: [8080, "9000:9100"], comment: "# the web tier's policy\n" })
    .replace("  order: 100\n  selector: app == 'web'\n", "  selector: \"app == 'web'\"\n  order: 100\n");
  ids.reformat = repo.commit("Reformat", { "shop/web-policy.yaml": reformatted }, "dave");
  repo.checkout("narrow", true);
  ids.narrow = repo.commit("Narrow the selector", { "shop/web-policy.yaml": policyYaml({ name: "web", ports: [8080, "9000:9100"], selector: "app == 'web' && tier == 'front'" }) }, "erin");
  repo.checkout("main");
  ids.merge = repo.mergePr("narrow", 12);
  ids.flip = repo.commit("Deny instead (#15)", {
    "shop/web-policy.yaml": policyYaml({ name: "web", ports: [8080, "9000:9100"], selector: "app == 'web' && tier == 'front'", action: "Deny",
      extraRule: "    - action: Allow\n      protocol: UDP\n      destination:\n        ports: [53]\n" }),
  }, "frank");
  ids.config = repo.commit("Config", { "tierguard.yaml": "admins: [alice]\npolicies: [apps, shop, tiers.yaml, db]\n" }, "alice");
  ids.remove = repo.commit("Remove the web policy", { "shop/web-policy.yaml": null }, "gina");
  ids.readd = repo.commit("Bring it back", { "shop/web.yaml": policyYaml({ name: "web" }) }, "hank");
  ids.db = repo.commit("A database policy", { "db/db.yaml": policyYaml({ name: "db", tier: "data", selector: "app == 'db'" }) }, "ivan");
  ids.rename = repo.commit("Rename db to database", { "db/db.yaml": policyYaml({ name: "database", tier: "data", selector: "app == 'db'" }) }, "judy");
  ids.config2 = repo.commit("More admins", { "tierguard.yaml": "# admins\npolicies: [apps, shop, tiers.yaml, db]\nadmins:\n  - alice\n  - bob\n" }, "alice");
});

interface Entry {
  commit: string;
  author: string;
  date: string;
  pr: number | null;
  kind: string;
  namespace: string | null;
  name: string;
  change: string;
  details: string[];
}

async function logJson(...args: string[]): Promise<Entry[]> {
  const r = await run(["log", "--repo", repo.dir, "--output", "json", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).entries;
}

const byCommit = (entries: Entry[], id: string) => entries.filter((e) => e.commit === id);

describe("tierguard log", () => {
  test("the JSON shape is exactly the issue's: entries of commit, author, date, pr, kind, namespace, name, change, details", async () => {
    const entries = await logJson();
    for (const e of entries) {
      expect(Object.keys(e)).toEqual(["commit", "author", "date", "pr", "kind", "namespace", "name", "change", "details"]);
      expect(["added", "changed", "removed", "moved"]).toContain(e.change);
    }
    // Newest first, like git log.
    expect(entries[0].commit).toBe(ids.config2);
  });

  test("added, widened, moved, reformatted (nothing), narrowed, flipped, removed and re-added: one entry each, by identity", async () => {
    const web = (await logJson("--policy", "NetworkPolicy/shop/web")).reverse();
    expect(web.map((e) => [e.commit, e.change, e.author])).toEqual([
      [ids.add, "added", "alice"],
      [ids.widen, "changed", "bob"],
      [ids.move, "moved", "carol"],
      [ids.narrow, "changed", "erin"],
      [ids.flip, "changed", "frank"],
      [ids.remove, "removed", "gina"],
      [ids.readd, "added", "hank"],
    ]);
    expect(web.some((e) => e.commit === ids.reformat)).toBe(false);
    expect(web[1].details).toEqual(["spec.ingress[0].destination.ports: ports widened from 8080 to 8080, 9000:9100"]);
    expect(web[2].details).toEqual(["moved from apps/web.yaml to shop/web-policy.yaml"]);
    expect(web[3].details).toEqual([`spec.selector: selector narrowed from app == "web" to (app == "web" && tier == "front")`]);
    expect(web[4].details).toEqual([
      "spec.ingress[0].action: action flipped from Allow to Deny",
      "spec.ingress[1]: rule added: Allow UDP to ports 53",
    ]);
    expect(web[5].details).toEqual(["removed from shop/web-policy.yaml"]);
    expect(web[0]).toMatchObject({ kind: "NetworkPolicy", namespace: "shop", name: "web" });
  });

  test("pull requests: from a merge commit's title for the commits it merged, from a squash title, none otherwise", async () => {
    const entries = await logJson();
    expect(byCommit(entries, ids.narrow)[0].pr).toBe(12);
    expect(byCommit(entries, ids.widen)[0].pr).toBe(7);
    expect(byCommit(entries, ids.flip)[0].pr).toBe(15);
    expect(byCommit(entries, ids.add)[0].pr).toBeNull();
    // The merge commit itself lists nothing: its content is the merged commit's.
    expect(byCommit(entries, ids.merge)).toEqual([]);
  });

  test("tierguard.yaml is compared by meaning; Tier resources are logged", async () => {
    const entries = await logJson();
    expect(byCommit(entries, ids.config)).toEqual([
      expect.objectContaining({ kind: "TierguardConfig", namespace: null, name: "tierguard.yaml", change: "added" }),
    ]);
    expect(byCommit(entries, ids.tiers)).toEqual([expect.objectContaining({ kind: "Tier", namespace: null, name: "application", change: "added" })]);
  });

  test("a resource renamed is the old identity removed and the new one added, each naming the other", async () => {
    const entries = byCommit(await logJson(), ids.rename);
    expect(entries.map((e) => [e.name, e.change, e.details])).toEqual([
      ["database", "added", ["renamed from db (db/db.yaml)"]],
      ["db", "removed", ["renamed to database (db/db.yaml)"]],
    ]);
  });

  test("tierguard.yaml changed in meaning (a list grew, keys reordered, a comment) is one changed entry", async () => {
    const [e] = byCommit(await logJson(), ids.config2);
    expect(e).toMatchObject({ kind: "TierguardConfig", change: "changed" });
    expect(e.details).toEqual(["admins: entry bob added"]);
  });

  test("--tier keeps the tier's policies and the Tier itself; --since keeps what was authored from that day", async () => {
    const app = await logJson("--tier", "application");
    expect(new Set(app.map((e) => e.name))).toEqual(new Set(["application", "web"]));
    const data = await logJson("--tier", "data");
    expect(data.map((e) => [e.name, e.change])).toEqual([["database", "added"], ["db", "removed"], ["db", "added"]]);
    const recent = await logJson("--since", "2026-01-10");
    expect(recent.map((e) => e.commit)).toEqual([ids.config2, ids.rename, ids.rename, ids.db, ids.readd, ids.remove]);
  });

  test("text and markdown name the commit, the author, the PR and the change", async () => {
    const text = await run(["log", "--repo", repo.dir, "--policy", "NetworkPolicy/shop/web"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${ids.widen.slice(0, 12)} 2026-01-03T00:00:00+00:00 bob (#7): NetworkPolicy shop/web changed\n    spec.ingress[0].destination.ports: ports widened`);
    const md = await run(["log", "--repo", repo.dir, "--policy", "web", "--output", "markdown"]);
    expect(md.stdout.split("\n")[0]).toBe("| date | commit | author | PR | resource | change | details |");
    expect(md.stdout).toContain(`| 2026-01-03 | \`${ids.widen.slice(0, 12)}\` | bob | #7 | NetworkPolicy shop/web | changed |`);
  });

  test("promotion records: a change reached an environment with the first successful promotion of a later commit", async () => {
    const file = join(repo.dir, "..", `promotions-${process.pid}.jsonl`);
    writeFileSync(file, [
      { commit: ids.widen, environment: "staging", time: "2026-01-04T10:00:00Z", outcome: "succeeded" },
      { commit: ids.merge, environment: "prod", time: "2026-01-09T10:00:00Z", outcome: "succeeded" },
      { commit: ids.flip, environment: "prod", time: "2026-01-10T10:00:00Z", outcome: "failed" },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const entries = await logJson("--promotions", file, "--policy", "NetworkPolicy/shop/web");
    const details = (id: string) => byCommit(entries, id)[0].details;
    expect(details(ids.add)).toContain("reached staging at 2026-01-04T10:00:00Z");
    expect(details(ids.add)).toContain("reached prod at 2026-01-09T10:00:00Z");
    expect(details(ids.narrow)).toContain("reached prod at 2026-01-09T10:00:00Z");
    expect(details(ids.narrow).some((d) => d.includes("staging"))).toBe(false);
    expect(details(ids.flip)).toContain("promotion to prod failed at 2026-01-10T10:00:00Z");
  });

  test("errors: a bad promotion line names file and line (exit 1), a bad --since is a usage error (2), a missing repository is invalid input (1)", async () => {
    const file = join(repo.dir, "..", `bad-promotions-${process.pid}.jsonl`);
    writeFileSync(file, `{"commit":"${ids.add}","environment":"prod","time":"2026-01-04T10:00:00Z","outcome":"succeeded"}\n{"commit":"xyz","environment":"prod","time":"t","outcome":"succeeded"}\n`);
    const bad = await run(["log", "--repo", repo.dir, "--promotions", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file}:2: error [promotions/bad-record] "commit" must be a commit id (hex), not "xyz"`);
    const since = await run(["log", "--repo", repo.dir, "--since", "last tuesday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain(`--since must be a date (YYYY-MM-DD) or an ISO 8601 time, not "last tuesday"`);
    const missing = await run(["log", "--repo", join(repo.dir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^tierguard: cannot read the history of .*nope: /);
    const help = await run(["log", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--promotions <file>");
  });

  test("--promotions reads the controller's JSON log: other log lines skipped, one fact per environment and cluster, optional fields checked", async () => {
    const file = join(repo.dir, "..", `controller-log-${process.pid}.jsonl`);
    const write = (o: Record<string, unknown>) => ({ commit: ids.merge, environment: "prod", cluster: "prod-eu", time: "2026-01-09T10:00:00Z", outcome: "succeeded", pr: 12, author: "erin", ...o });
    writeFileSync(file, [
      { level: "info", msg: "reconcile started", time: "2026-01-09T09:59:00Z" },
      write({ verb: "update", kind: "NetworkPolicy", namespace: "shop", name: "web", reason: "enforce NetworkPolicy shop/web" }),
      write({ verb: "create", kind: "Tier", namespace: null, name: "data", reason: "create Tier data" }),
      write({ cluster: "prod-us", time: "2026-01-09T11:00:00Z" }),
    ].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const entries = await logJson("--promotions", file, "--policy", "NetworkPolicy/shop/web");
    const narrow = byCommit(entries, ids.narrow)[0].details;
    expect(narrow.filter((d) => d.startsWith("reached"))).toEqual(["reached prod (cluster prod-eu) at 2026-01-09T10:00:00Z", "reached prod (cluster prod-us) at 2026-01-09T11:00:00Z"]);
    writeFileSync(file, JSON.stringify(write({ pr: "twelve" })) + "\n");
    const bad = await run(["log", "--repo", repo.dir, "--promotions", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file}:1: error [promotions/bad-record] "pr" must be a pull-request number, not "twelve"`);
  });

  test("--events reads kubectl get events -o json: the controller's annotated Events become promotion records, the cluster's other Events are skipped", async () => {
    const file = join(repo.dir, "..", `events-${process.pid}.json`);
    const ev = (i: number, annotations?: Record<string, string>, extra: Record<string, unknown> = {}) => ({
      apiVersion: "v1", kind: "Event", metadata: { name: `e${i}`, namespace: "tierguard-system", ...(annotations ? { annotations } : {}) },
      involvedObject: { kind: "Deployment", name: "x" }, reason: "Scheduled", message: "m", type: "Normal", ...extra,
    });
    const fields = promotionEventFields({ commit: ids.widen, environment: "staging", time: "2026-01-04T10:00:00Z", outcome: "succeeded", pr: 7 });
    expect(fields.reason).toBe("Promoted");
    const failed = promotionEventFields({ commit: ids.flip, environment: "prod", time: "", outcome: "failed" });
    expect([failed.reason, failed.type]).toEqual(["PromotionFailed", "Warning"]);
    // A record without a time takes the Event's own (lastTimestamp).
    const noTime = JSON.stringify({ commit: ids.flip, environment: "prod", outcome: "failed" });
    const list = { apiVersion: "v1", kind: "List", metadata: {}, items: [ev(0), ev(1, fields.annotations, { reason: fields.reason }), ev(2, { [PROMOTION_EVENT.annotation]: noTime }, { lastTimestamp: "2026-01-10T10:00:00Z" })] };
    writeFileSync(file, JSON.stringify(list, null, 2));
    const entries = await logJson("--events", file, "--policy", "NetworkPolicy/shop/web");
    expect(byCommit(entries, ids.add)[0].details).toContain("reached staging at 2026-01-04T10:00:00Z");
    expect(byCommit(entries, ids.flip)[0].details).toContain("promotion to prod failed at 2026-01-10T10:00:00Z");

    // A marked Event whose record is wrong: file, line and column of its annotation, and the field.
    list.items.push(ev(3, { [PROMOTION_EVENT.annotation]: JSON.stringify({ commit: "nope", environment: "prod", time: "2026-01-10T10:00:00Z", outcome: "succeeded" }) }));
    const text = JSON.stringify(list, null, 2);
    writeFileSync(file, text);
    const line = text.split("\n").findIndex((l) => l.includes('nope')) + 1;
    const bad = await run(["log", "--repo", repo.dir, "--events", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:${line}:\\d+: error \\[promotions/bad-event\\] tierguard.dev/promotion: "commit" must be a commit id \\(hex\\), not "nope" \\(items\\[3\\]\\.metadata\\.annotations\\["tierguard\\.dev/promotion"\\]\\)$`, "m"));
  });
});
