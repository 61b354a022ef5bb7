// One outbound POST (LMS callbacks, pushes to external graders): keep-alive agents,
// a timeout per attempt, 307/308 followed with the method kept, 301/302/303 not.
import http from 'node:http';
import https from 'node:https';

export interface PostOptions {
  readonly contentType: string;
  readonly timeoutMs: number;
  readonly verifyTls: boolean;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly maxRedirects?: number;
}

export interface PostResult {
  readonly status: number;
  readonly text: string;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
  httpsUnverified: new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false }),
};

function once(url: URL, body: string, opts: PostOptions): Promise<PostResult & { location?: string }> {
  const secure = url.protocol === 'https:';
  const lib = secure ? https : http;
  const agent = secure ? (opts.verifyTls ? agents.https : agents.httpsUnverified) : agents.http;
  const headers: Record<string, string> = { 'content-type': opts.contentType, 'content-length': String(Buffer.byteLength(body)) };
  if (opts.basicAuth)
    headers.authorization = 'Basic ' + Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: 'POST', headers, agent, timeout: opts.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs `body`; rejects on a network failure or timeout, resolves with the final status otherwise. */
export async function post(url: string, body: string, opts: PostOptions): Promise<PostResult> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    const r = await once(target, body, opts);
    if ((r.status === 307 || r.status === 308) && r.location && hop < (opts.maxRedirects ?? 5)) {
      target = new URL(r.location, target);
      continue;
    }
    return { status: r.status, text: r.text };
  }
}
