// The sandbox as an ordinary user. The rest of the suite runs as whoever runs it (root
// in CI); when that is root, this file compiles the sandbox and drives it as `nobody`.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers.js';

const root = process.getuid?.() === 0;
const build = mkdtempSync(join(tmpdir(), 'xq-unpriv-'));
afterAll(() => rmSync(build, { recursive: true, force: true }));

describe.runIf(root)('sandbox run by an unprivileged user', () => {
  it('isolates, limits processes per run and hides host files', async () => {
    execFileSync('npx', ['tsc', '--ignoreConfig', '--outDir', build, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', '--skipLibCheck', '--types', 'node', 'src/grader/sandbox/sandbox.ts', 'src/grader/verdict.ts'], { stdio: 'pipe' });
    writeFileSync(join(build, 'package.json'), '{"type": "module"}');
    cpSync('src/grader/py', join(build, 'src/grader/py'), { recursive: true });
    const secret = join(build, 'secret.txt');
    writeFileSync(secret, 'top secret');
    chmodSync(build, 0o755);
    chmodSync(secret, 0o644); // readable by nobody on the host: only the sandbox hides it
    const { stdout } = await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, join(FIXTURES, 'unprivileged-probe.mjs'), build, secret], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: '/tmp' },
    });
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(report).toEqual({ uid: 65534, isolated: true, bomb: 'time_limit', neighbour: 'ok 1000', secret: 'denied', net: 'no network' });
  }, 60_000);
});
