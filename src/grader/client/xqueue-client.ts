// A grader's side of the Xqueue protocol, compatible with our server, the legacy Django
// server and the LMS-hosted API: GET then POST login (echoing the CSRF cookie as
// X-CSRFToken, with a Referer), one re-login on 301/302/401/403, no redirect following.
import { GraderError } from '../errors.js';
import { CookieJar } from './cookie-jar.js';
import { nodeHttp, type HttpTransport } from './http-transport.js';
import { parseSubmission, type PulledSubmission } from './submission.js';

export interface XqueueClientOptions {
  /** Base URL, e.g. http://xqueue:8040 (paths /xqueue/… are appended). */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Per-request timeout, on top of any long-poll wait. Default 10 s. */
  readonly timeoutMs?: number;
  readonly transport?: HttpTransport;
}

export type PollResult = { readonly kind: 'submission'; readonly submission: PulledSubmission } | { readonly kind: 'empty' };

interface Envelope {
  readonly ok: boolean;
  readonly content: unknown;
}

const RELOGIN = new Set([301, 302, 401, 403]);
const EMPTY = /^Queue '.*' is empty$/s;

export class XqueueClient {
  private readonly base: string;
  private readonly jar = new CookieJar();
  private readonly transport: HttpTransport;
  private loggedIn = false;

  constructor(private readonly opts: XqueueClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.transport = opts.transport ?? nodeHttp;
  }

  async login(signal?: AbortSignal): Promise<void> {
    this.jar.clear();
    this.loggedIn = false;
    const loginUrl = `${this.base}/xqueue/login/`;
    // Only for the CSRF cookie some servers set; any status will do.
    await this.send('GET', loginUrl, undefined, { signal });
    const res = await this.send('POST', loginUrl, form({ username: this.opts.username, password: this.opts.password }), { signal, referer: loginUrl });
    const env = res.status === 200 ? envelope(res.text) : null;
    if (!env?.ok) {
      const why = env ? String(env.content) : `HTTP ${res.status}`;
      throw new GraderError('login_failed', `login to ${this.base} as ${this.opts.username} failed: ${why}`);
    }
    this.loggedIn = true;
  }

  /** Claims one submission. `waitMs` asks servers that support it to hold an empty poll. */
  async getSubmission(queue: string, opts: { waitMs?: number; signal?: AbortSignal } = {}): Promise<PollResult> {
    const params = new URLSearchParams({ queue_name: queue });
    if (opts.waitMs) params.set('wait', String(opts.waitMs));
    const env = await this.call('GET', `/xqueue/get_submission/?${params}`, undefined, opts.signal, opts.waitMs ?? 0);
    if (!env.ok) {
      if (typeof env.content === 'string' && EMPTY.test(env.content)) return { kind: 'empty' };
      throw new GraderError('protocol', `get_submission from ${queue}: ${String(env.content)}`);
    }
    const submission = typeof env.content === 'string' ? parseSubmission(env.content) : null;
    if (!submission) throw new GraderError('protocol', `get_submission from ${queue}: unreadable submission`);
    return { kind: 'submission', submission };
  }

  async putResult(header: string, body: string, signal?: AbortSignal): Promise<void> {
    const env = await this.call('POST', '/xqueue/put_result/', form({ xqueue_header: header, xqueue_body: body }), signal, 0);
    if (!env.ok) throw new GraderError('protocol', `put_result: ${String(env.content)}`);
  }

  /** A session request: logs in first if needed, and once more if the server asks. */
  private async call(method: 'GET' | 'POST', path: string, body: string | undefined, signal: AbortSignal | undefined, waitMs: number): Promise<Envelope> {
    if (!this.loggedIn) await this.login(signal);
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(method, this.base + path, body, { signal, referer: this.base, extraTimeoutMs: waitMs });
      if (RELOGIN.has(res.status)) {
        // One re-login, then give up: a server that keeps refusing must not see a login storm.
        if (attempt > 0) throw new GraderError('login_failed', `${path}: still HTTP ${res.status} after logging in again`);
        await this.login(signal);
        continue;
      }
      if (res.status !== 200) throw new GraderError('transport', `${path}: HTTP ${res.status}`);
      const env = envelope(res.text);
      if (!env) throw new GraderError('protocol', `${path}: the reply is not an Xqueue envelope`);
      return env;
    }
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    o: { signal?: AbortSignal; referer?: string; extraTimeoutMs?: number },
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = {};
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    const csrf = this.jar.get('csrftoken') ?? this.jar.get('edx-csrftoken');
    if (csrf) headers['x-csrftoken'] = csrf;
    if (o.referer) headers.referer = o.referer;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const timeoutMs = (this.opts.timeoutMs ?? 10_000) + (o.extraTimeoutMs ?? 0);
    try {
      const res = await this.transport({ method, url, headers, body, timeoutMs, signal: o.signal });
      this.jar.store(res.setCookies);
      return { status: res.status, text: res.text };
    } catch (err) {
      if (o.signal?.aborted) throw err;
      throw new GraderError('transport', `${method} ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function envelope(text: string): Envelope | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if ('return_code' in o) return { ok: o.return_code === 0, content: o.content };
    // The LMS-hosted API answers {"success": bool, …}.
    if (typeof o.success === 'boolean') return { ok: o.success, content: o.content ?? o.message ?? '' };
    return null;
  } catch {
    return null;
  }
}
