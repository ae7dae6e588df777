import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, INVENTORY, parseJson, run, TEMPLATE, tempDir, type TempDir } from "./helpers.js";

/**
 * `tierguard validate`, `explain` and `simulate` on a small repository holding a ClusterNetworkPolicy, in process,
 * against the template's inventory and flow snapshot: the Admin policy denies frontend → adservice:9555 in the
 * kube-admin tier before any other tier is consulted.
 */
const INV = `${TEMPLATE}/${INVENTORY}`;
/** A Goldmane flow frontend → adservice on `port`, recorded as allowed at the destination. */
const flow = (port: number) => JSON.stringify({
  Key: {
    sourceName: "frontend-wdtnk7lxn-*", sourceNamespace: "boutique", sourceType: "WorkloadEndpoint",
    destName: "adservice-d5vlts8wj-*", destNamespace: "boutique", destType: "WorkloadEndpoint",
    destPort: String(port), proto: "tcp", reporter: "Dst", action: "Allow", policies: {},
  },
  startTime: "1748955900", endTime: "1748956200",
  sourceLabels: ["app=frontend", "pod-template-hash=wdtnk7lxn"], destLabels: ["app=adservice", "pod-template-hash=d5vlts8wj"],
  numConnectionsStarted: "1",
});
const CNP = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: protect-ads
spec:
  tier: Admin
  priority: 10
  subject:
    pods:
      namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: boutique } }
      podSelector: { matchLabels: { app: adservice } }
  ingress:
    - name: no-frontend
      action: Deny
      from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } }]
      protocols: [{ tcp: { destinationPort: { number: 9555 } } }]
`;
const FROM = "boutique/frontend-wdtnk7lxn-k8zx2";
const TO = "boutique/adservice-d5vlts8wj-bsp4q";

describe("tierguard on a repository with a ClusterNetworkPolicy", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
    await dir.write("policies/cnp.yaml", CNP);
    await dir.write("flows.jsonl", `${flow(9555)}\n${flow(9556)}\n`);
    await dir.write("bad/cnp.yaml", CNP.replace("priority: 10", "priority: 1001").replace("number: 9555", "number: 70000"));
  });
  afterAll(() => dir.cleanup());

  test("validate: a valid ClusterNetworkPolicy passes; a bad one fails with codes at file:line:col", async () => {
    const ok = await run(["validate", "policies"], { cwd: dir.path });
    expectNoStackTrace(ok);
    expect(ok.code).toBe(0);
    const bad = await run(["validate", "-o", "json", "bad"], { cwd: dir.path });
    expect(bad.code).not.toBe(0);
    const diags = (parseJson(bad.stdout) as { diagnostics: Array<{ code: string; line: number; col: number; path: string }> }).diagnostics;
    expect(diags.map(({ code, line, col, path }) => ({ code, line, col, path }))).toEqual([
      { code: "cnp/priority-range", line: 7, col: 13, path: "spec.priority" },
      { code: "cnp/port-range", line: 16, col: 55, path: "spec.ingress[0].protocols[0].tcp.destinationPort.number" },
    ]);
  });

  test("explain: the kube-admin tier decides, named with the kcnp kind", async () => {
    const r = await run(["explain", "--policies", "policies", "--inventory", INV, "--from", FROM, "--to", TO, "--port", "9555"], { cwd: dir.path });
    expectNoStackTrace(r);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([`${FROM} -> ${TO}:9555/TCP`, "Verdict: DENY"]);
    expect(r.stdout).toContain("  decided by: 0|kube-admin|kcnp:protect-ads|deny|0");
    const other = await run(["explain", "--policies", "policies", "--inventory", INV, "--from", FROM, "--to", TO, "--port", "9556"], { cwd: dir.path });
    expect(other.stdout.split("\n")[1]).toBe("Verdict: ALLOW");
  });

  test("simulate: recorded flows frontend → adservice:9555 become denied by the ClusterNetworkPolicy", async () => {
    const r = await run(["simulate", "--policies", "policies", "--inventory", INV, "--flows", "flows.jsonl", "-o", "json"], { cwd: dir.path });
    expectNoStackTrace(r);
    type Result = { port: number; verdict: string; ingress: { trace: string[] } };
    const results = (parseJson(r.stdout) as { results: Result[] }).results;
    expect(results.map((x) => ({ port: x.port, verdict: x.verdict, trace: x.ingress.trace }))).toEqual([
      { port: 9555, verdict: "deny", trace: ["0|kube-admin|kcnp:protect-ads|deny|0"] },
      { port: 9556, verdict: "allow", trace: ["0|kube-admin|kcnp:protect-ads|pass|-1", "1|__PROFILE__|pro:kns.boutique|allow|0"] },
    ]);
  });

  test("select: the pods a ClusterNetworkPolicy applies to, with its kube-admin tier and effective selector", async () => {
    const r = await run(["select", "--policies", "policies", "--inventory", INV, "--policy", "protect-ads"], { cwd: dir.path });
    expectNoStackTrace(r);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^ClusterNetworkPolicy protect-ads \(tier kube-admin, effective selector .*app == "adservice".*\) applies to:$/);
    expect(lines[1]).toBe("  pod boutique/adservice-d5vlts8wj-bsp4q (ingress)");
    expect(lines[2]).toMatch(/^1 of \d+ endpoints$/);
  });
});
