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

/** A server whose info-level log lines are collected, on the suite's database. */
async function loggingServer(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const dataDir = testDataDir();
  const database = await testDatabase();
  const config = parseConfig(loadRawConfig({ XQUEUE_PORT: '0', ...database.env, ...env }, dataDir), dataDir);
  const server = await createServer({
    config,
    db: connect(config.database),
    storage: await new DiskFileStore(join(dataDir, 'files')).init(),
    log: pino({ level: 'info' }, sink),
  });
  const url = await server.listen();
  const requests = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'request');
  const close = async () => {
    await server.close();
    await database.drop();
  };
  return { config, url, lines, requests, close };
}

describe('request logs', () => {
  it('write one JSON line per request with the submission id, and no secrets or code', async () => {
    const { config, url, lines, requests: logged, close } = await loggingServer();
    try {
      const client = await loggedIn(url, config.defaultAccount.password);
      const secretCode = 'print("SECRET-STUDENT-CODE-42")';
      await client.post('/xqueue/submit/', lmsSubmission('http://127.0.0.1:9', { response: secretCode }));
      const pulled = (await client.get('/xqueue/get_submission/?queue_name=openedx')).json();
      const header = (JSON.parse(pulled.content as string) as Record<string, string>).xqueue_header!;
      await client.post('/xqueue/put_result/', { xqueue_header: header, xqueue_body: '{"correct": true, "score": 1, "msg": "FEEDBACK-7"}' });

      const requests = logged();
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
      await close();
    }
  });

  it('name the id the submission got, also when its queue is new (its counter row is made then)', async () => {
    const { config, url, requests, close } = await loggingServer({ XQUEUE_QUEUES: 'a,b,c' });
    try {
      const client = await loggedIn(url, config.defaultAccount.password);
      for (const [i, queue] of ['a', 'a', 'b', 'a', 'c', 'b'].entries())
        expect((await client.post('/xqueue/submit/', lmsSubmission('http://127.0.0.1:9', { queue, user: i }))).json().return_code).toBe(0);
      const handedOut: Record<string, number[]> = {};
      for (const queue of ['a', 'b', 'c'])
        for (;;) {
          const r = (await client.get(`/xqueue/get_submission/?queue_name=${queue}`)).json();
          if (r.return_code !== 0) break;
          const header = JSON.parse((JSON.parse(r.content as string) as Record<string, string>).xqueue_header!) as { submission_id: number };
          (handedOut[queue] ??= []).push(header.submission_id);
        }
      const submitted = requests().filter((r) => r.path === '/xqueue/submit/').map((r) => r.submission);
      expect(submitted).toHaveLength(6);
      expect(new Set(submitted).size).toBe(6);
      expect(handedOut).toEqual({
        a: [submitted[0], submitted[1], submitted[3]],
        b: [submitted[2], submitted[5]],
        c: [submitted[4]],
      });
    } finally {
      await close();
    }
  });
});
