import { afterAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLines } from "../../src/io/lines.js";

const dir = mkdtempSync(join(tmpdir(), "tg-lines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, range?: { start: number; end: number }): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readLines(path, { maxLineBytes: 1 << 20, range })) {
    if (ev.type !== "line") throw new Error(`unexpected ${ev.type}`);
    out.push(ev.line.text);
  }
  return out;
}

describe("readLines byte ranges (how worker threads split a file)", () => {
  test("the ranges' lines, concatenated, are exactly the file's lines, for any split points", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 12, unit: "grapheme" }).map((s) => s.replace(/\n/g, "")), { minLength: 0, maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (lines, trailingNewline, cuts) => {
          const text = lines.join("\n") + (trailingNewline && lines.length > 0 ? "\n" : "");
          const path = join(dir, `f${n++}.txt`);
          writeFileSync(path, text);
          const size = Buffer.byteLength(text);
          const points = [...new Set([0, ...cuts.map((c) => (size === 0 ? 0 : c % (size + 1))), size])].sort((a, b) => a - b);
          const whole = await collect(path);
          const parts: string[] = [];
          for (let i = 0; i + 1 < points.length; i++) parts.push(...(await collect(path, { start: points[i], end: points[i + 1] })));
          expect(parts).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("line numbers restart at 1 in each range", async () => {
    const path = join(dir, "numbers.txt");
    writeFileSync(path, "aa\nbb\ncc\ndd\n");
    const numbers: number[] = [];
    for await (const ev of readLines(path, { maxLineBytes: 100, range: { start: 4, end: 12 } })) if (ev.type === "line") numbers.push(ev.line.number);
    expect(numbers).toEqual([1, 2]); // "cc" starts at 6, "dd" at 9; "bb" starts at 3, before the range
  });
});
