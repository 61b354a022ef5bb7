// Loading an xqueue-watcher configuration directory as it is, and the CLI's settings.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workerSettings } from '../../src/cli/worker.js';
import { MiB } from '../../src/grader/sandbox/limits.js';
import { loadWatcherConfig } from '../../src/grader/watcher-config.js';
import { FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'watcher-config');
const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function confDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'xqw-'));
  temps.push(dir);
  mkdirSync(join(dir, 'conf.d'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const handler = [{ HANDLER: 'xqueue_watcher.jailedgrader.JailedGrader', KWARGS: { grader_root: '/g/' } }];

describe('loadWatcherConfig', () => {
  it('reads conf.d in sorted order with SERVER, SERVER_REF, AUTH, CONNECTIONS, NAME_OVERRIDE and handlers', () => {
    const conf = loadWatcherConfig(DIR);
    expect(conf.watches).toEqual([
      {
        server: { url: 'http://127.0.0.1:18040', username: 'lms', password: 'password', timeoutMs: 1000 },
        queue: 'cs101',
        connections: 2,
        handler: { defaultKind: 'watcher', graderRoot: '/graders/cs101/', limits: { cpuSeconds: 1, wallMs: 3000, memoryBytes: 536870912 } },
      },
      {
        server: { url: 'http://xqueue:8000', username: 'grader', password: 's3cret', timeoutMs: 1000 },
        queue: 'java',
        connections: 1,
        handler: { defaultKind: 'json-line', graderRoot: '/graders/java/', limits: { wallMs: 15_000, memoryBytes: 256 * MiB }, entrypoint: ['/usr/bin/python3', '-B'] },
      },
    ]);
    expect(conf.pollIntervalMs).toBe(2000);
    expect(conf.loginRetryMs).toBe(7000);
    expect(conf.notes.join('\n')).toContain('registry/grader:1');
  });

  it('lets XQWATCHER_* variables override xqwatcher.json', () => {
    expect(loadWatcherConfig(DIR, { XQWATCHER_POLL_INTERVAL: '0.5' }).pollIntervalMs).toBe(500);
  });

  it('defaults SERVER to http://localhost:18040 and CONNECTIONS to 1', () => {
    const conf = loadWatcherConfig(confDir({ 'conf.d/a.json': { q: { AUTH: ['u', 'p'], HANDLERS: handler } } }));
    expect(conf.watches[0]).toMatchObject({ server: { url: 'http://localhost:18040' }, connections: 1, queue: 'q' });
  });

  it.each([
    ['SERVER_REF with SERVER', { q: { SERVER_REF: 'x', SERVER: 'http://a', HANDLERS: handler } }, /SERVER_REF together with SERVER/],
    ['an unknown SERVER_REF', { q: { SERVER_REF: 'nope', HANDLERS: handler } }, /unknown SERVER_REF "nope"/],
    ['a bad AUTH', { q: { AUTH: 'u:p', HANDLERS: handler } }, /AUTH must be/],
    ['no handlers', { q: { AUTH: ['u', 'p'] } }, /no HANDLERS/],
    ['a custom Python handler', { q: { AUTH: ['u', 'p'], HANDLERS: [{ HANDLER: 'my.Grader' }] } }, /not supported/],
  ])('rejects %s', (_name, conf, message) => {
    expect(() => loadWatcherConfig(confDir({ 'conf.d/a.json': conf }))).toThrow(message);
  });

  it('rejects a directory without conf.d and invalid JSON', () => {
    const empty = mkdtempSync(join(tmpdir(), 'xqw-'));
    temps.push(empty);
    expect(() => loadWatcherConfig(empty)).toThrow(/no conf.d/);
    expect(() => loadWatcherConfig(confDir({ 'conf.d/a.json': '{oops' }))).toThrow(/a\.json/);
  });
});

describe('workerSettings', () => {
  it('takes flags over environment, and env over defaults', () => {
    const s = workerSettings(
      { url: 'http://flag:1', queue: ['a', 'b'], concurrency: '3' },
      { XQUEUE_WORKER_URL: 'http://env:2', XQUEUE_WORKER_PASSWORD: 'pw', XQUEUE_GRADER_ROOT: '/graders' },
    );
    expect(s.concurrency).toBe(3);
    expect(s.graderRoot).toBe('/graders');
    expect(s.unsafeNoSandbox).toBe(false);
    expect(s.worker.watches.map((w) => [w.queue, w.server.url, w.server.username, w.server.password])).toEqual([
      ['a', 'http://flag:1', 'lms', 'pw'],
      ['b', 'http://flag:1', 'lms', 'pw'],
    ]);
  });

  it('falls back to the Tutor credentials and the openedx queue', () => {
    const s = workerSettings({}, { XQUEUE_AUTH_USERNAME: 'tutor', XQUEUE_AUTH_PASSWORD: 'x', XQUEUE_WORKER_QUEUES: 'q1, q2' });
    expect(s.worker.watches.map((w) => [w.queue, w.server.username])).toEqual([['q1', 'tutor'], ['q2', 'tutor']]);
    expect(workerSettings({}, { XQUEUE_WORKER_PASSWORD: 'x' }).worker.watches.map((w) => w.queue)).toEqual(['openedx']);
  });

  it('requires a password, and the unsafe flag only when asked', () => {
    expect(() => workerSettings({}, {})).toThrow(/no password/);
    expect(workerSettings({ password: 'p' }, { XQUEUE_WORKER_UNSAFE_NO_SANDBOX: 'true' }).unsafeNoSandbox).toBe(true);
    expect(workerSettings({ password: 'p', unsafeNoSandbox: true }, {}).unsafeNoSandbox).toBe(true);
  });

  it('uses a watcher config directory, with one slot per connection', () => {
    const s = workerSettings({ watcherConfig: DIR }, {});
    expect(s.concurrency).toBe(3);
    expect(s.worker.watches.map((w) => w.queue)).toEqual(['cs101', 'java']);
    expect(s.worker.pollIntervalMs).toBe(2000);
  });
});
