import { describe, expect, test } from "@jest/globals";
import { connectivityDiff, type ConnectivityChange } from "../../src/review/connectivity/index.js";
import { reviewJson } from "../../src/report/review/json.js";
import { connectivityWords } from "../../src/report/review/connectivity.js";
import { reviewContext } from "../helpers/review.js";
import { DENY_SHOP, INVENTORY, SHOP_TO_INTERNET, WEB_TO_DB } from "./connectivity-fixtures.js";

/**
 * Source ports as a second port dimension of the connectivity diff (issue 15): every connection used to be
 * evaluated from one ephemeral source port, so a rule on source ports was seen only as it applies to those.
 */
const brief = (c: ConnectivityChange) => `${c.source.name} -> ${c.destination.name} ${c.protocol} ${c.ports.join(",")}${c.sourcePorts ? ` from ${c.sourcePorts.join(",")}` : ""}`;

/** Calico: namespace shop accepts UDP from source port 53 (DNS replies), from anywhere. */
const DNS_REPLIES = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: dns-replies }
spec:
  order: 10
  namespaceSelector: projectcalico.org/name == 'shop'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: UDP
      source: { ports: [53] }
`;

/** Calico: namespace other's egress to TCP 9000 from source ports 1024-65535 only, in both revisions (unchanged). */
const OTHER_TCP = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: tcp-out, namespace: other }
spec:
  order: 20
  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      source: { ports: ["1024:65535"] }
      destination: { ports: [9000] }
    - action: Allow
`;

describe("connectivity diff: source ports", () => {
  test("a change that only affects connections from source port 53 is reported, with its source ports, and only for them", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "dns.yaml": DNS_REPLIES }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable.map(brief)).toEqual([
      "anywhere outside the cluster -> namespace shop UDP 1:65535 from 53",
      "namespace shop -> namespace shop UDP 1:65535 from 53",
      "namespace other -> namespace shop UDP 1:65535 from 53",
    ]);
    expect(report.newlyReachable[0]).toMatchObject({
      sourcePorts: ["53"],
      before: { verdict: "deny", decidedBy: "default|knp:shop/default-deny|deny|-1" },
      after: { verdict: "allow", decidedBy: "default|gnp:dns-replies|allow|0", rule: 0, direction: "ingress" },
    });
    expect(report.newlyUnreachable).toEqual([]);
    // UDP: source port 53 and every other source port; the other protocol class has no source ports.
    expect(report.stats.portClasses).toBe(3);
    expect(connectivityWords(report.newlyReachable[0])).toBe("anywhere outside the cluster → namespace shop, UDP (any port) from source port 53");
  });

  test("review --output json: sourcePorts on the entries it applies to, absent elsewhere", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "dns.yaml": DNS_REPLIES, "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY });
    const connectivity = connectivityDiff(ctx);
    const json = reviewJson({ findings: [], connectivity } as unknown as Parameters<typeof reviewJson>[0]).connectivity;
    const shown = json.newlyReachable.map((c) => [c.source.name, c.protocol, c.ports, c.sourcePorts ?? "any"]);
    expect(shown).toContainEqual(["anywhere outside the cluster", "UDP", ["1:65535"], ["53"]]);
    expect(shown).toContainEqual(["anywhere outside the cluster", "TCP", ["5432"], "any"]);
    expect(json.newlyReachable.filter((c) => c.protocol === "TCP").every((c) => !("sourcePorts" in c))).toBe(true);
  });

  test("with no source-port rule: the same entries and the same number of evaluations as before source ports were classes", () => {
    // Figures of the diff that evaluated every connection from one ephemeral port (commit ca6e630).
    const cases: Array<[Record<string, string>, Record<string, string>, number, number]> = [
      [{ "deny.yaml": DENY_SHOP }, { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, 3, 36],
      [{ "deny.yaml": DENY_SHOP }, { "deny.yaml": DENY_SHOP, "db.yaml": WEB_TO_DB }, 1, 22],
      [{}, { "deny.yaml": DENY_SHOP }, 3, 14],
    ];
    for (const [base, head, changes, evaluations] of cases) {
      const report = connectivityDiff(reviewContext({ base, head, inventory: INVENTORY }));
      const all = [...report.newlyReachable, ...report.newlyUnreachable];
      expect([all.length, report.stats.evaluations]).toEqual([changes, evaluations]);
      expect(all.filter((c) => "sourcePorts" in c)).toEqual([]);
    }
  });

  test("a source-port rule on a side the change does not touch adds no evaluation and no entry", () => {
    const without = connectivityDiff(reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "db.yaml": WEB_TO_DB }, inventory: INVENTORY }));
    const withRule = connectivityDiff(reviewContext({ base: { "deny.yaml": DENY_SHOP, "out.yaml": OTHER_TCP }, head: { "deny.yaml": DENY_SHOP, "db.yaml": WEB_TO_DB, "out.yaml": OTHER_TCP }, inventory: INVENTORY }));
    // TCP's port classes double (source ports 1-1023 and 1024-65535); db's ingress rules do not tell them apart.
    expect(withRule.stats.portClasses).toBe(2 * without.stats.portClasses - 1);
    expect(withRule.stats.evaluations).toBe(without.stats.evaluations);
    expect(withRule.newlyReachable.map(brief)).toEqual(["shop/{app=web} -> shop/{app=db} TCP 9000"]);
  });
});
