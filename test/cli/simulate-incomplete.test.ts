import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { gzipSync } from "node:zlib";
import { enterpriseRecord, parseJson, run, TEMPLATE, TEMPLATE_POLICIES, tempDir, type SimulateJson, type TempDir } from "./helpers.js";

/**
 * `tierguard simulate` never concludes on a flow file it could not read whole, or that gave no record: a file cut
 * off mid-record, a file of blank lines, a gzip of zeros each end with a diagnostic naming the file (and line)
 * and exit 1. And the summary path holds records to the same rules as the text and JSON paths.
 */
const POLICIES = TEMPLATE_POLICIES.map((p) => `${TEMPLATE}/${p}`);
let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const simulate = (file: string, ...extra: string[]) => run(["simulate", "--policies", ...POLICIES, "--flows", file, ...extra], { cwd: dir.path });
const json = async (file: string, ...extra: string[]) => {
  const r = await simulate(file, "--output", "json", ...extra);
  return { ...r, out: parseJson<SimulateJson>(r.stdout) };
};

describe("simulate fails closed on an incomplete or empty flow file", () => {
  test("a last line cut off mid-record: flows/cut-off at that line, the records before it replayed, exit 1", async () => {
    const good = enterpriseRecord();
    await dir.write("cut.jsonl", `${good}\n${good}\n${good.slice(0, 40)}`);
    const r = await json("cut.jsonl");
    expect(r.code).toBe(1);
    expect(r.out.results.map((e) => e.line)).toEqual([1, 2]);
    expect(r.out.problems.map((p) => [p.code, p.line])).toEqual([["flows/malformed-json", 3], ["flows/cut-off", 3]]);
    expect(r.stderr).toContain("tierguard: cut.jsonl was read only up to line 3: the last line ends without a newline in the middle of a record: the file was cut off; the results cover the 2 records before it\n");
  });

  test("a complete last record without a newline is not a cut: exit 0", async () => {
    await dir.write("whole.jsonl", `${enterpriseRecord()}\n${enterpriseRecord()}`);
    const r = await json("whole.jsonl");
    expect(r.code).toBe(0);
    expect(r.out.problems).toEqual([]);
  });

  test.each([
    ["an empty file", "empty.jsonl", ""],
    ["a file of blank lines", "blank.jsonl", "\n".repeat(50_000) + "  \n\t\n"],
  ])("%s: flows/no-records naming the file, exit 1, for every output", async (_name, file, content) => {
    await dir.write(file, content);
    for (const output of ["text", "json", "summary"]) {
      const r = await simulate(file, "--output", output);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `${file}:1:1: error [flows/no-records] the file holds no flow record that could be replayed (every line is blank or unreadable)\n` +
          `tierguard: ${file} gave no flow record: nothing was replayed\n`,
      );
    }
  });

  test("a gzip of 64 MiB of zeros (64 KiB compressed): stopped at line 1, never decompressed whole, exit 1", async () => {
    await dir.write("zeros.gz", gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 }));
    // A line limit of 64 KiB stops the read after 4 MiB: the rest of the stream is never inflated.
    const r = await simulate("zeros.gz", "--output", "summary", "--max-line-bytes", "65536");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("zeros.gz:1:1: error [flows/limit] reading stopped: a line runs on for more than 4194304 bytes without a newline: the file is not JSON lines");
    expect(r.stderr).toContain("tierguard: zeros.gz was read only up to line 1:");
  });

  test("--max-snapshot-bytes stops a long file with flows/limit at the line it reached", async () => {
    const good = enterpriseRecord();
    await dir.write("long.jsonl.gz", gzipSync(Buffer.from(`${good}\n`.repeat(100))));
    const r = await json("long.jsonl.gz", "--max-snapshot-bytes", String((good.length + 1) * 10)); // ten lines exactly
    expect(r.code).toBe(1);
    expect(r.out.results.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.out.problems.map((p) => [p.code, p.line])).toEqual([["flows/limit", 11]]);
  });
});

describe("records are held to the same rules on every output", () => {
  test("num_flows 1e308 is refused by --output summary as by json (it is no count)", async () => {
    await dir.write("huge.jsonl", `${enterpriseRecord()}\n${enterpriseRecord({ num_flows: 1e308 })}\n`);
    const full = await json("huge.jsonl");
    const codes = full.out.problems.map((p) => [p.code, p.line]);
    expect(codes).toEqual([["flows/bad-number", 2]]);
    const summary = await simulate("huge.jsonl", "--output", "summary");
    expect(summary.code).toBe(1);
    expect(summary.stdout.split("\n")[0]).toBe("Replayed 1 record (1 flow); 1 line skipped.");
    expect(summary.stderr).toContain("huge.jsonl:2:1: error [flows/bad-number]");
  });

  test.each(["::::", "1:2:3:4:5:6:7:8:9", "10.0.0.010"])("a malformed address %j is flows/bad-ip, not a missing address", async (ip) => {
    await dir.write("badip.jsonl", `${enterpriseRecord({ dest_ip: ip })}\n${enterpriseRecord()}\n`);
    for (const output of ["json", "summary"]) {
      const r = await simulate("badip.jsonl", "--output", output);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`badip.jsonl:2:1: error [flows/bad-ip] dest_ip "${ip}" is not an IP address`.replace(":2:", ":1:"));
    }
  });
});
