import { afterAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
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

/** Every event of a read, as plain data. */
async function events(path: string, options: { maxLineBytes?: number; maxBytes?: number } = {}) {
  const out = [];
  for await (const ev of readLines(path, { maxLineBytes: options.maxLineBytes ?? 1 << 20, maxBytes: options.maxBytes })) out.push(ev);
  return out;
}

describe("readLines bounds what a hostile flow file can cost", () => {
  test("empty lines are counted but never yielded: 100,000 of them give one event, for the record after them", async () => {
    const path = join(dir, "blank.jsonl");
    writeFileSync(path, "\n".repeat(100_000) + '{"a":1}\n');
    expect(await events(path)).toEqual([{ type: "line", line: { number: 100_001, text: '{"a":1}' } }]);
  });

  test("a last line without a newline is marked unterminated (a cut-off file ends like this)", async () => {
    const path = join(dir, "cut.jsonl");
    writeFileSync(path, '{"a":1}\n{"a":');
    expect(await events(path)).toEqual([
      { type: "line", line: { number: 1, text: '{"a":1}' } },
      { type: "line", line: { number: 2, text: '{"a":', unterminated: true } },
    ]);
  });

  test("a FIFO is refused before it is opened (opening it would block until a writer came)", async () => {
    const path = join(dir, "fifo.jsonl");
    execFileSync("mkfifo", [path]);
    expect(await events(path)).toEqual([{ type: "error", number: 0, reason: "unavailable", cause: "not a regular file", message: "not a regular file" }]);
  });

  test("a gzip of 64 MiB of zeros stops after 64 times the line limit, not at the end of the stream", async () => {
    const path = join(dir, "zeros.gz");
    writeFileSync(path, gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 }));
    const evs = await events(path, { maxLineBytes: 1024 });
    expect(evs).toEqual([
      {
        type: "error",
        number: 1,
        reason: "limit",
        cause: `a line runs on for more than ${64 * 1024} bytes without a newline: the file is not JSON lines`,
        message: `reading stopped: a line runs on for more than ${64 * 1024} bytes without a newline: the file is not JSON lines; records from line 1 on were not read`,
      },
    ]);
  });

  test("reading past maxBytes of decompressed text stops with a limit error at the line it reached", async () => {
    const path = join(dir, "big.gz");
    const line = '{"a":1}\n';
    writeFileSync(path, gzipSync(Buffer.from(line.repeat(4 * 1024 * 1024 / line.length))));
    const evs = await events(path, { maxBytes: 1024 * 1024 });
    const last = evs[evs.length - 1];
    expect(last).toMatchObject({ type: "error", reason: "limit", cause: "the file is longer than 1048576 bytes decompressed (the limit; raise it with --max-snapshot-bytes)" });
    expect(evs.length - 1).toBeLessThan(4 * 1024 * 1024 / line.length);
    expect(last.type === "error" && last.number).toBe(evs.length); // the line after the last one read
  });
});
