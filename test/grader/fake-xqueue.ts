// A small legacy-shaped Xqueue server for the worker's tests: 302 to login without a
// session, a csrftoken cookie that must come back as X-CSRFToken, envelopes, nested
// get_submission JSON, optional long-poll, and a restart that forgets every session.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeXqueue {
  url: string;
  port: number;
  /** Enqueue an LMS body (as the LMS would have submitted it). Returns the submission id. */
  submit(body: string, queue?: string): number;
  results: Array<{ id: number; header: string; body: string }>;
  logins: Array<{ ok: boolean; csrfHeader: string | undefined; referer: string | undefined }>;
  polls: number;
  /** Forget all sessions (the next session request gets a 302). */
  expireSessions(): void;
  /** Always answer session routes with this status (e.g. 302 forever). */
  forceStatus: number | null;
  waitResults(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeXqueue(opts: { password?: string; longPoll?: boolean } = {}): Promise<FakeXqueue> {
  const password = opts.password ?? 'secret';
  const sessions = new Set<string>();
  const queues = new Map<string, Array<{ id: number; body: string }>>();
  const keys = new Map<number, string>();
  const waiters: Array<() => void> = [];
  let nextId = 1;
  let server: Server;
  let port = 0;

  const fake: FakeXqueue = {
    url: '',
    port: 0,
    results: [],
    logins: [],
    polls: 0,
    forceStatus: null,
    submit(body, queue = 'openedx') {
      const id = nextId++;
      const q = queues.get(queue) ?? [];
      q.push({ id, body });
      queues.set(queue, q);
      waiters.splice(0).forEach((w) => w());
      return id;
    },
    expireSessions: () => sessions.clear(),
    async waitResults(n, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (fake.results.length < n) {
        if (Date.now() > end) throw new Error(`only ${fake.results.length} of ${n} results arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restart() {
      sessions.clear();
      server = createServer(handle);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    },
    async close() {
      await fake.stop().catch(() => {});
    },
  };

  const envelope = (res: ServerResponse, rc: number, content: unknown, headers: Record<string, string | string[]> = {}) => {
    const body = JSON.stringify({ return_code: rc, content });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  };

  const cookies = (req: IncomingMessage) =>
    Object.fromEntries((req.headers.cookie ?? '').split(';').filter(Boolean).map((c) => c.trim().split('=') as [string, string]));

  const readForm = (req: IncomingMessage) =>
    new Promise<URLSearchParams>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => resolve(new URLSearchParams(data)));
    });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const jar = cookies(req);
    if (url.pathname === '/xqueue/login/') {
      if (req.method !== 'POST') {
        envelope(res, 1, 'login_required', { 'set-cookie': `csrftoken=${randomBytes(16).toString('hex')}; Path=/` });
        return;
      }
      const form = await readForm(req);
      const csrfHeader = req.headers['x-csrftoken'] as string | undefined;
      const ok = form.get('username') === 'lms' && form.get('password') === password && csrfHeader === jar.csrftoken;
      fake.logins.push({ ok, csrfHeader, referer: req.headers.referer });
      if (!ok) return envelope(res, 1, 'Incorrect login credentials');
      const sid = randomBytes(16).toString('hex');
      sessions.add(sid);
      return envelope(res, 0, 'Logged in', { 'set-cookie': `sessionid=${sid}; HttpOnly; Path=/` });
    }
    if (fake.forceStatus !== null) {
      res.writeHead(fake.forceStatus, { location: '/xqueue/login/' });
      return res.end();
    }
    if (!sessions.has(jar.sessionid ?? '')) {
      res.writeHead(302, { location: `/xqueue/login/?next=${url.pathname}` });
      return res.end();
    }
    if (url.pathname === '/xqueue/get_submission/') {
      fake.polls++;
      const name = url.searchParams.get('queue_name') ?? '';
      const take = () => queues.get(name)?.shift();
      let item = take();
      const wait = Number(url.searchParams.get('wait') ?? 0);
      if (!item && opts.longPoll && wait > 0) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
        item = take();
      }
      if (!item) return envelope(res, 1, `Queue '${name}' is empty`);
      const key = randomBytes(16).toString('hex');
      keys.set(item.id, key);
      const content = JSON.stringify({
        xqueue_header: JSON.stringify({ submission_id: item.id, submission_key: key }),
        xqueue_body: item.body,
        xqueue_files: '{}',
      });
      return envelope(res, 0, content);
    }
    if (url.pathname === '/xqueue/put_result/') {
      const form = await readForm(req);
      const header = form.get('xqueue_header') ?? '';
      const parsed = JSON.parse(header) as { submission_id: number; submission_key: string };
      if (keys.get(parsed.submission_id) !== parsed.submission_key) return envelope(res, 1, 'Incorrect key for submission');
      fake.results.push({ id: parsed.submission_id, header, body: form.get('xqueue_body') ?? '' });
      return envelope(res, 0, '');
    }
    res.writeHead(404);
    res.end();
  }

  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
  fake.port = port;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}

/** An LMS-shaped xqueue_body. */
export function lmsBody(graderPayload: unknown, response: string): string {
  return JSON.stringify({
    grader_payload: typeof graderPayload === 'string' ? graderPayload : JSON.stringify(graderPayload),
    student_info: JSON.stringify({ anonymous_student_id: 'abc', submission_time: '20260501101653', random_seed: 1 }),
    student_response: response,
  });
}
