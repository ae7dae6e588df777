import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, INVENTORY, parseJson, run, templateArgs, tempDir, type TempDir } from "./helpers.js";

/**
 * `tierguard explain`: the verdict for one connection and, in words, every tier and policy considered on each side.
 * Runs against the bundled template and its inventory.
 */
const explain = (...rest: string[]) => run(templateArgs("explain", "--inventory", INVENTORY, ...rest));

/** Every policy of the template, as `explain` names them. */
const POLICIES = [
  "GlobalNetworkPolicy quarantine",
  "GlobalNetworkPolicy block-threat-feed",
  "GlobalNetworkPolicy allow-dns",
  "GlobalNetworkPolicy allow-prometheus-scrape",
  "GlobalNetworkPolicy allow-ingress-to-frontend",
  "GlobalNetworkPolicy restrict-internet-egress",
  "StagedNetworkPolicy boutique/boutique-isolation",
  ...["adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice", "frontend", "loadgenerator", "paymentservice", "productcatalogservice", "recommendationservice", "shippingservice"].map(
    (s) => `NetworkPolicy boutique/${s}`,
  ),
  "KubernetesNetworkPolicy boutique/redis-cart",
  "StagedGlobalNetworkPolicy default-deny",
];
const TIERS = ["security", "platform", "namespace-isolation", "application", "default"];

/** The lines of one direction's section of the text output. */
function section(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l === "");
  return lines.slice(start, end === -1 ? undefined : end);
}

describe("tierguard explain", () => {
  test("an exact pod name: the verdict, then every tier and every policy on each side, and why", async () => {
    const r = await explain("--from", "boutique/frontend-wdtnk7lxn-k8zx2", "--to", "boutique/adservice-d5vlts8wj-bsp4q", "--port", "9555");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").slice(0, 3)).toEqual(["boutique/frontend-wdtnk7lxn-k8zx2 -> boutique/adservice-d5vlts8wj-bsp4q:9555/TCP", "Verdict: ALLOW", ""]);

    const egress = section(r.stdout, "Egress, evaluated at the source");
    const ingress = section(r.stdout, "Ingress, evaluated at the destination");
    expect(egress[0]).toBe("Egress, evaluated at the source boutique/frontend-wdtnk7lxn-k8zx2: ALLOW");
    expect(ingress[0]).toBe("Ingress, evaluated at the destination boutique/adservice-d5vlts8wj-bsp4q: ALLOW");
    for (const side of [egress, ingress]) {
      expect(side.filter((l) => l.startsWith("  tier ")).map((l) => l.split(" ")[3])).toEqual(TIERS);
      for (const p of POLICIES) expect(side.filter((l) => l.includes(` ${p} (order `)).length).toBe(1);
    }
    expect(egress).toEqual(
      expect.arrayContaining([
        '    - GlobalNetworkPolicy quarantine (order 10): does not apply: its selector quarantine == "true" does not match the endpoint',
        "    - GlobalNetworkPolicy allow-prometheus-scrape (order 100): does not apply: its types do not include Egress",
        "        rule 0 Pass at spec.egress[0]: matched -> Pass",
        "    * staged StagedNetworkPolicy boutique/boutique-isolation (order none): applies; staged, so it does not affect the enforced verdict",
        "    * NetworkPolicy boutique/frontend (order 100): applies",
        "        rule 5 Allow at spec.egress[5]: no match (destination.selector)",
        "        rule 6 Allow at spec.egress[6]: matched -> Allow",
        "  decided by: 2|application|np:boutique/frontend|allow|6",
        "  trace: 0|security|gnp:allow-dns|pass|-1  1|platform|gnp:restrict-internet-egress|pass|0  2|application|np:boutique/frontend|allow|6",
      ]),
    );
    expect(ingress).toEqual(expect.arrayContaining(["    * NetworkPolicy boutique/adservice (order 100): applies", "        rule 0 Allow at spec.ingress[0]: matched -> Allow"]));
  });

  test("a deployment's name stands for its replicas; a denied port says which rule did not match", async () => {
    const r = await explain("--from", "boutique/frontend", "--to", "boutique/adservice", "--port", "9556");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["boutique/frontend-wdtnk7lxn-k8zx2 -> boutique/adservice-d5vlts8wj-bsp4q:9556/TCP", "Verdict: DENY"]);
    expect(section(r.stdout, "Egress")).toEqual(
      expect.arrayContaining([
        "Egress, evaluated at the source boutique/frontend-wdtnk7lxn-k8zx2: DENY",
        "  tier application (order 400, default action Deny): end of tier: deny",
        "        rule 6 Allow at spec.egress[6]: no match (destination.ports)",
        "  decided by: 2|application|np:boutique/frontend|deny|-1",
      ]),
    );
    expect(section(r.stdout, "Ingress")).toEqual(expect.arrayContaining(["        rule 0 Allow at spec.ingress[0]: no match (destination.ports)"]));
  });

  test("IP addresses: a pod's IP names the pod; another address is external, with no ingress side", async () => {
    const r = await explain("--from", "10.244.0.4", "--to", "198.18.0.5", "--port", "443");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "boutique/frontend-wdtnk7lxn-k8zx2 (10.244.0.4) -> 198.18.0.5 (not a known pod: an external address):443/TCP",
      "Verdict: DENY",
      "",
      "198.18.0.5 is not a workload: no ingress policy applies to it.",
    ]);
    expect(lines).toContain("  decided by: 1|platform|gnp:restrict-internet-egress|deny|3");
    expect(lines).toContain("    * NetworkPolicy boutique/frontend (order 100): applies; not reached (an earlier policy or tier decided)");
    expect(r.stdout).not.toContain("Ingress, evaluated");
  });

  test("--protocol UDP: DNS to kube-dns is allowed by the security tier", async () => {
    const r = await explain("--from", "boutique/cartservice", "--to", "kube-system/coredns", "--port", "53", "--protocol", "udp");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^boutique\/cartservice-\S+ -> kube-system\/coredns-\S+:53\/UDP$/);
    expect(section(r.stdout, "Egress")).toContain("  decided by: 0|security|gnp:allow-dns|allow|0");
  });

  test("--from-labels and --to-labels stand in for pods when there is no inventory", async () => {
    const r = await run(
      templateArgs("explain", "--from", "boutique/web-1", "--from-labels", "app=frontend", "--to", "boutique/ads-1", "--to-labels", "app=adservice", "--port", "9555"),
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual(["boutique/web-1 with labels app=frontend -> boutique/ads-1 with labels app=adservice:9555/TCP", "Verdict: ALLOW"]);
    expect(r.stdout).toContain("  decided by: 2|application|np:boutique/adservice|allow|0");
  });

  test("--output json: the verdicts, both sides with their traces, tiers, policies and rules", async () => {
    const r = await explain("--from", "boutique/frontend", "--to", "boutique/adservice", "--port", "9556", "--output", "json");
    expect(r.code).toBe(0);
    const x = parseJson(r.stdout);
    expect(Object.keys(x)).toEqual(["from", "to", "port", "protocol", "verdict", "pendingVerdict", "egress", "ingress", "notes", "uncertain"]);
    expect(x).toMatchObject({
      from: "boutique/frontend-wdtnk7lxn-k8zx2",
      to: "boutique/adservice-d5vlts8wj-bsp4q",
      port: 9556,
      protocol: "TCP",
      verdict: "deny",
      pendingVerdict: "deny",
      notes: [],
      uncertain: [],
    });
    expect(x.egress).toMatchObject({
      direction: "egress",
      endpoint: "boutique/frontend-wdtnk7lxn-k8zx2",
      verdict: "deny",
      trace: ["0|security|gnp:allow-dns|pass|-1", "1|platform|gnp:restrict-internet-egress|pass|0", "2|application|np:boutique/frontend|deny|-1"],
      pendingTrace: ["0|security|gnp:block-threat-feed|pass|-1", "1|platform|gnp:restrict-internet-egress|pass|0", "2|namespace-isolation|snp:boutique/boutique-isolation|deny|4"],
    });
    expect(x.ingress.tiers.map((t: { name: string; outcome: string }) => [t.name, t.outcome])).toEqual([
      ["security", "end of tier: pass"],
      ["platform", "end of tier: pass"],
      ["namespace-isolation", "only staged policies (skipped)"],
      ["application", "end of tier: deny"],
      ["default", "not applicable"],
    ]);
    const application = x.ingress.tiers[3];
    expect(application).toMatchObject({ name: "application", order: 400, defaultAction: "Deny" });
    expect(application.policies[0]).toEqual({
      name: "boutique/adservice",
      kind: "NetworkPolicy",
      staged: false,
      order: 100,
      applies: "yes",
      rules: [{ index: 0, action: "Allow", path: "spec.ingress[0]", outcome: "no-match", detail: "destination.ports" }],
    });
    expect(application.policies[1]).toMatchObject({ name: "boutique/cartservice", applies: "no", whyNot: expect.stringContaining("does not match the endpoint") });
  });

  test.each([
    ["an unknown pod", ["--from", "boutique/nosuch", "--to", "boutique/adservice", "--port", "80"], "tierguard: --from: no pod boutique/nosuch in the inventory\n"],
    ["an unknown namespace", ["--from", "boutique/frontend", "--to", "elsewhere/db", "--port", "80"], "tierguard: --to: no pod elsewhere/db in the inventory\n"],
    ["neither NS/POD nor an IP", ["--from", "frontend", "--to", "boutique/adservice", "--port", "80"], 'tierguard: --from: "frontend" is neither NAMESPACE/POD nor an IP address\n'],
  ])("%s is a usage error (exit 2)", async (_name, args, message) => {
    const r = await explain(...args);
    expect(r).toEqual({ code: 2, stdout: "", stderr: message });
  });

  test("a prefix shared by different workloads is a usage error (exit 2) that lists them", async () => {
    const r = await explain("--from", "boutique/c", "--to", "boutique/adservice", "--port", "80");
    expectNoStackTrace(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tierguard: --from: boutique\/c matches 6 pods with different labels \(boutique\/cartservice-\S+, .*boutique\/checkoutservice-.*\); name one\n$/);
  });

  test("a pod name without --inventory or labels is a usage error (exit 2) that says what to give", async () => {
    const r = await run(templateArgs("explain", "--from", "boutique/frontend", "--to", "10.0.0.1", "--port", "80"));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "tierguard: --from: cannot resolve pod boutique/frontend without --inventory; give one, or give the pod's labels with --from-labels/--to-labels\n",
    );
  });

  describe("with broken policies", () => {
    let dir: TempDir;
    beforeAll(async () => {
      dir = await tempDir();
      await dir.write("p.yaml", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: all()\n  order: high\n");
    });
    afterAll(async () => {
      await dir.cleanup();
    });

    test("nothing is explained (exit 1)", async () => {
      const r = await run(["explain", "--policies", "p.yaml", "--from", "10.0.0.1", "--to", "10.0.0.2", "--port", "80"], { cwd: dir.path });
      expectNoStackTrace(r);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^p\.yaml:7:10: error \[schema\/wrong-type\] .*\ntierguard: the policies have errors \(run tierguard validate\)\n$/);
    });
  });
});
