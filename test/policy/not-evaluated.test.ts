import { describe, expect, test } from "@jest/globals";
import { buildResources, loadText, validateResources, DEFAULT_CALICO_VERSION } from "../../src/policy/index.js";

const YAML = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: edge }
spec:
  preDNAT: true
  applyOnForward: true
  selector: all()
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      http: { methods: [GET] }
      destination: { ports: [80] }
    - action: Allow
      source: { services: { name: api, namespace: shop } }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: out, namespace: shop }
spec:
  egress:
    - action: Allow
      destination: { domains: ["*.example.com"] }
`;

describe("features tierguard models but does not evaluate are reported as notices", () => {
  test("preDNAT, applyOnForward, http, services and domains each get a policy/not-evaluated notice at their field", () => {
    const loaded = loadText("p.yaml", YAML);
    const diagnostics = validateResources(buildResources(loaded.documents).resources, { version: DEFAULT_CALICO_VERSION }).filter((d) => d.code === "policy/not-evaluated");
    expect(diagnostics.map((d) => ({ severity: d.severity, line: d.line, path: d.path }))).toEqual([
      { severity: "notice", line: 5, path: "spec.preDNAT" },
      { severity: "notice", line: 6, path: "spec.applyOnForward" },
      { severity: "notice", line: 12, path: "spec.ingress[0].http" },
      { severity: "notice", line: 15, path: "spec.ingress[1].source.services" },
      { severity: "notice", line: 23, path: "spec.egress[0].destination.domains" },
    ]);
    expect(diagnostics[0].message).toMatch(/marked uncertain/);
  });
});
