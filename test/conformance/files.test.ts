// Files (spec §1.3, §4, §9g): keyed by form field name, last of a field wins, absolute
// signed links minted per claim, served with the right headers; bad links refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSignature } from '../../src/files/signed-link.js';
import { loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, lmsHeader, raw, sleep, type Pulled } from './support.js';

let xq: TestServer;
let c: XqueueClient;
let n = 0;
const cb = () => `http://lms.invalid/courses/c/xqueue/3/block@f${++n}/score_update`;

beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'files' });
  c = await loggedIn(xq.url, xq.password);
});
afterAll(async () => {
  await xq.close();
});

async function submitAndPull(files: Array<{ field: string; content: string | Buffer; filename?: string }>): Promise<Pulled> {
  const r = await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'files'), xqueue_body: '{"student_response": ""}' }, files);
  expect(r.text).toBe(env(0, '1'));
  const pulled = await c.get('/xqueue/get_submission/?queue_name=files');
  const p = decodePulled(pulled.text);
  await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: '{}' });
  return p;
}

const LINK = /^(http:\/\/127\.0\.0\.1:\d+)(\/xqueue\/files\/(\d+)\/(\d+)\/([^?/]+))\?expires=(\d+)&signature=([0-9a-f]{64})$/;

describe('multipart submit with files', () => {
  it('keys files by form field name, in upload order, with absolute fetchable links', async () => {
    const p = await submitAndPull([
      { field: 'b.py', content: 'print("b")\n', filename: 'other-name.txt' },
      { field: 'a.py', content: Buffer.from([0, 1, 2, 255]) },
    ]);
    expect(Object.keys(p.files)).toEqual(['b.py', 'a.py']);
    for (const [name, url] of Object.entries(p.files)) {
      const m = LINK.exec(url);
      expect(m, url).not.toBeNull();
      expect(m![1]).toBe(xq.url);
      expect(Number(m![3])).toBe(p.id);
      expect(decodeURIComponent(m![5]!)).toBe(name);
      const now = Date.now() / 1000;
      expect(Number(m![6])).toBeGreaterThan(now + 3500);
      expect(Number(m![6])).toBeLessThanOrEqual(now + 3601);
      expect(m![7]).toBe(linkSignature(xq.config.secretKey, m![2]!, Number(m![6])));
    }
    const b = await fetch(p.files['b.py']!);
    expect(b.status).toBe(200);
    expect(await b.text()).toBe('print("b")\n');
    expect(b.headers.get('content-type')).toBe('application/octet-stream');
    expect(b.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''b.py");
    const a = await fetch(p.files['a.py']!);
    expect(Buffer.from(await a.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(a.headers.get('content-length')).toBe('4');
    // No session needed: the fetches above carried no cookie.
  });

  it('keeps only the last file of a repeated field name', async () => {
    const p = await submitAndPull([
      { field: 'x.py', content: 'first' },
      { field: 'y.py', content: 'y' },
      { field: 'x.py', content: 'second' },
    ]);
    expect(Object.keys(p.files).sort()).toEqual(['x.py', 'y.py']);
    expect(await (await fetch(p.files['x.py']!)).text()).toBe('second');
    expect(await (await fetch(p.files['y.py']!)).text()).toBe('y');
  });

  it('percent-encodes names in the link and the Content-Disposition', async () => {
    const name = 'my file é+&?#.py';
    const p = await submitAndPull([{ field: name, content: 'z' }]);
    const url = p.files[name]!;
    expect(url).toContain(`/${encodeURIComponent(name)}?expires=`);
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    expect(await r.text()).toBe('z');
  });
});

describe('signed links (§4)', () => {
  let url: string;
  let path: string;
  let expires: number;
  beforeAll(async () => {
    const p = await submitAndPull([{ field: 'sig.py', content: 'sig' }]);
    url = p.files['sig.py']!;
    const m = LINK.exec(url)!;
    path = m[2]!;
    expires = Number(m[6]);
  });
  const INVALID = env(1, 'File link has expired or is invalid');

  it('serves HEAD with the headers and no body', async () => {
    const u = new URL(url);
    const r = await raw(xq.url, 'HEAD', u.pathname + u.search);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.body.length).toBe(0);
  });

  it.each([
    ['a tampered signature', (s: string) => s.replace(/signature=(.)/, (_m, ch: string) => `signature=${ch === '0' ? '1' : '0'}`)],
    ['an upper-case signature', (s: string) => s.replace(/signature=([0-9a-f]+)/, (_m, h: string) => `signature=${h.toUpperCase()}`)],
    ['a changed expiry', (s: string) => s.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 1}`)],
    ['no signature', (s: string) => s.replace(/&signature=.*$/, '')],
    ['no query', (s: string) => s.replace(/\?.*$/, '')],
    ['a short signature', (s: string) => s.slice(0, -2)],
    ['another file index', (s: string) => s.replace(/\/(\d+)\/0\//, '/$1/1/')],
    ['another submission id', (s: string) => s.replace(/\/files\/(\d+)\//, (_m, id: string) => `/files/${Number(id) + 1}/`)],
    ['another name', (s: string) => s.replace('/sig.py?', '/sig.pyc?')],
    ['a non-numeric expiry', (s: string) => s.replace(/expires=\d+/, 'expires=abc')],
  ])('refuses %s with 403', async (_name, mutate) => {
    const bad = new URL(mutate(url));
    const r = await raw(xq.url, 'GET', bad.pathname + bad.search);
    expect(r.status).toBe(403);
    expect(r.text).toBe(INVALID);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('refuses an expired link with 403, even when correctly signed', async () => {
    const past = Math.floor(Date.now() / 1000) - 1;
    const r = await raw(xq.url, 'GET', `${path}?expires=${past}&signature=${linkSignature(xq.config.secretKey, path, past)}`);
    expect(r.status).toBe(403);
    expect(r.text).toBe(INVALID);
  });

  it('answers 404 Not Found for a validly signed link to a file that does not exist', async () => {
    for (const p of ['/xqueue/files/999999/0/a.py', `${path.replace(/\/0\//, '/5/')}`, '/xqueue/files/1/0/a/b']) {
      const r = await raw(xq.url, 'GET', `${p}?expires=${expires}&signature=${linkSignature(xq.config.secretKey, p, expires)}`);
      expect(r.status, p).toBe(404);
      expect(r.text).toBe(env(1, 'Not Found'));
    }
  });

  it('still serves the file after the submission was graded', async () => {
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('sig');
  });
});

describe('XQUEUE_PUBLIC_URL and link lifetime', () => {
  it('uses the public base URL, and links expire after XQUEUE_FILE_LINK_TTL', async () => {
    const pub = await startTestServer({ XQUEUE_QUEUES: 'files', XQUEUE_PUBLIC_URL: 'https://xqueue.example.com/', XQUEUE_FILE_LINK_TTL: '1' });
    try {
      const g = await loggedIn(pub.url, pub.password);
      await g.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'files'), xqueue_body: '' }, [{ field: 'p.py', content: 'p' }]);
      const p = decodePulled((await g.get('/xqueue/get_submission/?queue_name=files')).text);
      const link = p.files['p.py']!;
      expect(link).toMatch(/^https:\/\/xqueue\.example\.com\/xqueue\/files\/\d+\/0\/p\.py\?expires=\d+&signature=[0-9a-f]{64}$/);
      const u = new URL(link);
      expect((await raw(pub.url, 'GET', u.pathname + u.search)).status).toBe(200);
      await sleep(2100);
      const late = await raw(pub.url, 'GET', u.pathname + u.search);
      expect(late.status).toBe(403);
      expect(late.text).toBe(env(1, 'File link has expired or is invalid'));
    } finally {
      await pub.close();
    }
  });
});
