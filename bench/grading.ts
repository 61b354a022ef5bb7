// The grading mode of the bench (issue 5): LMS-shaped hello-world Python submissions go to
// our server, in-process workers grade them in the real sandbox, and a fake LMS counts the
// callbacks. Reports grades per second end to end, callback latency, and the sandbox's
// cost per run against a bare start of the same program.
//   node dist/bench/grading.js [-n 400] [--concurrency 2] [--submitters 4]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MAX_LIMITS } from '../src/grader/grade-env.js';
import { silentLogger } from '../src/grader/logger.js';
import { defaultLanguages } from '../src/grader/languages/registry.js';
import { DEFAULT_LIMITS } from '../src/grader/sandbox/limits.js';
import { createSandbox, type Sandbox } from '../src/grader/sandbox/sandbox.js';
import { Worker } from '../src/grader/worker.js';
import { BenchClient, formEncode } from './http-client.js';
import { readProc } from './proc-sampler.js';
import { startServerProcess } from './server-process.js';
import { Recorder, round, type Summary } from './stats.js';

export interface GradingBenchOptions {
  readonly submissions: number;
  /** Sandbox slots (grades at once). */
  readonly concurrency: number;
  /** Concurrent LMS clients submitting. */
  readonly submitters: number;
  /** Runs for the per-run overhead measurement. */
  readonly overheadRuns: number;
}

export interface GradingBenchReport {
  readonly submissions: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly gradesPerSecond: number;
  readonly correct: number;
  readonly wrongOrMissing: number;
  /** From submit to the LMS callback. */
  readonly latencyMs: Summary;
  /** Median wall time of `python3 -S hello.py`, bare and in the sandbox, one at a time. */
  readonly bareRunMs: number;
  readonly sandboxRunMs: number;
  readonly sandboxOverheadMs: number;
  /** Sandboxed runs per second with `concurrency` slots busy, no server involved. */
  readonly sandboxRunsPerSecond: number;
  /**
   * CPU milliseconds per grade during the graded phase: the server process, this process
   * (worker, submitters, fake LMS), and the whole machine (which also counts the sandboxed
   * programs, the process helper — and anything else running).
   */
  readonly cpuMsPerGrade: { readonly server: number; readonly benchProcess: number; readonly machine: number };
}

/** Busy CPU seconds of the whole machine since boot, from /proc/stat. */
function machineCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

const PAYLOAD = JSON.stringify({ output: 'hello world' });
const PROGRAM = "print('hello world')\n";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function bareRun(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-S', '-B', 'main.py'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

async function measureOverhead(sandbox: Sandbox, runs: number, concurrency: number) {
  const slot = await sandbox.slots.acquire();
  const dir = await sandbox.slots.workDir(slot);
  await writeFile(join(dir.path, 'main.py'), PROGRAM);
  const sandboxed = () => sandbox.run(slot, { argv: ['/usr/bin/python3', '-S', '-B', 'main.py'], workDir: dir.path, limits: DEFAULT_LIMITS });
  const bare: number[] = [];
  const boxed: number[] = [];
  // Interleaved, so background load affects both alike.
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await bareRun(dir.path);
    bare.push(performance.now() - t);
    t = performance.now();
    await sandboxed();
    boxed.push(performance.now() - t);
  }
  await dir.remove();
  sandbox.slots.release(slot);
  // Throughput with every slot busy.
  const perSlot = Math.max(10, Math.ceil(runs / 2));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const s = await sandbox.slots.acquire();
      const d = await sandbox.slots.workDir(s);
      await writeFile(join(d.path, 'main.py'), PROGRAM);
      for (let i = 0; i < perSlot; i++) await sandbox.run(s, { argv: ['/usr/bin/python3', '-S', '-B', 'main.py'], workDir: d.path, limits: DEFAULT_LIMITS });
      await d.remove();
      sandbox.slots.release(s);
    }),
  );
  const runsPerSecond = (perSlot * concurrency) / ((performance.now() - started) / 1000);
  return { bareRunMs: median(bare), sandboxRunMs: median(boxed), runsPerSecond };
}

/** A callback endpoint that records when each submission's result arrived and whether it was correct. */
async function startCallbackSink() {
  const arrived = new Map<string, { at: number; correct: boolean }>();
  let waiter: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const reply = new URLSearchParams(body).get('xqueue_body') ?? '';
      let correct = false;
      try {
        correct = (JSON.parse(reply) as { correct?: unknown }).correct === true;
      } catch {
        // counted as wrong
      }
      arrived.set(req.url ?? '', { at: performance.now(), correct });
      res.writeHead(200).end();
      waiter?.();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    arrived,
    async waitFor(n: number, timeoutMs: number) {
      const end = performance.now() + timeoutMs;
      while (arrived.size < n && performance.now() < end) {
        await new Promise<void>((r) => {
          waiter = r;
          setTimeout(r, 200);
        });
      }
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export async function runGradingBench(opts: GradingBenchOptions): Promise<GradingBenchReport> {
  const sandbox = await createSandbox({ concurrency: opts.concurrency });
  const overhead = await measureOverhead(sandbox, opts.overheadRuns, opts.concurrency);
  const server = await startServerProcess({ env: { XQUEUE_SQLITE_SYNCHRONOUS: 'NORMAL', XQUEUE_LOG_LEVEL: 'warn' } });
  const lms = await startCallbackSink();
  const worker = new Worker({
    watches: [{ server: { url: server.url, username: server.username, password: server.password }, queue: 'openedx', connections: opts.concurrency, handler: {} }],
    env: { sandbox, languages: defaultLanguages(), limits: DEFAULT_LIMITS, maxLimits: MAX_LIMITS, graderRoot: null },
    log: silentLogger,
    waitMs: 5000,
    maxInFlight: opts.concurrency,
  });
  try {
    worker.start();
    const clients = await Promise.all(
      Array.from({ length: opts.submitters }, async () => {
        const c = new BenchClient(server.url, 10_000);
        await c.login(server.username, server.password);
        return c;
      }),
    );
    const submittedAt = new Map<string, number>();
    let next = 0;
    const cpu0 = { server: readProc(server.pid)?.cpuSeconds ?? 0, bench: process.cpuUsage(), machine: machineCpuSeconds() };
    const started = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        for (let i = next++; i < opts.submissions; i = next++) {
          const path = `/courses/bench/xqueue/${i}/block/score_update`;
          const header = JSON.stringify({ lms_callback_url: lms.url + path, lms_key: randomBytes(16).toString('hex'), queue_name: 'openedx' });
          const body = JSON.stringify({
            grader_payload: PAYLOAD,
            student_info: JSON.stringify({ anonymous_student_id: randomBytes(16).toString('hex'), submission_time: '20260501101653', random_seed: 1 }),
            student_response: PROGRAM,
          });
          submittedAt.set(path, performance.now());
          const r = await c.post('/xqueue/submit/', formEncode({ xqueue_header: header, xqueue_body: body }));
          if (r.status !== 200) throw new Error(`submit failed: HTTP ${r.status}`);
        }
      }),
    );
    await lms.waitFor(opts.submissions, 120_000 + opts.submissions * 200);
    const benchCpu = process.cpuUsage(cpu0.bench);
    const perGrade = (seconds: number) => round((seconds * 1000) / Math.max(1, lms.arrived.size), 2);
    const cpuMsPerGrade = {
      server: perGrade((readProc(server.pid)?.cpuSeconds ?? 0) - cpu0.server),
      benchProcess: perGrade((benchCpu.user + benchCpu.system) / 1e6),
      machine: perGrade(machineCpuSeconds() - cpu0.machine),
    };
    const last = Math.max(...[...lms.arrived.values()].map((a) => a.at));
    const seconds = (last - started) / 1000;
    const latency = new Recorder();
    let correct = 0;
    for (const [path, a] of lms.arrived) {
      const t = submittedAt.get(path);
      if (t !== undefined) latency.add(a.at - t);
      if (a.correct) correct++;
    }
    clients.forEach((c) => c.close());
    return {
      submissions: opts.submissions,
      concurrency: opts.concurrency,
      seconds: round(seconds),
      gradesPerSecond: round(lms.arrived.size / seconds, 1),
      correct,
      wrongOrMissing: opts.submissions - correct,
      latencyMs: latency.summary(),
      bareRunMs: round(overhead.bareRunMs, 2),
      sandboxRunMs: round(overhead.sandboxRunMs, 2),
      sandboxOverheadMs: round(overhead.sandboxRunMs - overhead.bareRunMs, 2),
      sandboxRunsPerSecond: round(overhead.runsPerSecond, 1),
      cpuMsPerGrade,
    };
  } finally {
    await worker.stop();
    await sandbox.dispose();
    await lms.close();
    await server.stop();
  }
}

/** `npm run bench -- --grading [-n N] [--concurrency K] [--submitters S] [--overhead-runs R]`. */
export async function gradingMain(argv: readonly string[]): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i > 0 ? Number(argv[i + 1]) : fallback;
  };
  const report = await runGradingBench({
    submissions: arg('-n', 400),
    concurrency: arg('--concurrency', availableParallelism()),
    submitters: arg('--submitters', 4),
    overheadRuns: arg('--overhead-runs', 60),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.wrongOrMissing === 0 ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await gradingMain(process.argv);
