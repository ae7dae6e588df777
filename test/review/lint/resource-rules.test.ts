import { describe, expect, test } from "@jest/globals";
import { brief, gnp, lint, np } from "./world.js";
import { lineOf } from "../policy-tests/fixtures.js";

/**
 * Lint rules that judge how one added or changed resource is written. Each row: the file the pull request adds,
 * the expected findings (code, severity, file, line, path) and message fragments; negative rows expect none.
 */
interface Row {
  what: string;
  file: string;
  /** Present at base too (so unchanged unless `head` differs). */
  base?: string;
  expected: Array<{ line: string; path: string; message: string[] }>;
}

function table(code: string, rows: Row[]) {
  test.each(rows)("$what", (row) => {
    const findings = lint({ base: row.base !== undefined ? { "p.yaml": row.base } : {}, head: { "p.yaml": row.file } }, code);
    expect(findings.map(brief)).toEqual(row.expected.map((e) => ({ code, severity: "warning", file: "p.yaml", line: lineOf(row.file, e.line), path: e.path })));
    row.expected.forEach((e, i) => {
      for (const m of e.message) expect(findings[i].message).toContain(m);
    });
  });
}

const ELEVEN = Array.from({ length: 11 }, (_, i) => `10.${i}.0.0/16`);

describe("lint/global-policy-for-app: a GlobalNetworkPolicy on every endpoint whose rules are about apps", () => {
  table("lint/global-policy-for-app", [
    {
      what: "selector all(), ingress rule narrowed to one app's pods: flagged at the rule's selector",
      file: gnp("web-ingress", `  tier: app
  selector: all()
  ingress:
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: projectcalico.org/name == 'shop' }
      destination: { selector: app == 'web', ports: [80] }`),
      expected: [
        {
          line: "destination: { selector: app == 'web'",
          path: "spec.ingress[0].destination.selector",
          message: ["GlobalNetworkPolicy web-ingress applies to every endpoint in the cluster (selector all())", "spec.ingress[0].destination.selector reads app", "write a NetworkPolicy in their namespace"],
        },
      ],
    },
    {
      what: "no selector, egress to an app in every namespace: flagged at the peer",
      file: gnp("to-db", `  tier: app
  egress:
    - action: Allow
      destination: { selector: k8s-app == 'db' }`),
      expected: [{ line: "selector: k8s-app == 'db'", path: "spec.egress[0].destination.selector", message: ["reads k8s-app in every namespace"] }],
    },
    {
      what: "allow DNS to kube-dns from everywhere (peer scoped by a namespaceSelector): not flagged",
      file: gnp("allow-dns", `  tier: sec
  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: UDP
      destination: { namespaceSelector: projectcalico.org/name == 'kube-system', selector: k8s-app == 'kube-dns', ports: [53] }`),
      expected: [],
    },
    {
      what: "a narrow policy selector: not flagged",
      file: gnp("web", `  tier: app
  selector: app == 'web'
  ingress:
    - action: Allow
      source: { selector: app == 'api' }`),
      expected: [],
    },
    {
      what: "a namespaceSelector on the policy: not flagged",
      file: gnp("shop", `  tier: app
  namespaceSelector: projectcalico.org/name == 'shop'
  ingress:
    - action: Allow
      destination: { selector: app == 'web' }`),
      expected: [],
    },
    {
      what: "selector all() with non-app labels (a threat feed): not flagged",
      file: gnp("block", `  tier: sec
  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { selector: feed == 'threats' }`),
      expected: [],
    },
    {
      what: "a NetworkPolicy: not this rule's business",
      file: np("web", "shop", `  tier: app
  ingress:
    - action: Allow
      destination: { selector: app == 'web' }`),
      expected: [],
    },
    {
      what: "unchanged by the pull request: not reported",
      base: gnp("to-db", `  tier: app
  egress:
    - action: Allow
      destination: { selector: app == 'db' }`),
      file: gnp("to-db", `  tier: app
  egress:
    - action: Allow
      destination: { selector: app == 'db' }`),
      expected: [],
    },
  ]);
});

describe("lint/long-cidr-list and lint/inline-domains: address lists belong in network sets", () => {
  table("lint/long-cidr-list", [
    {
      what: "eleven CIDRs in a destination: flagged",
      file: np("out", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination:
        nets: ${JSON.stringify(ELEVEN)}`),
      expected: [{ line: "nets:", path: "spec.egress[0].destination.nets", message: ["lists 11 CIDRs inline (more than 10)", "a NetworkSet in shop", "destination.selector: addresses == 'partners'"] }],
    },
    {
      what: "twelve CIDRs in a global policy's source notNets: flagged, with the notSelector fix",
      file: gnp("in", `  tier: app
  selector: app == 'web'
  ingress:
    - action: Allow
      source:
        notNets: ${JSON.stringify([...ELEVEN, "10.200.0.0/16"])}`),
      expected: [{ line: "notNets:", path: "spec.ingress[0].source.notNets", message: ["lists 12 CIDRs", "a GlobalNetworkSet", "source.notSelector: addresses == 'partners'"] }],
    },
    {
      what: "ten CIDRs: not flagged",
      file: np("out", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination:
        nets: ${JSON.stringify(ELEVEN.slice(0, 10))}`),
      expected: [],
    },
  ]);

  table("lint/inline-domains", [
    {
      what: "domains in an egress rule: flagged",
      file: np("saas", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination:
        domains: [api.stripe.com, "*.googleapis.com"]`),
      expected: [{ line: "domains:", path: "spec.egress[0].destination.domains", message: ["lists 2 domain names in the rule", "allowedEgressDomains", "with namespaceSelector: global()"] }],
    },
    {
      what: "a rule selecting a network set instead: not flagged",
      file: np("saas", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination: { namespaceSelector: global(), selector: egress == 'saas-apis' }`),
      expected: [],
    },
  ]);
});

describe("lint/rule-selector-all: all() in a rule is every endpoint in scope, not every address", () => {
  table("lint/rule-selector-all", [
    {
      what: "a NetworkPolicy's destination selector all(): flagged",
      file: np("api", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination: { selector: all() }`),
      expected: [{ line: "selector: all()", path: "spec.egress[0].destination.selector", message: ["all() matches every endpoint and network set in namespace shop, not every address", "To match any address, remove the selector"] }],
    },
    {
      what: "a global policy's source selector all(): flagged",
      file: gnp("web", `  tier: app
  selector: app == 'web'
  ingress:
    - action: Allow
      source:
        selector: "all()"`),
      expected: [{ line: 'selector: "all()"', path: "spec.ingress[0].source.selector", message: ["every known endpoint and network set in the cluster"] }],
    },
    {
      what: "all() next to a namespaceSelector (every pod of those namespaces): not flagged",
      file: np("api", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination: { namespaceSelector: projectcalico.org/name == 'dev', selector: all() }`),
      expected: [],
    },
    {
      what: "no selector at all: not flagged",
      file: np("api", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination: { ports: [443] }
      protocol: TCP`),
      expected: [],
    },
  ]);
});

describe("lint/reserved-label-prefix: projectcalico.org/, pcns. and pcsa. where the author meant something else", () => {
  const selectorRow = (what: string, field: string, expected: Row["expected"]): Row => ({
    what,
    file: np("web", "shop", `  tier: app
  selector: app == 'web'
  ingress:
    - action: Allow
      source:
        ${field}`),
    expected,
  });
  table("lint/reserved-label-prefix", [
    {
      what: "a projectcalico.org/ label on a policy: flagged at the label",
      file: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
  labels:
    projectcalico.org/owner: alice
spec:
  tier: app
  selector: app == 'web'
`,
      expected: [{ line: "projectcalico.org/owner", path: 'metadata.labels["projectcalico.org/owner"]', message: ["Label projectcalico.org/owner on NetworkPolicy web uses a prefix Calico reserves", "acme.io/owner"] }],
    },
    {
      what: "projectcalico.org/tier equal to spec.tier (what Calico writes): not flagged; a different value is",
      file: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
  labels: { projectcalico.org/tier: app }
spec:
  tier: app
  selector: app == 'web'
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: api
  namespace: shop
  labels: { projectcalico.org/tier: sec }
spec:
  tier: app
  selector: app == 'api'
`,
      expected: [{ line: "projectcalico.org/tier: sec", path: 'metadata.labels["projectcalico.org/tier"]', message: ["projectcalico.org/tier from spec.tier"] }],
    },
    {
      what: "a pcns. label on a network set: flagged",
      file: `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: partners
  labels: { pcns.team: shop }
spec:
  nets: [192.0.2.0/24]
`,
      expected: [{ line: "pcns.team", path: 'metadata.labels["pcns.team"]', message: ["inherited namespace labels this prefix"] }],
    },
    selectorRow("namespaceSelector on projectcalico.org/namespace: flagged, hint projectcalico.org/name", "namespaceSelector: projectcalico.org/namespace == 'dev'", [
      { line: "namespaceSelector: projectcalico.org/namespace", path: "spec.ingress[0].source.namespaceSelector", message: ["which no namespace carries, so this matches nothing", "projectcalico.org/name == '<namespace>'"] },
    ]),
    selectorRow("namespaceSelector on pcns.env: the prefix is added twice", "namespaceSelector: pcns.env == 'dev'", [
      { line: "pcns.env", path: "spec.ingress[0].source.namespaceSelector", message: ["so this reads pcns.pcns.env and matches nothing. Write env instead"] },
    ]),
    selectorRow("a rule selector on pcns.env: use a namespaceSelector", "selector: pcns.env == 'dev'", [
      { line: "pcns.env", path: "spec.ingress[0].source.selector", message: ["the inherited copy of a namespace label", "namespaceSelector (env ...)"] },
    ]),
    selectorRow("serviceAccounts.selector on projectcalico.org/serviceaccount: flagged", "serviceAccounts: { selector: projectcalico.org/serviceaccount == 'api' }", [
      { line: "serviceAccounts", path: "spec.ingress[0].source.serviceAccounts.selector", message: ["no service account carries", "projectcalico.org/name == '<name>'"] },
    ]),
    selectorRow("a rule selector on projectcalico.org/tier: no endpoint carries it", "selector: projectcalico.org/tier == 'app'", [
      { line: "projectcalico.org/tier", path: "spec.ingress[0].source.selector", message: ["no endpoint carries it"] },
    ]),
    selectorRow(
      "the implicit labels selectors may use, each where it belongs: not flagged",
      "selector: projectcalico.org/namespace == 'dev' && projectcalico.org/orchestrator == 'k8s' && projectcalico.org/serviceaccount == 'ci'",
      [],
    ),
    selectorRow("network sets by name and kind (as Enterprise recommendations write them): not flagged", "selector: projectcalico.org/name == 'partners' && projectcalico.org/kind == 'NetworkSet'", []),
    selectorRow("a namespace by projectcalico.org/name: not flagged", "namespaceSelector: projectcalico.org/name == 'dev'", []),
  ]);

  test("the finding points at the label inside the selector", () => {
    const file = np("web", "shop", `  tier: app
  selector: app == 'web' && pcsa.team == 'x'`);
    const [f] = lint({ head: { "p.yaml": file } }, "lint/reserved-label-prefix");
    const line = file.split("\n")[lineOf(file, "pcsa.team") - 1];
    expect({ line: f.line, col: f.col, path: f.path }).toEqual({ line: lineOf(file, "pcsa.team"), col: line.indexOf("pcsa.team") + 1, path: "spec.selector" });
    expect(f.message).toContain("Use serviceAccounts.selector (or spec.serviceAccountSelector) with team instead");
  });
});
