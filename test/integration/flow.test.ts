// The whole journey over real HTTP: LMS submits, a grader pulls and answers, the LMS gets the callback.
import { describe, expect, it } from 'vitest';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { serverWithLms } from '../helpers/server.js';

const ctx = serverWithLms();

describe('submission journey', () => {
  it('delivers the grader reply to the LMS with the original header byte for byte', async () => {
    const client = await loggedIn(ctx.xq.url, ctx.xq.password);
    const submission = lmsSubmission(ctx.lms.url);
    const submitted = await client.post('/xqueue/submit/', submission);
    expect(submitted.text).toBe('{"return_code": 0, "content": "1"}');

    const pulled = await client.get('/xqueue/get_submission/?queue_name=openedx');
    const envelope = pulled.json();
    expect(envelope.return_code).toBe(0);
    const content = JSON.parse(envelope.content as string) as Record<string, string>;
    expect(Object.keys(content)).toEqual(['xqueue_header', 'xqueue_body', 'xqueue_files']);
    expect(content.xqueue_body).toBe(submission.xqueue_body);
    expect(content.xqueue_files).toBe('{}');
    const header = JSON.parse(content.xqueue_header!) as { submission_id: number; submission_key: string };
    expect(content.xqueue_header).toBe(`{"submission_id": ${header.submission_id}, "submission_key": "${header.submission_key}"}`);
    expect(header.submission_key).toMatch(/^[0-9a-f]{32}$/);

    const reply = '{"correct": true, "score": 1, "msg": "<p>Good job!</p>"}';
    const put = await client.post('/xqueue/put_result/', { xqueue_header: content.xqueue_header!, xqueue_body: reply });
    expect(put.text).toBe('{"return_code": 0, "content": ""}');

    const [callback] = await ctx.lms.waitFor(1);
    expect(callback!.path).toBe(new URL(JSON.parse(submission.xqueue_header!).lms_callback_url as string).pathname);
    expect(callback!.contentType).toBe('application/x-www-form-urlencoded');
    expect(callback!.header).toBe(submission.xqueue_header);
    expect(callback!.body).toBe(reply);
    expect(callback!.raw.startsWith('xqueue_header=%7B%22lms_callback_url%22%3A+%22')).toBe(true);

    const len = await client.get('/xqueue/get_queuelen/?queue_name=openedx');
    expect(len.text).toBe('{"return_code": 0, "content": 0}');
  });

  it('escapes non-ASCII again at every level, as json.dumps does (spec §3.6)', async () => {
    const client = await loggedIn(ctx.xq.url, ctx.xq.password);
    const submission = { ...lmsSubmission(ctx.lms.url, { block: 'unicode' }), xqueue_body: "print('hi') ✓" };
    await client.post('/xqueue/submit/', submission);
    const pulled = await client.get('/xqueue/get_submission/?queue_name=openedx');
    expect(pulled.text).toContain(`\\"xqueue_body\\": \\"print('hi') \\\\u2713\\"`);
  });
});
