import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { reviewContext } from "../../helpers/review.js";
import { analyseGuardrails } from "../../../src/review/guardrails/index.js";
import { brief } from "./world.js";

/**
 * The Online Boutique template (policies-template/): its guard rails, platform policies and application policies
 * are consistent, so adding the application tier finds nothing; a change that reaches for the threat feed does.
 */
const ROOT = "policies-template";
const FOLDERS = ["tiers", "security", "platform", "namespace-isolation", "application"];
const files: Record<string, string> = {};
for (const dir of FOLDERS) for (const f of readdirSync(`${ROOT}/${dir}`)) files[`${dir}/${f}`] = readFileSync(`${ROOT}/${dir}/${f}`, "utf8");
const config = readFileSync(`${ROOT}/tierguard.yaml`, "utf8");
const inventory = readFileSync(`${ROOT}/flows/inventory.yaml`, "utf8");
const without = (folder: string) => Object.fromEntries(Object.entries(files).filter(([k]) => !k.startsWith(`${folder}/`)));

describe("the policies template", () => {
  test("adding the application tier's policies: no guard-rail conflict", () => {
    const { findings, stats } = analyseGuardrails(reviewContext({ base: without("application"), head: files, config, inventory }));
    expect(findings).toEqual([]);
    expect(stats.abandoned).toBe(0);
  });

  test("the staged namespace isolation: its ingress-nginx allow is already decided in the platform tier", () => {
    const { findings } = analyseGuardrails(reviewContext({ base: without("namespace-isolation"), head: files, config, inventory }));
    expect(findings.map(brief)).toEqual([{ code: "guardrail/decided-by-higher-tier", severity: "warning", file: "namespace-isolation/boutique-isolation.yaml", line: 41 }]);
    expect(findings[0].message).toContain("rule 0 of GlobalNetworkPolicy allow-ingress-to-frontend (tier platform) allows");
    expect(findings[0].message).toContain("rule 1 of GlobalNetworkPolicy allow-ingress-to-frontend (tier platform) denies sources not matching namespace == \"ingress-nginx\"");
    expect(findings[0].message).toContain("ask the owners of tier platform (@acme/platform)");
  });

  test("frontend reaching for an address of the threat feed", () => {
    const frontend = files["application/frontend.yaml"] + `    - action: Allow
      protocol: TCP
      destination:
        nets: [203.0.113.7/32]
        ports: [443]
`;
    const { findings } = analyseGuardrails(reviewContext({ base: files, head: { ...files, "application/frontend.yaml": frontend }, config, inventory }));
    const line = frontend.split("\n").length - 5;
    expect(findings.map(brief)).toEqual([{ code: "guardrail/ineffective-rule", severity: "warning", file: "application/frontend.yaml", line }]);
    expect(findings[0].message).toContain("rule 0 of GlobalNetworkPolicy block-threat-feed (tier security) denies the rest of it");
    expect(findings[0].message).toContain('rule 0 of GlobalNetworkPolicy quarantine (tier security) denies source endpoints matching quarantine == "true"');
    expect(findings[0].approvers).toEqual(["acme/secops"]);
  });

  test("the example pull request: the shopping assistant's egress to the LLM API cannot take effect, a warning in one short sentence naming the deciding rule", () => {
    const head = { ...files };
    const pr = "examples/pr-shopping-assistant/files";
    const walkFiles = (dir: string): string[] => readdirSync(`${pr}/${dir}`, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkFiles(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
    for (const dir of FOLDERS) {
      try {
        for (const f of walkFiles(dir)) head[f] = readFileSync(`${pr}/${f}`, "utf8");
      } catch {
        // the pull request does not touch this folder
      }
    }
    const { findings } = analyseGuardrails(reviewContext({ base: files, head, config, inventory }));
    const partial = findings.filter((f) => f.code === "guardrail/partially-shadowed");
    expect(partial.map(brief)).toEqual([{ code: "guardrail/partially-shadowed", severity: "warning", file: "application/shoppingassistantservice.yaml", line: 31 }]);
    expect(partial[0].message).toBe(
      "This rule cannot take effect for what it names (NetworkSet boutique/llm-apis): rule 3 of GlobalNetworkPolicy restrict-internet-egress (tier platform) denies it first. " +
        "Ask the owners of tier platform (@acme/platform) to pass it on, or remove the rule.",
    );
  });
});
