// The worker against a fake legacy Xqueue server: login handshake, grading, re-login,
// wrong credentials, restarts, malformed payloads, internal errors, long-poll, stop().
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GradeEnv } from '../../src/grader/grade-env.js';
import type { Sandbox } from '../../src/grader/sandbox/sandbox.js';
import { Worker, type WorkerOptions } from '../../src/grader/worker.js';
import { silentLogger } from '../../src/grader/logger.js';
import { lmsBody, startFakeXqueue, type FakeXqueue } from './fake-xqueue.js';
import { makeEnv } from './helpers.js';

let env: GradeEnv;
let fake: FakeXqueue;
let worker: Worker | undefined;

beforeAll(async () => {
  env = await makeEnv({ concurrency: 2 });
});
afterAll(async () => {
  await env?.sandbox.dispose();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await fake?.close();
});

function startWorker(over: Partial<WorkerOptions> = {}, password = 'secret'): Worker {
  worker = new Worker({
    watches: [{ server: { url: fake.url, username: 'lms', password }, queue: 'openedx', connections: 2, handler: {} }],
    env,
    log: silentLogger,
    pollIntervalMs: 50,
    maxIdleMs: 200,
    loginRetryMs: 200,
    ...over,
  });
  worker.start();
  return worker;
}

const hello = { output: 'hello world' };
const parse = (body: string) => JSON.parse(body) as { correct: boolean | null; score: number; msg: string };

describe('worker', () => {
  it('logs in with the CSRF handshake, grades, and echoes the header verbatim', async () => {
    fake = await startFakeXqueue();
    const good = fake.submit(lmsBody(hello, "print('hello world')"));
    const bad = fake.submit(lmsBody(hello, "print('bye')"));
    startWorker();
    await fake.waitResults(2);
    expect(fake.logins.length).toBeGreaterThanOrEqual(1);
    expect(fake.logins.every((l) => l.ok && l.csrfHeader && l.referer === `${fake.url}/xqueue/login/`)).toBe(true);
    const byId = new Map(fake.results.map((r) => [r.id, r]));
    expect(byId.get(good)!.body).toMatch(/^\{"correct": true, "score": 1\.0, "msg": "/);
    expect(parse(byId.get(bad)!.body)).toMatchObject({ correct: false, score: 0 });
    expect(parse(byId.get(bad)!.body).msg).toContain('INCORRECT');
    expect(JSON.parse(byId.get(good)!.header)).toMatchObject({ submission_id: good });
  });

  it('logs in again when its session expires', async () => {
    fake = await startFakeXqueue();
    startWorker();
    fake.submit(lmsBody(hello, "print('hello world')"));
    await fake.waitResults(1);
    const before = fake.logins.length;
    fake.expireSessions();
    fake.submit(lmsBody(hello, "print('hello world')"));
    await fake.waitResults(2);
    expect(fake.logins.length).toBeGreaterThan(before);
  });

  it('does not storm a server that keeps redirecting: one re-login per poll, then backs off', async () => {
    fake = await startFakeXqueue();
    fake.forceStatus = 302;
    startWorker({ watches: [{ server: { url: fake.url, username: 'lms', password: 'secret' }, queue: 'openedx', connections: 1, handler: {} }] });
    await new Promise((r) => setTimeout(r, 1000));
    const stats = worker!.stats;
    expect(stats.pollErrors).toBeGreaterThan(0);
    // Each failed poll costs at most the initial login plus one re-login.
    expect(fake.logins.length).toBeLessThanOrEqual(2 * stats.pollErrors + 2);
    expect(fake.logins.length).toBeLessThan(20);
  });

  it('with wrong credentials posts nothing and retries the login slowly', async () => {
    fake = await startFakeXqueue();
    fake.submit(lmsBody(hello, "print('hello world')"));
    startWorker({}, 'wrong');
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.results).toEqual([]);
    expect(fake.logins.every((l) => !l.ok)).toBe(true);
    // Two pollers, a login retry every 200 ms: a handful of attempts, not hundreds.
    expect(fake.logins.length).toBeGreaterThan(0);
    expect(fake.logins.length).toBeLessThanOrEqual(12);
  });

  it('survives a server restart and grades what comes after it', async () => {
    fake = await startFakeXqueue();
    startWorker();
    fake.submit(lmsBody(hello, "print('hello world')"));
    await fake.waitResults(1);
    await fake.stop();
    await new Promise((r) => setTimeout(r, 400));
    await fake.restart();
    fake.submit(lmsBody(hello, "print('hello world')"));
    await fake.waitResults(2);
    expect(parse(fake.results[1]!.body).correct).toBe(true);
    expect(worker!.stats.pollErrors).toBeGreaterThan(0);
  });

  it('explains a malformed payload or body to the learner instead of staying silent', async () => {
    fake = await startFakeXqueue();
    fake.submit(lmsBody('{not json', 'print(1)'));
    fake.submit('this is not an LMS body');
    fake.submit(lmsBody({ output: 'x', lang: 'cobol' }, 'x'));
    startWorker();
    await fake.waitResults(3);
    for (const r of fake.results) {
      const body = parse(r.body);
      expect(body.correct).toBeNull();
      expect(body.msg).toContain('could not be graded');
    }
    const msgs = fake.results.map((r) => parse(r.body).msg).join('\n');
    expect(msgs).toContain('not valid JSON');
    expect(msgs).toContain('could not be read');
    expect(msgs).toContain('cobol');
  });

  it('retries an internal error, then reports a grading failure (never "incorrect")', async () => {
    fake = await startFakeXqueue();
    let calls = 0;
    const broken: Sandbox = {
      ...env.sandbox,
      isolated: true,
      slots: env.sandbox.slots,
      dispose: async () => {},
      run: async () => {
        calls++;
        return { status: 'spawn_failed', exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), wallMs: 0, error: 'boom' };
      },
    };
    startWorker({ env: { ...env, sandbox: broken }, retries: 1 });
    fake.submit(lmsBody(hello, "print('hello world')"));
    await fake.waitResults(1);
    expect(calls).toBe(2);
    const body = parse(fake.results[0]!.body);
    expect(body.correct).toBeNull();
    expect(body.msg).toContain('internal error');
    expect(body.msg.toLowerCase()).not.toContain('incorrect');
  });

  it('uses the server long-poll when offered, and backs off against a legacy server', async () => {
    fake = await startFakeXqueue({ longPoll: true });
    startWorker({ waitMs: 400, watches: [{ server: { url: fake.url, username: 'lms', password: 'secret' }, queue: 'openedx', connections: 1, handler: {} }] });
    await new Promise((r) => setTimeout(r, 600));
    const t0 = Date.now();
    fake.submit(lmsBody(hello, "print('hello world')"));
    await fake.waitResults(1);
    // Held polls return as soon as work arrives, and idle polling is sparse.
    expect(Date.now() - t0).toBeLessThan(400);
    expect(fake.polls).toBeLessThanOrEqual(4);
    await worker!.stop();
    await fake.close();

    fake = await startFakeXqueue({ longPoll: false });
    startWorker({ waitMs: 400, pollIntervalMs: 100, maxIdleMs: 400, watches: [{ server: { url: fake.url, username: 'lms', password: 'secret' }, queue: 'openedx', connections: 1, handler: {} }] });
    await new Promise((r) => setTimeout(r, 1000));
    // 100 + 200 + 400 + 400 ms of backoff (±25 %): a few polls, not a busy loop.
    expect(fake.polls).toBeGreaterThanOrEqual(2);
    expect(fake.polls).toBeLessThanOrEqual(7);
  });

  it('stop() finishes and posts what it is grading', async () => {
    fake = await startFakeXqueue();
    fake.submit(lmsBody({ output: 'done' }, "import time\ntime.sleep(0.8)\nprint('done')"));
    startWorker();
    while (fake.polls === 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.results).toHaveLength(0); // still grading when stop() is called
    await worker!.stop();
    expect(fake.results).toHaveLength(1);
    expect(parse(fake.results[0]!.body).correct).toBe(true);
  });
});
