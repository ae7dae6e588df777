import { describe, expect, test } from "@jest/globals";
import { checkPolicyTests, parseTestFile, testTiers } from "../../../src/review/policy-tests/index.js";
import type { Finding } from "../../../src/review/types.js";
import { reviewContext } from "../../helpers/review.js";
import { lineOf } from "./fixtures.js";
import { templateConfig, templateInventory, templatePolicies, templateTests } from "./template-fixture.js";

/** The bundled example repository's own tests, against its own policies and against mutated ones. */
const TESTS = templateTests();

function review(head: Record<string, string>) {
  return reviewContext({ base: templatePolicies(), head, config: templateConfig(), baseTests: TESTS, headTests: TESTS, inventory: templateInventory() });
}

function mutate(file: string, from: string, to: string): Record<string, string> {
  const policies = templatePolicies();
  if (!policies[file].includes(from)) throw new Error(`${from} not in ${file}`);
  policies[file] = policies[file].replace(from, to);
  return policies;
}

function without(file: string): Record<string, string> {
  const policies = templatePolicies();
  delete policies[file];
  return policies;
}

/** Where a named test sits. */
function at(file: string, name: string) {
  return { code: "test/failed", severity: "error", file, line: lineOf(TESTS[file], `- name: ${name}`) };
}
const brief = (f: Finding) => ({ code: f.code, severity: f.severity, file: f.file, line: f.line });

describe("the template's policy tests", () => {
  test("all 38 run and pass against the template's policies", () => {
    const parsed = Object.entries(TESTS).map(([file, text]) => parseTestFile({ file, text }));
    expect(parsed.flatMap((p) => p.findings)).toEqual([]);
    expect(parsed.map((p) => [p.file, p.tests.length])).toEqual([
      ["tests/call-graph.yaml", 18],
      ["tests/denials.yaml", 8],
      ["tests/guardrails.yaml", 12],
    ]);
    expect(checkPolicyTests(review(templatePolicies()))).toEqual([]);
  });

  interface Mutation {
    what: string;
    head: () => Record<string, string>;
    failures: Array<{ file: string; name: string; message: string; details: string[] }>;
  }

  const MUTATIONS: Mutation[] = [
    {
      what: "cartservice stops accepting the frontend",
      head: () => mutate("application/cartservice.yaml", "selector: app == 'frontend'", "selector: app == 'frontend-v2'"),
      failures: [
        {
          file: "tests/call-graph.yaml",
          name: "frontend reaches the cart",
          message: "ingress at the destination: end of tier application: no policy of the tier decided, and its default action is Deny",
          details: [
            "boutique/{app=frontend} -> boutique/{app=cartservice}, TCP port 7070: DENY, expected ALLOW",
            "  egress at the source boutique/{app=frontend}: ALLOW, decided by 2|application|np:boutique/frontend|allow|2 (Allow rule spec.egress[2] of NetworkPolicy boutique/frontend, application/frontend.yaml:44)",
            "    trace: 0|security|gnp:allow-dns|pass|-1  1|platform|gnp:restrict-internet-egress|pass|0  2|application|np:boutique/frontend|allow|2",
            "  ingress at the destination boutique/{app=cartservice}: DENY, decided by 2|application|np:boutique/cartservice|deny|-1 (end of tier application: no policy of the tier decided, and its default action is Deny)",
            "    trace: 0|security|gnp:block-threat-feed|pass|-1  1|platform|gnp:allow-ingress-to-frontend|pass|-1  2|application|np:boutique/cartservice|deny|-1",
            "    tiers: security: end of tier: pass; platform: end of tier: pass; namespace-isolation: only staged policies (skipped); application: end of tier: deny",
          ],
        },
      ],
    },
    {
      what: "allow-dns loses its UDP rule",
      head: () => mutate("security/allow-dns.yaml", "protocol: UDP", "protocol: SCTP"),
      failures: [
        {
          file: "tests/guardrails.yaml",
          name: "any boutique pod resolves names over UDP",
          message: "egress at the source: end of tier application",
          details: [
            "  egress at the source boutique/{app=emailservice}: DENY, decided by 2|application|np:boutique/emailservice|deny|-1 (end of tier application: no policy of the tier decided, and its default action is Deny)",
            "    trace: 0|security|gnp:allow-dns|pass|-1  1|platform|gnp:restrict-internet-egress|pass|0  2|application|np:boutique/emailservice|deny|-1",
          ],
        },
      ],
    },
    {
      what: "the quarantine guard rail is deleted",
      head: () => without("security/quarantine.yaml"),
      failures: [
        {
          file: "tests/guardrails.yaml",
          name: "a quarantined frontend cannot reach the cart",
          message: "and the head policies ALLOW it (egress at the source: Allow rule spec.egress[2] of NetworkPolicy boutique/frontend, application/frontend.yaml:44; ingress at the destination: Allow rule spec.ingress[0] of NetworkPolicy boutique/cartservice",
          details: ["boutique/{app=frontend,quarantine=true} -> boutique/{app=cartservice}, TCP port 7070: ALLOW, expected DENY"],
        },
        { file: "tests/guardrails.yaml", name: "nothing reaches a quarantined pod, not even its real callers", message: "ALLOW", details: [] },
        {
          file: "tests/guardrails.yaml",
          name: "a quarantined pod cannot even resolve names",
          message: "Allow rule spec.egress[0] of GlobalNetworkPolicy allow-dns, security/allow-dns.yaml:18",
          details: [],
        },
      ],
    },
    {
      what: "restrict-internet-egress no longer denies the rest of the internet",
      head: () => mutate("platform/restrict-internet-egress.yaml", "    # The rest of the internet.\n    - action: Deny\n", ""),
      failures: [
        {
          file: "tests/guardrails.yaml",
          name: "the shopping assistant cannot call the LLM API (not an approved destination)",
          message: "egress at the source: no tier decided: the namespace profile kns.boutique allows",
          details: ["    trace: 0|security|gnp:allow-dns|pass|-1  1|platform|gnp:restrict-internet-egress|pass|-1  2|__PROFILE__|pro:kns.boutique|allow|0"],
        },
      ],
    },
    {
      what: "redis-cart's Kubernetes policy lets the frontend in instead of the cart (the frontend's own egress policy still keeps it out)",
      head: () => mutate("application/redis-cart.yaml", "app: cartservice", "app: frontend"),
      failures: [
        {
          file: "tests/call-graph.yaml",
          name: "the cart reaches its Redis (Kubernetes NetworkPolicy, default tier)",
          message: "ingress at the destination: end of tier default",
          details: ["    trace: 0|security|gnp:block-threat-feed|pass|-1  1|platform|gnp:allow-ingress-to-frontend|pass|-1  2|default|knp:boutique/redis-cart|deny|-1"],
        },
      ],
    },
  ];

  test.each(MUTATIONS)("$what: exactly the tests that guard it fail, with the trace", (m) => {
    const findings = checkPolicyTests(review(m.head()));
    expect(findings.map(brief)).toEqual(m.failures.map((f) => at(f.file, f.name)));
    m.failures.forEach((f, i) => {
      expect(findings[i].message).toContain(`Policy test "${f.name}" fails`);
      expect(findings[i].message).toContain(f.message);
      for (const d of f.details) expect(findings[i].details).toContain(d);
    });
  });
});

describe("testTiers: the tiers whose policies decide a test file's assertions (at base)", () => {
  const ctx = review(templatePolicies());
  test.each([
    ["tests/call-graph.yaml", ["application", "default", "platform"]],
    ["tests/denials.yaml", ["application", "default"]],
    ["tests/guardrails.yaml", ["application", "platform", "security"]],
  ])("%s", (file, tiers) => {
    expect([...testTiers(file, ctx)].sort()).toEqual(tiers);
  });

  test("a DNS-only file belongs to security; a test decided by the namespace profile alone belongs to no tier", () => {
    const dns = `tests:
  - name: dns
    from: { namespace: boutique, labels: { app: emailservice } }
    to: { namespace: kube-system, labels: { k8s-app: kube-dns } }
    port: 53
    protocol: UDP
    expect: allow
`;
    const profile = `tests:
  - name: kube-system talks to itself
    from: { namespace: kube-system, labels: { app: x } }
    to: { namespace: kube-system, labels: { app: y } }
    port: 80
    expect: allow
`;
    expect([...testTiers({ file: "tests/dns.yaml", text: dns }, ctx)]).toEqual(["security"]);
    expect([...testTiers({ file: "tests/p.yaml", text: profile }, ctx)]).toEqual([]);
  });

  test("judged at base: a file the head changes is still attributed from its base version, against base policies", () => {
    const headTests = { ...TESTS, "tests/denials.yaml": "tests: []\n" };
    const head = without("application/redis-cart.yaml");
    const c = reviewContext({ base: templatePolicies(), head, config: templateConfig(), baseTests: TESTS, headTests, inventory: templateInventory() });
    expect([...testTiers("tests/denials.yaml", c)].sort()).toEqual(["application", "default"]);
    expect([...testTiers("tests/missing.yaml", c)]).toEqual([]);
  });
});
