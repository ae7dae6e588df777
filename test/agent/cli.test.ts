import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, INVENTORY, run, tempDir, templateArgs, type TempDir } from "../cli/helpers.js";

/** `tierguard agent compile` in-process: the ruleset on stdout, refusals and usage errors with their exit codes. */
describe("tierguard agent compile", () => {
  test("prints the node's ruleset for the template, deterministically, with its stats on stderr", async () => {
    const args = ["agent", "compile", "--policies", ...templateArgs("x").slice(2), "--inventory", INVENTORY, "--node", "prod-pool-a-7d2k", "--stats"];
    const a = await run(args);
    expectNoStackTrace(a);
    expect(a.code).toBe(0);
    expect(a.stdout.split("\n").slice(0, 3)).toEqual(["table inet tierguard", "delete table inet tierguard", "table inet tierguard {"]);
    // The node's seven pods, each in the enforced egress map.
    expect(a.stdout.match(/^\t\t\t10\.244\.\d+\.\d+ : jump ep_e_eg_/gm)).toHaveLength(7);
    expect(JSON.parse(a.stderr)).toMatchObject({ localEndpoints: 7, policies: 12 });
    expect((await run(args)).stdout).toEqual(a.stdout);
  });

  test("a node without pods gets a ruleset with no endpoint and a warning", async () => {
    const r = await run(["agent", "compile", "--policies", ...templateArgs("x").slice(2), "--inventory", INVENTORY, "--node", "no-such-node"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("warning: no pod of the inventory has spec.nodeName no-such-node\n");
    expect(r.stdout).not.toContain("vmap");
  });

  test("an invalid table name is a usage error (2)", async () => {
    const r = await run(["agent", "compile", "--policies", "tiers", "--inventory", INVENTORY, "--node", "n", "--table", "bad name"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--table must be a letter then letters, digits, - or _ (at most 64), not "bad name"');
  });

  describe("refusals", () => {
    let dir: TempDir;
    beforeAll(async () => {
      dir = await tempDir("tierguard-agent-");
      await dir.write("p.yaml", [
        "apiVersion: projectcalico.org/v3",
        "kind: NetworkPolicy",
        "metadata: { name: web-http, namespace: boutique }",
        "spec:",
        "  selector: app == 'frontend'",
        "  ingress:",
        "    - action: Allow",
        "      protocol: TCP",
        "      http: { methods: [GET] }",
      ].join("\n"));
    });
    afterAll(() => dir.cleanup());

    test("an HTTP match on a local pod is refused with its code and field path (exit 1), nothing printed", async () => {
      const r = await run(["agent", "compile", "--policies", `${dir.path}/p.yaml`, "--inventory", INVENTORY, "--node", "prod-pool-a-7d2k"]);
      expectNoStackTrace(r);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${dir.path}/p.yaml:7:7: error [dataplane/not-evaluated] http matches are not evaluated by tierguard and cannot be compiled; the rule applies to boutique/frontend-wdtnk7lxn-k8zx2 (spec.ingress[0] in NetworkPolicy boutique/web-http)`);
      expect(r.stderr).toContain("refusing to compile a ruleset for node prod-pool-a-7d2k: 1 problem(s) above; nothing was approximated");
    });
  });
});
