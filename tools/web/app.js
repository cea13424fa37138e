// gorewind serve's page: one script, no build step, d3 v3 (served at
// /d3.min.js) for the drawings. docs/serve.md is the contract of the JSON API
// it reads.
//
// Routes (the part of the address after #):
//   /                     the runs; filters scenario and outcome
//   /run/ID               a run's timeline, the cursor and the state there
//   /run/ID/waitfor       the wait-for graph at the cursor
//   /run/ID/profile       a profile at the cursor (table, flame graph, .pb.gz)
//   /diff/A/B             where runs A and B diverged
//
// The cursor. A run's views share one cursor, a seq (the state right after
// that event; 0 is before the first). It travels in the address as ?seq=S
// (#/run/3/waitfor?seq=12), so a view's address says exactly what it shows
// and can be bookmarked; the tabs carry it from view to view. Moving the
// cursor on the timeline rewrites the address with history.replaceState,
// which fires no hashchange, so the timeline is not redrawn. Without ?seq=
// a view opens at the cursor last used on that run (the variable `cursors`),
// or else at the run's last event. The profile view also keeps its kind in
// the address (?seq=S&kind=K).
//
// Every text that comes from the API is set with textContent or d3's .text(),
// never as HTML.
'use strict';

// ---------------------------------------------------------------- utilities

const $ = (sel, root = document) => root.querySelector(sel);

// el() makes an element: el('a', {href: '#/', class: 'x'}, 'text', child...).
// Attributes named on* are listeners; text children become text nodes.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// ApiError is a 4xx/5xx answer: its status and the body's "error" text.
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// api() fetches one JSON answer; a non-2xx answer throws an ApiError with
// the body's {"error": "..."} text.
async function api(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, `${path}: the server did not answer (${e.message})`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    if (response.ok) throw new ApiError(response.status, `${path}: the answer is not JSON`);
  }
  if (!response.ok) {
    const text = body && typeof body.error === 'string' ? body.error : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, text);
  }
  return body;
}

// query() is a query string from an object, leaving out empty values.
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

function showError(message) {
  const banner = $('#error');
  banner.textContent = message;
  banner.hidden = false;
}

function clearError() {
  const banner = $('#error');
  banner.textContent = '';
  banner.hidden = true;
}

// fmtDuration() is gorewind's format_duration: 0s, 15ns, 1.5us (with the micro sign), 20ms, 1m2.5s.
function fmtDuration(ns) {
  if (!ns) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  const frac = (v, prec) => {
    const scale = 10 ** prec;
    const whole = Math.floor(v / scale);
    const rest = v % scale;
    if (rest === 0) return String(whole);
    return whole + '.' + String(rest).padStart(prec, '0').replace(/0+$/, '');
  };
  let s;
  if (u < 1e3) s = u + 'ns';
  else if (u < 1e6) s = frac(u, 3) + '\u00b5s';
  else if (u < 1e9) s = frac(u, 6) + 'ms';
  else {
    const secs = Math.floor(u / 1e9);
    s = frac((secs % 60) * 1e9 + (u % 1e9), 9) + 's';
    const mins = Math.floor(secs / 60);
    if (mins > 0) {
      s = (mins % 60) + 'm' + s;
      const hours = Math.floor(mins / 60);
      if (hours > 0) s = hours + 'h' + s;
    }
  }
  return neg ? '-' + s : s;
}

function fmtBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + ' ' + units[i];
}

// fmtValue() is a sample value in its pprof unit.
function fmtValue(v, unit) {
  if (unit === 'nanoseconds') return fmtDuration(v);
  if (unit === 'bytes') return fmtBytes(v);
  return `${v}${unit && unit !== 'count' ? ' ' + unit : ''}`;
}

const gname = (gid, name) => `g${gid} ${gid === 0 ? 'runtime' : name || ''}`.trimEnd();
const failed = (outcome) => outcome !== 'ok';

// ------------------------------------------------------------ event lines

// details() is what an event carries besides its object and value, worded as
// gorewind show words it (tools/event_line.cpp).
function details(e) {
  const g = (id) => 'g' + id;
  const cause = e.cause ? ` (seq ${e.cause})` : '';
  switch (e.kind) {
    case 'spawn': return `${g(e.peer)} ${e.text}`;
    case 'switch': return e.p < 0 ? '' : `on P${e.p} M${e.m}`;
    case 'park': {
      let s = e.reason;
      if (e.ready && e.ready.length) s += ' on' + e.ready.map((r) => (r < 0 ? ' send #' + -r : ' recv #' + r)).join('');
      return s;
    }
    case 'wake': return 'by ' + (e.peer ? g(e.peer) : 'runtime') + cause;
    case 'make':
      if (e.obj_kind === 'chan') return `cap=${e.amount} ${e.type_name}`;
      if (e.obj_kind === 'timer') return 'at=' + fmtDuration(e.amount);
      return '';
    case 'send': return (e.peer ? 'to ' + g(e.peer) : '') + cause;
    case 'recv': return (e.ok ? '' : 'closed ') + (e.peer ? 'from ' + g(e.peer) : '') + cause + (e.text ? ' let in ' + e.text : '');
    case 'select': return `case ${e.select_case} ready [${(e.ready || []).join(' ')}]${cause}`;
    case 'wg_add': return `add ${e.amount} -> ${e.counter}`;
    case 'sleep': return fmtDuration(e.amount);
    case 'rlock': case 'runlock': return 'readers=' + e.counter;
    case 'once_end': return e.ok ? '' : 'panicked';
    case 'cond_wait': return cause.trim();
    case 'cond_signal': return e.peer ? 'woke ' + g(e.peer) : 'woke none';
    case 'cond_broadcast': return 'woke ' + e.counter;
    case 'timer_stop': return e.ok ? 'was pending' : 'was not pending';
    case 'timer_reset': return 'to ' + fmtDuration(e.amount) + (e.ok ? ' (was pending)' : '');
    case 'rand': return String(e.amount);
    case 'panic': case 'check_failed': case 'cancel': case 'watch': case 'recover': case 'trace': case 'race': case 'crash':
      return JSON.stringify(e.text);
    default: return '';
  }
}

// eventLine() is one event as one line, as gorewind show prints it; cols
// ({seq, who}), when given, are the widths its first columns are padded to,
// so that a list of lines aligns (see columnsOf).
function eventLine(e, cols = null) {
  const parts = cols
    ? [String(e.seq).padStart(cols.seq), fmtDuration(e.vtime_ns).padEnd(6), gname(e.gid, e.goroutine).padEnd(cols.who), e.kind.padEnd(13)]
    : [String(e.seq), fmtDuration(e.vtime_ns), gname(e.gid, e.goroutine), e.kind];
  if (e.obj) parts.push(`${e.obj_kind} ${e.object || '#' + e.obj}`);
  if (e.value !== null && e.value !== undefined) parts.push(e.value);
  const d = details(e);
  if (d) parts.push(d);
  if (e.site && e.site.file) parts.push(`at ${e.site.file}:${e.site.line}`);
  return parts.join('  ').replace(/\s+$/, '');
}

// columnsOf() is the column widths that align the lines of events.
function columnsOf(events) {
  let seq = 0, who = 0;
  for (const e of events) {
    seq = Math.max(seq, String(e.seq).length);
    who = Math.max(who, gname(e.gid, e.goroutine).length);
  }
  return { seq, who };
}

// The colour of an event kind: one hue per family (scheduling, blocking,
// channels, locks, time, failures), so that a lane reads at a glance.
const KIND_COLOURS = {
  spawn: '#4e79a7', switch: '#c3c7cc', yield: '#a5abb3', preempt: '#7f8790', exit: '#2f4b7c',
  park: '#e15759', wake: '#59a14f',
  make: '#edc948', send: '#f28e2b', recv: '#76b7b2', close: '#b07aa1', select: '#ff9da7',
  lock: '#9c755f', unlock: '#d4b9a3', rlock: '#8c6d31', runlock: '#e7cb94',
  wg_add: '#8cd17d', wg_wait: '#499894',
  once_begin: '#86bcb6', once_end: '#86bcb6',
  cond_wait: '#d37295', cond_signal: '#fabfd2', cond_broadcast: '#fabfd2',
  sleep: '#79706e', timer_fire: '#bab0ac', timer_stop: '#bab0ac', timer_reset: '#bab0ac',
  cancel: '#9467bd', rand: '#17becf', load: '#aec7e8', store: '#1f77b4',
  watch: '#bcbd22', recover: '#ff7f0e', trace: '#7f7f7f',
  panic: '#b3001b', check_failed: '#b3001b', race: '#b3001b', crash: '#b3001b',
};
const kindColour = (kind) => KIND_COLOURS[kind] || '#999';

// ------------------------------------------------------------------- state

// runs[id] caches a run's summary, goroutines and loaded events, so that
// switching between its views does not load them again.
const runCache = new Map();
// cursors[id] is the last cursor used on run id (see the top of the file).
const cursors = new Map();
// view is what the current route left to tidy or to handle keys with.
let view = { keydown: null, cleanup: null };
// renderToken grows at each route: an answer that arrives for an older
// route is dropped.
let renderToken = 0;

async function loadRun(id) {
  if (!runCache.has(id)) {
    const body = await api(`/api/runs/${id}`);
    runCache.set(id, { run: body.run, goroutines: body.goroutines || [], events: null });
  }
  return runCache.get(id);
}

// The timeline loads at most this many events; a longer run shows a window
// of them around the cursor.
const EVENT_WINDOW = 50000;

// loadEvents() loads events [from, to] of a run page by page (the API gives
// at most 5000 per answer and says `more` while the range goes on).
async function loadEvents(id, from, to, progress) {
  const events = [];
  let next = from;
  for (;;) {
    const page = await api(`/api/runs/${id}/events${query({ from: next, to })}`);
    events.push(...page.events);
    if (progress) progress(events.length);
    if (!page.more || page.events.length === 0) break;
    next = page.events[page.events.length - 1].seq + 1;
  }
  return events;
}

// ----------------------------------------------------------------- routing

function parseRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  const params = new URLSearchParams(at < 0 ? '' : raw.slice(at + 1));
  return { parts: path.split('/').filter(Boolean), params };
}

const isId = (s) => /^[0-9]+$/.test(s);

function setCrumbs(...items) {
  const nav = $('#crumbs');
  nav.replaceChildren();
  items.forEach((item, i) => {
    if (i) nav.append(el('span', { class: 'sep' }, '/'));
    nav.append(item.href ? el('a', { href: item.href }, item.text) : el('span', {}, item.text));
  });
}

async function route() {
  const token = ++renderToken;
  if (view.cleanup) view.cleanup();
  view = { keydown: null, cleanup: null };
  clearError();
  $('#tooltip').hidden = true;
  const main = $('#view');
  main.replaceChildren();
  const { parts, params } = parseRoute();
  const live = () => token === renderToken;
  try {
    if (parts.length === 0) return await runsView(main, live);
    if (parts[0] === 'run' && parts.length >= 2 && !isId(parts[1])) throw new ApiError(404, `no run '${parts[1]}'`);
    if (parts[0] === 'run' && parts.length === 2) return await runView(main, live, Number(parts[1]), params);
    if (parts[0] === 'run' && parts.length === 3 && parts[2] === 'waitfor') return await waitforView(main, live, Number(parts[1]), params);
    if (parts[0] === 'run' && parts.length === 3 && parts[2] === 'profile') return await profileView(main, live, Number(parts[1]), params);
    if (parts[0] === 'diff' && parts.length === 3 && isId(parts[1]) && isId(parts[2])) {
      return await diffView(main, live, Number(parts[1]), Number(parts[2]));
    }
    throw new ApiError(404, `no page at #${location.hash.slice(1)}`);
  } catch (e) {
    if (!live()) return;
    showError(e.message);
    if (!(e instanceof ApiError)) console.error(e);
  }
}

// cursorFor() is the seq a run's view opens at: ?seq=, else the run's last
// cursor, else its last event. A ?seq= that is not one of the run's is left
// to the server to judge, so that the banner says what the API says.
async function cursorFor(run, params) {
  const asked = params.get('seq');
  if (asked === null) return cursors.has(run.id) ? cursors.get(run.id) : run.events;
  if (/^[0-9]+$/.test(asked) && Number(asked) <= run.events) return Number(asked);
  const state = await api(`/api/runs/${run.id}/state?seq=${encodeURIComponent(asked)}`);
  return state.seq;
}

// runHeader() is a run's summary and the tabs of its views, each carrying
// the cursor.
function runHeader(run, active, seq) {
  const outcome = el('span', { class: 'outcome ' + (failed(run.outcome) ? 'bad' : 'ok') }, run.outcome);
  const meta = [`seed ${run.seed}`, run.strategy, `${run.events} events`,
    run.procs > 0 ? `GOMAXPROCS=${run.procs}` : 'gorewind model', run.state].join(' \u00b7 ');
  const head = el('div', { class: 'run-head' },
    el('h2', {}, `run ${run.id}: `, el('span', { class: 'mono' }, run.scenario), ' ', outcome),
    el('div', { class: 'meta' }, meta),
    run.message ? el('div', { class: 'message' }, run.message) : null);
  const tabs = el('nav', { class: 'tabs' });
  for (const [name, suffix] of [['timeline', ''], ['wait-for', '/waitfor'], ['profile', '/profile']]) {
    tabs.append(el('a', { href: `#/run/${run.id}${suffix}?seq=${seq}`, class: name === active ? 'active' : null, 'data-tab': name }, name));
  }
  setCrumbs({ text: 'runs', href: '#/' }, { text: `run ${run.id}`, href: `#/run/${run.id}?seq=${seq}` }, { text: active });
  return el('div', {}, head, tabs);
}

// retab() points a run's tabs (and the address) at a new cursor.
function retab(runId, seq, suffix) {
  for (const a of document.querySelectorAll('.tabs a')) a.href = a.getAttribute('href').replace(/\?seq=\d+/, `?seq=${seq}`);
  for (const a of document.querySelectorAll('#crumbs a')) {
    if (a.getAttribute('href').startsWith(`#/run/${runId}?`)) a.href = `#/run/${runId}?seq=${seq}`;
  }
  history.replaceState(null, '', `#/run/${runId}${suffix}?seq=${seq}`);
}

// ------------------------------------------------------------------- runs

// The runs view's filters survive a visit to a run.
const runFilters = { scenario: '', outcome: '' };

async function runsView(main, live) {
  setCrumbs({ text: 'runs' });
  const all = (await api('/api/runs')).runs;
  if (!live()) return;
  const options = (values) => ['all', ...[...new Set(values)].sort()];
  const select = (id, name, values) => {
    const s = el('select', { id, name });
    for (const v of options(values)) s.append(el('option', { value: v === 'all' ? '' : v }, v));
    s.value = runFilters[name];
    if (s.value !== runFilters[name]) runFilters[name] = s.value = '';
    s.addEventListener('change', () => { runFilters[name] = s.value; refresh(); });
    return s;
  };
  const scenario = select('filter-scenario', 'scenario', all.map((r) => r.scenario));
  const outcome = select('filter-outcome', 'outcome', all.map((r) => r.outcome));

  const columns = ['id', 'scenario', 'seed', 'strategy', 'outcome', 'events', 'state'];
  const numeric = new Set(['id', 'seed', 'events']);
  const tbody = el('tbody');
  const table = el('table', { id: 'runs', class: 'data' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: numeric.has(c) ? 'num' : null }, c)))), tbody);
  const count = el('span', { class: 'muted' });

  const diffA = el('input', { id: 'diff-a', class: 'run-id', inputmode: 'numeric', placeholder: 'run A' });
  const diffB = el('input', { id: 'diff-b', class: 'run-id', inputmode: 'numeric', placeholder: 'run B' });
  const go = () => {
    const a = diffA.value.trim(), b = diffB.value.trim();
    if (!isId(a) || !isId(b)) return showError('compare: give two run ids');
    location.hash = `#/diff/${a}/${b}`;
  };
  const diffGo = el('button', { id: 'diff-go', type: 'button', onclick: go }, 'compare');
  for (const input of [diffA, diffB]) input.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });

  main.append(
    el('div', { class: 'toolbar' },
      el('div', { class: 'group' }, el('label', { for: 'filter-scenario' }, 'scenario'), scenario),
      el('div', { class: 'group' }, el('label', { for: 'filter-outcome' }, 'outcome'), outcome),
      count,
      el('div', { class: 'group', style: 'margin-left:auto' }, el('label', {}, 'compare runs'), diffA, diffB, diffGo)),
    table);

  const fill = (runs) => {
    tbody.replaceChildren();
    for (const r of runs) {
      const tr = el('tr', { 'data-run': r.id, title: r.message || null, onclick: () => { location.hash = `#/run/${r.id}`; } });
      for (const c of columns) {
        const td = el('td', { class: numeric.has(c) ? 'num' : null }, String(r[c]));
        if (c === 'outcome') td.className = 'outcome ' + (failed(r.outcome) ? 'bad' : 'ok');
        tr.append(td);
      }
      tbody.append(tr);
    }
    if (runs.length === 0) tbody.append(el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, 'no run')));
    count.textContent = `${runs.length} of ${all.length} runs`;
    table.dataset.loaded = query(runFilters) || 'all';
  };
  // refresh() asks the server again with the filters (the contract's
  // /api/runs?scenario=&outcome=), the latest answer winning.
  let asked = 0;
  async function refresh() {
    const mine = ++asked;
    try {
      const body = await api('/api/runs' + query(runFilters));
      if (mine === asked && live()) fill(body.runs);
    } catch (e) {
      if (live()) showError(e.message);
    }
  }
  if (runFilters.scenario || runFilters.outcome) await refresh();
  else fill(all);
}

// ------------------------------------------------------------ run timeline

async function runView(main, live, id, params) {
  const cached = await loadRun(id);
  if (!live()) return;
  const { run, goroutines } = cached;
  let seq = await cursorFor(run, params);
  if (!live()) return;

  main.append(runHeader(run, 'timeline', seq));

  // The cursor bar: back, step, the seq, a range over the whole run.
  const seqText = el('span', { id: 'seq' }, String(seq));
  const range = el('input', { id: 'seq-range', type: 'range', min: 0, max: run.events, step: 1, value: seq, 'aria-label': 'cursor' });
  const back = el('button', { id: 'back', type: 'button', title: 'back one event (left arrow)' }, '\u25c0 back');
  const step = el('button', { id: 'step', type: 'button', title: 'step one event (right arrow)' }, 'step \u25b6');
  const atCursor = el('div', { id: 'event-at-cursor' });
  const stateText = el('pre', { id: 'state-text', class: 'box' });
  const status = el('span', { class: 'muted' }, 'loading events\u2026');
  const timelineBox = el('div', { class: 'timeline-box' });
  const legend = el('div', { class: 'legend' });

  main.append(
    el('div', { class: 'toolbar cursor-bar' },
      el('div', { class: 'group' }, back, step),
      el('div', { class: 'group' }, el('label', {}, 'seq'), seqText, el('span', { class: 'muted' }, `of ${run.events}`)),
      range, status),
    timelineBox, legend,
    el('h3', {}, 'event at the cursor'), atCursor,
    el('h3', {}, 'state at the cursor'), stateText);

  // Which events the timeline holds: all of them, or for a long run a
  // window around the cursor.
  let timeline = null;
  let loading = null;
  const windowFor = (s) => {
    if (run.events <= EVENT_WINDOW) return { from: 1, to: run.events };
    const from = Math.max(1, Math.min(s - EVENT_WINDOW / 2, run.events - EVENT_WINDOW + 1));
    return { from, to: from + EVENT_WINDOW - 1 };
  };
  // holds() says whether the loaded events show the cursor at s.
  const holds = (have, s) => have && s >= have.from - 1 && s <= have.to;
  async function ensureTimeline(s) {
    const w = windowFor(s);
    if (!holds(cached.events, s)) {
      if (loading && loading.from === w.from) return loading.promise;
      const promise = (async () => {
        const total = w.to - w.from + 1;
        const events = run.events === 0 ? [] : await loadEvents(id, w.from, w.to, (n) => {
          if (live()) status.textContent = `loading events ${n}/${total}\u2026`;
        });
        cached.events = { from: w.from, to: w.to, list: events };
      })();
      loading = { from: w.from, promise };
      await promise;
      loading = null;
      if (!live()) return;
    }
    if (!timeline || timeline.events !== cached.events) {
      timelineBox.replaceChildren();
      timeline = drawTimeline(timelineBox, run, goroutines, cached.events, (s2) => move(s2));
      drawLegend(legend, cached.events.list);
      timeline.events = cached.events;
    }
    status.textContent = run.events > EVENT_WINDOW
      ? `showing events ${cached.events.from}..${cached.events.to} of ${run.events}` : '';
  }

  // The state at the cursor: only the answer to the latest move is shown.
  let stateAsked = 0;
  async function showState(s) {
    const mine = ++stateAsked;
    stateText.classList.add('stale');
    try {
      const state = await api(`/api/runs/${id}/state?seq=${s}`);
      if (mine !== stateAsked || !live()) return;
      stateText.textContent = state.text;
      stateText.dataset.seq = String(s);
      stateText.classList.remove('stale');
    } catch (e) {
      if (mine === stateAsked && live()) showError(e.message);
    }
  }

  async function showEventAt(s) {
    if (s === 0) {
      atCursor.textContent = 'seq 0: before the first event';
      atCursor.dataset.seq = '0';
      return;
    }
    const have = cached.events;
    let e = have && s >= have.from && s <= have.to ? have.list[s - have.from] : null;
    if (!e) {
      try {
        e = (await api(`/api/runs/${id}/events?from=${s}&to=${s}`)).events[0];
      } catch (err) {
        if (live()) showError(err.message);
        return;
      }
      if (!live() || seq !== s) return;
    }
    atCursor.textContent = eventLine(e);
    atCursor.dataset.seq = String(s);
  }

  // move() puts the cursor at s (clamped to 0..events) and shows what is there.
  function move(s) {
    s = Math.max(0, Math.min(run.events, Math.round(s)));
    seq = s;
    cursors.set(id, s);
    seqText.textContent = String(s);
    range.value = String(s);
    back.disabled = s === 0;
    step.disabled = s === run.events;
    retab(id, s, '');
    showState(s);
    showEventAt(s);
    if (timeline) {
      if (holds(cached.events, s)) timeline.setCursor(s);
      else ensureTimeline(s).then(() => { if (live() && timeline) timeline.setCursor(seq, true); });
    }
  }

  back.addEventListener('click', () => move(seq - 1));
  step.addEventListener('click', () => move(seq + 1));
  range.addEventListener('input', () => move(Number(range.value)));
  view.keydown = (e) => {
    if (e.key === 'ArrowLeft') { move(seq - 1); return true; }
    if (e.key === 'ArrowRight') { move(seq + 1); return true; }
    return false;
  };

  move(seq);
  await ensureTimeline(seq);
  if (live() && timeline) timeline.setCursor(seq, true);

  // A new width redraws the timeline at the same cursor.
  let resizeTimer = 0;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (!live() || !cached.events) return;
      timelineBox.replaceChildren();
      timeline = drawTimeline(timelineBox, run, goroutines, cached.events, (s2) => move(s2));
      timeline.events = cached.events;
      timeline.setCursor(seq, true);
    }, 200);
  };
  window.addEventListener('resize', onResize);
  view.cleanup = () => window.removeEventListener('resize', onResize);
}

function drawLegend(box, events) {
  const kinds = [...new Set(events.map((e) => e.kind))].sort();
  box.replaceChildren(...kinds.map((k) =>
    el('span', {}, el('span', { class: 'swatch', style: `background:${kindColour(k)}` }), k)));
}

// drawTimeline() draws the lanes and the events of `loaded` ({from, to,
// list}) into box; onPick(seq) is called when an event is clicked. It
// returns {setCursor(seq, centre)}.
//
// x is an event's seq, not its virtual time: events are in seq order and
// many share a time, so seq spaces them exactly. Event S takes the slot
// [S-0.5, S+0.5]; the cursor at S (the state after event S) is the line at
// S+0.5, the boundary between S and S+1.
function drawTimeline(box, run, goroutines, loaded, onPick) {
  const events = loaded.list;
  const laneH = 18;
  const labelW = 170;
  const axisH = 22;
  const width = Math.max(400, box.clientWidth || 900);
  const plotW = width - labelW - 10;

  // Lanes: the goroutines in order of creation (and the runtime's g0 when it
  // has events), then on Go's scheduler one per P.
  const lanes = [];
  const laneOf = new Map();
  if (events.some((e) => e.gid === 0)) lanes.push({ key: 'g0', gid: 0, label: 'g0 runtime' });
  const known = new Set();
  for (const g of goroutines) { lanes.push({ key: 'g' + g.id, gid: g.id, label: gname(g.id, g.name) }); known.add(g.id); }
  for (const e of events) {
    if (e.gid !== 0 && !known.has(e.gid)) {
      known.add(e.gid);
      lanes.push({ key: 'g' + e.gid, gid: e.gid, label: gname(e.gid, e.goroutine) });
    }
  }
  const procLanes = run.procs > 1;
  const goroutineLanes = lanes.length;
  if (procLanes) for (let p = 0; p < run.procs; p++) lanes.push({ key: 'P' + p, p, label: 'P' + p });
  lanes.forEach((l, i) => { l.y = axisH + i * laneH; laneOf.set(l.key, l); });
  const height = axisH + lanes.length * laneH + 6;

  // One mark per event in its goroutine's lane, and a second in its P's.
  const marks = [];
  for (const e of events) {
    marks.push({ e, y: laneOf.get('g' + e.gid).y });
    if (procLanes && e.p >= 0 && laneOf.has('P' + e.p)) marks.push({ e, y: laneOf.get('P' + e.p).y, proc: true });
  }

  const x = d3.scale.linear().domain([loaded.from - 0.5, Math.max(loaded.to, loaded.from) + 0.5]).range([0, plotW]);
  const x0 = x.copy(); // the unzoomed scale, for panning to the cursor

  const svg = d3.select(box).append('svg').attr('id', 'timeline').attr('width', width).attr('height', height);
  const clipId = 'timeline-clip';
  svg.append('defs').append('clipPath').attr('id', clipId)
    .append('rect').attr('x', 0).attr('y', 0).attr('width', plotW).attr('height', height);

  // The lanes' stripes and labels, left of the plot (not zoomed).
  const laneG = svg.append('g').attr('class', 'lanes');
  const laneSel = laneG.selectAll('g.lane').data(lanes).enter().append('g')
    .attr('class', 'lane')
    .attr('data-gid', (l) => (l.gid === undefined ? null : l.gid))
    .attr('data-p', (l) => (l.p === undefined ? null : l.p))
    .attr('transform', (l) => `translate(0,${l.y})`);
  laneSel.append('rect').attr('class', (l, i) => 'lane-bg ' + (i % 2 ? 'odd' : 'even'))
    .attr('width', width).attr('height', laneH);
  laneSel.append('text').attr('class', (l) => 'lane-label' + (l.p !== undefined ? ' proc' : ''))
    .attr('x', 8).attr('y', laneH / 2).attr('dy', '0.35em')
    .text((l) => (l.label.length > 22 ? l.label.slice(0, 21) + '\u2026' : l.label))
    .append('title').text((l) => l.label);
  if (procLanes) {
    const y = axisH + goroutineLanes * laneH;
    svg.append('line').attr('class', 'lane-sep').attr('x1', 0).attr('x2', width).attr('y1', y).attr('y2', y);
  }

  const plot = svg.append('g').attr('class', 'plot').attr('transform', `translate(${labelW},0)`);
  const axis = d3.svg.axis().scale(x).orient('top').ticks(Math.max(2, Math.floor(plotW / 80)))
    .tickFormat((d) => (Number.isInteger(d) ? String(d) : ''));
  const axisG = plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${axisH - 2})`);
  const body = plot.append('g').attr('clip-path', `url(#${clipId})`);
  body.append('rect').attr('class', 'plot-bg').attr('width', plotW).attr('height', height);

  // Only the marks in view are in the page, and at most one per lane and
  // pixel column: a long run zoomed out would otherwise be tens of thousands
  // of elements, slow to draw and to move. A column's mark stands for the
  // events under it (the cursor's first, then a failure, then the first);
  // zooming in shows each. While a zoom or pan goes on, the marks follow by
  // their group's transform alone, and are laid out again once it pauses.
  const tooltip = document.getElementById('tooltip');
  const marksG = body.append('g').attr('class', 'marks');
  const cursor = body.append('line').attr('id', 'cursor-line').attr('y1', 0).attr('y2', height);
  let cursorSeq = loaded.to;
  const FAILURES = new Set(['panic', 'check_failed', 'race', 'crash']);
  const rank = (m) => (m.e.seq === cursorSeq ? 2 : FAILURES.has(m.e.kind) ? 1 : 0);
  const keyOf = (m) => (m.proc ? 'p' : 'g') + m.e.seq;

  // inView() is the marks to draw on x, each with `more`: how many other
  // events its column holds.
  function inView() {
    const [d0, d1] = x.domain();
    const slot = x(1) - x(0);
    const shown = [];
    const column = new Map(); // a lane's y -> [its last column, the index in shown]
    // marks are in seq order: find the first in view by bisection.
    let i = d3.bisector((m) => m.e.seq).left(marks, Math.floor(d0));
    for (; i < marks.length && marks[i].e.seq <= d1 + 1; i++) {
      const m = marks[i];
      if (slot >= 1) { m.more = 0; shown.push(m); continue; }
      const px = Math.floor(x(m.e.seq));
      const last = column.get(m.y);
      if (!last || last[0] !== px) {
        m.more = 0;
        column.set(m.y, [px, shown.length]);
        shown.push(m);
      } else {
        const held = shown[last[1]];
        if (rank(m) > rank(held)) { m.more = held.more + 1; shown[last[1]] = m; } else held.more++;
      }
    }
    return shown;
  }

  // position() lays the marks in view out on the current x: each its slot,
  // less a gap when slots are wide, and at least a pixel wide.
  let laidOut = null; // the x the marks were last laid out on
  let settle = 0;
  function position() {
    clearTimeout(settle);
    const slot = x(1) - x(0);
    const w = Math.max(1, slot > 4 ? slot - 1.5 : slot);
    const rects = marksG.selectAll('rect.event').data(inView(), keyOf);
    rects.exit().remove();
    rects.enter().append('rect')
      .attr('class', (m) => 'event' + (m.proc ? ' proc' : ''))
      .attr('data-seq', (m) => m.e.seq)
      .attr('y', (m) => m.y + 3)
      .attr('height', laneH - 6)
      .attr('fill', (m) => kindColour(m.e.kind));
    rects.attr('x', (m) => x(m.e.seq - 0.5) + (slot > 4 ? 0.75 : 0)).attr('width', w)
      .classed('current', (m) => m.e.seq === cursorSeq);
    marksG.attr('transform', null);
    laidOut = x.copy();
    placeCursor();
  }
  // glide() follows x with the marks' transform alone: x is laidOut
  // stretched by a and shifted by b.
  function glide() {
    const a = (x(1) - x(0)) / (laidOut(1) - laidOut(0));
    const b = x(0) - a * laidOut(0);
    marksG.attr('transform', `translate(${b},0) scale(${a},1)`);
    placeCursor();
    clearTimeout(settle);
    settle = setTimeout(position, 120);
  }
  function placeCursor() {
    const cx = x(cursorSeq + 0.5);
    cursor.attr('x1', cx).attr('x2', cx);
    axisG.call(axis);
  }

  // One set of listeners for all the marks, on their group.
  const markAt = () => {
    const t = d3.event.target;
    return t.classList && t.classList.contains('event') ? d3.select(t).datum() : null;
  };
  marksG
    .on('click', () => {
      const m = markAt();
      if (m && !d3.event.defaultPrevented) onPick(m.e.seq); // defaultPrevented: the end of a drag
    })
    .on('mouseover', () => {
      const m = markAt();
      if (!m) return;
      tooltip.textContent = eventLine(m.e) + (m.more ? `\n(and ${m.more} more events here: zoom in)` : '');
      tooltip.hidden = false;
    })
    .on('mousemove', () => {
      tooltip.style.left = Math.min(d3.event.clientX + 12, window.innerWidth - tooltip.offsetWidth - 4) + 'px';
      tooltip.style.top = d3.event.clientY + 14 + 'px';
    })
    .on('mouseout', () => { tooltip.hidden = true; });

  // Wheel zoom and drag pan, on x only; never past the ends of the events.
  const span = loaded.to - loaded.from + 1;
  const zoom = d3.behavior.zoom().x(x).scaleExtent([1, Math.max(1, span / 8)]).on('zoom', () => {
    tooltip.hidden = true;
    clampPan();
    glide();
  });
  function clampPan() {
    const t = zoom.translate();
    const s = zoom.scale();
    zoom.translate([Math.min(0, Math.max(plotW * (1 - s), t[0])), 0]);
  }
  body.call(zoom).on('dblclick.zoom', null);
  position();

  return {
    // setCursor() moves the cursor to seq and, when it left the view (or
    // centre is asked), pans to it.
    setCursor(seq, centre = false) {
      cursorSeq = seq;
      const cx = x(seq + 0.5);
      if (centre || cx < 0 || cx > plotW) {
        const s = zoom.scale();
        zoom.translate([plotW / 2 - s * x0(seq + 0.5), 0]);
        clampPan();
      }
      position();
    },
  };
}

// ------------------------------------------------------------- wait-for

async function waitforView(main, live, id, params) {
  const { run } = await loadRun(id);
  if (!live()) return;
  const seq = await cursorFor(run, params);
  if (!live()) return;
  cursors.set(id, seq);
  main.append(runHeader(run, 'wait-for', seq));
  main.append(seqPicker(run, seq, (s2) => `#/run/${id}/waitfor?seq=${s2}`));

  const body = await api(`/api/runs/${id}/waitfor?seq=${seq}`);
  if (!live()) return;
  const graph = body.graph || [];

  const graphBox = el('div', { class: 'graph-box' });
  // The panel's column is kept while it is closed (a hint stands there), so
  // that the graph's width does not change under it when it opens.
  const panel = el('aside', { id: 'goroutine-panel', hidden: true });
  const hint = el('aside', { class: 'panel-hint muted' }, 'click a goroutine to see its status, site, stack and source');
  main.append(el('div', { class: 'split' }, el('div', { class: 'grow' }, graphBox), panel, hint));
  main.append(el('h3', {}, 'as text'), el('pre', { id: 'waitfor-text', class: 'box' }, body.text));

  if (graph.length === 0) {
    d3.select(graphBox).append('svg').attr('id', 'waitfor').style('height', '0');
    graphBox.append(el('p', { id: 'waitfor-empty', class: 'empty-graph' }, `no goroutine is blocked at seq ${seq}`));
    return;
  }

  // The state at the cursor, asked for once, for the goroutines the graph
  // names without a site or status (the wakers that are not blocked).
  let statePromise = null;
  const state = () => (statePromise ||= api(`/api/runs/${id}/state?seq=${seq}`));
  // Every goroutine's native stack at the cursor, asked for once too, at
  // the first click: the server re-executes the run for them.
  let stacksPromise = null;
  const stacks = () => (stacksPromise ||= api(`/api/runs/${id}/stacks?seq=${seq}`));

  drawWaitFor(graphBox, graph, (node) => openGoroutine(panel, run, seq, node, { state, stacks }, live));
  graphBox.append(el('div', { class: 'legend graph-legend' },
    el('span', {}, el('span', { class: 'swatch blocked' }), 'blocked goroutine'),
    el('span', {}, el('span', { class: 'swatch free' }), 'goroutine that could wake one'),
    el('span', {}, el('span', { class: 'swatch object' }), 'object waited on'),
    el('span', {}, el('span', { class: 'swatch orphan' }), 'object nobody can wake its waiters from'),
    el('span', {}, 'red edge: waits on; grey edge: who could wake it, by role; thick: a cycle'),
    el('span', {}, 'click a goroutine for its stack and source')));
}

// seqPicker() is a small "at seq S" control for the views that show one
// seq; address(S) is where a new seq goes.
function seqPicker(run, seq, address) {
  const input = el('input', { id: 'view-seq', type: 'number', min: 0, max: run.events, value: seq });
  input.addEventListener('change', () => { location.hash = address(input.value.trim()); });
  return el('div', { class: 'toolbar' },
    el('div', { class: 'group' }, el('label', { for: 'view-seq' }, 'at seq'), input,
      el('span', { class: 'muted' }, `of ${run.events} (the state right after that event)`)));
}

// The short names drawn inside object nodes (the full kind is in the title).
const OBJECT_GLYPHS = { chan: 'ch', mutex: 'mu', rwmutex: 'rw', waitgroup: 'wg', timer: 't', cond: 'cv', once: '1x', context: 'cx', shared: 'sh' };

// drawWaitFor() lays the graph out with d3's force layout, run a fixed
// number of ticks before anything is drawn so that the drawing is still.
function drawWaitFor(box, graph, onGoroutine) {
  const nodes = [];
  const byKey = new Map();
  const node = (key, make) => {
    if (!byKey.has(key)) { const n = make(); n.key = key; byKey.set(key, n); nodes.push(n); }
    return byKey.get(key);
  };
  const goroutine = (id, name) => node('g' + id, () => ({ type: 'goroutine', gid: id, name, entry: null }));
  const links = [];
  for (const g of graph) {
    const gn = goroutine(g.id, g.name);
    gn.entry = g;
    for (const o of g.waits_on || []) {
      const on = node(`${o.kind}:${o.id}`, () => ({ type: 'object', kind: o.kind, id: o.id, name: o.name || `#${o.id}`, wakers: 0 }));
      on.wakers += (o.wakers || []).length;
      links.push({ source: gn, target: on, label: o.send ? 'sends on' : 'waits on', waits: true });
      for (const w of o.wakers || []) links.push({ source: on, target: goroutine(w.id, w.name), label: w.role });
    }
  }
  markCycles(nodes, links);

  const width = Math.max(400, box.clientWidth || 800);
  const height = 460;
  // The nodes start on a circle rather than at d3's random places, so that
  // the same graph is always drawn the same; a fixed number of ticks then
  // settles it before anything is drawn.
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / nodes.length;
    n.x = width / 2 + 150 * Math.cos(a);
    n.y = height / 2 + 150 * Math.sin(a);
  });
  const layout = d3.layout.force().nodes(nodes).links(links).size([width, height])
    .linkDistance((l) => (l.waits ? 90 : 120)).charge(-1200).gravity(0.06);
  layout.start();
  for (let i = 0; i < 300; i++) layout.tick();
  layout.stop();

  // Fit the drawing: the view box is the layout's bounds, padded for the
  // labels, and never smaller than the box, so that a small graph is drawn
  // at its size rather than blown up.
  const xs = nodes.map((n) => n.x), ys = nodes.map((n) => n.y);
  const pad = 80;
  const [x0, x1, y0, y1] = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad / 2, Math.max(...ys) + pad];
  const vw = Math.max(x1 - x0, width / 1.4), vh = Math.max(y1 - y0, height / 1.4);
  const vb = [(x0 + x1 - vw) / 2, (y0 + y1 - vh) / 2, vw, vh];
  const svg = d3.select(box).append('svg').attr('id', 'waitfor')
    .attr('viewBox', vb.join(' ')).attr('preserveAspectRatio', 'xMidYMid meet');

  const defs = svg.append('defs');
  for (const id of ['arrow', 'arrow-waits']) {
    defs.append('marker').attr('id', id).attr('viewBox', '0 -5 10 10').attr('refX', 10).attr('refY', 0)
      .attr('markerWidth', 7).attr('markerHeight', 7).attr('orient', 'auto')
      .append('path').attr('d', 'M0,-5L10,0L0,5');
  }

  const radius = (n) => (n.type === 'goroutine' ? 16 : 13);
  // An edge stops at its target's rim, so that the arrow shows.
  const ends = (l) => {
    const dx = l.target.x - l.source.x, dy = l.target.y - l.source.y;
    const d = Math.hypot(dx, dy) || 1;
    return [l.source.x + (dx / d) * radius(l.source), l.source.y + (dy / d) * radius(l.source),
      l.target.x - (dx / d) * (radius(l.target) + 2), l.target.y - (dy / d) * (radius(l.target) + 2)];
  };
  const link = svg.append('g').selectAll('g.edge').data(links).enter().append('g').attr('class', 'edge');
  link.append('path')
    .attr('class', (l) => 'link' + (l.waits ? ' waits' : '') + (l.cycle ? ' cycle' : ''))
    .attr('marker-end', (l) => `url(#${l.waits ? 'arrow-waits' : 'arrow'})`)
    .attr('d', (l) => { const [a, b, c, d] = ends(l); return `M${a},${b}L${c},${d}`; });
  link.append('text').attr('class', 'link-label').attr('text-anchor', 'middle')
    .attr('x', (l) => (l.source.x + l.target.x) / 2).attr('y', (l) => (l.source.y + l.target.y) / 2 - 4)
    .text((l) => l.label);

  const g = svg.append('g').selectAll('g.node').data(nodes).enter().append('g')
    .attr('class', (n) => `node ${n.type}` + (n.type === 'goroutine' && n.entry ? ' blocked' : ''))
    .attr('data-gid', (n) => (n.type === 'goroutine' ? n.gid : null))
    .attr('data-object', (n) => (n.type === 'object' ? `${n.kind}:${n.id}` : null))
    .attr('transform', (n) => `translate(${n.x},${n.y})`);
  g.filter((n) => n.type === 'goroutine').append('circle').attr('r', 16);
  // An object nobody can wake its waiters from is the leak's end: dashed.
  g.filter((n) => n.type === 'object').classed('orphan', (n) => n.wakers === 0).append('rect').attr('x', -13).attr('y', -13).attr('width', 26).attr('height', 26).attr('rx', 3);
  g.append('text').attr('text-anchor', 'middle').attr('y', (n) => radius(n) + 14)
    .text((n) => (n.type === 'goroutine' ? gname(n.gid, n.name) : n.name));
  g.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em').attr('class', 'glyph')
    .text((n) => (n.type === 'goroutine' ? 'g' + n.gid : OBJECT_GLYPHS[n.kind] || n.kind.slice(0, 2)));
  g.append('title').text((n) => (n.type === 'goroutine'
    ? `goroutine ${n.gid} ${n.name}` + (n.entry ? `\n${n.entry.state}\n${n.entry.site || ''}` : '\nnot blocked')
    : `${n.kind} ${n.name}` + (n.wakers === 0 ? '\nnobody can wake its waiters' : '')));
  g.filter((n) => n.type === 'goroutine').on('click', function (n) {
    svg.selectAll('.node.goroutine').classed('selected', false);
    d3.select(this).classed('selected', true);
    onGoroutine(n);
  });
}

// markCycles() marks the edges of every cycle of goroutines through objects
// (Tarjan's strongly connected components), a deadlock's shape.
function markCycles(nodes, links) {
  const out = new Map(nodes.map((n) => [n, []]));
  for (const l of links) out.get(l.source).push(l.target);
  let index = 0;
  const stack = [], info = new Map(), component = new Map();
  const visit = (v) => {
    info.set(v, { index, low: index, on: true });
    index++;
    stack.push(v);
    for (const w of out.get(v)) {
      if (!info.has(w)) { visit(w); info.get(v).low = Math.min(info.get(v).low, info.get(w).low); }
      else if (info.get(w).on) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const members = [];
      let w;
      do { w = stack.pop(); info.get(w).on = false; members.push(w); } while (w !== v);
      for (const m of members) component.set(m, members.length > 1 ? v : null);
    }
  };
  for (const n of nodes) if (!info.has(n)) visit(n);
  for (const l of links) l.cycle = component.get(l.source) !== null && component.get(l.source) === component.get(l.target);
}

// openGoroutine() fills the panel with a goroutine: its status, its site,
// its native stack at the cursor (from the API's stacks, innermost frame
// first, worded as Go's goroutine dump) and the source around the site; a
// click on a frame shows that frame's source instead. The stack comes from
// re-executing the run, so it may fail on its own (a run of another
// program): its error shows in the panel and the rest stands.
async function openGoroutine(panel, run, seq, n, answers, live) {
  panel.hidden = false;
  if (panel.nextElementSibling) panel.nextElementSibling.hidden = true;
  const title = el('h3', { id: 'goroutine-title' }, `goroutine ${n.gid} ${n.name}`);
  const statusText = el('dd', { id: 'goroutine-status' });
  const site = el('dd', { id: 'goroutine-site' });
  const stackBox = el('div', { class: 'stack-box' }, el('p', { class: 'muted stack-loading' }, 're-executing the run for its stacks\u2026'));
  const source = el('pre', { id: 'source', class: 'box' });
  const close = el('button', { class: 'close', type: 'button', title: 'close', onclick: () => {
    panel.hidden = true;
    if (panel.nextElementSibling) panel.nextElementSibling.hidden = false;
  } }, '\u00d7');
  panel.replaceChildren(close, title,
    el('dl', { class: 'facts' }, el('dt', {}, 'status'), statusText, el('dt', {}, 'site'), site),
    el('h4', { class: 'stack-head' }, 'stack'), stackBox, source);
  const open = () => live() && panel.contains(title);

  // showSource() lists the lines around file:line in #source; only the
  // last one asked for lands (a click on a frame while the site's source is
  // on its way wins).
  let sourceToken = 0;
  const showSource = async (file, line) => {
    const token = ++sourceToken;
    try {
      const listing = await api(`/api/runs/${run.id}/source${query({ file, line })}`);
      if (!open() || token !== sourceToken) return;
      source.replaceChildren(...listing.lines.map((l) =>
        el('span', { class: 'line' + (l.number === listing.line ? ' current' : ''), 'data-line': l.number }, l.text)));
      source.dataset.file = file;
      source.dataset.line = line;
      const current = source.querySelector('.current');
      if (current) source.scrollTop = Math.max(0, current.offsetTop - source.clientHeight / 2);
    } catch (e) {
      if (!open() || token !== sourceToken) return;
      source.textContent = e.message;
      delete source.dataset.file;
      delete source.dataset.line;
      showError(e.message);
    }
  };

  // The stack is asked for at once, while the site and its source load.
  const stackDone = answers.stacks().then((body) => ({ body }), (e) => ({ e }));

  let where = n.entry && n.entry.site ? n.entry.site : '';
  let status = n.entry ? n.entry.state : '';
  if (!where || !status) {
    try {
      const s = await answers.state();
      const g = (s.goroutines || []).find((x) => x.id === n.gid);
      if (g) {
        if (!where) where = g.site || '';
        if (!status) {
          status = g.state === 'blocked' && g.wait_reason
            ? `${g.wait_reason}${g.waiting_on ? ' on ' + (g.waiting_on.name || '#' + g.waiting_on.id) : ''}` : g.state;
        }
      }
    } catch (e) {
      if (live()) showError(e.message);
    }
  }
  if (!open()) return;
  statusText.textContent = status || 'not blocked';
  site.textContent = where;
  const colon = where.lastIndexOf(':');
  const siteFile = colon < 0 ? '' : where.slice(0, colon), siteLine = Number(where.slice(colon + 1));
  const siteOk = where !== '' && colon >= 0 && Number.isInteger(siteLine);
  if (!where) source.textContent = 'no site recorded';
  else if (!siteOk) source.textContent = `no line in site ${where}`;
  else showSource(siteFile, siteLine);

  const { body, e } = await stackDone;
  if (!open()) return;
  if (e) {
    stackBox.replaceChildren(el('div', { id: 'stack-error' }, e.message));
    return;
  }
  const entry = (body.stacks || []).find((x) => x.id === n.gid);
  const frames = entry ? entry.frames || [] : [];
  const list = el('ol', { id: 'goroutine-stack', 'data-seq': body.seq });
  const items = frames.map((f) => {
    const hasFile = !!f.file;
    const li = el('li', {
      class: 'frame' + (hasFile ? ' has-file' : ''),
      'data-file': hasFile ? f.file : null,
      'data-line': f.line,
      title: hasFile ? 'show this line' : null,
    }, el('span', { class: 'function' }, f.function), el('span', { class: 'where' }, f.line > 0 ? `${f.file}:${f.line}` : '?'));
    if (hasFile) {
      li.addEventListener('click', () => {
        for (const x of list.children) x.classList.remove('selected');
        li.classList.add('selected');
        showSource(f.file, f.line);
      });
    }
    return li;
  });
  if (items.length) list.append(...items);
  else list.append(el('li', { class: 'not-started muted' }, '(not started)'));
  // The site's frame, the innermost that is it, is the one shown at first.
  const siteFrame = siteOk ? frames.findIndex((f) => f.file === siteFile && f.line === siteLine) : -1;
  if (siteFrame >= 0) items[siteFrame].classList.add('selected');
  stackBox.replaceChildren(list);
  if (!body.process_matches_log) {
    stackBox.prepend(el('div', { id: 'stack-warning' }, 'the program no longer replays this run exactly: these frames may differ'));
  }
}

// -------------------------------------------------------------- profiles

const PROFILE_KINDS = ['goroutine', 'block', 'mutex', 'heap', 'schedlatency'];

async function profileView(main, live, id, params) {
  const { run } = await loadRun(id);
  if (!live()) return;
  const seq = await cursorFor(run, params);
  if (!live()) return;
  cursors.set(id, seq);
  const kind = PROFILE_KINDS.includes(params.get('kind')) ? params.get('kind') : 'goroutine';
  main.append(runHeader(run, 'profile', seq));

  // The kind rides along in the address too.
  const picker = seqPicker(run, seq, (s2) => `#/run/${id}/profile?seq=${s2}&kind=${kind}`);
  const select = el('select', { id: 'profile-kind' }, PROFILE_KINDS.map((k) => el('option', { value: k }, k)));
  select.value = kind;
  select.addEventListener('change', () => { location.hash = `#/run/${id}/profile?seq=${seq}&kind=${select.value}`; });
  const base = `/api/runs/${id}/profile?kind=${kind}&seq=${seq}`;
  const download = kind === 'schedlatency' ? null
    : el('a', { class: 'pprof-download', href: `${base}&format=pprof`, download: `run${id}_${kind}_seq${seq}.pb.gz` }, 'download .pb.gz (go tool pprof)');
  picker.prepend(el('div', { class: 'group' }, el('label', { for: 'profile-kind' }, 'profile'), select));
  if (download) picker.append(download);
  main.append(picker);

  const tableBox = el('div');
  const flameHead = el('div', { class: 'flame-head' }, el('h3', {}, 'flame graph'), el('span', { id: 'flame-info', class: 'muted' }, 're-executing the run for its stacks\u2026'));
  const flameError = el('div', { id: 'flame-error' });
  const flameBox = el('div', { class: 'graph-box' });
  main.append(el('h3', {}, 'table'), tableBox, flameHead, flameError, flameBox);

  // The table and the flame graph are asked for together; the flame graph
  // re-executes the run, so it may take longer or fail on its own. A
  // schedlatency profile has no stacks: its table is all.
  const flame = kind === 'schedlatency' ? null : api(`${base}&format=flame`).then((f) => ({ f }), (e) => ({ e }));
  try {
    const profile = await api(base);
    if (!live()) return;
    tableBox.append(profileTable(profile.rows || []));
  } catch (e) {
    if (!live()) return;
    tableBox.append(el('p', { class: 'muted' }, 'no table'));
    showError(e.message);
  }
  if (!flame) {
    $('#flame-info').textContent = 'a schedlatency profile has no call stacks: the table is all of it';
    flameBox.hidden = true;
    return;
  }
  const { f, e } = await flame;
  if (!live()) return;
  if (e) {
    $('#flame-info').textContent = '';
    flameError.textContent = e.message;
    flameBox.hidden = true;
    return;
  }
  const total = f.samples.reduce((s, x) => s + x.value, 0);
  $('#flame-info').textContent = `${f.sample_type || 'samples'} (${f.unit || 'count'}), at seq ${f.at}: total ${fmtValue(total, f.unit)}; click a frame to zoom, the top bar to zoom out`;
  if (f.samples.length === 0 || total === 0) {
    flameBox.append(el('p', { class: 'empty-graph' }, f.samples.length ? `${f.samples.length} samples, all of value 0` : 'no samples'));
    return;
  }
  drawFlame(flameBox, f);
}

function profileTable(rows) {
  // The columns are the rows' keys, in the order they first appear.
  const columns = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const numeric = (c) => rows.every((r) => typeof r[c] === 'number');
  const cell = (c, v) => {
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.join(' ');
    if (typeof v === 'number' && /_ns$/.test(c)) return fmtDuration(v);
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };
  const table = el('table', { id: 'profile-table', class: 'data' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: numeric(c) ? 'num' : null }, c)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, columns.map((c) =>
      el('td', { class: numeric(c) ? 'num' : null, title: typeof r[c] === 'number' && /_ns$/.test(c) ? `${r[c]} ns` : null }, cell(c, r[c])))))));
  if (rows.length === 0) return el('div', {}, table, el('p', { class: 'muted' }, 'no rows'));
  return table;
}

// drawFlame() draws the samples' call tree, root on top: each frame as wide
// as the value below it. Stacks come leaf first, so each is walked from its
// end; identical call paths (function, file and line at each level) merge.
function drawFlame(box, profile) {
  const root = { function: 'all', file: '', line: 0, value: 0, children: new Map(), parent: null, depth: 0 };
  for (const sample of profile.samples) {
    root.value += sample.value;
    let node = root;
    for (let i = sample.stack.length - 1; i >= 0; i--) {
      const f = sample.stack[i];
      const key = `${f.function}\u0000${f.file}\u0000${f.line}`;
      let child = node.children.get(key);
      if (!child) {
        child = { function: f.function, file: f.file, line: f.line, value: 0, children: new Map(), parent: node, depth: node.depth + 1 };
        node.children.set(key, child);
      }
      child.value += sample.value;
      node = child;
    }
  }
  // Place each frame on [x0, x1] of [0, 1]; the widest child first.
  const frames = [];
  let maxDepth = 0;
  (function place(n, x0) {
    n.x0 = x0;
    n.x1 = x0 + n.value / root.value;
    frames.push(n);
    maxDepth = Math.max(maxDepth, n.depth);
    let at = x0;
    const kids = [...n.children.values()].sort((a, b) => b.value - a.value || a.function.localeCompare(b.function));
    for (const k of kids) { place(k, at); at = k.x1; }
  })(root, 0);

  const rowH = 19;
  const width = Math.max(400, box.clientWidth || 900);
  const svg = d3.select(box).append('svg').attr('id', 'flame').attr('width', width).attr('height', (maxDepth + 1) * rowH + 2);
  // A stable colour per function: warm hues, as flame graphs have them.
  const hue = (name) => {
    let h = 0;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return `hsl(${10 + (h % 40)}, ${70 + (h % 20)}%, ${62 + (h % 13)}%)`;
  };
  // A frame without a function name of its own ("(inlined)", "(unknown)")
  // is named by its place too.
  const frameName = (n) => (/^\(.*\)$/.test(n.function) && n.file ? `${n.function} ${n.file.split('/').pop()}:${n.line}` : n.function);
  const g = svg.selectAll('g.frame').data(frames).enter().append('g').attr('class', 'frame');
  g.append('rect').attr('height', rowH - 1).attr('fill', (n) => (n === root ? '#d0d7de' : hue(n.function)));
  g.append('text').attr('x', 4).attr('y', rowH / 2).attr('dy', '0.35em');
  g.append('title').text((n) => {
    const where = n.file ? `\n${n.file}:${n.line}` : '';
    const pct = ((100 * n.value) / root.value).toFixed(1);
    return `${n.function}${where}\n${fmtValue(n.value, profile.unit)} (${pct}%)`;
  });
  g.on('click', (n) => zoomTo(n));

  // zoomTo() widens frame `focus` to the whole width: its ancestors span it
  // too, frames outside it hide.
  function zoomTo(focus) {
    const span = focus.x1 - focus.x0;
    const inside = (n) => n.x0 >= focus.x0 - 1e-12 && n.x1 <= focus.x1 + 1e-12 && n.depth >= focus.depth;
    const ancestor = (n) => { for (let a = focus; a; a = a.parent) if (a === n) return true; return false; };
    g.each(function (n) {
      const show = inside(n) || ancestor(n);
      const x = ancestor(n) ? 0 : ((n.x0 - focus.x0) / span) * width;
      const w = ancestor(n) ? width : ((n.x1 - n.x0) / span) * width;
      const sel = d3.select(this);
      sel.style('display', show && w >= 0.5 ? null : 'none').attr('transform', `translate(${x},${n.depth * rowH})`);
      sel.select('rect').attr('width', Math.max(0, w - 0.5));
      const label = n === root ? `all: ${fmtValue(root.value, profile.unit)}` : frameName(n);
      const fits = Math.floor((w - 8) / 6.6);
      sel.select('text').text(fits < 3 ? '' : label.length > fits ? label.slice(0, fits - 1) + '\u2026' : label);
    });
  }
  zoomTo(root);
}

// ------------------------------------------------------------------- diff

async function diffView(main, live, a, b) {
  setCrumbs({ text: 'runs', href: '#/' }, { text: `diff ${a} ${b}` });
  const d = await api(`/api/diff?a=${a}&b=${b}&align=1`);
  if (!live()) return;
  const summary = d.identical
    ? `identical (${d.common} events)`
    : `diverged at seq ${d.divergence.seq} after ${d.common} common events: ${d.divergence.description}`;
  const side = (label, r) => el('div', { class: 'mono' },
    `${label}: `, el('a', { href: `#/run/${r.run}` + (d.divergence ? `?seq=${d.divergence.seq}` : '') }, `run ${r.run}`),
    `  ${r.scenario}  seed ${r.seed}  ${r.strategy}  ${r.events} events  `,
    el('span', { class: 'outcome ' + (failed(r.outcome) ? 'bad' : 'ok') }, r.outcome),
    r.message ? `: ${r.message}` : '');
  main.append(el('h2', {}, `run ${a} vs run ${b}`),
    el('div', { id: 'diff-summary', 'data-seq': d.divergence ? d.divergence.seq : null }, summary),
    d.alignment && !d.identical ? alignmentBox(d.alignment) : null,
    side('A', d.a), side('B', d.b));

  const eventsA = el('div', { id: 'diff-events-a', class: 'events-list' });
  const eventsB = el('div', { id: 'diff-events-b', class: 'events-list' });
  main.append(el('div', { class: 'columns' },
    el('div', {}, el('h3', {}, `run ${a}'s events`), eventsA),
    el('div', {}, el('h3', {}, `run ${b}'s events`), eventsB)));
  if (!d.divergence) {
    for (const box of [eventsA, eventsB]) box.append(el('div', { class: 'event-line common' }, `all ${d.common} events are the same`));
    return;
  }
  const div = d.divergence;
  const cols = columnsOf([...(div.before || []), ...(div.after_a || []), ...(div.after_b || [])]);
  const fillEvents = (box, after) => {
    for (const e of div.before || []) box.append(el('div', { class: 'event-line common', 'data-seq': e.seq }, eventLine(e, cols)));
    box.append(el('div', { class: 'gap' }));
    (after || []).forEach((e, i) => box.append(
      el('div', { class: 'event-line' + (i === 0 ? ' divergence' : ''), 'data-seq': e.seq }, eventLine(e, cols))));
    if (!after || after.length === 0) box.append(el('div', { class: 'event-line divergence' }, '(the run ends here)'));
  };
  fillEvents(eventsA, div.after_a);
  fillEvents(eventsB, div.after_b);

  // The two states at the divergence, the entities that differ marked.
  const differences = div.state_differences || [];
  const marked = (which) => {
    const m = new Map();
    for (const x of differences) {
      const label = x[`label_${which}`];
      if (label) m.set(label, new Set(x.fields || []));
    }
    return m;
  };
  main.append(el('h3', {}, `the states at seq ${div.seq}`), el('div', { class: 'columns' },
    el('div', { id: 'diff-state-a', class: 'state-list' }, stateRows(div.state_a, marked('a'))),
    el('div', { id: 'diff-state-b', class: 'state-list' }, stateRows(div.state_b, marked('b')))));
}

// alignmentBox() is the alignment of two runs (diff --align): every place
// they diverge, not only the first, worded as gorewind diff --align words
// it; a click on a divergence shows its events (- only in A, + only in B,
// ~ moved).
function alignmentBox(al) {
  const hunks = al.hunks || [];
  const range = (first, last) => (last < first ? 'none' : first === last ? String(first) : `${first}-${last}`);
  const cols = columnsOf(hunks.flatMap((h) => [...(h.a || []), ...(h.b || [])].map((x) => x.event)));
  const list = el('ol', { id: 'diff-hunks' }, hunks.map((h, i) => {
    const lines = [];
    const side = (name, only, events, total) => {
      for (const x of events || []) lines.push(`${name} ${x.moved ? '~ ' : only}${eventLine(x.event, cols)}`);
      if ((events || []).length < total) lines.push(`${name}   ... ${total - (events || []).length} more`);
    };
    side('A', '- ', h.a, h.only_a + h.moved_a);
    side('B', '+ ', h.b, h.only_b + h.moved_b);
    const events = el('pre', { class: 'hunk-events', hidden: true }, lines.join('\n'));
    const head = el('div', { class: 'hunk-head', title: 'show its events' },
      `divergence ${i + 1}: A seq ${range(h.a_first, h.a_last)}: ${h.only_a} only in A, ${h.moved_a} moved; `
      + `B seq ${range(h.b_first, h.b_last)}: ${h.only_b} only in B, ${h.moved_b} moved`);
    const li = el('li', { class: 'hunk', 'data-a-first': h.a_first, 'data-b-first': h.b_first }, head, events);
    head.addEventListener('click', () => { events.hidden = !events.hidden; li.classList.toggle('open', !events.hidden); });
    return li;
  }));
  return el('div', { class: 'alignment' },
    el('div', { id: 'diff-alignment' },
      `aligned: ${hunks.length} divergence${hunks.length === 1 ? '' : 's'}; `
      + `${al.common} common events, ${al.only_a} only in A, ${al.only_b} only in B`),
    hunks.length ? list : null);
}

// stateRows() is a state as compact labelled rows, labelled as gorewind's
// state diff labels its entities ("g2 worker", "chan result", "P0"), so
// that the differences' labels find their rows; `marked` maps a label to
// its differing fields.
function stateRows(s, marked) {
  if (!s) return [el('div', { class: 'muted' }, 'no state')];
  const out = [];
  const gids = (list) => `[${(list || []).map((g) => 'g' + g).join(' ')}]`;
  const row = (label, fields) => {
    const diff = marked.get(label);
    const r = el('div', { class: 'row' + (diff ? ' differs' : ''), 'data-label': label },
      el('span', { class: 'label', title: label }, label),
      el('span', {}, fields.filter(([, v]) => v !== '').map(([name, v]) =>
        el('span', { class: 'field' + (diff && diff.has(name) ? ' differs' : ''), 'data-field': name }, v))));
    out.push(r);
  };
  const section = (name) => out.push(el('div', { class: 'section' }, name));
  const named = (kind, name, id) => `${kind} ${name || '#' + id}`;

  row('vtime', [['vtime_ns', fmtDuration(s.vtime_ns)]]);
  if (s.goroutines && s.goroutines.length) {
    section('goroutines');
    for (const g of s.goroutines) {
      const state = g.state === 'blocked' && g.wait_reason
        ? `${g.wait_reason}${g.waiting_on ? ' on ' + (g.waiting_on.name || '#' + g.waiting_on.id) : ''}` : g.state;
      row(`g${g.id} ${g.name}`, [['state', state], ['site', g.site || ''], ['offering', g.offering || '']]);
    }
  }
  if (s.channels && s.channels.length) {
    section('channels');
    for (const c of s.channels) {
      row(named('chan', c.name, c.id), [['cap', `cap ${c.cap}`], ['closed', c.closed ? 'closed' : 'open'],
        ['buffer', `buffer [${(c.buffer || []).join(' ')}]`], ['senders', `senders ${gids(c.senders)}`],
        ['receivers', `receivers ${gids(c.receivers)}`]]);
    }
  }
  if (s.locks && s.locks.length) {
    section('locks');
    for (const l of s.locks) {
      const fields = [['owner', l.owner ? `held by g${l.owner}` : 'unlocked']];
      if (l.kind === 'rwmutex') fields.push(['readers', `readers ${l.readers}`]);
      fields.push(['waiters', `waiters ${gids(l.waiters)}`]);
      row(named(l.kind === 'rwmutex' ? 'rwmutex' : 'mutex', l.name, l.id), fields);
    }
  }
  if (s.wait_groups && s.wait_groups.length) {
    section('wait groups');
    for (const w of s.wait_groups) row(named('waitgroup', w.name, w.id), [['counter', `counter ${w.counter}`], ['waiters', `waiters ${gids(w.waiters)}`]]);
  }
  const watched = Object.entries(s.watched || {});
  if (watched.length) {
    section('watched');
    for (const [name, value] of watched) row(name, [['value', String(value)]]);
  }
  if (s.gmp && s.gmp.procs) {
    section(`scheduler (GOMAXPROCS=${s.gmp.gomaxprocs})`);
    const gid = (g) => (g ? 'g' + g : '-');
    for (const p of s.gmp.procs) {
      row('P' + p.id, [['status', p.status], ['m', `m=${p.m}`], ['curg', `curg=${gid(p.curg)}`],
        ['runnext', `runnext=${gid(p.runnext)}`], ['runq', `runq ${gids(p.runq)}`], ['schedtick', `schedtick=${p.schedtick}`],
        ['clock_ns', `clock=${fmtDuration(p.clock_ns)}`]]);
    }
    for (const m of s.gmp.machines || []) row('M' + m.id, [['p', `p=${m.p}`], ['curg', `curg=${gid(m.curg)}`]]);
    row('global queue', [['runq', `runq ${gids(s.gmp.global_queue)}`]]);
  }
  return out;
}

// ------------------------------------------------------------------ start

document.addEventListener('keydown', (e) => {
  // Keys typed into a field are the field's.
  const t = e.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  if (view.keydown && view.keydown(e)) e.preventDefault();
});
$('#error').addEventListener('click', clearError);
window.addEventListener('hashchange', route);
route();
