import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * The built package (dist/), for the few tests that need it: the subprocess tests of the `tierguard` binary and
 * the worker-thread tests (worker scripts exist only as built JavaScript). One build for the whole run, not one per
 * file: the first file to ask builds while holding a lock directory, the others wait for it, and a dist/ newer than
 * every source (as `.ci/run`'s `npm run build` leaves it) is used as it is.
 */
const exec = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO_ROOT, "dist/cli/bin.js");
const LOCK = join(REPO_ROOT, "dist/.build-lock");
/** What the build reads besides src/. */
const INPUTS = ["tsconfig.json", "tsconfig.build.json", "package.json"];

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs; // a deleted file shows as a newer directory
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** True when dist/ was built after the last change to the sources (tsc rewrites every output on each build). */
export function distIsFresh(): boolean {
  const built = Math.min(mtime(BIN), mtime(join(REPO_ROOT, "dist/index.js")));
  if (built < 0) return false;
  const sources = Math.max(newestMtime(join(REPO_ROOT, "src")), ...INPUTS.map((f) => mtime(join(REPO_ROOT, f))));
  return built >= sources;
}

function tryLock(): boolean {
  mkdirSync(join(REPO_ROOT, "dist"), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    // A lock older than any build could take was left by a killed run: take it over.
    if (Date.now() - mtime(LOCK) > 300_000) return true;
    return false;
  }
}

/** Builds dist/ unless it is fresh; at most one build at a time across jest's workers. Give it a 120 s timeout. */
export async function ensureDist(): Promise<void> {
  for (;;) {
    if (distIsFresh()) return;
    if (tryLock()) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    if (distIsFresh()) return; // another worker finished between the check and the lock
    await exec(process.execPath, [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: REPO_ROOT });
  } finally {
    rmdirSync(LOCK);
  }
}
