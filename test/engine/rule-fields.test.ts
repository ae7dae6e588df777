import { describe, expect, test } from "@jest/globals";
import { evaluateFlow } from "../../src/engine/index.js";
import { harness } from "../helpers/engine.js";

/**
 * Rule match fields: calico-semantics §5 (all fields ANDed; protocol, ports, named ports, nets), §4.7 (IP version:
 * rules whose nets lose every entry for the flow's family are dropped; a negated catch-all drops the rule).
 * Each case is one GNP ingress Allow rule on app == 'web'; a flow that does not match reaches the end of tier.
 */

interface Flow {
  /** Source address (an external address, so only the rule decides). */
  src: string;
  port: number;
  proto: string;
  allowed: boolean;
}

function run(rule: string, flows: Flow[], namedPorts = false) {
  const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: r }
spec:
  selector: app == 'web'
  ingress: [${rule}]
`);
  const ports = namedPorts
    ? [
        { name: "http", protocol: 6, port: 8080 },
        { name: "dns", protocol: 17, port: 53 },
      ]
    : [];
  const web4 = h.pod("shop", { app: "web" }, { ip: "10.0.1.10", namedPorts: ports });
  const web6 = h.pod("shop", { app: "web" }, { ip: "fd00::10", namedPorts: ports });
  return flows.map((f) => {
    const dst = f.src.includes(":") ? web6 : web4;
    const r = h.eval(h.external(f.src), dst, f.port, f.proto);
    expect(r.uncertain).toEqual([]);
    const trace = h.trace(h.external(f.src), dst, f.port, f.proto).ingress;
    expect(trace).toEqual([f.allowed ? "0|default|gnp:r|allow|0" : "0|default|gnp:r|deny|-1"]);
    return { ...f, allowed: r.verdict === "allow" };
  });
}

const V4 = "192.0.2.1";
const cases: Array<{ why: string; rule: string; flows: Flow[] }> = [
  {
    why: "protocol by name",
    rule: "{ action: Allow, protocol: TCP }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: true },
      { src: V4, port: 80, proto: "UDP", allowed: false },
    ],
  },
  {
    why: "protocol by number (17 = UDP)",
    rule: "{ action: Allow, protocol: 17 }",
    flows: [
      { src: V4, port: 53, proto: "UDP", allowed: true },
      { src: V4, port: 53, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "protocol as a numeric string ('132' = SCTP)",
    rule: "{ action: Allow, protocol: '132' }",
    flows: [
      { src: V4, port: 9, proto: "SCTP", allowed: true },
      { src: V4, port: 9, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "protocol UDPLite is 136",
    rule: "{ action: Allow, protocol: UDPLite }",
    flows: [
      { src: V4, port: 9, proto: "136", allowed: true },
      { src: V4, port: 9, proto: "UDP", allowed: false },
    ],
  },
  {
    why: "notProtocol by name matches every other protocol",
    rule: "{ action: Allow, notProtocol: TCP }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: V4, port: 80, proto: "UDP", allowed: true },
      { src: V4, port: 0, proto: "ICMP", allowed: true },
    ],
  },
  {
    why: "notProtocol by number",
    rule: "{ action: Allow, notProtocol: 132 }",
    flows: [
      { src: V4, port: 9, proto: "SCTP", allowed: false },
      { src: V4, port: 9, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "ports: single number",
    rule: "{ action: Allow, protocol: TCP, destination: { ports: [80] } }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: true },
      { src: V4, port: 81, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "ports: range 'lo:hi' is inclusive",
    rule: "{ action: Allow, protocol: TCP, destination: { ports: ['8000:8080'] } }",
    flows: [
      { src: V4, port: 7999, proto: "TCP", allowed: false },
      { src: V4, port: 8000, proto: "TCP", allowed: true },
      { src: V4, port: 8080, proto: "TCP", allowed: true },
      { src: V4, port: 8081, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "ports: entries are ORed (number, numeric string, range)",
    rule: "{ action: Allow, protocol: TCP, destination: { ports: [80, '443', '9000:9002'] } }",
    flows: [
      { src: V4, port: 443, proto: "TCP", allowed: true },
      { src: V4, port: 9001, proto: "TCP", allowed: true },
      { src: V4, port: 444, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "ports apply only with their protocol",
    rule: "{ action: Allow, protocol: UDP, destination: { ports: [53] } }",
    flows: [
      { src: V4, port: 53, proto: "UDP", allowed: true },
      { src: V4, port: 53, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "notPorts: matches when the port matches none of the entries",
    rule: "{ action: Allow, protocol: TCP, destination: { notPorts: [22, '6000:6100'] } }",
    flows: [
      { src: V4, port: 22, proto: "TCP", allowed: false },
      { src: V4, port: 6050, proto: "TCP", allowed: false },
      { src: V4, port: 80, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "ports and notPorts together are ANDed",
    rule: "{ action: Allow, protocol: TCP, destination: { ports: ['8000:9000'], notPorts: [8080] } }",
    flows: [
      { src: V4, port: 8080, proto: "TCP", allowed: false },
      { src: V4, port: 8500, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "source nets: any of the CIDRs",
    rule: "{ action: Allow, source: { nets: [10.0.0.0/8, 192.0.2.0/24] } }",
    flows: [
      { src: "10.1.2.3", port: 80, proto: "TCP", allowed: true },
      { src: "192.0.2.9", port: 80, proto: "TCP", allowed: true },
      { src: "172.16.0.1", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "a bare IP in nets is a /32",
    rule: "{ action: Allow, source: { nets: [192.0.2.7] } }",
    flows: [
      { src: "192.0.2.7", port: 80, proto: "TCP", allowed: true },
      { src: "192.0.2.8", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "nets and notNets are ANDed (an ipBlock with except)",
    rule: "{ action: Allow, source: { nets: [10.0.0.0/8], notNets: [10.1.0.0/16] } }",
    flows: [
      { src: "10.2.0.1", port: 80, proto: "TCP", allowed: true },
      { src: "10.1.0.1", port: 80, proto: "TCP", allowed: false },
      { src: "192.0.2.1", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "notNets alone: anything outside the CIDRs",
    rule: "{ action: Allow, source: { notNets: [10.0.0.0/8] } }",
    flows: [
      { src: "10.0.0.1", port: 80, proto: "TCP", allowed: false },
      { src: "192.0.2.1", port: 80, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "ipVersion 6 is not rendered for IPv4 flows",
    rule: "{ action: Allow, ipVersion: 6 }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: "fd00::1", port: 80, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "ipVersion 4 is not rendered for IPv6 flows",
    rule: "{ action: Allow, ipVersion: 4 }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: true },
      { src: "fd00::1", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "a rule whose nets are all IPv6 never matches an IPv4 flow (§4.7)",
    rule: "{ action: Allow, source: { nets: ['fd00::/8'] } }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: "fd00::1", port: 80, proto: "TCP", allowed: true },
      { src: "fe80::1", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "a rule whose notNets are all IPv6 is dropped for IPv4 too, although the address is outside them (§4.7)",
    rule: "{ action: Allow, source: { notNets: ['fd00::/8'] } }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: "fe80::1", port: 80, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "destination nets that lose their only family drop the rule the same way",
    rule: "{ action: Allow, destination: { nets: ['fd00::/8'] } }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: "fd00::1", port: 80, proto: "TCP", allowed: true },
    ],
  },
  {
    why: "a negated catch-all (notNets 0.0.0.0/0) drops the rule for both families",
    rule: "{ action: Allow, source: { notNets: [0.0.0.0/0] } }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: "fd00::1", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "a negated catch-all (notNets ::/0) on the destination drops the rule too",
    rule: "{ action: Allow, destination: { notNets: ['::/0'] } }",
    flows: [
      { src: V4, port: 80, proto: "TCP", allowed: false },
      { src: "fd00::1", port: 80, proto: "TCP", allowed: false },
    ],
  },
  {
    why: "all fields are ANDed",
    rule: "{ action: Allow, protocol: TCP, source: { nets: [10.0.0.0/8] }, destination: { ports: [443] } }",
    flows: [
      { src: "10.0.0.1", port: 443, proto: "TCP", allowed: true },
      { src: "10.0.0.1", port: 80, proto: "TCP", allowed: false },
      { src: "192.0.2.1", port: 443, proto: "TCP", allowed: false },
      { src: "10.0.0.1", port: 443, proto: "UDP", allowed: false },
    ],
  },
];

describe("rule match fields (§5, §4.7)", () => {
  test.each(cases)("$why", ({ rule, flows }) => {
    expect(run(rule, flows)).toEqual(flows);
  });
});

describe("source ports (§5: matched against the packet's source port)", () => {
  test("source ports read the source port, not the destination port", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: r }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, protocol: UDP, source: { ports: [53] } }]
`);
    const web = h.pod("shop", { app: "web" }, { ip: "10.0.1.10" });
    const src = h.external(V4);
    const flow = (srcPort: number, dstPort: number) =>
      evaluateFlow(h.set, { src, dst: web, protocol: 17, srcPort, dstPort });
    expect([flow(53, 40000), flow(40000, 53)].map((r) => ({ verdict: r.verdict, uncertain: r.uncertain }))).toEqual([
      { verdict: "allow", uncertain: [] },
      { verdict: "deny", uncertain: [] },
    ]);
  });
});

describe("named ports (§5: resolved per destination endpoint, with the endpoint's declared protocol)", () => {
  // The web pods declare http = TCP/8080 and dns = UDP/53.
  const named: Array<{ why: string; rule: string; flows: Flow[] }> = [
    {
      why: "a named port matches the port the destination declares under that name",
      rule: "{ action: Allow, protocol: TCP, destination: { ports: [http] } }",
      flows: [
        { src: V4, port: 8080, proto: "TCP", allowed: true },
        { src: V4, port: 80, proto: "TCP", allowed: false },
      ],
    },
    {
      why: "the rule's protocol must be the one the port is declared with",
      rule: "{ action: Allow, protocol: UDP, destination: { ports: [http] } }",
      flows: [{ src: V4, port: 8080, proto: "UDP", allowed: false }],
    },
    {
      why: "with no protocol in the rule the declared protocol still has to match the packet",
      rule: "{ action: Allow, destination: { ports: [dns] } }",
      flows: [
        { src: V4, port: 53, proto: "UDP", allowed: true },
        { src: V4, port: 53, proto: "TCP", allowed: false },
      ],
    },
    {
      why: "numeric and named ports in one list are ORed",
      rule: "{ action: Allow, protocol: TCP, destination: { ports: [80, http] } }",
      flows: [
        { src: V4, port: 80, proto: "TCP", allowed: true },
        { src: V4, port: 8080, proto: "TCP", allowed: true },
        { src: V4, port: 81, proto: "TCP", allowed: false },
      ],
    },
    {
      why: "a named port in notPorts excludes the declared port",
      rule: "{ action: Allow, protocol: TCP, destination: { notPorts: [http] } }",
      flows: [
        { src: V4, port: 8080, proto: "TCP", allowed: false },
        { src: V4, port: 80, proto: "TCP", allowed: true },
      ],
    },
    {
      why: "a name no endpoint declares matches nothing",
      rule: "{ action: Allow, protocol: TCP, destination: { ports: [metrics] } }",
      flows: [{ src: V4, port: 8080, proto: "TCP", allowed: false }],
    },
  ];
  test.each(named)("$why", ({ rule, flows }) => {
    expect(run(rule, flows, true)).toEqual(flows);
  });

  test("the same name resolves to each destination's own declaration", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: r }
spec:
  selector: has(app)
  ingress: [{ action: Allow, protocol: TCP, destination: { ports: [http] } }]
`);
    const a = h.pod("shop", { app: "a" }, { ip: "10.0.1.1", namedPorts: [{ name: "http", protocol: 6, port: 8080 }] });
    const b = h.pod("shop", { app: "b" }, { ip: "10.0.1.2", namedPorts: [{ name: "http", protocol: 6, port: 9090 }] });
    const c = h.pod("shop", { app: "c" }, { ip: "10.0.1.3", namedPorts: [] });
    const src = h.external(V4);
    expect([8080, 9090].map((p) => [h.trace(src, a, p).verdict, h.trace(src, b, p).verdict, h.trace(src, c, p).verdict])).toEqual([
      ["allow", "deny", "deny"],
      ["deny", "allow", "deny"],
    ]);
  });

  test("a named port on an address with no endpoint (external) never matches", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: r }
spec:
  selector: app == 'web'
  egress: [{ action: Allow, protocol: TCP, destination: { ports: [http] } }]
`);
    const web = h.pod("shop", { app: "web" }, { ip: "10.0.1.10", namedPorts: [{ name: "http", protocol: 6, port: 8080 }] });
    expect(h.trace(web, h.external("192.0.2.1"), 8080)).toEqual({ verdict: "deny", egress: ["0|default|gnp:r|deny|-1"] });
  });
});

describe("ICMP type and code (§5: Felix enforces them, flow records do not carry them)", () => {
  const policy = (rule: string) =>
    harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: r }
spec:
  selector: app == 'web'
  ingress: [${rule}]
`);

  test("an icmp match on an ICMP flow is uncertain and acts as no match", () => {
    const h = policy("{ action: Allow, protocol: ICMP, icmp: { type: 8 } }");
    const web = h.pod("shop", { app: "web" }, { ip: "10.0.1.10" });
    const r = h.eval(h.external(V4), web, 0, "ICMP");
    expect(r.verdict).toBe("deny");
    expect(r.uncertain).toEqual(["flow records do not carry ICMP type and code (GlobalNetworkPolicy r spec.ingress[0])"]);
  });

  test("a notICMP match on an ICMP flow is uncertain and acts as a match", () => {
    const h = policy("{ action: Allow, protocol: ICMP, notICMP: { type: 8, code: 0 } }");
    const web = h.pod("shop", { app: "web" }, { ip: "10.0.1.10" });
    const r = h.eval(h.external(V4), web, 0, "ICMP");
    expect(r.verdict).toBe("allow");
    expect(r.uncertain).toEqual(["flow records do not carry ICMP type and code (GlobalNetworkPolicy r spec.ingress[0])"]);
  });

  test("an icmp rule cannot match a TCP flow, so that verdict is certain", () => {
    const h = policy("{ action: Allow, protocol: ICMP, icmp: { type: 8 } }");
    const web = h.pod("shop", { app: "web" }, { ip: "10.0.1.10" });
    const r = h.eval(h.external(V4), web, 80, "TCP");
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "deny", uncertain: [] });
  });
});
