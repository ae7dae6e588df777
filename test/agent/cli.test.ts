import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, INVENTORY, REPO_ROOT, run, tempDir, templateArgs, type TempDir } from "../cli/helpers.js";

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

describe("tierguard agent compile: interface names from the inventory", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir("tierguard-agent-if-");
    // The template's inventory with one pod of the node annotated with its host-side interface (a routed node).
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(`${REPO_ROOT}/policies-template/${INVENTORY}`, "utf8");
    const at = text.indexOf("  kind: Pod\n");
    const meta = text.indexOf("  metadata:\n", at) + "  metadata:\n".length;
    await dir.write("inventory.yaml", `${text.slice(0, meta)}    annotations:\n      tierguard.dev/interface: cali0123456789a\n${text.slice(meta)}`);
  });
  afterAll(() => dir.cleanup());

  test("an annotated pod on the node is held to its interface; the others go by address", async () => {
    const plain = await run(["agent", "compile", "--policies", ...templateArgs("x").slice(2), "--inventory", INVENTORY, "--node", "prod-pool-a-7d2k"]);
    expect(plain.stdout).not.toContain("chain spoof");
    const nodes = ["prod-pool-a-7d2k", "prod-pool-a-9q4m", "prod-pool-b-3x8r", "prod-pool-b-6h1t"];
    const outs = await Promise.all(nodes.map((node) => run(["agent", "compile", "--policies", ...templateArgs("x").slice(2), "--inventory", `${dir.path}/inventory.yaml`, "--node", node])));
    const held = outs.filter((o) => o.stdout.includes("chain spoof"));
    // The annotated pod lives on one node: that node's ruleset holds it to cali0123456789a.
    expect(held).toHaveLength(1);
    expect(held[0].stdout).toMatch(/^\t\t\t"cali0123456789a" \. 10\.\d+\.\d+\.\d+$/m);
    expect(held[0].stdout).toContain('iifname { "cali0123456789a" } iifname . ip saddr != @local_if_v4 counter drop');
  });

  test("--interface-prefix cali: the other pods of the node are held to Calico's computed veth names; the annotation wins", async () => {
    const r = await run(["agent", "compile", "--policies", ...templateArgs("x").slice(2), "--inventory", `${dir.path}/inventory.yaml`, "--node", "prod-pool-a-7d2k", "--interface-prefix", "cali", "--stats"]);
    expectNoStackTrace(r);
    expect(r.code).toBe(0);
    const pairs = [...r.stdout.matchAll(/^\t\t\t"([^"]+)" \. (10\.[\d.]+)/gm)].map((m) => m[1]);
    expect(pairs).toHaveLength(7);
    expect(pairs.every((name) => /^cali[0-9a-f]{11}$/.test(name))).toBe(true);
    // Calico's rule (as the --help text states it) for the node's pods; the annotated frontend keeps its annotation.
    const { createHash } = await import("node:crypto");
    const calico = (pod: string) => `cali${createHash("sha1").update(`boutique.${pod}`).digest("hex").slice(0, 11)}`;
    expect(pairs).toContain(calico("checkoutservice-q2bgmvwwt-5ms6b"));
    expect(pairs).toContain(calico("loadgenerator-8zpbtlkcth-77n72"));
    expect(pairs).toContain("cali0123456789a");
    expect(pairs).not.toContain(calico("frontend-wdtnk7lxn-k8zx2"));
  });

  test("--interface-prefix longer than 4 characters is a usage error (2): the name would pass Linux's 15", async () => {
    const r = await run(["agent", "compile", "--policies", "tiers", "--inventory", INVENTORY, "--node", "n", "--interface-prefix", "calico"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--interface-prefix: an interface prefix has 1 to 4 characters (it is followed by 11 hex digits, and Linux allows 15), not 6: "calico"');
  });

  test("--help documents --interface-prefix", async () => {
    const r = await run(["agent", "compile", "--help"]);
    expect(r.stdout.replace(/\s+/g, " ")).toContain('--interface-prefix <prefix> Calico\'s host veth names: a pod without the tierguard.dev/interface annotation is held to PREFIX + the first 11 hex digits of sha1("<namespace>.<pod>")');
  });
});
