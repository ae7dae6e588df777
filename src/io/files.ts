import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";

/**
 * Reading policy files from disk: the adapter in front of the pure loader. Directories are walked recursively for
 * `.yaml`, `.yml` and `.json`; hidden folders and node_modules are skipped. Sizes are checked before reading.
 * Relative paths are resolved against `cwd` (the command's working directory, not necessarily the process's).
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
  const seen = new Set<string>();
  const display = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith("..") ? rel : p;
  };

  const visit = async (path: string, explicit: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (e) {
      problems.push({ file: display(path), code: "load/not-found", message: describeFsError(e) });
      return;
    }
    if (info.isDirectory()) {
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
    if (seen.has(path)) return;
    seen.add(path);
    if (info.size > options.maxFileBytes) {
      problems.push({
        file: display(path),
        code: "load/file-too-large",
        message: `file is ${info.size} bytes; the limit is ${options.maxFileBytes} (raise it with --max-file-bytes)`,
      });
      return;
    }
    try {
      files.push({ file: display(path), text: await readFile(path, "utf8") });
    } catch (e) {
      problems.push({ file: display(path), code: "load/unreadable", message: describeFsError(e) });
    }
  };

  for (const p of paths) await visit(resolve(cwd, p), true);
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
