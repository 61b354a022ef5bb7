// CI's bench smoke: a tiny run of `npm run bench` against our own server, checking that the
// harness works end to end (every submission submitted, graded and called back exactly
// once, figures for every endpoint). It checks no speed: CI machines vary.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('../../dist/bench/main.js', import.meta.url));

interface Report {
  ok: boolean;
  failures: string[];
  params: { submissions: number };
  submit: { accepted: number; perSecond: number };
  drain: { graded: number; callbacksPerSecond: number; timedOut: boolean };
  latencyMs: Record<string, { count: number; p50: number; p90: number; p99: number }>;
  deliveries: { duplicate: number };
  callbacks: { expected: number; distinct: number; received: number; duplicate: number; missing: number; extra: number };
  server: { rssMiB: { start: number; peak: number; end: number }; cpuSeconds: { total: number } } | null;
  machine: { cores: number; node: string };
  target: { startedByBench: boolean; sqliteSynchronous: string | null };
}

function runBench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BENCH, ...args], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench --smoke', () => {
  it('submits, grades and calls back every submission exactly once, with figures for each endpoint', { timeout: 120_000 }, async () => {
    expect(existsSync(BENCH), 'dist/bench/main.js (npm test builds it in pretest)').toBe(true);
    const { code, stdout, stderr } = await runBench(['--smoke', '--json', '--timeout', '60']);
    expect(code, stderr).toBe(0);
    const r = JSON.parse(stdout) as Report;
    const n = r.params.submissions;
    expect(n).toBe(200);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.target).toMatchObject({ startedByBench: true, sqliteSynchronous: expect.stringMatching(/^(FULL|NORMAL)$/) });
    expect(r.submit.accepted).toBe(n);
    expect(r.drain.graded).toBe(n);
    expect(r.drain.timedOut).toBe(false);
    expect(r.callbacks).toMatchObject({ expected: n, distinct: n, received: n, duplicate: 0, missing: 0, extra: 0 });
    expect(r.deliveries.duplicate).toBe(0);
    for (const endpoint of ['submit', 'get_submission', 'put_result', 'callback']) {
      const s = r.latencyMs[endpoint]!;
      expect(s.count, endpoint).toBeGreaterThanOrEqual(n);
      for (const q of [s.p50, s.p90, s.p99]) expect(Number.isFinite(q) && q >= 0, endpoint).toBe(true);
      expect(s.p50).toBeLessThanOrEqual(s.p99);
    }
    expect(r.submit.perSecond).toBeGreaterThan(0);
    expect(r.drain.callbacksPerSecond).toBeGreaterThan(0);
    expect(r.server?.rssMiB.peak).toBeGreaterThan(0);
    expect(r.server?.cpuSeconds.total).toBeGreaterThan(0);
    expect(r.machine.cores).toBeGreaterThan(0);
  });

  it('refuses a server off loopback and --url without credentials, before sending anything', async () => {
    const remote = await runBench(['--url', 'http://10.0.0.1:8000', '--username', 'a', '--password', 'b']);
    expect(remote.code).not.toBe(0);
    expect(remote.stderr).toMatch(/loopback/);
    const bare = await runBench(['--url', 'http://127.0.0.1:9']);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/--username and --password/);
  });
});
