import type { AuditEntry } from "./types.js";

/**
 * The audit log as text (one block per change), Markdown (a table a PR or wiki page can hold) or JSON
 * (`{"entries": [...]}`, the shape scripts rely on).
 */
function who(e: AuditEntry): string {
  return e.namespace === null ? `${e.kind} ${e.name}` : `${e.kind} ${e.namespace}/${e.name}`;
}

export function renderAuditJson(entries: readonly AuditEntry[]): string {
  const ordered = entries.map((e) => ({
    commit: e.commit,
    author: e.author,
    date: e.date,
    pr: e.pr,
    kind: e.kind,
    namespace: e.namespace,
    name: e.name,
    change: e.change,
    details: e.details,
  }));
  return JSON.stringify({ entries: ordered }, null, 2) + "\n";
}

export function renderAuditText(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return "No policy changes in the history searched.\n";
  const lines: string[] = [];
  for (const e of entries) {
    const pr = e.pr === null ? "" : ` (#${e.pr})`;
    lines.push(`${e.commit.slice(0, 12)} ${e.date} ${e.author}${pr}: ${who(e)} ${e.change}`);
    for (const d of e.details) lines.push(/^ {2}[-+] /.test(d) ? `    ${d}` : `    ${d}`);
  }
  return lines.join("\n") + "\n";
}

const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");

export function renderAuditMarkdown(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return "No policy changes in the history searched.\n";
  const out = ["| date | commit | author | PR | resource | change | details |", "|---|---|---|---|---|---|---|"];
  for (const e of entries) {
    const details = e.details.map((d) => (/^ {2}[-+] /.test(d) ? `\`${d.trim().replace(/`/g, "'")}\`` : cell(d))).join("<br>");
    out.push(`| ${e.date.slice(0, 10)} | \`${e.commit.slice(0, 12)}\` | ${cell(e.author)} | ${e.pr === null ? "" : `#${e.pr}`} | ${cell(who(e))} | ${e.change} | ${details} |`);
  }
  return out.join("\n") + "\n";
}
