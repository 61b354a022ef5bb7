// The backlog mode of the bench (issue 3, item 3): does a request cost more when the queue
// is long? The queue is filled through the protocol to each level in turn (1,000, then
// 100,000, then 1,000,000 by default); at each level one client, alone, times get_queuelen,
// submit, get_submission and put_result, so the figures are the cost of a request and not
// queueing behind others. Then it uploads large files at once and reports how far the
// server's memory rose, which shows whether uploads are buffered in memory.
//   node dist/bench/main.js --backlog [--levels 1000,100000,1000000] [--probes 400]
import { Command, InvalidArgumentError } from 'commander';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { collect, envFromPairs, mib, positive } from './cli-values.js';
import { startFakeLms, type FakeLms } from './fake-lms.js';
import { BenchClient, formEncode, multipartBody, parseEnvelope, type Reply } from './http-client.js';
import { Ledger } from './ledger.js';
import { makeSubmission, qtimeNow, GRADER_REPLY } from './lms-submission.js';
import { describeMachine } from './machine.js';
import { ProcSampler, readProc } from './proc-sampler.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { Recorder, round, type Summary } from './stats.js';

interface BacklogOptions {
  levels: number[];
  probes: number;
  clients: number;
  uploads: number;
  uploadMib: number;
  queue: string;
  serverEnv: string[];
  json: boolean;
}

interface LevelReport {
  readonly queued: number;
  readonly fillSeconds: number;
  readonly latencyMs: Record<'get_queuelen' | 'submit' | 'get_submission' | 'put_result', Summary>;
  readonly serverRssMiB: number;
}

interface UploadReport {
  readonly uploads: number;
  readonly mibEach: number;
  readonly accepted: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  /** Peak growth divided by the number of uploads in flight together. */
  readonly growthPerUploadMiB: number;
}

const levelList = (v: string) => {
  const levels = v.split(',').map(Number);
  if (levels.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000_000)) throw new InvalidArgumentError('comma-separated integers');
  return levels.sort((a, b) => a - b);
};

function parseArgs(argv: string[]): BacklogOptions {
  return new Command('bench --backlog')
    .option('--backlog', 'this mode')
    .option('--levels <list>', 'queue lengths to measure at, in order', levelList, [1_000, 100_000, 1_000_000])
    .option('--probes <n>', 'timed rounds at each level', positive(), 400)
    .option('-c, --clients <n>', 'clients filling the queue', positive(), 16)
    .option('--uploads <n>', 'file submissions sent at once for the memory check', positive(), 16)
    .option('--upload-mib <n>', 'size of each uploaded file', positive(), 10)
    .option('--queue <name>', 'queue to use', 'openedx')
    .option('--server-env <KEY=VALUE>', 'setting for the server, repeatable', collect, [])
    .option('--json', 'print the report as JSON', false)
    .parse(argv)
    .opts<BacklogOptions>();
}

// Submission indexes pick the callback URL: the fill uses 0…level, the probes and uploads
// ranges far above it, so no submission supersedes another.
const PROBE_INDEX = 20_000_000;
const UPLOAD_INDEX = 10_000_000;

const accepted = (r: Reply) => r.status === 200 && parseEnvelope(r.text)?.return_code === 0;

async function fill(clients: BenchClient[], from: number, to: number, lms: FakeLms, queue: string): Promise<void> {
  const qtime = qtimeNow();
  let next = from;
  await Promise.all(
    clients.map(async (c) => {
      while (next < to) {
        const r = await c.post('/xqueue/submit/', makeSubmission(next++, lms.url, queue, qtime).form);
        if (!accepted(r)) throw new Error(`filling the queue: HTTP ${r.status} ${r.text.slice(0, 160)}`);
      }
    }),
  );
}

/** One client alone: get_queuelen, submit one, take the oldest and grade it; the length stays put. */
async function probe(c: BenchClient, rounds: number, first: number, lms: FakeLms, queue: string): Promise<LevelReport['latencyMs']> {
  const rec = { get_queuelen: new Recorder(), submit: new Recorder(), get_submission: new Recorder(), put_result: new Recorder() };
  const timed = async (r: Recorder, p: Promise<Reply>) => {
    const reply = await p;
    if (accepted(reply)) r.add(reply.ms);
    else r.errors++;
    return reply;
  };
  const qtime = qtimeNow();
  for (let i = 0; i < rounds; i++) {
    await timed(rec.get_queuelen, c.get(`/xqueue/get_queuelen/?queue_name=${encodeURIComponent(queue)}`));
    await timed(rec.submit, c.post('/xqueue/submit/', makeSubmission(first + i, lms.url, queue, qtime).form));
    const got = await timed(rec.get_submission, c.get(`/xqueue/get_submission/?queue_name=${encodeURIComponent(queue)}`));
    const content = parseEnvelope(got.text)?.content;
    if (typeof content !== 'string') continue;
    const header = (JSON.parse(content) as { xqueue_header: string }).xqueue_header;
    await timed(rec.put_result, c.post('/xqueue/put_result/', formEncode({ xqueue_header: header, xqueue_body: GRADER_REPLY })));
  }
  return {
    get_queuelen: rec.get_queuelen.summary(),
    submit: rec.submit.summary(),
    get_submission: rec.get_submission.summary(),
    put_result: rec.put_result.summary(),
  };
}

async function uploadCheck(clients: BenchClient[], server: ServerProcess, o: BacklogOptions, lms: FakeLms): Promise<UploadReport> {
  const content = randomBytes(o.uploadMib * 2 ** 20);
  const sampler = new ProcSampler(server.pid, 10).start();
  const before = readProc(server.pid)?.rssBytes;
  const qtime = qtimeNow();
  const replies = await Promise.all(
    clients.slice(0, o.uploads).map((c, i) => {
      const s = makeSubmission(UPLOAD_INDEX + i, lms.url, o.queue, qtime);
      const fields = Object.fromEntries(new URLSearchParams(s.form));
      return c.postMultipart('/xqueue/submit/', multipartBody(fields, { name: 'answer.bin', content }));
    }),
  );
  sampler.stop();
  const growth = Math.max(0, sampler.peakRssBytes - (before ?? 0));
  return {
    uploads: o.uploads,
    mibEach: o.uploadMib,
    accepted: replies.filter(accepted).length,
    rssBeforeMiB: mib(before),
    rssPeakMiB: mib(sampler.peakRssBytes),
    growthPerUploadMiB: mib(growth / o.uploads),
  };
}

function machineLine(): string {
  const m = describeMachine();
  return `${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}`;
}

function render(levels: LevelReport[], upload: UploadReport, serverNote: string): string {
  const cell = (s: Summary) => `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)}${s.errors ? ` (${s.errors} err)` : ''}`;
  const lines = [
    `Xqueue bench, backlog mode: ${serverNote}`,
    `machine: ${machineLine()}`,
    '',
    'latency p50 / p99 in ms, one client alone, at each queue length:',
    `  ${'queued'.padStart(9)}  ${'get_queuelen'.padEnd(16)}${'submit'.padEnd(16)}${'get_submission'.padEnd(16)}${'put_result'.padEnd(16)}RSS MiB  (filled in)`,
    ...levels.map(
      (l) =>
        `  ${l.queued.toLocaleString('en-US').padStart(9)}  ${cell(l.latencyMs.get_queuelen).padEnd(16)}${cell(l.latencyMs.submit).padEnd(16)}` +
        `${cell(l.latencyMs.get_submission).padEnd(16)}${cell(l.latencyMs.put_result).padEnd(16)}${String(l.serverRssMiB).padEnd(9)}${l.fillSeconds} s`,
    ),
    '',
    `uploads: ${upload.uploads} × ${upload.mibEach} MiB at once, ${upload.accepted} accepted; server RSS ${upload.rssBeforeMiB} → peak ${upload.rssPeakMiB} MiB, ` +
      `${upload.growthPerUploadMiB} MiB per upload in flight`,
  ];
  return lines.join('\n') + '\n';
}

export async function backlogMain(argv: string[]): Promise<void> {
  const o = parseArgs(argv);
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const env = envFromPairs(o.serverEnv);
  let server: ServerProcess | undefined;
  let lms: FakeLms | undefined;
  const clients: BenchClient[] = [];
  try {
    lms = await startFakeLms(new Ledger());
    server = await startServerProcess({ env });
    log(`started the server (pid ${server.pid}) at ${server.url}`);
    for (let i = 0; i < Math.max(o.clients, o.uploads); i++) {
      const c = new BenchClient(server.url, 120_000);
      await c.login(server.username, server.password);
      clients.push(c);
    }
    const levels: LevelReport[] = [];
    let queued = 0;
    for (const level of o.levels) {
      const started = performance.now();
      log(`filling the queue to ${level}`);
      await fill(clients.slice(0, o.clients), queued, level, lms, o.queue);
      const fillSeconds = round((performance.now() - started) / 1000, 1);
      queued = level;
      log(`probing at ${level}`);
      const latencyMs = await probe(clients[0]!, o.probes, PROBE_INDEX + level, lms, o.queue);
      levels.push({ queued: level, fillSeconds, latencyMs, serverRssMiB: mib(readProc(server.pid)?.rssBytes) });
    }
    log(`uploading ${o.uploads} × ${o.uploadMib} MiB`);
    const upload = await uploadCheck(clients, server, o, lms);
    const database = env.XQUEUE_DATABASE_URL?.replace(/\/\/[^@]*@/, '//…@') ?? `SQLite synchronous=${server.sqliteSynchronous}`;
    const note = `server started by the bench (${database})`;
    process.stdout.write(o.json ? JSON.stringify({ machine: describeMachine(), levels, upload }, null, 2) + '\n' : render(levels, upload, note));
  } finally {
    for (const c of clients) c.close();
    await lms?.close();
    if (server) log(`stopped the server: exit ${await server.stop()}`);
  }
}
