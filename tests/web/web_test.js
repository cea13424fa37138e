// gorewind serve's page judged in a real browser: Debian's chromium driven
// by puppeteer-core. Run by tests/web_test.sh (ctest entry web, label
// browser) with GOREWIND_URL (the server, already serving a small log),
// GOREWIND_SOURCE_DIR (its --source-root) and GOREWIND_SCREENSHOTS (where
// each page's picture goes) set. Every value the page must show is asked
// of the server's JSON API here, never written into the test.
'use strict';
const assert = require('node:assert');
const { test, before, after } = require('node:test');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const base = process.env.GOREWIND_URL;
const root = process.env.GOREWIND_SOURCE_DIR;
const shots = process.env.GOREWIND_SCREENSHOTS;
assert.ok(base && root && shots, 'GOREWIND_URL, GOREWIND_SOURCE_DIR and GOREWIND_SCREENSHOTS must be set');

const timeout = 60000;

// api() is one answer of the API, which must be a 200.
async function api(p) {
  const response = await fetch(new URL(p, base));
  const body = await response.json();
  assert.strictEqual(response.status, 200, `${p}: ${JSON.stringify(body)}`);
  return body;
}

// events() is all a run's events, page by page as the API gives them.
async function events(run) {
  const out = [];
  for (let from = 1; ;) {
    const page = await api(`api/runs/${run}/events?from=${from}`);
    out.push(...page.events);
    if (!page.more) return out;
    from = page.events[page.events.length - 1].seq + 1;
  }
}

// raw() sends path exactly as written (fetch would resolve its "..") with
// headers, and a body if given, and returns the answer's status and body.
// A server may close the connection once it has refused a request, while
// the body is still being sent: the answer counts, not the reset.
function raw(p, { method = 'GET', body = null, headers = {} } = {}) {
  const url = new URL(base);
  if (body) headers = { ...headers, 'Content-Length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request({ host: url.hostname, port: url.port, path: p, method, headers }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
    });
    request.on('error', (e) => { if (!answered) reject(e); });
    if (body) request.write(body);
    request.end();
  });
}

let browser;
let profile;
before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gorewind-web-'));
  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--user-data-dir=' + profile],
  });
});
after(async () => {
  if (browser) await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
});

// open() is a fresh tab on the page at hash. Its `problems` collect the
// page's uncaught errors, console errors and failed requests (as "STATUS
// PATH"): each test ends with none it did not cause.
async function open(hash) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A failed request is reported below, with its address.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) { const u = new URL(r.url()); problems.push(`${r.status()} ${u.pathname}${u.search}`); }
  });
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()}: ${r.failure().errorText}`));
  await page.goto(new URL(hash, base).href);
  return { page, problems };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const banner = (page) => page.$eval('#error', (e) => (e.hidden ? '' : e.textContent));

// The log's runs, by what each test needs: web_test.sh records a leak, an ok
// and a deadlocked run of one scenario, and a run on Go's scheduler.
async function runs() {
  const all = (await api('api/runs')).runs;
  const blocked = all.find((r) => r.outcome === 'leak' || r.outcome === 'deadlock');
  const pair = all.filter((r) => r.outcome === 'ok').map((ok) => [ok, all.find((r) => r.scenario === ok.scenario && r.outcome !== 'ok')])
    .find(([, bad]) => bad);
  const procs = all.find((r) => r.procs > 1);
  assert.ok(blocked && pair && procs, `the log lacks a run this test needs: ${JSON.stringify(all.map((r) => [r.id, r.scenario, r.outcome, r.procs]))}`);
  return { all, blocked, ok: pair[0], bad: pair[1], procs };
}

test('the runs list shows the runs the API returns, filters them and opens one', { timeout }, async () => {
  const { all, bad } = await runs();
  const { page, problems } = await open('#/');
  await page.waitForSelector('#runs tbody tr[data-run]');
  const rows = () => page.$$eval('#runs tbody tr[data-run]', (trs) => trs.map((tr) => ({
    id: Number(tr.dataset.run),
    cells: [...tr.cells].map((c) => c.textContent),
  })));
  const shown = await rows();
  assert.deepStrictEqual(shown.map((r) => [r.id, r.cells[4]]), all.map((r) => [r.id, r.outcome]));
  // The columns: id, scenario, seed, strategy, outcome, events, state.
  assert.deepStrictEqual(shown.map((r) => r.cells),
    all.map((r) => [r.id, r.scenario, r.seed, r.strategy, r.outcome, r.events, r.state].map(String)));
  await shot(page, 'runs');

  // The filters offer "all" and then each scenario and outcome of the log.
  const options = (id) => page.$$eval(`#${id} option`, (os) => os.map((o) => o.textContent));
  assert.deepStrictEqual(await options('filter-scenario'), ['all', ...[...new Set(all.map((r) => r.scenario))].sort()]);
  assert.deepStrictEqual(await options('filter-outcome'), ['all', ...[...new Set(all.map((r) => r.outcome))].sort()]);
  // A filter asks the server again: its rows are exactly the filtered answer.
  await page.select('#filter-outcome', bad.outcome);
  await page.waitForSelector(`#runs[data-loaded="?outcome=${bad.outcome}"]`);
  const filtered = (await api(`api/runs?outcome=${bad.outcome}`)).runs;
  assert.ok(filtered.length > 0 && filtered.length < all.length);
  assert.deepStrictEqual((await rows()).map((r) => r.id), filtered.map((r) => r.id));
  await page.select('#filter-scenario', bad.scenario);
  await page.waitForSelector(`#runs[data-loaded="?scenario=${bad.scenario}&outcome=${bad.outcome}"]`);
  const both = (await api(`api/runs?scenario=${bad.scenario}&outcome=${bad.outcome}`)).runs;
  assert.deepStrictEqual((await rows()).map((r) => r.id), both.map((r) => r.id));

  // A click on a row opens its run.
  await Promise.all([page.waitForSelector('#timeline'), page.click(`#runs tr[data-run="${bad.id}"]`)]);
  assert.strictEqual(new URL(page.url()).hash.replace(/\?.*/, ''), `#/run/${bad.id}`);
  assert.strictEqual(await banner(page), '');
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test('the timeline: lanes, the cursor stepping back by button, key and click, the state at it', { timeout }, async () => {
  const { procs: run } = await runs();
  const { goroutines } = await api(`api/runs/${run.id}`);
  const all = await events(run.id);
  assert.strictEqual(all.length, run.events);
  const { page, problems } = await open(`#/run/${run.id}`);
  await page.waitForSelector('#timeline rect.event');
  // The header: scenario, outcome, message.
  const head = await text(page, '.run-head');
  for (const part of [run.scenario, run.outcome, run.message]) assert.ok(head.includes(part), `${head} lacks ${part}`);

  // One lane per goroutine (and the runtime's, where it has events), one
  // per P; one mark per event in its goroutine's lane and one in its P's.
  const lanes = await page.$$eval('#timeline g.lane', (gs) => gs.map((g) =>
    [g.dataset.gid, g.dataset.p, g.querySelector('text.lane-label').firstChild.textContent]));
  const gids = goroutines.map((g) => g.id);
  if (all.some((e) => e.gid === 0)) gids.unshift(0);
  // (An absent data-gid crosses from the page as null.)
  assert.deepStrictEqual(lanes.filter(([gid]) => gid != null).map(([gid]) => Number(gid)), gids);
  for (const g of goroutines) assert.ok(lanes.some(([gid, , label]) => gid === String(g.id) && label === `g${g.id} ${g.name}`));
  assert.deepStrictEqual(lanes.filter(([, p]) => p != null).map(([, p, label]) => [Number(p), label]),
    [...Array(run.procs).keys()].map((p) => [p, `P${p}`]));
  // (Zoomed out, the page draws one mark per lane and pixel column: with
  // fewer events than pixels, each has its own.)
  const plotWidth = await page.$eval('#timeline .plot-bg', (r) => Number(r.getAttribute('width')));
  assert.ok(run.events <= plotWidth, `run ${run.id} has more events (${run.events}) than the timeline pixels (${plotWidth})`);
  const marks = await page.$$eval('#timeline rect.event', (rs) => rs.map((r) => Number(r.dataset.seq)));
  const expected = all.flatMap((e) => (e.p >= 0 ? [e.seq, e.seq] : [e.seq]));
  assert.deepStrictEqual(marks.sort((a, b) => a - b), expected);

  // at() checks the cursor: #seq, the state (verbatim), the event there.
  const at = async (seq) => {
    await page.waitForSelector(`#state-text[data-seq="${seq}"]`);
    await page.waitForSelector(`#event-at-cursor[data-seq="${seq}"]`);
    assert.strictEqual(await text(page, '#seq'), String(seq));
    const state = await api(`api/runs/${run.id}/state?seq=${seq}`);
    assert.strictEqual(await text(page, '#state-text'), state.text);
    assert.match(await text(page, '#event-at-cursor'), new RegExp(`^${seq}  .* ${all[seq - 1].kind}\\b`));
    assert.strictEqual(new URL(page.url()).hash, `#/run/${run.id}?seq=${seq}`);
  };
  // It opens at the last event.
  await at(run.events);
  await page.click('#back');
  await at(run.events - 1);
  await page.keyboard.press('ArrowLeft');
  await at(run.events - 2);
  await page.keyboard.press('ArrowRight');
  await at(run.events - 1);

  // A click on an event moves the cursor there: the line right after it.
  const target = all[Math.floor(all.length / 2)].seq;
  await page.click(`#timeline rect.event[data-seq="${target}"]`);
  await at(target);
  const [right, cursorX] = await page.evaluate((s) => {
    const r = document.querySelector(`#timeline rect.event[data-seq="${s}"]`);
    return [Number(r.getAttribute('x')) + Number(r.getAttribute('width')), Number(document.querySelector('#cursor-line').getAttribute('x1'))];
  }, target);
  assert.ok(Math.abs(cursorX - right) <= 2, `cursor at ${cursorX}, event ${target} ends at ${right}`);

  // The wheel zooms in on x only: marks grow wider, not taller.
  const size = () => page.$eval(`#timeline rect.event[data-seq="${target}"]`, (r) => [Number(r.getAttribute('width')), Number(r.getAttribute('height'))]);
  const [w0, h0] = await size();
  const box = await page.$eval(`#timeline rect.event[data-seq="${target}"]`, (r) => { const b = r.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; });
  await page.mouse.move(box[0], box[1]);
  await page.mouse.wheel({ deltaY: -400 });
  await page.waitForFunction((s, w) => Number(document.querySelector(`#timeline rect.event[data-seq="${s}"]`).getAttribute('width')) > w, {}, target, w0);
  const [w1, h1] = await size();
  assert.ok(w1 > w0 && h1 === h0, `zoomed from ${w0}x${h0} to ${w1}x${h1}`);

  // The tabs carry the cursor.
  const tabs = await page.$$eval('.tabs a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepStrictEqual(tabs, [`#/run/${run.id}?seq=${target}`, `#/run/${run.id}/waitfor?seq=${target}`, `#/run/${run.id}/profile?seq=${target}`]);
  await shot(page, 'timeline');
  assert.strictEqual(await banner(page), '');
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test('the wait-for graph of a blocked run, a goroutine\'s site and its source', { timeout }, async () => {
  const { blocked: run } = await runs();
  const wf = await api(`api/runs/${run.id}/waitfor`);
  assert.strictEqual(wf.seq, run.events);
  assert.ok(wf.graph.length > 0);
  const { page, problems } = await open(`#/run/${run.id}/waitfor`);
  await page.waitForSelector('#waitfor .node.goroutine');
  assert.strictEqual(await text(page, '#waitfor-text'), wf.text);

  // A node per goroutine of the graph (blocked or waker), one per object.
  const goroutines = new Set(), objects = new Set();
  for (const g of wf.graph) {
    goroutines.add(String(g.id));
    for (const o of g.waits_on) {
      objects.add(`${o.kind}:${o.id}`);
      for (const w of o.wakers) goroutines.add(String(w.id));
    }
  }
  const nodes = (sel, key) => page.$$eval(sel, (gs, k) => gs.map((g) => g.dataset[k]).sort(), key);
  assert.deepStrictEqual(await nodes('#waitfor .node.goroutine', 'gid'), [...goroutines].sort());
  assert.deepStrictEqual(await nodes('#waitfor .node.object', 'object'), [...objects].sort());

  // A click on a blocked goroutine: its site and the source there.
  const g = wf.graph[0];
  assert.ok(g.site, `goroutine ${g.id} has no site`);
  await page.click(`#waitfor .node.goroutine[data-gid="${g.id}"]`);
  await page.waitForSelector('#source .line.current');
  assert.strictEqual(await text(page, '#goroutine-title'), `goroutine ${g.id} ${g.name}`);
  assert.strictEqual(await text(page, '#goroutine-site'), g.site);
  const colon = g.site.lastIndexOf(':');
  const file = g.site.slice(0, colon), line = Number(g.site.slice(colon + 1));
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const current = await page.$eval('#source .line.current', (s) => [Number(s.dataset.line), s.textContent]);
  assert.deepStrictEqual(current, [line, lines[line - 1]]);
  // Every line shown is the file's.
  const shown = await page.$$eval('#source .line', (ss) => ss.map((s) => [Number(s.dataset.line), s.textContent]));
  assert.ok(shown.length > 1);
  for (const [n, t] of shown) assert.strictEqual(t, lines[n - 1]);

  // Its native stack at the view's seq, innermost frame first: the function,
  // then file:line, as the API gives it.
  await page.waitForSelector('#goroutine-stack');
  const stacks = await api(`api/runs/${run.id}/stacks?seq=${wf.seq}`);
  assert.strictEqual(stacks.seq, wf.seq);
  const entry = stacks.stacks.find((s) => s.id === g.id);
  assert.ok(entry && entry.frames.length > 0, `goroutine ${g.id} has no stack at seq ${wf.seq}: ${JSON.stringify(stacks)}`);
  assert.strictEqual(await page.$eval('#goroutine-stack', (o) => Number(o.dataset.seq)), wf.seq);
  const frames = await page.$$eval('#goroutine-stack li.frame', (lis) => lis.map((li) =>
    [li.querySelector('.function').textContent, li.querySelector('.where').textContent]));
  assert.deepStrictEqual(frames, entry.frames.map((f) => [f.function, f.line > 0 ? `${f.file}:${f.line}` : '?']));
  // The warning shows exactly when the program no longer replays the run.
  assert.strictEqual(await page.$('#stack-warning') !== null, !stacks.process_matches_log);
  // (And nothing else stands by the list.)
  assert.ok(await page.$eval('#goroutine-stack', (o) => [...o.parentNode.childNodes].every((c) => c === o || c.id === 'stack-warning')));
  assert.strictEqual(await page.$('#stack-error'), null);
  // The site's frame, when the stack has it, is the one selected at first.
  const siteFrame = entry.frames.findIndex((f) => f.file === file && f.line === line);
  const selected = () => page.$$eval('#goroutine-stack li.frame', (lis) => lis.flatMap((li, i) => (li.classList.contains('selected') ? [i] : [])));
  assert.deepStrictEqual(await selected(), siteFrame < 0 ? [] : [siteFrame]);
  // A click on the outermost frame that has a file shows its source there.
  const outer = entry.frames.map((f) => Boolean(f.file)).lastIndexOf(true);
  assert.ok(outer >= 0, `no frame of goroutine ${g.id} has a file: ${JSON.stringify(entry.frames)}`);
  const frame = entry.frames[outer];
  await page.click(`#goroutine-stack li.frame:nth-child(${outer + 1})`);
  await page.waitForSelector(`#source[data-file="${frame.file}"][data-line="${frame.line}"] .line.current`);
  const frameLines = fs.readFileSync(path.join(root, frame.file), 'utf8').split('\n');
  const frameCurrent = await page.$eval('#source .line.current', (s) => [Number(s.dataset.line), s.textContent]);
  assert.deepStrictEqual(frameCurrent, [frame.line, frameLines[frame.line - 1]]);
  assert.deepStrictEqual(await selected(), [outer]);
  await shot(page, 'waitfor');

  // At seq 0 nothing is blocked.
  await page.goto(new URL(`#/run/${run.id}/waitfor?seq=0`, base).href);
  await page.waitForSelector('#waitfor-empty');
  assert.strictEqual((await api(`api/runs/${run.id}/waitfor?seq=0`)).graph.length, 0);
  assert.strictEqual(await text(page, '#waitfor-empty'), 'no goroutine is blocked at seq 0');
  assert.strictEqual(await banner(page), '');
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test('the diff of an ok and a failing run shows where they diverged', { timeout }, async () => {
  const { ok, bad } = await runs();
  const d = await api(`api/diff?a=${ok.id}&b=${bad.id}&align=1`);
  assert.strictEqual(d.identical, false);
  const div = d.divergence;
  // Reached through the runs page's form.
  const { page, problems } = await open('#/');
  await page.waitForSelector('#diff-go');
  await page.type('#diff-a', String(ok.id));
  await page.type('#diff-b', String(bad.id));
  await Promise.all([page.waitForSelector('#diff-summary'), page.click('#diff-go')]);
  assert.strictEqual(new URL(page.url()).hash, `#/diff/${ok.id}/${bad.id}`);
  assert.strictEqual(await text(page, '#diff-summary'),
    `diverged at seq ${div.seq} after ${d.common} common events: ${div.description}`);
  // The alignment, every divergence, worded as gorewind diff --align words it.
  const al = d.alignment;
  assert.ok(al, `diff --align gave no alignment: ${JSON.stringify(d)}`);
  const n = al.hunks.length;
  assert.strictEqual(await text(page, '#diff-alignment'),
    `aligned: ${n} divergence${n === 1 ? '' : 's'}; ${al.common} common events, ${al.only_a} only in A, ${al.only_b} only in B`);
  const range = (first, last) => (last < first ? 'none' : first === last ? String(first) : `${first}-${last}`);
  assert.deepStrictEqual(await page.$$eval('li.hunk .hunk-head', (hs) => hs.map((h) => h.textContent)),
    al.hunks.map((h, i) => `divergence ${i + 1}: A seq ${range(h.a_first, h.a_last)}: ${h.only_a} only in A, ${h.moved_a} moved; `
      + `B seq ${range(h.b_first, h.b_last)}: ${h.only_b} only in B, ${h.moved_b} moved`));
  assert.strictEqual((await page.$$('li.hunk')).length, n);
  // Each side: the common events, then its own from the divergence, the
  // first of them marked.
  for (const [side, after] of [['a', div.after_a], ['b', div.after_b]]) {
    const seqs = await page.$$eval(`#diff-events-${side} .event-line[data-seq]`, (ls) => ls.map((l) => Number(l.dataset.seq)));
    assert.deepStrictEqual(seqs, [...div.before, ...after].map((e) => e.seq));
    const marked = await page.$$eval(`#diff-events-${side} .divergence`, (ls) => ls.map((l) => Number(l.dataset.seq)));
    assert.deepStrictEqual(marked, [div.seq]);
    // The differing entities of the state there are the marked rows.
    const rows = await page.$$eval(`#diff-state-${side} .row.differs`, (rs) => rs.map((r) => r.dataset.label));
    assert.deepStrictEqual(rows.sort(), div.state_differences.map((x) => x[`label_${side}`]).filter(Boolean).sort());
  }
  await shot(page, 'diff');

  // A run against itself is identical.
  const same = await api(`api/diff?a=${ok.id}&b=${ok.id}`);
  await page.goto(new URL(`#/diff/${ok.id}/${ok.id}`, base).href);
  await page.waitForSelector('#diff-summary');
  assert.strictEqual(await text(page, '#diff-summary'), `identical (${same.common} events)`);
  assert.strictEqual(await page.$('#diff-alignment'), null);
  assert.strictEqual(await banner(page), '');
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test('the profile page: the table\'s rows, the flame graph, the pprof download', { timeout }, async () => {
  const { blocked: run } = await runs();
  const { page, problems } = await open(`#/run/${run.id}/profile`);
  for (const kind of ['goroutine', 'block', 'mutex', 'schedlatency']) {
    if (kind !== 'goroutine') await page.select('#profile-kind', kind);
    await page.waitForFunction((k) => location.hash.includes(`kind=${k}`) || k === 'goroutine', {}, kind);
    await page.waitForSelector('#profile-table');
    const profile = await api(`api/runs/${run.id}/profile?kind=${kind}&seq=${run.events}`);
    await page.waitForFunction((n) => document.querySelectorAll('#profile-table tbody tr').length === n, { timeout: 10000 }, profile.rows.length);
    // The columns are the rows' keys.
    if (profile.rows.length) {
      const heads = await page.$$eval('#profile-table th', (ths) => ths.map((t) => t.textContent));
      assert.deepStrictEqual(heads, Object.keys(profile.rows[0]));
    }
    const link = await page.$('a.pprof-download');
    if (kind === 'schedlatency') {
      // Its samples have no stacks: neither download nor flame graph.
      assert.strictEqual(link, null);
      assert.strictEqual(await page.$('#flame .frame'), null);
      continue;
    }
    const href = await page.$eval('a.pprof-download', (a) => a.getAttribute('href'));
    assert.strictEqual(href, `/api/runs/${run.id}/profile?kind=${kind}&seq=${run.events}&format=pprof`);
    const download = await fetch(new URL(href, base));
    assert.strictEqual(download.status, 200);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.deepStrictEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b]); // gzip

    // The flame graph: frames whose root is the samples' total; or, when
    // the server cannot give it, its error.
    const flame = await fetch(new URL(`api/runs/${run.id}/profile?kind=${kind}&seq=${run.events}&format=flame`, base));
    const body = await flame.json();
    await page.waitForFunction(() => document.querySelector('#flame .frame') || document.querySelector('#flame-error').textContent
      || document.querySelector('.empty-graph'));
    if (flame.status === 200) {
      const total = body.samples.reduce((s, x) => s + x.value, 0);
      if (total > 0) {
        const rootTitle = await page.$eval('#flame .frame title', (t) => t.textContent);
        assert.match(rootTitle, /^all\n/);
        // A frame per distinct call path (function, file, line at each depth).
        const paths = new Set();
        for (const s of body.samples) {
          const frames = [...s.stack].reverse().map((f) => `${f.function}@${f.file}:${f.line}`);
          for (let i = 1; i <= frames.length; i++) paths.add(frames.slice(0, i).join(';'));
        }
        assert.strictEqual((await page.$$('#flame .frame')).length, paths.size + 1);
      }
    } else {
      assert.ok(flame.status >= 400 && flame.status < 500, `flame: ${flame.status}`);
      assert.strictEqual(await text(page, '#flame-error'), body.error);
    }
    if (kind === 'block') await shot(page, 'profile');
  }
  assert.strictEqual(await banner(page), '');
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test('bad requests get a 4xx and a JSON error; the page shows it; the server goes on', { timeout }, async () => {
  const { all, blocked: run } = await runs();
  const unknown = Math.max(...all.map((r) => r.id)) + 1000;
  const cases = [
    [`/api/runs/${unknown}`, [404]],
    [`/api/runs/${unknown}/state?seq=1`, [404]],
    [`/api/runs/${run.id}/state?seq=${run.events + 1}`, [400]],
    [`/api/runs/${run.id}/waitfor?seq=${run.events + 1}`, [400]],
    [`/api/runs/${run.id}/state?seq=abc`, [400]],
    [`/api/runs/${run.id}/events?from=abc`, [400]],
    [`/api/runs/${run.id}/profile?kind=nosuchkind`, [400]],
    [`/api/runs/${run.id}/source?file=../../etc/passwd&line=1`, [403]],
    [`/api/runs/${run.id}/source?file=/etc/passwd&line=1`, [403]],
    [`/api/runs/${run.id}/source?file=${encodeURIComponent('scenarios/../../../etc/passwd')}&line=1`, [403]],
    [`/api/runs/${run.id}/../../etc/passwd`, null],
    [`/api/runs/${run.id}/%2e%2e/%2e%2e/etc/passwd`, null],
    ['/../../../../etc/passwd', null],
    ['/api/nosuchthing', [404]],
    ['/api/diff?a=x&b=1', [400]],
  ];
  for (const [p, statuses] of cases) {
    const r = await raw(p);
    if (statuses) assert.ok(statuses.includes(r.status), `${p}: ${r.status} ${r.text}`);
    else assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status} ${r.text}`);
    assert.ok(!r.text.includes('root:'), `${p} leaked a file: ${r.text}`);
    const body = JSON.parse(r.text);
    assert.strictEqual(typeof body.error, 'string', `${p}: ${r.text}`);
    assert.ok(body.error.length > 0);
  }
  // A request larger than 64 KiB: refused, whether its body, its address or
  // a header is too large.
  const big = await raw('/api/runs', { method: 'POST', body: 'x'.repeat(70 * 1024) });
  assert.strictEqual(big.status, 413, big.text);
  for (const r of [await raw('/api/runs?x=' + 'y'.repeat(70 * 1024)), await raw('/api/runs', { headers: { 'X-Big': 'z'.repeat(70 * 1024) } })]) {
    assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
  }
  // Still serving.
  assert.strictEqual((await fetch(new URL('api/runs', base))).status, 200);

  // The page shows an API error in its banner, word for word.
  const missing = await (await fetch(new URL(`api/runs/${unknown}`, base))).json();
  const { page, problems } = await open(`#/run/${unknown}`);
  await page.waitForFunction(() => !document.querySelector('#error').hidden);
  assert.strictEqual(await banner(page), missing.error);
  const beyond = await (await fetch(new URL(`api/runs/${run.id}/waitfor?seq=${run.events + 1}`, base))).json();
  await page.goto(new URL(`#/run/${run.id}/waitfor?seq=${run.events + 1}`, base).href);
  await page.waitForFunction((t) => {
    const e = document.querySelector('#error');
    return !e.hidden && e.textContent !== '' && e.textContent !== t;
  }, {}, missing.error);
  assert.strictEqual(await banner(page), beyond.error);
  // The only failures are the requests the test made to fail.
  assert.deepStrictEqual(problems, [`404 /api/runs/${unknown}`, `400 /api/runs/${run.id}/state?seq=${run.events + 1}`]);
  await page.close();
});
