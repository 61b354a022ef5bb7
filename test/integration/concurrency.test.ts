// Atomic claim (spec §9a): sixteen graders polling at once never hold the same submission.
import { describe, expect, it } from 'vitest';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { serverWithLms } from '../helpers/server.js';

const ctx = serverWithLms();

describe('16 concurrent graders', () => {
  it('hand each submission to exactly one grader, and every result reaches the LMS once', async () => {
    const total = 300;
    const submitter = await loggedIn(ctx.xq.url, ctx.xq.password);
    await Promise.all(
      Array.from({ length: 10 }, async (_, worker) => {
        for (let i = worker; i < total; i += 10) await submitter.post('/xqueue/submit/', lmsSubmission(ctx.lms.url, { block: `b${i}` }));
      }),
    );
    expect((await submitter.get('/xqueue/get_queuelen/?queue_name=openedx')).json().content).toBe(total);

    const claims: Array<{ grader: number; id: number }> = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, grader) => {
        const client = await loggedIn(ctx.xq.url, ctx.xq.password);
        for (;;) {
          const r = (await client.get('/xqueue/get_submission/?queue_name=openedx')).json();
          if (r.return_code !== 0) {
            expect(r.content).toBe("Queue 'openedx' is empty");
            return;
          }
          const content = JSON.parse(r.content as string) as Record<string, string>;
          claims.push({ grader, id: (JSON.parse(content.xqueue_header!) as { submission_id: number }).submission_id });
          const put = await client.post('/xqueue/put_result/', {
            xqueue_header: content.xqueue_header!,
            xqueue_body: `{"correct": true, "score": 1, "msg": "<p>${grader}</p>"}`,
          });
          expect(put.json()).toEqual({ return_code: 0, content: '' });
        }
      }),
    );
    const ids = claims.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(total);
    expect(new Set(claims.map((c) => c.grader)).size).toBeGreaterThan(1);

    const delivered = await ctx.lms.waitFor(total, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const keys = ctx.lms.callbacks.map((c) => (JSON.parse(c.header) as { lms_key: string }).lms_key);
    expect(delivered).toHaveLength(total);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
