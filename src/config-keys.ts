// The settings table: every key, its default and what it accepts. Names follow the
// Tutor plugin (XQUEUE_*) so an operator's existing values carry over.

export interface KeySpec {
  readonly default: string | (() => string);
  /** Generated once and written to config.yml, as Tutor does for its random secrets. */
  readonly generated?: boolean;
  readonly secret?: boolean;
  readonly help: string;
}

const bool = 'true or false';

export const KEYS = {
  XQUEUE_AUTH_USERNAME: { default: 'lms', help: 'default account: every role on every queue' },
  XQUEUE_AUTH_PASSWORD: { default: '', generated: true, secret: true, help: 'password of the default account (8 random characters when generated)' },
  XQUEUE_SECRET_KEY: { default: '', generated: true, secret: true, help: 'key for signed file links (24 random characters when generated)' },
  XQUEUE_HOST: { default: 'xqueue.local.openedx.io', help: 'public host name (Tutor)' },
  XQUEUE_BIND: { default: '127.0.0.1', help: 'address to listen on' },
  XQUEUE_PORT: { default: '8000', help: 'port to listen on' },
  XQUEUE_PUBLIC_URL: { default: '', help: 'absolute base URL used in links handed to graders; empty: the host the grader used' },
  XQUEUE_QUEUES: { default: 'openedx', help: 'comma-separated queue names; NAME=URL makes a push queue' },
  XQUEUE_VISIBILITY_TIMEOUT: { default: '60', help: 'seconds a pulled submission stays leased to its grader' },
  XQUEUE_PULL_LIMIT: { default: '5', help: 'pulls before an ungraded submission is retired as poison' },
  XQUEUE_CALLBACK_BACKOFF_BASE: { default: '2', help: 'seconds; retry k waits random(0, min(max, base*2^(k-1)))' },
  XQUEUE_CALLBACK_BACKOFF_MAX: { default: '300', help: 'seconds; the longest wait between callback attempts' },
  XQUEUE_CALLBACK_GIVE_UP: { default: '259200', help: 'seconds of failed attempts before a callback is marked failed (72 h)' },
  XQUEUE_REQUESTS_TIMEOUT: { default: '5', help: 'seconds per callback attempt' },
  XQUEUE_GRADING_TIMEOUT: { default: '30', help: 'seconds per push to an external grader' },
  XQUEUE_PUSH_CONCURRENCY: { default: '1', help: 'pushes in flight per push queue' },
  XQUEUE_REQUESTS_BASIC_AUTH: { default: '', secret: true, help: 'user:password sent with callbacks and pushes' },
  XQUEUE_VERIFY_TLS: { default: 'true', help: `verify TLS on callbacks and pushes (${bool})` },
  XQUEUE_MAX_FORM_BYTES: { default: '2621440', help: 'non-file form data per request' },
  XQUEUE_MAX_FIELDS: { default: '1000', help: 'form fields per request' },
  XQUEUE_MAX_FILES: { default: '100', help: 'files per request' },
  XQUEUE_MAX_FILE_BYTES: { default: '16777216', help: 'size of one uploaded file' },
  XQUEUE_MAX_HEADER_LENGTH: { default: '8192', help: 'characters of xqueue_header' },
  XQUEUE_FILE_LINK_TTL: { default: '3600', help: 'seconds a file link handed to a grader stays valid' },
  XQUEUE_LONG_POLL_DEFAULT: { default: '0', help: 'ms get_submission holds an empty-queue request by default (< 1000)' },
  XQUEUE_LONG_POLL_MAX: { default: '20000', help: 'ms a grader may ask get_submission to wait with wait=' },
  XQUEUE_SESSION_COOKIE_SECURE: { default: 'false', help: `mark the session cookie Secure (${bool})` },
  XQUEUE_TRUST_PROXY: { default: 'false', help: `trust X-Forwarded-* and X-Real-IP (${bool})` },
  XQUEUE_METRICS_TOKEN: { default: '', secret: true, help: 'bearer token for /metrics; empty: open' },
  XQUEUE_LOG_LEVEL: { default: 'info', help: 'fatal, error, warn, info, debug or trace' },
  XQUEUE_SWEEP_INTERVAL: { default: '5', help: 'seconds between sweeps for expired leases (≤ 10)' },
  XQUEUE_DATABASE_URL: { default: '', help: 'sqlite:PATH or mysql://…; empty: SQLite in the data dir' },
  XQUEUE_SQLITE_SYNCHRONOUS: { default: 'FULL', help: 'FULL (every commit on disk) or NORMAL (survives a crash of the process, not of the machine)' },
  MYSQL_HOST: { default: '', help: 'Tutor-style MySQL host; used when XQUEUE_DATABASE_URL is empty' },
  MYSQL_PORT: { default: '3306', help: 'Tutor-style MySQL port' },
  XQUEUE_MYSQL_DATABASE: { default: 'xqueue', help: 'MySQL database (Tutor)' },
  XQUEUE_MYSQL_USERNAME: { default: 'xqueue', help: 'MySQL user (Tutor)' },
  XQUEUE_MYSQL_PASSWORD: { default: '', generated: true, secret: true, help: 'MySQL password (Tutor; 8 random characters when generated)' },
  XQUEUE_FILE_STORAGE: { default: 'disk', help: 'where uploaded files live: disk (<data dir>/files, or a shared volume) or s3' },
  XQUEUE_S3_BUCKET: { default: '', help: 'S3 bucket for uploaded files (required with XQUEUE_FILE_STORAGE=s3)' },
  XQUEUE_S3_PREFIX: { default: 'xqueue', help: 'key prefix inside the bucket; empty: the bucket root' },
  XQUEUE_S3_REGION: { default: 'us-east-1', help: 'S3 region' },
  XQUEUE_S3_ENDPOINT: { default: '', help: 'http(s) URL of an S3-compatible server (MinIO, Ceph, …); empty: AWS' },
  XQUEUE_S3_ACCESS_KEY_ID: { default: '', help: "S3 access key id; empty: the AWS SDK's default credential chain" },
  XQUEUE_S3_SECRET_ACCESS_KEY: { default: '', secret: true, help: 'S3 secret access key; set together with XQUEUE_S3_ACCESS_KEY_ID' },
  XQUEUE_S3_FORCE_PATH_STYLE: { default: 'false', help: `address the bucket as <endpoint>/<bucket> rather than <bucket>.<endpoint> (${bool}; usually true for MinIO)` },
  XQUEUE_S3_LINKS: { default: 'presigned', help: 'links handed to graders: presigned (S3 presigned GET, at most 7 days) or proxied (signed by this server, which streams from the bucket)' },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof KEYS;

export const isConfigKey = (k: string): k is ConfigKey => Object.hasOwn(KEYS, k);

export const GENERATED_LENGTH: Partial<Record<ConfigKey, number>> = {
  XQUEUE_AUTH_PASSWORD: 8,
  XQUEUE_SECRET_KEY: 24,
  XQUEUE_MYSQL_PASSWORD: 8,
};
