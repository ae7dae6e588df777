import { describe, expect, test } from "@jest/globals";
import { isCalicoPolicy } from "../../src/policy/index.js";
import { isCalicoPolicy as validateIsCalicoPolicy } from "../../src/policy/validate/context.js";
import { sortFindings } from "../../src/report/review/format.js";
import { CONFIG_FILE, parseConfig, policyFileFilter } from "../../src/review/config.js";
import { isCalicoPolicy as lintIsCalicoPolicy } from "../../src/review/lint/context.js";
import { checkOwnership, teamsUnverifiable, type Principal } from "../../src/review/ownership.js";
import { compareFindings, type Finding } from "../../src/review/types.js";
import { reviewContext } from "../helpers/review.js";

/** Issue 10's small items in src/review: the admins' key, the config path, teams that cannot be read, one order. */
const CONFIG = `
admins: ["@acme/secops"]
tiers:
  admin: { owners: ["carol"] }
`;
const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: admin }
spec: { order: 100 }
`;
const gnp = (port: number) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: ops }
spec:
  tier: admin
  selector: app == 'ops'
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [${port}] }
`;
const BASE = { "tiers.yaml": TIERS, "ops.yaml": gnp(80) };
const HEAD = { "tiers.yaml": TIERS, "ops.yaml": gnp(8080) };
const carol: Principal = { login: "carol", teams: [] };
const bob: Principal = { login: "bob", teams: [] };

function ownership(author: Principal, o: { configChanged?: boolean; configFile?: string } = {}): Finding[] {
  const ctx = reviewContext({ base: BASE, head: HEAD, config: CONFIG });
  const config = o.configFile ? parseConfig(CONFIG, o.configFile).config : ctx.config;
  return checkOwnership({ ...ctx, config }, { author, approvals: [], configChanged: o.configChanged ?? false, changedTests: [] });
}

describe("a tier named admin", () => {
  test("is governed by its own owners, not taken for the admins", () => {
    expect(ownership(carol)).toEqual([]);
  });

  test("a non-owner is told to ask the tier's owners (and the admins), at spec.tier", () => {
    expect(ownership(bob).map((f) => [f.code, f.file, f.line, f.path, f.approvers, f.message])).toEqual([
      ["ownership/not-owner", "ops.yaml", 5, "spec.tier", ["carol", "acme/secops"], "GlobalNetworkPolicy ops (spec changed, in tier admin at base) needs an owner of tier admin; @bob is not one. Approval from @carol, @acme/secops satisfies this."],
    ]);
  });
});

describe("the configuration's path", () => {
  test("is kept from where it was read, and a change to it is reported there", () => {
    expect(parseConfig(CONFIG, ".github/tierguard.yaml").config.file).toBe(".github/tierguard.yaml");
    const found = ownership(carol, { configChanged: true, configFile: ".github/tierguard.yaml" });
    expect(found.map((f) => [f.code, f.file, f.line, f.message.split(" needs")[0]])).toEqual([
      ["ownership/not-owner", ".github/tierguard.yaml", 1, "A change to .github/tierguard.yaml (it takes effect for later pull requests)"],
    ]);
  });

  test("defaults to tierguard.yaml", () => {
    expect(ownership(carol, { configChanged: true }).map((f) => f.file)).toEqual([CONFIG_FILE]);
  });

  test("is never taken for a policy file", () => {
    const config = parseConfig("policies: []\n", "ci/tierguard.yaml").config;
    expect(["ci/tierguard.yaml", "tierguard.yaml", "ci/web.yaml"].filter(policyFileFilter(config))).toEqual(["ci/web.yaml"]);
  });
});

describe("teamsUnverifiable", () => {
  const notOwner = (approvers: string[]): Finding => ({ code: "ownership/not-owner", severity: "error", message: "Needs an owner.", file: "a.yaml", line: 5, approvers });
  test.each([
    ["warning", "warning"],
    ["error", "error"],
    ["off", "notice"],
  ] as const)("a finding a team could satisfy becomes teams-unverifiable at level %s", (level, severity) => {
    const config = { ownership: { unverifiableTeams: level } };
    expect(teamsUnverifiable(notOwner(["alice", "acme/app-devs"]), config, "no token")).toEqual({
      ...notOwner(["alice", "acme/app-devs"]),
      code: "ownership/teams-unverifiable",
      severity,
      message: "Needs an owner. tierguard could not check whether the author belongs to those teams (no token).",
    });
  });

  test("a finding only people could satisfy, and any other finding, are left as they are", () => {
    const config = { ownership: { unverifiableTeams: "warning" as const } };
    expect(teamsUnverifiable(notOwner(["alice"]), config, "no token")).toEqual(notOwner(["alice"]));
    const lint: Finding = { code: "lint/x", severity: "warning", message: "m", file: "a.yaml", line: 1, approvers: ["acme/t"] };
    expect(teamsUnverifiable(lint, config, "no token")).toBe(lint);
  });
});

describe("one order of findings", () => {
  const f = (severity: Finding["severity"], file: string, line: number, col: number, code: string, message = "m"): Finding => ({ code, severity, message, file, line, col });
  const ordered = [
    f("error", "b.yaml", 9, 1, "z/z"),
    f("warning", "a.yaml", 1, 1, "a/a"),
    f("warning", "a.yaml", 2, 3, "b/b"),
    f("warning", "a.yaml", 2, 7, "a/a", "first"),
    f("warning", "a.yaml", 2, 7, "a/a", "second"),
    f("notice", "a.yaml", 1, 1, "a/a"),
  ];
  test("errors first, then file, line, column, code and message, whatever the input order", () => {
    for (const input of [[...ordered].reverse(), [ordered[3], ordered[5], ordered[0], ordered[4], ordered[2], ordered[1]]]) {
      expect([...input].sort(compareFindings)).toEqual(ordered);
      expect(sortFindings(input)).toEqual(ordered);
    }
  });
});

test("isCalicoPolicy has one definition, in src/policy", () => {
  expect(lintIsCalicoPolicy).toBe(isCalicoPolicy);
  expect(validateIsCalicoPolicy).toBe(isCalicoPolicy);
});
