// gorewind dap judged by a real Debug Adapter Protocol client:
// @vscode/debugadapter-testsupport's DebugClient, the one VS Code's own
// adapters are tested with. Run by tests/dap_test.sh (ctest entry dap,
// label node) with GOREWIND_BIN and GOREWIND_SOURCE_DIR set.
'use strict';
const assert = require('node:assert');
const { test } = require('node:test');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const bin = process.env.GOREWIND_BIN;
const root = process.env.GOREWIND_SOURCE_DIR;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gorewind-dap-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
const db = path.join(work, 'log.db');
const source = path.join(root, 'scenarios', 'close_twice.cpp');

// frame() is text as one message on the wire.
const frame = (text) => `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;

// record() records a scenario into the test's log and returns the run's id.
function record(...args) {
  const r = cp.spawnSync(bin, ['record', ...args, '--db', db, '--json'], { encoding: 'utf8' });
  return JSON.parse(r.stdout).run;
}

// open() is a client on a fresh adapter, launched on run and stopped where
// the launch stops (the failure, by default).
async function open(run, extra = {}) {
  const dc = new DebugClient(bin, 'dap', 'gorewind', { cwd: root });
  await dc.start();
  const [, , stopped] = await Promise.all([
    dc.configurationSequence(),
    dc.launch({ db, run, sourceRoot: root, ...extra }),
    dc.waitForEvent('stopped'),
  ]);
  return { dc, stopped };
}

async function seq(dc) {
  return Number((await dc.evaluateRequest({ expression: 'seq', context: 'watch' })).body.result);
}

test('a failing run opens at its failure, then travels back to a breakpoint and steps both ways', async () => {
  const run = record('close_twice');
  const { dc, stopped } = await open(run);
  // close_twice: the second close panics at seq 17, in the second worker.
  assert.strictEqual(stopped.body.reason, 'exception');
  assert.strictEqual(stopped.body.text, 'panic: close of closed channel');
  assert.strictEqual(await seq(dc), 17);
  const info = await dc.exceptionInfoRequest({ threadId: stopped.body.threadId });
  assert.strictEqual(info.body.exceptionId, 'panic');
  assert.strictEqual(info.body.description, 'close of closed channel');

  const threads = (await dc.threadsRequest()).body.threads;
  assert.deepStrictEqual(threads.map((t) => t.name), ['g1 main [runnable]', 'g3 worker_b [running]']);
  assert.strictEqual(stopped.body.threadId, 3);
  const top = (await dc.stackTraceRequest({ threadId: 3 })).body.stackFrames[0];
  assert.strictEqual(top.source.path, source);
  assert.strictEqual(top.line, 18);

  // A breakpoint on the close; back to the first worker's close there.
  const set = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: 18 }, { line: 99 }] });
  assert.deepStrictEqual(set.body.breakpoints.map((b) => b.verified), [true, false]);
  assert.match(set.body.breakpoints[1].message, /no event of the log is at scenarios\/close_twice.cpp:99/);
  const [, back] = await Promise.all([dc.reverseContinueRequest({ threadId: 3 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(back.body.reason, 'breakpoint');
  assert.deepStrictEqual(back.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
  assert.strictEqual(back.body.threadId, 2);
  assert.strictEqual(await seq(dc), 10);
  const frames = (await dc.stackTraceRequest({ threadId: 2 })).body.stackFrames;
  assert.strictEqual(frames[0].line, 18);
  assert.strictEqual(frames[0].source.path, source);

  // The state there: worker_a running its close, the done channel open.
  const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
  assert.deepStrictEqual(scopes.map((s) => s.name), ['Goroutine', 'Watched', 'Channels', 'Locks']);
  const vars = async (ref) => (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  const goroutine = Object.fromEntries((await vars(scopes[0].variablesReference)).map((v) => [v.name, v.value]));
  assert.strictEqual(goroutine.name, 'worker_a');
  assert.strictEqual(goroutine.status, 'running');
  assert.strictEqual(goroutine.site, 'scenarios/close_twice.cpp:18');
  assert.strictEqual(goroutine['created by'], 'goroutine 1');
  const channels = await vars(scopes[2].variablesReference);
  assert.deepStrictEqual(channels.map((c) => [c.name, c.value]), [['done', 'chan int (0/0, closed)']]);
  const inside = Object.fromEntries((await vars(channels[0].variablesReference)).map((v) => [v.name, v.value]));
  assert.strictEqual(inside.closed, 'true');

  // stepBack is reverse-step, stepIn step: one event each way.
  await Promise.all([dc.stepBackRequest({ threadId: 2 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(await seq(dc), 9);
  await Promise.all([dc.stepInRequest({ threadId: 2 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(await seq(dc), 10);
  // next: the goroutine's next event; continue: on to the next breakpoint.
  await Promise.all([dc.nextRequest({ threadId: 2 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(await seq(dc), 11);
  const [, again] = await Promise.all([dc.continueRequest({ threadId: 2 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(again.body.reason, 'breakpoint');
  assert.strictEqual(await seq(dc), 17);

  // goto: the events on a line, then any of them.
  const targets = (await dc.gotoTargetsRequest({ source: { path: source }, line: 18 })).body.targets;
  assert.deepStrictEqual(targets.map((t) => t.id), [9, 10, 17]);
  await Promise.all([dc.gotoRequest({ threadId: 1, targetId: 9 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(await seq(dc), 9);
  // The Debug Console takes the REPL's commands, there; a move it makes is
  // the editor's too.
  const listing = (await dc.evaluateRequest({ expression: 'goroutines', context: 'repl' })).body.result;
  assert.match(listing, /goroutine 2 \[running\]:\nworker_a\n\tscenarios\/close_twice.cpp:18/);
  const [moved] = await Promise.all([dc.evaluateRequest({ expression: 'back', context: 'repl' }), dc.waitForEvent('stopped')]);
  assert.match(moved.body.result, /^ 8 .* g1 main +switch/);
  assert.strictEqual(await seq(dc), 8);
  await Promise.all([dc.gotoRequest({ threadId: 1, targetId: 9 }), dc.waitForEvent('stopped')]);
  // A condition in the breakpoint language, evaluated here.
  assert.strictEqual((await dc.evaluateRequest({ expression: 'goroutine == 2' })).body.result, 'true');
  await assert.rejects(dc.evaluateRequest({ expression: 'nosuchname' }));
  // disconnect ends the session, and the adapter with it.
  await Promise.all([dc.disconnectRequest({}), dc.waitForEvent('terminated')]);
});

test('a launch by scenario records first, then debugs the new run', async () => {
  const dc = new DebugClient(bin, 'dap', 'gorewind', { cwd: root });
  await dc.start();
  const recorded = dc.assertOutput('console', 'recorded run ');
  const [, , stopped] = await Promise.all([
    dc.configurationSequence(),
    dc.launch({ db, scenario: 'close_twice', seed: 4, sourceRoot: root }),
    dc.waitForEvent('stopped'),
  ]);
  await recorded;
  assert.strictEqual(stopped.body.reason, 'exception');
  assert.strictEqual(stopped.body.text, 'panic: close of closed channel');
  // The run it recorded is the log's newest, the same as `record` makes.
  const runs = JSON.parse(cp.spawnSync(bin, ['runs', '--db', db, '--json'], { encoding: 'utf8' }).stdout).runs;
  const newest = runs[runs.length - 1];
  assert.strictEqual(newest.scenario, 'close_twice');
  assert.strictEqual(newest.seed, 4);
  assert.strictEqual(await seq(dc), newest.events);
  await dc.stop();

  // A scenario the program lacks: the launch fails with the program's line.
  const bad = new DebugClient(bin, 'dap', 'gorewind', { cwd: root });
  await bad.start();
  await bad.initializeRequest();
  await assert.rejects(bad.launchRequest({ db, scenario: 'no_such_scenario' }), /recorded no run \(exit 2\): .*no_such_scenario/);
  await bad.stop();
});

test('on Go\'s scheduler the threads come grouped by M; a breakpoint condition reads the M', async () => {
  // runq_backlog on four Ps fails when the handler g10, run by M2 on P2,
  // has waited 20ms: it alone has an M there, the other Ps between goroutines.
  const run = record('runq_backlog', '--procs', '4');
  const { dc, stopped } = await open(run);
  assert.strictEqual(stopped.body.threadId, 10);
  const names = (await dc.threadsRequest()).body.threads.map((t) => t.name);
  assert.deepStrictEqual(names.slice(0, 3),
    ['M2 P2: g10 handler [running]', 'g1 main [sync.WaitGroup.Wait on all]', 'g2 batch [runnable]']);
  assert.strictEqual(names.length, 20);
  const handler = path.join(root, 'scenarios', 'runq_backlog.cpp');
  const line = fs.readFileSync(handler, 'utf8').split('\n').findIndex((l) => l.includes('gr::work(service)')) + 1;
  await dc.setBreakpointsRequest({ source: { path: handler }, breakpoints: [{ line, condition: 'm == 1' }] });
  const [, back] = await Promise.all([dc.reverseContinueRequest({ threadId: 10 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(back.body.reason, 'breakpoint');
  const where = (await dc.evaluateRequest({ expression: 'm', context: 'watch' })).body.result;
  assert.strictEqual(where, '1');
  await dc.stop();
});

test('conditions, hit counts and logpoints', async () => {
  const run = record('close_twice');
  const { dc } = await open(run, { stopOnEntry: true });
  assert.strictEqual(await seq(dc), 0);
  // Line 18 has three events (seqs 9, 10, 17): the second hit of those by
  // goroutine 2 is its close, seq 10; a logpoint on line 19 prints and goes on.
  const set = await dc.setBreakpointsRequest({
    source: { path: source },
    breakpoints: [{ line: 18, condition: 'goroutine == 2', hitCondition: '2' }, { line: 19, logMessage: 'wg.done' }],
  });
  assert.deepStrictEqual(set.body.breakpoints.map((b) => b.verified), [true, true]);
  const logged = dc.assertOutput('console', 'wg.done');
  await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(await seq(dc), 10);
  await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  await logged;
  // Past the logpoint (seq 11) to the failure.
  assert.strictEqual(await seq(dc), 17);
  const bad = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: 18, condition: 'goroutine ==' }] });
  assert.strictEqual(bad.body.breakpoints[0].verified, false);
  await dc.stop();
});

test('function and exception breakpoints, pause, a deadlock\'s wait-for graph, terminate', async () => {
  const run = record('close_twice');
  const { dc } = await open(run, { stopOnEntry: true });
  // main's function: its first event there is the channel's make, seq 3.
  const fn = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'gorewind_scenario_body_0' }, { name: 'nosuch' }] });
  assert.deepStrictEqual(fn.body.breakpoints.map((b) => b.verified), [true, false]);
  const [, hit] = await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(hit.body.reason, 'breakpoint');
  assert.strictEqual(await seq(dc), 3);
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  // With panic off, a forward move does not stop at the failure as one.
  await dc.setExceptionBreakpointsRequest({ filters: ['deadlock', 'leak'] });
  const [, end] = await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(end.body.reason, 'step');
  assert.strictEqual(end.body.description, 'seq 17 of 17 (the end)');
  const [, paused] = await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  assert.strictEqual(paused.body.reason, 'pause');
  const [, exited] = await Promise.all([dc.terminateRequest({}), dc.waitForEvent('exited'), dc.waitForEvent('terminated')]);
  assert.strictEqual(exited.body.exitCode, 1);

  // A deadlock's exception info carries its wait-for graph.
  const deadlock = record('dining_philosophers', '--seed', '9');
  const other = await open(deadlock);
  assert.strictEqual(other.stopped.body.reason, 'exception');
  const info = await other.dc.exceptionInfoRequest({ threadId: other.stopped.body.threadId });
  assert.strictEqual(info.body.exceptionId, 'deadlock');
  assert.match(info.body.details.stackTrace, /cycle: g\d+ philosopher\d/);
  await other.dc.stop();
});

// listen() starts `gorewind dap --listen 127.0.0.1:0 --accept-multiclient`
// and resolves to the server process and its port once it is ready (its
// first line says where it listens).
function listen() {
  const server = cp.spawn(bin, ['dap', '--listen', '127.0.0.1:0', '--accept-multiclient'], { cwd: root });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /^listening on 127\.0\.0\.1:(\d+)\n/.exec(out);
      if (m) resolve({ server, port: Number(m[1]) });
    });
    server.on('exit', (code) => reject(new Error(`dap --listen exited with ${code} before listening`)));
  });
}

test('two clients on one --listen server, each at its own position', async () => {
  const run = record('close_twice');
  const { server, port } = await listen();
  try {
    const clients = [];
    for (let i = 0; i < 2; ++i) {
      const dc = new DebugClient(bin, 'dap', 'gorewind');
      await dc.start(port);
      await Promise.all([dc.configurationSequence(), dc.launch({ db, run, sourceRoot: root }), dc.waitForEvent('stopped')]);
      clients.push(dc);
    }
    const [a, b] = clients;
    // The first goes back to the first worker's close; the second stays at
    // the failure, then steps back on its own.
    await a.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: 18 }] });
    await Promise.all([a.reverseContinueRequest({ threadId: 3 }), a.waitForEvent('stopped')]);
    assert.strictEqual(await seq(a), 10);
    assert.strictEqual(await seq(b), 17);
    await Promise.all([b.stepBackRequest({ threadId: 3 }), b.waitForEvent('stopped')]);
    assert.strictEqual(await seq(b), 16);
    assert.strictEqual(await seq(a), 10);
    assert.deepStrictEqual((await a.threadsRequest()).body.threads.map((t) => t.name),
      ['g1 main [runnable]', 'g2 worker_a [running]']);
    // A client that vanishes mid-message, and one that sends a broken
    // header, leave the others served.
    for (const bytes of [frame('{"seq":1,"type":"request","command":"initialize"}').slice(0, 40), 'Content-Length: x\r\n\r\n']) {
      await new Promise((resolve) => {
        const s = require('node:net').createConnection(port, '127.0.0.1', () => s.end(bytes));
        s.on('close', resolve);
        s.resume();
      });
    }
    assert.strictEqual(await seq(b), 16);
    // One client leaving leaves the other served.
    await Promise.all([a.disconnectRequest({}), a.waitForEvent('terminated')]);
    assert.strictEqual(await seq(b), 16);
    await Promise.all([b.disconnectRequest({}), b.waitForEvent('terminated')]);
  } finally {
    server.kill();
  }
});

// raw() runs an adapter, writes bytes to it, and returns what it answered
// (its messages, parsed) and its exit code.
function raw(bytes) {
  const r = cp.spawnSync(bin, ['dap'], { input: bytes, encoding: 'utf8' });
  const messages = [];
  let rest = r.stdout;
  for (let m; (m = /^Content-Length: (\d+)\r\n\r\n/.exec(rest)); ) {
    const start = m[0].length;
    messages.push(JSON.parse(rest.substr(start, Number(m[1]))));
    rest = rest.substr(start + Number(m[1]));
  }
  return { messages, status: r.status, stderr: r.stderr };
}

test('bad input: an error response and the session goes on, or a clean close', () => {
  const r = raw(
    frame('{"seq":1,"type":"request","command":"threads"}') +
      frame('{"seq":2,"type":"request","command":"initialize","arguments":{}}') +
      frame('{not json') +
      frame('{"seq":4,"type":"request","command":"frobnicate"}') +
      frame('{"seq":5,"type":"event","event":"x"}') +
      frame('{"seq":6,"type":"request","command":"launch","arguments":{"db":"/nonexistent/x.db","run":1}}') +
      frame('{"seq":7,"type":"request","command":"threads"}') +
      frame('{"seq":8,"type":"request","command":"disconnect"}'),
  );
  assert.strictEqual(r.status, 0);
  const responses = r.messages.filter((m) => m.type === 'response');
  assert.deepStrictEqual(responses.map((m) => [m.command, m.success]), [
    ['threads', false], ['initialize', true], ['', false], ['frobnicate', false], ['', false],
    ['launch', false], ['threads', false], ['disconnect', true],
  ]);
  assert.match(responses[0].message, /initialize first/);
  assert.match(responses[2].message, /broken JSON/);
  assert.match(responses[3].message, /unknown request 'frobnicate'/);
  assert.match(responses[6].message, /launch a run first/);
  // A header whose length is not a number loses the message boundaries: the
  // adapter says so on stderr and closes, exit 2; one cut short, the same.
  for (const bad of ['Content-Length: ten\r\n\r\n{}', frame('{"seq":1,"type":"request","command":"initialize"}').slice(0, 30)]) {
    const c = raw(bad);
    assert.strictEqual(c.status, 2);
    assert.match(c.stderr, /dap: .*; closing/);
  }
});
