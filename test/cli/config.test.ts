// `xqueue config save|printvalue|show` on a private data dir.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDataDir as newDataDir } from '../helpers/server.js';
import { assertBuilt, runCli } from './run-cli.js';

const dirs: string[] = [];
const testDataDir = () => {
  const dir = newDataDir();
  dirs.push(dir);
  return dir;
};
beforeAll(assertBuilt);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('xqueue config', () => {
  it('save writes config.yml, printvalue reads it back, show says where each value comes from', async () => {
    const dir = testDataDir();
    const env = { XQUEUE_DATA_DIR: dir };
    const saved = await runCli(['config', 'save', '--set', 'XQUEUE_PORT=8123', '--set', 'XQUEUE_QUEUES=openedx,alpha'], env);
    expect(saved).toEqual({ code: 0, stdout: `saved to ${join(dir, 'config.yml')}: XQUEUE_PORT, XQUEUE_QUEUES\n`, stderr: '' });
    expect(readFileSync(join(dir, 'config.yml'), 'utf8')).toMatch(/^XQUEUE_PORT: "8123"$/m);

    expect((await runCli(['config', 'printvalue', 'XQUEUE_PORT'], env)).stdout).toBe('8123\n');
    expect((await runCli(['config', 'printvalue', 'XQUEUE_AUTH_USERNAME'], env)).stdout).toBe('lms\n');
    const password = (await runCli(['config', 'printvalue', 'XQUEUE_AUTH_PASSWORD'], env)).stdout;
    expect(password).toMatch(/^[A-Za-z0-9]{8}\n$/);

    const show = await runCli(['config', 'show'], { ...env, XQUEUE_LOG_LEVEL: 'debug', XQUEUE_REQUESTS_BASIC_AUTH: 'cb:hunter2' });
    expect(show.code).toBe(0);
    const row = (key: string) => show.stdout.split('\n').find((l) => l.startsWith(key + ' '))?.split(/\s{2,}/);
    expect(row('XQUEUE_PORT')).toEqual(['XQUEUE_PORT', '8123', 'config.yml']);
    expect(row('XQUEUE_BIND')).toEqual(['XQUEUE_BIND', '127.0.0.1', 'default']);
    expect(row('XQUEUE_LOG_LEVEL')).toEqual(['XQUEUE_LOG_LEVEL', 'debug', 'env']);
    expect(row('XQUEUE_AUTH_PASSWORD')).toEqual(['XQUEUE_AUTH_PASSWORD', '****', 'config.yml']);
    expect(row('XQUEUE_REQUESTS_BASIC_AUTH')).toEqual(['XQUEUE_REQUESTS_BASIC_AUTH', '****', 'env']);
    expect(row('XQUEUE_METRICS_TOKEN')).toEqual(['XQUEUE_METRICS_TOKEN', '(empty)', 'default']);
    expect(show.stdout).not.toContain(password.trim());
    expect(show.stdout).not.toContain('hunter2');
  });

  it('masks a password inside a URL value', async () => {
    const env = { XQUEUE_DATA_DIR: testDataDir(), XQUEUE_QUEUES: 'openedx,push=https://grader:s3cret@grader.example.com/run' };
    const show = await runCli(['config', 'show'], env);
    expect(show.stdout).toContain('openedx,push=https://grader:****@grader.example.com/run');
    expect(show.stdout).not.toContain('s3cret');
  });

  it('refuses a bad value or an unknown key in one line naming the key, and writes nothing', async () => {
    const dir = testDataDir();
    const bad = await runCli(['config', 'save', '--set', 'XQUEUE_VISIBILITY_TIMEOUT=soon'], { XQUEUE_DATA_DIR: dir });
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: "xqueue: XQUEUE_VISIBILITY_TIMEOUT: 'soon' is not allowed; expected an integer from 1 to 86400\n",
    });
    expect(readFileSync(join(dir, 'config.yml'), 'utf8')).not.toContain('XQUEUE_VISIBILITY_TIMEOUT');

    const unknown = await runCli(['config', 'save', '--set', 'XQUEUE_PROT=1'], { XQUEUE_DATA_DIR: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("xqueue: XQUEUE_PROT: expected a known key (see 'xqueue config show'); did you mean XQUEUE_PORT?\n");
    const printUnknown = await runCli(['config', 'printvalue', 'NOPE'], { XQUEUE_DATA_DIR: dir });
    expect(printUnknown.code).toBe(1);
    expect(printUnknown.stderr).toMatch(/^xqueue: NOPE: expected a known key/);
    const noEquals = await runCli(['config', 'save', '--set', 'XQUEUE_PORT'], { XQUEUE_DATA_DIR: dir });
    expect(noEquals.code).toBe(1);
    expect(noEquals.stderr).toContain('KEY=VALUE');
  });

  it('show exits non-zero and names the key when the configuration is invalid', async () => {
    const r = await runCli(['config', 'show'], { XQUEUE_DATA_DIR: testDataDir(), XQUEUE_VERIFY_TLS: 'perhaps' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^XQUEUE_VERIFY_TLS\s+perhaps\s+env$/m);
    expect(r.stderr).toBe("xqueue: invalid configuration: XQUEUE_VERIFY_TLS: 'perhaps' is not allowed; expected true or false\n");
  });

  it('save warns when the environment overrides the key it wrote', async () => {
    const r = await runCli(['config', 'save', '--set', 'XQUEUE_PORT=9000'], { XQUEUE_DATA_DIR: testDataDir(), XQUEUE_PORT: '9001' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('note: XQUEUE_PORT is also set in the environment, which takes precedence over config.yml\n');
  });
});
