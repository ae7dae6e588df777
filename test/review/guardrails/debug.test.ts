import { test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { reviewContext } from "../../helpers/review.js";
import { analyseGuardrails } from "../../../src/review/guardrails/index.js";
import { Walker } from "../../../src/review/guardrails/walk.js";
import { printNode } from "../../../src/selector/index.js";
import { describeNets } from "../../../src/review/guardrails/cidrs.js";

test("debug", () => {
  const root = "policies-template";
  const files: Record<string, string> = {};
  for (const dir of ["tiers", "security", "platform", "namespace-isolation", "application"]) {
    for (const f of readdirSync(`${root}/${dir}`)) files[`${dir}/${f}`] = readFileSync(`${root}/${dir}/${f}`, "utf8");
  }
  const base = Object.fromEntries(Object.entries(files).filter(([k]) => !k.startsWith("namespace-isolation")));
  const ctx = reviewContext({ base, head: files, config: readFileSync(`${root}/tierguard.yaml`, "utf8"), inventory: readFileSync(`${root}/flows/inventory.yaml`, "utf8") });
  const orig = Walker.prototype.walk;
  Walker.prototype.walk = function (s) {
    const r = orig.call(this, s);
    if (s.rule?.index === 0 && s.dir === "egress") for (const d of r.decided) console.log(d.action, d.incidental, d.by.kind === "rule" ? d.by.policy.ref.name + d.by.rule.index : "eot", d.box.family, d.box.peer.map(printNode).join(" ; "), describeNets(d.box.peerNet, d.box.family), s.natural.contains(d.box));
    return r;
  };
  analyseGuardrails(ctx);
});
