import { afterAll, beforeAll, expect, test } from "@jest/globals";
import type { Browser } from "playwright-core";
import { INVENTORY, run, SNAPSHOT, tempDir, TEMPLATE_POLICIES, type TempDir } from "../cli/helpers.js";
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
 * The board of the bundled template in headless Chromium: no request but the file itself, no console error, and the
 * numbers on screen equal to those `simulate --output json` prints for the same inputs (the totals, the deciding
 * tiers, and each policy's allowed/denied/passed/pending records worked out from simulate's own traces).
 */
type Counts = Record<"allowed" | "denied" | "passed" | "pending", number>;

/** Per policy (by flow-log name), records it allowed/denied/passed (enforced trace) or would decide (staged, pending trace). */
function countsFromSimulate(results: Array<Record<string, any>>): Map<string, Counts> {
  const out = new Map<string, Counts>();
  const cat: Record<string, keyof Counts> = { allow: "allowed", deny: "denied", pass: "passed" };
  for (const r of results) {
    const seen = new Set<string>();
    for (const side of [r.egress, r.ingress]) {
      if (!side) continue;
      for (const [trace, pending] of [[side.trace, false], [side.pending.trace, true]] as const) {
        for (const hit of trace as string[]) {
          const [, tier, name, action] = hit.split("|");
          if (tier === "__PROFILE__") continue;
          const staged = /^s(g)?(k)?np:/.test(name);
          if (staged !== pending) continue;
          seen.add(`${name}|${staged ? "pending" : cat[action]}`);
        }
      }
    }
    for (const k of seen) {
      const [name, c] = k.split("|");
      const e = out.get(name) ?? out.set(name, { allowed: 0, denied: 0, passed: 0, pending: 0 }).get(name)!;
      e[c as keyof Counts]++;
    }
  }
  return out;
}

const args = ["--policies", ...TEMPLATE_POLICIES, "--flows", SNAPSHOT, "--inventory", INVENTORY];
let dir: TempDir;
let browser: Browser;
let opened: OpenedPage;
let simulate: { results: Array<Record<string, any>>; summary: Record<string, any> };

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the tests below are skipped, with a message (browser.ts)
  dir = await tempDir("tg-board-");
  const board = await run(["board", ...args, "--out", `${dir.path}/board.html`]);
  expect(board.code).toBe(0);
  const sim = await run(["simulate", ...args, "--output", "json"]);
  expect(sim.code).toBe(0);
  simulate = JSON.parse(sim.stdout);
  browser = await launch();
  opened = await openBoard(browser, `${dir.path}/board.html`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dir?.cleanup();
});

describeInBrowser("the policy board in Chromium (the template)", () => {
  test("loads from disk with no request but the file and no console error", () => {
    expect(opened.requests).toEqual([`file://${dir.path}/board.html`]);
    expect(opened.errors).toEqual([]);
  });

  test("tiers are columns in evaluation order; the totals and deciding tiers equal simulate's", async () => {
    const { page } = opened;
    expect(await page.$$eval("section.tier", (s) => s.map((x) => (x as HTMLElement).dataset.tier))).toEqual(["security", "platform", "namespace-isolation", "application", "default"]);
    const total = (k: string) => page.$eval(`[data-total="${k}"] dd`, (e) => e.textContent);
    const n = (x: number) => x.toLocaleString("en-US");
    const s = simulate.summary;
    expect(await total("records")).toBe(n(s.records));
    expect(await total("allow-records")).toBe(`${n(s.verdict.allow.records)} records (${n(s.verdict.allow.flows)} flows)`);
    expect(await total("deny-records")).toBe(`${n(s.verdict.deny.records)} records (${n(s.verdict.deny.flows)} flows)`);
    expect(await total("profile-records")).toBe(`${n(s.decidingTier.__PROFILE__.records)} records`);
    const decided = await page.$$eval("section.tier", (secs) => secs.map((x) => [(x as HTMLElement).dataset.tier, x.querySelector('[data-count="decided"]')?.textContent]));
    for (const [tier, text] of decided) {
      const r = s.decidingTier[tier!]?.records ?? 0;
      expect(text).toBe(`decided ${n(r)} ${r === 1 ? "record" : "records"}`);
    }
  });

  test("each policy's allowed, denied, passed and pending records equal those in simulate's traces", async () => {
    const onScreen = await opened.page.$$eval(".policy", (btns) =>
      btns.map((b) => {
        const c = (k: string) => Number(b.querySelector(`[data-count="${k}"]`)!.textContent!.replace(/[^0-9]/g, ""));
        return [(b as HTMLElement).dataset.flowname!, { allowed: c("allowed"), denied: c("denied"), passed: c("passed"), pending: c("pending") }] as const;
      }),
    );
    const expected = countsFromSimulate(simulate.results);
    expect(onScreen).toHaveLength(20);
    for (const [name, counts] of onScreen) expect([name, counts]).toEqual([name, expected.get(name) ?? { allowed: 0, denied: 0, passed: 0, pending: 0 }]);
    // The numbers are not all zero: the comparison means something.
    expect(onScreen.find(([name]) => name === "np:boutique/cartservice")![1].allowed).toBeGreaterThan(1000);
    expect(onScreen.find(([name]) => name === "snp:boutique/boutique-isolation")![1].pending).toBeGreaterThan(1000);
  });

  test("clicking a policy opens its YAML with the rule lines marked, its explanation and its top flows; Esc closes", async () => {
    const { page } = opened;
    await page.click('.policy[data-flowname="np:boutique/cartservice"]');
    await page.waitForSelector("#details:not([hidden])");
    expect(await page.$eval("#details", (d) => (d as HTMLElement).dataset.id)).toBe("NetworkPolicy/boutique/cartservice");
    expect(await page.$eval("#details-title", (h) => h.textContent)).toContain("NetworkPolicy boutique/cartservice");
    expect(await page.$$eval("#details pre.yaml span.rule", (s) => s.map((x) => (x as HTMLElement).dataset.line))).toEqual(["22", "29", "37"]);
    expect(await page.$eval("#details", (d) => d.textContent)).toContain("Ingress rule 0: allow TCP from endpoints matching app == 'frontend' to port 7070.");
    expect(await page.$$eval("#details h3", (hs) => hs.map((h) => h.textContent))).toEqual(["In words", "Rules", "Top flows", "YAML"]);
    await page.screenshot({ path: `${dir.path}/board-details.png` });
    await page.keyboard.press("Escape");
    expect(await page.$eval("#details", (d) => (d as HTMLElement).hidden)).toBe(true);
    // Focus returns to the policy that opened it.
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.flowname)).toBe("np:boutique/cartservice");
  });

  test("keyboard: arrows move between policies and tiers, Enter opens one", async () => {
    const { page } = opened;
    await page.focus('.policy[data-flowname="gnp:quarantine"]');
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.flowname)).toBe("gnp:block-threat-feed");
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.flowname)).toBe("gnp:allow-ingress-to-frontend");
    await page.keyboard.press("Enter");
    expect(await page.$eval("#details", (d) => (d as HTMLElement).dataset.id)).toBe("GlobalNetworkPolicy//allow-ingress-to-frontend");
    await page.keyboard.press("Escape");
  });

  test("the search box filters by name, namespace or label, and the count says how many are shown", async () => {
    const { page } = opened;
    const visible = () => page.$$eval("li:not([hidden]) .policy", (b) => b.map((x) => (x as HTMLElement).dataset.flowname));
    await page.fill("#q", "cartservice");
    expect(await visible()).toEqual(["np:boutique/cartservice"]);
    expect(await page.$eval("#shown", (e) => e.textContent)).toBe("1 of 20 policies shown");
    await page.fill("#q", "quarantine");
    expect(await visible()).toEqual(["gnp:quarantine"]);
    await page.fill("#q", "boutique");
    // Shown: exactly the policies whose namespace, selector or labels mention the word (the global ones that select
    // the namespace included); every policy of the namespace among them.
    const model = JSON.parse(await page.$eval("#board-data", (e) => e.textContent!));
    const all = model.tiers.flatMap((t: { policies: unknown[] }) => t.policies) as Array<Record<string, any>>;
    const mentions = (p: Record<string, any>) => JSON.stringify([p.namespace, p.selector, p.effectiveSelector, p.labels]).toLowerCase().includes("boutique");
    expect(new Set(await visible())).toEqual(new Set(all.filter(mentions).map((p) => p.flowName)));
    expect(all.filter((p) => p.namespace === "boutique").every((p) => mentions(p))).toBe(true);
    expect((await visible()).length).toBeLessThan(20);
    await page.fill("#q", "");
    await page.check("#only-unused");
    expect(await visible()).toEqual(["gnp:quarantine"]);
    await page.uncheck("#only-unused");
    expect((await visible()).length).toBe(20);
    await page.screenshot({ path: `${dir.path}/board.png` });
  });
});
