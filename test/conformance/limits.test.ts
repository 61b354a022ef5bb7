// Limits (spec §1.4, §1.5, §9f): 413 envelopes for bodies, fields, files and file size
// (nothing stored), 431 for a header block over 16 KiB, 400 for malformed HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { env, ENVELOPE_TYPE, filesUnder, lmsHeader, raw, rawSocket } from './support.js';

let xq: TestServer;
let c: XqueueClient;
let cookie: string;
let n = 0;
const cb = () => `http://lms.invalid/courses/c/xqueue/3/block@l${++n}/score_update`;
const TOO_LARGE = env(1, 'Request body too large');

beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'lim' });
  c = await loggedIn(xq.url, xq.password);
  cookie = `sessionid=${c.sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
});

const len = async () => (await c.get('/xqueue/get_queuelen/?queue_name=lim')).json().content;
const urlencoded = (body: string) =>
  raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
async function drain() {
  for (let r = await c.get('/xqueue/get_submission/?queue_name=lim'); r.json().return_code === 0; r = await c.get('/xqueue/get_submission/?queue_name=lim')) {
    const content = JSON.parse(r.json().content as string) as { xqueue_header: string };
    await c.post('/xqueue/put_result/', { xqueue_header: content.xqueue_header, xqueue_body: '{}' });
  }
}

function multipart(parts: Array<{ name: string; filename?: string; data: string | Buffer }>, boundary = 'LIMITBOUNDARY'): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}
const postMultipart = (m: { body: Buffer; type: string }) =>
  raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie, 'content-type': m.type }, body: m.body });

describe('form data: 2,621,440 bytes', () => {
  it('accepts an urlencoded body of exactly the limit', async () => {
    await drain();
    const prefix = `xqueue_header=${encodeURIComponent(lmsHeader(cb(), 'lim'))}&xqueue_body=`;
    const r = await urlencoded(prefix + 'a'.repeat(2_621_440 - prefix.length));
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(0, '1'));
    await drain();
  });

  it('answers 413 for one byte more, and stores nothing', async () => {
    const prefix = `xqueue_header=${encodeURIComponent(lmsHeader(cb(), 'lim'))}&xqueue_body=`;
    const r = await urlencoded(prefix + 'a'.repeat(2_621_441 - prefix.length));
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
    expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
    expect(await len()).toBe(0);
  });

  it('answers 413 for multipart non-file data over the limit', async () => {
    const r = await postMultipart(multipart([
      { name: 'xqueue_header', data: lmsHeader(cb(), 'lim') },
      { name: 'xqueue_body', data: 'b'.repeat(2_621_441) },
    ]));
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
    expect(await len()).toBe(0);
  });

  it('answers 413 on put_result too', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/put_result/', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `xqueue_header=%7B%7D&xqueue_body=${'x'.repeat(2_621_440)}`,
    });
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
  });
});

describe('fields and files per request: 1000 / 100', () => {
  it('accepts 1000 urlencoded fields and refuses 1001 with 413', async () => {
    await drain();
    const base = [`xqueue_header=${encodeURIComponent(lmsHeader(cb(), 'lim'))}`, 'xqueue_body=x'];
    const ok = await urlencoded([...base, ...Array.from({ length: 998 }, (_, i) => `f${i}=1`)].join('&'));
    expect(ok.text).toBe(env(0, '1'));
    const r = await urlencoded([...base, ...Array.from({ length: 999 }, (_, i) => `f${i}=1`)].join('&'));
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
    await drain();
  });

  it('refuses 1001 multipart fields with 413', async () => {
    const r = await postMultipart(multipart(Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, data: '1' }))));
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
  });

  it('accepts 100 files and refuses 101 with 413, storing nothing', async () => {
    await drain();
    const fields = [{ name: 'xqueue_header', data: lmsHeader(cb(), 'lim') }, { name: 'xqueue_body', data: '' }];
    const files = (k: number) => Array.from({ length: k }, (_, i) => ({ name: `file${i}.py`, filename: `file${i}.py`, data: `print(${i})` }));
    expect((await postMultipart(multipart([...fields, ...files(100)]))).text).toBe(env(0, '1'));
    await drain();
    const stored = filesUnder(join(xq.dataDir, 'files')).length;
    const r = await postMultipart(multipart([...fields, ...files(101)]));
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
    expect(await len()).toBe(0);
    expect(filesUnder(join(xq.dataDir, 'files')).length).toBe(stored);
  });
});

describe('size of one file: 16 MiB', () => {
  it('refuses a file one byte over with 413, and stores nothing', async () => {
    const before = filesUnder(join(xq.dataDir, 'files')).length;
    const r = await postMultipart(multipart([
      { name: 'xqueue_header', data: lmsHeader(cb(), 'lim') },
      { name: 'xqueue_body', data: '' },
      { name: 'small.py', filename: 'small.py', data: 'ok' },
      { name: 'big.bin', filename: 'big.bin', data: Buffer.alloc(16 * 1024 * 1024 + 1, 0x61) },
    ]));
    expect(r.status).toBe(413);
    expect(r.text).toBe(TOO_LARGE);
    expect(await len()).toBe(0);
    expect(filesUnder(join(xq.dataDir, 'files')).length).toBe(before);
  });

  it('accepts a file of exactly 16 MiB, and serves it whole', async () => {
    await drain();
    const r = await postMultipart(multipart([
      { name: 'xqueue_header', data: lmsHeader(cb(), 'lim') },
      { name: 'xqueue_body', data: '' },
      { name: 'big.bin', filename: 'big.bin', data: Buffer.alloc(16 * 1024 * 1024, 0x62) },
    ]));
    expect(r.text).toBe(env(0, '1'));
    const pulled = await c.get('/xqueue/get_submission/?queue_name=lim');
    const content = JSON.parse(pulled.json().content as string) as { xqueue_header: string; xqueue_files: string };
    const link = (JSON.parse(content.xqueue_files) as Record<string, string>)['big.bin']!;
    const got = Buffer.from(await (await fetch(link)).arrayBuffer());
    expect(got.length).toBe(16 * 1024 * 1024);
    await c.post('/xqueue/put_result/', { xqueue_header: content.xqueue_header, xqueue_body: '{}' });
  });
});

describe('HTTP-level limits', () => {
  it('answers 431 for a request header block over 16 KiB', async () => {
    const res = await rawSocket(xq.url, `GET /xqueue/status/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\nConnection: close\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 431 /);
    const body = res.slice(res.indexOf('\r\n\r\n') + 4);
    expect(body === '' || body === env(1, 'Request header fields too large')).toBe(true);
  });

  it('answers 431 for a request line over 16 KiB', async () => {
    const res = await rawSocket(xq.url, `GET /xqueue/get_queuelen/?queue_name=${'q'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('still answers a header block just under the limit', async () => {
    const r = await raw(xq.url, 'GET', '/xqueue/status/', { headers: { 'x-big': 'a'.repeat(15 * 1024) } });
    expect(r.text).toBe(env(0, 'OK'));
  });

  it.each([
    ['garbage', 'HELLO\r\n\r\n'],
    ['a bad request line', 'GET /xqueue/status/ HTTP/9.9 extra\r\n\r\n'],
    ['a bad header', 'GET /xqueue/status/ HTTP/1.1\r\nHost x\r\n\r\n'],
    ['a bad chunk', 'POST /xqueue/login/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['both Content-Length and chunked', 'POST /xqueue/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ])('answers 400 for %s, without HTML', async (_name, bytes) => {
    const res = await rawSocket(xq.url, bytes);
    expect(res).toMatch(/^HTTP\/1\.1 400 /);
    const body = res.slice(res.indexOf('\r\n\r\n') + 4);
    expect(body === '' || body === env(1, 'Bad request')).toBe(true);
  });
});

describe('malformed requests (regressions found by the fuzz pass)', () => {
  it('ignores a multipart part without a name instead of throwing', async () => {
    const boundary = 'NONAME';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; filename="f.py"\r\n\r\nfile\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="xqueue_header"\r\n\r\n${lmsHeader(cb(), 'lim')}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="xqueue_body"\r\n\r\nb\r\n--${boundary}--\r\n`,
    );
    await drain();
    const r = await raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(r.text).toBe(env(0, '1'));
    const content = JSON.parse((await c.get('/xqueue/get_submission/?queue_name=lim')).json().content as string) as { xqueue_header: string; xqueue_files: string };
    expect(content.xqueue_files).toBe('{}');
    await c.post('/xqueue/put_result/', { xqueue_header: content.xqueue_header, xqueue_body: '{}' });
  });

  it('answers 400 for a form cut off inside a file (named or not), and stays up', async () => {
    for (const disp of ['form-data; name="a.py"; filename="a.py"', 'form-data; filename="a.py"']) {
      const body = Buffer.from(`--CUT\r\nContent-Disposition: ${disp}\r\n\r\npartial file conte`);
      const r = await raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie, 'content-type': 'multipart/form-data; boundary=CUT' }, body });
      expect(r.status).toBe(400);
      expect(r.text).toBe(env(1, 'Bad request'));
    }
    expect((await raw(xq.url, 'GET', '/xqueue/status/')).text).toBe(env(0, 'OK'));
    expect(filesUnder(join(xq.dataDir, 'files', '.staging'))).toEqual([]);
  });

  it('answers a path with bad percent-encoding with a 400 envelope, not a framework JSON body', async () => {
    for (const p of ['/%', '/xqueue/%zz/', '/xqueue/files/1/0/%E0%A4?expires=1&signature=x']) {
      const r = await raw(xq.url, 'GET', p);
      expect(r.status, p).toBe(400);
      expect(r.text).toBe(env(1, 'Bad request'));
      expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
    }
  });
});
