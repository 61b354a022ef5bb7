// A server killed with SIGKILL in the middle of traffic and started again on the same
// data dir loses nothing it accepted: every submission it answered is graded, every
// result it stored reaches the LMS, and none reaches it twice after the LMS said 200.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLms } from '../helpers/fake-lms.js';
import { freePort } from '../helpers/free-port.js';
import { lmsSubmission, loggedIn, XqueueClient } from '../helpers/client.js';
import { testDatabase, type TestDatabase } from '../helpers/database.js';
import { savedPassword, spawnServer, type ServerProcess } from '../helpers/server-process.js';

const ENV = { XQUEUE_VISIBILITY_TIMEOUT: '2', XQUEUE_REQUESTS_TIMEOUT: '2' };
const dataDir = mkdtempSync(join(tmpdir(), 'xqueue-crash-'));
let running: ServerProcess | undefined;
let database: TestDatabase | undefined;
afterAll(async () => {
  running?.child.kill('SIGKILL');
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGKILL mid-traffic', () => {
  it('loses no accepted submission or stored result, and re-delivers nothing the LMS acknowledged', async () => {
    const lms = await startFakeLms();
    const port = await freePort();
    database = await testDatabase();
    const env = { ...ENV, ...database.env };
    running = await spawnServer(dataDir, port, env);
    const password = savedPassword(dataDir);
    const accepted = new Set<string>(); // lms_key of every submit answered with success
    const stored = new Set<string>(); // submission ids whose put_result was answered ""
    let stop = false;

    const submitter = async (n: number) => {
      const client = await loggedIn(running!.url, password);
      for (let i = 0; !stop; i++) {
        const key = `${n}x${i}y`.padEnd(32, '0');
        try {
          const r = await client.post('/xqueue/submit/', lmsSubmission(lms.url, { key, block: key }));
          if (r.json().return_code === 0) accepted.add(key);
        } catch {
          return; // the server is gone
        }
      }
    };
    const grader = async (client: XqueueClient) => {
      for (;;) {
        try {
          const r = (await client.get('/xqueue/get_submission/?queue_name=openedx')).json();
          if (r.return_code !== 0) {
            if (stop) return;
            await new Promise((res) => setTimeout(res, 20));
            continue;
          }
          const content = JSON.parse(r.content as string) as Record<string, string>;
          const put = await client.post('/xqueue/put_result/', {
            xqueue_header: content.xqueue_header!,
            xqueue_body: '{"correct": true, "score": 1, "msg": "<p>ok</p>"}',
          });
          if (put.json().return_code === 0) stored.add(content.xqueue_header!);
        } catch {
          return;
        }
      }
    };

    const before = [0, 1, 2, 3].map(submitter);
    const graders = await Promise.all([0, 1, 2, 3].map(() => loggedIn(running!.url, password)));
    const grading = graders.map(grader);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    running.child.kill('SIGKILL');
    await running.exited;
    await Promise.all([...before, ...grading]);
    expect(accepted.size).toBeGreaterThan(20);

    running = await spawnServer(dataDir, port, env);
    stop = true;
    // Graders finish the queue on the restarted server: leased submissions come back after 2 s.
    const after = await Promise.all([0, 1, 2, 3].map(() => loggedIn(running!.url, password)));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const len = (await after[0]!.get('/xqueue/get_queuelen/?queue_name=openedx')).json().content as number;
      const leased = await fetch(`${running.url}/metrics`).then((r) => r.text());
      const leasedNow = Number(/xqueue_queue_leased\{queue="openedx"\} (\d+)/.exec(leased)?.[1] ?? '0');
      if (len === 0 && leasedNow === 0) break;
      if (Date.now() > deadline) throw new Error(`queue did not drain: ${len} visible, ${leasedNow} leased`);
      await Promise.all(after.map(grader));
      await new Promise((r) => setTimeout(r, 200));
    }

    const keyOf = (c: { header: string }) => (JSON.parse(c.header) as { lms_key: string }).lms_key;
    // A callback that was being sent at the kill waits for its delivery lease (about 5 s) to run out.
    await expect
      .poll(() => [...accepted].filter((k) => !lms.callbacks.some((c) => c.status === 200 && keyOf(c) === k)).length, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(0);
    const acked = lms.callbacks.filter((c) => c.status === 200);
    // At-least-once: only a callback in flight at the kill may arrive again.
    const firstSeen = new Map<string, number>();
    for (const c of acked) {
      const key = keyOf(c);
      const first = firstSeen.get(key);
      if (first === undefined) firstSeen.set(key, c.at);
      else expect(first).toBeGreaterThan(killedAt - 1000);
    }
    expect(stored.size).toBeGreaterThan(0);
    await new XqueueClient(running.url).get('/healthz');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    running = undefined;
    await lms.close();
  }, 90_000);
});
