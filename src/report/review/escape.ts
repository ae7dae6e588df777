/**
 * Escaping for text we do not control (policy, namespace and workload names, messages, file paths, logins) in the
 * three places the review renders it: Markdown text (paragraphs, list items, table cells, link text), HTML (the
 * `<summary>` of a `<details>`, where Markdown is not processed) and Mermaid labels. Each function returns one line:
 * a newline in a name must not start a new Markdown block (a fence, a table row, a heading).
 *
 * GitHub turns `@login` and `@org/team` into notifications and `#123` into cross-references (timeline events on the
 * referenced issue) in text nodes, after Markdown. A zero-width space after the `@` or `#` breaks both without
 * changing what a reader sees. Renovate does the same for release notes (`lib/modules/platform/utils/pr-body.ts`).
 */
const ZWSP = "&#8203;";

/** C0 controls other than tab/newline/CR, DEL, C1 controls, and bidi overrides that can disguise text. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function oneLine(text: string): string {
  // Each whitespace run is matched once (`\s*[\r\n]+\s*` retried every start in a long run: quadratic).
  return text.replace(CONTROL, "").replace(/\s+/g, (run) => (run.includes("\n") || run.includes("\r") ? " " : run));
}

/**
 * Markdown inline text, also safe inside a GFM table cell and inside `[link text]`. Backslash-escapes the ASCII
 * punctuation that can open a construct mid-line (emphasis, code, links, raw HTML and autolinks, tables,
 * strikethrough, math, entities) and neutralises mentions and issue references.
 */
export function md(text: string): string {
  return oneLine(text)
    .replace(/[\\`*_[\]<>|~#&$]/g, "\\$&")
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWSP}`)
    .replace(/\\#(?=\d)/g, `\\#${ZWSP}`);
}

/** Text inside an HTML element (`<summary>`): entities instead of backslashes, which HTML does not know. */
export function html(text: string): string {
  return oneLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWSP}`);
}

/**
 * A code span that holds any text: the fence is one backtick longer than the longest run inside, padded with spaces
 * when the text starts or ends with a backtick (CommonMark 6.1). In a table cell `|` still splits the row, so
 * `inTable` escapes it (GFM unescapes `\|` inside code spans in tables).
 */
export function codeSpan(text: string, options: { inTable?: boolean } = {}): string {
  let t = oneLine(text);
  if (options.inTable) t = t.replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = t.startsWith("`") || t.endsWith("`") || t === "" ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * A Mermaid label, written inside double quotes. Mermaid decodes `#name;` and `#code;` entities in labels; one pass
 * over the characters, so the entities we add are never escaped again. GitHub does not look for mentions in code
 * blocks, but `@` is encoded too, so the label stays inert wherever it is shown.
 */
const MERMAID_ENTITY: Record<string, string> = { "@": "#64;", "#": "#35;", '"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "`": "#96;", "|": "#124;", ";": "#59;" };

export function mermaidText(text: string): string {
  return oneLine(text).replace(/[@#"&<>`|;]/g, (c) => MERMAID_ENTITY[c]);
}

/** An identifier Mermaid accepts as a node id: letters, digits and underscores, never a keyword such as `end`. */
export function mermaidId(text: string): string {
  return `n_${text.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/**
 * A link target from a caller's link builder: only http(s), with the characters that would end a Markdown link
 * destination percent-encoded. Anything else is dropped (the text is then shown unlinked).
 */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/[\s()<>"'`\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** Text for a terminal: control characters (ANSI escapes included) removed, one line. */
export function terminalText(text: string): string {
  return oneLine(text);
}
