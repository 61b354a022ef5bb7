// /xqueue/login/, /xqueue/logout/, /xqueue/status/ (spec §2.3, §3.1–§3.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../src/accounts/users.js';
import { XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { env, ENVELOPE_TYPE, raw } from './support.js';

let xq: TestServer;
beforeAll(async () => {
  xq = await startTestServer();
  await upsertUser(xq.server.queue.db, 'disabled', { password: 'pw-disabled', roles: ['grader'], active: false });
});
afterAll(async () => {
  await xq.close();
});

const SESSION_COOKIE = /^sessionid=([A-Za-z0-9_\-+/=]+); expires=(\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT); HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax$/;
const CSRF_COOKIE = /^csrftoken=([A-Za-z0-9]{32}); expires=(\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT); Max-Age=31449600; Path=\/; SameSite=Lax$/;

describe('POST /xqueue/login/', () => {
  it('logs in with a form and sets sessionid and csrftoken with their attributes', async () => {
    const c = new XqueueClient(xq.url);
    const before = Date.now();
    const r = await c.login('lms', xq.password);
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(0, 'Logged in'));
    expect(r.headers.get('content-type')).toBe(ENVELOPE_TYPE);
    expect(r.headers.get('content-length')).toBe(String(Buffer.byteLength(r.text)));
    const cookies = r.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    const session = cookies.find((x) => x.startsWith('sessionid='))!;
    const csrf = cookies.find((x) => x.startsWith('csrftoken='))!;
    const sm = SESSION_COOKIE.exec(session);
    expect(sm, session).not.toBeNull();
    // ≥ 128 bits of opaque token
    expect(sm![1]!.length).toBeGreaterThanOrEqual(22);
    const expires = Date.parse(sm![2]!);
    expect(Math.abs(expires - (before + 1_209_600_000))).toBeLessThan(5000);
    const cm = CSRF_COOKIE.exec(csrf);
    expect(cm, csrf).not.toBeNull();
    expect(Math.abs(Date.parse(cm![2]!) - (before + 31_449_600_000))).toBeLessThan(5000);
    // The session works.
    expect((await c.get('/xqueue/get_queuelen/?queue_name=openedx')).text).toBe(env(0, 0));
  });

  it('gives every login a different session', async () => {
    const a = new XqueueClient(xq.url);
    const b = new XqueueClient(xq.url);
    await a.login('lms', xq.password);
    await b.login('lms', xq.password);
    expect(a.sessionCookie).toBeDefined();
    expect(a.sessionCookie).not.toBe(b.sessionCookie);
  });

  it('marks the session cookie Secure when configured', async () => {
    const secure = await startTestServer({ XQUEUE_SESSION_COOKIE_SECURE: 'true' });
    try {
      const r = await new XqueueClient(secure.url).login('lms', secure.password);
      const session = r.headers.getSetCookie().find((x) => x.startsWith('sessionid='))!;
      expect(session).toMatch(/; HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax; Secure$/);
    } finally {
      await secure.close();
    }
  });

  it('logs in with a multipart form too', async () => {
    const c = new XqueueClient(xq.url);
    const r = await c.request('POST', '/xqueue/login/', { form: { username: 'lms', password: xq.password }, files: [] });
    expect(r.text).toBe(env(0, 'Logged in'));
  });

  it('ignores Basic credentials, X-CSRFToken, Referer and Origin (clients.md §3.2)', async () => {
    const c = new XqueueClient(xq.url);
    const r = await c.request('POST', '/xqueue/login/', {
      form: { username: 'lms', password: xq.password },
      headers: { authorization: 'Basic ZWR4OmVkeA==', 'x-csrftoken': 'nonsense', referer: 'https://evil.example/', origin: 'https://evil.example' },
    });
    expect(r.text).toBe(env(0, 'Logged in'));
  });

  it('accepts the xqueue-watcher sequence: GET, then POST with Referer and the csrftoken echoed', async () => {
    const c = new XqueueClient(xq.url);
    const g = await c.request('GET', '/xqueue/login/');
    expect(g.status).toBe(200);
    expect(g.text).toBe(env(1, 'login_required'));
    const r = await c.request('POST', '/xqueue/login/', {
      form: { username: 'lms', password: xq.password },
      headers: { referer: `${xq.url}/xqueue/login/`, 'x-csrftoken': 'A'.repeat(32) },
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(0, 'Logged in'));
  });

  it('refuses a wrong password, an unknown user and a disabled user alike, setting no cookie', async () => {
    for (const [u, p] of [['lms', 'wrong'], ['nobody', 'x'], ['disabled', 'pw-disabled'], ['lms', ''], ['', '']]) {
      const r = await new XqueueClient(xq.url).login(u!, p!);
      expect(r.status).toBe(200);
      expect(r.text, `${u}/${p}`).toBe(env(1, 'Incorrect login credentials'));
      expect(r.headers.getSetCookie()).toEqual([]);
    }
  });

  it('keeps an existing session after a failed login', async () => {
    const c = new XqueueClient(xq.url);
    await c.login('lms', xq.password);
    const cookie = c.sessionCookie;
    expect((await c.login('lms', 'wrong')).text).toBe(env(1, 'Incorrect login credentials'));
    expect(c.sessionCookie).toBe(cookie);
    expect((await c.get('/xqueue/get_queuelen/?queue_name=openedx')).text).toBe(env(0, 0));
  });

  it.each([
    ['no username', { password: 'x' }],
    ['no password', { username: 'lms' }],
    ['no fields', {}],
    ['other fields only', { user: 'lms', pass: 'x' }],
  ])('answers Insufficient login info for %s', async (_name, form) => {
    const r = await new XqueueClient(xq.url).request('POST', '/xqueue/login/', { form });
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(1, 'Insufficient login info'));
  });

  it('treats a JSON body, a text body and no body as having no fields', async () => {
    const json = JSON.stringify({ username: 'lms', password: xq.password });
    for (const [type, body] of [
      ['application/json', json],
      ['text/plain', `username=lms&password=${xq.password}`],
      ['application/octet-stream', `username=lms&password=${xq.password}`],
    ] as const) {
      const r = await raw(xq.url, 'POST', '/xqueue/login/', { headers: { 'content-type': type }, body });
      expect(r.status).toBe(200);
      expect(r.text, type).toBe(env(1, 'Insufficient login info'));
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const none = await raw(xq.url, 'POST', '/xqueue/login/');
    expect(none.text).toBe(env(1, 'Insufficient login info'));
  });

  it('answers Insufficient login info when a value is not UTF-8 (§1.3)', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/login/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=lms%FF&password=${encodeURIComponent(xq.password)}`,
    });
    expect(r.text).toBe(env(1, 'Insufficient login info'));
  });

  it('takes the last value of a repeated field', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/login/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=nobody&password=wrong&username=lms&password=${encodeURIComponent(xq.password)}`,
    });
    expect(r.text).toBe(env(0, 'Logged in'));
  });

  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('answers %s with login_required', async (method) => {
    const r = await raw(xq.url, method, '/xqueue/login/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: method === 'GET' ? undefined : `username=lms&password=${encodeURIComponent(xq.password)}`,
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(1, 'login_required'));
    expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('answers HEAD with the 200 headers and no body', async () => {
    const r = await raw(xq.url, 'HEAD', '/xqueue/login/');
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });
});

describe('/xqueue/logout/', () => {
  it('says Goodbye without a session, and sets no cookie', async () => {
    const r = await raw(xq.url, 'GET', '/xqueue/logout/');
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(0, 'Goodbye'));
    expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('says Goodbye with an unknown session cookie, and sets no cookie', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/logout/', { headers: { cookie: 'sessionid=not-a-session' } });
    expect(r.text).toBe(env(0, 'Goodbye'));
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('with %s ends the session and clears the cookie', async (method) => {
    const c = new XqueueClient(xq.url);
    await c.login('lms', xq.password);
    const cookie = c.sessionCookie!;
    const r = await raw(xq.url, method, '/xqueue/logout/', { headers: { cookie: `sessionid=${cookie}` } });
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(0, 'Goodbye'));
    expect(r.headers['set-cookie']).toEqual(['sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax']);
    const after = await raw(xq.url, 'GET', '/xqueue/get_queuelen/?queue_name=openedx', { headers: { cookie: `sessionid=${cookie}` } });
    expect(after.status).toBe(302);
  });
});

describe('/xqueue/status/', () => {
  it.each(['GET', 'OPTIONS'])('answers %s with OK (35 bytes), no session needed', async (method) => {
    const r = await raw(xq.url, method, '/xqueue/status/');
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"return_code": 0, "content": "OK"}');
    expect(r.body.length).toBe(35);
    expect(r.headers['content-length']).toBe('35');
    expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
  });
  it('answers HEAD with 200 and no body', async () => {
    const r = await raw(xq.url, 'HEAD', '/xqueue/status/');
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });
  it('ignores query parameters and cookies', async () => {
    const r = await raw(xq.url, 'GET', '/xqueue/status/?x=%zz&queue_name=1', { headers: { cookie: 'sessionid=garbage; csrftoken=x' } });
    expect(r.text).toBe(env(0, 'OK'));
  });
});
