import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { REPO_ROOT, run, tempDir, TEMPLATE, type TempDir } from "../cli/helpers.js";
import { describeInBrowser, HAVE_CHROMIUM, launch, openBoard, type OpenedPage } from "./browser.js";


// What the page callbacks below touch in the browser (the project's TypeScript lib has no DOM; these stay local).
interface HTMLElement {
  dataset: Record<string, string | undefined>;
  hidden: boolean;
  textContent: string | null;
  closest(selector: string): HTMLElement | null;
  querySelector(selector: string): HTMLElement | null;
}
declare const document: { getElementById(id: string): HTMLElement | null; activeElement: HTMLElement | null };
declare const window: unknown;

/**
 * `board --repo --base --head` on a pull request against the template: the change (added, changed, removed) on the
 * board, and the newly denied and newly allowed counts per policy equal to `review --output json`'s for the same
 * revisions; policies and rules with no hits equal to the review's zero-hit list.
 */
const FRONTEND_CURRENCY = /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/;
const NEW_POLICY = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: debug-shell
  namespace: boutique
spec:
  tier: application
  order: 50
  selector: app == 'adservice'
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'loadgenerator'
`;

let dir: TempDir;
let repo: string;
let browser: Browser;
let opened: OpenedPage;
let review: { impact: Record<string, any> };

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the tests below are skipped, with a message (browser.ts)
  dir = await tempDir("tg-board-pr-");
  repo = join(dir.path, "repo");
  cpSync(TEMPLATE, repo, { recursive: true });
  const git = (...a: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...a], { stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "pr");
  const frontend = join(repo, "application/frontend.yaml");
  writeFileSync(frontend, readFileSync(frontend, "utf8").replace(FRONTEND_CURRENCY, ""));
  writeFileSync(join(repo, "application/debug-shell.yaml"), NEW_POLICY);
  rmSync(join(repo, "security/quarantine.yaml"));
  git("add", "-A");
  git("commit", "-q", "-m", "change");
  const r = await run(["review", "--repo", repo, "--base", "main", "--head", "pr", "--author", "alice", "--output", "json"], { cwd: REPO_ROOT });
  review = JSON.parse(r.stdout);
  const b = await run(["board", "--repo", repo, "--base", "main", "--head", "pr", "--out", join(dir.path, "pr.html")], { cwd: REPO_ROOT });
  expect(b.code).toBe(0);
  browser = await launch();
  opened = await openBoard(browser, join(dir.path, "pr.html"));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await dir?.cleanup();
});

describeInBrowser("the board of a pull request (--repo --base --head)", () => {
  test("no request but the file, no console error", () => {
    expect(opened.requests).toEqual([`file://${join(dir.path, "pr.html")}`]);
    expect(opened.errors).toEqual([]);
  });

  test("what the pull request changes is on the board: added, changed, removed", async () => {
    const badge = (sel: string) => opened.page.$$eval(sel, (els) => els.map((e) => (e.closest(".policy") as HTMLElement).dataset.flowname).sort());
    expect(await badge(".policy .b-added")).toEqual(["np:boutique/debug-shell"]);
    expect(await badge(".policy .b-changed")).toEqual(["np:boutique/frontend"]);
    expect(await badge(".policy .b-removed")).toEqual(["gnp:quarantine"]);
    expect(await opened.page.$eval('[data-total="change"] dd', (e) => e.textContent)).toBe("main → pr: 1 added, 1 changed, 1 removed");
  });

  test("newly denied and newly allowed flows, in total and per policy, equal review --output json's", async () => {
    const { page } = opened;
    const sum = (flows: Array<Record<string, any>>) => flows.reduce((n, f) => n + f.flows, 0);
    const denied = sum(review.impact.newlyDenied);
    expect(denied).toBeGreaterThan(0);
    expect(await page.$eval('[data-total="newly-denied"] dd', (e) => e.textContent)).toMatch(new RegExp(`^${denied.toLocaleString("en-US")} flows`));
    expect(await page.$eval('[data-total="newly-allowed"] dd', (e) => e.textContent)).toMatch(new RegExp(`^${sum(review.impact.newlyAllowed).toLocaleString("en-US")} flows`));
    const perPolicy = (flows: Array<Record<string, any>>, pick: (f: Record<string, any>) => string) => {
      const m: Record<string, number> = {};
      for (const f of flows) m[pick(f)] = (m[pick(f)] ?? 0) + f.flows;
      return m;
    };
    const onScreen = async (k: string) =>
      Object.fromEntries(await page.$$eval(`.policy [data-count="${k}"]`, (els) => els.map((e) => {
        const b = e.closest(".policy") as HTMLElement;
        const model = JSON.parse(document.getElementById("board-data")!.textContent!);
        const p = model.tiers.flatMap((t: any) => t.policies).find((x: any) => x.id === b.dataset.id);
        return [`${p.kind} ${p.namespace ? p.namespace + "/" : ""}${p.name}`, Number(e.textContent!.replace(/[^0-9]/g, ""))];
      })));
    expect(await onScreen("newly-denied")).toEqual(perPolicy(review.impact.newlyDenied, (f) => f.after.policy));
    expect(await onScreen("newly-allowed")).toEqual(perPolicy(review.impact.newlyAllowed, (f) => f.after.policy ?? f.before.policy));
  });

  test("policies and rules with no hits are the review's zero-hit list", async () => {
    // The whole model, details (rules) included, as the page itself assembles it.
    const model = (await opened.page.evaluate(() => (window as { boardModel(): unknown }).boardModel())) as any;
    const policies = model.tiers.flatMap((t: any) => t.policies).filter((p: any) => p.change !== "removed");
    const name = (p: any) => `${p.kind} ${p.namespace ? p.namespace + "/" : ""}${p.name}`;
    const board = policies.flatMap((p: any) => [...(p.noHits ? [name(p)] : []), ...p.rules.filter((r: any) => r.noHits).map((r: any) => `${name(p)} ${r.path}`)]);
    expect(board.sort()).toEqual([...review.impact.zeroHitPolicies].sort());
    expect(board.length).toBeGreaterThan(0);
    const shown = await opened.page.$$eval(".policy .b-nohits", (els) => els.length);
    expect(shown).toBe(policies.filter((p: any) => p.noHits).length);
    await opened.page.screenshot({ path: join(dir.path, "pr.png") });
  });
});
