// The LMS's callback endpoint on loopback (clients.md §1.4): it answers 200 with an empty
// body, as the LMS does, and books every callback in the ledger by the lms_key inside the
// stored header the server sends back: first arrival, duplicate, or extra (a key of no
// submission of this run, the wrong path, or a body other than the grader's reply).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Ledger } from './ledger.js';
import { GRADER_REPLY } from './lms-submission.js';

const MAX_BODY = 64 * 1024;

export interface FakeLms {
  readonly url: string;
  /** Resolves true once `n` submissions have been called back, false at `deadline` (performance.now() ms). */
  waitForCallbacks(n: number, deadline: number): Promise<boolean>;
  /** Performance.now() of the last first-time callback. */
  readonly lastCallbackAt: number;
  close(): Promise<void>;
}

export async function startFakeLms(ledger: Ledger): Promise<FakeLms> {
  let lastCallbackAt = 0;
  let wake: (() => void) | undefined;

  const book = (path: string, raw: string, at: number) => {
    ledger.callbacksReceived++;
    const fields = new URLSearchParams(raw);
    let key: unknown;
    try {
      key = (JSON.parse(fields.get('xqueue_header') ?? '') as { lms_key?: unknown }).lms_key;
    } catch {
      key = undefined;
    }
    const t = typeof key === 'string' ? ledger.byLmsKey(key) : undefined;
    if (!t || path !== t.submission.callbackPath || fields.get('xqueue_body') !== GRADER_REPLY) {
      ledger.extraCallbacks++;
      return;
    }
    t.callbacks++;
    if (t.callbacks > 1) {
      ledger.duplicateCallbacks++;
      return;
    }
    t.calledBackAt = at;
    lastCallbackAt = at;
    ledger.calledBack++;
    wake?.();
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (raw.length < MAX_BODY) raw += chunk;
    });
    req.on('end', () => {
      book(req.url ?? '', raw, performance.now());
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': 0 }).end();
    });
  });
  // The server's outbox keeps its connections open between callbacks.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    get lastCallbackAt() {
      return lastCallbackAt;
    },
    async waitForCallbacks(n, deadline) {
      // Woken by each callback, and at least every 100 ms so the deadline holds.
      for (let i = 0; ledger.calledBack < n; i++) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(left, 100));
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      }
      return true;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
