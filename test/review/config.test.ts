import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { defaultConfig, normalizePrincipal, parseConfig, pathMatcher, policyFileFilter } from "../../src/review/config.js";
import { LINT_RULES } from "../../src/review/lint/index.js";

describe("tierguard.yaml", () => {
  test("the template's configuration loads without findings", () => {
    const { config, findings } = parseConfig(readFileSync("policies-template/tierguard.yaml", "utf8"));
    expect(findings).toEqual([]);
    expect(config.calicoVersion.model).toBe("v3.32");
    expect(config.policies).toEqual(["tiers", "security", "platform", "namespace-isolation", "application"]);
    expect(config.flows).toEqual(["flows/snapshot.jsonl.gz"]);
    expect(config.tiers.get("application")).toEqual({ owners: ["acme/app-devs", "alice"] });
    expect(config.admins).toEqual(["acme/secops"]);
    expect(config.guardrails.required).toContain("GlobalNetworkPolicy/quarantine");
    expect(config.impact.newlyDenied).toBe("error");
    expect(config.enforceOwnership).toBe(true);
    expect(config.recommend).toMatchObject({ schedule: "0 6 * * 1", tier: "namespace-isolation", namespaces: [] });
  });

  const bad: Array<[string, string, string, number]> = [
    ["tierz:\n  a: { owners: [x] }\n", "config/unknown-field", "tierz", 1],
    ["tiers:\n  a: { owners: x }\n", "config/wrong-type", "tiers.a.owners", 2],
    ["tiers:\n  a: {}\n", "config/missing-field", "tiers.a", 2],
    ["admins: ['@acme/sec ops']\n", "config/invalid-value", "admins[0]", 1],
    ["calicoVersion: '2.0'\n", "config/invalid-value", "calicoVersion", 1],
    ["impact:\n  newlyDenied: fatal\n", "config/invalid-value", "impact.newlyDenied", 2],
    ["guardrails:\n  required:\n    - quarantine\n", "config/invalid-value", "guardrails.required[0]", 3],
    ["policies: 3\n", "config/invalid-value", "policies", 1],
    ["a: [1,\n", "config/syntax", "", 2],
    ["recommend:\n  schedule: '0 6 * *'\n", "config/invalid-value", "recommend.schedule", 2],
    ["recommend:\n  schedule: '61 6 * * 1'\n", "config/invalid-value", "recommend.schedule", 2],
    ["recommend:\n  schedule: '0 6 * * MON-SUN'\n", "config/invalid-value", "recommend.schedule", 2],
    ["recommend:\n  namespaces:\n    - shop\n    - Shop_2\n", "config/invalid-value", "recommend.namespaces[1]", 4],
    ["recommend:\n  level: pod\n", "config/invalid-value", "recommend.level", 2],
    ["recommend:\n  path: ../elsewhere\n", "config/invalid-value", "recommend.path", 2],
    ["recommend:\n  branch: 'a..b'\n", "config/invalid-value", "recommend.branch", 2],
    ["recommend:\n  every: week\n", "config/unknown-field", "recommend.every", 2],
  ];
  test.each(bad)("%j gives %s at %s line %d", (text, code, path, line) => {
    const { findings } = parseConfig(text);
    expect(findings.length).toBeGreaterThan(0);
    expect({ code: findings[0].code, path: findings[0].path ?? "", line: findings[0].line, file: findings[0].file }).toEqual({ code, path, line, file: "tierguard.yaml" });
  });

  test("recommend: the schedule, namespaces, level, tier, path and branch; defaults without the section", () => {
    const { config, findings } = parseConfig("recommend:\n  schedule: ' 0  6 * *   mon '\n  namespaces: [shop, boutique]\n  level: workload\n  tier: learnt\n  path: ./learnt/\n  branch: bots/recommend\n");
    expect(findings).toEqual([]);
    expect(config.recommend).toEqual({ schedule: "0 6 * * mon", namespaces: ["shop", "boutique"], level: "workload", tier: "learnt", path: "learnt", branch: "bots/recommend" });
    expect(parseConfig("namespace: x\n").config.recommend).toEqual({ namespaces: [], level: "namespace", tier: "namespace-isolation", branch: "tierguard/recommend" });
    const bad = parseConfig("recommend:\n  schedule: '*/0 6 * * 1'\n").findings[0];
    expect(bad.message).toBe(`"*/0 6 * * 1" is not a cron schedule (minute hour day-of-month month day-of-week, UTC): the minute field "*/0": the step /0 must be at least 1`);
    expect([bad.line, bad.col]).toEqual([2, 13]);
  });

  test("principals compare case-insensitively, with or without the @", () => {
    expect(normalizePrincipal("@Acme/SecOps")).toBe("acme/secops");
    expect(normalizePrincipal("acme/secops")).toBe("acme/secops");
    expect(normalizePrincipal("Alice")).toBe("alice");
  });

  test("policy files: listed folders and globs, never the config, tests or flows", () => {
    const only = policyFileFilter({ ...parseConfig("policies: [security, 'apps/**/*.yaml']\n").config });
    expect(["security/a.yaml", "security/x/b.yml", "apps/shop/c.yaml", "apps/c.json", "other/d.yaml", "tierguard.yaml"].filter(only)).toEqual([
      "security/a.yaml",
      "security/x/b.yml",
      "apps/shop/c.yaml",
    ]);
    const all = policyFileFilter(parseConfig("tests: checks\n").config);
    expect(["a.yaml", "checks/t.yaml", "flows/inventory.yaml", ".github/workflows/x.yml", "tierguard.yaml", "README.md", "b/c.json"].filter(all)).toEqual([
      "a.yaml",
      "b/c.json",
    ]);
    expect(pathMatcher(["tests"])("tests/x.yaml")).toBe(true);
    expect(pathMatcher(["tests"])("testsuite/x.yaml")).toBe(false);
  });
});

describe("the README's tierguard.yaml table", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("### `tierguard.yaml`");
  const section = readme.slice(start, readme.indexOf("\n##", start + 1));
  /** The first cells of the section's table rows: what the tables document, not what the prose mentions. */
  const firstCells = section.split("\n").filter((l) => l.startsWith("| `")).map((l) => l.split(" | ")[0]).join("\n");

  test("documents every key of the configuration, ownership.unverifiableTeams included", () => {
    const keys: string[] = [];
    for (const [k, v] of Object.entries(defaultConfig())) {
      if (k === "enforceOwnership" || k === "file") continue; // set by tierguard, not written in the file
      if (v instanceof Map) keys.push(`${k}.`);
      else if (v && typeof v === "object" && !Array.isArray(v) && k !== "calicoVersion") keys.push(...Object.keys(v).map((sub) => `${k}.${sub}`));
      else keys.push(k);
    }
    expect(keys).toContain("ownership.unverifiableTeams");
    for (const key of keys) expect({ key, documented: firstCells.includes(`\`${key}`) }).toEqual({ key, documented: true });
  });

  test("names every lint rule, for lint.disable", () => {
    for (const rule of LINT_RULES) expect({ rule: rule.name, documented: firstCells.includes(`| \`${rule.name}\``) }).toEqual({ rule: rule.name, documented: true });
  });
});
