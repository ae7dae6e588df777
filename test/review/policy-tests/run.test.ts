import { describe, expect, test } from "@jest/globals";
import { checkPolicyTests } from "../../../src/review/policy-tests/index.js";
import type { Finding } from "../../../src/review/types.js";
import { reviewContext } from "../../helpers/review.js";
import { inventoryYaml, lineOf } from "./fixtures.js";

/**
 * Running policy tests on a small cluster: shop/api calls shop/web on 80 and data's databases on 5432; nothing else
 * is allowed in the app tier (end of tier Deny). db also accepts 9999 from namespaces labelled env=ci.
 */
const POLICIES: Record<string, string> = {
  "tiers.yaml": `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: app }
spec: { order: 100, defaultAction: Deny }
`,
  "shop.yaml": `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  tier: app
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'api' }
      destination: { ports: [80] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      destination: { selector: app == 'web', ports: [80] }
    - action: Allow
      protocol: TCP
      destination: { namespaceSelector: projectcalico.org/name == 'data', selector: tier == 'db', ports: [5432] }
`,
  "data.yaml": `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: db, namespace: data }
spec:
  tier: app
  selector: tier == 'db'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: projectcalico.org/name == 'shop', selector: app == 'api' }
      destination: { ports: [5432] }
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: env == 'ci' }
      destination: { ports: [9999] }
`,
};

const INVENTORY = inventoryYaml(
  [
    { ns: "shop", name: "web-1", labels: { app: "web" }, ip: "10.1.0.1", sa: "web" },
    { ns: "shop", name: "api-7d9c-a", labels: { app: "api", "pod-template-hash": "7d9c" }, ip: "10.1.0.2", sa: "api" },
    { ns: "shop", name: "api-7d9c-b", labels: { app: "api", "pod-template-hash": "7d9c" }, ip: "10.1.0.5", sa: "api" },
    { ns: "data", name: "pg-1", labels: { tier: "db", app: "postgres" }, ip: "10.1.0.3", sa: "pg" },
    { ns: "data", name: "mysql-1", labels: { tier: "db", app: "mysql" }, ip: "10.1.0.4", sa: "mysql" },
    { ns: "data", name: "cache-1", labels: { tier: "cache" }, ip: "10.1.0.6" },
    { ns: "dev", name: "tool-1", labels: { app: "tool" }, ip: "10.1.0.7" },
  ],
  { dev: { env: "dev" } },
);

function run(tests: string, options: { inventory?: string | null } = {}): { findings: Finding[]; text: string } {
  const text = `tests:\n${tests}`;
  const inventory = options.inventory === null ? undefined : options.inventory ?? INVENTORY;
  const ctx = reviewContext({ base: POLICIES, head: POLICIES, headTests: { "tests/shop.yaml": text }, baseTests: { "tests/shop.yaml": text }, inventory });
  return { findings: checkPolicyTests(ctx), text };
}

const brief = (f: Finding) => ({ code: f.code, severity: f.severity, file: f.file, line: f.line, path: f.path });

interface Row {
  what: string;
  test: string;
  inventory?: null;
  /** Empty: the test passes without a finding. */
  expected: Array<{ code: string; severity: string; message: string[]; details?: string[] }>;
}

const ROWS: Row[] = [
  {
    what: "labels form, allowed both ways: passes",
    test: `from: { namespace: shop, labels: { app: api } }\n    to: { namespace: shop, labels: { app: web } }\n    port: 80\n    expect: allow`,
    expected: [],
  },
  {
    what: "labels form, a port nobody allows: fails with the deciding rule in each direction",
    test: `from: { namespace: shop, labels: { app: api } }\n    to: { namespace: shop, labels: { app: web } }\n    port: 81\n    expect: allow`,
    expected: [
      {
        code: "test/failed",
        severity: "error",
        message: ['Policy test "t" fails: it expects ALLOW for shop/{app=api} -> shop/{app=web}, TCP port 81, and the head policies DENY it', "egress at the source: end of tier app", "ingress at the destination: end of tier app"],
        details: [
          "shop/{app=api} -> shop/{app=web}, TCP port 81: DENY, expected ALLOW",
          "  egress at the source shop/{app=api}: DENY, decided by 0|app|np:shop/api|deny|-1 (end of tier app: no policy of the tier decided, and its default action is Deny)",
          "    trace: 0|app|np:shop/api|deny|-1",
          "    tiers: app: end of tier: deny",
          "  ingress at the destination shop/{app=web}: DENY, decided by 0|app|np:shop/web|deny|-1 (end of tier app: no policy of the tier decided, and its default action is Deny)",
        ],
      },
    ],
  },
  {
    what: "expect deny, but a rule allows: the trace names the rule and its file:line",
    test: `from: { pod: shop/api }\n    to: { pod: data/pg-1 }\n    port: 5432\n    expect: deny`,
    expected: [
      {
        code: "test/failed",
        severity: "error",
        message: ["expects DENY for shop/api-7d9c-a -> data/pg-1, TCP port 5432, and the head policies ALLOW it", `Allow rule spec.egress[1] of NetworkPolicy shop/api, shop.yaml:${lineOf(POLICIES["shop.yaml"], "namespaceSelector: projectcalico.org/name == 'data'") - 2}`],
        details: ["  ingress at the destination data/pg-1: ALLOW, decided by 0|app|np:data/db|allow|0 (Allow rule spec.ingress[0] of NetworkPolicy data/db, data.yaml:9)"],
      },
    ],
  },
  {
    what: "ip form resolves a pod's address to the pod",
    test: `from: { ip: 10.1.0.2 }\n    to: { ip: 10.1.0.3 }\n    port: 5432\n    expect: allow`,
    expected: [],
  },
  {
    what: "ip form outside the cluster: an external address has no egress policy of its own",
    test: `from: { ip: 192.0.2.1 }\n    to: { pod: data/pg-1 }\n    port: 5432\n    expect: allow`,
    expected: [{ code: "test/failed", severity: "error", message: ["it expects ALLOW for 192.0.2.1 (not a known pod: an external address) -> data/pg-1, TCP port 5432, and the head policies DENY it (ingress at the destination: end of tier app"], details: ["  192.0.2.1 is not a workload: no egress policy applies to it."] }],
  },
  {
    what: "nothing in dev reaches the databases (namespace to selector): every pair denied, passes",
    test: `from: { namespace: dev }\n    to: { namespace: data, selector: "tier == 'db'" }\n    port: 5432\n    expect: deny`,
    expected: [],
  },
  {
    what: "nothing in shop reaches the databases: fails for the api pairs only, replicas counted once",
    test: `from: { namespace: shop }\n    to: { namespace: data, selector: "tier == 'db'" }\n    port: 5432\n    expect: deny`,
    expected: [
      {
        code: "test/failed",
        severity: "error",
        message: ["it expects DENY from every workload of shop to every workload of data matching tier == \"db\" port 5432, and 2 of 4 connections get the opposite; the first, shop/api-7d9c-a (10.1.0.2) -> data/pg-1 (10.1.0.3), TCP port 5432, is ALLOW"],
        details: ["shop/api-7d9c-a (10.1.0.2) -> data/pg-1 (10.1.0.3), TCP port 5432: ALLOW, expected DENY", "shop/api-7d9c-a (10.1.0.2) -> data/mysql-1 (10.1.0.4), TCP port 5432: ALLOW, expected DENY"],
      },
    ],
  },
  {
    what: "a namespace with no known workload stands for a pod with no labels",
    test: `from: { namespace: elsewhere }\n    to: { namespace: shop, labels: { app: web } }\n    port: 80\n    expect: deny`,
    expected: [],
  },
  {
    what: "serviceAccount narrows a selector to the workloads running as it",
    test: `from: { selector: "has(app)", serviceAccount: api }\n    to: { namespace: shop, labels: { app: web } }\n    port: 80\n    expect: allow`,
    expected: [],
  },
  {
    what: "a selector that matches no known workload checks nothing: a warning",
    test: `from: { namespace: dev }\n    to: { namespace: data, selector: "tier == 'nosql'" }\n    port: 5432\n    expect: deny`,
    expected: [{ code: "test/no-workloads", severity: "warning", message: ['Policy test "t" checks nothing: no known workload in namespace data matches to.selector tier == "nosql" (according to the inventory and flow snapshot)'] }],
  },
  {
    what: "a pod the inventory does not know cannot run: an error",
    test: `from: { pod: shop/nothere }\n    to: { namespace: shop, labels: { app: web } }\n    port: 80\n    expect: deny`,
    expected: [{ code: "test/unresolved-endpoint", severity: "error", message: ['Policy test "t" cannot run: from: no pod shop/nothere in the inventory'] }],
  },
  {
    what: "a pod without any inventory cannot run either",
    inventory: null,
    test: `from: { pod: shop/api-7d9c-a }\n    to: { namespace: shop, labels: { app: web } }\n    port: 80\n    expect: allow`,
    expected: [{ code: "test/unresolved-endpoint", severity: "error", message: ["without an inventory (tierguard.yaml inventory)"] }],
  },
  {
    what: "a pass that depends on namespace labels the inventory does not give: a notice",
    test: `from: { namespace: ghost, labels: { app: x } }\n    to: { namespace: data, labels: { tier: db } }\n    port: 9999\n    expect: deny`,
    expected: [{ code: "test/uncertain", severity: "notice", message: ['Policy test "t" passes, but the verdict depends on facts the inputs do not give (the labels of namespace ghost are unknown'] }],
  },
  {
    what: "a namespace label from the inventory decides it: certain, no notice",
    test: `from: { namespace: dev, labels: { app: x } }\n    to: { namespace: data, labels: { tier: db } }\n    port: 9999\n    expect: deny`,
    expected: [],
  },
];

describe("running policy tests on the head policies", () => {
  test.each(ROWS)("$what", (row) => {
    const { findings, text } = run(`  - name: t\n    ${row.test}\n`, { inventory: row.inventory });
    expect(findings.map(brief)).toEqual(row.expected.map((e) => ({ code: e.code, severity: e.severity, file: "tests/shop.yaml", line: lineOf(text, "- name: t"), path: "tests[0]" })));
    row.expected.forEach((e, i) => {
      for (const m of e.message) expect(findings[i].message).toContain(m);
      for (const d of e.details ?? []) expect(findings[i].details).toContain(d);
    });
  });

  test("every test of a file runs, each finding at its own line", () => {
    const { findings, text } = run(`  - name: ok
    from: { namespace: shop, labels: { app: api } }
    to: { namespace: shop, labels: { app: web } }
    port: 80
    expect: allow
  - name: broken one
    from: { namespace: shop, labels: { app: web } }
    to: { namespace: shop, labels: { app: api } }
    port: 80
    expect: deny
  - name: broken two
    from: { namespace: dev }
    to: { namespace: shop, labels: { app: web } }
    port: 80
    expect: allow
`);
    expect(findings.map(brief)).toEqual([
      { code: "test/failed", severity: "error", file: "tests/shop.yaml", line: lineOf(text, "broken one"), path: "tests[1]" },
      { code: "test/failed", severity: "error", file: "tests/shop.yaml", line: lineOf(text, "broken two"), path: "tests[2]" },
    ]);
    expect(findings[0].message).toContain("no tier decided: the namespace profile kns.shop allows");
  });

  test("invalid tests are reported and do not run; files that are not YAML are not test files", () => {
    const ctx = reviewContext({
      base: POLICIES,
      head: POLICIES,
      inventory: INVENTORY,
      headTests: { "tests/README.md": "# how to write tests\n", "tests/bad.yaml": "tests:\n  - name: x\n    from: { pod: nope }\n    to: { ip: 10.1.0.1 }\n    port: 80\n    expect: allow\n" },
    });
    expect(checkPolicyTests(ctx).map(brief)).toEqual([{ code: "test/invalid-file", severity: "error", file: "tests/bad.yaml", line: 3, path: "tests[0].from.pod" }]);
  });
});
