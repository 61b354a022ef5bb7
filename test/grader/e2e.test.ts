// End to end: LMS-shaped submissions to our real server, graded by the worker in the
// sandbox, results delivered to a fake LMS callback — in every language.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradeEnv } from '../../src/grader/grade-env.js';
import { silentLogger } from '../../src/grader/logger.js';
import { Worker } from '../../src/grader/worker.js';
import { XqueueClient } from '../helpers/client.js';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeEnv } from './helpers.js';

let xq: TestServer;
let lms: FakeLms;
let env: GradeEnv;
let worker: Worker;
let lmsClient: XqueueClient;

beforeAll(async () => {
  [xq, lms, env] = await Promise.all([startTestServer({ XQUEUE_LONG_POLL_MAX: '5000' }), startFakeLms(), makeEnv({ concurrency: 2 })]);
  lmsClient = new XqueueClient(xq.url);
  expect((await lmsClient.login('lms', xq.password)).json().return_code).toBe(0);
  worker = new Worker({
    watches: [{ server: { url: xq.url, username: 'lms', password: xq.password }, queue: 'openedx', connections: 2, handler: {} }],
    env,
    log: silentLogger,
    waitMs: 2000,
    maxInFlight: 2,
  });
  worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await env?.sandbox.dispose();
  await xq?.close();
  await lms?.close();
});

let block = 0;
/** Submits as the LMS does; returns the callback path, which identifies the submission. */
async function submit(graderPayload: unknown, response: string): Promise<string> {
  const path = `/courses/x/xqueue/${++block}/block/score_update`;
  const header = JSON.stringify({ lms_callback_url: `${lms.url}${path}`, lms_key: randomBytes(16).toString('hex'), queue_name: 'openedx' });
  const body = JSON.stringify({
    grader_payload: JSON.stringify(graderPayload),
    student_info: JSON.stringify({ anonymous_student_id: randomBytes(16).toString('hex'), submission_time: '20260501101653', random_seed: 1 }),
    student_response: response,
  });
  const reply = await lmsClient.post('/xqueue/submit/', { xqueue_header: header, xqueue_body: body });
  expect(reply.json().return_code).toBe(0);
  return path;
}

async function callbackFor(path: string): Promise<{ correct: boolean | null; score: number; msg: string; header: string }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const cb = lms.callbacks.find((c) => c.path === path && c.status === 200);
    if (cb) return { ...(JSON.parse(cb.body) as { correct: boolean | null; score: number; msg: string }), header: cb.header };
    if (Date.now() > deadline) throw new Error(`no callback for ${path}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const PROGRAMS: Record<string, [right: string, wrong: string]> = {
  python: ["print('hello world')", "print('hello')"],
  javascript: ["console.log('hello world')", "console.log('hello')"],
  c: ['#include <stdio.h>\nint main(void) { puts("hello world"); }', '#include <stdio.h>\nint main(void) { puts("hello"); }'],
  cpp: ['#include <iostream>\nint main() { std::cout << "hello world\\n"; }', '#include <iostream>\nint main() { std::cout << "hello\\n"; }'],
  java: [
    'public class Main { public static void main(String[] a) { System.out.println("hello world"); } }',
    'public class Main { public static void main(String[] a) { System.out.println("hello"); } }',
  ],
};

describe('end to end through our server', () => {
  it.each(Object.entries(PROGRAMS))('%s: correct and incorrect answers reach the LMS with feedback', async (lang, [right, wrong]) => {
    const payload = lang === 'python' ? { output: 'hello world' } : { output: 'hello world', lang };
    const [p1, p2] = [await submit(payload, right), await submit(payload, wrong)];
    const good = await callbackFor(p1);
    const bad = await callbackFor(p2);
    expect(good).toMatchObject({ correct: true, score: 1 });
    expect(good.msg).toContain('<div class="shortform">CORRECT</div>');
    expect(bad).toMatchObject({ correct: false, score: 0 });
    expect(bad.msg).toContain('<div class="shortform">INCORRECT</div>');
    expect(bad.msg).toContain('<dt>Your output:</dt><dd class="result-actual-output"><pre>hello\n</pre></dd>');
    // The LMS gets its own header back, byte for byte.
    expect(JSON.parse(good.header)).toMatchObject({ lms_callback_url: `${lms.url}${p1}` });
  });

  it('grades an xqueue-watcher grader directory', async () => {
    const path = await submit({ grader: 'square/grader.py' }, 'def square(x):\n    return x * x\n');
    const cb = await callbackFor(path);
    expect(cb).toMatchObject({ correct: true, score: 1 });
    expect(cb.msg).toContain('<h4>square(-4)</h4>');
  });

  it('answers a malformed payload with an explanation, not silence', async () => {
    const path = await submit('{"output": ', 'print(1)');
    const cb = await callbackFor(path);
    expect(cb.correct).toBeNull();
    expect(cb.msg).toContain('could not be graded');
    expect(cb.msg).toContain('grader_payload');
  });
});
