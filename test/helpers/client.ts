import { pyDumps } from '../../src/protocol/python-json.js';

// An HTTP client that behaves like the Python ones: a cookie jar, redirects not followed
// unless asked, forms urlencoded or multipart. Bodies are kept as text for byte checks.

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The envelope, parsed. */
  json(): { return_code: number; content: unknown };
}

export type FormInput = Record<string, string>;
export interface FileInput {
  readonly field: string;
  readonly content: string | Buffer;
  readonly filename?: string;
}

export class XqueueClient {
  private readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  get sessionCookie(): string | undefined {
    return this.cookies.get('sessionid');
  }

  async request(
    method: string,
    path: string,
    opts: { form?: FormInput; files?: FileInput[]; follow?: boolean; headers?: Record<string, string>; body?: string | Buffer } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: FormData | string | Buffer | undefined;
    if (opts.files) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(opts.form ?? {})) fd.append(k, v);
      for (const f of opts.files) fd.append(f.field, new Blob([f.content]), f.filename ?? f.field);
      body = fd;
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.body !== undefined) body = opts.body;
    let res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    this.keepCookies(res);
    // Python clients re-issue a redirected POST as a GET.
    for (let hops = 0; opts.follow && (res.status === 301 || res.status === 302) && hops < 5; hops++) {
      await res.arrayBuffer();
      const next = new URL(res.headers.get('location')!, this.base + path);
      const h: Record<string, string> = {};
      if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      res = await fetch(next, { method: 'GET', headers: h, redirect: 'manual' });
      this.keepCookies(res);
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { return_code: number; content: unknown } };
  }

  private keepCookies(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  login(username: string, password: string): Promise<Reply> {
    return this.request('POST', '/xqueue/login/', { form: { username, password } });
  }
  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }
  post(path: string, form: FormInput, files?: FileInput[]): Promise<Reply> {
    return this.request('POST', path, files ? { form, files } : { form });
  }
}

/** A submission as the LMS builds it (clients.md §1.2). */
export function lmsSubmission(
  lmsUrl: string,
  opts: { queue?: string; user?: number; block?: string; key?: string; response?: string; payload?: string } = {},
): FormInput {
  const key = opts.key ?? Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);
  const callback = `${lmsUrl}/courses/course-v1:Org+CS101+2026/xqueue/${opts.user ?? 3}/block-v1:Org+CS101+2026+type@problem+block@${opts.block ?? '5f0c'}/score_update`;
  const header = `{"lms_callback_url": "${callback}", "lms_key": "${key}", "queue_name": "${opts.queue ?? 'openedx'}"}`;
  const body = pyDumps({
    grader_payload: opts.payload ?? '{"output": "hello world"}',
    student_info: '{"anonymous_student_id": "af46c9d6c05627aee45257d155ec0b79", "submission_time": "20260501101653", "random_seed": 1}',
    student_response: opts.response ?? 'print("hello world")\n',
  });
  return { xqueue_header: header, xqueue_body: body };
}

/** Logs in as the default account and returns the client. */
export async function loggedIn(base: string, password: string, username = 'lms'): Promise<XqueueClient> {
  const c = new XqueueClient(base);
  const r = await c.login(username, password);
  if (r.json().return_code !== 0) throw new Error(`login failed: ${r.text}`);
  return c;
}
