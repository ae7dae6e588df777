import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { enterpriseRecord, run, tempDir, type TempDir } from "../cli/helpers.js";

/**
 * `tierguard board` without a browser: usage errors (exit 2), unreadable input (exit 1, naming the file and line),
 * a page that is self-contained (no URL outside it, a Content-Security-Policy forbidding fetches, no way for data
 * to close its script element), and "unused for N days" measured from the snapshot's newest record.
 */
const POLICY = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: adservice
  namespace: boutique
  annotations:
    note: "</script><script>alert(1)</script>"
spec:
  tier: application
  selector: app == 'adservice'
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'frontend'
      destination:
        ports: [9555]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: unused
  namespace: boutique
spec:
  tier: application
  selector: app == 'nothing'
  ingress:
    - action: Allow
`;

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir("tg-board-cli-");
  await dir.write("p.yaml", POLICY);
  const day = 86_400;
  // An old hit (200 days before the newest record) and a recent one to another workload.
  await dir.write("flows.jsonl", [enterpriseRecord({ start_time: 1_700_000_000 - 200 * day, end_time: 1_700_000_000 - 200 * day }), enterpriseRecord({ dest_labels: { labels: ["app=other"] }, start_time: 1_700_000_000, end_time: 1_700_000_000 })].join("\n") + "\n");
  await dir.write("bad.jsonl", enterpriseRecord() + "\n{not json\n");
});
afterAll(() => dir.cleanup());

const board = (...args: string[]) => run(["board", ...args], { cwd: dir.path });

describe("tierguard board (command line)", () => {
  test("usage errors exit 2 with the reason", async () => {
    const none = await board("--out", "x.html");
    expect([none.code, none.stderr]).toEqual([2, "tierguard: give --policies PATH..., or --repo DIR --base REV --head REV\n"]);
    const both = await board("--policies", "p.yaml", "--repo", ".", "--base", "main", "--out", "x.html");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--policies and --repo do not go together");
    const noBase = await board("--repo", ".", "--out", "x.html");
    expect(noBase.stderr).toContain("--repo needs --base");
    const days = await board("--policies", "p.yaml", "--out", "x.html", "--unused-days", "soon");
    expect([days.code, days.stderr]).toEqual([2, 'tierguard: --unused-days must be a positive whole number, not "soon"\n']);
    expect((await board("--help")).code).toBe(0);
  });

  test("unreadable input exits 1: a missing flow file before anything is written, a bad flow line by file and line after", async () => {
    const missing = await board("--policies", "p.yaml", "--flows", "nope.jsonl", "--out", "x.html");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^tierguard: cannot read --flows nope\.jsonl: /);
    const bad = await board("--policies", "p.yaml", "--flows", "bad.jsonl", "--out", "bad.html");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.jsonl:2:\d+: error \[flows\/malformed-json\]/);
    expect(readFileSync(`${dir.path}/bad.html`, "utf8")).toContain("<!doctype html>");
  });

  test("the page is self-contained: no URL, a CSP that forbids fetching, data that cannot close its script", async () => {
    const r = await board("--policies", "p.yaml", "--flows", "flows.jsonl", "--out", "ok.html");
    expect(r.code).toBe(0);
    const html = readFileSync(`${dir.path}/ok.html`, "utf8");
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html.match(/<\/script>/g)).toHaveLength(3); // the two data blocks' and the script's own
  });

  test("last hit and unused: a policy last hit longer than --unused-days before the newest record is marked stale", async () => {
    const model = async (days: string) => {
      await board("--policies", "p.yaml", "--flows", "flows.jsonl", "--out", `m${days}.html`, "--unused-days", days);
      const html = readFileSync(`${dir.path}/m${days}.html`, "utf8");
      const block = (id: string) => JSON.parse(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, "s").exec(html)![1]);
      const details = block("board-details");
      const m = block("board-data");
      return Object.fromEntries(m.tiers.flatMap((t: any) => t.policies).map((p: any) => [p.name, { ...p, ...details[p.id] }]));
    };
    const m90 = await model("90");
    expect(m90.adservice).toMatchObject({ lastHit: 1_700_000_000 - 200 * 86_400, stale: true, noHits: false });
    expect(m90.unused).toMatchObject({ noHits: true });
    expect(m90.unused.lastHit).toBeUndefined();
    const m365 = await model("365");
    expect(m365.adservice.stale).toBeUndefined();
    expect(m365.adservice.rules).toEqual([expect.objectContaining({ direction: "ingress", index: 0, line: 12, path: "spec.ingress[0]", noHits: false, words: "allow TCP from endpoints matching app == 'frontend' to port 9555" })]);
  });
});
