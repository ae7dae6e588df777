import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FlowFile } from "../run/index.js";
import type { GitHubApi, RepoRef } from "./api.js";
import type { ReadableStream } from "node:stream/web";
import { scrub } from "./redact.js";
import type { TreeEntry } from "./repo-reader.js";

/**
 * The flow snapshot (and inventory) a review replays, from where tierguard.yaml says, never from the pull request's
 * head: a path in the BASE revision, an https URL, or a release asset (`release:<tag>/<asset name>`). Everything is
 * size-limited and written to a scratch file so that the replay streams it.
 */
export interface SnapshotLimits {
  /** Largest snapshot accepted, in bytes. */
  maxBytes: number;
  /** Milliseconds before a URL download is abandoned. */
  timeoutMs: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxBytes: 1 << 30, timeoutMs: 120_000 };

/** A snapshot that cannot be fetched, in words for the review (no URL, no credentials: the caller names the source). */
export class SnapshotError extends Error {}

export async function fetchSnapshot(api: GitHubApi, repo: RepoRef, baseTree: readonly TreeEntry[], source: string, dest: string, limits: SnapshotLimits): Promise<FlowFile> {
  if (/^https:\/\//.test(source)) {
    await download(source, dest, limits);
    return { path: dest, display: scrub(source) };
  }
  if (/^http:\/\//.test(source)) throw new SnapshotError("only https URLs are fetched");
  const release = /^release:([^/]+)\/(.+)$/.exec(source);
  if (release) {
    await releaseAsset(api, repo, release[1], release[2], dest, limits);
    return { path: dest, display: source };
  }
  const entry = baseTree.find((e) => e.path === source);
  if (!entry) throw new SnapshotError("it is not in the base revision");
  await downloadBlob(api, repo, entry, dest, limits.maxBytes);
  return { path: dest, display: `${source} (base revision)` };
}

/**
 * A blob of the repository, streamed to `dest` in GitHub's raw media type: the JSON form carries the content
 * base64-encoded in one string, which Octokit cannot parse past a few megabytes (and which would be held whole).
 */
async function downloadBlob(api: GitHubApi, repo: RepoRef, entry: TreeEntry, dest: string, maxBytes: number): Promise<void> {
  await pipeline(await rawBlob(api, repo, entry, maxBytes), createWriteStream(dest));
}

/** The inventory's bytes as text (BOM kept, as reading a file would), no more than `maxBytes` of them. */
export async function readBlobText(api: GitHubApi, repo: RepoRef, entry: TreeEntry, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = await (await rawBlob(api, repo, entry, maxBytes)).toArray();
  return TEXT_DECODER.decode(Buffer.concat(chunks));
}

const TEXT_DECODER = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

async function rawBlob(api: GitHubApi, repo: RepoRef, entry: TreeEntry, maxBytes: number): Promise<Readable> {
  if (entry.size > maxBytes) throw new SnapshotError(`it is ${entry.size} bytes; the limit is ${maxBytes}`);
  const { data } = await api.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...repo, file_sha: entry.sha, headers: { accept: "application/vnd.github.raw" }, request: { parseSuccessResponseBody: false } });
  return bounded(data, maxBytes);
}

async function releaseAsset(api: GitHubApi, repo: RepoRef, tag: string, name: string, dest: string, limits: SnapshotLimits): Promise<void> {
  const { data: rel } = await api.request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { ...repo, tag });
  const asset = (rel.assets as Array<{ id: number; name: string; size: number }>).find((a) => a.name === name);
  if (!asset) throw new SnapshotError(`release ${tag} has no asset ${name}`);
  if (asset.size > limits.maxBytes) throw new SnapshotError(`release asset ${name} is ${asset.size} bytes; the limit is ${limits.maxBytes}`);
  const { data } = await api.request("GET /repos/{owner}/{repo}/releases/assets/{asset_id}", { ...repo, asset_id: asset.id, headers: { accept: "application/octet-stream" }, request: { parseSuccessResponseBody: false, signal: AbortSignal.timeout(limits.timeoutMs) } });
  await streamToFile(data, dest, limits.maxBytes);
}

async function download(url: string, dest: string, limits: SnapshotLimits): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: "follow" });
  if (!res.ok || !res.body) throw new SnapshotError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) throw new SnapshotError(`it is ${declared} bytes; the limit is ${limits.maxBytes}`);
  await streamToFile(res.body, dest, limits.maxBytes);
}

/** A response body to a file, never more than `maxBytes` of it: past that, the download stops. */
async function streamToFile(body: unknown, dest: string, maxBytes: number): Promise<void> {
  await pipeline(bounded(body, maxBytes), createWriteStream(dest));
}

function bounded(body: unknown, maxBytes: number): Readable {
  if (body === null || body === undefined) throw new SnapshotError("GitHub answered without a body");
  const source = body instanceof ArrayBuffer || Buffer.isBuffer(body) || typeof body === "string" ? Readable.from([Buffer.from(body as ArrayBuffer)]) : Readable.fromWeb(body as ReadableStream);
  let seen = 0;
  return source.map((chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) throw new SnapshotError(`it is larger than the limit of ${maxBytes} bytes`);
    return chunk;
  });
}

/**
 * Why a snapshot could not be fetched, in words: a SnapshotError says it already; a timeout, a network error or an
 * HTTP status from GitHub is put in words here. Credentials a message may carry (a URL's query) are scrubbed.
 */
export function fetchFailure(e: unknown): string {
  if (e instanceof SnapshotError) return scrub(e.message);
  const err = e as { name?: string; message?: string; status?: number; code?: unknown; cause?: { code?: unknown; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return "no complete answer within the time limit";
  if (typeof err?.status === "number") return `GitHub answered HTTP ${err.status}`;
  // fetch rejects with "fetch failed" and the socket's error as the cause; its code says what happened.
  const code = err?.code ?? err?.cause?.code;
  if (typeof code === "string") return `could not connect (${code})`;
  return scrub(err?.cause?.message ?? err?.message ?? String(e));
}
