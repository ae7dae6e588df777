import { expect } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { ClusterPortFactory } from "../../src/cli/sync.js";
import { kubeClusterPort, loadKubeConfig } from "../../src/controller/index.js";
import { isPermitted, type RbacVerb } from "../../src/controller/rbac.js";
import { PREVIEW_OF_ANNOTATION } from "../../src/reconcile/index.js";
import type { FakeKube, KubeObject } from "../support/fake-kube/index.js";

/**
 * The promotion scenarios of issue 11 against the fake API server, driven through the real CLI (`main` in-process)
 * and the real Kubernetes adapter: git repositories built here, the no-gap property checked at every state the
 * fake recorded, and every request it saw checked against the controller's RBAC (src/controller/rbac.ts).
 */
const dirs: string[] = [];
export const cleanupDirs = () => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));

export const config = (extra = "") => `policies: [policies]\nclusters:\n  - { name: eu-1, environment: prod, context: fake }\n${extra}`;

/** A repository with one commit per entry (subject, files relative to the top); tags v1, v2, ... */
export function gitRepo(commits: Array<[string, Record<string, string>]>): string {
  const dir = mkdtempSync(join(tmpdir(), "tg-scen-"));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=Alice", "-c", "user.email=a@x", ...args], { stdio: "pipe" }).toString().trim();
  git("init", "-q", "-b", "main");
  commits.forEach(([subject, files], i) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", subject);
    git("tag", `v${i + 1}`);
  });
  return dir;
}

/** Policies only (the config beside them): the common case. */
export const policiesRepo = (commits: Array<[string, string]>, cfg = config()) =>
  gitRepo(commits.map(([s, text], i) => [s, { ...(i === 0 ? { "tierguard.yaml": cfg } : {}), "policies/policies.yaml": text }]));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** `tierguard: ...` lines on stderr (problems), without the prefix. */
  problems: string[];
  json?: any;
}

/** The real adapter with an injected sleep (the retry delays it was asked for are recorded, none waited). */
export function fastKube(sleeps: number[] = []): ClusterPortFactory {
  return (file, { context, log }) => kubeClusterPort(loadKubeConfig({ kubeconfig: file, context }), { log, retry: { sleep: async (ms) => void sleeps.push(ms) } });
}

/** `tierguard ARGV` in-process; without `clusterPort`, the CLI's own Kubernetes adapter. */
export async function tg(argv: string[], cwd: string, clusterPort?: ClusterPortFactory): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stderrIsTTY: false, cwd, now: () => Date.UTC(2026, 11, 3, 12) };
  const code = await main(argv, io, clusterPort ? { clusterPort } : {});
  const stdout = out.join("");
  const stderr = err.join("");
  const problems = stderr.split("\n").filter((l) => l.startsWith("tierguard: ")).map((l) => l.slice("tierguard: ".length));
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, problems, json };
}

export const syncArgs = (kube: FakeKube, ref: string, ...rest: string[]) => ["sync", "--kubeconfig", kube.kubeconfigPath, "--repo", ".", "--ref", ref, "--environment", "prod", "--output", "json", ...rest];

const kindOf = (o: KubeObject) => (o.apiVersion.startsWith("networking.k8s.io/") ? "KubernetesNetworkPolicy" : o.kind);
export const keyOf = (o: KubeObject) => `${kindOf(o)}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const POLICY = /NetworkPolicy$/;
const isCalicoOrPolicy = (o: KubeObject) => o.apiVersion.startsWith("projectcalico.org/") || o.apiVersion.startsWith("networking.k8s.io/");

/** The managed world of a state: policies, tiers and sets by key (Events, APIServices and CRDs left out). */
export function world(objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.filter(isCalicoOrPolicy).map((o) => [keyOf(o), o]));
}

/** The fake's current objects as `key -> spec and labels` (to compare a cluster before and after). */
export function specs(kube: FakeKube): Map<string, string> {
  return new Map([...world(kube.store.all())].map(([k, o]) => [k, JSON.stringify({ spec: o.spec, labels: o.metadata.labels, annotations: o.metadata.annotations })]));
}

/**
 * No gap at every recorded state from `before` (the world before the run) on: a policy present before and after
 * is present in every state; a staged object that goes while the object it stood for stays is gone only once that
 * object exists; a policy never exists before its tier.
 */
export function expectNoGap(kube: FakeKube, before: Map<string, KubeObject>): void {
  const states = [before, ...kube.states.map((s) => world(s.objects))];
  const last = states[states.length - 1];
  const kept = [...before.keys()].filter((k) => POLICY.test(k) && last.has(k));
  states.forEach((s, i) => {
    expect([i, kept.filter((k) => !s.has(k))]).toEqual([i, []]);
    for (const o of s.values()) {
      const tier = (o.spec as { tier?: string } | undefined)?.tier;
      if (POLICY.test(kindOf(o)) && tier && tier !== "default") expect([keyOf(o), s.has(`Tier//${tier}`)]).toEqual([keyOf(o), true]);
    }
  });
  for (let i = 1; i < states.length; i++) {
    for (const [key, o] of states[i - 1]) {
      if (states[i].has(key) || !o.kind.startsWith("Staged")) continue;
      const twin = o.metadata.annotations?.[PREVIEW_OF_ANNOTATION] ?? key.replace(/^Staged/, "");
      if (last.has(twin)) expect([key, "goes after", twin, states[i].has(twin)]).toEqual([key, "goes after", twin, true]);
    }
  }
}

/** Each write request the fake recorded, as `METHOD kind-path` (group/plural/name), status included. */
export const writeRequests = (kube: FakeKube) => kube.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path} ${r.status}`);

/** The RBAC (group, resource, verb) of a recorded request; undefined for the discovery documents. */
export function rbacOf(r: { method: string; path: string; watch: boolean }): { group: string; resource: string; verb: RbacVerb } | undefined {
  const segs = r.path.split("/").filter(Boolean);
  let group: string;
  let rest: string[];
  if (segs[0] === "api") [group, rest] = ["", segs.slice(2)];
  else [group, rest] = [segs[1], segs.slice(3)];
  if (rest[0] === "namespaces" && rest.length >= 3) rest = rest.slice(2);
  if (rest.length === 0) return undefined; // /api, /apis, /apis/<group>[/<version>]: open to every authenticated user
  const named = rest.length > 1;
  const verbs: Record<string, RbacVerb> = { POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete" };
  const verb: RbacVerb = r.method === "GET" ? (r.watch ? "watch" : named ? "get" : "list") : verbs[r.method];
  return { group, resource: rest[0], verb };
}

/** Every request the fake recorded is one the controller's ClusterRole grants. */
export function expectPermitted(kube: FakeKube): void {
  const refused = kube.requests.map((r) => ({ r, call: rbacOf(r) })).filter(({ call }) => call && !isPermitted(call)).map(({ r, call }) => `${r.method} ${r.path} (${call!.group || "core"}/${call!.resource}:${call!.verb})`);
  expect(refused).toEqual([]);
}

/** The objects of a state that tierguard manages, `kind ns/name`. */
export const names = (objects: Iterable<KubeObject>) => [...objects].map((o) => `${kindOf(o)} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`).sort();

