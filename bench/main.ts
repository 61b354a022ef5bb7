#!/usr/bin/env node
// `npm run bench`: a load generator that speaks only the public Xqueue protocol, as the LMS
// and the graders do (issue 3). It starts our server unless --url names another one,
// submits N LMS-shaped submissions from C clients, drains them with G graders, counts the
// callbacks on its own fake LMS, and reports throughput, latency, correctness and the
// server's memory and CPU. Exit 1 when a correctness check fails, 2 when the run could not
// be made; never for speed.
import { Command, Option } from 'commander';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect, envFromPairs, mib, positive } from './cli-values.js';
import { startFakeLms, type FakeLms } from './fake-lms.js';
import { runGraders } from './graders.js';
import type { BenchClient } from './http-client.js';
import { Ledger } from './ledger.js';
import { makeSubmission, qtimeNow } from './lms-submission.js';
import { describeMachine } from './machine.js';
import { ProcSampler } from './proc-sampler.js';
import { renderTable, type BenchReport, type ProcessUse } from './report.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { Recorder, round } from './stats.js';
import { loginClients, runSubmitters, type Target } from './submitters.js';

/** Time left after the graders finish for late duplicate or extra callbacks to show up. */
const SETTLE_MS = 300;
const SMOKE = { submissions: 200, clients: 4, graders: 2 } as const;

interface Options {
  url?: string;
  username?: string;
  password?: string;
  pid?: number;
  dbPid?: number;
  submissions: number;
  clients: number;
  graders: number;
  queue: string;
  timeout: number;
  requestTimeout: number;
  json: boolean;
  smoke: boolean;
  serverArg: string[];
  serverEnv: string[];
  keepData: boolean;
}


function parseArgs(argv: string[]): Options {
  const program = new Command('bench')
    .description('Load-test an Xqueue server over its public protocol (loopback only).')
    .option('--url <url>', 'measure this server instead of starting ours (needs --username and --password)')
    .option('--username <name>', 'account with the submitter and grader roles (with --url)')
    .option('--password <password>', 'its password (with --url)')
    .option('--pid <pid>', 'sample RSS and CPU of this process (with --url)', positive(2 ** 22))
    .option('--db-pid <pid>', 'sample RSS and CPU of the database server too (e.g. mariadbd)', positive(2 ** 22))
    .option('-n, --submissions <n>', 'submissions to send', positive(1_000_000), 20_000)
    .option('-c, --clients <n>', 'concurrent LMS clients, each on one connection', positive(256), 16)
    .option('-g, --graders <n>', 'concurrent graders, each on one connection', positive(256), 8)
    .option('--queue <name>', 'queue to submit to and pull from', 'openedx')
    .option('--timeout <seconds>', 'bound on the whole run', positive(3600), 300)
    .option('--request-timeout <ms>', 'bound on each request', positive(600_000), 10_000)
    .option('--json', 'print the report as JSON', false)
    .option('--smoke', `a tiny run to check the harness (n=${SMOKE.submissions}, c=${SMOKE.clients}, g=${SMOKE.graders})`, false)
    .option('--server-arg <flag>', 'node flag for the server we start, repeatable (e.g. --server-arg=--cpu-prof)', collect, [])
    .option('--server-env <KEY=VALUE>', 'setting for the server we start, repeatable (e.g. XQUEUE_SQLITE_SYNCHRONOUS=NORMAL)', collect, [])
    .addOption(new Option('--keep-data', 'keep the started server’s data dir').default(false))
    .showHelpAfterError()
    .parse(argv);
  const o = program.opts<Options>();
  if (o.smoke)
    for (const k of ['submissions', 'clients', 'graders'] as const) if (program.getOptionValueSource(k) === 'default') o[k] = SMOKE[k];
  if (o.url && (o.username === undefined || o.password === undefined)) program.error('--url needs --username and --password');
  if (o.url && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(o.url))
    program.error('--url must be a plain http:// base URL on loopback (127.0.0.0/8, localhost or [::1])');
  if (!o.url && o.pid !== undefined) program.error('--pid is for --url; the server the bench starts is sampled anyway');
  for (const kv of o.serverEnv) if (!/^[A-Z_][A-Z0-9_]*=/.test(kv)) program.error(`--server-env wants KEY=VALUE, got ${kv}`);
  return o;
}


/** Memory and CPU of a sampled process, by phase. */
function processUse(sampler: ProcSampler): ProcessUse {
  const m = sampler.marks;
  const cpuAt = (name: string) => m.get(name)?.cpuSeconds ?? 0;
  return {
    pid: sampler.pid,
    rssMiB: {
      start: mib(m.get('start')?.rssBytes),
      afterLogin: mib(m.get('submit')?.rssBytes),
      peak: mib(sampler.peakRssBytes),
      end: mib(m.get('end')?.rssBytes),
    },
    cpuSeconds: {
      total: round(cpuAt('end') - cpuAt('submit'), 2),
      submit: round(cpuAt('drain') - cpuAt('submit'), 2),
      drain: round(cpuAt('drained') - cpuAt('drain'), 2),
    },
    samples: sampler.sampleCount,
  };
}

async function run(o: Options): Promise<BenchReport> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const runDeadline = performance.now() + o.timeout * 1000;
  const loadBefore = loadavg()[0]!;
  const ledger = new Ledger();
  let lms: FakeLms | undefined;
  let server: ServerProcess | undefined;
  let sampler: ProcSampler | undefined;
  const dbSampler = o.dbPid === undefined ? undefined : new ProcSampler(o.dbPid);
  const clients: BenchClient[] = [];
  const stopOnSignal = () => {
    void server?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    lms = await startFakeLms(ledger);
    let target: Target;
    if (o.url) {
      target = { url: o.url.replace(/\/+$/, ''), username: o.username!, password: o.password!, timeoutMs: o.requestTimeout };
      if (o.pid !== undefined) sampler = new ProcSampler(o.pid).start();
    } else {
      server = await startServerProcess({ nodeArgs: o.serverArg, env: envFromPairs(o.serverEnv), keepDataDir: o.keepData });
      log(`started the server (pid ${server.pid}) at ${server.url}, data in ${server.dataDir}`);
      target = { url: server.url, username: server.username, password: server.password, timeoutMs: o.requestTimeout };
      sampler = new ProcSampler(server.pid).start();
    }
    dbSampler?.start();
    const samplers = [sampler, dbSampler];

    const qtime = qtimeNow();
    for (let i = 0; i < o.submissions; i++) ledger.add(makeSubmission(i, lms.url, o.queue, qtime));
    const login = new Recorder();
    clients.push(...(await loginClients(target, o.clients + o.graders, login)));
    const submitters = clients.slice(0, o.clients);
    const graders = clients.slice(o.clients);

    const rec = { submit: new Recorder(), getSubmission: new Recorder(), putResult: new Recorder() };
    const cpuBefore = process.cpuUsage();
    for (const x of samplers) x?.mark('submit');
    log(`submitting ${o.submissions} from ${o.clients} clients`);
    const submitted = await runSubmitters(submitters, ledger, rec.submit, runDeadline);
    for (const x of samplers) x?.mark('drain');
    log(`draining with ${o.graders} graders`);
    const drained = await runGraders(graders, o.queue, ledger, rec, runDeadline);
    const allCalledBack = await lms.waitForCallbacks(ledger.accepted, runDeadline);
    const drainEnd = allCalledBack ? lms.lastCallbackAt : performance.now();
    for (const x of samplers) x?.mark('drained');
    await sleep(SETTLE_MS);
    for (const x of samplers) x?.mark('end');
    for (const x of samplers) x?.stop();
    const cpu = process.cpuUsage(cpuBefore);

    const callback = new Recorder();
    let beforeReply = 0;
    for (const t of ledger.all)
      if (t.calledBackAt !== undefined && t.gradedAt !== undefined) {
        const d = t.calledBackAt - t.gradedAt;
        if (d < 0) beforeReply++;
        callback.add(Math.max(0, d));
      }

    const submitSeconds = (submitted.endedAt - submitted.startedAt) / 1000;
    const drainSeconds = Math.max(0.001, (drainEnd - drained.startedAt) / 1000);
    const failures: string[] = [];
    if (ledger.accepted < o.submissions) failures.push(`${o.submissions - ledger.accepted} submissions were not accepted`);
    if (ledger.graded < ledger.accepted) failures.push(`${ledger.accepted - ledger.graded} accepted submissions were not graded`);
    if (ledger.missingCallbacks > 0) failures.push(`${ledger.missingCallbacks} callbacks missing`);
    if (ledger.duplicateCallbacks > 0) failures.push(`${ledger.duplicateCallbacks} duplicate callbacks`);
    if (ledger.extraCallbacks > 0) failures.push(`${ledger.extraCallbacks} extra callbacks`);
    if (ledger.duplicateDeliveries > 0) failures.push(`${ledger.duplicateDeliveries} submissions handed to two graders at once`);
    if (ledger.redeliveriesAfterGrade > 0) failures.push(`${ledger.redeliveriesAfterGrade} graded submissions handed out again`);
    if (!allCalledBack) failures.push(`the run hit its ${o.timeout} s bound`);

    return {
      ok: failures.length === 0,
      failures,
      command: ['node', 'dist/bench/main.js', ...process.argv.slice(2)].join(' '),
      target: {
        url: target.url,
        startedByBench: server !== undefined,
        sqliteSynchronous: server?.sqliteSynchronous ?? null,
        serverNodeArgs: o.serverArg,
      },
      params: { submissions: o.submissions, clients: o.clients, graders: o.graders, queue: o.queue, timeoutS: o.timeout },
      machine: describeMachine(),
      loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) },
      submit: {
        attempted: o.submissions,
        accepted: ledger.accepted,
        seconds: round(submitSeconds),
        perSecond: Math.round(ledger.accepted / Math.max(0.001, submitSeconds)),
      },
      drain: {
        graded: ledger.graded,
        seconds: round(drainSeconds),
        callbacksPerSecond: Math.round(ledger.calledBack / drainSeconds),
        emptyPolls: drained.emptyPolls,
        staleKeys: drained.staleKeys,
        timedOut: !allCalledBack,
      },
      latencyMs: {
        login: login.summary(),
        submit: rec.submit.summary(),
        get_submission: rec.getSubmission.summary(),
        put_result: rec.putResult.summary(),
        callback: callback.summary(),
      },
      deliveries: { claims: ledger.claimsTotal, duplicate: ledger.duplicateDeliveries, afterGrade: ledger.redeliveriesAfterGrade },
      callbacks: {
        expected: ledger.accepted,
        received: ledger.callbacksReceived,
        distinct: ledger.calledBack,
        duplicate: ledger.duplicateCallbacks,
        missing: ledger.missingCallbacks,
        extra: ledger.extraCallbacks,
        beforeReply,
      },
      server: sampler ? processUse(sampler) : null,
      database: dbSampler ? processUse(dbSampler) : null,
      benchCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      problems: [...submitted.problems, ...drained.problems],
    };
  } finally {
    sampler?.stop();
    dbSampler?.stop();
    for (const c of clients) c.close();
    await lms?.close();
    if (server) log(`stopped the server: exit ${await server.stop()}`);
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
}

if (process.argv.includes('--backlog')) {
  // Backlog mode: request cost at growing queue lengths, and memory under large uploads.
  const { backlogMain } = await import('./backlog.js');
  await backlogMain(process.argv).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench: could not complete the run: ${(err as Error).message ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
if (process.argv.includes('--grading')) {
  // Grading mode: LMS-shaped submissions → our server → sandboxed workers → callbacks.
  const { gradingMain } = await import('./grading.js');
  await gradingMain(process.argv);
}
const options = parseArgs(process.argv);
run(options).then(
  (report) => {
    process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : renderTable(report));
    process.exitCode = report.ok ? 0 : 1;
  },
  (err: unknown) => {
    process.stderr.write(`bench: could not complete the run: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
