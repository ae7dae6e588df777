import { BOARD_SCRIPT } from "./client.js";
import { BOARD_CSS } from "./style.js";
import type { BoardModel } from "./types.js";

/**
 * The board as one self-contained HTML file: the model as JSON, the stylesheet and the script inline, and a
 * Content-Security-Policy that forbids every fetch, so the page opens from disk, works offline and cannot leak.
 * The header (totals, what a change does) is written here, so it reads the same with scripts off and on paper.
 */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const n = (x: number) => x.toLocaleString("en-US");

/** JSON inside `<script type="application/json">`: `<` escaped so no string can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function totalsHtml(model: BoardModel): string {
  const items: Array<[string, string, string]> = [["policies", "policies", n(model.policyCount)]];
  const t = model.totals;
  if (t) {
    items.push(
      ["records", "records replayed", n(t.records)],
      ["allow-records", "allowed", `${n(t.allow.records)} records (${n(t.allow.flows)} flows)`],
      ["deny-records", "denied", `${n(t.deny.records)} records (${n(t.deny.flows)} flows)`],
      ["pending-deny-records", "denied if staged policies were enforced", `${n(t.pendingDeny.records)} records`],
      ["profile-records", "no policy decided (the namespace profile allows)", `${n(t.decidingTier["__PROFILE__"]?.records ?? 0)} records`],
    );
    if (t.skippedLines > 0) items.push(["skipped", "unreadable lines", n(t.skippedLines)]);
  }
  const a = model.agent;
  if (a) {
    items.push(["agent-connections", `connections counted by ${a.reports} node agent${a.reports === 1 ? "" : "s"}`, n(a.connections)]);
    if (a.rulesets.length > 1) items.push(["agent-rulesets", "rulesets", `${a.rulesets.length} different rulesets across the nodes: the counts mix policy versions`]);
    if (a.notOnBoard.length > 0) {
      const names = a.notOnBoard.slice(0, 5).map(esc).join(", ") + (a.notOnBoard.length > 5 ? `, and ${a.notOnBoard.length - 5} more` : "");
      items.push(["agent-not-on-board", "counted policies not on this board", `${n(a.notOnBoard.length)} (${names}): counters of another ruleset or Calico version`]);
    }
  }
  const c = model.change;
  if (c) {
    items.push(
      ["change", "change", `${esc(c.base)} → ${esc(c.head)}: ${c.added} added, ${c.changed} changed, ${c.removed} removed`],
      ["newly-denied", "newly denied", `${n(c.newlyDenied.flows)} flows (${n(c.newlyDenied.records)} records)`],
      ["newly-allowed", "newly allowed", `${n(c.newlyAllowed.flows)} flows (${n(c.newlyAllowed.records)} records)`],
    );
  }
  return `<dl class="totals">${items.map(([k, label, v]) => `<div data-total="${k}"><dt>${label}</dt><dd>${v}</dd></div>`).join("")}</dl>`;
}

/** Fields only the detail view reads: sent in a second JSON block, parsed when a policy is first opened. */
const DETAIL_FIELDS = ["yaml", "explanation", "endOfRules", "rules", "topFlows"] as const;

/** The model split in two: the list (parsed at load) and each policy's details by id (parsed on first open). */
export function splitModel(model: BoardModel): { list: unknown; details: Record<string, unknown> } {
  const details: Record<string, unknown> = {};
  const tiers = model.tiers.map((t) => ({
    ...t,
    policies: t.policies.map((p) => {
      const light: Record<string, unknown> = { ...p };
      const heavy: Record<string, unknown> = {};
      for (const k of DETAIL_FIELDS) {
        heavy[k] = p[k];
        delete light[k];
      }
      details[p.id] = heavy;
      return light;
    }),
  }));
  return { list: { ...model, tiers }, details };
}

export function renderBoardHtml(model: BoardModel): string {
  const { list, details } = splitModel(model);
  const legend = model.totals
    ? `Counts are flow records from the snapshot: allowed, denied and passed by the policy in the enforced verdict; pending: what a staged policy would decide. NO HITS: no record reached the policy (a candidate for removal)${model.newestRecord ? `; UNUSED ${model.unusedDays}d: last hit more than ${model.unusedDays} days before the newest record (${esc(model.newestRecord.slice(0, 10))})` : ""}.`
    : model.agent
      ? "No flow snapshot was given: the counts are the node agents' connections only."
      : "No flow snapshot was given: no counts.";
  const agentLegend = model.agent ? ` Agent counts are connections the node agents counted at each policy and rule (allowed, denied, passed; pending: a staged policy's verdict); a policy no connection reached is marked NO HITS too.` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(model.title)}</title>
<style>${BOARD_CSS}</style>
</head>
<body>
<header>
<h1>${esc(model.title)}</h1>
<p class="sources">${model.sources.map(esc).join(" · ")}</p>
${totalsHtml(model)}
<div class="controls" role="search">
<label for="q">Filter</label>
<input id="q" type="search" placeholder="name, namespace or label (press /)" autocomplete="off" aria-describedby="shown">
<label><input type="checkbox" id="only-unused"> only policies with no hits or unused</label>
<span id="shown" aria-live="polite"></span>
</div>
<p class="legend">${legend}${agentLegend} <span class="screen-only">Tiers are columns in evaluation order. Arrow keys move between policies, Enter opens one, Esc closes it.</span></p>
</header>
<main id="board" class="board" aria-label="Tiers in evaluation order"><noscript>This page needs JavaScript to show the policies.</noscript></main>
<aside id="details" role="dialog" aria-labelledby="details-title" hidden></aside>
<script type="application/json" id="board-data">${scriptJson(list)}</script>
<script type="application/json" id="board-details">${scriptJson(details)}</script>
<script>${BOARD_SCRIPT}</script>
</body>
</html>
`;
}
