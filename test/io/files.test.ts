import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectPolicyFiles } from "../../src/io/files.js";

/**
 * Walking policy paths: each real path once however many links lead to it (a link named x.yaml pointing at its own
 * folder used to be walked until the path grew too long), only regular files read (a FIFO blocked the walk for ever),
 * and a directory with nothing to validate is a problem, not a clean result.
 */
const root = mkdtempSync(join(tmpdir(), "tg-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const POLICY = "policies-template/security/allow-dns.yaml";

function folder(name: string, build: (dir: string) => void): string {
  const dir = join(root, name);
  mkdirSync(dir);
  build(dir);
  return dir;
}

const collect = (paths: string[]) => collectPolicyFiles(paths, { maxFileBytes: 1 << 20, cwd: root });

describe("collectPolicyFiles", () => {
  test("a symlink named x.yaml pointing at its own folder: the file is read once, no problem", async () => {
    const dir = folder("self", (d) => {
      cpSync(POLICY, join(d, "allow-dns.yaml"));
      symlinkSync(".", join(d, "x.yaml"));
    });
    expect(await collect([dir])).toMatchObject({ files: [{ file: "self/allow-dns.yaml" }], problems: [] });
  });

  test("three such links, and a link to the file under another name: still one file, read once", async () => {
    const dir = folder("three", (d) => {
      cpSync(POLICY, join(d, "allow-dns.yaml"));
      for (const n of ["a", "b", "c"]) symlinkSync(".", join(d, `${n}.yaml`));
      symlinkSync("allow-dns.yaml", join(d, "z.yaml"));
    });
    const r = await collect([dir]);
    expect(r.files.map((f) => f.file)).toEqual(["three/allow-dns.yaml"]);
    expect(r.problems).toEqual([]);
  });

  test("a symlink loop (a.yaml -> b.yaml -> a.yaml) is a load/symlink-loop problem", async () => {
    const dir = folder("loop", (d) => {
      symlinkSync("b.yaml", join(d, "a.yaml"));
      symlinkSync("a.yaml", join(d, "b.yaml"));
    });
    const r = await collect([dir]);
    expect(r.problems.map((p) => [p.code, p.file])).toEqual([
      ["load/symlink-loop", "loop/a.yaml"],
      ["load/symlink-loop", "loop/b.yaml"],
      ["load/no-policy-files", "loop"],
    ]);
  });

  test("a FIFO named p.yaml is refused unread (load/not-a-file), in a folder or named directly", async () => {
    const dir = folder("fifo", (d) => execFileSync("mkfifo", [join(d, "p.yaml")]));
    for (const path of [dir, join(dir, "p.yaml")]) {
      const r = await collect([path]);
      expect(r.files).toEqual([]);
      expect(r.problems).toEqual([{ file: "fifo/p.yaml", code: "load/not-a-file", message: "not a regular file (a FIFO, socket or device), so it was not read" }]);
    }
  });

  test("an empty directory (or one without policy files) is load/no-policy-files; naming it twice says so once", async () => {
    const dir = folder("empty", (d) => mkdirSync(join(d, "sub")));
    expect((await collect([dir, dir])).problems).toEqual([{ file: "empty", code: "load/no-policy-files", message: "no policy files (.yaml, .yml or .json) were found in this directory" }]);
  });
});
