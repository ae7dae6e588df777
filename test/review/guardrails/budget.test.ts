import { describe, expect, test } from "@jest/globals";
import { analyse, brief, gnp, np } from "./world.js";

/**
 * The bound on work: a policy set of about 2,000 policies (200 namespaces, ten application policies each, and
 * guard rails above them), one changed rule. The analysis compares only the changed rule, finds the namespace's
 * policies through the namespace index, and stays far inside its budget: asserted on its counters, not on time.
 */
const NAMESPACES = 200;
const PER_NAMESPACE = 10;

function bigWorld(): { files: Record<string, string>; changed: string } {
  const files: Record<string, string> = {};
  for (let g = 0; g < 20; g++) {
    files[`security/deny-${g}.yaml`] = gnp(`deny-${g}`, "security", 10 + g, `  namespaceSelector: projectcalico.org/name == 'ns-${g * 10}'
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination: { ports: [${8000 + g}] }
`);
  }
  for (let n = 0; n < NAMESPACES; n++) {
    const docs: string[] = [];
    for (let i = 0; i < PER_NAMESPACE; i++) {
      docs.push(np(`svc-${i}`, `ns-${n}`, i % 2 === 0 ? "application" : "platform", 100 + i, `  selector: app == 'svc-${i}'
  types: [Ingress, Egress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'svc-${(i + 1) % PER_NAMESPACE}' }
      destination: { ports: [${9000 + i}] }
  egress:
    - action: Allow
      protocol: TCP
      destination: { selector: app == 'svc-${(i + 2) % PER_NAMESPACE}', ports: [${9000 + ((i + 2) % PER_NAMESPACE)}] }
`));
    }
    files[`apps/ns-${n}.yaml`] = docs.join("---\n");
  }
  const changed = np("new-svc", "ns-50", "application", 50, `  selector: app == 'new-svc'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [8005] }
`);
  return { files, changed };
}

describe("analysis budget", () => {
  const { files, changed } = bigWorld();

  test("one changed rule among ~2,000 policies: found, and within a small fraction of the budget", () => {
    const { findings, stats } = analyse({ base: files, head: { ...files, "apps/new-svc.yaml": changed } });
    expect(Object.keys(files).length + NAMESPACES * (PER_NAMESPACE - 1)).toBeGreaterThanOrEqual(2000);
    expect(findings.map(brief)).toEqual([{ code: "guardrail/ineffective-rule", severity: "warning", file: "apps/new-svc.yaml", line: 12 }]);
    expect(findings[0].message).toContain("rule 0 of GlobalNetworkPolicy deny-5 (tier security) denies all of it");
    // The rule and the policy as a whole: two subjects.
    expect(stats.subjects).toBe(2);
    // Other namespaces' policies are never looked at; only the 20 global guard rails and ns-50's own policies are.
    expect(stats.policiesConsidered + stats.policiesSkipped).toBeLessThanOrEqual(2 * (20 + PER_NAMESPACE));
    expect(stats.comparisons).toBeLessThan(100);
    expect(stats.maxPieces).toBeLessThan(10);
    expect(stats.abandoned).toBe(0);
  });

  test("a rule whose analysis exceeds its budget is reported as not analysed, not guessed", () => {
    const { findings, stats } = analyse({
      base: files,
      head: { ...files, "apps/new-svc.yaml": changed },
      limits: { maxComparisonsPerRule: 2 },
    });
    expect(findings.map(brief)).toEqual([{ code: "guardrail/not-analysed", severity: "notice", file: "apps/new-svc.yaml", line: 12 }]);
    expect(findings[0].message).toContain("it needs more than 2 rule comparisons");
    expect(stats.abandoned).toBe(2);
  });

  test("the review's budget of subjects: the rest is named in one notice", () => {
    const two = np("two", "ns-51", "application", 50, `  selector: app == 'two'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [80] }
    - action: Allow
      protocol: TCP
      destination: { ports: [81] }
`);
    const { findings, stats } = analyse({ base: {}, head: { "two.yaml": two }, limits: { maxSubjects: 2 } });
    expect(findings.map(brief)).toEqual([{ code: "guardrail/not-analysed", severity: "notice", file: "two.yaml", line: 15 }]);
    expect(findings[0].message).toContain("the review's budget of 2 analysed rules is spent (1 rules of this change were not analysed)");
    expect(stats.subjects).toBe(2);
  });
});
