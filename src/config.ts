// The one reader of the environment. Precedence: defaults < <data dir>/config.yml <
// environment variables of the same name. The result is validated once and frozen.
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { GENERATED_LENGTH, KEYS, isConfigKey, type ConfigKey, type KeySpec } from './config-keys.js';
import { ConfigError } from './errors.js';

export interface QueueConfig {
  readonly name: string;
  /** Set for a push queue: submissions are POSTed here (spec §7). */
  readonly pushUrl?: string;
}

/** S3-compatible file storage (spec §4); set only when XQUEUE_FILE_STORAGE is s3. */
export interface S3Config {
  readonly bucket: string;
  /** Prepended to every storage key, without slashes at either end; may be empty. */
  readonly prefix: string;
  readonly region: string;
  /** An S3-compatible server; absent for AWS. */
  readonly endpoint?: string;
  /** Absent: the AWS SDK's default credential chain (environment, profile, instance or pod role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly forcePathStyle: boolean;
  /** presigned: graders fetch from the bucket; proxied: from this server's /xqueue/files/ links. */
  readonly links: 'presigned' | 'proxied';
}

export interface FilesConfig {
  readonly storage: 'disk' | 's3';
  readonly s3?: S3Config;
}

/** SigV4 presigned URLs cannot outlive 7 days. */
export const MAX_PRESIGNED_TTL_S = 7 * 86400;

export interface Config {
  readonly dataDir: string;
  readonly bind: string;
  readonly port: number;
  readonly publicUrl?: string;
  readonly host: string;
  readonly defaultAccount: { readonly username: string; readonly password: string };
  readonly secretKey: string;
  readonly queues: readonly QueueConfig[];
  readonly visibilityTimeoutMs: number;
  readonly pullLimit: number;
  readonly callback: {
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly giveUpMs: number;
    readonly timeoutMs: number;
  };
  readonly push: { readonly timeoutMs: number; readonly concurrency: number };
  readonly outboundBasicAuth?: { readonly username: string; readonly password: string };
  readonly verifyTls: boolean;
  readonly limits: {
    readonly formBytes: number;
    readonly fields: number;
    readonly files: number;
    readonly fileBytes: number;
    readonly headerChars: number;
  };
  readonly fileLinkTtlS: number;
  readonly longPoll: { readonly defaultMs: number; readonly maxMs: number };
  readonly sessionCookieSecure: boolean;
  readonly trustProxy: boolean;
  readonly metricsToken?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly sweepIntervalMs: number;
  readonly database: { readonly url: string; readonly sqliteSynchronous: 'FULL' | 'NORMAL' };
  readonly files: FilesConfig;
}

export type RawConfig = Readonly<Record<ConfigKey, string>>;

export const CONFIG_FILE = 'config.yml';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const randomString = (n: number) => Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join('');

export function dataDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.XQUEUE_DATA_DIR || './data');
}

export function readConfigFile(dataDir: string): Record<string, string> {
  const path = join(dataDir, CONFIG_FILE);
  if (!existsSync(path)) return {};
  const parsed: unknown = YAML.parse(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(path, 'a mapping of KEY: value');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!isConfigKey(k)) throw new ConfigError(k, `one of the known keys (see 'xqueue config show'), in ${path}`);
    out[k] = v === null ? '' : String(v);
  }
  return out;
}

/** Writes KEY: value pairs into config.yml, keeping the others (`xqueue config save --set`). */
export function saveConfigValues(dataDir: string, values: Record<string, string>): void {
  for (const k of Object.keys(values)) if (!isConfigKey(k)) throw new ConfigError(k, 'a known key (see xqueue config show)');
  const merged = { ...readConfigFile(dataDir), ...values };
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, CONFIG_FILE);
  writeFileSync(path + '.tmp', YAML.stringify(merged), { mode: 0o600 });
  renameSync(path + '.tmp', path);
}

/**
 * The raw string of every key. Secrets missing from both the file and the environment
 * are generated and saved to config.yml, once, so a restart keeps them.
 */
export function loadRawConfig(env: NodeJS.ProcessEnv = process.env, dataDir = dataDirFrom(env)): RawConfig {
  const file = readConfigFile(dataDir);
  const generated: Record<string, string> = {};
  const raw = {} as Record<ConfigKey, string>;
  for (const [key, spec] of Object.entries(KEYS) as Array<[ConfigKey, KeySpec]>) {
    let value = env[key] ?? file[key];
    if (spec.generated && !value) {
      value = randomString(GENERATED_LENGTH[key] ?? 16);
      generated[key] = value;
    }
    raw[key] = value ?? (typeof spec.default === 'function' ? spec.default() : spec.default);
  }
  if (Object.keys(generated).length > 0) saveConfigValues(dataDir, generated);
  return Object.freeze(raw);
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false, '': false };

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^-?\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
const boolean = z.string().trim().toLowerCase().refine((s) => s in BOOLEAN_WORDS).transform((s) => BOOLEAN_WORDS[s]!);

/** Parses one raw value; a failure names the key, the value and what is allowed. */
function check<T>(key: ConfigKey, schema: z.ZodType<T, string>, allowed: string, value: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ConfigError(key, allowed, value);
  return r.data;
}

function parseQueues(text: string): QueueConfig[] {
  const queues: QueueConfig[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq).trim();
    const pushUrl = eq < 0 ? undefined : item.slice(eq + 1).trim();
    if (name.length === 0 || name.length > 128)
      throw new ConfigError('XQUEUE_QUEUES', 'names of 1 to 128 characters, comma-separated', item);
    if (pushUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(pushUrl))
      throw new ConfigError('XQUEUE_QUEUES', 'NAME or NAME=http(s)://push-url', item);
    if (queues.some((q) => q.name === name)) throw new ConfigError('XQUEUE_QUEUES', 'each queue named once', name);
    queues.push(pushUrl ? { name, pushUrl } : { name });
  }
  if (queues.length === 0) throw new ConfigError('XQUEUE_QUEUES', 'at least one queue name', text);
  return queues;
}

function databaseUrl(raw: RawConfig, dataDir: string): string {
  if (raw.XQUEUE_DATABASE_URL) {
    if (!/^(sqlite:|mysql:\/\/)/.test(raw.XQUEUE_DATABASE_URL))
      throw new ConfigError('XQUEUE_DATABASE_URL', 'sqlite:PATH or mysql://user:pass@host:port/db', raw.XQUEUE_DATABASE_URL);
    return raw.XQUEUE_DATABASE_URL;
  }
  if (raw.MYSQL_HOST) {
    const u = encodeURIComponent;
    return `mysql://${u(raw.XQUEUE_MYSQL_USERNAME)}:${u(raw.XQUEUE_MYSQL_PASSWORD)}@${raw.MYSQL_HOST}:${raw.MYSQL_PORT}/${u(raw.XQUEUE_MYSQL_DATABASE)}`;
  }
  return 'sqlite:' + join(dataDir, 'xqueue.db');
}

function parseFiles(raw: RawConfig, linkTtlS: number): FilesConfig {
  const storage = raw.XQUEUE_FILE_STORAGE.trim().toLowerCase();
  if (storage === 'disk') return { storage };
  if (storage !== 's3') throw new ConfigError('XQUEUE_FILE_STORAGE', 'disk or s3', raw.XQUEUE_FILE_STORAGE);
  const bucket = raw.XQUEUE_S3_BUCKET.trim();
  if (!bucket) throw new ConfigError('XQUEUE_S3_BUCKET', 'a bucket name when XQUEUE_FILE_STORAGE is s3', '');
  if (/[\s/]/.test(bucket)) throw new ConfigError('XQUEUE_S3_BUCKET', 'a bucket name without spaces or slashes', bucket);
  const prefix = raw.XQUEUE_S3_PREFIX.trim().replace(/^\/+|\/+$/g, '');
  if (/\s/.test(prefix)) throw new ConfigError('XQUEUE_S3_PREFIX', 'a key prefix without spaces', raw.XQUEUE_S3_PREFIX);
  const region = raw.XQUEUE_S3_REGION.trim();
  if (!region) throw new ConfigError('XQUEUE_S3_REGION', 'a region name such as us-east-1', '');
  const endpoint = raw.XQUEUE_S3_ENDPOINT.trim().replace(/\/+$/, '');
  if (endpoint && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(endpoint))
    throw new ConfigError('XQUEUE_S3_ENDPOINT', 'an absolute http(s) URL, or empty for AWS', raw.XQUEUE_S3_ENDPOINT);
  const accessKeyId = raw.XQUEUE_S3_ACCESS_KEY_ID.trim();
  const secretAccessKey = raw.XQUEUE_S3_SECRET_ACCESS_KEY;
  if (accessKeyId && !secretAccessKey)
    throw new ConfigError('XQUEUE_S3_SECRET_ACCESS_KEY', 'a secret key when XQUEUE_S3_ACCESS_KEY_ID is set', '');
  if (secretAccessKey && !accessKeyId)
    throw new ConfigError('XQUEUE_S3_ACCESS_KEY_ID', 'an access key id when XQUEUE_S3_SECRET_ACCESS_KEY is set', '');
  const forcePathStyle = check('XQUEUE_S3_FORCE_PATH_STYLE', boolean, 'true or false', raw.XQUEUE_S3_FORCE_PATH_STYLE);
  const links = raw.XQUEUE_S3_LINKS.trim().toLowerCase();
  if (links !== 'presigned' && links !== 'proxied') throw new ConfigError('XQUEUE_S3_LINKS', 'presigned or proxied', raw.XQUEUE_S3_LINKS);
  if (links === 'presigned' && linkTtlS > MAX_PRESIGNED_TTL_S)
    throw new ConfigError('XQUEUE_FILE_LINK_TTL', `at most ${MAX_PRESIGNED_TTL_S} seconds with presigned S3 links`, String(linkTtlS));
  return {
    storage,
    s3: {
      bucket,
      prefix,
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(accessKeyId ? { credentials: { accessKeyId, secretAccessKey } } : {}),
      forcePathStyle,
      links,
    },
  };
}

/** Validates the raw strings into the typed, frozen Config. Throws ConfigError naming the key. */
export function parseConfig(raw: RawConfig, dataDir: string): Config {
  const n = (key: ConfigKey, min: number, max = Number.MAX_SAFE_INTEGER) =>
    check(key, integer(min, max), `an integer from ${min} to ${max}`, raw[key]);
  const b = (key: ConfigKey) => check(key, boolean, 'true or false', raw[key]);
  const publicUrl = raw.XQUEUE_PUBLIC_URL.replace(/\/+$/, '');
  if (publicUrl && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(publicUrl))
    throw new ConfigError('XQUEUE_PUBLIC_URL', 'an absolute http(s) URL', raw.XQUEUE_PUBLIC_URL);
  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = raw.XQUEUE_LOG_LEVEL as Config['logLevel'];
  if (!logLevels.includes(logLevel)) throw new ConfigError('XQUEUE_LOG_LEVEL', logLevels.join(', '), raw.XQUEUE_LOG_LEVEL);
  const sync = raw.XQUEUE_SQLITE_SYNCHRONOUS.toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new ConfigError('XQUEUE_SQLITE_SYNCHRONOUS', 'FULL or NORMAL', sync);
  const basic = raw.XQUEUE_REQUESTS_BASIC_AUTH;
  if (basic && !basic.includes(':')) throw new ConfigError('XQUEUE_REQUESTS_BASIC_AUTH', 'user:password', '…');
  if (!raw.XQUEUE_AUTH_USERNAME) throw new ConfigError('XQUEUE_AUTH_USERNAME', 'a non-empty user name', '');
  if (raw.XQUEUE_SECRET_KEY.length < 8) throw new ConfigError('XQUEUE_SECRET_KEY', 'at least 8 characters', '…');
  const longPollDefault = n('XQUEUE_LONG_POLL_DEFAULT', 0, 999);
  const fileLinkTtlS = n('XQUEUE_FILE_LINK_TTL', 1, 7 * 86400);

  const config: Config = {
    dataDir,
    bind: raw.XQUEUE_BIND,
    port: n('XQUEUE_PORT', 0, 65535),
    ...(publicUrl ? { publicUrl } : {}),
    host: raw.XQUEUE_HOST,
    defaultAccount: { username: raw.XQUEUE_AUTH_USERNAME, password: raw.XQUEUE_AUTH_PASSWORD },
    secretKey: raw.XQUEUE_SECRET_KEY,
    queues: parseQueues(raw.XQUEUE_QUEUES),
    visibilityTimeoutMs: n('XQUEUE_VISIBILITY_TIMEOUT', 1, 86400) * 1000,
    pullLimit: n('XQUEUE_PULL_LIMIT', 1, 1000),
    callback: {
      backoffBaseMs: n('XQUEUE_CALLBACK_BACKOFF_BASE', 0, 3600) * 1000,
      backoffMaxMs: n('XQUEUE_CALLBACK_BACKOFF_MAX', 0, 86400) * 1000,
      giveUpMs: n('XQUEUE_CALLBACK_GIVE_UP', 0, 365 * 86400) * 1000,
      timeoutMs: n('XQUEUE_REQUESTS_TIMEOUT', 1, 600) * 1000,
    },
    push: { timeoutMs: n('XQUEUE_GRADING_TIMEOUT', 1, 3600) * 1000, concurrency: n('XQUEUE_PUSH_CONCURRENCY', 1, 64) },
    ...(basic
      ? { outboundBasicAuth: { username: basic.slice(0, basic.indexOf(':')), password: basic.slice(basic.indexOf(':') + 1) } }
      : {}),
    verifyTls: b('XQUEUE_VERIFY_TLS'),
    limits: {
      formBytes: n('XQUEUE_MAX_FORM_BYTES', 1024),
      fields: n('XQUEUE_MAX_FIELDS', 2),
      files: n('XQUEUE_MAX_FILES', 0),
      fileBytes: n('XQUEUE_MAX_FILE_BYTES', 1),
      headerChars: n('XQUEUE_MAX_HEADER_LENGTH', 64),
    },
    fileLinkTtlS,
    longPoll: { defaultMs: longPollDefault, maxMs: n('XQUEUE_LONG_POLL_MAX', 0, 120000) },
    sessionCookieSecure: b('XQUEUE_SESSION_COOKIE_SECURE'),
    trustProxy: b('XQUEUE_TRUST_PROXY'),
    ...(raw.XQUEUE_METRICS_TOKEN ? { metricsToken: raw.XQUEUE_METRICS_TOKEN } : {}),
    logLevel,
    sweepIntervalMs: n('XQUEUE_SWEEP_INTERVAL', 1, 10) * 1000,
    database: { url: databaseUrl(raw, dataDir), sqliteSynchronous: sync },
    files: parseFiles(raw, fileLinkTtlS),
  };
  return deepFreeze(config);
}

export type ConfigSource = 'default' | 'config.yml' | 'env';

export interface ConfigEntry {
  readonly key: ConfigKey;
  readonly value: string;
  readonly source: ConfigSource;
  readonly spec: KeySpec;
}

/** Every key's effective value and where it came from (`xqueue config show`). */
export function explainConfig(env: NodeJS.ProcessEnv = process.env): { dataDir: string; file: string; entries: ConfigEntry[] } {
  const dataDir = dataDirFrom(env);
  const raw = loadRawConfig(env, dataDir);
  const file = readConfigFile(dataDir);
  const entries = (Object.entries(KEYS) as Array<[ConfigKey, KeySpec]>).map(([key, spec]): ConfigEntry => {
    const source: ConfigSource = env[key] !== undefined && env[key] === raw[key] ? 'env' : key in file ? 'config.yml' : 'default';
    return { key, value: raw[key], source, spec };
  });
  return { dataDir, file: join(dataDir, CONFIG_FILE), entries };
}

/** The base URL `xqueue submissions` uses when -u is not given; Tutor reads the same variable. */
export const tutorXqueueUrl = (env: NodeJS.ProcessEnv = process.env): string | undefined => env.TUTOR_XQUEUE_URL || undefined;

/** Loads and validates the configuration once; main() passes the result down. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = dataDirFrom(env);
  mkdirSync(dataDir, { recursive: true });
  return parseConfig(loadRawConfig(env, dataDir), dataDir);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * The settings the grader worker reads from the environment (its XQUEUE_WORKER_* keys,
 * the default account, xqueue-watcher's XQWATCHER_* overrides).
 * The worker keeps its own flags-over-environment rules (src/cli/worker.ts).
 */
export function graderEnvironment(env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string | undefined>> {
  return Object.freeze(Object.fromEntries(Object.entries(env).filter(([k]) => /^(XQUEUE_|XQWATCHER_)/.test(k))));
}
