import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, sep } from "node:path";

/**
 * The shape of the house (STYLE.md): a pure core with no I/O, adapters at the edge, and each core folder importing
 * only the folders below it. This test fails when a file breaks either rule.
 */
const FORBIDDEN = /from\s+["'](probot|@octokit\/[^"']*|@kubernetes\/client-node|(node:)?child_process|(node:)?fs(\/promises)?|(node:)?net|(node:)?http|(node:)?https|(node:)?zlib|(node:)?worker_threads)["']/;

const MAY_IMPORT: Record<string, string[]> = {
  selector: [],
  policy: ["selector"],
  engine: ["policy", "selector"],
  flows: ["policy", "selector"],
  impact: ["engine", "flows", "policy", "selector"],
  review: ["impact", "engine", "flows", "policy", "selector"],
  report: ["review", "impact", "engine", "flows", "policy", "selector"],
  board: ["engine", "policy", "selector", "flows", "impact", "review", "report"],
  audit: ["policy", "selector", "review"],
  recommend: ["impact", "engine", "flows", "policy", "selector"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The top-level folder under src/ that a relative import from `file` lands in. */
function targetFolder(file: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const target = join(dirname(file), spec);
  const parts = target.split(sep);
  return parts[0] === "src" ? parts[1] : undefined;
}

describe("architecture", () => {
  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    test(`src/${folder} does no I/O and imports only ${allowed.join(", ") || "itself"}`, () => {
      const problems: string[] = [];
      for (const file of files(join("src", folder))) {
        for (const line of readFileSync(file, "utf8").split("\n")) {
          if (FORBIDDEN.test(line)) problems.push(`${file}: ${line.trim()}`);
          const m = /from\s+["']([^"']+)["']/.exec(line);
          const target = m ? targetFolder(file, m[1]) : undefined;
          if (target && target !== folder && target !== "contracts" && !allowed.includes(target)) problems.push(`${file}: imports src/${target}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  test("the check itself catches a forbidden import and a layering violation", () => {
    expect(FORBIDDEN.test('import { readFile } from "node:fs/promises";')).toBe(true);
    expect(FORBIDDEN.test('import { Probot } from "probot";')).toBe(true);
    expect(FORBIDDEN.test('import { createHash } from "node:crypto";')).toBe(false);
    expect(targetFolder("src/policy/validate/rule.ts", "../../engine/ip.js")).toBe("engine");
    expect(targetFolder("src/policy/validate/rule.ts", "../schema.js")).toBe("policy");
    expect(targetFolder("src/engine/match.ts", "./tri.js")).toBe("engine");
  });
});
