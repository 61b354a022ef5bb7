// Check order of §3 (slash 301, CSRF 403, session 302, role, method), the login_required
// redirect of §2.1 with its exact Location, 404s, and the LMS's redirect-following flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../src/accounts/users.js';
import { lmsSubmission, loggedIn, XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { env, ENVELOPE_TYPE, raw } from './support.js';

let xq: TestServer;
let cookie: string;
beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'openedx,tmp' });
  const db = xq.server.queue.db;
  await upsertUser(db, 'submitter', { password: 'pw-s', roles: ['submitter'], queues: null });
  await upsertUser(db, 'grader', { password: 'pw-g', roles: ['grader'], queues: null });
  await upsertUser(db, 'noroles', { password: 'pw-n', roles: [], queues: null });
  cookie = `sessionid=${(await loggedIn(xq.url, xq.password)).sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
});

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const SEVEN = ['login', 'logout', 'status', 'submit', 'get_queuelen', 'get_submission', 'put_result'] as const;

describe('trailing slash → 301 (§2.4)', () => {
  for (const name of SEVEN) {
    it.each(METHODS)(`/xqueue/${name} with %s`, async (method) => {
      for (const [query, auth] of [['', false], ['?queue_name=tmp', true], ['?a=%20b&c=%zz&next=/x', false]] as const) {
        const r = await raw(xq.url, method, `/xqueue/${name}${query}`, auth ? { headers: { cookie } } : {});
        expect(r.status).toBe(301);
        expect(r.headers.location).toBe(`/xqueue/${name}/${query}`);
        expect(r.body.length).toBe(0);
      }
    });
  }

  it('sends a redirected POST /xqueue/submit to "Queue requests should use HTTP POST" (Python re-issues it as GET)', async () => {
    const c = await loggedIn(xq.url, xq.password);
    const r = await c.request('POST', '/xqueue/submit', { form: lmsSubmission('http://lms.invalid'), follow: true });
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(1, 'Queue requests should use HTTP POST'));
  });

  it('redirects before the CSRF check', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/status');
    expect(r.status).toBe(301);
  });
});

describe('CSRF 403 (§2.2), before the login check', () => {
  for (const path of ['/xqueue/status/', '/xqueue/get_queuelen/?queue_name=openedx', '/xqueue/get_submission/?queue_name=openedx']) {
    it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(`${path} with %s`, async (method) => {
      const variants: Array<Record<string, string>> = [{}, { cookie }, { cookie, 'x-csrftoken': 'x', referer: xq.url }];
      for (const headers of variants) {
        const r = await raw(xq.url, method, path, {
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'queue_name=openedx',
        });
        expect(r.status).toBe(403);
        expect(r.text).toBe(env(1, 'CSRF verification failed. Request aborted.'));
        expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
      }
    });
  }

  it('claims nothing on a POST to get_submission', async () => {
    const c = await loggedIn(xq.url, xq.password);
    await c.post('/xqueue/submit/', lmsSubmission('http://lms.invalid', { queue: 'tmp', block: 'csrf' }));
    await raw(xq.url, 'POST', '/xqueue/get_submission/?queue_name=tmp', { headers: { cookie } });
    expect((await c.get('/xqueue/get_queuelen/?queue_name=tmp')).text).toBe(env(0, 1));
    await c.get('/xqueue/get_submission/?queue_name=tmp');
  });

  it('never applies to login, logout, submit or put_result', async () => {
    for (const path of ['/xqueue/login/', '/xqueue/logout/', '/xqueue/submit/', '/xqueue/put_result/']) {
      // (logout without the shared cookie, which it would end)
      const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(path.includes('logout') ? {} : { cookie }) };
      const r = await raw(xq.url, 'POST', path, { headers, body: 'a=b' });
      expect(r.status, path).toBe(200);
    }
  });
});

describe('login_required → 302 (§2.1)', () => {
  it('redirects POST /xqueue/submit/ to /xqueue/login/?next=/xqueue/submit/', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/submit/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(lmsSubmission('http://lms.invalid')).toString(),
    });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/xqueue/login/?next=/xqueue/submit/');
    expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
    expect(r.headers['content-length']).toBe('0');
    expect(r.body.length).toBe(0);
  });

  it('quotes the path and raw query as quote(s, safe="/")', async () => {
    const r = await raw(xq.url, 'GET', '/xqueue/get_queuelen/?queue_name=tmp&x=a%20b');
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/xqueue/login/?next=/xqueue/get_queuelen/%3Fqueue_name%3Dtmp%26x%3Da%2520b');
  });

  it.each([
    ['GET', '/xqueue/get_submission/?queue_name=openedx', '/xqueue/login/?next=/xqueue/get_submission/%3Fqueue_name%3Dopenedx'],
    ['POST', '/xqueue/put_result/', '/xqueue/login/?next=/xqueue/put_result/'],
    ['GET', '/xqueue/submit/', '/xqueue/login/?next=/xqueue/submit/'],
    ['HEAD', '/xqueue/get_queuelen/', '/xqueue/login/?next=/xqueue/get_queuelen/'],
    ['OPTIONS', '/xqueue/get_submission/?queue_name=a+b~c', '/xqueue/login/?next=/xqueue/get_submission/%3Fqueue_name%3Da%2Bb~c'],
    ['DELETE', '/xqueue/put_result/?x=%C3%A9', '/xqueue/login/?next=/xqueue/put_result/%3Fx%3D%25C3%25A9'],
  ])('%s %s → %s', async (method, path, location) => {
    const r = await raw(xq.url, method, path);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(location);
    expect(r.body.length).toBe(0);
  });

  it('treats an unknown, empty or malformed sessionid as no session', async () => {
    for (const c of ['sessionid=nope', 'sessionid=', 'sessionid="x', `sessionid=${'a'.repeat(300)}`, 'other=1', '%%%;;;=']) {
      const r = await raw(xq.url, 'GET', '/xqueue/get_queuelen/?queue_name=openedx', { headers: { cookie: c } });
      expect(r.status, c).toBe(302);
    }
  });

  it('ignores Basic credentials meant for a proxy', async () => {
    const r = await raw(xq.url, 'GET', '/xqueue/get_queuelen/?queue_name=openedx', { headers: { authorization: `Basic ${Buffer.from(`lms:${xq.password}`).toString('base64')}` } });
    expect(r.status).toBe(302);
    const ok = await raw(xq.url, 'GET', '/xqueue/get_queuelen/?queue_name=openedx', { headers: { cookie, authorization: 'Basic ZWR4OmVkeA==' } });
    expect(ok.text).toBe(env(0, 0));
  });

  it('sends Vary: Cookie on session routes', async () => {
    const r = await raw(xq.url, 'GET', '/xqueue/get_queuelen/?queue_name=openedx', { headers: { cookie } });
    expect(r.headers.vary).toMatch(/Cookie/);
  });

  it('runs the LMS flow: submit → login_required → login → resubmit succeeds (clients.md §1.7.1)', async () => {
    const lms = new XqueueClient(xq.url);
    const form = lmsSubmission('http://lms.invalid', { queue: 'tmp', block: 'lmsflow' });
    const first = await lms.request('POST', '/xqueue/submit/', { form, follow: true });
    expect(first.status).toBe(200);
    expect(first.text).toBe(env(1, 'login_required'));
    const login = await lms.login('lms', xq.password);
    expect(login.json().return_code).toBe(0);
    const again = await lms.request('POST', '/xqueue/submit/', { form, follow: true });
    expect(again.status).toBe(200);
    expect(again.text).toBe(env(0, '1'));
    await lms.get('/xqueue/get_submission/?queue_name=tmp');
  });

  it('sends xqueue-watcher (no redirects followed) a 302, then works after its re-login', async () => {
    const w = new XqueueClient(xq.url);
    const r = await w.get('/xqueue/get_submission/?queue_name=openedx');
    expect(r.status).toBe(302);
    await w.request('GET', '/xqueue/login/');
    await w.login('lms', xq.password);
    expect((await w.get('/xqueue/get_submission/?queue_name=openedx')).text).toBe(env(1, "Queue 'openedx' is empty"));
  });
});

describe('404 (§1.4)', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/xqueue/'],
    ['GET', '/xqueue'],
    ['POST', '/xqueue/nosuch/'],
    ['GET', '/xqueue/login/extra'],
    ['GET', '/xqueue//login/'],
    ['GET', '/XQUEUE/LOGIN/'],
    ['DELETE', '/admin/'],
    ['GET', '/media/openedx/0123456789abcdef'],
    ['GET', '/xqueue/login/%2e%2e/status/'],
    ['POST', '/healthz'],
    ['GET', '/favicon.ico'],
    ['GET', '/xqueue/submit//'],
  ])('%s %s', async (method, path) => {
    const r = await raw(xq.url, method, path, { headers: { cookie } });
    expect(r.status).toBe(404);
    expect(r.text).toBe(env(1, 'Not Found'));
    expect(r.headers['content-type']).toBe(ENVELOPE_TYPE);
  });
});

describe('roles (§3, §9h): 200 Permission denied, never 403', () => {
  const as = async (user: string, pw: string) => loggedIn(xq.url, pw, user);
  it('refuses get_submission and put_result to a submitter', async () => {
    const c = await as('submitter', 'pw-s');
    for (const [method, path] of [['GET', '/xqueue/get_submission/?queue_name=openedx'], ['POST', '/xqueue/put_result/'], ['HEAD', '/xqueue/get_submission/'], ['GET', '/xqueue/put_result/']] as const) {
      const r = await c.request(method, path, method === 'POST' ? { form: { xqueue_header: '{}', xqueue_body: '' } } : {});
      expect(r.status).toBe(200);
      if (method !== 'HEAD') expect(r.text, path).toBe(env(1, 'Permission denied'));
    }
  });
  it('refuses submit to a grader, even with a wrong method', async () => {
    const c = await as('grader', 'pw-g');
    expect((await c.post('/xqueue/submit/', lmsSubmission('http://lms.invalid'))).text).toBe(env(1, 'Permission denied'));
    expect((await c.get('/xqueue/submit/')).text).toBe(env(1, 'Permission denied'));
  });
  it('lets any account ask get_queuelen', async () => {
    const c = await as('noroles', 'pw-n');
    expect((await c.get('/xqueue/get_queuelen/?queue_name=openedx')).text).toBe(env(0, 0));
    expect((await c.get('/xqueue/get_submission/?queue_name=openedx')).text).toBe(env(1, 'Permission denied'));
  });
});
