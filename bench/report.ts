// The bench's result: one plain object (printed as JSON with --json) and a readable table
// that puts each figure beside the target of issue 3.
import type { Machine } from './machine.js';
import type { Summary } from './stats.js';

export interface BenchReport {
  /** False when a correctness check failed; speed never makes it false. */
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly command: string;
  readonly target: {
    readonly url: string;
    readonly startedByBench: boolean;
    /** Known only for a server the bench started. */
    readonly sqliteSynchronous: string | null;
    readonly serverNodeArgs: readonly string[];
  };
  readonly params: { readonly submissions: number; readonly clients: number; readonly graders: number; readonly queue: string; readonly timeoutS: number };
  readonly machine: Machine;
  /** 1-minute load average before and after the run: other work on the machine skews every figure. */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly submit: { readonly attempted: number; readonly accepted: number; readonly seconds: number; readonly perSecond: number };
  readonly drain: {
    readonly graded: number;
    readonly seconds: number;
    /** Callbacks delivered per second, from the start of the drain to the last callback. */
    readonly callbacksPerSecond: number;
    readonly emptyPolls: number;
    readonly staleKeys: number;
    readonly timedOut: boolean;
  };
  readonly latencyMs: {
    readonly login: Summary;
    readonly submit: Summary;
    readonly get_submission: Summary;
    readonly put_result: Summary;
    /** From put_result's reply reaching the grader to the callback reaching the LMS. */
    readonly callback: Summary;
  };
  readonly deliveries: { readonly claims: number; readonly duplicate: number; readonly afterGrade: number };
  readonly callbacks: {
    readonly expected: number;
    readonly received: number;
    readonly distinct: number;
    readonly duplicate: number;
    readonly missing: number;
    readonly extra: number;
    /** Callbacks that arrived before the grader had put_result's reply (latency counted as 0). */
    readonly beforeReply: number;
  };
  readonly server: ProcessUse | null;
  /** The database server's process, when --db-pid names it (MariaDB; SQLite runs inside the server). */
  readonly database: ProcessUse | null;
  readonly benchCpuSeconds: number;
  readonly problems: readonly string[];
}

export interface ProcessUse {
  readonly pid: number;
  /** afterLogin: once every client has logged in, before the first submission. */
  readonly rssMiB: { readonly start: number; readonly afterLogin: number; readonly peak: number; readonly end: number };
  readonly cpuSeconds: { readonly total: number; readonly submit: number; readonly drain: number };
  readonly samples: number;
}

/** Throughput targets per second: issue 3 for the embedded SQLite, issue 4 for MariaDB. */
const TARGETS = { sqlite: { submit: 8000, graded: 3000 }, mysql: { submit: 2000, graded: 1000 } } as const;

const num = (v: number, digits = 0) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const lat = (s: Summary) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} ms  (n=${s.count}${s.errors ? `, ${s.errors} errors` : ''})`;
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

export function renderTable(r: BenchReport): string {
  const rows: Array<[string, string, string]> = [];
  const add = (metric: string, value: string, target = '') => rows.push([metric, value, target]);
  const l = r.latencyMs;
  const t = r.target.startedByBench && r.target.sqliteSynchronous === null ? TARGETS.mysql : TARGETS.sqlite;
  add('submit throughput', `${num(r.submit.perSecond)} /s  (${r.submit.accepted}/${r.submit.attempted} in ${r.submit.seconds.toFixed(2)} s)`, `≥ ${num(t.submit)} /s  ${mark(r.submit.perSecond >= t.submit)}`);
  add('graded throughput', `${num(r.drain.callbacksPerSecond)} /s  (${r.callbacks.distinct} callbacks in ${r.drain.seconds.toFixed(2)} s)`, `≥ ${num(t.graded)} /s  ${mark(r.drain.callbacksPerSecond >= t.graded)}`);
  add('submit p50/p90/p99', lat(l.submit), `p99 < 10 ms  ${mark(l.submit.p99 < 10)}`);
  add('get_submission p50/p90/p99', lat(l.get_submission), `p99 < 10 ms  ${mark(l.get_submission.p99 < 10)}`);
  add('put_result p50/p90/p99', lat(l.put_result), `p99 < 10 ms  ${mark(l.put_result.p99 < 10)}`);
  add('put_result → callback p50/p90/p99', lat(l.callback), `p50 < 5 ms  ${mark(l.callback.p50 < 5)}`);
  add('login p50/p99', `${ms(l.login.p50)} / ${ms(l.login.p99)} ms  (n=${l.login.count})`);
  add('duplicate deliveries', `${r.deliveries.duplicate}  (${r.deliveries.claims} claims, ${r.deliveries.afterGrade} after grading)`, `0  ${mark(r.deliveries.duplicate === 0)}`);
  add('callbacks', `${r.callbacks.distinct} of ${r.callbacks.expected}  (${r.callbacks.received} received)`);
  add('missing / duplicate / extra callbacks', `${r.callbacks.missing} / ${r.callbacks.duplicate} / ${r.callbacks.extra}`, `0 / 0 / 0  ${mark(r.callbacks.missing + r.callbacks.duplicate + r.callbacks.extra === 0)}`);
  add('empty polls / stale keys', `${r.drain.emptyPolls} / ${r.drain.staleKeys}`);
  if (r.server) {
    const s = r.server;
    add('server RSS start / after login / peak / end', `${s.rssMiB.start} / ${s.rssMiB.afterLogin} / ${s.rssMiB.peak} / ${s.rssMiB.end} MiB`, `end ≤ 100 MiB  ${mark(s.rssMiB.end <= 100)}`);
    add('server CPU total (submit, drain)', `${s.cpuSeconds.total.toFixed(2)} s  (${s.cpuSeconds.submit.toFixed(2)}, ${s.cpuSeconds.drain.toFixed(2)})`);
  } else add('server RSS / CPU', 'not sampled (no --pid)');
  if (r.database) {
    const d = r.database;
    add('database RSS start / peak / end', `${d.rssMiB.start} / ${d.rssMiB.peak} / ${d.rssMiB.end} MiB`);
    add('database CPU total (submit, drain)', `${d.cpuSeconds.total.toFixed(2)} s  (${d.cpuSeconds.submit.toFixed(2)}, ${d.cpuSeconds.drain.toFixed(2)})`);
  }
  add('bench CPU', `${r.benchCpuSeconds.toFixed(2)} s`);

  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = [
    `Xqueue bench: ${r.params.submissions} submissions, ${r.params.clients} clients, ${r.params.graders} graders, queue ${r.params.queue}`,
    `server: ${r.target.url} (${r.target.startedByBench ? `started by the bench, ${r.target.sqliteSynchronous === null ? 'MySQL' : `SQLite synchronous=${r.target.sqliteSynchronous}`}` : 'external'})` +
      (r.target.serverNodeArgs.length ? `, node ${r.target.serverNodeArgs.join(' ')}` : ''),
    `machine: ${r.machine.cores} cores, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, node ${r.machine.node}; ` +
      `load average ${r.loadAverage.before.toFixed(2)} before, ${r.loadAverage.after.toFixed(2)} after`,
    '',
    ...rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd()),
  ];
  if (r.problems.length) lines.push('', 'first problems seen:', ...r.problems.map((p) => `  ${p}`));
  lines.push('', r.ok ? 'correctness: ok' : `correctness: FAILED\n${r.failures.map((f) => `  ${f}`).join('\n')}`);
  return lines.join('\n') + '\n';
}
