import { describe, expect, test } from "@jest/globals";
import { lint } from "./world.js";

/** A quarantine guard rail: selects nobody until a pod is labelled, and cuts everything, DNS included, on purpose. */
const QUARANTINE = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: quarantine }
spec:
  tier: sec
  selector: quarantine == 'true'
  types: [Ingress, Egress]
  ingress:
    - action: Deny
  egress:
    - action: Deny
`;

describe("lint leaves deliberate guard rails alone", () => {
  test("a guard rail that selects no workload is not 'selects nothing'; the same policy not named a guard rail is", () => {
    const guarded = lint({ head: { "q.yaml": QUARANTINE }, config: "guardrails:\n  required: [GlobalNetworkPolicy/quarantine]\n" }, "lint/selects-nothing");
    expect(guarded).toEqual([]);
    const byTier = lint({ head: { "q.yaml": QUARANTINE }, config: "guardrails:\n  tiers: [sec]\n" }, "lint/selects-nothing");
    expect(byTier).toEqual([]);
    const plain = lint({ head: { "q.yaml": QUARANTINE } }, "lint/selects-nothing");
    expect(plain.map((f) => f.code)).toEqual(["lint/selects-nothing"]);
  });

  test("a deny-only egress policy is not 'a default deny that forgot DNS'; a default deny with no rules is", () => {
    const labelled = QUARANTINE.replace("quarantine == 'true'", "app == 'api'");
    expect(lint({ head: { "q.yaml": labelled } }, "lint/default-deny-blocks-dns")).toEqual([]);
    const noRules = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  tier: app
  selector: app == 'api'
  types: [Egress]
`;
    expect(lint({ head: { "api.yaml": noRules } }, "lint/default-deny-blocks-dns").map((f) => f.code)).toEqual(["lint/default-deny-blocks-dns"]);
  });
});
