import { describe, expect, test } from "@jest/globals";
import { analyse, brief, gnp, np, type World } from "./world.js";

/**
 * Questions the policies alone cannot answer (a named port, a selector too large to compare exactly, string
 * conditions that only an overlapping value could meet) fall back to the workloads known from the inventory, and the
 * finding says so; with nothing known, the rule is reported as not analysed, never guessed.
 */
const INVENTORY = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop, env: prod } }
  - apiVersion: v1
    kind: Pod
    metadata: { name: web-1, namespace: shop, labels: { app: web, build: release-2024-candidate-7 } }
    spec:
      containers:
        - name: web
          ports: [{ name: http, containerPort: 8080 }]
    status: { podIP: 10.1.0.5 }
  - apiVersion: v1
    kind: Pod
    metadata: { name: api-1, namespace: shop, labels: { app: api } }
    spec:
      containers:
        - name: api
          ports: [{ name: grpc, containerPort: 9090 }]
    status: { podIP: 10.1.0.6 }
`;

const denyIngress = (port: number, selector = "all()") => gnp("deny-port", "security", 10, `  selector: ${selector}
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination: { ports: [${port}] }
`);

const allowIngress = (selector: string, ports: string) => np("web", "shop", "application", 10, `  selector: ${selector}
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [${ports}] }
`);

interface Row {
  name: string;
  world: World;
  expected: Array<{ code: string; severity: string; file: string; line: number; words: string[] }>;
}

const namedPort: World = {
  base: { "sec.yaml": denyIngress(8080) },
  head: { "sec.yaml": denyIngress(8080), "app.yaml": allowIngress("app == 'web'", "http") },
};

// Eight alternatives: more than the budget of four allows.
const roundabout = "(app == 'web' || a1 == 'x') && (app == 'web' || a2 == 'x') && (app == 'web' || a3 == 'x')";
const largeSelector: World = {
  base: { "sec.yaml": denyIngress(80, `"${roundabout}"`) },
  head: { "sec.yaml": denyIngress(80, `"${roundabout}"`), "app.yaml": allowIngress("app == 'web'", "80") },
  limits: { maxDnfTerms: 4 },
};

// A value that starts with the one and ends with the other fits in 63 characters only if they overlap.
const prefix = `${"x".repeat(32)}abc`;
const suffix = `abc${"y".repeat(26)}`;
const overlapping: World = {
  base: { "sec.yaml": denyIngress(80, `"build starts with '${prefix}'"`) },
  head: { "sec.yaml": denyIngress(80, `"build starts with '${prefix}'"`), "app.yaml": allowIngress(`"build ends with '${suffix}'"`, "80") },
};

function quarantined(inventory: string): World {
  const deny = denyIngress(80, "quarantine == 'true'");
  return { base: { "sec.yaml": deny }, head: { "sec.yaml": deny, "app.yaml": allowIngress("app == 'web'", "80") }, inventory };
}

const rows: Row[] = [
  {
    name: "a named port resolved through the inventory's pods",
    world: { ...namedPort, inventory: INVENTORY },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12,
      words: ["rule 0 of GlobalNetworkPolicy deny-port (tier security) denies all of it",
        "Part of this was decided from the 2 workloads known from the inventory",
        'named port "http" (8080 on the known workloads that declare it)'] }],
  },
  {
    name: "a named port no known workload declares: not analysed, and why",
    world: namedPort,
    expected: [{ code: "guardrail/not-analysed", severity: "notice", file: "app.yaml", line: 12,
      words: ["rule 0 of GlobalNetworkPolicy deny-port (spec.ingress[0]) in tier security may deny it first", "a named port that no known workload declares"] }],
  },
  {
    name: "a selector too large to compare exactly: decided by the known workloads",
    world: { ...largeSelector, inventory: INVENTORY },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12,
      words: ["rule 0 of GlobalNetworkPolicy deny-port (tier security) denies all of it", "known from the inventory", "a selector has more than 4 alternatives"] }],
  },
  {
    name: "a selector too large to compare exactly, and nothing known: not analysed",
    world: largeSelector,
    expected: [{ code: "guardrail/not-analysed", severity: "notice", file: "app.yaml", line: 12,
      words: ["a selector has more than 4 alternatives, and no workloads are known from an inventory or flow snapshot to decide it"] }],
  },
  {
    name: "starts with / ends with that only an overlapping value meets: a known pod shows the overlap",
    world: { ...overlapping, inventory: INVENTORY.replace("build: release-2024-candidate-7", `build: ${"x".repeat(32)}abc${"y".repeat(26)}`) },
    expected: [{ code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: 12,
      words: [`rule 0 of GlobalNetworkPolicy deny-port (tier security) denies destination endpoints matching build starts with "${prefix}"`,
        "Part of this was decided from the 2 workloads known from the inventory",
        "the string conditions on label build need a value longer than 63 characters unless they overlap"] }],
  },
  {
    name: "starts with / ends with, nothing known: not analysed, naming the label",
    world: overlapping,
    expected: [{ code: "guardrail/not-analysed", severity: "notice", file: "app.yaml", line: 12, words: ["the string conditions on label build need a value longer than 63 characters"] }],
  },
  {
    name: "a denied corner the rule never names (quarantine) is no finding while no known pod is in it",
    world: quarantined(INVENTORY),
    expected: [],
  },
  {
    name: "... and is one once a known pod carries the label",
    world: quarantined(INVENTORY.replace("labels: { app: web, build:", "labels: { app: web, quarantine: 'true', build:")),
    expected: [{ code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: 12,
      words: ['rule 0 of GlobalNetworkPolicy deny-port (tier security) denies destination endpoints matching quarantine == "true"',
        'Only the part with destination endpoints not matching quarantine == "true" reaches the rule'] }],
  },
];

describe("falling back to known workloads", () => {
  test.each(rows)("$name", (row) => {
    const { findings } = analyse(row.world);
    const shadow = findings.filter((f) => f.code !== "guardrail/guardrail-edited");
    expect(shadow.map(brief)).toEqual(row.expected.map(({ code, severity, file, line }) => ({ code, severity, file, line })));
    row.expected.forEach((e, i) => {
      for (const w of e.words) expect(shadow[i].message).toContain(w);
    });
  });
});
