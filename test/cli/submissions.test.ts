// `xqueue submissions` against a real server: the requests Tutor's CLI makes and its exact stdout.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmsSubmission, loggedIn, type XqueueClient } from '../helpers/client.js';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertBuilt, runCli } from './run-cli.js';

let xq: TestServer;
let lms: FakeLms;
let lmsClient: XqueueClient;
const env = () => ({ XQUEUE_DATA_DIR: xq.dataDir });
const cli = (...args: string[]) => runCli(['submissions', '-u', xq.url, ...args], env());

beforeAll(async () => {
  assertBuilt();
  xq = await startTestServer();
  lms = await startFakeLms();
  lmsClient = await loggedIn(xq.url, xq.password);
});
afterAll(async () => {
  await xq?.close();
  await lms?.close();
});

/** A server on a free port that answers every request with `handler`. */
async function fakeServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('xqueue submissions (sequential, one queue)', () => {
  it('count prints the envelope as json.dumps(indent=2)', async () => {
    const r = await cli('count');
    expect(r).toEqual({ code: 0, stdout: '{\n  "return_code": 0,\n  "content": 0\n}\n', stderr: '' });
  });

  it('show on an empty queue prints the error envelope', async () => {
    const r = await cli('show');
    expect(r.stdout).toBe(`{\n  "return_code": 1,\n  "content": "Queue 'openedx' is empty"\n}\n`);
    expect(r.code).toBe(0);
  });

  it('count for an unknown queue lists the valid names', async () => {
    const r = await cli('-q', 'nosuch', 'count');
    expect(r.stdout).toBe('{\n  "return_code": 1,\n  "content": "Valid queue names are: openedx"\n}\n');
  });

  let first: { id: number; key: string };
  let second: { id: number; key: string };
  let firstSubmission: Record<string, string>;

  it('show claims the oldest submission and prints it decoded, byte for byte', async () => {
    firstSubmission = lmsSubmission(lms.url, { block: 'first', response: 'def f(x):\n    return x ✓\n' });
    expect((await lmsClient.post('/xqueue/submit/', firstSubmission)).text).toBe('{"return_code": 0, "content": "1"}');
    await lmsClient.post('/xqueue/submit/', lmsSubmission(lms.url, { block: 'second' }));
    expect((await cli('count')).stdout).toBe('{\n  "return_code": 0,\n  "content": 2\n}\n');

    const r = await cli('show');
    expect(r.code).toBe(0);
    first = JSON.parse(r.stdout) as typeof first;
    expect(r.stdout).toBe(
      [
        '{',
        `  "id": ${first.id},`,
        `  "key": "${first.key}",`,
        '  "body": {',
        '    "grader_payload": "{\\"output\\": \\"hello world\\"}",',
        '    "student_info": "{\\"anonymous_student_id\\": \\"af46c9d6c05627aee45257d155ec0b79\\", \\"submission_time\\": \\"20260501101653\\", \\"random_seed\\": 1}",',
        '    "student_response": "def f(x):\\n    return x \\u2713\\n"',
        '  },',
        '  "files": {},',
        '  "return_code": 0',
        '}',
        '',
      ].join('\n'),
    );
    expect(first.key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a second show returns the next submission, the first being leased', async () => {
    const r = await cli('show');
    second = JSON.parse(r.stdout) as typeof second;
    expect(second.id).not.toBe(first.id);
    expect((await cli('count')).stdout).toBe('{\n  "return_code": 0,\n  "content": 0\n}\n');
  });

  it('grade with a wrong key prints the refusal', async () => {
    const r = await cli('grade', String(second.id), 'f'.repeat(32), '1', 'true', 'ok');
    expect(r.stdout).toBe('{\n  "return_code": 1,\n  "content": "Incorrect key for submission"\n}\n');
  });

  it('grade stores the result and the LMS gets json.dumps of it, GRADE as a Python float', async () => {
    const r = await cli('grade', String(first.id), first.key, '0.9', 'Yes', '<p>Good é</p>');
    expect(r).toEqual({ code: 0, stdout: '{\n  "return_code": 0,\n  "content": ""\n}\n', stderr: '' });
    const [callback] = await lms.waitFor(1);
    expect(callback!.header).toBe(firstSubmission.xqueue_header);
    expect(callback!.body).toBe('{"correct": true, "score": 0.9, "msg": "<p>Good \\u00e9</p>"}');

    const again = await cli('grade', String(second.id), second.key, '1', 'off', 'no');
    expect(again.stdout).toBe('{\n  "return_code": 0,\n  "content": ""\n}\n');
    const callbacks = await lms.waitFor(2);
    expect(callbacks[1]!.body).toBe('{"correct": false, "score": 1.0, "msg": "no"}');
  });

  it('show keeps the absolute, signed file links the server hands out', async () => {
    await lmsClient.post('/xqueue/submit/', lmsSubmission(lms.url, { block: 'files' }), [{ field: 'a.py', content: 'print(1)\n' }]);
    const r = await cli('show');
    const shown = JSON.parse(r.stdout) as { files: Record<string, string> };
    expect(Object.keys(shown.files)).toEqual(['a.py']);
    expect(shown.files['a.py']!.startsWith(`${xq.url}/`)).toBe(true);
    expect(r.stdout).toMatch(/\n  "files": \{\n    "a\.py": "http[^"]+"\n  \},\n  "return_code": 0\n\}\n$/);
    const file = await fetch(shown.files['a.py']!);
    expect(await file.text()).toBe('print(1)\n');
  });

  it('grade for a submission that does not exist', async () => {
    const r = await cli('grade', '999999', 'k', '1', 't', 'x');
    expect(r.stdout).toBe('{\n  "return_code": 1,\n  "content": "Submission does not exist"\n}\n');
  });

  it('rejects a CORRECT or GRADE click would reject, as a usage error', async () => {
    const bad = await cli('grade', '1', 'k', '1', 'maybe', 'x');
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain("'maybe' is not a valid boolean");
    const nan = await cli('grade', '1', 'k', 'abc', 'true', 'x');
    expect(nan.code).not.toBe(0);
    expect(nan.stderr).toContain("'abc' is not a valid float");
  });
});

describe('xqueue submissions: where Tutor would crash', () => {
  it('a refused login prints Tutor\'s message and exits non-zero', async () => {
    const r = await cli('--password', 'wrong', 'count');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`xqueue: Could not login to xqueue server at ${xq.url}. Response: 'Incorrect login credentials'\n`);
  });

  it('a server that is down is one line and a non-zero exit', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await runCli(['submissions', '-u', `http://127.0.0.1:${port}`, 'count'], env());
    expect(r).toEqual({ code: 1, stdout: '', stderr: `xqueue: cannot connect to http://127.0.0.1:${port}: connection refused\n` });
  });

  it('an HTML reply (a proxy error page) is one line naming the status', async () => {
    const proxy = await fakeServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>\n<h1>502 Bad Gateway</h1></body></html>'));
    try {
      const r = await runCli(['submissions', '-u', proxy.url, 'show'], env());
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`xqueue: ${proxy.url}/xqueue/login/ answered HTTP 502 (text/html), not JSON: <html><body> <h1>502 Bad Gateway</h1></body></html>\n`);
    } finally {
      await proxy.close();
    }
  });

  it('a server that never answers times out in one line', async () => {
    const silent = await fakeServer(() => undefined);
    try {
      const r = await runCli(['submissions', '-u', silent.url, '--timeout', '0.5', 'count'], env());
      expect(r).toEqual({ code: 1, stdout: '', stderr: `xqueue: no reply from ${silent.url} within 0.5 s\n` });
    } finally {
      await silent.close();
    }
  });
});

describe('xqueue submissions: where the URL and credentials come from', () => {
  it('TUTOR_XQUEUE_URL, then XQUEUE_PUBLIC_URL, then XQUEUE_BIND:XQUEUE_PORT', async () => {
    const port = new URL(xq.url).port;
    const expected = '{\n  "return_code": 0,\n  "content": 0\n}\n';
    expect((await runCli(['submissions', 'count'], { ...env(), TUTOR_XQUEUE_URL: xq.url + '/' })).stdout).toBe(expected);
    expect((await runCli(['submissions', 'count'], { ...env(), XQUEUE_PUBLIC_URL: xq.url })).stdout).toBe(expected);
    expect((await runCli(['submissions', 'count'], { ...env(), XQUEUE_BIND: '0.0.0.0', XQUEUE_PORT: port })).stdout).toBe(expected);
  });

  it('--username/--password override the configured account', async () => {
    const r = await runCli(['submissions', '-u', xq.url, '--username', 'lms', '--password', xq.password, 'count'], { XQUEUE_DATA_DIR: '/nonexistent/never-read' });
    expect(r.stdout).toBe('{\n  "return_code": 0,\n  "content": 0\n}\n');
  });
});
