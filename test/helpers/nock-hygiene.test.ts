import { expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * nock's interceptor patches the worker's http module, which every test file in that jest worker shares: a file that
 * leaves it active makes a later file's requests go through it (it buffered edge.test.ts's streamed 100 MB webhook
 * body whole, twice, in CI). So every test file that imports nock restores it, itself or through the helpers.
 */
const ROOT = new URL("../", import.meta.url).pathname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
}

test("every test file that imports nock restores it after the file (nock.restore, useStrictNock or useLocalNock)", () => {
  const users = testFiles(ROOT).filter((f) => /^import [^\n]* from "nock";$/m.test(readFileSync(f, "utf8")));
  expect(users.length).toBeGreaterThan(5);
  const leaky = users.filter((f) => !/nock\.restore\(\)|useStrictNock\(|useLocalNock\(/.test(readFileSync(f, "utf8"))).map((f) => relative(ROOT, f));
  expect(leaky).toEqual([]);
});
