import { afterAll, afterEach, describe, expect, test } from "@jest/globals";
import { startFakeKube, type FakeKube } from "../support/fake-kube/index.js";
import { cleanupDirs, config, expectNoGap, expectPermitted, gitRepo, syncArgs, tg, world, writeRequests } from "./scenarios-helpers.js";

/**
 * The transitional check through `tierguard sync` against the fake API server: the flow snapshot tierguard.yaml
 * names at REF is replayed through each intermediate state of the write order. A rename (the outage trap) is
 * written create-first; a narrowing update that the default order writes before the create taking over is
 * reordered; two updates that swap peers have no safe order: exit 1 with the flows, nothing written, then
 * --allow-transitional applies.
 */
let kube: FakeKube;
afterEach(async () => {
  expectPermitted(kube);
  await kube.stop();
});
afterAll(cleanupDirs);

const np = (name: string, body: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: shop }\nspec:\n${body}`;
const allowFrom = (name: string, peer: string, extra = "") => np(name, `  selector: app == 'web'\n${extra}  ingress:\n    - action: Allow\n      source: { selector: "${peer}" }\n`);
const defaultDeny = np("default-deny", "  selector: app == 'web'\n  order: 1000\n  types: [Ingress]\n");
const docs = (...d: string[]) => d.join("---\n");

/** One Calico Enterprise flow-log record from a pod to a pod in namespace shop (the destination reports it). */
function flow(src: string, dst: string, port: number): string {
  const ep = (prefix: string, name: string) => ({
    [`${prefix}_name`]: `${name}-1`, [`${prefix}_name_aggr`]: `${name}-*`, [`${prefix}_namespace`]: "shop", [`${prefix}_type`]: "wep", [`${prefix}_labels`]: { labels: [`app=${name}`] },
  });
  return JSON.stringify({ start_time: 1, end_time: 2, ...ep("source", src), ...ep("dest", dst), dest_port: port, proto: "tcp", action: "allow", reporter: "dst", num_flows: 1 });
}

const SNAPSHOT = [flow("frontend", "web", 8080), flow("frontend", "web", 8080), flow("admin", "web", 8080)].join("\n") + "\n";
const withSnapshot = (v1: string, v2: string) =>
  gitRepo([
    ["first", { "tierguard.yaml": config().replace("policies: [policies]", "policies: [policies]\nflows: flows/snapshot.jsonl"), "flows/snapshot.jsonl": SNAPSHOT, "policies/policies.yaml": v1 }],
    ["second", { "policies/policies.yaml": v2 }],
  ]);

const writesOf = (json: { writes: Array<{ verb: string; name: string }> }) => json.writes.map((w) => `${w.verb} ${w.name}`);
const checkedLine = (stderr: string) => stderr.split("\n").filter((l) => l.includes('"transitional":"checked"')).map((l) => JSON.parse(l).msg);

describe("scenarios: the transitional check against the fake API server", () => {
  test("a rename (the outage trap): the new name is created before the old one goes, transitional: []", async () => {
    kube = await startFakeKube();
    const dir = withSnapshot(docs(defaultDeny, allowFrom("allow-web", "app == 'frontend'")), docs(defaultDeny, allowFrom("allow-frontend-to-web", "app == 'frontend'")));
    expect((await tg(syncArgs(kube, "v1"), dir)).code).toBe(0);
    const before = world(kube.store.all());
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v2"), dir);
    expect([r.code, writesOf(r.json), r.json.transitional]).toEqual([0, ["create allow-frontend-to-web", "delete allow-web"], []]);
    expect(checkedLine(r.stderr)).toEqual(["transitional check over 3 records (2 distinct flows)"]);
    expectNoGap(kube, before);
    // At every state, one of the two names allows frontend -> web.
    kube.states.forEach((s) => expect(s.objects.some((o) => ["allow-web", "allow-frontend-to-web"].includes(o.metadata.name))).toBe(true));
  });

  test("a narrowing update the default order writes before the create that takes over: the check writes the create first", async () => {
    kube = await startFakeKube();
    const wide = allowFrom("a", "app in {'frontend', 'admin'}");
    const dir = withSnapshot(docs(defaultDeny, wide), docs(defaultDeny, allowFrom("a", "app == 'frontend'"), allowFrom("b", "app == 'admin'")));
    expect((await tg(syncArgs(kube, "v1"), dir)).code).toBe(0);
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v2"), dir);
    // The no-gap order alone (kind, then name) would update a first and deny admin -> web until b exists.
    expect([r.code, writesOf(r.json), r.json.transitional]).toEqual([0, ["create b", "update a"], []]);
    expect(writeRequests(kube).filter((w) => !w.includes("/events "))).toEqual([
      "PATCH /apis/projectcalico.org/v3/namespaces/shop/networkpolicies/b 201",
      "PUT /apis/projectcalico.org/v3/namespaces/shop/networkpolicies/a 200",
    ]);
  });

  test("two updates that swap which policy allows which peer: no safe order; exit 1 naming the flow, nothing written; --allow-transitional applies", async () => {
    kube = await startFakeKube();
    const tier = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: app }\nspec: { order: 100, defaultAction: Deny }\n";
    const inTier = (name: string, app: string, n: number) => allowFrom(name, `app == '${app}'`, `  tier: app\n  order: ${n}\n`);
    const dir = withSnapshot(docs(tier, inTier("p1", "frontend", 1), inTier("p2", "admin", 2)), docs(tier, inTier("p1", "admin", 1), inTier("p2", "frontend", 2)));
    // The first promotion onto an empty cluster cuts a peer off too (either policy alone isolates web): allowed here.
    expect((await tg(syncArgs(kube, "v1", "--allow-transitional"), dir)).code).toBe(0);
    const before = JSON.stringify(kube.store.all());
    kube.resetRecords();
    const refused = await tg(syncArgs(kube, "v2"), dir);
    // Either order cuts one peer off in between; the check keeps the one that cuts fewer records (admin's 1, not
    // frontend's 2) and names that flow.
    expect([refused.code, refused.json.converged, refused.json.writes]).toEqual([1, false, []]);
    expect(refused.json.transitional.map((f: { effect: string; source: string; destination: string; port: number; records: number; opens: { name: string }; closes: { name: string } }) => [f.effect, f.source, f.destination, f.port, f.records, f.opens.name, f.closes.name])).toEqual([["outage", "shop/admin-1", "shop/web-1", 8080, 1, "p2", "p1"]]);
    expect(refused.problems).toEqual(["refused: no write order avoids a transitional outage or exposure (1 flow(s)); run with --allow-transitional to apply anyway"]);
    expect(writeRequests(kube)).toEqual([]);
    expect(JSON.stringify(kube.store.all())).toBe(before);
    const applied = await tg(syncArgs(kube, "v2", "--allow-transitional"), dir);
    expect([applied.code, applied.json.converged, writesOf(applied.json), applied.json.transitional.length]).toEqual([0, true, ["update p2", "update p1"], 1]);
  });
});
