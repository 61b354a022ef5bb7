// The database restarts in the middle of traffic (issue 4): requests in that window get
// a clean 503 envelope, /readyz says not ready, the server reconnects by itself, and
// nothing it had accepted is lost. MariaDB only: it needs a database server to stop.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLms } from '../helpers/fake-lms.js';
import { freePort } from '../helpers/free-port.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { onMysql } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SCRIPT = join(import.meta.dirname, '../../.ci/mariadb.sh');
const dir = mkdtempSync(join(tmpdir(), 'xqueue-faults-db-'));
let port = 0;
let xq: TestServer | undefined;

const startDb = () => execFileSync('bash', [SCRIPT, dir], { env: { ...process.env, XQUEUE_TEST_MYSQL_PORT: String(port) }, encoding: 'utf8' }).trim();
function stopDb(): void {
  const pid = Number(readFileSync(join(dir, 'mysqld.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
      execFileSync('sleep', ['0.1']);
    } catch {
      return;
    }
  }
}

afterAll(async () => {
  await xq?.close().catch(() => {});
  try {
    stopDb();
  } catch {
    /* already down */
  }
  rmSync(dir, { recursive: true, force: true });
});

// The sqlite project has no database server to restart; the mysql project runs this.
describe.runIf(onMysql())('database restart mid-traffic', () => {
  it('answers 503 while the database is down and recovers without losing anything', async () => {
    port = await freePort();
    const base = startDb();
    const { createConnection } = await import('mysql2/promise');
    const admin = await createConnection({ uri: base });
    await admin.query('CREATE DATABASE faults');
    await admin.end();
    const lms = await startFakeLms();
    xq = await startTestServer({ XQUEUE_DATABASE_URL: `${base}faults`, XQUEUE_CALLBACK_BACKOFF_BASE: '1', XQUEUE_CALLBACK_BACKOFF_MAX: '1' });
    const client = await loggedIn(xq.url, xq.password);
    for (let i = 0; i < 5; i++) expect((await client.post('/xqueue/submit/', lmsSubmission(lms.url, { block: `f${i}` }))).json().return_code).toBe(0);
    // One graded before the outage, whose callback the LMS refuses until after it.
    lms.respond = 500;
    const pulled = JSON.parse((await client.get('/xqueue/get_submission/?queue_name=openedx')).json().content as string) as Record<string, string>;
    await client.post('/xqueue/put_result/', { xqueue_header: pulled.xqueue_header!, xqueue_body: '{"correct": true, "score": 1, "msg": "ok"}' });

    stopDb();
    const during = await client.post('/xqueue/submit/', lmsSubmission(lms.url, { block: 'during' }));
    expect(during.status).toBe(503);
    expect(during.text).toBe('{"return_code": 1, "content": "Service unavailable"}');
    expect(during.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const len = await client.get('/xqueue/get_queuelen/?queue_name=openedx');
    expect(len.status).toBe(503);
    expect((await fetch(`${xq.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${xq.url}/healthz`)).status).toBe(200);

    startDb();
    lms.respond = 200;
    await expect.poll(async () => (await fetch(`${xq!.url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    await expect
      .poll(async () => (await client.get('/xqueue/get_queuelen/?queue_name=openedx')).text, { timeout: 15_000 })
      .toBe('{"return_code": 0, "content": 4}');
    expect((await client.post('/xqueue/submit/', lmsSubmission(lms.url, { block: 'after' }))).json()).toEqual({ return_code: 0, content: '5' });
    const [delivered] = await lms.waitFor(1, 15_000);
    expect(JSON.parse(delivered!.body)).toEqual({ correct: true, score: 1, msg: 'ok' });
    await lms.close();
  }, 90_000);
});
