import { describe, expect, test } from "@jest/globals";
import { checkOwnership, type Principal } from "../../src/review/ownership.js";
import { reviewContext } from "../helpers/review.js";

const CONFIG = `
admins: ["@acme/secops"]
tiers:
  security: { owners: ["@acme/secops"] }
  application: { owners: ["@acme/app-devs", "alice"] }
  default: { owners: ["@acme/platform"] }
`;
const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: application }
spec: { order: 400 }
`;
const gnp = (name: string, tier: string, extra = "") => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tier}
  selector: quarantine == 'true'
  types: [Ingress]
  ingress:
    - action: Deny${extra}
`;
const np = (name: string, tier: string, port = 80) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  tier: ${tier}
  selector: app == 'web'
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [${port}] }
`;
const BASE = { "tiers.yaml": TIERS, "security/quarantine.yaml": gnp("quarantine", "security"), "app/web.yaml": np("web", "application") };

const bob: Principal = { login: "bob", teams: ["acme/app-devs"] };

function findings(head: Record<string, string>, opts: { author?: Principal; approvals?: Principal[]; config?: string; base?: Record<string, string>; configChanged?: boolean } = {}) {
  const ctx = reviewContext({ base: opts.base ?? BASE, head, config: opts.config ?? CONFIG });
  return checkOwnership(ctx, { author: opts.author ?? bob, approvals: opts.approvals ?? [], configChanged: opts.configChanged ?? false, changedTests: [] }).map((f) => ({
    code: f.code,
    file: f.file,
    line: f.line,
    approvers: f.approvers,
    resource: f.resource,
  }));
}

describe("tier ownership on spec.tier", () => {
  test("an owner changing their own tier: no finding", () => {
    expect(findings({ ...BASE, "app/web.yaml": np("web", "application", 8080) })).toEqual([]);
  });

  test("a change in a tier the author does not own names who may approve", () => {
    const head = { ...BASE, "security/quarantine.yaml": gnp("quarantine", "security", "\n      protocol: TCP") };
    // At spec.tier: ownership is judged on it.
    expect(findings(head)).toEqual([{ code: "ownership/not-owner", file: "security/quarantine.yaml", line: 5, approvers: ["acme/secops"], resource: "GlobalNetworkPolicy quarantine" }]);
  });

  test("formatting and comments need no owner", () => {
    const head = { ...BASE, "security/quarantine.yaml": "# reformatted\n" + gnp("quarantine", "security").replace("types: [Ingress]", "types:\n    - Ingress") };
    expect(findings(head)).toEqual([]);
  });

  test("moving a file to another folder changes nothing by itself", () => {
    const head = { "tiers.yaml": TIERS, "app/quarantine.yaml": gnp("quarantine", "security"), "app/web.yaml": np("web", "application") };
    expect(findings(head)).toEqual([]);
  });

  test("moving a file AND changing it is judged by spec.tier, not the folder", () => {
    const head = { "tiers.yaml": TIERS, "app/quarantine.yaml": gnp("quarantine", "security", "\n      protocol: UDP"), "app/web.yaml": np("web", "application") };
    expect(findings(head).map((f) => f.approvers)).toEqual([["acme/secops"]]);
  });

  test("changing spec.tier needs the owners of both tiers", () => {
    const head = { ...BASE, "app/web.yaml": np("web", "security") };
    expect(findings(head)).toEqual([{ code: "ownership/not-owner", file: "app/web.yaml", line: 5, approvers: ["acme/secops"], resource: "NetworkPolicy shop/web" }]);
    // alice owns application but not security; an admin owns both
    expect(findings(head, { author: { login: "carol", teams: ["acme/secops"] } })).toEqual([]);
    expect(findings(head, { author: { login: "dave", teams: [] } }).map((f) => f.approvers)).toEqual([["acme/app-devs", "alice", "acme/secops"], ["acme/secops"]]);
  });

  test("renaming a guard-rail policy needs its owner", () => {
    const head = { ...BASE, "security/quarantine.yaml": gnp("quarantine-v2", "security") };
    expect(findings(head).map((f) => f.resource)).toEqual(["GlobalNetworkPolicy quarantine-v2"]);
  });

  test("deleting a guard-rail policy needs its owner (reported at the base file)", () => {
    const { "security/quarantine.yaml": _, ...head } = BASE;
    expect(findings(head)).toEqual([{ code: "ownership/not-owner", file: "security/quarantine.yaml", line: 5, approvers: ["acme/secops"], resource: "GlobalNetworkPolicy quarantine" }]);
  });

  test("a Kubernetes NetworkPolicy is in the default tier", () => {
    const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-all, namespace: shop }
spec:
  podSelector: {}
  ingress: [{}]
`;
    expect(findings({ ...BASE, "app/knp.yaml": knp }).map((f) => f.approvers)).toEqual([["acme/platform", "acme/secops"]]);
  });

  test("a kind: List hiding a security policy among application ones", () => {
    const list = `apiVersion: v1
kind: List
items:
  - ${np("web2", "application").replace(/\n/g, "\n    ")}
  - ${gnp("sneaky", "security").replace(/\n/g, "\n    ")}
`;
    expect(findings({ ...BASE, "app/list.yaml": list }).map((f) => f.resource)).toEqual(["GlobalNetworkPolicy sneaky"]);
  });

  test("a staged twin that previews deleting a guard rail is judged by the twin's tier too", () => {
    const staged = `apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: quarantine }
spec:
  tier: application
  stagedAction: Delete
`;
    expect(findings({ ...BASE, "app/staged.yaml": staged }).map((f) => f.approvers)).toEqual([["acme/secops"]]);
  });

  test("the v3.31 name prefix: security.x renamed to application.x is judged in both tiers", () => {
    const config = CONFIG + 'calicoVersion: "3.31"\n';
    const base = { ...BASE, "security/x.yaml": np("security.x", "security") };
    const head = { ...BASE, "security/x.yaml": np("application.x", "application") };
    expect(findings(head, { config, base }).map((f) => f.approvers)).toEqual([["acme/secops"]]);
  });

  test("Tier objects and tierguard.yaml need an admin", () => {
    const head = { ...BASE, "tiers.yaml": TIERS.replace("order: 400", "order: 50") };
    expect(findings(head).map((f) => f.approvers)).toEqual([["acme/secops"]]);
    expect(findings(BASE, { configChanged: true })).toEqual([{ code: "ownership/not-owner", file: "tierguard.yaml", line: 1, approvers: ["acme/secops"], resource: undefined }]);
  });

  test("a network set used by policies of two tiers needs an admin; of one tier, its owners", () => {
    const set = (nets: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: partners, labels: { role: partner } }
spec: { nets: [${nets}] }
`;
    const user = (name: string, tier: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tier}
  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      destination: { selector: role == 'partner' }
`;
    const one = { ...BASE, "sets.yaml": set("192.0.2.0/24"), "app/u.yaml": user("u1", "application") };
    expect(findings({ ...one, "sets.yaml": set("192.0.2.0/25") }, { base: one })).toEqual([]);
    const two = { ...one, "security/u2.yaml": user("u2", "security") };
    expect(findings({ ...two, "sets.yaml": set("192.0.2.0/25") }, { base: two }).map((f) => f.approvers)).toEqual([["acme/secops"]]);
  });

  test("an owner's approval satisfies the finding; teams with or without @ and any case", () => {
    const head = { ...BASE, "security/quarantine.yaml": gnp("quarantine", "security", "\n      protocol: TCP") };
    expect(findings(head, { approvals: [{ login: "erin", teams: ["@Acme/SecOps"] }] })).toEqual([]);
    expect(findings(head, { approvals: [{ login: "frank", teams: ["acme/app-devs"] }] })).toHaveLength(1);
    expect(findings(head, { author: { login: "bob", teams: ["@ACME/secops"] } })).toEqual([]);
  });

  test("without tierguard.yaml at base, ownership is not enforced", () => {
    const ctx = reviewContext({ base: BASE, head: { ...BASE, "app/web.yaml": np("web", "security") } });
    expect(checkOwnership(ctx, { author: bob, approvals: [], configChanged: false, changedTests: [] })).toEqual([]);
  });
});
