/**
 * The board's stylesheet, inlined into the page (no external font or file). Status is always said in words (badges,
 * the counts' labels) and by border style, colour only repeats it; print turns the columns into sections.
 */
export const BOARD_CSS = `
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --allow:#116329; --deny:#a40e26; --pass:#6639ba; --pend:#7d4e00; --focus:#0969da; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--fg); background:#fff; }
header { padding: 12px 16px 8px; border-bottom:1px solid var(--line); background:var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; }
.sources { color:var(--muted); margin:0 0 8px; font-size:12px; }
.totals { display:flex; flex-wrap:wrap; gap:6px 18px; margin:0 0 8px; }
.totals div { display:flex; gap:6px; align-items:baseline; }
.totals dt { color:var(--muted); }
.totals dd { margin:0; font-weight:600; font-variant-numeric: tabular-nums; }
.controls { display:flex; flex-wrap:wrap; gap:8px 16px; align-items:center; }
.controls input[type=search] { width: 22em; padding:4px 8px; font:inherit; border:1px solid var(--line); border-radius:4px; }
.legend { color:var(--muted); font-size:12px; margin:6px 0 0; }
.board { display:flex; gap:12px; padding:12px 16px; align-items:flex-start; overflow-x:auto; }
.tier { flex: 1 1 0; min-width: 230px; max-width: 380px; border:1px solid var(--line); border-radius:6px; background:#fff; max-height: calc(100vh - 170px); display:flex; flex-direction:column; }
.tier h2 { font-size:15px; margin:0; padding:8px 10px; border-bottom:1px solid var(--line); background:var(--bg); }
.tier h2 small { display:block; font-weight:400; color:var(--muted); font-size:12px; }
.tier ol { list-style:none; margin:0; padding:4px; overflow-y:auto; }
.tier li { content-visibility:auto; contain-intrinsic-size: auto 74px; }
.policy { display:block; width:100%; min-width:0; overflow:hidden; text-align:left; font:inherit; color:inherit; background:#fff; border:1px solid var(--line); border-left:4px solid var(--line); border-radius:4px; padding:6px 8px; margin:0 0 4px; cursor:pointer; }
.policy:focus-visible, .policy:focus { outline:3px solid var(--focus); outline-offset:1px; }
.policy.staged { border-style: dashed; border-left-style: dashed; }
.policy.nohits { background: repeating-linear-gradient(135deg,#fff,#fff 6px,#fff8c5 6px,#fff8c5 8px); }
.policy.removed { opacity:.75; text-decoration: line-through; }
.policy[aria-current=true] { box-shadow: 0 0 0 2px var(--focus); }
.pname { font-weight:600; word-break:break-all; }
.kind { color:var(--muted); font-size:12px; }
.sel { display:block; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px; color:var(--muted); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.nums { display:flex; flex-wrap:wrap; gap:0 10px; font-size:12px; font-variant-numeric: tabular-nums; margin-top:2px; }
.nums span { white-space:nowrap; }
.n-agent { color:var(--muted); display:block; }
.n-allowed { color:var(--allow); } .n-denied { color:var(--deny); } .n-passed { color:var(--pass); } .n-pending { color:var(--pend); }
.badge { display:inline-block; font-size:11px; font-weight:600; letter-spacing:.02em; padding:0 5px; border-radius:3px; border:1px solid currentColor; margin-left:4px; }
.b-staged { color:var(--pend); border-style:dashed; } .b-k8s { color:#0550ae; } .b-nohits { color:#7d4e00; background:#fff8c5; }
.b-stale { color:#7d4e00; } .b-added { color:var(--allow); } .b-changed { color:#0550ae; } .b-removed { color:var(--deny); } .b-moved, .b-renamed { color:var(--muted); }
.b-denied { color:var(--deny); } .b-allowed { color:var(--allow); }
#details { position:fixed; top:0; right:0; bottom:0; width:min(720px, 100vw); background:#fff; border-left:2px solid var(--fg); box-shadow:-4px 0 16px rgba(0,0,0,.15); overflow-y:auto; padding:12px 16px 24px; }
#details h2 { margin: 0 0 6px; font-size:18px; }
#details h3 { font-size:14px; margin:14px 0 6px; }
#details .close { float:right; font:inherit; padding:2px 10px; }
table { border-collapse: collapse; font-size:12px; width:100%; }
th, td { border:1px solid var(--line); padding:3px 6px; text-align:left; vertical-align:top; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
pre.yaml { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background:var(--bg); border:1px solid var(--line); padding:6px 0; overflow-x:auto; }
pre.yaml span { display:block; padding: 0 8px; white-space:pre; }
pre.yaml span::before { content: attr(data-line); display:inline-block; width:4ch; margin-right:1ch; color:var(--muted); text-align:right; }
pre.yaml span.rule { background:#ddf4ff; font-weight:600; }
pre.yaml span.rule::before { content: "\\25B6" attr(data-line); }
.visually-hidden { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
@media print {
  header { background:none; } .controls, #details, .legend .screen-only { display:none !important; }
  .board { display:block; padding:0; overflow:visible; }
  .tier { max-height:none; max-width:none; min-width:0; border:none; margin: 0 0 12px; break-inside: auto; }
  .sel { white-space: normal; overflow: visible; }
  .tier ol { overflow:visible; columns: 2; }
  .tier li { content-visibility: visible; break-inside: avoid; }
  .policy { border-color:#000; color:#000; }
  .nums span, .badge { color:#000 !important; background:none !important; }
}
`;
