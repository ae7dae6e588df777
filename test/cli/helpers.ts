import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

/**
 * Running the `tierguard` command in-process: a fake CliIo that captures stdout and stderr, a fixed working
 * directory (relative paths resolve against it, not against the process's), a clock that does not move unless a
 * test moves it, and stderr that is not a terminal (so no progress lines) unless a test says otherwise.
 */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Working directory; the bundled policies-template folder when omitted. */
  cwd?: string;
  stderrIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  env?: Record<string, string>;
  /** Milliseconds the fake clock advances on each `now()` call (0: it stands still). */
  tickMs?: number;
}

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const TEMPLATE = join(REPO_ROOT, "policies-template");
/** The policy folders the template's tierguard.yaml lists, relative to TEMPLATE. */
export const TEMPLATE_POLICIES = ["tiers", "security", "platform", "namespace-isolation", "application"];
export const SNAPSHOT = "flows/snapshot.jsonl.gz";
export const INVENTORY = "flows/inventory.yaml";

export async function run(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  let clock = 1_700_000_000_000;
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stderrIsTTY: options.stderrIsTTY ?? false,
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? TEMPLATE,
    now: () => (clock += options.tickMs ?? 0),
  };
  const code = await main(argv, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** `simulate` (or explain/select) against the bundled template: `--policies` with its folders, then `rest`. */
export function templateArgs(command: string, ...rest: string[]): string[] {
  return [command, "--policies", ...TEMPLATE_POLICIES, ...rest];
}

/** No stack frames and no internal-error banner: bad input and bad usage are reported, never thrown. */
export function expectNoStackTrace(r: CliRun): void {
  const all = r.stdout + r.stderr;
  if (/\n\s+at .+\(.*:\d+:\d+\)/.test(all) || all.includes("internal error")) {
    throw new Error(`output contains a stack trace or an internal error:\n${all}`);
  }
}

/** The lines of the bundled snapshot, gunzipped once per test file. */
let snapshotLines: string[] | undefined;
export function templateSnapshotLines(): string[] {
  snapshotLines ??= gunzipSync(readFileSync(join(TEMPLATE, SNAPSHOT))).toString("utf8").split("\n").filter((l) => l.trim() !== "");
  return snapshotLines;
}

/** A temporary directory for one test file; `cleanup` goes in afterAll. */
export interface TempDir {
  path: string;
  /** Writes a file (creating folders) and returns its absolute path. */
  write(name: string, content: string | Buffer): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = "tierguard-cli-"): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async write(name, content) {
      const file = join(path, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

/** Parses `simulate --output json`; fails the test with the output when it is not JSON. */
export interface SimulateJson {
  results: Array<Record<string, any>>;
  summary: Record<string, any>;
  problems: Array<Record<string, any>>;
  comparison?: Record<string, any>;
}

export function parseJson<T = any>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message}):\n${text.slice(0, 2000)}`);
  }
}

/** A Calico Enterprise flow-log line: frontend → adservice:9555 in boutique, with the given fields replaced. */
export function enterpriseRecord(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    start_time: 1748955900,
    end_time: 1748956200,
    source_ip: "10.244.0.4",
    source_name: "frontend-wdtnk7lxn-k8zx2",
    source_name_aggr: "frontend-wdtnk7lxn-*",
    source_namespace: "boutique",
    source_port: 40000,
    source_type: "wep",
    source_labels: { labels: ["app=frontend", "pod-template-hash=wdtnk7lxn"] },
    dest_ip: "10.244.2.21",
    dest_name: "adservice-d5vlts8wj-bsp4q",
    dest_name_aggr: "adservice-d5vlts8wj-*",
    dest_namespace: "boutique",
    dest_port: 9555,
    dest_type: "wep",
    dest_labels: { labels: ["app=adservice", "pod-template-hash=d5vlts8wj"] },
    proto: "tcp",
    action: "allow",
    reporter: "dst",
    bytes_in: 100,
    bytes_out: 200,
    packets_in: 1,
    packets_out: 2,
    num_flows: 1,
    ...overrides,
  });
}
