// Shared bits of the conformance suite: exact envelopes, raw HTTP for what fetch cannot
// send (bad percent-encoding, odd methods, oversized header blocks), and small waits.
import http from 'node:http';
import net from 'node:net';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** An ASCII-only envelope, as the spec writes them (JSON.stringify equals json.dumps for printable ASCII). */
export const env = (rc: 0 | 1, content: string | number): string =>
  `{"return_code": ${rc}, "content": ${typeof content === 'number' ? String(content) : JSON.stringify(content)}}`;

export const ENVELOPE_TYPE = 'text/html; charset=utf-8';

export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** One request through node:http, the path sent exactly as given. */
export function raw(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string | string[]>; body?: string | Buffer; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<RawReply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers };
    if (opts.body !== undefined && !Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h)))
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(
      { host: u.hostname, port: u.port, method, path, headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('no reply in time'), { code: 'TIMEOUT' })));
    req.end(opts.body);
  });
}

/** Bytes written straight to a socket (not half-closed); resolves with everything the server sent back before closing. */
export function rawSocket(base: string, bytes: string | Buffer, timeoutMs = 3000): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(Number(u.port), u.hostname, () => s.write(bytes));
    s.setTimeout(timeoutMs, () => s.destroy());
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every regular file under dir, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Python's urllib.parse.urlencode of the given pairs (quote_plus, nothing safe but unreserved). */
export function pyUrlencode(pairs: Array<[string, string]>): string {
  const q = (s: string) =>
    [...Buffer.from(s, 'utf8')]
      .map((b) => {
        const c = String.fromCharCode(b);
        if (c === ' ') return '+';
        return /[A-Za-z0-9_.\-~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
      })
      .join('');
  return pairs.map(([k, v]) => `${q(k)}=${q(v)}`).join('&');
}

/** An LMS-style header with the given callback URL, key and queue. */
export const lmsHeader = (callback: string, queue: string, key = 'k'.repeat(32)) =>
  `{"lms_callback_url": "${callback}", "lms_key": "${key}", "queue_name": "${queue}"}`;

export interface Pulled {
  readonly header: string;
  readonly id: number;
  readonly key: string;
  readonly body: string;
  readonly files: Record<string, string>;
}

/** Decodes a successful get_submission envelope the way xqueue-watcher does. */
export function decodePulled(text: string): Pulled {
  const envl = JSON.parse(text) as { return_code: number; content: string };
  if (envl.return_code !== 0) throw new Error(`not a submission: ${text}`);
  const content = JSON.parse(envl.content) as { xqueue_header: string; xqueue_body: string; xqueue_files: string };
  const h = JSON.parse(content.xqueue_header) as { submission_id: number; submission_key: string };
  return {
    header: content.xqueue_header,
    id: h.submission_id,
    key: h.submission_key,
    body: content.xqueue_body,
    files: JSON.parse(content.xqueue_files) as Record<string, string>,
  };
}
