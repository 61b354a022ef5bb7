// Two server processes on one database (spec §9a, issue 4): sixteen graders spread over
// both never share a submission, each callback is delivered by one process, and a
// session made on one process is valid on the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLms } from '../helpers/fake-lms.js';
import { freePort } from '../helpers/free-port.js';
import { lmsSubmission, loggedIn, XqueueClient } from '../helpers/client.js';
import { testDatabase, type TestDatabase } from '../helpers/database.js';
import { savedPassword, spawnServer, type ServerProcess } from '../helpers/server-process.js';
import { runCli } from '../cli/run-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'xqueue-replicas-'));
const servers: ServerProcess[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGKILL');
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('two replicas on one database', () => {
  it('share the queue without handing a submission to two graders, and share sessions', async () => {
    database = await testDatabase();
    const lms = await startFakeLms();
    const a = await spawnServer(dataDir, await freePort(), database.env);
    servers.push(a);
    const b = await spawnServer(dataDir, await freePort(), database.env);
    servers.push(b);
    const password = savedPassword(dataDir);

    // A session cookie from one replica works on the other.
    const onA = await loggedIn(a.url, password);
    const onB = new XqueueClient(b.url);
    const viaB = await onB.request('GET', '/xqueue/get_queuelen/?queue_name=openedx', { headers: { cookie: `sessionid=${onA.sessionCookie}` } });
    expect(viaB.json()).toEqual({ return_code: 0, content: 0 });

    const total = 200;
    const submitters = await Promise.all([a, b].map((s) => loggedIn(s.url, password)));
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < total; i += 8) {
          const r = await submitters[i % 2]!.post('/xqueue/submit/', lmsSubmission(lms.url, { block: `r${i}` }));
          expect(r.json().return_code).toBe(0);
        }
      }),
    );

    const claimed: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, g) => {
        const client = await loggedIn((g % 2 === 0 ? a : b).url, password);
        for (;;) {
          const r = (await client.get('/xqueue/get_submission/?queue_name=openedx')).json();
          if (r.return_code !== 0) return;
          const content = JSON.parse(r.content as string) as Record<string, string>;
          claimed.push((JSON.parse(content.xqueue_header!) as { submission_id: number }).submission_id);
          const put = await client.post('/xqueue/put_result/', {
            xqueue_header: content.xqueue_header!,
            xqueue_body: '{"correct": true, "score": 1, "msg": "<p>ok</p>"}',
          });
          expect(put.json().return_code).toBe(0);
        }
      }),
    );
    expect(claimed).toHaveLength(total);
    expect(new Set(claimed).size).toBe(total);

    await lms.waitFor(total, 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    const keys = lms.callbacks.map((c) => (JSON.parse(c.header) as { lms_key: string }).lms_key);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
    await lms.close();
  }, 60_000);

  it('start together on a fresh database: one applies the migrations, both serve', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'xqueue-replicas-fresh-'));
    const db = await testDatabase();
    try {
      // The secrets are made once first, as a deployment provides them to every replica.
      expect((await runCli(['config', 'printvalue', 'XQUEUE_AUTH_PASSWORD'], { XQUEUE_DATA_DIR: fresh })).code).toBe(0);
      const pair = await Promise.all([0, 1].map(async () => spawnServer(fresh, await freePort(), db.env)));
      servers.push(...pair);
      const password = savedPassword(fresh);
      for (const s of pair) expect((await (await loggedIn(s.url, password)).get('/xqueue/get_queuelen/?queue_name=openedx')).json()).toEqual({ return_code: 0, content: 0 });
    } finally {
      await db.drop();
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);
});
