/**
 * Structural checks on rendered Markdown, shared by the comment and splitter tests: each returns the problems found
 * (an empty list when the text is well formed) so a failing test names the line.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function fenceProblems(text: string): string[] {
  let open: string | undefined;
  text.split("\n").forEach((line) => {
    const m = FENCE.exec(line);
    if (!m) return;
    if (open === undefined) open = m[1];
    else if (line.trim().startsWith(open[0].repeat(open.length)) && line.trim().replace(/[`~]/g, "") === "") open = undefined;
  });
  return open === undefined ? [] : [`unclosed fence ${open}`];
}

export function detailsProblems(text: string): string[] {
  let depth = 0;
  const problems: string[] = [];
  let inFence = false;
  text.split("\n").forEach((line, i) => {
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) return;
    if (/^\s*<details[\s>]/.test(line)) depth++;
    if (/^\s*<\/details>/.test(line)) depth--;
    if (depth < 0) problems.push(`line ${i + 1}: </details> without <details>`);
  });
  if (depth > 0) problems.push(`${depth} unclosed <details>`);
  return problems;
}

/** Every run of table lines starts with a header row and a delimiter row. */
export function tableProblems(text: string): string[] {
  const lines = text.split("\n");
  const problems: string[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    if (FENCE.test(lines[i])) inFence = !inFence;
    if (inFence || !lines[i].startsWith("|") || (i > 0 && lines[i - 1].startsWith("|"))) continue;
    if (!/^\| ---/.test(lines[i + 1] ?? "")) problems.push(`line ${i + 1}: table without a delimiter row: ${lines[i].slice(0, 60)}`);
  }
  return problems;
}

/** Pipes that split a GFM table row (not escaped with a backslash). */
export function cellCount(row: string): number {
  return row.split(/(?<!\\)\|/).length - 2;
}

export function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** `####` headings in order. */
export function headings(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("#### "))
    .map((l) => l.slice(5));
}

/**
 * The lines that carry content, without what the splitter adds or repeats (numbering, continued notes and
 * summaries, fences, table headers), so a split comment can be compared with the whole one line for line.
 */
export function contentLines(text: string): string[] {
  return text
    .split("\n")
    .filter(
      (l) =>
        l.trim() !== "" &&
        !l.startsWith("<!-- tierguard:review") &&
        !/^_Part \d+ of \d+/.test(l) &&
        !/^\s*<\/?details/.test(l) &&
        l !== "_(continued)_" &&
        !FENCE.test(l) &&
        !/^\| (#|---|h\d|Check) /.test(l) &&
        !/^\| ---/.test(l),
    );
}
