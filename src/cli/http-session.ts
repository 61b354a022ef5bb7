// The CLI's side of a Python `requests.Session`: form bodies encoded as urlencode() does,
// cookies kept between requests, redirects followed the way requests follows them, and
// every reply read as JSON. Failures a traceback would have shown become one CliError.
import { pyLoads, type PyValue } from '../protocol/python-json.js';
import { CliError } from './errors.js';

const MAX_REDIRECTS = 30; // requests' own limit

/** Python's urllib.parse.quote_plus: `~` stays, `!'()*` are escaped, spaces become `+`. */
export const quotePlus = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');

export const urlencode = (fields: Readonly<Record<string, string>>) =>
  Object.entries(fields)
    .map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`)
    .join('&');

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
};

/** The innermost cause of a fetch() rejection, as a short reason. */
function networkReason(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

const oneLine = (text: string, max = 80) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max) + '…' : flat;
};

export class HttpSession {
  private readonly cookies = new Map<string, string>();
  /** Cookies go only to the server that set them, as a requests cookie jar scopes them. */
  private origin = '';

  constructor(
    /** Without a trailing slash. */
    readonly base: string,
    private readonly timeoutMs: number,
  ) {}

  get(path: string, params: Readonly<Record<string, string>>): Promise<PyValue> {
    return this.request('GET', `${path}?${urlencode(params)}`);
  }

  post(path: string, form: Readonly<Record<string, string>>): Promise<PyValue> {
    return this.request('POST', path, urlencode(form));
  }

  /** Sends the request and parses the reply as JSON, whatever its status (Tutor checks none). */
  private async request(method: string, path: string, body?: string): Promise<PyValue> {
    let url: URL;
    try {
      url = new URL(this.base + path);
    } catch {
      throw new CliError('usage', `'${this.base}' is not a valid URL`);
    }
    if (!/^https?:$/.test(url.protocol)) throw new CliError('usage', `'${this.base}' is not an http(s) URL`);
    this.origin ||= url.origin;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    for (let hops = 0; ; hops++) {
      try {
        res = await fetch(url, {
          method,
          redirect: 'manual',
          signal,
          headers: {
            accept: '*/*',
            ...(this.cookies.size > 0 && url.origin === this.origin ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
            ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body,
        });
      } catch (err) {
        throw this.failure(err);
      }
      this.keepCookies(res);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) break;
      if (hops >= MAX_REDIRECTS) throw new CliError('unexpected_reply', `${url.href}: more than ${MAX_REDIRECTS} redirects`);
      await res.arrayBuffer().catch(() => undefined);
      url = new URL(location, url);
      // As requests does: a redirected POST is re-sent as a GET without its body, except on 307/308.
      if (res.status !== 307 && res.status !== 308 && method !== 'HEAD') [method, body] = ['GET', undefined];
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.failure(err);
    }
    try {
      return pyLoads(text);
    } catch {
      const type = res.headers.get('content-type')?.split(';')[0] ?? 'no content type';
      const shown = text.trim() ? `: ${oneLine(text)}` : ' (empty body)';
      throw new CliError('not_json', `${url.href} answered HTTP ${res.status} (${type}), not JSON${shown}`);
    }
  }

  private failure(err: unknown): CliError {
    const name = (err as { name?: unknown } | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return new CliError('timeout', `no reply from ${this.base} within ${this.timeoutMs / 1000} s`);
    return new CliError('connect_failed', `cannot connect to ${this.base}: ${networkReason(err)}`);
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (/;\s*max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
