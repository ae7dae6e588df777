import { buildResources, DEFAULT_LOAD_LIMITS, loadText, type LoadLimits } from "../policy/index.js";
import { isPolicy, policyTier, type CalicoPolicySpec, type Resource } from "../policy/index.js";
import { CONFIG_FILE, parseConfig, policyFileFilter, type TierguardConfig } from "../review/index.js";
import { diffResources } from "../review/index.js";
import { describeMeaningChange, describeValueChange } from "./meaning.js";
import { pullRequestsOf } from "./pull-requests.js";
import type { AuditChange, AuditEntry, HistoryCommit } from "./types.js";

/**
 * Git history in, the audit log out: for every commit (merge commits excepted: their content is listed under the
 * commits they bring in), the resources of the files it changed before and after, diffed by identity with the
 * review's own diff, so a file renamed or a resource moved between files is "moved", a reformat is nothing, and a
 * change is described by meaning. Pure: the caller read the history and the blobs.
 */
export interface AuditOptions {
  /** The configuration whose `policies` (or defaults) say which files hold policies: the tip's tierguard.yaml. */
  config: TierguardConfig;
  limits?: LoadLimits;
  /** Only commits authored at or after this time (ms since the epoch). */
  since?: number;
  /** `KIND/[NS/]NAME`: only this resource. */
  policy?: string;
  /** Only this tier's policies and the Tier itself. */
  tier?: string;
}

/** An entry with the tiers it concerns, for `--tier`. */
interface Candidate extends AuditEntry {
  tiers: string[];
}

/** Blob id → text. Blobs a commit needs but that are absent are treated as empty files. */
export type BlobTexts = ReadonlyMap<string, string>;

/** The blobs the log will read: policy files and tierguard.yaml, before and after each commit. */
export function blobsNeeded(history: readonly HistoryCommit[], config: TierguardConfig, since?: number): string[] {
  const wanted = fileFilter(config);
  const out = new Set<string>();
  for (const c of history) {
    if (since !== undefined && Date.parse(c.date) < since) continue;
    for (const f of c.files) {
      if (!wanted(f.path)) continue;
      if (f.oldBlob) out.add(f.oldBlob);
      if (f.newBlob) out.add(f.newBlob);
    }
  }
  return [...out];
}

function fileFilter(config: TierguardConfig): (path: string) => boolean {
  const isPolicy = policyFileFilter(config);
  return (p) => p === CONFIG_FILE || isPolicy(p);
}

export function buildAuditLog(history: readonly HistoryCommit[], blobs: BlobTexts, options: AuditOptions): AuditEntry[] {
  const prs = pullRequestsOf(history);
  const parse = resourceParser(options.limits ?? DEFAULT_LOAD_LIMITS, options.config.namespace);
  const isPolicyFile = policyFileFilter(options.config);
  const entries: AuditEntry[] = [];
  for (const c of history) {
    if (c.parents.length > 1) continue;
    if (options.since !== undefined && Date.parse(c.date) < options.since) continue;
    const meta = { commit: c.commit, author: c.author, date: c.date, pr: prs.get(c.commit) ?? null };
    const before: Resource[] = [];
    const after: Resource[] = [];
    for (const f of c.files) {
      if (f.path === CONFIG_FILE) {
        const e = configEntry(f.oldBlob, f.newBlob, blobs);
        if (e && keep(e, options)) entries.push({ ...meta, ...withoutTiers(e) });
        continue;
      }
      if (!isPolicyFile(f.path)) continue;
      if (f.oldBlob) before.push(...parse(f.path, f.oldBlob, blobs));
      if (f.newBlob) after.push(...parse(f.path, f.newBlob, blobs));
    }
    const found = resourceEntries(before, after).filter((e) => keep(e, options));
    found.sort((a, b) => `${a.kind}/${a.namespace ?? ""}/${a.name}`.localeCompare(`${b.kind}/${b.namespace ?? ""}/${b.name}`));
    for (const e of found) entries.push({ ...meta, ...withoutTiers(e) });
  }
  return entries;
}

function withoutTiers(e: EntryBody): Omit<EntryBody, "tiers"> {
  const { kind, namespace, name, change, details } = e;
  return { kind, namespace, name, change, details };
}

function resourceParser(limits: LoadLimits, defaultNamespace: string): (path: string, blob: string, blobs: BlobTexts) => Resource[] {
  const cache = new Map<string, Resource[]>();
  return (path, blob, blobs) => {
    const key = `${path}\u0000${blob}`;
    let found = cache.get(key);
    if (!found) {
      const text = blobs.get(blob) ?? "";
      // Only the two API groups tierguard models can hold a resource: other YAML and JSON (package.json, manifests)
      // is not parsed at all.
      found = /projectcalico\.org|networking\.k8s\.io/.test(text) ? buildResources(loadText(path, text, limits).documents, { defaultNamespace }).resources : [];
      cache.set(key, found);
    }
    return found;
  };
}

type EntryBody = Omit<Candidate, "commit" | "author" | "date" | "pr">;

function identity(r: Resource): Pick<AuditEntry, "kind" | "namespace" | "name"> {
  return { kind: r.kind, namespace: r.metadata.namespace ?? null, name: r.metadata.name ?? "" };
}

function tierOf(r: Resource | undefined): string[] {
  if (!r) return [];
  if (r.kind === "Tier") return [r.metadata.name ?? ""];
  return isPolicy(r) ? [policyTier(r)] : [];
}

function entry(r: Resource, change: AuditChange, details: string[], other?: Resource): EntryBody {
  return { ...identity(r), change, details, tiers: [...new Set([...tierOf(r), ...tierOf(other)])] };
}

function resourceEntries(before: Resource[], after: Resource[]): EntryBody[] {
  const out: EntryBody[] = [];
  for (const ch of diffResources(before, after)) {
    const { base: b, head: h } = ch;
    switch (ch.kind) {
      case "added":
        out.push(entry(h!, "added", [`added in ${h!.source.file}`]));
        break;
      case "removed":
        out.push(entry(b!, "removed", [`removed from ${b!.source.file}`]));
        break;
      case "moved":
        out.push(entry(h!, "moved", [`moved from ${b!.source.file} to ${h!.source.file}`], b));
        break;
      case "changed": {
        const details = describeMeaningChange(b!, h!);
        if (b!.source.file !== h!.source.file) details.unshift(`moved from ${b!.source.file} to ${h!.source.file}`);
        out.push(entry(h!, "changed", details.length > 0 ? details : ["changed in meaning"], b));
        break;
      }
      case "renamed":
        // Identity is kind, namespace and name: a new name is a new resource, which the details connect.
        out.push(entry(b!, "removed", [`renamed to ${h!.metadata.name} (${h!.source.file})`]));
        out.push(entry(h!, "added", [`renamed from ${b!.metadata.name} (${b!.source.file})`]));
        break;
      case "reformatted":
        break;
    }
  }
  return out;
}

/** tierguard.yaml compared by meaning: parsed and defaulted, so a reformat or a comment is no change. */
function configEntry(oldBlob: string | undefined, newBlob: string | undefined, blobs: BlobTexts): EntryBody | undefined {
  const read = (blob: string | undefined) => (blob === undefined ? undefined : JSON.parse(JSON.stringify(parseConfig(blobs.get(blob) ?? "").config)));
  const b = read(oldBlob);
  const h = read(newBlob);
  const base = { kind: "TierguardConfig", namespace: null, name: CONFIG_FILE, tiers: [] as string[] };
  if (b === undefined && h === undefined) return undefined;
  if (b === undefined) return { ...base, change: "added", details: [`${CONFIG_FILE} added`] };
  if (h === undefined) return { ...base, change: "removed", details: [`${CONFIG_FILE} removed: defaults apply and ownership is not enforced`] };
  const details = describeValueChange("", b, h);
  return details.length === 0 ? undefined : { ...base, change: "changed", details };
}

function keep(e: EntryBody, options: AuditOptions): boolean {
  if (options.tier !== undefined && !e.tiers.includes(options.tier)) return false;
  if (options.policy !== undefined && !matchesPolicy(e, options.policy)) return false;
  return true;
}

/** `KIND/NAME`, `KIND/NS/NAME` (the kind in any case), or a bare `NAME`. */
export function matchesPolicy(e: Pick<AuditEntry, "kind" | "namespace" | "name">, spec: string): boolean {
  const parts = spec.split("/");
  if (parts.length === 1) return e.name === parts[0];
  const [kind, a, b] = parts;
  const name = b ?? a;
  const namespace = b === undefined ? undefined : a;
  return kind.toLowerCase() === e.kind.toLowerCase() && name === e.name && (namespace === undefined || namespace === e.namespace);
}
