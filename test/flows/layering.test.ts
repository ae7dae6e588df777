import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** STYLE.md: src/flows may import only src/policy and src/selector, and does no I/O. */
const FLOWS = join(process.cwd(), "src", "flows");
const ALLOWED_RELATIVE = /^\.\/|^\.\.\/(policy|selector)\//;

describe("src/flows layering", () => {
  const files = readdirSync(FLOWS).filter((f) => f.endsWith(".ts"));
  test.each(files)("%s imports only policy, selector and its own folder", (file) => {
    const text = readFileSync(join(FLOWS, file), "utf8");
    const specifiers = [...text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
    const bad = specifiers.filter((s) => !ALLOWED_RELATIVE.test(s));
    expect(bad).toEqual([]);
  });
});
