// One virtual client of the bench: a single keep-alive connection, a cookie jar holding
// the session, and requests timed from write to the last byte of the reply. node:http
// rather than fetch, which costs several times more CPU per request, and the bench shares
// the machine with the server it measures.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Reply {
  readonly status: number;
  readonly text: string;
  /** Milliseconds from sending the request to the end of the reply. */
  readonly ms: number;
}

export class BenchClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly base: URL;
  private cookie = '';

  constructor(
    base: string,
    private readonly timeoutMs: number,
  ) {
    this.base = new URL(base);
  }

  get loggedIn(): boolean {
    return this.cookie !== '';
  }

  /** POSTs the login form and keeps the `sessionid` cookie; throws on anything but "Logged in". */
  async login(username: string, password: string): Promise<Reply> {
    const r = await this.request('POST', '/xqueue/login/', formEncode({ username, password }), true);
    const envelope = parseEnvelope(r.text);
    if (r.status !== 200 || envelope?.return_code !== 0 || !this.cookie)
      throw new Error(`login as ${username} failed: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    return r;
  }

  get(pathAndQuery: string): Promise<Reply> {
    return this.request('GET', pathAndQuery, undefined, false);
  }

  post(path: string, form: string): Promise<Reply> {
    return this.request('POST', path, form, false);
  }

  /** POSTs a multipart/form-data body made by `multipartBody`. */
  postMultipart(path: string, body: MultipartBody): Promise<Reply> {
    return this.request('POST', path, body.chunks, false, `multipart/form-data; boundary=${body.boundary}`);
  }

  close(): void {
    this.agent.destroy();
  }

  private request(
    method: string,
    path: string,
    body: string | readonly Buffer[] | undefined,
    keepCookie: boolean,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<Reply> {
    const headers: http.OutgoingHttpHeaders = { host: this.base.host };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.reduce((n, b) => n + b.length, 0);
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, method, path, headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          if (keepCookie) this.keepSession(res.headers['set-cookie']);
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no reply within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      if (typeof body === 'string' || body === undefined) req.end(body);
      else {
        for (const chunk of body) req.write(chunk);
        req.end();
      }
    });
  }

  private keepSession(setCookie: string[] | undefined): void {
    for (const c of setCookie ?? []) {
      const pair = c.split(';', 1)[0]!;
      if (pair.startsWith('sessionid=') && pair.length > 'sessionid='.length) this.cookie = pair;
    }
  }
}

export interface Envelope {
  readonly return_code: number;
  readonly content: unknown;
}

/** The `{"return_code", "content"}` reply, or undefined when the body is not one. */
export function parseEnvelope(text: string): Envelope | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && 'return_code' in v && 'content' in v) return v as Envelope;
  } catch {
    // not JSON: the caller counts it as an error
  }
  return undefined;
}

/** application/x-www-form-urlencoded, spaces as `+` like Python's requests. */
export function formEncode(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString();
}

export interface MultipartBody {
  readonly boundary: string;
  readonly chunks: readonly Buffer[];
}

/** A multipart/form-data body with text fields and one file, as the LMS sends a file submission. */
export function multipartBody(fields: Readonly<Record<string, string>>, file: { name: string; content: Buffer }): MultipartBody {
  const boundary = `bench${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.name}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { boundary, chunks };
}
