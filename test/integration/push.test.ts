// Push queues (spec §7): submissions are POSTed to the queue's URL as JSON; a 200's text
// goes to the LMS as the result; repeated failures retire the submission with the notice.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FAILURE_NOTICE } from '../../src/protocol/strings.js';
import { startFakeLms } from '../helpers/fake-lms.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

interface Push {
  contentType: string | undefined;
  body: string;
}

async function externalGrader(status: number, reply: string) {
  const pushes: Push[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pushes.push({ contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/grade`,
    pushes,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('push queues', () => {
  it('push the body as JSON and relay the grader answer to the LMS', async () => {
    const reply = '{"correct": true, "score": 1, "msg": "<p>pushed</p>"}';
    const grader = await externalGrader(200, reply);
    closers.push(grader.close);
    const lms = await startFakeLms();
    closers.push(() => lms.close());
    const xq = await startTestServer({ XQUEUE_QUEUES: `openedx,pushed=${grader.url}` });
    closers.push(() => xq.close());
    const client = await loggedIn(xq.url, xq.password);
    const submission = lmsSubmission(lms.url, { queue: 'pushed' });
    await client.post('/xqueue/submit/', submission, [{ field: 'answer.py', content: 'print(1)\n' }]);

    const [callback] = await lms.waitFor(1);
    expect(callback!.body).toBe(reply);
    expect(callback!.header).toBe(submission.xqueue_header);
    expect(grader.pushes).toHaveLength(1);
    const push = grader.pushes[0]!;
    expect(push.contentType).toBe('application/json');
    const sent = JSON.parse(push.body) as { xqueue_body: string; xqueue_files: string };
    expect(Object.keys(sent)).toEqual(['xqueue_body', 'xqueue_files']);
    expect(sent.xqueue_body).toBe(submission.xqueue_body);
    const files = JSON.parse(sent.xqueue_files) as Record<string, string>;
    const file = await fetch(files['answer.py']!);
    expect(await file.text()).toBe('print(1)\n');
  });

  it('retire a submission the grader keeps failing on, and tell the learner', async () => {
    const grader = await externalGrader(500, 'boom');
    closers.push(grader.close);
    const lms = await startFakeLms();
    closers.push(() => lms.close());
    const xq = await startTestServer({
      XQUEUE_QUEUES: `pushed=${grader.url}`,
      XQUEUE_PULL_LIMIT: '2',
      XQUEUE_VISIBILITY_TIMEOUT: '1',
    });
    closers.push(() => xq.close());
    const client = await loggedIn(xq.url, xq.password);
    await client.post('/xqueue/submit/', lmsSubmission(lms.url, { queue: 'pushed' }));
    const [callback] = await lms.waitFor(1, 15_000);
    expect(callback!.body).toBe(FAILURE_NOTICE);
    expect(grader.pushes).toHaveLength(2);
    const row = await xq.server.queue.db.selectFrom('submissions').selectAll().executeTakeFirstOrThrow();
    expect(row.retire_reason).toBe('push_failed');
  });
});
