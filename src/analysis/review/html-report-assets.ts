/**
 * The inline style and script of the HTML access review. The script reads the report's data
 * from its `application/json` block and builds each table client-side, a page at a time, so a
 * review of thousands of principals stays usable. It only ever sets `textContent`: account data
 * never becomes markup. Kept as plain strings (no template placeholders) so no build step can
 * rewrite them.
 */

export const REPORT_STYLE = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --head: #f3f5f9; --accent: #2f5fb3; --warn: #9a5b00; --bad: #a3262e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; padding: 0 24px 48px; }
header { padding: 20px 0 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
nav a { margin-right: 14px; color: var(--accent); }
.meta { color: var(--muted); margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.counts div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; background: var(--head); }
.counts b { font-size: 18px; display: block; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 6px 0; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.filters input, .filters select { font: inherit; padding: 3px 6px; min-width: 150px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 2px solid var(--accent); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.arn { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.pager { display: flex; gap: 8px; align-items: center; margin: 6px 0 0; color: var(--muted); }
.tag { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; }
.tag.allowed { background: #e4f4e4; }
.tag.conditional { background: #fff1d6; color: var(--warn); }
.tag.security, .tag.admin { background: #fde3e5; color: var(--bad); }
.tag.warning { background: #fff1d6; color: var(--warn); }
.link { all: unset; cursor: pointer; color: var(--accent); text-decoration: underline; }
.picture { overflow: auto; border: 1px solid var(--line); border-radius: 6px; max-height: 640px; }
.empty { color: var(--muted); font-style: italic; }
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('review-data').textContent);
  var S = data.strings;
  var PAGE = 50;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function lower(v) { return String(v).toLowerCase(); }

  // A filterable, sortable, paged table. spec: {id, columns: [{label, get, cls, cell}], rows, filters: [{label, type, options, test}]}
  function Table(host, spec) {
    var state = { sort: -1, dir: 1, page: 0, order: null, values: [] };
    var filterBox = el('div', 'filters');
    var controls = spec.filters.map(function (f, i) {
      var label = el('label', null, f.label);
      var input;
      if (f.type === 'select') {
        input = el('select');
        input.appendChild(el('option', null, 'all')).value = '';
        f.options.forEach(function (o) { input.appendChild(el('option', null, o)).value = o; });
      } else {
        input = el('input');
        input.type = 'search';
        input.placeholder = 'contains…';
      }
      input.id = spec.id + '-filter-' + i;
      input.setAttribute('data-filter', f.key);
      var timer = null;
      input.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () { state.values[i] = lower(input.value); state.page = 0; refilter(); }, 120);
      });
      label.appendChild(input);
      filterBox.appendChild(label);
      state.values[i] = '';
      return input;
    });
    var table = el('table');
    var thead = table.appendChild(el('thead'));
    var headRow = thead.appendChild(el('tr'));
    var tbody = table.appendChild(el('tbody'));
    spec.columns.forEach(function (c, i) {
      var th = headRow.appendChild(el('th'));
      var b = th.appendChild(el('button', null, c.label));
      b.type = 'button';
      b.title = 'Sort by ' + c.label;
      b.addEventListener('click', function () {
        state.dir = state.sort === i ? -state.dir : 1;
        state.sort = i;
        Array.prototype.forEach.call(headRow.children, function (h, j) { h.setAttribute('aria-sort', j === i ? (state.dir > 0 ? 'ascending' : 'descending') : 'none'); });
        resort();
      });
    });
    var pager = el('div', 'pager');
    var prev = pager.appendChild(el('button', null, '‹ previous'));
    var info = pager.appendChild(el('span'));
    var next = pager.appendChild(el('button', null, 'next ›'));
    prev.type = next.type = 'button';
    prev.addEventListener('click', function () { if (state.page > 0) { state.page--; draw(); } });
    next.addEventListener('click', function () { if ((state.page + 1) * PAGE < state.order.length) { state.page++; draw(); } });
    host.appendChild(filterBox);
    host.appendChild(table);
    host.appendChild(pager);

    function refilter() {
      var rows = spec.rows;
      var active = spec.filters.map(function (f, i) { return state.values[i] ? { f: f, v: state.values[i] } : null; }).filter(Boolean);
      var order = [];
      for (var r = 0; r < rows.length; r++) {
        var ok = true;
        for (var k = 0; k < active.length && ok; k++) ok = active[k].f.test(rows[r], active[k].v);
        if (ok) order.push(r);
      }
      state.order = order;
      resort();
    }
    function resort() {
      if (state.sort >= 0) {
        var get = spec.columns[state.sort].get;
        var rows = spec.rows;
        var dir = state.dir;
        state.order.sort(function (a, b) {
          var x = get(rows[a]), y = get(rows[b]);
          return (x < y ? -1 : x > y ? 1 : a - b) * dir;
        });
      }
      draw();
    }
    function draw() {
      tbody.textContent = '';
      var start = state.page * PAGE;
      var end = Math.min(state.order.length, start + PAGE);
      for (var i = start; i < end; i++) {
        var row = spec.rows[state.order[i]];
        var tr = tbody.appendChild(el('tr'));
        spec.columns.forEach(function (c) {
          var td = tr.appendChild(el('td', c.cls));
          if (c.cell) c.cell(td, row); else td.textContent = String(c.get(row));
        });
      }
      if (state.order.length === 0) {
        var td = tbody.appendChild(el('tr')).appendChild(el('td', 'empty', 'Nothing matches.'));
        td.colSpan = spec.columns.length;
      }
      info.textContent = (state.order.length ? (start + 1) + '–' + end : '0') + ' of ' + state.order.length + ' (' + spec.rows.length + ' in all)';
      prev.disabled = state.page === 0;
      next.disabled = end >= state.order.length;
    }
    refilter();
    return {
      set: function (key, value) {
        controls.forEach(function (input, i) {
          if (input.getAttribute('data-filter') === key) { input.value = value; state.values[i] = lower(value); }
        });
        state.page = 0;
        refilter();
      }
    };
  }

  function contains(get) { return function (row, v) { return lower(get(row)).indexOf(v) >= 0; }; }
  function equals(get) { return function (row, v) { return lower(get(row)) === v; }; }
  function tag(get, cls) { return function (td, row) { var v = get(row); td.appendChild(el('span', 'tag ' + (cls ? cls(row) : v), v)); }; }
  var caps = data.capabilities;
  var kinds = ['entity', 'named', 'pattern', 'service'];

  // Access rows: [principal, resource, kind, type, service, capability, access, count, actions, via]
  var accessTable = Table(document.getElementById('rows-table'), {
    id: 'rows',
    rows: data.rows,
    columns: [
      { label: 'Principal', cls: 'arn', get: function (r) { return S[r[0]]; } },
      { label: 'Resource', cls: 'arn', get: function (r) { return r[2] === 3 ? '* (all ' + S[r[4]] + ' resources)' : S[r[1]]; } },
      { label: 'Kind', get: function (r) { return kinds[r[2]]; } },
      { label: 'Type', get: function (r) { return S[r[3]]; } },
      { label: 'Capability', get: function (r) { return caps[r[5]]; } },
      { label: 'Access', get: function (r) { return r[6] ? 'conditional' : 'allowed'; }, cell: tag(function (r) { return r[6] ? 'conditional' : 'allowed'; }) },
      { label: 'Actions', cls: 'num', get: function (r) { return r[7]; } },
      { label: 'Granting actions', cls: 'arn', get: function (r) { return S[r[8]] + (r[7] > S[r[8]].split(' ').length ? ' …' : ''); } },
      { label: 'Via', cls: 'arn', get: function (r) { return S[r[9]]; } }
    ],
    filters: [
      { label: 'Principal', key: 'principal', test: contains(function (r) { return S[r[0]]; }) },
      { label: 'Resource', key: 'resource', test: contains(function (r) { return S[r[1]] + ' ' + S[r[3]]; }) },
      { label: 'Capability', key: 'capability', type: 'select', options: caps, test: equals(function (r) { return caps[r[5]]; }) },
      { label: 'Access', key: 'access', type: 'select', options: ['allowed', 'conditional'], test: equals(function (r) { return r[6] ? 'conditional' : 'allowed'; }) },
      { label: 'Resource kind', key: 'kind', type: 'select', options: kinds, test: equals(function (r) { return kinds[r[2]]; }) },
      { label: 'Action', key: 'action', test: contains(function (r) { return S[r[8]]; }) }
    ]
  });

  // Principals: [arn, kind, name, rows, resources, capabilityCount, admin, administers, escalation]
  Table(document.getElementById('principals-table'), {
    id: 'principals',
    rows: data.principals,
    columns: [
      { label: 'Principal', get: function (p) { return p[2]; }, cell: function (td, p) {
        var b = td.appendChild(el('button', 'link', p[2]));
        b.type = 'button';
        b.title = 'Show the access of ' + S[p[0]];
        b.addEventListener('click', function () { accessTable.set('principal', S[p[0]]); document.getElementById('access').scrollIntoView(); });
      } },
      { label: 'ARN', cls: 'arn', get: function (p) { return S[p[0]]; } },
      { label: 'Kind', get: function (p) { return p[1]; } },
      { label: 'Admin', get: function (p) { return p[6] ? 'admin' : p[8] ? 'can escalate' : ''; }, cell: function (td, p) { if (p[6]) td.appendChild(el('span', 'tag admin', 'admin')); else if (p[8]) td.appendChild(el('span', 'tag warning', 'can escalate')); } },
      { label: 'Rows', cls: 'num', get: function (p) { return p[3]; } },
      { label: 'Resources', cls: 'num', get: function (p) { return p[4]; } },
      { label: 'Capabilities', cls: 'num', get: function (p) { return p[5]; } },
      { label: 'Administers (known)', cls: 'num', get: function (p) { return p[7]; } },
      { label: 'Path to admin', get: function (p) { return p[8]; } }
    ],
    filters: [
      { label: 'Principal', key: 'principal', test: contains(function (p) { return S[p[0]]; }) },
      { label: 'Kind', key: 'kind', type: 'select', options: ['user', 'role'], test: equals(function (p) { return p[1]; }) },
      { label: 'Status', key: 'status', type: 'select', options: ['admin', 'can escalate', 'other'], test: equals(function (p) { return p[6] ? 'admin' : p[8] ? 'can escalate' : 'other'; }) }
    ]
  });

  // Findings: [id, severity, subject, message, capability]
  Table(document.getElementById('findings-table'), {
    id: 'findings',
    rows: data.findings,
    columns: [
      { label: 'Id', get: function (f) { return f[0]; } },
      { label: 'Severity', get: function (f) { return f[1]; }, cell: tag(function (f) { return f[1]; }) },
      { label: 'Subject', cls: 'arn', get: function (f) { return S[f[2]]; } },
      { label: 'Finding', get: function (f) { return f[3]; } }
    ],
    filters: [
      { label: 'Id', key: 'id', type: 'select', options: data.findingIds, test: equals(function (f) { return f[0]; }) },
      { label: 'Subject', key: 'subject', test: contains(function (f) { return S[f[2]]; }) },
      { label: 'Capability', key: 'capability', type: 'select', options: caps, test: equals(function (f) { return f[4]; }) }
    ]
  });

  // Resources: [resource, kind, type, principals, nonAdmin, ...per capability]
  var resourceColumns = [
    { label: 'Resource', cls: 'arn', get: function (r) { return S[r[0]]; } },
    { label: 'Kind', get: function (r) { return r[1]; } },
    { label: 'Type', get: function (r) { return S[r[2]]; } },
    { label: 'Principals', cls: 'num', get: function (r) { return r[3]; } },
    { label: 'Non-admin', cls: 'num', get: function (r) { return r[4]; } }
  ];
  caps.forEach(function (c, i) { resourceColumns.push({ label: c, cls: 'num', get: function (r) { return r[5 + i]; } }); });
  Table(document.getElementById('resources-table'), {
    id: 'resources',
    rows: data.resources,
    columns: resourceColumns,
    filters: [
      { label: 'Resource', key: 'resource', test: contains(function (r) { return S[r[0]] + ' ' + S[r[2]]; }) },
      { label: 'Kind', key: 'kind', type: 'select', options: ['entity', 'named'], test: equals(function (r) { return r[1]; }) }
    ]
  });
})();
`;
