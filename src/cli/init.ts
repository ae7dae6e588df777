import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { parseConfig } from "../review/index.js";
import { EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/**
 * `tierguard init [DIR]`: a starter tierguard.yaml, tiers and the review workflow, written into an existing policy
 * repository. Existing files are kept unless --force says otherwise; every file is named as it is written or kept.
 * The configuration lists the folders that already hold YAML, so the first review reviews what is there.
 */

/**
 * The Action, by this repository's own path (action/action.yml) and its major-version tag. docs/releasing.md says
 * what the tag means; test/cli/init.test.ts checks that the README and policies-template use the same reference.
 */
export const ACTION_REPOSITORY = "tierguard/tierguard";
export const ACTION_REF = `${ACTION_REPOSITORY}/action@v1`;

const DEFAULT_ADMIN = "@my-org/network-admins";
const SKIPPED_DIRS = new Set(["tests", "flows", "node_modules", "tiers"]);
const PRINCIPAL = /^@?[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/;

export interface InitOptions {
  force?: boolean;
  admin: string[];
}

interface Planned {
  path: string;
  text: string;
}

/** The folders directly under `dir` that hold policy YAML (at any depth), in name order. */
export function policyFolders(dir: string): string[] {
  const holdsYaml = (d: string, depth: number): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) => (e.isFile() && /\.ya?ml$/i.test(e.name)) || (e.isDirectory() && depth < 4 && !e.name.startsWith(".") && holdsYaml(join(d, e.name), depth + 1)));
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !SKIPPED_DIRS.has(e.name) && holdsYaml(join(dir, e.name), 1))
    .map((e) => e.name)
    .sort();
}

export function configText(o: { policies: string[]; admins: string[] }): string {
  const owners = JSON.stringify(o.admins).replace(/,/g, ", ");
  return `# tierguard configuration: read from the BASE revision of every pull request (a pull request cannot change
# the rules it is judged by). Reference: the README, "tierguard.yaml".
calicoVersion: "3.32"
policies: [${o.policies.join(", ")}]   # folders (or files) holding policy YAML
tests: tests                           # policy tests (none yet)
# A production flow snapshot replayed through the base and head policies (see the README, "Flow snapshots"):
# flows: flows/snapshot.jsonl.gz
# inventory: flows/inventory.yaml
admins: ${owners}       # may change anything, this file included: replace with your team
tiers:                                 # who may change the policies in each tier (tiers/tiers.yaml)
  security:    { owners: ${owners} }
  platform:    { owners: ${owners} }
  application: { owners: ${owners} }
  default:     { owners: ${owners} }
guardrails:
  required: []                         # e.g. GlobalNetworkPolicy/allow-dns: deleting it is an error
impact:
  newlyDenied: error                   # a PR that would break production traffic fails unless acknowledged
  newlyAllowed: warning
`;
}

export const TIERS_TEXT = `# Policy tiers, evaluated in ascending order. Every tier passes what it does not decide to the next one, so
# applying these changes no traffic; make a tier's defaultAction Deny once its policies allow what it must.
#
#   100 security      guard rails (quarantine, threat feeds, DNS)
#   200 platform      cluster services (monitoring, ingress, egress to the internet)
#   400 application   one policy per workload
#   1000000 default   built in: Kubernetes NetworkPolicies and Calico policies that name no tier
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 100
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: platform
spec:
  order: 200
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: application
spec:
  order: 400
  defaultAction: Pass
`;

export function workflowText(policies: string[]): string {
  const paths = [...policies.map((p) => `${p}/**`), "tests/**", "flows/**", "tierguard.yaml", ".github/workflows/tierguard.yml"];
  return `# tierguard reviews every pull request that touches the policies: validation, tier ownership, guard rails, the
# policy tests, lint and, with a flow snapshot, the production traffic replayed through the base and head policies.
# The report goes to the job summary, to code scanning (SARIF) and to one pull-request comment, updated in place.
#
# ${ACTION_REF} follows the latest 1.x release (docs/releasing.md in tierguard's repository). For a fixed version,
# pin the release's full commit SHA: uses: ${ACTION_REPOSITORY}/action@<sha>  # v1.2.3
name: tierguard

on:
  pull_request:
    paths:
${paths.map((p) => `      - ${p}`).join("\n")}

permissions:
  contents: read          # read both revisions through the API
  pull-requests: write    # the review comment
  security-events: write  # upload the SARIF file to code scanning
  actions: read           # upload-sarif needs it in private repositories

concurrency:
  group: tierguard-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
        with:
          persist-credentials: false

      - id: tierguard
        uses: ${ACTION_REF}
        with:
          # The workflow's token cannot read organization teams: give a token with read:org for ownership by team.
          teams-token: \${{ secrets.TIERGUARD_TEAMS_TOKEN }}
          comment: true
          sarif-file: tierguard.sarif
          fail-on: error

      - name: Upload to code scanning
        if: always() && hashFiles('tierguard.sarif') != ''
        uses: github/codeql-action/upload-sarif@v4
        continue-on-error: \${{ github.event.pull_request.head.repo.full_name != github.repository }}
        with:
          sarif_file: tierguard.sarif
          category: tierguard
`;
}

/** The files init writes into `dir`, with the policy folders it found. */
export function plan(dir: string, o: InitOptions): { files: Planned[]; policies: string[] } {
  const policies = ["tiers", ...policyFolders(dir)];
  const config = configText({ policies, admins: o.admin });
  // Written only if it loads: a starter that fails its own first review would be worse than none.
  const problems = parseConfig(config).findings;
  if (problems.length > 0) throw new InputError(`the starter tierguard.yaml would not load: ${problems.map((f) => `${f.line}:${f.col} ${f.message}`).join("; ")}`);
  return { policies, files: [{ path: "tierguard.yaml", text: config }, { path: join("tiers", "tiers.yaml"), text: TIERS_TEXT }, { path: join(".github", "workflows", "tierguard.yml"), text: workflowText(policies) }] };
}

/** `given`: the directory as the user wrote it, for messages. */
export function init(given: string, o: InitOptions, io: CliIo): void {
  const dir = resolve(io.cwd, given);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${given} is not a directory: give the root of an existing policy repository`);
  const bad = o.admin.find((a) => !PRINCIPAL.test(a));
  if (bad !== undefined) throw new UsageError(`--admin "${bad}" is not a GitHub login or @org/team`);
  const { files, policies } = plan(dir, o);
  for (const f of files) {
    const target = join(dir, f.path);
    if (existsSync(target) && !o.force) {
      io.stdout(`kept    ${f.path} (it exists; --force overwrites it)\n`);
      continue;
    }
    const existed = existsSync(target);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.text);
    io.stdout(`${existed ? "replaced" : "wrote  "} ${f.path}\n`);
  }
  io.stdout(`\npolicies: ${policies.join(", ")}\n`);
  if (o.admin.includes(DEFAULT_ADMIN)) io.stdout(`Next: replace ${DEFAULT_ADMIN} in tierguard.yaml with the team that owns the policies (or run init --force --admin @org/team).\n`);
  io.stdout("Then: tierguard validate tiers, commit, and open a pull request: the workflow reviews it.\n");
}

export function registerInit(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("init")
    .description("write a starter tierguard.yaml, tiers/tiers.yaml and .github/workflows/tierguard.yml into a policy repository")
    .argument("[dir]", "the policy repository's root", ".")
    .option("--admin <principal...>", "who owns the policies: GitHub logins or @org/team (admins and every tier's owners)", [DEFAULT_ADMIN])
    .option("--force", "overwrite files that exist")
    .addHelpText("after", `\nNever overwrites a file without --force; prints each file it wrote or kept. The workflow uses ${ACTION_REF}.\n`)
    .action((dir: string, opts: InitOptions) => {
      init(dir, opts, io);
      setExit(EXIT_OK);
    });
}
