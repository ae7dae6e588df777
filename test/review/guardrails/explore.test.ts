import { test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { reviewContext } from "../../helpers/review.js";
import { analyseGuardrails } from "../../../src/review/guardrails/index.js";

test("explore", () => {
  const root = "policies-template";
  const files: Record<string, string> = {};
  for (const dir of ["tiers", "security", "platform", "namespace-isolation", "application"]) {
    for (const f of readdirSync(`${root}/${dir}`)) files[`${dir}/${f}`] = readFileSync(`${root}/${dir}/${f}`, "utf8");
  }
  const base = Object.fromEntries(Object.entries(files).filter(([k]) => !k.startsWith(process.env.DIR ?? "application")));
  const t0 = Date.now();
  const ctx = reviewContext({ base, head: files, config: readFileSync(`${root}/tierguard.yaml`, "utf8"), inventory: process.env.INV ? readFileSync(`${root}/flows/inventory.yaml`, "utf8") : undefined });
  const t1 = Date.now();
  const r = analyseGuardrails(ctx);
  console.log(Date.now() - t1, t1 - t0, JSON.stringify(r.stats), r.findings.map((f) => `${f.severity} ${f.code} ${f.file}:${f.line} ${f.message}\n   ${(f.details ?? []).join("\n   ")}`).join("\n"));
});
