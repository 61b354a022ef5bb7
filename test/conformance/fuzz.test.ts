// A bounded, seeded random pass of malformed requests over every route and method
// (spec §1.4, §9f): never a 5xx, never an HTML body, every 200 on a legacy route a
// two-key envelope with return_code first, every redirect empty, every error an envelope.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedIn } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ENVELOPE_TYPE, raw, rawSocket, type RawReply } from './support.js';

const SEED = Number(process.env.XQUEUE_FUZZ_SEED ?? 20260501);
const REQUESTS = Number(process.env.XQUEUE_FUZZ_REQUESTS ?? 3000);
const CONCURRENCY = 16;

let xq: TestServer;
let cookie: string;
beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'openedx,tmp', XQUEUE_CALLBACK_BACKOFF_BASE: '60' });
  cookie = `sessionid=${(await loggedIn(xq.url, xq.password)).sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
});

/** mulberry32: small, fast, seedable. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const chance = (p: number) => next() < p;
  return { next, int, pick, bytes, chance };
}
type Rng = ReturnType<typeof prng>;

const ROUTES = ['login', 'logout', 'status', 'submit', 'get_queuelen', 'get_submission', 'put_result'];
const METHODS = ['GET', 'GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'];
const ODD_STRINGS = ['', ' ', '%', '%zz', '%E0%A4', '%FF%FE', '%00', '+', '&', '=', '==', '\u00e9', '😀', '\ud800', 'null', '[]', '{}', 'openedx', 'tmp', "'", '"', '\\', '<script>', '../..', '1e400', '-0', 'True', 'a'.repeat(300)];
const JSON_VALUES = ['null', 'true', 'false', '0', '-1', '1.5', '1e400', '"openedx"', '"tmp"', '""', '[]', '{}', '[1]', '{"a": 1}', '"\\ud800"', '12345678901234567890', '"  7 "', '"+1"', '"abc"'];

function jsonish(r: Rng): string {
  const roll = r.int(6);
  if (roll === 0) return r.bytes(r.int(40)).toString('latin1');
  if (roll === 1) return r.pick(JSON_VALUES);
  if (roll === 2) return r.pick(ODD_STRINGS);
  const keys = ['lms_callback_url', 'lms_key', 'queue_name', 'submission_id', 'submission_key', 'x', '__proto__', 'constructor'];
  const n = r.int(5);
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = r.pick(keys);
    const v = k === 'lms_callback_url' && r.chance(0.7) ? `"http://127.0.0.1:9/cb/${r.int(50)}"` : r.pick(JSON_VALUES);
    pairs.push(`"${k}": ${v}`);
  }
  const text = `{${pairs.join(', ')}}`;
  return roll === 5 ? text.slice(0, r.int(text.length + 1)) : text;
}

const FIELD_NAMES = ['xqueue_header', 'xqueue_body', 'username', 'password', 'queue_name', 'block', 'x', '', 'a.py', '%zz', 'xqueue_header'];

function encodeLoose(r: Rng, s: string): string {
  // Sometimes proper percent-encoding, sometimes raw or broken escapes.
  const roll = r.int(4);
  if (roll === 0) return s;
  if (roll === 1) return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'));
  if (roll === 2) return s + r.pick(['%', '%z', '%E0%A4', '%FF', '%C3%28', '+']);
  return [...Buffer.from(s, 'latin1')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
}

function urlencodedBody(r: Rng): Buffer {
  const n = r.int(6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.pick(FIELD_NAMES);
    const value = name === 'xqueue_header' ? jsonish(r) : r.chance(0.3) ? r.bytes(r.int(30)).toString('latin1') : r.pick(ODD_STRINGS);
    parts.push(r.chance(0.1) ? encodeLoose(r, name) : `${encodeLoose(r, name)}=${encodeLoose(r, value)}`);
  }
  if (r.chance(0.1)) parts.push('&&&=&');
  return Buffer.from(parts.join('&'), 'latin1');
}

function multipartBody(r: Rng, boundary: string): Buffer {
  const chunks: Buffer[] = [];
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    const name = r.pick(FIELD_NAMES);
    const isFile = r.chance(0.4);
    const disp = r.chance(0.9)
      ? `form-data; name="${name}"${isFile ? `; filename="${r.pick(['a.py', '', '../x', 'é.py', 'a"b'])}"` : ''}`
      : r.pick(['form-data', 'attachment; name=x', 'form-data; name=', 'garbage;;;']);
    chunks.push(Buffer.from(`--${r.chance(0.9) ? boundary : 'other'}\r\nContent-Disposition: ${disp}\r\n`, 'latin1'));
    if (r.chance(0.3)) chunks.push(Buffer.from(`Content-Type: ${r.pick(['text/plain; charset=utf-8', 'application/octet-stream', 'text/plain; charset=latin1', 'x'])}\r\n`));
    if (r.chance(0.05)) chunks.push(Buffer.from(`X-Junk: ${'j'.repeat(r.int(2000))}\r\n`));
    chunks.push(Buffer.from('\r\n'));
    chunks.push(name === 'xqueue_header' ? Buffer.from(jsonish(r), 'latin1') : r.bytes(r.int(isFile ? 3000 : 50)));
    chunks.push(Buffer.from('\r\n'));
  }
  const roll = r.int(5);
  if (roll === 0) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  else if (roll === 1) chunks.push(Buffer.from(`--${boundary}`));
  else if (roll === 2) chunks.push(r.bytes(r.int(100)));
  else chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  return r.chance(0.1) ? body.subarray(0, r.int(body.length + 1)) : body;
}

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

function query(r: Rng): string {
  const roll = r.int(8);
  if (roll === 0) return '';
  if (roll === 1) return '?';
  if (roll === 2) return `?queue_name=${encodeLoose(r, r.pick(['openedx', 'tmp', ...ODD_STRINGS]))}`;
  if (roll === 3) return `?${r.pick(['%', '%%', '&&', '=&=', 'queue_name', 'queue_name=%', 'queue_name=%E0%A4%A', 'a=1&a=2&queue_name=tmp&queue_name=openedx'])}`;
  if (roll === 4) return `?queue_name=${'q'.repeat(r.int(6000))}`;
  if (roll === 5) return `?wait=${r.pick(['', '-5', 'abc', '0', '10', 'Infinity', 'NaN', '1e-3', '0x10'])}&queue_name=${r.pick(['openedx', 'tmp', 'nosuch'])}`;
  if (roll === 6) return `?expires=${r.pick(['', '0', '99999999999', 'x'])}&signature=${r.pick(['', 'zz', '0'.repeat(64), 'A'.repeat(64)])}`;
  return '?' + encodeLoose(r, r.bytes(r.int(40)).toString('latin1')).replace(/[^\x21-\x7e]/g, '%20');
}

function path(r: Rng): string {
  const roll = r.int(20);
  if (roll < 12) return `/xqueue/${r.pick(ROUTES)}/`;
  if (roll < 14) return `/xqueue/${r.pick(ROUTES)}`;
  if (roll === 14) return `/xqueue/files/${r.int(50)}/${r.int(3)}/${r.pick(['a.py', '%zz', '%E0%A4', 'x%2Fy', '..', 'é', 'a'.repeat(3000)])}`;
  if (roll === 15) return r.pick(['/healthz', '/readyz', '/metrics']);
  if (roll === 16) return r.pick(['/', '/xqueue/', '/xqueue//', '/%', '/%zz', '/xqueue/%E0%A4/', '/xqueue/submit/%2e%2e/', '/xqueue/login/;x', '//xqueue/login/', '/xqueue/login/%00']);
  if (roll === 17) return `/xqueue/${r.pick(ROUTES)}/${encodeLoose(r, r.pick(ODD_STRINGS)).replace(/[^\x21-\x7e]/g, '%20')}`;
  if (roll === 18) return '/' + 'x/'.repeat(r.int(2000));
  return `/xqueue/${r.pick(ROUTES).toUpperCase()}/`;
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'multipart/form-data; boundary=BOUNDARY',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary="BOUNDARY"',
  'multipart/form-data; boundary=WRONG',
  'multipart/mixed; boundary=BOUNDARY',
  'application/json',
  'text/plain',
  'application/octet-stream',
  ';;;',
  '/',
  'x',
  'text/html; charset=utf-8; charset=latin1',
  'multipart/form-data; boundary=' + 'b'.repeat(200),
];

function request(r: Rng): FuzzRequest {
  const method = r.pick(METHODS);
  const p = path(r);
  const headers: Record<string, string> = {};
  if (!p.startsWith('/xqueue/logout') && r.chance(0.6)) headers.cookie = cookie;
  else if (r.chance(0.3)) headers.cookie = r.pick(['sessionid=', 'sessionid=x', 'sessionid="', '%%%', `sessionid=${'a'.repeat(500)}`, 'a=b; sessionid=x; sessionid=y']);
  if (r.chance(0.1)) headers.authorization = r.pick(['Basic ZWR4OmVkeA==', 'Basic', 'Bearer x', 'Basic %%%']);
  if (r.chance(0.1)) headers['x-real-ip'] = r.pick(['1.2.3.4', '', 'x'.repeat(3000), '::1']);
  if (r.chance(0.05)) headers['x-csrftoken'] = 'x';
  if (r.chance(0.05)) headers['accept'] = 'text/html';
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'TRACE' ? r.chance(0.85) : r.chance(0.05)) {
    const ct = r.pick(CONTENT_TYPES);
    if (r.chance(0.95)) headers['content-type'] = ct;
    if (ct.startsWith('multipart') && r.chance(0.8)) body = multipartBody(r, 'BOUNDARY');
    else if (ct.includes('urlencoded') && r.chance(0.8)) body = urlencodedBody(r);
    else body = r.chance(0.5) ? r.bytes(r.int(2000)) : Buffer.from(JSON.stringify({ xqueue_header: jsonish(r), xqueue_body: 'x' }));
  }
  // Raw bytes in the request line are the socket test's business; here the target is ASCII.
  const target = (p + query(r)).replace(/[^\x21-\x7e]/g, (ch) => encodeURIComponent(ch.replace(/[\ud800-\udfff]/g, '?')));
  return { method, path: target, headers, ...(body ? { body } : {}) };
}

const LEGACY = /^\/xqueue\/(login|logout|status|submit|get_queuelen|get_submission|put_result)\/(\?|$)/;

/** Returns a problem description, or null when the reply is acceptable. */
function check(req: FuzzRequest, res: RawReply): string | null {
  const text = res.text;
  if (res.status >= 500) return `status ${res.status}`;
  if (/<html|<!doctype|<body|<head|<title/i.test(text) || /^\s*</.test(text)) return 'HTML body';
  if (req.method === 'HEAD') return res.body.length === 0 ? null : 'HEAD with a body';
  if (res.status === 301 || res.status === 302) return text === '' && typeof res.headers.location === 'string' ? null : 'redirect with a body or no Location';
  const path = req.path.split('?')[0]!;
  const isHealth = /^\/(healthz|readyz|metrics)(\?|$)/.test(req.path);
  if (isHealth && req.method === 'GET') return res.status === 200 ? null : `health ${res.status}`;
  if (text === '' && res.status !== 200) return null;
  if (!text.startsWith('{"return_code": ')) return `not an envelope: ${text.slice(0, 120)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `envelope not JSON: ${text.slice(0, 120)}`;
  }
  const keys = Object.keys(parsed as object);
  if (keys.length !== 2 || keys[0] !== 'return_code' || keys[1] !== 'content') return `envelope keys ${keys.join(',')}`;
  const rc = (parsed as { return_code: unknown }).return_code;
  if (rc !== 0 && rc !== 1) return `return_code ${String(rc)}`;
  if (res.status !== 200 && rc !== 1) return `error status ${res.status} with rc ${String(rc)}`;
  if (res.headers['content-type'] !== ENVELOPE_TYPE) return `envelope content-type ${String(res.headers['content-type'])}`;
  if (res.status === 200 && !LEGACY.test(req.path) && !path.startsWith('/xqueue/files/')) return `200 off the legacy routes`;
  return null;
}

describe('fuzz', () => {
  it(`${REQUESTS} seeded malformed requests (seed ${SEED}): no 5xx, no HTML, envelopes only`, async () => {
    const r = prng(SEED);
    const requests = Array.from({ length: REQUESTS }, () => request(r));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const req = requests[next++]!;
        let res: RawReply;
        try {
          res = await raw(xq.url, req.method, req.path, { headers: req.headers, ...(req.body ? { body: req.body } : {}), agent, timeoutMs: 3000 });
        } catch (err) {
          // The server may close a connection it refused (400/413 mid-body); that is not a failure.
          const code = (err as NodeJS.ErrnoException).code ?? '';
          if (!['ECONNRESET', 'EPIPE', 'HPE_INVALID_CONSTANT'].includes(code)) problems.push(`${req.method} ${req.path.slice(0, 100)}: client error ${code} ${String(err)}`);
          continue;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = check(req, res);
        if (problem) problems.push(`${req.method} ${req.path.slice(0, 100)} [${req.headers['content-type'] ?? '-'}] → ${res.status}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    expect(problems.slice(0, 15)).toEqual([]);
    // The pass reached the handlers, not just the front door.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(REQUESTS / 6);
    expect(statuses.get(302) ?? 0).toBeGreaterThan(0);
    // The server is still healthy afterwards.
    expect((await raw(xq.url, 'GET', '/xqueue/status/')).text).toBe('{"return_code": 0, "content": "OK"}');
  }, 60_000);

  it('survives seeded raw malformed HTTP on the socket without a 5xx or HTML', async () => {
    const r = prng(SEED + 1);
    const lines = Array.from({ length: 120 }, () => {
      const method = r.pick([...METHODS, 'FOO', 'G E T', '']);
      const target = r.pick(['/xqueue/status/', '/xqueue/login/', `/xqueue/submit/${r.bytes(5).toString('latin1')}`, '*', 'http://x/xqueue/status/', '', '/\u00e9']);
      const version = r.pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '']);
      const headers = r.pick([
        'Host: x\r\n',
        '',
        'Host: x\r\nContent-Length: -1\r\n',
        'Host: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n',
        'Host: x\r\nTransfer-Encoding: gzip, chunked\r\n',
        'Host: x\r\n\u0000: y\r\n',
        `Host: x\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n`,
      ]);
      return Buffer.concat([Buffer.from(`${method} ${target} ${version}\r\n${headers}Connection: close\r\n\r\n`, 'latin1'), r.bytes(r.int(20))]);
    });
    const replies = await Promise.all(lines.map((bytes) => rawSocket(xq.url, bytes, 500)));
    for (const [i, res] of replies.entries()) {
      if (res === '') continue;
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(res)?.[1] ?? 0);
      expect(status, JSON.stringify(lines[i]!.toString('latin1'))).toBeGreaterThanOrEqual(200);
      expect(status, JSON.stringify(lines[i]!.toString('latin1'))).toBeLessThan(500);
      expect(res).not.toMatch(/<html|<!doctype/i);
    }
  });
});
