// Review benchmarks, called by bench/run.mjs:
// 1. `tierguard review` of a small change with the 1M-record snapshot, against `simulate` of one revision.
// 2. `tierguard review` of a pull request that changes 500 policy files (no snapshot).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const git = (dir, ...args) => execFileSync("git", ["-C", dir, "-c", "user.name=bench", "-c", "user.email=b@b", ...args], { stdio: "pipe" });

/** One file per policy document, so a pull request can change hundreds of files. */
export function buildSplitRepo(data, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "policies"), { recursive: true });
  let n = 0;
  for (const f of ["tiers", "security", "platform", "isolation", "application", "k8s"]) {
    for (const doc of readFileSync(join(data, "policies", `${f}.yaml`), "utf8").split(/^---\n/m)) {
      if (doc.trim()) writeFileSync(join(dir, "policies", `${f}-${String(n++).padStart(5, "0")}.yaml`), doc);
    }
  }
  writeFileSync(join(dir, "tierguard.yaml"), `policies: [policies]
admins: ["@bench/admins"]
tiers:
  security: { owners: ["@bench/sec"] }
  platform: { owners: ["@bench/platform"] }
  isolation: { owners: ["@bench/platform"] }
  application: { owners: ["@bench/apps"] }
  default: { owners: ["@bench/apps"] }
`);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  return n;
}

/** Head branch `small`: one application policy loses a caller. Head branch `wide`: 500 application files change. */
export function buildHeads(dir) {
  const files = execFileSync("git", ["-C", dir, "ls-files", "policies"], { encoding: "utf8" }).trim().split("\n").filter((f) => f.includes("/application-"));
  git(dir, "checkout", "-q", "-b", "small", "main");
  const first = join(dir, files[0]);
  const text = readFileSync(first, "utf8");
  writeFileSync(first, text.replace(/    - action: Allow\n      protocol: TCP\n      source: \{[^\n]*\}\n      destination: \{ ports: \[\d+\] \}\n/, ""));
  git(dir, "commit", "-q", "-am", "drop a caller");
  git(dir, "checkout", "-q", "-b", "wide", "main");
  for (const f of files.slice(0, 500)) {
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, "utf8").replace(/order: (\d+)/, (_, o) => `order: ${Number(o) + 1}`));
  }
  git(dir, "commit", "-q", "-am", "reorder 500 policies");
  git(dir, "checkout", "-q", "main");
  return files.length;
}

export function ensureReviewRepo(data) {
  const dir = join(data, "review-repo");
  if (!existsSync(join(dir, ".git"))) {
    buildSplitRepo(data, dir);
    buildHeads(dir);
  }
  return dir;
}
