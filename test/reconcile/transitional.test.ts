import { describe, expect, test } from "@jest/globals";
import type { Resource } from "../../src/policy/index.js";
import { formatTransitionalFlow } from "../../src/reconcile/index.js";
import { change, create, external, one, order, pod, remove, tuple } from "./transitional-helpers.js";

/** The transitional check: orders in which no intermediate state opens a gap, or the flows when none exists. */
const np = (name: string, body: string, ns = "shop") => one(`apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n${body}`);
const allowFrom = (name: string, app: string, extra = "") =>
  np(name, `  selector: app == 'web'\n${extra}  ingress:\n    - action: Allow\n      source: { selector: app == '${app}' }\n`);
const defaultDeny = np("default-deny", "  selector: app == 'web'\n  order: 1000\n  types: [Ingress]\n");

const web = pod("shop", "web-1", { app: "web" }, { ip: "10.0.0.1" });
const frontend = pod("shop", "frontend-1", { app: "frontend" }, { ip: "10.0.0.2" });
const admin = pod("shop", "admin-1", { app: "admin" }, { ip: "10.0.0.3" });

describe("transitional check", () => {
  test("a rename written delete-first would deny the flow in between: the create goes first, safe", () => {
    const old = allowFrom("allow-web", "frontend");
    const renamed = allowFrom("allow-frontend-to-web", "frontend");
    const current = [defaultDeny, old];
    const result = order(current, [tuple(frontend, web, 8080, 7)], [remove(old), create(renamed)]);
    expect(result).toMatchObject({ order: [1, 0], safe: true, transitional: [] });
    expect(result.summary).toMatchObject({ checked: 1, reordered: true, transitional: { flows: 0, records: 0 } });
  });

  test("with the delete held first by a constraint, the outage is reported with the flow and both writes", () => {
    const old = allowFrom("allow-web", "frontend");
    const renamed = allowFrom("allow-frontend-to-web", "frontend");
    const result = order([defaultDeny, old], [tuple(frontend, web, 8080, 7)], [remove(old), create(renamed)], [[0, 1]]);
    expect(result.order).toEqual([0, 1]);
    expect(result.safe).toBe(false);
    expect(result.transitional).toEqual([
      {
        effect: "outage",
        source: "shop/frontend-1",
        destination: "shop/web-1",
        protocol: "TCP",
        port: 8080,
        records: 7,
        tuples: 1,
        verdicts: { before: "allow", after: "allow", during: "deny" },
        opens: { index: 0, verb: "delete", kind: "NetworkPolicy", namespace: "shop", name: "allow-web" },
        closes: { index: 1, verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "allow-frontend-to-web" },
      },
    ]);
    expect(JSON.parse(JSON.stringify(result.transitional))).toEqual(result.transitional);
    expect(result.transitional.map(formatTransitionalFlow)).toEqual([
      "outage: shop/frontend-1 → shop/web-1 TCP/8080 (7 records): allowed before and after, denied from write 1 (delete NetworkPolicy shop/allow-web) until write 2 (create NetworkPolicy shop/allow-frontend-to-web)",
    ]);
  });

  test("a deny renamed delete-first would let the flow through in between: an exposure, repaired the same way", () => {
    const tier = one("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: guard }\nspec: { order: 10, defaultAction: Pass }\n");
    const block = (name: string) => np(name, "  tier: guard\n  selector: app == 'web'\n  ingress:\n    - action: Deny\n      source: { selector: app == 'admin' }\n");
    const tuples = [tuple(admin, web, 22, 2)];
    const held = order([tier, block("block-admin")], tuples, [remove(block("block-admin")), create(block("no-admin"))], [[0, 1]]);
    expect(held.transitional.map((f) => [f.effect, f.verdicts, f.opens.verb, f.closes.verb])).toEqual([["exposure", { before: "deny", after: "deny", during: "allow" }, "delete", "create"]]);
    expect(order([tier, block("block-admin")], tuples, [remove(block("block-admin")), create(block("no-admin"))])).toMatchObject({ order: [1, 0], safe: true });
  });

  test("a narrowing update before the create that takes over: the default order opens a gap, the create goes first", () => {
    const wide = np("a", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: \"app in {'frontend', 'admin'}\" }\n");
    const narrow = allowFrom("a", "frontend");
    const b = allowFrom("b", "admin");
    const tuples = [tuple(frontend, web, 8080), tuple(admin, web, 8080, 3)];
    const result = order([defaultDeny, wide], tuples, [change(wide, narrow), create(b)]);
    expect(result).toMatchObject({ order: [1, 0], safe: true });
  });

  test("two updates that swap which policy allows which peer: no order is safe, the default is kept with the flow", () => {
    const tier = one("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: app }\nspec: { order: 100, defaultAction: Deny }\n");
    const inTier = (name: string, app: string, n: number) => allowFrom(name, app, `  tier: app\n  order: ${n}\n`);
    const p1 = inTier("p1", "frontend", 1);
    const p2 = inTier("p2", "admin", 2);
    const tuples = [tuple(frontend, web, 8080, 5), tuple(admin, web, 8080, 5)];
    const result = order([tier, p1, p2], tuples, [change(p1, inTier("p1", "admin", 1)), change(p2, inTier("p2", "frontend", 2))]);
    expect(result.order).toEqual([0, 1]);
    expect(result.safe).toBe(false);
    expect(result.transitional.map((f) => [f.source, f.effect, f.opens.name, f.closes.name])).toEqual([["shop/frontend-1", "outage", "p1", "p2"]]);
    expect(result.summary.moves).toBeGreaterThan(0);
  });

  test("staged to enforced: the allow is enforced before the isolation, and each staged twin goes after its enforced copy", () => {
    const staged = (r: Resource): Resource => ({ ...r, kind: "StagedNetworkPolicy" }) as Resource;
    const isolate = defaultDeny;
    const allow = allowFrom("allow-frontend", "frontend");
    const current = [staged(isolate), staged(allow)];
    const changes = [create(isolate), remove(staged(isolate)), create(allow), remove(staged(allow))];
    const constraints: Array<[number, number]> = [[0, 1], [2, 3]];
    const result = order(current, [tuple(frontend, web, 8080)], changes, constraints);
    expect(result.safe).toBe(true);
    const pos = (i: number) => result.order.indexOf(i);
    expect(pos(2)).toBeLessThan(pos(0));
    for (const [a, b] of constraints) expect(pos(a)).toBeLessThan(pos(b));
    expect([...result.order].sort()).toEqual([0, 1, 2, 3]);
  });

  test("an empty cluster gets an isolation and twenty allows for one endpoint: every allow is written before the isolation", () => {
    const tierYaml = (name: string, n: number) => one(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: { order: ${n}, defaultAction: Pass }\n`);
    const allowTier = tierYaml("allow", 50);
    const isolationTier = tierYaml("isolation", 100);
    const isolate = np("isolate", "  tier: isolation\n  selector: app == 'web'\n  ingress:\n    - action: Deny\n");
    const peers = Array.from({ length: 20 }, (_, i) => pod("shop", `peer-${i}`, { app: `peer-${i}` }, { ip: `10.0.1.${i + 1}` }));
    const allows = peers.map((_, i) => allowFrom(`allow-${i}`, `peer-${i}`, "  tier: allow\n"));
    const changes = [create(allowTier), create(isolationTier), create(isolate), ...allows.map(create)];
    const constraints: Array<[number, number]> = [[1, 2], ...allows.map((_, i): [number, number] => [0, 3 + i])];
    const result = order([], peers.map((p) => tuple(p, web, 8080)), changes, constraints);
    expect(result.safe).toBe(true);
    const pos = (i: number) => result.order.indexOf(i);
    for (let i = 0; i < 20; i++) expect(pos(3 + i)).toBeLessThan(pos(2));
    for (const [a, b] of constraints) expect(pos(a)).toBeLessThan(pos(b));
    expect(result.summary.checked).toBe(20);
  });

  test("a gap whose verdicts depend on labels the snapshot does not give is counted apart, not reported", () => {
    const old = np("allow-web", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: \"!has(debug)\" }\n");
    const renamed = np("allow-web-2", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: \"!has(debug)\" }\n");
    const aggregate = pod("shop", "frontend-7d9c-*", { app: "frontend" }, { ip: "10.0.0.9", partial: true });
    const known = pod("shop", "frontend-2", { app: "frontend" }, { ip: "10.0.0.8" });
    const result = order([defaultDeny, old], [tuple(aggregate, web, 8080, 11), tuple(known, web, 8080, 2)], [remove(old), create(renamed)], [[0, 1]]);
    expect(result.transitional.map((f) => [f.source, f.records])).toEqual([["shop/frontend-2", 2]]);
    expect(result.summary.uncertain).toEqual({ flows: 1, records: 11 });
    expect(result.summary.transitional).toEqual({ flows: 1, records: 2 });
  });

  test("past its evaluation budget the check stops: before the default order is checked it says so and is not safe", () => {
    const old = allowFrom("allow-web", "frontend");
    const renamed = allowFrom("allow-frontend-to-web", "frontend");
    const changes = [remove(old), create(renamed)];
    const tuples = [tuple(frontend, web, 8080, 7)];
    const none = order([defaultDeny, old], tuples, changes, [], 1);
    expect(none).toMatchObject({ order: [0, 1], safe: false, transitional: [], summary: { incomplete: "the transitional check needs more than 1 flow evaluations: the default order was not checked", evaluations: 0 } });
    // Enough for the default order (as many as a run with no move allowed spends), not for a repair.
    const firstOnly = order([defaultDeny, old], tuples, changes, [[0, 1]]).summary.evaluations;
    const stopped = order([defaultDeny, old], tuples, changes, [], firstOnly);
    expect(stopped).toMatchObject({ order: [0, 1], safe: false, summary: { reordered: false, transitional: { flows: 1, records: 7 } } });
    expect(stopped.summary.incomplete).toBeUndefined();
  });

  test("a side with many writes stops the check at its budget before listing its states, not after", () => {
    const allows = Array.from({ length: 60 }, (_, i) => allowFrom(`allow-${i}`, `peer-${i}`));
    // 62 evaluations (one egress state, 61 ingress states) fit a budget of 62; listing 61 states of 60 slots does not.
    const result = order([], [tuple(frontend, web, 8080)], allows.map(create), [], 62);
    expect(result).toMatchObject({ safe: false, summary: { evaluations: 0, incomplete: "the transitional check needs more than 62 flow evaluations: the default order was not checked" } });
    expect(order([], [tuple(frontend, web, 8080)], allows.map(create), [], 100).summary.incomplete).toBeUndefined();
  });

  test("a network set renamed delete-first would cut off the addresses a policy allows through it: the new set goes first", () => {
    const set = (name: string) => one(`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: { name: ${name}, labels: { role: partner } }\nspec:\n  nets: [192.0.2.0/24]\n`);
    const partners = np("partners", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: role == 'partner', namespaceSelector: global() }\n");
    const partner = external("192.0.2.10");
    const elsewhere = external("198.51.100.1");
    const result = order([defaultDeny, partners, set("partners-v1")], [tuple(partner, web, 443, 4), tuple(elsewhere, web, 443)], [remove(set("partners-v1")), create(set("partners-v2"))]);
    expect(result).toMatchObject({ order: [1, 0], safe: true, summary: { classes: 2, checked: 1 } });
  });

  test("a flow only one write touches needs no check, and no relevant write at all leaves the default order", () => {
    const old = allowFrom("allow-web", "frontend");
    const result = order([defaultDeny, old], [tuple(frontend, web, 8080), tuple(admin, frontend, 80)], [change(old, allowFrom("allow-web", "admin"))]);
    expect(result).toMatchObject({ order: [0], safe: true, summary: { tuples: 2, classes: 0, checked: 0, evaluations: 0 } });
    const two = order([defaultDeny, old], [tuple(frontend, web, 8080), tuple(admin, frontend, 80)], [change(old, allowFrom("allow-web", "admin")), create(allowFrom("other", "admin"))]);
    expect(two).toMatchObject({ safe: true, summary: { classes: 2, checked: 1 } });
  });
});
