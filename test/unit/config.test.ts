import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadRawConfig, parseConfig } from '../../src/config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'xqueue-config-'));

describe('configuration', () => {
  it('has the Tutor defaults and generates the secrets once', () => {
    const dataDir = dir();
    const config = loadConfig({ XQUEUE_DATA_DIR: dataDir });
    expect(config.defaultAccount.username).toBe('lms');
    expect(config.defaultAccount.password).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(config.secretKey).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(config.queues).toEqual([{ name: 'openedx' }]);
    expect(config.port).toBe(8000);
    expect(config.bind).toBe('127.0.0.1');
    expect(config.visibilityTimeoutMs).toBe(60_000);
    expect(config.pullLimit).toBe(5);
    expect(config.database.url).toBe('sqlite:' + join(dataDir, 'xqueue.db'));
    const saved = readFileSync(join(dataDir, 'config.yml'), 'utf8');
    expect(saved).toContain(`XQUEUE_AUTH_PASSWORD: ${config.defaultAccount.password}`);
    const again = loadConfig({ XQUEUE_DATA_DIR: dataDir });
    expect(again.defaultAccount.password).toBe(config.defaultAccount.password);
    expect(again.secretKey).toBe(config.secretKey);
    expect(Object.isFrozen(again) && Object.isFrozen(again.queues)).toBe(true);
  });

  it('takes config.yml over defaults and the environment over config.yml', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'config.yml'), 'XQUEUE_PORT: 9001\nXQUEUE_QUEUES: a, b=http://grader:9/x\nXQUEUE_PULL_LIMIT: 7\n');
    const config = parseConfig(loadRawConfig({ XQUEUE_PULL_LIMIT: '3' }, dataDir), dataDir);
    expect(config.port).toBe(9001);
    expect(config.pullLimit).toBe(3);
    expect(config.queues).toEqual([{ name: 'a' }, { name: 'b', pushUrl: 'http://grader:9/x' }]);
  });

  it('names the key and what is allowed when a value is bad', () => {
    const dataDir = dir();
    const parse = (env: Record<string, string>) => () => parseConfig(loadRawConfig(env, dataDir), dataDir);
    expect(parse({ XQUEUE_PORT: 'eighty' })).toThrow("XQUEUE_PORT: 'eighty' is not allowed; expected an integer from 0 to 65535");
    expect(parse({ XQUEUE_VERIFY_TLS: 'maybe' })).toThrow("XQUEUE_VERIFY_TLS: 'maybe' is not allowed; expected true or false");
    expect(parse({ XQUEUE_QUEUES: 'a,a' })).toThrow(/XQUEUE_QUEUES/);
    expect(parse({ XQUEUE_QUEUES: 'p=ftp://x' })).toThrow(/XQUEUE_QUEUES.*NAME=http/);
    expect(parse({ XQUEUE_LONG_POLL_DEFAULT: '1500' })).toThrow(/XQUEUE_LONG_POLL_DEFAULT.*0 to 999/);
    writeFileSync(join(dataDir, 'config.yml'), 'XQUEUE_NO_SUCH_KEY: 1\n');
    expect(parse({})).toThrow(/XQUEUE_NO_SUCH_KEY/);
  });
});
