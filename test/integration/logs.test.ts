// Request logs (issue 2 item 8): one structured line per request, naming the submission
// where there is one; no password, cookie or student code at info level.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadRawConfig, parseConfig } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { DiskFileStore } from '../../src/files/disk-store.js';
import { createServer } from '../../src/server.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { testDatabase } from '../helpers/database.js';
import { testDataDir } from '../helpers/server.js';

describe('request logs', () => {
  it('write one JSON line per request with the submission id, and no secrets or code', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const dataDir = testDataDir();
    const database = await testDatabase();
    const config = parseConfig(loadRawConfig({ XQUEUE_PORT: '0', ...database.env }, dataDir), dataDir);
    const server = await createServer({
      config,
      db: connect(config.database),
      storage: await new DiskFileStore(join(dataDir, 'files')).init(),
      log: pino({ level: 'info' }, sink),
    });
    const url = await server.listen();
    try {
      const client = await loggedIn(url, config.defaultAccount.password);
      const secretCode = 'print("SECRET-STUDENT-CODE-42")';
      await client.post('/xqueue/submit/', lmsSubmission('http://127.0.0.1:9', { response: secretCode }));
      const pulled = (await client.get('/xqueue/get_submission/?queue_name=openedx')).json();
      const header = (JSON.parse(pulled.content as string) as Record<string, string>).xqueue_header!;
      await client.post('/xqueue/put_result/', { xqueue_header: header, xqueue_body: '{"correct": true, "score": 1, "msg": "FEEDBACK-7"}' });

      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const requests = records.filter((r) => r.msg === 'request');
      expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
        ['POST', '/xqueue/login/', 200],
        ['POST', '/xqueue/submit/', 200],
        ['GET', '/xqueue/get_submission/', 200],
        ['POST', '/xqueue/put_result/', 200],
      ]);
      expect(requests.slice(1).map((r) => r.submission)).toEqual([1, 1, 1]);
      expect(requests[1]!.user).toBe('lms');
      const all = lines.join('\n');
      for (const secret of [config.defaultAccount.password, 'SECRET-STUDENT-CODE-42', 'FEEDBACK-7', client.sessionCookie!])
        expect(all).not.toContain(secret);
    } finally {
      await server.close();
      await database.drop();
    }
  });
});
