import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitSteps } from "../helpers/git-steps.js";

/**
 * Git repositories built in a test, commit by commit, with chosen authors and dates: the audit log's input.
 * `files` maps paths to new contents; null deletes the file.
 */
export class HistoryRepo {
  readonly dir = mkdtempSync(join(tmpdir(), "tg-audit-"));
  private tick = 0;

  constructor() {
    this.git("init", "-q", "-b", "main");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.dir, "-c", "commit.gpgsign=false", ...args], { stdio: "pipe", encoding: "utf8" }).trim();
  }

  private env(author: string): NodeJS.ProcessEnv {
    const date = new Date(Date.UTC(2026, 0, 1) + this.tick++ * 86_400_000).toISOString();
    return { ...process.env, GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: `${author}@example.com`, GIT_COMMITTER_NAME: author, GIT_COMMITTER_EMAIL: `${author}@example.com`, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  }

  /** Git commands in one process (test/helpers/git-steps.ts), as `author` at the next day's date. */
  private steps(steps: string[][], author: string): string {
    return gitSteps(this.dir, steps.map((s) => ["-c", "commit.gpgsign=false", ...s]), { identity: false, env: this.env(author) });
  }

  /** Writes the files and commits them; returns the commit id. */
  commit(message: string, files: Record<string, string | null>, author = "alice"): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) rmSync(full);
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    return this.steps([["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message], ["rev-parse", "HEAD"]], author);
  }

  /** `git mv` and commit (a pure rename). */
  move(from: string, to: string, message: string, author = "alice"): string {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    return this.steps([["mv", from, to], ["commit", "-q", "-m", message], ["rev-parse", "HEAD"]], author);
  }

  checkout(branch: string, create = false): void {
    this.git("checkout", "-q", ...(create ? ["-b"] : []), branch);
  }

  /** A merge commit as GitHub writes it for a merged pull request. */
  mergePr(branch: string, pr: number, author = "merger"): string {
    return this.steps([["merge", "-q", "--no-ff", "-m", `Merge pull request #${pr} from acme/${branch}`, branch], ["rev-parse", "HEAD"]], author);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Calico NetworkPolicy as YAML, with the fields a test varies. */
export function policyYaml(o: { name: string; namespace?: string; tier?: string; selector?: string; ports?: Array<number | string>; action?: string; extraRule?: string; comment?: string }): string {
  const tier = o.tier ?? "application";
  return `${o.comment ?? ""}apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: ${o.name}
  namespace: ${o.namespace ?? "shop"}
spec:
  tier: ${tier}
  order: 100
  selector: ${o.selector ?? "app == 'web'"}
  types:
    - Ingress
  ingress:
    - action: ${o.action ?? "Allow"}
      protocol: TCP
      source:
        selector: app == 'frontend'
      destination:
        ports: [${(o.ports ?? [8080]).join(", ")}]
${o.extraRule ?? ""}`;
}

export const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: application
spec:
  order: 400
`;
