// SIGTERM: stop accepting, finish in-flight requests, exit 0, lose nothing accepted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { testDatabase, type TestDatabase } from '../helpers/database.js';
import { savedPassword, spawnServer } from '../helpers/server-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'xqueue-stop-'));
let database: TestDatabase | undefined;
afterAll(async () => {
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('graceful stop', () => {
  it('answers the request in flight, exits 0, and keeps what it accepted', async () => {
    const port = await freePort();
    database = await testDatabase();
    const first = await spawnServer(dataDir, port, database.env);
    const password = savedPassword(dataDir);
    const grader = await loggedIn(first.url, password);
    // A long-poll held open across the signal must still get its answer.
    const held = grader.get('/xqueue/get_submission/?queue_name=openedx&wait=1500');
    await new Promise((r) => setTimeout(r, 200));
    const submitter = await loggedIn(first.url, password);
    expect((await submitter.post('/xqueue/submit/', lmsSubmission('http://127.0.0.1:9'))).json()).toEqual({ return_code: 0, content: '1' });
    first.child.kill('SIGTERM');
    const answer = (await held).json();
    expect(answer.return_code).toBe(0);
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toMatch(/Error|error/);

    const second = await spawnServer(dataDir, port, database.env);
    const again = await loggedIn(second.url, password);
    // The submission was claimed by the held request; it is leased, not lost.
    const row = await fetch(`${second.url}/metrics`).then((r) => r.text());
    expect(row).toMatch(/xqueue_queue_leased\{queue="openedx"\} 1/);
    expect((await again.get('/xqueue/get_queuelen/?queue_name=openedx')).json()).toEqual({ return_code: 0, content: 0 });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
