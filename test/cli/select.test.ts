import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, INVENTORY, parseJson, run, templateArgs, tempDir, type TempDir } from "./helpers.js";

/** `tierguard select`: the endpoints a selector matches, or the pods a policy applies to. */
const POLICIES = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: a
spec:
  selector: app == 'web'
  ingress:
    - action: Allow
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: b
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
    - action: Allow
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: db
spec:
  selector: role == 'db' || app == 'web'
  ingress:
    - action: Allow
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: partners
  labels:
    role: db
spec:
  nets: ["192.0.2.0/24"]
`;

const pod = (ns: string, name: string, labels: string, ip: string) =>
  `- apiVersion: v1\n  kind: Pod\n  metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}\n  spec: {serviceAccountName: default}\n  status: {podIP: ${ip}}`;
const INVENTORY_YAML = [
  "apiVersion: v1",
  "kind: List",
  "items:",
  "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a, labels: {team: red}}",
  "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b, labels: {team: blue}}",
  pod("a", "web-1", "app: web", "10.0.0.1"),
  pod("b", "web-2", "app: web", "10.0.0.2"),
  pod("b", "db-1", "role: db", "10.0.0.3"),
].join("\n");

describe("tierguard select", () => {
  let dir: TempDir;
  const select = (...rest: string[]) => run(["select", "--policies", "policies.yaml", "--inventory", "inventory.yaml", ...rest], { cwd: dir.path });

  beforeAll(async () => {
    dir = await tempDir();
    await dir.write("policies.yaml", POLICIES);
    await dir.write("inventory.yaml", INVENTORY_YAML);
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  test("--selector lists the pods and network sets it matches", async () => {
    expect(await select("--selector", "role == 'db'")).toEqual({
      code: 0,
      stdout: 'selector role == "db" matches:\n  pod b/db-1\n  globalnetworkset partners\n2 of 4 endpoints\n',
      stderr: "",
    });
  });

  test.each([
    ["implicit namespace labels", "pcns.team == 'blue'", ["b/web-2", "b/db-1"]],
    ["the implicit namespace label", "projectcalico.org/namespace == 'a'", ["a/web-1"]],
    ["has()", "has(app)", ["a/web-1", "b/web-2"]],
    ["nothing", "app == 'none'", []],
  ])("--selector on %s, as JSON", async (_name, selector, pods) => {
    const r = await select("--selector", selector, "--output", "json");
    expect(r.code).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.candidates).toBe(4);
    expect(out.matches).toEqual(pods.map((name) => ({ kind: "pod", name })));
  });

  test.each([
    ["NAMESPACE/NAME", "b/web", "NetworkPolicy b/web (tier default, effective selector (app == \"web\" && projectcalico.org/namespace == \"b\")) applies to:", ["  pod b/web-2 (egress)"]],
    ["KIND/NAMESPACE/NAME", "NetworkPolicy/a/web", "NetworkPolicy a/web (tier default, effective selector (app == \"web\" && projectcalico.org/namespace == \"a\")) applies to:", ["  pod a/web-1 (ingress)"]],
    ["a unique NAME", "db", "GlobalNetworkPolicy db (tier default, effective selector (role == \"db\" || app == \"web\")) applies to:", ["  pod a/web-1 (ingress)", "  pod b/web-2 (ingress)", "  pod b/db-1 (ingress)"]],
  ])("--policy %s lists the pods it applies to, in the directions it governs", async (_name, policy, heading, pods) => {
    const r = await select("--policy", policy);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([heading, ...pods, `${pods.length} of 3 endpoints`, ""]);
  });

  test("an ambiguous --policy name is a usage error (exit 2) that lists the choices", async () => {
    expect(await select("--policy", "web")).toEqual({
      code: 2,
      stdout: "",
      stderr: "tierguard: --policy: web names 2 policies (NetworkPolicy/a/web, NetworkPolicy/b/web); add the kind or namespace\n",
    });
  });

  test("--selector without --policies: the inventory's pods only", async () => {
    const r = await run(["select", "--inventory", "inventory.yaml", "--selector", "role == 'db'"], { cwd: dir.path });
    expect(r).toEqual({ code: 0, stdout: 'selector role == "db" matches:\n  pod b/db-1\n1 of 3 endpoints\n', stderr: "" });
  });

  test.each([
    ["a value no endpoint has", "app == 'wbe'", "Nothing matches: no endpoint has app=wbe (closest that exist: app=web)."],
    ["a key no endpoint has", "rol == 'db'", "Nothing matches: no endpoint has a label rol (closest that exist: role)."],
    ["labels that exist, never together", "app == 'web' && role == 'db'", "Nothing matches: every label the selector asks for exists, but no endpoint has them together."],
  ])("a selector that matches nothing says so, with the closest labels that exist: %s", async (_name, selector, hint) => {
    const r = await select("--selector", selector);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(-3)).toEqual(["0 of 4 endpoints", hint, ""]);
    expect(parseJson((await select("--selector", selector, "-o", "json")).stdout).hint).toBe(hint);
  });

  test("an unknown --policy is a usage error (exit 2), as a bad --selector is", async () => {
    expect(await select("--policy", "a/nope")).toEqual({ code: 2, stdout: "", stderr: "tierguard: --policy: no policy named a/nope\n" });
  });

  test.each([
    ["an unexpected character", "app == 'web' && $x", 17, ": $x"],
    ["'=' for '=='", "app = 'web'", 5, ": = 'web'"],
    ["an unterminated string", "app == 'web", 8, ": 'web"],
    ["an early end", "app == 'web' ||", 16, ", the end of the selector"],
  ])("a --selector with %s is a usage error naming the character position", async (_name, selector, position, rest) => {
    const r = await select("--selector", selector);
    expectNoStackTrace(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^tierguard: --selector: .+ \\(at character ${position}${rest.replace(/[$()|]/g, "\\$&")}\\)\\n$`));
  });

  test("an unreadable inventory is invalid input", async () => {
    const r = await run(["select", "--policies", "policies.yaml", "--inventory", "absent.yaml", "--selector", "all()"], { cwd: dir.path });
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: "absent.yaml:1:1: error [inventory/unreadable] no such file or directory\ntierguard: cannot use the inventory absent.yaml\n",
    });
  });

  test("on the bundled template: the frontend policy applies to the three frontend replicas", async () => {
    const r = await run(templateArgs("select", "--inventory", INVENTORY, "--policy", "boutique/frontend", "-o", "json"));
    expect(r.code).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.description).toBe(
      'NetworkPolicy boutique/frontend (tier application, effective selector (app == "frontend" && projectcalico.org/namespace == "boutique")) applies to:',
    );
    expect(out.candidates).toBe(26);
    expect(out.matches).toEqual(
      ["k8zx2", "7wrkm", "8kcms"].map((s) => ({ kind: "pod", name: `boutique/frontend-wdtnk7lxn-${s}`, directions: ["ingress", "egress"] })),
    );
  });
});
