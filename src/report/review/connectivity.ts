import type { ConnectivityChange, Review } from "../../review/index.js";
import { md } from "./escape.js";
import { int, plural, sideWords } from "./format.js";
import { section, type ReviewMarkdownOptions } from "./sections.js";

/**
 * The connectivity diff in the comment and the terminal: what becomes reachable or unreachable that no recorded flow
 * exercised (what flows exercised is in the replay's tables already), broadest first, folded like the flow tables.
 */
export function connectivityWords(c: ConnectivityChange): string {
  const ports = c.ports.length === 0 ? "" : c.ports.length === 1 && c.ports[0] === "1:65535" ? " (any port)" : ` ${c.ports.join(", ")}`;
  const from = c.sourcePorts ? ` from source ${c.sourcePorts.length === 1 && !c.sourcePorts[0].includes(":") ? "port" : "ports"} ${c.sourcePorts.join(", ")}` : "";
  return `${c.source.name} → ${c.destination.name}, ${c.protocol}${ports}${from}`;
}

function table(list: readonly ConnectivityChange[], max: number, what: string): string[] {
  const rows = list.slice(0, Math.max(0, max)).map((c, i) => `| ${i + 1} | ${md(connectivityWords(c))}${c.uncertain ? " (uncertain)" : ""} | ${md(sideWords(c.before))} | ${md(sideWords(c.after))} |`);
  const out = ["| # | Connection | Before | After |", "| ---: | --- | --- | --- |", ...rows];
  if (list.length > rows.length) out.push("", `_…and ${int(list.length - rows.length)} more ${what} not shown here; the review's JSON output lists every one._`);
  return out;
}

const enforced = (list: readonly ConnectivityChange[]) => list.filter((x) => !x.exercised && x.mode !== "pending");
const pending = (c: NonNullable<Review["connectivity"]>) => [...c.newlyReachable, ...c.newlyUnreachable].filter((x) => !x.exercised && x.mode === "pending");
const opensOrCloses = (c: ConnectivityChange) => (c.after.verdict === "allow" ? "opens" : "closes");

export function connectivitySections(review: Review, options: ReviewMarkdownOptions): string[][] {
  const c = review.connectivity;
  if (!c) return [];
  const max = options.maxFlowRows ?? 50;
  const out: string[][] = [];
  const reachable = enforced(c.newlyReachable);
  const unreachable = enforced(c.newlyUnreachable);
  if (reachable.length > 0) {
    const summary = `${plural(reachable.length, "connection class", "connection classes")} become reachable that no recorded flow exercised. The broadest: ${md(connectivityWords(reachable[0]))}.`;
    out.push(section("Exposure no recorded flow has shown yet", summary, table(reachable, max, "newly reachable"), `Show the ${plural(reachable.length, "newly reachable connection class", "newly reachable connection classes")}`));
  }
  if (unreachable.length > 0) {
    const summary = `${plural(unreachable.length, "connection class", "connection classes")} become unreachable that no recorded flow exercised. The broadest: ${md(connectivityWords(unreachable[0]))}.`;
    out.push(section("Connectivity removed that no recorded flow used", summary, table(unreachable, max, "newly unreachable"), `Show the ${plural(unreachable.length, "newly unreachable connection class", "newly unreachable connection classes")}`));
  }
  const staged = pending(c);
  if (staged.length > 0) {
    // Staged policies decide nothing yet: what they would open or close once enforced, apart from the enforced changes.
    const summary = `Once staged policies are enforced, ${plural(staged.length, "connection class", "connection classes")} would change that no recorded flow exercised. The broadest: ${md(connectivityWords(staged[0]))} (it ${opensOrCloses(staged[0])}).`;
    out.push(section("What staged policies would change (pending verdict)", summary, table(staged, max, "pending changes"), `Show the ${plural(staged.length, "pending change", "pending changes")}`));
  }
  return out;
}

/** Terminal lines: heading and one line per change, all of them unless `max` says otherwise. */
export function connectivityText(review: Review, max: number, clean: (s: string) => string): string[][] {
  const c = review.connectivity;
  if (!c) return [];
  const block = (title: string, shown: readonly ConnectivityChange[]) => {
    if (shown.length === 0) return [];
    const lines = shown.slice(0, max).map((x, i) => `  ${i + 1}. ${clean(connectivityWords(x))}: before ${clean(sideWords(x.before))}; after ${clean(sideWords(x.after))}${x.uncertain ? " (uncertain)" : ""}`);
    if (shown.length > max) lines.push(`  ... and ${plural(shown.length - max, "more")}`);
    return [`${title}: ${plural(shown.length, "connection class", "connection classes")} no recorded flow exercised`, ...lines];
  };
  return [
    block("Newly reachable (connectivity diff)", enforced(c.newlyReachable)),
    block("Newly unreachable (connectivity diff)", enforced(c.newlyUnreachable)),
    block("Pending verdict only (staged policies, connectivity diff)", pending(c)),
  ];
}
