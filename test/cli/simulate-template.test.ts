import { beforeAll, describe, expect, test } from "@jest/globals";
import { INVENTORY, parseJson, run, SNAPSHOT, templateArgs, templateSnapshotLines, type CliRun, type SimulateJson } from "./helpers.js";

/**
 * `tierguard simulate` on the bundled Online Boutique example: the policies-template folders, its gzipped flow
 * snapshot and inventory. The snapshot's generator recorded verdicts consistent with the policies, so tierguard
 * must agree with every one of them.
 */
const simulate = (...rest: string[]) => run(templateArgs("simulate", "--flows", SNAPSHOT, "--inventory", INVENTORY, ...rest));

/** Records of the snapshot whose results the tests know by heart. */
const DNS_LINE = 1;
const UNKNOWN_CALLER_LINE = 4254; // shoppingassistantservice → productcatalogservice:3550, not an allowed caller
const THREAT_FEED_LINE = 4996; // checkoutservice → a threat-feed address
const NEW_PORT_LINE = 5139; // frontend → adservice:9556, the port not allowed yet

describe("simulate on the bundled example", () => {
  let lines: string[];
  let json: CliRun;
  let out: SimulateJson;

  beforeAll(async () => {
    lines = templateSnapshotLines();
    json = await simulate("--output", "json", "--compare-recorded");
    out = parseJson<SimulateJson>(json.stdout);
  });

  test("--output json: one entry per record, in input order", () => {
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    expect(lines.length).toBe(19766);
    expect(out.results.length).toBe(lines.length);
    expect(out.results.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
    expect(out.summary.records).toBe(lines.length);
    expect(out.summary.skippedLines).toBe(0);
    expect(out.problems).toEqual([]);
  });

  test("each entry names the endpoints of its own record", () => {
    for (const i of [0, 999, 12345, lines.length - 1]) {
      const rec = JSON.parse(lines[i]);
      const entry = out.results[i];
      // "-" means the record aggregated the pod name away; the aggregate prefix names it then.
      const name = rec.source_name === "-" ? rec.source_name_aggr : rec.source_name;
      expect(entry.src).toBe(`${rec.source_namespace}/${name}`);
      expect(entry.port).toBe(rec.dest_port);
      expect(entry.protocol).toBe(rec.proto);
    }
  });

  test("a DNS lookup is allowed by the security tier on egress and by the namespace profile on ingress", () => {
    expect(out.results[DNS_LINE - 1]).toEqual({
      line: 1,
      src: "boutique/adservice-d5vlts8wj-bsp4q",
      dst: "kube-system/coredns-p6ksnvt8mm-ps8hd",
      protocol: "tcp",
      port: 53,
      verdict: "allow",
      pendingVerdict: "allow",
      egress: {
        verdict: "allow",
        trace: ["0|security|gnp:allow-dns|allow|1"],
        pending: { verdict: "allow", trace: ["0|security|gnp:allow-dns|allow|1"] },
      },
      ingress: {
        verdict: "allow",
        trace: ["0|security|gnp:block-threat-feed|pass|-1", "1|__PROFILE__|pro:kns.kube-system|allow|0"],
        pending: { verdict: "allow", trace: ["0|security|gnp:block-threat-feed|pass|-1", "1|__PROFILE__|pro:kns.kube-system|allow|0"] },
      },
    });
  });

  test("some records are denied, each with the trace that denies it", () => {
    const denied = out.results.filter((r) => r.verdict === "deny");
    expect(denied.length).toBe(108);
    expect(out.summary.verdict.deny.records).toBe(108);

    const unknownCaller = out.results[UNKNOWN_CALLER_LINE - 1];
    expect(unknownCaller.src).toBe("boutique/shoppingassistantservice-2vpxxkp6ch-v7scg");
    expect(unknownCaller.verdict).toBe("deny");
    expect(unknownCaller.egress.verdict).toBe("allow");
    expect(unknownCaller.ingress.trace).toEqual([
      "0|security|gnp:block-threat-feed|pass|-1",
      "1|platform|gnp:allow-ingress-to-frontend|pass|-1",
      "2|application|np:boutique/productcatalogservice|deny|-1",
    ]);
    // The staged default-deny of the default tier would deny its egress too.
    expect(unknownCaller.egress.pending.trace.at(-1)).toBe("3|default|sgnp:default-deny|deny|-1");

    const threat = out.results[THREAT_FEED_LINE - 1];
    expect(threat).toMatchObject({ dst: "globalnetworkset threat-feed", verdict: "deny", ingress: null });
    expect(threat.egress.trace).toEqual(["0|security|gnp:block-threat-feed|deny|0"]);

    const newPort = out.results[NEW_PORT_LINE - 1];
    expect(newPort).toMatchObject({ src: "boutique/frontend-wdtnk7lxn-k8zx2", port: 9556, verdict: "deny" });
    expect(newPort.egress.trace.at(-1)).toBe("2|application|np:boutique/frontend|deny|-1");
    expect(newPort.ingress.trace.at(-1)).toBe("2|application|np:boutique/adservice|deny|-1");
  });

  test("--compare-recorded agrees with every recorded verdict", () => {
    expect(out.comparison).toEqual({
      compared: lines.length,
      verdictAgree: lines.length,
      enforcedCompared: 0,
      enforcedAgree: 0,
      pendingCompared: 0,
      pendingAgree: 0,
      notComparable: 0,
      uncertainDiffer: 0,
      disagreements: [],
    });
  });

  test("--output text: a line per record, a blank line, then the totals", async () => {
    const r = await simulate();
    expect(r.code).toBe(0);
    const text = r.stdout.split("\n");
    expect(text.slice(0, 2)).toEqual([
      "line 1: boutique/adservice-d5vlts8wj-bsp4q -> kube-system/coredns-p6ksnvt8mm-ps8hd:53/TCP ALLOW by __PROFILE__|pro:kns.kube-system|allow|0",
      "line 2: boutique/adservice-d5vlts8wj-bsp4q -> kube-system/coredns-p6ksnvt8mm-ps8hd:53/UDP ALLOW by __PROFILE__|pro:kns.kube-system|allow|0",
    ]);
    expect(text[UNKNOWN_CALLER_LINE - 1]).toBe(
      "line 4254: boutique/shoppingassistantservice-2vpxxkp6ch-v7scg -> boutique/productcatalogservice-zzhfqwsg2-t2f6s:3550/TCP DENY by application|np:boutique/productcatalogservice|deny|-1",
    );
    expect(text.filter((l) => l.startsWith("line ")).length).toBe(lines.length);
    expect(text[lines.length]).toBe("");
    expect(text[lines.length + 1]).toBe("Replayed 19766 records (27799 flows).");
  });

  test("--output summary prints only the totals, and --compare-recorded its agreement", async () => {
    const r = await simulate("--output", "summary", "--compare-recorded");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")).toEqual([
      "Replayed 19766 records (27799 flows).",
      "  allowed: 19658 records (99.5%), 27578 flows",
      "  denied:  108 records (0.5%), 221 flows",
      "  with staged policies enforced (pending): allowed 19658, denied 108; 0 records would change",
      "  deciding tier:",
      "    application: 12776 records (64.6%), 17532 flows",
      "    no policy decided (the namespace profile allows): 5072 records (25.7%), 7660 flows",
      "    platform: 1527 records (7.7%), 2216 flows",
      "    default: 390 records (2.0%), 390 flows",
      "    security: 1 record (0.0%), 1 flow",
      "Compared with the verdicts the cluster recorded:",
      "  verdicts: 19766/19766 agree (100.0%)",
      "  enforced policy traces: the records carry none (no policies.enforced_policies), so none were compared",
      "  pending policy traces: the records carry none (no policies.pending_policies), so none were compared",
      "",
    ]);
  });

  test("--compare-recorded without --inventory: verdicts that differ only where tierguard's is uncertain are counted apart, with the hint to give --inventory", async () => {
    const r = await run(templateArgs("simulate", "--flows", SNAPSHOT, "--output", "summary", "--compare-recorded"));
    expect(r.code).toBe(0);
    const comparison = r.stdout.slice(r.stdout.indexOf("Compared with")).split("\n");
    expect(comparison).toEqual([
      "Compared with the verdicts the cluster recorded:",
      "  verdicts: 19538/19766 agree (98.8%)",
      "  uncertain: 228 verdicts differ where tierguard's verdict depended on facts the inputs do not give (not counted as disagreements); give --inventory (kubectl get namespaces,pods,serviceaccounts -A -o yaml) for namespace labels, service accounts and named ports",
      "  enforced policy traces: the records carry none (no policies.enforced_policies), so none were compared",
      "  pending policy traces: the records carry none (no policies.pending_policies), so none were compared",
      "",
    ]);
  });

  test("progress goes to stderr only when it is a terminal", async () => {
    const tty = await run(templateArgs("simulate", "--flows", SNAPSHOT, "--inventory", INVENTORY, "-o", "summary"), { stderrIsTTY: true, tickMs: 100 });
    expect(tty.code).toBe(0);
    // The fake clock advances 100 ms a reading; progress is checked every 1024 records and shown every 500 ms.
    expect(tty.stderr).toBe("\r5120 records (10240/s)   \r10240 records (10240/s)   \r15360 records (10240/s)   \r19766 records in 2.0 s (9412/s)\n");
    expect(out.results.length).toBe(19766); // and the JSON run above, with stderr not a terminal, printed nothing there
    expect(json.stderr).toBe("");
  });
});
