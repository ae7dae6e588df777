import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { describeFsError } from "./files.js";

/**
 * Streams the lines of a text file, gunzipping when the file starts with the gzip magic bytes. Lines longer than
 * `maxLineBytes` are reported (not buffered whole), and a truncated or corrupt gzip stream ends the iteration with
 * a problem instead of an exception, keeping every line read before it.
 */
export interface Line {
  /** 1-based. */
  number: number;
  text: string;
}

/** Why reading stopped: the file could not be read at all (or mid-way), or its gzip stream ends early or is corrupt. */
export type ReadFailure = "unreadable" | "truncated";

export type LineEvent =
  | { type: "line"; line: Line }
  | { type: "too-long"; number: number; bytes: number }
  | { type: "error"; number: number; reason: ReadFailure; message: string };

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

export interface ReadLinesOptions {
  maxLineBytes: number;
  /**
   * Only the lines that START in [start, end) of an uncompressed file, numbered from 1 at the first of them: how
   * worker threads split one file. The line that straddles `end` belongs to this range; the one straddling `start`
   * to the previous.
   */
  range?: { start: number; end: number };
}

export async function* readLines(path: string, options: ReadLinesOptions): AsyncGenerator<LineEvent> {
  let gz: boolean;
  try {
    gz = await isGzip(path);
  } catch (e) {
    yield { type: "error", number: 0, reason: "unreadable", message: describeFsError(e) };
    return;
  }
  const range = gz ? undefined : options.range;
  // Reading from one byte early tells whether `start` begins a line: the byte before it is then a newline.
  const readFrom = range && range.start > 0 ? range.start - 1 : 0;
  let skipping = range !== undefined && range.start > 0;
  let offset = readFrom; // absolute offset of the next unread byte of the current chunk
  let lineStart = range ? range.start : 0;
  const file = createReadStream(path, { highWaterMark: 1 << 20, start: readFrom });
  const stream = gz ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  if (gz) file.on("error", (e) => stream.destroy(e));
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
      for (;;) {
        if (range && lineStart >= range.end) {
          file.destroy();
          return;
        }
        const nl = chunk.indexOf(10, start);
        if (nl === -1) break;
        lineStart = chunkBase + nl + 1;
        number++;
        if (overflow) {
          yield { type: "too-long", number, bytes: pendingBytes + (nl - start) };
        } else if (pendingBytes + (nl - start) > options.maxLineBytes) {
          yield { type: "too-long", number, bytes: pendingBytes + (nl - start) };
        } else {
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
        if (pendingBytes > options.maxLineBytes) {
          overflow = true;
          pending = [];
        } else {
          pending.push(chunk.subarray(start));
        }
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const corrupt = gz && (err.code === "Z_BUF_ERROR" || err.code === "Z_DATA_ERROR" || /unexpected end|incorrect header/i.test(err.message));
    const what = corrupt ? "the gzip stream is truncated or corrupt" : describeFsError(err);
    yield { type: "error", number: number + 1, reason: corrupt ? "truncated" : "unreadable", message: `${what}; records after line ${number} were not read` };
    return;
  }
  if (pendingBytes > 0 || overflow) {
    number++;
    if (overflow || pendingBytes > options.maxLineBytes) yield { type: "too-long", number, bytes: pendingBytes };
    else yield { type: "line", line: { number, text: Buffer.concat(pending).toString("utf8") } };
  }
}
