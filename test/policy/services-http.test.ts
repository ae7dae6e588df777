import { describe, expect, test } from "@jest/globals";
import { found, rulePolicy, validateYaml, type Row } from "./validate-helpers.js";

/**
 * services-http.ts: where services and http matches may appear and what they may be combined with
 * (calico-semantics §5 "Services", §12 "Services" and "HTTP").
 */
const egress = (lines: string[], kind?: string) => rulePolicy(lines, { direction: "egress", kind });
const ingress = (lines: string[], kind?: string) => rulePolicy(lines, { direction: "ingress", kind });
const conflict = (line: string, field: string) => ({
  name: `services with ${field}`,
  yaml: egress(["action: Allow", "destination:", "  services: { name: api }", `  ${line}`]),
  expected: [{ code: "service/conflicting-field", line: 9, col: 9, path: `spec.egress[0].destination.${field}` }],
});

const rows: Row[] = [
  { name: "egress destination services in a NetworkPolicy, namespace optional", expected: [],
    yaml: egress(["action: Allow", "destination:", "  services: { name: api }"]) },
  { name: "egress destination services in a GNP with a namespace", expected: [],
    yaml: egress(["action: Allow", "destination:", "  services: { name: api, namespace: shop }"], "GlobalNetworkPolicy") },
  { name: "ingress source services with source ports", expected: [],
    yaml: ingress(["action: Allow", "protocol: TCP", "source:", "  services: { name: api }", "  ports: [80]"]) },
  { name: "services in an egress source", yaml: egress(["action: Allow", "source:", "  services: { name: api }"]),
    expected: [{ code: "service/wrong-side", line: 8, col: 9, path: "spec.egress[0].source.services" }] },
  { name: "services in an ingress destination", yaml: ingress(["action: Allow", "destination:", "  services: { name: api }"]),
    expected: [{ code: "service/wrong-side", line: 8, col: 9, path: "spec.ingress[0].destination.services" }] },
  { name: "GNP services without a namespace",
    yaml: egress(["action: Allow", "destination:", "  services: { name: api }"], "GlobalNetworkPolicy"),
    expected: [{ code: "service/namespace-required", line: 8, col: 9, path: "spec.egress[0].destination.services" }] },
  { name: "staged GNP services without a namespace",
    yaml: ingress(["action: Allow", "source:", "  services: { name: api }"], "StagedGlobalNetworkPolicy"),
    expected: [{ code: "service/namespace-required", line: 8, col: 9, path: "spec.ingress[0].source.services" }] },
  { name: "services without a name", yaml: egress(["action: Allow", "destination:", "  services: { namespace: shop }"]),
    expected: [{ code: "service/name-required", line: 8, col: 9, path: "spec.egress[0].destination.services" }] },
  { name: "services name not a DNS name", yaml: egress(["action: Allow", "destination:", "  services: { name: Api }"]),
    expected: [{ code: "service/invalid-name", line: 8, col: 27, path: "spec.egress[0].destination.services.name" }] },
  conflict("selector: a == 'b'", "selector"),
  conflict("notSelector: a == 'b'", "notSelector"),
  conflict("namespaceSelector: a == 'b'", "namespaceSelector"),
  conflict("serviceAccounts: { names: [x] }", "serviceAccounts"),
  conflict("nets: [10.0.0.0/8]", "nets"),
  conflict("notNets: [10.0.0.0/8]", "notNets"),
  { name: "destination services with ports",
    yaml: egress(["action: Allow", "protocol: TCP", "destination:", "  services: { name: api }", "  ports: [80]"]),
    expected: [{ code: "service/ports", line: 10, col: 9, path: "spec.egress[0].destination.ports" }] },
  { name: "destination services with notPorts",
    yaml: egress(["action: Allow", "protocol: TCP", "destination:", "  services: { name: api }", "  notPorts: [80]"]),
    expected: [{ code: "service/ports", line: 10, col: 9, path: "spec.egress[0].destination.notPorts" }] },

  { name: "an ingress Allow HTTP match over TCP", expected: [],
    yaml: ingress(["action: Allow", "protocol: TCP", "http:", "  methods: [GET, POST]", "  paths: [{ exact: /a }, { prefix: /b }]"]) },
  { name: "HTTP in an egress rule", yaml: egress(["action: Allow", "http:", "  methods: [GET]"]),
    expected: [{ code: "http/egress", line: 7, col: 7, path: "spec.egress[0].http" }] },
  { name: "HTTP in a GNP egress rule", yaml: egress(["action: Allow", "http:", "  methods: [GET]"], "GlobalNetworkPolicy"),
    expected: [{ code: "http/egress", line: 7, col: 7, path: "spec.egress[0].http" }] },
  { name: "HTTP on a Deny rule", yaml: ingress(["action: Deny", "http:", "  methods: [GET]"]),
    expected: [{ code: "http/action", line: 7, col: 7, path: "spec.ingress[0].http" }] },
  { name: "HTTP with protocol UDP", yaml: ingress(["action: Allow", "protocol: UDP", "http:", "  methods: [GET]"]),
    expected: [{ code: "http/protocol", line: 7, col: 17, path: "spec.ingress[0].protocol" }] },
  { name: "duplicate methods", yaml: ingress(["action: Allow", "http:", "  methods: [GET, POST, GET]"]),
    expected: [{ code: "http/duplicate-method", line: 8, col: 30, path: "spec.ingress[0].http.methods[2]" }] },
  { name: "21 methods", yaml: ingress(["action: Allow", "http:", `  methods: [${Array.from({ length: 21 }, (_, i) => `M${i}`).join(", ")}]`]),
    expected: [{ code: "http/too-many-methods", line: 8, col: 9, path: "spec.ingress[0].http.methods" }] },
  { name: "21 paths", yaml: ingress(["action: Allow", "http:", `  paths: [${Array.from({ length: 21 }, (_, i) => `{ exact: /p${i} }`).join(", ")}]`]),
    expected: [{ code: "http/too-many-paths", line: 8, col: 9, path: "spec.ingress[0].http.paths" }] },
  { name: "path with exact and prefix", yaml: ingress(["action: Allow", "http:", "  paths:", "    - { exact: /a, prefix: /b }"]),
    expected: [{ code: "http/path-both", line: 9, col: 13, path: "spec.ingress[0].http.paths[0]" }] },
  { name: "path with neither", yaml: ingress(["action: Allow", "http:", "  paths:", "    - {}"]),
    expected: [{ code: "http/path-missing", line: 9, col: 13, path: "spec.ingress[0].http.paths[0]" }] },
  { name: "path without a leading slash", yaml: ingress(["action: Allow", "http:", "  paths:", "    - exact: foo"]),
    expected: [{ code: "http/path-invalid", line: 9, col: 20, path: "spec.ingress[0].http.paths[0].exact" }] },
  { name: "path with a query", yaml: ingress(["action: Allow", "http:", "  paths:", "    - prefix: /a?b"]),
    expected: [{ code: "http/path-invalid", line: 9, col: 21, path: "spec.ingress[0].http.paths[0].prefix" }] },
  { name: "path over 1024 characters", yaml: ingress(["action: Allow", "http:", "  paths:", `    - exact: /${"a".repeat(1024)}`]),
    expected: [{ code: "http/path-too-long", line: 9, col: 20, path: "spec.ingress[0].http.paths[0].exact" }] },
];

describe("services and HTTP checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("messages say where services belong", () => {
    const [d] = validateYaml(egress(["action: Allow", "source:", "  services: { name: api }"]));
    expect(d.message).toBe(
      "services cannot be used in an egress rule's source; move them to the destination (a service is matched as the " +
        "destination of egress)");
  });
});
