/**
 * Markdown as the comment splitter sees it (split.ts): top-level blocks (fenced code, tables, `<details>` parsed
 * into their content, runs of other lines) with the blank lines between them, so blocks join back to the source text.
 */
export interface LineBlock {
  kind: "text" | "fence" | "table";
  lines: string[];
  /** Blank lines before the block in the source. */
  gap: number;
  /** Printed before the block, outside it: "_(continued)_" for the second piece of a split fence or table. */
  note?: string;
  raw: string;
}

export interface DetailsBlock {
  kind: "details";
  /** Indentation and attributes of the opening tag, and its summary HTML (without "(continued)"). */
  indent: string;
  attrs: string;
  summary: string;
  open: string;
  inner: Block[];
  close: string;
  gap: number;
  raw: string;
}

export type Block = LineBlock | DetailsBlock;

export const CONTINUED = "_(continued)_";
export const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const DETAILS_OPEN = /^\s*<details[\s>]/i;
const DETAILS_CLOSE = /^\s*<\/details>/i;
const DETAILS_LINE = /^(\s*)<details([^>]*)>\s*<summary>(.*)<\/summary>\s*$/i;
/** No two adjacent `\s*` (as in `\s*\|?\s*`), whose split points made a line of spaces quadratic. */
const TABLE_DELIMITER = /^\s*(?:\|\s*)?:?-+:?\s*(?:\|\s*:?-+:?\s*)*(?:\|\s*)?$/;

export function lineBlock(kind: LineBlock["kind"], lines: string[], gap: number, note?: string): LineBlock {
  const body = lines.join("\n");
  return { kind, lines, gap, note, raw: note ? `${note}\n\n${body}` : body };
}

export function detailsBlock(indent: string, attrs: string, summary: string, continued: boolean, inner: Block[], close: string, gap: number): DetailsBlock {
  const open = `${indent}<details${attrs}><summary>${summary}${continued ? " (continued)" : ""}</summary>`;
  return { kind: "details", indent, attrs, summary, open, inner, close, gap, raw: `${open}\n\n${joinBlocks(inner)}\n\n${close}` };
}

function joinBlocks(blocks: readonly Block[]): string {
  return blocks.map((b, i) => (i === 0 ? b.raw : separator(b) + b.raw)).join("");
}

export function separator(b: Block): string {
  return "\n".repeat(b.gap + 1);
}

/** The line that closes a fence opened with `chars`: the same character, at least as many, nothing else. */
export function closingFence(chars: string): RegExp {
  return new RegExp(`^ {0,3}${chars[0] === "`" ? "`" : "~"}{${chars.length},}\\s*$`);
}

function fenceEnd(lines: string[], start: number, fence: string): number {
  const close = closingFence(fence);
  for (let j = start + 1; j < lines.length; j++) if (close.test(lines[j])) return j;
  return lines.length - 1;
}

function detailsEnd(lines: string[], start: number): number {
  let depth = 0;
  for (let j = start; j < lines.length; j++) {
    const fence = FENCE_OPEN.exec(lines[j]);
    if (fence && j > start) {
      j = fenceEnd(lines, j, fence[1]);
      continue;
    }
    if (DETAILS_OPEN.test(lines[j])) depth++;
    if (DETAILS_CLOSE.test(lines[j]) || (j === start && /<\/details>\s*$/i.test(lines[j]))) depth--;
    if (depth <= 0) return j;
  }
  return lines.length - 1;
}

function startsBlock(line: string): boolean {
  return FENCE_OPEN.test(line) || DETAILS_OPEN.test(line) || /^\s*\|/.test(line);
}

/** Top-level blocks of a Markdown text; `<details>` of the form we render are parsed into their content. */
export function parseBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let gap = 0;
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    if (line.trim() === "") {
      gap++;
      i++;
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    let end = i;
    if (fence) {
      end = fenceEnd(lines, i, fence[1]);
      blocks.push(lineBlock("fence", lines.slice(i, end + 1), gap));
    } else if (DETAILS_OPEN.test(line)) {
      end = detailsEnd(lines, i);
      blocks.push(parseDetails(lines.slice(i, end + 1), gap));
    } else if (/^\s*\|/.test(line)) {
      while (end + 1 < lines.length && /^\s*\|/.test(lines[end + 1])) end++;
      const rows = lines.slice(i, end + 1);
      blocks.push(lineBlock(rows.length >= 2 && TABLE_DELIMITER.test(rows[1]) ? "table" : "text", rows, gap));
    } else {
      while (end + 1 < lines.length && lines[end + 1].trim() !== "" && !startsBlock(lines[end + 1])) end++;
      blocks.push(lineBlock("text", lines.slice(i, end + 1), gap));
    }
    gap = 0;
    i = end + 1;
  }
  return blocks;
}

function parseDetails(lines: string[], gap: number): Block {
  const m = DETAILS_LINE.exec(lines[0]);
  const last = lines[lines.length - 1];
  if (!m || lines.length < 2 || last.trim().toLowerCase() !== "</details>") return lineBlock("text", lines, gap);
  const summary = m[3].replace(/ \(continued\)$/, "");
  const block = detailsBlock(m[1], m[2], summary, false, parseBlocks(lines.slice(1, -1).join("\n")), last, gap);
  // Keep the source text exactly when it is not split.
  return { ...block, open: lines[0], raw: lines.join("\n") };
}
