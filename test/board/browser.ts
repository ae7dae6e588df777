import { existsSync } from "node:fs";
import { describe } from "@jest/globals";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). Where /usr/bin/chromium is missing
 * (`.ci/run` installs it with apt-get), the browser tests are skipped with a message saying so, not failed.
 */
/** TIERGUARD_CHROMIUM overrides the path (to check that the tests skip cleanly without it). */
export const CHROMIUM = process.env.TIERGUARD_CHROMIUM ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

export const describeInBrowser: (name: string, fn: () => void) => void = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(`SKIPPED: the board's browser tests need Debian's chromium at ${CHROMIUM} (apt-get install -y chromium)`);

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface OpenedPage {
  page: Page;
  requests: string[];
  errors: string[];
  /** Milliseconds from navigation to the board reporting itself rendered. */
  loadMs: number;
}

/** Opens a file and waits until the board has rendered; every request and console error is recorded. */
export async function openBoard(browser: Browser, file: string, viewport = { width: 1600, height: 1000 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => void requests.push(r.url()));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(`file://${file}`);
  await page.waitForSelector("body[data-rendered=true]", { timeout: 8000 });
  return { page, requests, errors, loadMs: Date.now() - t0 };
}
