import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sortDiagnostics } from "../../src/policy/index.js";
import { validateYaml } from "./validate-helpers.js";

/** validateResources as a whole: every problem in a file is reported, not just the first, each with its place. */
const MANY_PROBLEMS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: Security.Tier
spec:
  order: 100
  defaultAction: allow
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: t.h.i.ng
  namespace: shop
  labels:
    bad key: ok
spec:
  tier: platform
  selector: app = 'web'
  types: [Ingress, Ingress]
  ingress:
    - action: allow
      protocol: tcp
      source:
        nets: [10.0.0.1/24, "fd00::/8"]
        selector: global()
      destination:
        ports: [0, "90:80", HTTP]
    - action: Deny
      protocol: ICMP
      ipVersion: 6
      icmp: { code: 3 }
  egress:
    - action: Allow
      http: { methods: [GET, GET] }
      source:
        services: { name: api }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchExpressions: [{ key: app, operator: Exists, values: [x] }] }
  policyTypes: [Ingress, ingress]
  ingress:
    - ports: [{ port: 70000 }, { protocol: ICMP }]
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata:
  name: s
  namespace: shop
  labels: { projectcalico.org/namespace: shop }
spec:
  nets: [10.0.0.1/24, not-a-cidr]
`;

describe("validateResources", () => {
  test("a file with many problems reports all of them, in place", () => {
    const diagnostics = sortDiagnostics(validateYaml(MANY_PROBLEMS));
    expect(diagnostics.map(({ code, line, col, path, severity, resource }) => ({ code, line, col, path, severity, resource }))).toEqual([
      { code: "names/invalid", line: 4, col: 9, path: "metadata.name", severity: "error", resource: "Tier Security.Tier" },
      { code: "tier/default-action", line: 7, col: 18, path: "spec.defaultAction", severity: "error", resource: "Tier Security.Tier" },
      ...[
        { code: "names/invalid", line: 12, col: 9, path: "metadata.name" },
        { code: "metadata/label-key", line: 15, col: 5, path: 'metadata.labels["bad key"]' },
        { code: "policy/unknown-tier", line: 17, col: 9, path: "spec.tier", severity: "warning" },
        { code: "selector/invalid-operator", line: 18, col: 17, path: "spec.selector" },
        { code: "policy/duplicate-type", line: 19, col: 20, path: "spec.types[1]" },
        { code: "rule/action-case", line: 21, col: 15, path: "spec.ingress[0].action" },
        { code: "rule/protocol-case", line: 22, col: 17, path: "spec.ingress[0].protocol" },
        { code: "net/mixed-families", line: 24, col: 9, path: "spec.ingress[0].source.nets" },
        { code: "net/host-bits", line: 24, col: 16, path: "spec.ingress[0].source.nets[0]" },
        { code: "selector/global-not-allowed", line: 25, col: 19, path: "spec.ingress[0].source.selector" },
        { code: "port/out-of-range", line: 27, col: 17, path: "spec.ingress[0].destination.ports[0]" },
        { code: "port/range-order", line: 27, col: 20, path: "spec.ingress[0].destination.ports[1]" },
        { code: "port/invalid-name", line: 27, col: 29, path: "spec.ingress[0].destination.ports[2]" },
        { code: "rule/icmp-ip-version", line: 30, col: 18, path: "spec.ingress[1].ipVersion" },
        { code: "rule/icmp-code-without-type", line: 31, col: 15, path: "spec.ingress[1].icmp.code" },
        { code: "http/egress", line: 34, col: 7, path: "spec.egress[0].http" },
        { code: "http/duplicate-method", line: 34, col: 30, path: "spec.egress[0].http.methods[1]" },
        { code: "service/wrong-side", line: 36, col: 9, path: "spec.egress[0].source.services" },
      ].map((d) => ({ severity: "error", ...d, resource: "NetworkPolicy shop/t.h.i.ng" })),
      ...[
        { code: "k8s/selector-values-forbidden", line: 42, col: 67, path: "spec.podSelector.matchExpressions[0].values" },
        { code: "k8s/policy-type", line: 43, col: 26, path: "spec.policyTypes[1]" },
        { code: "k8s/port-range", line: 45, col: 23, path: "spec.ingress[0].ports[0].port" },
        { code: "k8s/protocol", line: 45, col: 44, path: "spec.ingress[0].ports[1].protocol" },
      ].map((d) => ({ ...d, severity: "error", resource: "KubernetesNetworkPolicy shop/web" })),
      { code: "networkset/namespace-label", line: 52, col: 13, path: 'metadata.labels["projectcalico.org/namespace"]',
        severity: "error", resource: "NetworkSet shop/s" },
      { code: "net/invalid", line: 54, col: 23, path: "spec.nets[1]", severity: "error", resource: "NetworkSet shop/s" },
    ]);
  });

  test("a valid set of every kind reports nothing, under both versions", () => {
    const yaml = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: security.allow-dns }
spec:
  tier: security
  order: 10
  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: UDP
      destination:
        selector: k8s-app == 'kube-dns'
        namespaceSelector: projectcalico.org/name == 'kube-system'
        ports: [53]
    - action: Pass
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: default.web, namespace: shop }
spec:
  stagedAction: Set
  selector: app == 'web'
  ingress:
    - action: Allow
      protocol: TCP
      source: { serviceAccounts: { names: [api] }, namespaceSelector: global() }
      destination: { ports: [http, "8000:8080"] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
    - from: [{ namespaceSelector: {} }]
      ports: [{ port: 80 }]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: dns-servers, labels: { role: dns } }
spec: { nets: [8.8.8.8, 1.1.1.0/24] }
`;
    expect(validateYaml(yaml, "3.32")).toEqual([]);
    expect(validateYaml(yaml, "3.31")).toEqual([]);
  });

  test("the validate folder imports only the policy model, the selector module and the shared contracts", () => {
    const dir = fileURLToPath(new URL("../../src/policy/validate/", import.meta.url));
    const imports = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(dir + f, "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]));
    const outside = imports.filter((i) => !/^\.\.?\/[a-z0-9-]+\.js$/.test(i) && i !== "../../selector/index.js" && i !== "../../contracts/index.js");
    expect(outside).toEqual([]);
  });
});
