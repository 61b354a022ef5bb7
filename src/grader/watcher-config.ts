// Reads an xqueue-watcher configuration directory as it is: xqwatcher.json,
// xqueue_servers.json and conf.d/*.json (sorted), each mapping queue name → SERVER or
// SERVER_REF, AUTH, CONNECTIONS, NAME_OVERRIDE, HANDLERS [{HANDLER, KWARGS, CODEJAIL}].
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraderError } from './errors.js';
import type { Handler } from './handle.js';
import { MiB, type Limits } from './sandbox/limits.js';
import type { QueueWatch } from './worker.js';

export interface WatcherConfig {
  readonly watches: readonly QueueWatch[];
  /** POLL_INTERVAL, ms. */
  readonly pollIntervalMs: number;
  /** LOGIN_POLL_INTERVAL, ms. */
  readonly loginRetryMs: number;
  /** REQUESTS_TIMEOUT, ms. */
  readonly requestTimeoutMs: number;
  /** Things we read but do not act on, for the operator's log. */
  readonly notes: readonly string[];
}

const DEFAULT_SERVER = 'http://localhost:18040';
const JAILED = /(^|\.)JailedGrader$/;
const CONTAINER = /(^|\.)ContainerGrader$/;

type Json = Record<string, unknown>;

export function loadWatcherConfig(dir: string, env: Readonly<Record<string, string | undefined>> = {}): WatcherConfig {
  const fail = (why: string) => new GraderError('worker_config', `${dir}: ${why}`);
  const read = (path: string): Json => {
    try {
      const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      return v as Json;
    } catch (err) {
      throw fail(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const confDir = join(dir, 'conf.d');
  if (!existsSync(confDir)) throw fail('has no conf.d directory');
  const main = existsSync(join(dir, 'xqwatcher.json')) ? read(join(dir, 'xqwatcher.json')) : {};
  const servers = existsSync(join(dir, 'xqueue_servers.json')) ? read(join(dir, 'xqueue_servers.json')) : {};
  const setting = (key: string, fallback: number): number => {
    const raw = env[`XQWATCHER_${key}`] ?? main[key];
    const n = Number(raw ?? fallback);
    if (!Number.isFinite(n) || n < 0) throw fail(`${key} must be a number of seconds`);
    return n * 1000;
  };
  const requestTimeoutMs = setting('REQUESTS_TIMEOUT', 1);
  const notes: string[] = [];
  const watches: QueueWatch[] = [];
  const files = readdirSync(confDir).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const conf = read(join(confDir, file));
    for (const [name, value] of Object.entries(conf)) {
      const where = `conf.d/${file}: queue "${name}"`;
      if (typeof value !== 'object' || value === null) throw fail(`${where} is not an object`);
      const q = value as Json;
      let server = q.SERVER, auth = q.AUTH;
      if (q.SERVER_REF !== undefined) {
        if (server !== undefined || auth !== undefined) throw fail(`${where} uses SERVER_REF together with SERVER or AUTH`);
        const ref = servers[String(q.SERVER_REF)] as Json | undefined;
        if (!ref) throw fail(`${where} names unknown SERVER_REF "${String(q.SERVER_REF)}"`);
        server = ref.SERVER;
        auth = ref.AUTH;
      }
      if (!Array.isArray(auth) || auth.length !== 2 || !auth.every((a) => typeof a === 'string')) throw fail(`${where}: AUTH must be [username, password]`);
      const connections = Number(q.CONNECTIONS ?? 1);
      if (!Number.isInteger(connections) || connections < 1) throw fail(`${where}: CONNECTIONS must be a positive integer`);
      const handlers = Array.isArray(q.HANDLERS) ? (q.HANDLERS as unknown[]) : [];
      if (handlers.length === 0) throw fail(`${where} has no HANDLERS`);
      if (handlers.length > 1) notes.push(`${where}: only the first of ${handlers.length} HANDLERS is used`);
      if (q.CLASS !== undefined) notes.push(`${where}: CLASS is ignored (pollers are async tasks)`);
      watches.push({
        server: { url: typeof server === 'string' ? server : DEFAULT_SERVER, username: auth[0] as string, password: auth[1] as string, timeoutMs: requestTimeoutMs },
        queue: typeof q.NAME_OVERRIDE === 'string' ? q.NAME_OVERRIDE : name,
        connections,
        handler: handlerOf(handlers[0], where, fail, notes),
      });
    }
  }
  if (watches.length === 0) throw fail('conf.d defines no queues');
  return { watches, pollIntervalMs: setting('POLL_INTERVAL', 1), loginRetryMs: setting('LOGIN_POLL_INTERVAL', 5), requestTimeoutMs, notes };
}

function handlerOf(raw: unknown, where: string, fail: (why: string) => Error, notes: string[]): Handler {
  if (typeof raw !== 'object' || raw === null) throw fail(`${where}: a HANDLERS entry is not an object`);
  const h = raw as Json;
  const name = String(h.HANDLER ?? '');
  const kwargs = (h.KWARGS ?? {}) as Json;
  const graderRoot = typeof kwargs.grader_root === 'string' ? kwargs.grader_root : '/tmp/';
  if (JAILED.test(name)) {
    const limits = codejailLimits(h.CODEJAIL);
    return { defaultKind: 'watcher', graderRoot, limits };
  }
  if (CONTAINER.test(name)) {
    if (kwargs.image !== undefined) notes.push(`${where}: image "${String(kwargs.image)}" is not pulled; the grader file runs in the local sandbox`);
    const limits: { -readonly [K in keyof Limits]?: Limits[K] } = {};
    if (kwargs.timeout !== undefined) limits.wallMs = Number(kwargs.timeout) * 1000;
    const memory = parseQuantity(kwargs.memory_limit);
    if (memory) limits.memoryBytes = memory;
    const entrypoint = typeof kwargs.entrypoint === 'string' ? kwargs.entrypoint.split(/\s+/).filter(Boolean) : Array.isArray(kwargs.entrypoint) ? kwargs.entrypoint.map(String) : undefined;
    return { defaultKind: 'json-line', graderRoot, limits, entrypoint };
  }
  throw fail(`${where}: handler "${name}" is not supported (use JailedGrader or ContainerGrader)`);
}

/** codejail's limits: CPU (s), REALTIME (s), VMEM (bytes, 0 = unlimited), NPROC. */
function codejailLimits(raw: unknown): Partial<Limits> {
  const limits = ((raw as Json | undefined)?.limits ?? {}) as Json;
  const out: { -readonly [K in keyof Limits]?: Limits[K] } = {};
  if (typeof limits.CPU === 'number' && limits.CPU > 0) out.cpuSeconds = limits.CPU;
  if (typeof limits.REALTIME === 'number' && limits.REALTIME > 0) out.wallMs = limits.REALTIME * 1000;
  if (typeof limits.VMEM === 'number' && limits.VMEM > 0) out.memoryBytes = limits.VMEM;
  if (typeof limits.NPROC === 'number' && limits.NPROC > 0) out.processes = limits.NPROC;
  return out;
}

/** Kubernetes quantities: 256Mi, 1Gi, 500M, or plain bytes. */
function parseQuantity(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(v.trim());
  if (!m) return null;
  const unit = { Ki: 1024, Mi: MiB, Gi: 1024 * MiB, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Math.round(Number(m[1]) * unit);
}
