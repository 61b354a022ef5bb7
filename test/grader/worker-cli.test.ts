// `xqueue worker` as an operator runs it: a separate process with flags and environment,
// grading through our server, and a clean exit on SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XqueueClient } from '../helpers/client.js';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Inside the project tree, so the compiled files resolve packages from node_modules.
mkdirSync('node_modules/.cache', { recursive: true });
const build = mkdtempSync(join(process.cwd(), 'node_modules/.cache/xq-cli-'));
let xq: TestServer;
let lms: FakeLms;

beforeAll(async () => {
  execFileSync('npx', ['tsc', '--ignoreConfig', '--outDir', build, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', '--skipLibCheck', '--types', 'node', 'test/fixtures/grader/worker-cli-entry.ts'], { stdio: 'pipe' });
  writeFileSync(join(build, 'package.json'), '{"type": "module"}');
  cpSync('src/grader/py', join(build, 'src/grader/py'), { recursive: true });
  [xq, lms] = await Promise.all([startTestServer(), startFakeLms()]);
}, 120_000);

afterAll(async () => {
  await xq?.close();
  await lms?.close();
  rmSync(build, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [join(build, 'test/fixtures/grader/worker-cli-entry.js'), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('xqueue worker (CLI)', () => {
  it('grades with flags and environment, and exits 0 on SIGTERM', async () => {
    const client = new XqueueClient(xq.url);
    await client.login('lms', xq.password);
    const header = JSON.stringify({ lms_callback_url: `${lms.url}/cli/1`, lms_key: randomBytes(16).toString('hex'), queue_name: 'openedx' });
    const body = JSON.stringify({ grader_payload: '{"output": "hello world"}', student_info: '{}', student_response: "print('hello world')" });
    expect((await client.post('/xqueue/submit/', { xqueue_header: header, xqueue_body: body })).json().return_code).toBe(0);
    const cli = runCli(['--url', xq.url, '--queue', 'openedx', '--concurrency', '1', '--wait', '1000'], { XQUEUE_WORKER_PASSWORD: xq.password });
    try {
      const [cb] = await lms.waitFor(1, 30_000);
      expect(JSON.parse(cb!.body)).toMatchObject({ correct: true, score: 1 });
      expect(cli.output()).toContain('worker started');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 60_000);

  it('fails clearly without a password', async () => {
    const cli = runCli(['--url', xq.url], {});
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('no password');
  });
});
