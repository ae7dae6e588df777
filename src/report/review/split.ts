import { closingFence, CONTINUED, detailsBlock, FENCE_OPEN, lineBlock, parseBlocks, separator, type Block, type DetailsBlock, type LineBlock } from "./markdown-blocks.js";

/**
 * Fitting Markdown into GitHub's size limits without breaking what it renders.
 *
 * The limit. GitHub refuses an issue or pull-request comment with "Body is too long (maximum is 65536 characters)".
 * Which unit it counts is not documented, and measurements disagree with the message: dead-claudia/github-limits#13
 * and objectstack-ai/objectstack#18826 found comments refused only above 262,144 UTF-8 bytes. We count UTF-16 code
 * units (`string.length`) against 65,536. That is safe under every reading: a string of n UTF-16 units has at most
 * n code points and at most 3n UTF-8 bytes (196,608 < 262,144), so a part we accept is never refused.
 *
 * The strategy (`splitComment`), after atlantis `SplitComment` but aware of Markdown structure:
 * 1. A body within the limit is returned unchanged, as one part.
 * 2. Otherwise the leading marker line (`<!-- ... -->`) is set aside and the rest is parsed into top-level blocks:
 *    fenced code, tables, `<details>` blocks (nested ones stay inside their parent) and runs of other lines. Blank
 *    lines between blocks are kept, so parts concatenate back to the original text.
 * 3. Blocks are packed greedily, in order, into parts of `limit` minus the worst-case numbering overhead. A block
 *    that does not fit in what is left of a part moves whole to the next part: fences, tables and `<details>` are
 *    never cut while they fit in a part on their own.
 * 4. A block larger than a whole part is split, filling the current part first: a fence is closed and reopened, a
 *    table repeats its header row, a `<details>` is closed and reopened with its summary plus "(continued)" and its
 *    content packed by the same rules, recursively; a continued fence or table is introduced by "_(continued)_".
 *    Only a single line longer than a part is cut mid-line (never inside a surrogate pair).
 * 5. Part 1 starts with the marker (and ends with it plus "part 1 of n"); every later part starts with the marker
 *    plus "part i of n", so an adapter can find and update each part, and a visible "Part i of n" line; every part
 *    but the last ends with a pointer to the next. The tail (the next-step line) is the last block, so it always
 *    lands in the last part.
 *
 * `truncateMarkdown` applies the same packing to one part (the Checks API cannot split): it keeps the head, then an
 * omission note, then the tail.
 */
export const GITHUB_COMMENT_LIMIT = 65536;

/** Below this a part has no room for its numbering and a useful piece of content. */
export const MIN_SPLIT_LIMIT = 1024;

interface Taken {
  head?: string;
  rest?: Block;
}

interface Packed {
  text: string;
  rest: Block[];
}

/** Index of a cut at or before `at` that does not separate a surrogate pair. */
function safeCut(s: string, at: number): number {
  const cut = Math.max(0, Math.min(at, s.length));
  const code = s.charCodeAt(cut - 1);
  return cut > 0 && code >= 0xd800 && code <= 0xdbff ? cut - 1 : cut;
}

/**
 * As much of `b` as fits in `room`, and what is left. With `mustProgress` the head is never empty (the caller has
 * an empty part that nothing larger will ever get).
 */
function take(b: Block, room: number, freshRoom: number, mustProgress: boolean): Taken {
  if (b.raw.length <= room) return { head: b.raw };
  if (b.kind === "details") return takeDetails(b, room, freshRoom, mustProgress);
  const prefix = b.note ? `${b.note}\n\n` : "";
  const { header, body, closeLine } = anatomy(b);
  const fixed = prefix.length + [...header, ...closeLine].reduce((n, l) => n + l.length + 1, 0);
  let used = fixed;
  let k = 0;
  while (k < body.length && used + body[k].length + 1 <= room) used += body[k++].length + 1;
  const rest = (remaining: string[]) => lineBlock(b.kind, [...header, ...remaining, ...closeLine], 1, b.kind === "text" ? undefined : CONTINUED);
  if (k === 0) {
    if (!mustProgress || body.length === 0) return { rest: b };
    const cut = safeCut(body[0], room - fixed);
    if (cut <= 0) throw new RangeError(`a part of ${room} characters cannot hold any of this block`);
    const head = lineBlock(b.kind, [...header, body[0].slice(0, cut), ...closeLine], 0, b.note).raw;
    return { head, rest: rest([body[0].slice(cut), ...body.slice(1)]) };
  }
  const head = lineBlock(b.kind, [...header, ...body.slice(0, k), ...closeLine], 0, b.note).raw;
  return { head, rest: k < body.length ? rest(body.slice(k)) : undefined };
}

/** The lines a piece of the block repeats (fence opening, table header, fence closing) and the lines it divides. */
function anatomy(b: LineBlock): { header: string[]; body: string[]; closeLine: string[] } {
  if (b.kind === "table") return { header: b.lines.slice(0, 2), body: b.lines.slice(2), closeLine: [] };
  if (b.kind === "text") return { header: [], body: b.lines, closeLine: [] };
  const open = FENCE_OPEN.exec(b.lines[0]);
  const chars = open ? open[1] : "```";
  const last = b.lines[b.lines.length - 1];
  const closed = b.lines.length > 1 && closingFence(chars).test(last);
  return { header: [b.lines[0]], body: b.lines.slice(1, closed ? -1 : undefined), closeLine: [closed ? last : chars] };
}

function takeDetails(b: DetailsBlock, room: number, freshRoom: number, mustProgress: boolean): Taken {
  const continued = detailsBlock(b.indent, b.attrs, b.summary, true, [], b.close, 1);
  const overhead = (open: string) => open.length + 2 + 2 + b.close.length;
  const packed = pack(b.inner, room - overhead(b.open), freshRoom - overhead(continued.open), mustProgress);
  if (packed.text === "") {
    // Not even its opening and closing fit: only possible with an enormous summary. Cut it as plain lines.
    return mustProgress ? take(lineBlock("text", b.raw.split("\n"), b.gap), room, freshRoom, true) : { rest: b };
  }
  const head = `${b.open}\n\n${packed.text}\n\n${b.close}`;
  if (packed.rest.length === 0) return { head };
  const restInner = packed.rest.map((x, i) => (i === 0 ? { ...x, gap: 0 } : x));
  return { head, rest: detailsBlock(b.indent, b.attrs, b.summary, true, restInner, b.close, 1) };
}

/**
 * Packs blocks in order into a container of `room` characters whose empty size is `freshRoom`: a block that would
 * fit an empty container is never cut; a larger one is split, starting in the space left here.
 */
function pack(blocks: readonly Block[], room: number, freshRoom: number, mustProgress: boolean): Packed {
  const minPiece = Math.min(512, Math.floor(freshRoom / 8));
  let text = "";
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    const sep = text === "" ? "" : separator(b);
    if (text.length + sep.length + b.raw.length <= room) {
      text += sep + b.raw;
      continue;
    }
    const avail = room - text.length - sep.length;
    const progress = mustProgress && text === "";
    if (!progress && (b.raw.length <= freshRoom || avail < minPiece)) return { text, rest: blocks.slice(i) };
    const t = take(b, avail, freshRoom, progress);
    if (t.head !== undefined) text += sep + t.head;
    const rest = blocks.slice(i + 1);
    return { text, rest: t.rest ? [t.rest, ...rest] : rest };
  }
  return { text, rest: [] };
}

function splitMarker(body: string): { marker?: string; rest: string } {
  const nl = body.indexOf("\n");
  const first = nl === -1 ? body : body.slice(0, nl);
  if (/^<!--.*-->\s*$/.test(first)) return { marker: first.trimEnd(), rest: nl === -1 ? "" : body.slice(nl + 1) };
  return { rest: body };
}

/** `<!-- tierguard:review -->` becomes `<!-- tierguard:review part 2 of 3 -->`. */
export function partMarker(marker: string, part: number, of: number): string {
  return marker.replace(/\s*-->$/, ` part ${part} of ${of} -->`);
}

const header = (i: number, n: number) => `_Part ${i} of ${n}, continued from the previous comment._`;
const footer = (i: number, n: number) => `_Part ${i} of ${n}: continued in the next comment._`;

function assemble(marker: string | undefined, content: string, i: number, n: number): string {
  const out: string[] = [];
  if (marker) out.push(i === 1 ? marker : partMarker(marker, i, n));
  if (i > 1) out.push(header(i, n), "");
  out.push(content);
  if (i < n) out.push("", footer(i, n));
  // Part 1 keeps the plain marker first; its count goes last, so an adapter can tell a split comment from a whole.
  if (marker && i === 1 && n > 1) out.push("", partMarker(marker, 1, n));
  return out.join("\n");
}

/** Splits a comment into parts of at most `limit` UTF-16 code units each; see the strategy above. */
export function splitComment(body: string, limit: number = GITHUB_COMMENT_LIMIT): string[] {
  if (body.length <= limit) return [body];
  if (limit < MIN_SPLIT_LIMIT) throw new RangeError(`cannot split a comment into parts smaller than ${MIN_SPLIT_LIMIT} characters`);
  const { marker, rest } = splitMarker(body);
  const blocks = parseBlocks(rest);
  for (let digits = 1; ; digits++) {
    const big = 10 ** digits - 1;
    const overhead = Math.max(assemble(marker, "", 1, big).length, assemble(marker, "", Math.max(2, big - 1), big).length, assemble(marker, "", big, big).length);
    const budget = limit - overhead;
    const contents: string[] = [];
    let queue: Block[] = blocks;
    while (queue.length > 0) {
      const packed = pack(queue, budget, budget, true);
      contents.push(packed.text);
      queue = packed.rest.map((b, i) => (i === 0 ? { ...b, gap: 0 } : b));
    }
    if (contents.length <= big) return contents.map((c, i) => assemble(marker, c, i + 1, contents.length));
  }
}

/**
 * One part of at most `limit` characters: as many leading blocks as fit (split by the same rules), then `note`, then
 * (unless `keepTail` is false) the last block, e.g. the next step. The note should say where the rest can be read.
 */
export interface TruncateOptions {
  note: string;
  /** Keep the last block after the note. Default true. */
  keepTail?: boolean;
}

export function truncateMarkdown(body: string, limit: number, options: TruncateOptions): string {
  if (body.length <= limit) return body;
  const blocks = parseBlocks(body);
  const keepTail = (options.keepTail ?? true) && blocks.length > 1;
  const tail = keepTail ? blocks[blocks.length - 1].raw : "";
  const budget = limit - options.note.length - 2 - (keepTail ? tail.length + 2 : 0);
  if (budget < MIN_SPLIT_LIMIT / 2) throw new RangeError(`a limit of ${limit} leaves no room after the note and the tail`);
  const packed = pack(keepTail ? blocks.slice(0, -1) : blocks, budget, budget, true);
  return [packed.text, options.note, tail].filter((s) => s !== "").join("\n\n");
}
