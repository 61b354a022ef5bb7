// A stand-in for the LMS callback endpoint: records every callback exactly as received
// and answers with whatever status the test sets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Callback {
  readonly path: string;
  readonly contentType: string | undefined;
  /** The raw form body, as sent. */
  readonly raw: string;
  readonly header: string;
  readonly body: string;
  readonly status: number;
  /** Date.now() when it arrived. */
  readonly at: number;
}

export type Answer = number | readonly [number, string];

export interface FakeLms {
  readonly url: string;
  readonly callbacks: Callback[];
  /** Status for the next callbacks; a function decides per call. A [status, location] pair redirects. */
  respond: Answer | ((callIndex: number) => Answer);
  /** Resolves when at least n callbacks answered 200 have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Callback[]>;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free port), so a test can bring an LMS up where one was down. */
export async function startFakeLms(port = 0): Promise<FakeLms> {
  const callbacks: Callback[] = [];
  const waiters: Array<() => void> = [];
  let calls = 0;
  const lms: FakeLms = {
    url: '',
    callbacks,
    respond: 200,
    waitFor(n, timeoutMs = 10_000) {
      const acked = () => callbacks.filter((c) => c.status === 200);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (acked().length >= n) {
            clearTimeout(timer);
            resolve(acked());
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`only ${acked().length} of ${n} callbacks arrived`)), timeoutMs);
        const retry = () => {
          if (!check()) waiters.push(retry);
        };
        retry();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const fields = new URLSearchParams(raw);
      const answer = typeof lms.respond === 'function' ? lms.respond(calls) : lms.respond;
      const [status, location] = typeof answer === 'number' ? [answer, undefined] : answer;
      calls++;
      callbacks.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        raw,
        header: fields.get('xqueue_header') ?? '',
        body: fields.get('xqueue_body') ?? '',
        status,
        at: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...(location ? { location } : {}) }).end('');
      waiters.splice(0).forEach((w) => w());
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  (lms as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return lms;
}
