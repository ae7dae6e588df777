/**
 * The board's script, inlined into the page. It reads the page model from the JSON block, renders one column per
 * tier (one button per policy; rows off screen are neither laid out nor painted, `content-visibility`), builds a
 * policy's details only when it is opened, filters by name, namespace or label, and moves focus with the arrow
 * keys (one tab stop for the whole board). It makes no network request.
 * Kept as plain ES2020 in a string: it runs in the browser, not in Node.
 */
export const BOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById('board-data').textContent);
  performance.mark('board-parsed');
  var board = document.getElementById('board');
  var details = document.getElementById('details');
  var search = document.getElementById('q');
  var onlyUnused = document.getElementById('only-unused');
  var shown = document.getElementById('shown');
  var byId = new Map();
  var hay = new Map();
  var lastOpener = null;
  var rowsCache = [];

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }
  function fmt(n) { return n.toLocaleString('en-US'); }
  function who(p) { return p.namespace ? p.namespace + '/' + p.name : p.name; }
  function dayOf(t) { return new Date(t * 1000).toISOString().slice(0, 10); }

  function badges(p) {
    var b = [];
    b.push(p.staged ? '<span class="badge b-staged">STAGED</span>' : '<span class="badge b-enforced visually-hidden">enforced</span>');
    if (p.kubernetes) b.push('<span class="badge b-k8s">K8S</span>');
    if (p.change) b.push('<span class="badge b-' + p.change + '">' + p.change.toUpperCase() + '</span>');
    if (p.noHits) b.push('<span class="badge b-nohits">NO HITS</span>');
    else if (p.stale) b.push('<span class="badge b-stale">UNUSED ' + data.unusedDays + 'd</span>');
    if (p.newlyDenied && p.newlyDenied.flows > 0) b.push('<span class="badge b-denied" data-count="newly-denied">NEWLY DENIED ' + fmt(p.newlyDenied.flows) + '</span>');
    if (p.newlyAllowed && p.newlyAllowed.flows > 0) b.push('<span class="badge b-allowed" data-count="newly-allowed">NEWLY ALLOWED ' + fmt(p.newlyAllowed.flows) + '</span>');
    return b.join('');
  }

  var ZERO = { allowed: { records: 0, flows: 0 }, denied: { records: 0, flows: 0 }, passed: { records: 0, flows: 0 }, pending: { records: 0, flows: 0 } };
  function nums(c) {
    if (!data.totals) return '';
    c = c || ZERO;
    return '<span class="n-allowed" data-count="allowed" title="records allowed">allowed ' + fmt(c.allowed.records) + '</span>' +
      '<span class="n-denied" data-count="denied" title="records denied">denied ' + fmt(c.denied.records) + '</span>' +
      '<span class="n-passed" data-count="passed" title="records passed to the next tier">passed ' + fmt(c.passed.records) + '</span>' +
      '<span class="n-pending" data-count="pending" title="records a staged policy would decide">pending ' + fmt(c.pending.records) + '</span>';
  }

  /** The agents' counters: connections, not records (a counter counts each connection's first packet). */
  function agentNums(a) {
    if (!data.agent) return '';
    a = a || { allowed: 0, denied: 0, passed: 0, pending: 0 };
    return '<span class="n-agent" data-agent="' + a.allowed + ',' + a.denied + ',' + a.passed + ',' + a.pending + '" title="connections the node agents counted">agent: allowed ' + fmt(a.allowed) +
      ' · denied ' + fmt(a.denied) + ' · passed ' + fmt(a.passed) + ' · pending ' + fmt(a.pending) + ' connections</span>';
  }

  function row(p, ti, pi) {
    var cls = 'policy' + (p.staged ? ' staged' : '') + (p.noHits ? ' nohits' : '') + (p.change === 'removed' ? ' removed' : '');
    var sel = p.endpoints === undefined ? '' : ' · ' + p.endpoints + ' endpoint' + (p.endpoints === 1 ? '' : 's');
    return '<li><button type="button" class="' + cls + '" tabindex="-1" data-id="' + esc(p.id) + '" data-flowname="' + esc(p.flowName) +
      '" data-t="' + ti + '" data-i="' + pi + '"><span class="pname">' + esc(who(p)) + '</span> <span class="kind">' + esc(p.kind) +
      (p.order !== undefined ? ' · order ' + p.order : '') + '</span>' + badges(p) +
      '<span class="sel" title="' + esc(p.selector) + '">' + esc(p.selector) + sel + '</span>' +
      (data.totals && p.change !== 'removed' ? '<span class="nums">' + nums(p.counts) + '</span>' : '') +
      (data.agent && p.change !== 'removed' ? '<span class="nums">' + agentNums(p.agent) + '</span>' : '') + '</button></li>';
  }

  function render() {
    var html = [];
    data.tiers.forEach(function (t, ti) {
      var head = '<h2 id="tier-' + ti + '">' + (ti + 1) + '. ' + esc(t.name) + '<small>' + (t.order !== undefined ? 'order ' + t.order + ' · ' : '') +
        'default ' + esc(t.defaultAction) + ' · ' + t.policies.length + ' polic' + (t.policies.length === 1 ? 'y' : 'ies') +
        (t.decided ? ' · <span data-count="decided">decided ' + fmt(t.decided.records) + (t.decided.records === 1 ? ' record' : ' records') + '</span>' : '') + '</small></h2>';
      var rows = t.policies.map(function (p, pi) {
        byId.set(p.id, p);
        hay.set(p.id, [p.kind, p.namespace || '', p.name, who(p), p.tier, p.selector, p.effectiveSelector].concat(
          Object.keys(p.labels).map(function (k) { return k + '=' + p.labels[k]; })).join(' ').toLowerCase());
        return row(p, ti, pi);
      });
      html.push('<section class="tier" aria-labelledby="tier-' + ti + '" data-tier="' + esc(t.name) + '">' + head + '<ol>' + rows.join('') + '</ol></section>');
    });
    performance.mark('board-built');
    board.innerHTML = html.join('');
    performance.mark('board-inserted');
    rowsCache = Array.prototype.map.call(board.querySelectorAll('.policy'), function (btn) { return [btn.parentElement, byId.get(btn.dataset.id), hay.get(btn.dataset.id)]; });
    var first = board.querySelector('.policy');
    if (first) first.tabIndex = 0;
    count();
  }

  function count() {
    var all = board.querySelectorAll('.policy').length;
    var visible = board.querySelectorAll('li:not([hidden]) .policy').length;
    shown.textContent = visible === all ? all + ' policies' : visible + ' of ' + all + ' policies shown';
  }

  function filter() {
    var terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var unused = onlyUnused.checked;
    rowsCache.forEach(function (r) {
      var ok = !!(terms.every(function (x) { return r[2].indexOf(x) >= 0; }) && (!unused || r[1].noHits || r[1].stale));
      if (r[0].hidden === ok) r[0].hidden = !ok;
    });
    count();
  }

  function yamlHtml(p) {
    var ruleLines = new Set(p.rules.map(function (r) { return r.line; }));
    return p.yaml.replace(/\n$/, '').split('\n').map(function (l, i) {
      var n = p.line + i;
      var isRule = ruleLines.has(n);
      return '<span data-line="' + n + '"' + (isRule ? ' class="rule" title="rule"' : '') + '>' + (isRule ? '<span class="visually-hidden">rule: </span>' : '') + esc(l) + '</span>';
    }).join('');
  }

  var detailsById = null;
  /** Each policy's YAML, rules and flows: parsed on the first open, not at load. */
  function withDetails(p) {
    if (!detailsById) detailsById = JSON.parse(document.getElementById('board-details').textContent);
    if (!p.rules) Object.assign(p, detailsById[p.id]);
    return p;
  }

  function open(p, opener) {
    lastOpener = opener || null;
    withDetails(p);
    var c = p.counts || ZERO;
    var h = [];
    h.push('<button type="button" class="close" aria-label="Close details">Close (Esc)</button>');
    h.push('<h2 id="details-title">' + esc(p.kind) + ' ' + esc(who(p)) + badges(p) + '</h2>');
    h.push('<p>Tier <b>' + esc(p.tier) + '</b>' + (p.order !== undefined ? ', order ' + p.order : '') + ' · ' + esc(p.file) + ':' + p.line +
      ' · flow logs name it <code>' + esc(p.flowName) + '</code></p>');
    if (p.changeSummary) h.push('<p><b>This change:</b> ' + esc(p.changeSummary) + '</p>');
    if (p.newlyDenied) h.push('<p data-section="impact">Newly denied by this policy: <b>' + fmt(p.newlyDenied.flows) + '</b> flows (' + fmt(p.newlyDenied.records) + ' records); newly allowed: <b>' + fmt(p.newlyAllowed.flows) + '</b> flows (' + fmt(p.newlyAllowed.records) + ' records)</p>');
    h.push('<p>Selector <code>' + esc(p.selector) + '</code>; effective <code>' + esc(p.effectiveSelector) + '</code>' + (p.endpoints === undefined ? '' : '; selects ' + p.endpoints + ' known endpoint' + (p.endpoints === 1 ? '' : 's')) + '</p>');
    if (data.totals) h.push('<p>Records: allowed ' + fmt(c.allowed.records) + ', denied ' + fmt(c.denied.records) + ', passed ' + fmt(c.passed.records) + ', pending ' + fmt(c.pending.records) +
      (p.lastHit ? ' · last hit ' + dayOf(p.lastHit) : p.noHits ? ' · <b>no hits</b> in the snapshot (a candidate for removal)' : '') + '</p>');
    if (data.agent) h.push('<p data-section="agent">Counted by the node agents: ' + agentNums(p.agent) + (p.noHits && !data.totals ? ' · <b>no hits</b> (a candidate for removal)' : '') + '</p>');
    var words = p.explanation.slice();
    p.directions.forEach(function (d, i) {
      p.rules.forEach(function (r) { if (r.direction === d) words.push((d === 'ingress' ? 'Ingress' : 'Egress') + ' rule ' + r.index + ': ' + r.words + '.'); });
      words.push(p.endOfRules[i]);
    });
    h.push('<h3>In words</h3><ul>' + words.map(function (x) { return '<li>' + esc(x) + '</li>'; }).join('') + '</ul>');
    if (p.rules.length) {
      // With agent counters and no snapshot, the record columns would only say 0: left out.
      var recs = !!data.totals || !data.agent;
      h.push('<h3>Rules</h3><table><thead><tr><th>rule</th><th>line</th><th>what it does</th>' + (recs ? '<th class="num">allowed</th><th class="num">denied</th><th class="num">passed</th><th class="num">pending</th>' : '') + (data.agent ? '<th>agent connections</th>' : '') + '</tr></thead><tbody>');
      p.rules.forEach(function (r) {
        var rc = r.counts || ZERO;
        h.push('<tr data-rule="' + r.direction + '#' + r.index + '"><td>' + r.direction + ' ' + r.index + (r.noHits ? ' <span class="badge b-nohits">NO HITS</span>' : '') + '</td><td class="num">' + r.line + '</td><td>' + esc(r.words) +
          '</td>' + (recs ? '<td class="num">' + fmt(rc.allowed.records) + '</td><td class="num">' + fmt(rc.denied.records) + '</td><td class="num">' + fmt(rc.passed.records) + '</td><td class="num">' + fmt(rc.pending.records) + '</td>' : '') + (data.agent ? '<td>' + agentNums(r.agent) + '</td>' : '') + '</tr>');
      });
      h.push('</tbody></table>');
    }
    if (p.topFlows.length) {
      h.push('<h3>Top flows</h3><table><thead><tr><th>source</th><th>destination</th><th>port</th><th>action</th><th class="num">flows</th><th class="num">records</th></tr></thead><tbody>');
      p.topFlows.forEach(function (f) {
        h.push('<tr><td>' + esc(f.src) + '</td><td>' + esc(f.dst) + '</td><td>' + (f.port === undefined ? '' : f.port + '/') + esc(f.protocol) + '</td><td>' + f.action + '</td><td class="num">' + fmt(f.flows) + '</td><td class="num">' + fmt(f.records) + '</td></tr>');
      });
      h.push('</tbody></table>');
    }
    h.push('<h3>YAML</h3><pre class="yaml" aria-label="' + esc(p.file) + ' from line ' + p.line + '">' + yamlHtml(p) + '</pre>');
    details.innerHTML = h.join('');
    details.hidden = false;
    details.dataset.id = p.id;
    details.querySelector('.close').addEventListener('click', close);
    details.querySelector('.close').focus();
  }

  function close() {
    details.hidden = true;
    if (lastOpener) lastOpener.focus();
  }

  function visibleButtons(section) {
    return Array.prototype.slice.call(section.querySelectorAll('li:not([hidden]) .policy'));
  }

  function move(btn, key) {
    var section = btn.closest('.tier');
    var list = visibleButtons(section);
    var i = list.indexOf(btn);
    var target = null;
    if (key === 'ArrowDown') target = list[i + 1];
    else if (key === 'ArrowUp') target = list[i - 1];
    else if (key === 'Home') target = list[0];
    else if (key === 'End') target = list[list.length - 1];
    else if (key === 'ArrowRight' || key === 'ArrowLeft') {
      var s = key === 'ArrowRight' ? section.nextElementSibling : section.previousElementSibling;
      while (s && visibleButtons(s).length === 0) s = key === 'ArrowRight' ? s.nextElementSibling : s.previousElementSibling;
      if (s) { var other = visibleButtons(s); target = other[Math.min(i, other.length - 1)]; }
    }
    if (!target) return false;
    btn.tabIndex = -1;
    target.tabIndex = 0;
    target.focus();
    return true;
  }

  board.addEventListener('click', function (e) {
    var btn = e.target.closest('.policy');
    if (!btn) return;
    board.querySelectorAll('.policy[tabindex="0"]').forEach(function (b) { b.tabIndex = -1; });
    btn.tabIndex = 0;
    open(byId.get(btn.dataset.id), btn);
  });
  board.addEventListener('keydown', function (e) {
    var btn = e.target.closest('.policy');
    if (btn && ['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].indexOf(e.key) >= 0 && move(btn, e.key)) e.preventDefault();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !details.hidden) { close(); e.preventDefault(); }
    else if (e.key === '/' && document.activeElement !== search) { search.focus(); e.preventDefault(); }
  });
  search.addEventListener('input', filter);
  onlyUnused.addEventListener('change', filter);

  render();
  /** The whole model, details included (for tools and tests that read the page). */
  window.boardModel = function () {
    byId.forEach(withDetails);
    return data;
  };
  requestAnimationFrame(function () {
    window.boardRenderMs = performance.now() - t0;
    document.body.dataset.rendered = 'true';
  });
})();
`;
