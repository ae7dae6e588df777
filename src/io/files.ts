import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";

/**
 * Reading policy files from disk: the adapter in front of the pure loader. Directories are walked recursively for
 * `.yaml`, `.yml` and `.json`; hidden folders and node_modules are skipped. Sizes are checked before reading.
 * Relative paths are resolved against `cwd` (the command's working directory, not necessarily the process's). Each
 * real path is read once however many links lead to it; only regular files are read; a directory argument with no
 * policy file in it is a problem (a mistyped path must not validate as "no errors").
 */
export interface TextFile {
  /** Path as the user should see it (relative to the working directory when below it). */
  file: string;
  text: string;
}

export interface FileProblem {
  file: string;
  code: string;
  message: string;
}

const POLICY_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export async function collectPolicyFiles(
  paths: readonly string[],
  options: { maxFileBytes: number; cwd?: string },
): Promise<{ files: TextFile[]; problems: FileProblem[] }> {
  const cwd = options.cwd ?? process.cwd();
  const files: TextFile[] = [];
  const problems: FileProblem[] = [];
  // Real paths: a symlink named x.yaml pointing at its own folder is a loop, and two names for one file are one file.
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  let found = 0;
  const display = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith("..") ? rel : p;
  };
  const problem = (path: string, code: string, message: string) => void problems.push({ file: display(path), code, message });

  const visit = async (path: string, explicit: boolean): Promise<void> => {
    let info;
    let real;
    try {
      info = await stat(path);
      real = await realpath(path);
    } catch (e) {
      return problem(path, (e as NodeJS.ErrnoException).code === "ELOOP" ? "load/symlink-loop" : "load/not-found", describeFsError(e));
    }
    if (info.isDirectory()) {
      if (seenDirs.has(real)) return; // walked already, under this name or another (or we are inside it)
      seenDirs.add(real);
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
        const child = join(path, entry.name);
        if (entry.isDirectory()) await visit(child, false);
        else if (POLICY_EXTENSIONS.has(extname(entry.name).toLowerCase())) await visit(child, false);
      }
      return;
    }
    if (!explicit && !POLICY_EXTENSIONS.has(extname(path).toLowerCase())) return;
    found++;
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    // Reading a FIFO blocks until a writer comes, and a device never ends: only regular files are read.
    if (!info.isFile()) return problem(path, "load/not-a-file", "not a regular file (a FIFO, socket or device), so it was not read");
    if (info.size > options.maxFileBytes) {
      return problem(path, "load/file-too-large", `file is ${info.size} bytes; the limit is ${options.maxFileBytes} (raise it with --max-file-bytes)`);
    }
    try {
      files.push({ file: display(path), text: await readFile(path, "utf8") });
    } catch (e) {
      problem(path, "load/unreadable", describeFsError(e));
    }
  };

  for (const p of paths) {
    const path = resolve(cwd, p);
    const dir = await stat(path).then((i) => i.isDirectory(), () => false);
    const fresh = dir && !seenDirs.has(await realpath(path));
    const before = found;
    await visit(path, true);
    if (fresh && found === before) problem(path, "load/no-policy-files", "no policy files (.yaml, .yml or .json) were found in this directory");
  }
  return { files, problems };
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return err.message ?? String(e);
  }
}
