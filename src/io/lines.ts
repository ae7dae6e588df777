import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { DEFAULT_MAX_SNAPSHOT_BYTES, type LineEvent, type ReadLinesOptions } from "../run/flow-lines.js";
import { describeFsError } from "./files.js";

/**
 * Streams the lines of a text file, gunzipping when the file starts with the gzip magic bytes. Bounded on every
 * axis a hostile snapshot can push: lines longer than `maxLineBytes` are reported (not buffered whole), a line that
 * runs on past `RUNAWAY_LINE_FACTOR` times that limit ends the read (the file is not JSON lines: a gzip of zeros
 * is one endless line), and so does reading past `maxBytes` of (decompressed) text. A truncated or corrupt gzip
 * stream, a read error, or either limit ends the iteration with an `error` event instead of an exception, keeping
 * every line read before it. Empty lines are counted but never yielded: they cost nothing downstream.
 */
export type { Line, LineEvent, ReadFailure, ReadLinesOptions } from "../run/flow-lines.js";
export { DEFAULT_MAX_SNAPSHOT_BYTES } from "../run/flow-lines.js";

/**
 * A line still going after this many times `maxLineBytes` is not a long record but a file that is not JSON lines;
 * skipping to its end would decompress the whole of it (1 GiB of zeros gzips to 1 MiB).
 */
export const RUNAWAY_LINE_FACTOR = 64;

/** How much of the file (and of the gunzipped stream) is read at a time; no bound on a line (that is maxLineBytes). */
const READ_CHUNK_BYTES = 1 << 20;

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Why a path cannot be read as a flow file, checked before opening it (opening a FIFO would block). */
async function refusal(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? undefined : info.isDirectory() ? "is a directory" : "not a regular file";
  } catch (e) {
    return describeFsError(e);
  }
}

export async function* readLines(path: string, options: ReadLinesOptions): AsyncGenerator<LineEvent> {
  const refused = await refusal(path);
  let gz = false;
  try {
    if (!refused) gz = await isGzip(path);
  } catch (e) {
    yield { type: "error", number: 0, reason: "unavailable", cause: describeFsError(e), message: describeFsError(e) };
    return;
  }
  if (refused) {
    yield { type: "error", number: 0, reason: "unavailable", cause: refused, message: refused };
    return;
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  const range = gz ? undefined : options.range;
  // The worker whose range holds the size limit reports it; ranges wholly past it read nothing.
  if (range && range.start >= maxBytes) return;
  yield* splitLines(path, gz, range, { maxLineBytes: options.maxLineBytes, maxBytes });
}

async function* splitLines(path: string, gz: boolean, range: ReadLinesOptions["range"], limits: { maxLineBytes: number; maxBytes: number }): AsyncGenerator<LineEvent> {
  const { maxLineBytes, maxBytes } = limits;
  const runaway = maxLineBytes * RUNAWAY_LINE_FACTOR;
  // Reading from one byte early tells whether `start` begins a line: the byte before it is then a newline.
  const readFrom = range && range.start > 0 ? range.start - 1 : 0;
  let skipping = range !== undefined && range.start > 0;
  let offset = readFrom; // absolute offset of the next unread byte of the current chunk
  let lineStart = range ? range.start : 0;
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, start: readFrom });
  const stream = gz ? file.pipe(createGunzip({ chunkSize: READ_CHUNK_BYTES })) : file;
  if (gz) file.on("error", (e) => stream.destroy(e));
  const stop = () => {
    file.destroy();
    if (gz) stream.destroy();
  };
  let number = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflow = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      if (skipping) {
        const nl = chunk.indexOf(10);
        if (nl === -1) {
          offset += chunk.length;
          continue;
        }
        start = nl + 1;
        lineStart = offset + start;
        skipping = false;
      }
      const chunkBase = offset;
      offset += chunk.length;
      // Only lines that end within maxBytes are read; the one crossing it is where reading stops.
      const usable = Math.min(chunk.length, maxBytes - chunkBase);
      for (;;) {
        if (range && lineStart >= range.end) {
          stop();
          return;
        }
        const nl = chunk.indexOf(10, start);
        if (nl === -1 || nl >= usable) break;
        lineStart = chunkBase + nl + 1;
        number++;
        const length = pendingBytes + (nl - start);
        if (overflow || length > maxLineBytes) {
          yield { type: "too-long", number, bytes: length };
        } else if (length > 0) {
          const text = pending.length === 0 ? chunk.toString("utf8", start, nl) : Buffer.concat([...pending, chunk.subarray(start, nl)]).toString("utf8");
          yield { type: "line", line: { number, text } };
        }
        pending = [];
        pendingBytes = 0;
        overflow = false;
        start = nl + 1;
      }
      if (start < chunk.length) {
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxLineBytes) {
          overflow = true;
          pending = [];
        } else {
          pending.push(chunk.subarray(start));
        }
      }
      const limit =
        offset > maxBytes
          ? `the file is longer than ${maxBytes} bytes${gz ? " decompressed" : ""} (the limit; raise it with --max-snapshot-bytes)`
          : pendingBytes > runaway
            ? `a line runs on for more than ${runaway} bytes without a newline: the file is not JSON lines`
            : undefined;
      if (limit) {
        stop();
        yield { type: "error", number: number + 1, reason: "limit", cause: limit, message: `reading stopped: ${limit}; records from line ${number + 1} on were not read` };
        return;
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const corrupt = gz && (err.code === "Z_BUF_ERROR" || err.code === "Z_DATA_ERROR" || /unexpected end|incorrect header/i.test(err.message));
    const what = corrupt ? "the gzip stream is truncated or corrupt" : describeFsError(err);
    yield { type: "error", number: number + 1, reason: corrupt ? "truncated" : "unreadable", cause: what, message: `${what}; records after line ${number} were not read` };
    return;
  }
  if (pendingBytes > 0 || overflow) {
    number++;
    if (overflow || pendingBytes > maxLineBytes) yield { type: "too-long", number, bytes: pendingBytes };
    else yield { type: "line", line: { number, text: Buffer.concat(pending).toString("utf8"), unterminated: true } };
  }
}
