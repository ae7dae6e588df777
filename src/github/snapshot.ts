import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FlowFile } from "../io/replay-files.js";
import type { GitHubApi, RepoRef } from "./api.js";
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

export class SnapshotError extends Error {}

export async function fetchSnapshot(api: GitHubApi, repo: RepoRef, baseTree: readonly TreeEntry[], source: string, dest: string, limits: SnapshotLimits): Promise<FlowFile> {
  if (/^https:\/\//.test(source)) {
    await download(source, dest, limits);
    return { path: dest, display: source };
  }
  if (/^http:\/\//.test(source)) throw new SnapshotError(`${source}: only https URLs are fetched`);
  const release = /^release:([^/]+)\/(.+)$/.exec(source);
  if (release) {
    await releaseAsset(api, repo, release[1], release[2], dest, limits);
    return { path: dest, display: source };
  }
  const entry = baseTree.find((e) => e.path === source);
  if (!entry) throw new SnapshotError(`${source} is not in the base revision`);
  if (entry.size > limits.maxBytes) throw new SnapshotError(`${source} is ${entry.size} bytes; the limit is ${limits.maxBytes}`);
  const { data } = await api.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...repo, file_sha: entry.sha });
  await writeFile(dest, Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8"));
  return { path: dest, display: `${source} (base revision)` };
}

async function releaseAsset(api: GitHubApi, repo: RepoRef, tag: string, name: string, dest: string, limits: SnapshotLimits): Promise<void> {
  const { data: rel } = await api.request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { ...repo, tag });
  const asset = (rel.assets as Array<{ id: number; name: string; size: number }>).find((a) => a.name === name);
  if (!asset) throw new SnapshotError(`release ${tag} has no asset ${name}`);
  if (asset.size > limits.maxBytes) throw new SnapshotError(`release asset ${name} is ${asset.size} bytes; the limit is ${limits.maxBytes}`);
  const { data } = await api.request("GET /repos/{owner}/{repo}/releases/assets/{asset_id}", { ...repo, asset_id: asset.id, headers: { accept: "application/octet-stream" } });
  await writeFile(dest, Buffer.from(data as ArrayBuffer));
}

async function download(url: string, dest: string, limits: SnapshotLimits): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: "follow" });
  if (!res.ok || !res.body) throw new SnapshotError(`${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) throw new SnapshotError(`${url} is ${declared} bytes; the limit is ${limits.maxBytes}`);
  let seen = 0;
  const counted = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream).map((chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limits.maxBytes) throw new SnapshotError(`${url} is larger than the limit of ${limits.maxBytes} bytes`);
    return chunk;
  });
  await pipeline(counted, createWriteStream(dest));
}

export function scratchPath(dir: string, i: number, what: string): string {
  return join(dir, `${what}-${i}`);
}
