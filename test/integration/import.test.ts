// `xqueue import` from a legacy openedx/xqueue database (spec Appendix A/B): the legacy
// schema is created in MariaDB with sample rows, the built CLI imports it, and a server
// started on the same database serves what came over through the real protocol.
//
// The legacy side needs MariaDB whatever database our server uses, and only the "mysql"
// project provides one (inject('mysqlUrl')). So this file runs in the mysql project, where
// it imports into BOTH of our databases (SQLite in the data dir, and MariaDB); the sqlite
// project skips it explicitly (reported as skipped, not silently dropped).
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lmsSubmission, loggedIn, XqueueClient } from '../helpers/client.js';
import { onMysql, testDatabase, type TestDatabase } from '../helpers/database.js';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { startTestServer, testDataDir, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/src/main.js');

/** A Django pbkdf2_sha256 hash, as `make_password` writes it (few iterations: a fast test). */
function djangoHash(password: string, iterations = 1000): string {
  const salt = randomBytes(9).toString('hex');
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}

const LEGACY_SCHEMA = [
  // Appendix A, as Django's migrations 0001–0005 leave it on MySQL.
  `CREATE TABLE queue_submission (
    id int(11) NOT NULL AUTO_INCREMENT,
    requester_id varchar(128) NOT NULL,
    lms_callback_url varchar(128) NOT NULL,
    queue_name varchar(128) NOT NULL,
    xqueue_header varchar(1024) NOT NULL,
    xqueue_body longtext NOT NULL,
    s3_keys varchar(1024) NOT NULL,
    s3_urls varchar(1024) NOT NULL,
    arrival_time datetime(6) NOT NULL,
    pull_time datetime(6) NULL,
    push_time datetime(6) NULL,
    return_time datetime(6) NULL,
    grader_id varchar(128) NOT NULL,
    pullkey varchar(128) NOT NULL,
    grader_reply longtext NOT NULL,
    num_failures int(11) NOT NULL,
    lms_ack tinyint(1) NOT NULL,
    retired tinyint(1) NOT NULL,
    PRIMARY KEY (id),
    KEY queue_submission_lms_callback_url (lms_callback_url),
    KEY queue_submission_retired (retired),
    KEY queue_submi_queue_n_pull (queue_name, retired, pull_time, arrival_time),
    KEY queue_submi_queue_n_push (queue_name, retired, push_time, arrival_time),
    KEY queue_submi_lms_cal_retired (lms_callback_url, retired)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE auth_user (
    id int(11) NOT NULL AUTO_INCREMENT,
    password varchar(128) NOT NULL,
    last_login datetime(6) NULL,
    is_superuser tinyint(1) NOT NULL,
    username varchar(150) NOT NULL,
    first_name varchar(150) NOT NULL,
    last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL,
    is_staff tinyint(1) NOT NULL,
    is_active tinyint(1) NOT NULL,
    date_joined datetime(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY username (username)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE django_migrations (
    id int(11) NOT NULL AUTO_INCREMENT,
    app varchar(255) NOT NULL,
    name varchar(255) NOT NULL,
    applied datetime(6) NOT NULL,
    PRIMARY KEY (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];

interface LegacyRow {
  id: number;
  queue?: string;
  user: number;
  arrival: string;
  pull?: string;
  pullkey?: string;
  body: string;
  reply?: string;
  ack?: 0 | 1;
  retired?: 0 | 1;
  failures?: number;
  files?: Array<[name: string, url: string, key: string]>;
  /** s3_keys and s3_urls as stored, when not built from `files`. */
  maps?: [keys: string, urls: string];
}

/** The callback URL the LMS puts in the header: longer than the 128-character legacy column on purpose. */
const callbackOf = (lmsUrl: string, row: LegacyRow) =>
  `${lmsUrl}/courses/course-v1:Org+CS101+2026/xqueue/${row.user}/block-v1:Org+CS101+2026+type@problem+block@${'b'.repeat(32)}${row.id}/score_update`;
const headerOf = (lmsUrl: string, row: LegacyRow) =>
  `{"lms_callback_url": "${callbackOf(lmsUrl, row)}", "lms_key": "${row.id.toString().padStart(32, 'k')}", "queue_name": "${row.queue ?? 'openedx'}"}`;
const pyMap = (pairs: Array<[string, string]>) => (pairs.length ? `{${pairs.map(([k, v]) => `"${k}": "${v}"`).join(', ')}}` : '{}');

async function insertLegacyRow(c: Connection, lmsUrl: string, row: LegacyRow): Promise<void> {
  const files = row.files ?? [];
  const header = headerOf(lmsUrl, row);
  await c.query(
    `INSERT INTO queue_submission (id, requester_id, lms_callback_url, queue_name, xqueue_header, xqueue_body, s3_keys, s3_urls,
       arrival_time, pull_time, push_time, return_time, grader_id, pullkey, grader_reply, num_failures, lms_ack, retired)
     VALUES (?, '10.0.0.9', ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.id,
      callbackOf(lmsUrl, row).slice(0, 128),
      row.queue ?? 'openedx',
      header,
      row.body,
      row.maps?.[0] ?? pyMap(files.map(([n, , k]) => [n, k])),
      row.maps?.[1] ?? pyMap(files.map(([n, u]) => [n, u])),
      row.arrival,
      row.pull ?? null,
      row.reply ? row.arrival : null,
      row.pull ? '10.0.0.20' : '',
      row.pullkey ?? '',
      row.reply ?? '',
      row.failures ?? 0,
      row.ack ?? 0,
      row.retired ?? 0,
    ],
  );
}

interface Summary {
  dryRun: boolean;
  importedTotal: number;
  users: { imported: number; skippedPresent: number; disabled: number; unusable: number };
  submissions: {
    imported: Record<string, number>;
    skippedPresent: number;
    skippedRetired: number;
    conflicts: number[];
    callbacksQueued: number;
  };
  files: { copied: number; referenced: number; failed: Array<{ id: number; name: string; reason: string }> };
  unknownQueues: Record<string, number>;
}

async function xqueue(env: Record<string, string>, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('node', [MAIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
}

describe.skipIf(!onMysql())('xqueue import from a legacy MariaDB database (covered by the mysql project)', () => {
  let admin: Connection;
  let legacyName: string;
  let legacyUrl: string;
  let lms: FakeLms;
  let fileServer: http.Server;
  let fileBase: string;
  let mediaRoot: string;
  const mediaKey = 'c0ffee'.padEnd(32, '0');
  const graderHash = djangoHash('old-secret');

  const rows = (): LegacyRow[] => [
    // Visible, with one file downloadable from "S3" and one that is gone.
    {
      id: 3,
      user: 31,
      arrival: '2026-05-01 10:00:00.000001',
      body: '{"student_response": "print(1)"}',
      files: [
        ['a.py', `${fileBase}/bucket/a.py`, 'k-a'],
        ['gone.txt', `${fileBase}/bucket/gone.txt`, 'k-gone'],
      ],
    },
    // Pulled by a grader that never answered; it arrived first, so it is served first.
    { id: 5, user: 51, arrival: '2026-05-01 09:00:00.000000', pull: '2026-05-01 09:00:05.000000', pullkey: 'f'.repeat(32), body: '{"n": 5}' },
    // Graded, but the LMS never acknowledged: delivered again with no grading.
    {
      id: 7,
      user: 71,
      arrival: '2026-05-01 08:00:00.000000',
      pull: '2026-05-01 08:00:01.000000',
      pullkey: 'a'.repeat(32),
      body: '{"n": 7}',
      reply: '{"correct": true, "score": 1, "msg": "<p>legacy grade</p>"}',
      failures: 2,
    },
    // Emoji in the body, a file on the legacy server's disk (Tutor's /media/openedx/<key>).
    {
      id: 8,
      user: 81,
      arrival: '2026-05-01 11:00:00.500000',
      body: '{"student_response": "print(\'hi\') ✓ 😀"}',
      files: [['b.txt', `/media/openedx/${mediaKey}`, mediaKey]],
    },
    // Files listed in a separate document (json.dumps(urls) was over 1024 characters).
    {
      id: 11,
      user: 111,
      arrival: '2026-05-01 12:00:00.000000',
      body: '{"n": 11}',
      maps: ['{"KEY_FOR_EXTERNAL_DICTS": "kd"}', `{"URL_FOR_EXTERNAL_DICTS": "${fileBase}/bucket/dict.json"}`],
    },
    // A queue this server does not serve.
    { id: 9, queue: 'legacy-only', user: 91, arrival: '2026-05-01 07:00:00.000000', body: '{"n": 9}' },
    // Retired: graded and acknowledged, and superseded. Neither comes over.
    { id: 10, user: 101, arrival: '2026-05-01 06:00:00.000000', body: '{"n": 10}', reply: '{"correct": false}', ack: 1, retired: 1 },
    { id: 12, user: 121, arrival: '2026-05-01 05:00:00.000000', body: '{"n": 12}', retired: 1 },
  ];

  beforeAll(async () => {
    lms = await startFakeLms();
    fileServer = http.createServer((req, res) => {
      if (req.url === '/bucket/a.py') res.writeHead(200, { 'content-type': 'text/x-python' }).end("print('from s3')\n");
      else if (req.url === '/bucket/c.py') res.writeHead(200).end('c = 3\n');
      else if (req.url === '/bucket/dict.json')
        res.writeHead(200).end(`{"files": {"c.py": "${fileBase}/bucket/c.py"}, "keys": {"c.py": "kc"}}`);
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((r) => fileServer.listen(0, '127.0.0.1', r));
    fileBase = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
    mediaRoot = mkdtempSync(join(tmpdir(), 'xqueue-legacy-media-'));
    mkdirSync(join(mediaRoot, 'openedx'));
    writeFileSync(join(mediaRoot, 'openedx', mediaKey), 'from the legacy disk ✓\n');

    const base = inject('mysqlUrl');
    const { createConnection } = await import('mysql2/promise');
    admin = await createConnection({ uri: base, charset: 'utf8mb4_general_ci' });
    legacyName = `xql_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${legacyName} CHARACTER SET utf8mb4`);
    await admin.query(`USE ${legacyName}`);
    for (const ddl of LEGACY_SCHEMA) await admin.query(ddl);
    for (const name of ['0001_initial', '0002_stop_updating_arrival_time', '0003_compound_indexes', '0004_keep_same_model_name'])
      await admin.query("INSERT INTO django_migrations (app, name, applied) VALUES ('submission_queue', ?, NOW(6))", [name]);
    for (const row of rows()) await insertLegacyRow(admin, lms.url, row);
    const user = (name: string, password: string, active: 0 | 1) =>
      admin.query(
        `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
         VALUES (?, 0, ?, '', '', '', 0, ?, NOW(6))`,
        [password, name, active],
      );
    await user('grader1', graderHash, 1);
    await user('retired-grader', djangoHash('pw2'), 0);
    await user('nopass', '!Unusable0123456789012345678901234567890', 1);
    legacyUrl = new URL(legacyName, base).toString();
  });

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${legacyName}`);
    await admin?.end();
    await lms?.close();
    fileServer?.close();
    if (mediaRoot) rmSync(mediaRoot, { recursive: true, force: true });
  });

  it('never writes to the legacy database', async () => {
    const [before] = await admin.query(`CHECKSUM TABLE ${legacyName}.queue_submission, ${legacyName}.auth_user`);
    const dataDir = testDataDir();
    try {
      await xqueue({ XQUEUE_DATA_DIR: dataDir, XQUEUE_DATABASE_URL: '' }, 'import', '--from', legacyUrl, '--media-root', mediaRoot, '--include-retired');
      const [after] = await admin.query(`CHECKSUM TABLE ${legacyName}.queue_submission, ${legacyName}.auth_user`);
      expect(after).toEqual(before);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe.each(['sqlite', 'mysql'] as const)('into our %s database', (target) => {
    let dataDir: string;
    let ourDb: TestDatabase | undefined;
    let env: Record<string, string>;
    let server: TestServer;
    let imported: Summary;
    let callbacksBefore = 0;

    beforeAll(async () => {
      dataDir = testDataDir();
      ourDb = target === 'mysql' ? await testDatabase() : undefined;
      // XQUEUE_DATABASE_URL '' selects SQLite in the data dir even inside the mysql project.
      env = { XQUEUE_QUEUES: 'openedx', XQUEUE_LOG_LEVEL: 'silent', XQUEUE_DATABASE_URL: '', ...ourDb?.env };
    });

    afterAll(async () => {
      await server?.close();
      await ourDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('--dry-run reports what would come over and writes nothing', async () => {
      const { stdout } = await xqueue({ ...env, XQUEUE_DATA_DIR: dataDir }, 'import', '--from', legacyUrl, '--dry-run', '--json');
      const s = JSON.parse(stdout) as Summary;
      expect(s.dryRun).toBe(true);
      expect(s.submissions.imported).toEqual({ visible: 4, pulled: 1, result: 1, acked: 0, retired: 0 });
      expect(s.submissions.skippedRetired).toBe(2);
      expect(s.users.imported).toBe(3);
      expect(s.files.referenced).toBe(3);
      expect(s.files.copied).toBe(0);
      if (target === 'sqlite') expect(existsSync(join(dataDir, 'xqueue.db'))).toBe(false);
      else {
        const [tables] = await admin.query(`SHOW TABLES FROM ${new URL(ourDb!.env.XQUEUE_DATABASE_URL!).pathname.slice(1)}`);
        expect(tables).toEqual([]);
      }
      expect(existsSync(join(dataDir, 'files'))).toBe(false);
    });

    it('imports users, unretired submissions and their files, and reports what it could not copy', async () => {
      const { stdout } = await xqueue(
        { ...env, XQUEUE_DATA_DIR: dataDir },
        'import', '--from', legacyUrl, '--media-root', mediaRoot, '--batch', '2', '--json',
      );
      imported = JSON.parse(stdout) as Summary;
      expect(imported.dryRun).toBe(false);
      expect(imported.submissions.imported).toEqual({ visible: 4, pulled: 1, result: 1, acked: 0, retired: 0 });
      expect(imported.importedTotal).toBe(6);
      expect(imported.submissions.skippedRetired).toBe(2);
      expect(imported.submissions.callbacksQueued).toBe(1);
      expect(imported.submissions.conflicts).toEqual([]);
      expect(imported.users).toMatchObject({ imported: 3, skippedPresent: 0, disabled: 1, unusable: 1 });
      expect(imported.files.copied).toBe(3);
      expect(imported.files).toMatchObject({ externalExpanded: 1, externalFailed: [] });
      expect(imported.files.failed).toEqual([{ id: 3, name: 'gone.txt', reason: 'HTTP 404' }]);
      expect(imported.unknownQueues).toEqual({ 'legacy-only': 1 });
    });

    it('serves the imported work through the protocol: old password, FIFO by arrival, files, emoji, callbacks', async () => {
      server = await startTestServer({ ...env, XQUEUE_CALLBACK_BACKOFF_BASE: '1', XQUEUE_CALLBACK_BACKOFF_MAX: '1' }, dataDir);
      const legacy = rows();
      const byId = new Map(legacy.map((r) => [r.id, r]));
      const before = (callbacksBefore = lms.callbacks.length);

      // The graded-but-unacknowledged submission reaches the LMS with no grading at all.
      await expect
        .poll(() => lms.callbacks.slice(before).filter((c) => c.status === 200).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(1);
      const first = lms.callbacks[before]!;
      expect(first.header).toBe(headerOf(lms.url, byId.get(7)!));
      expect(first.body).toBe(byId.get(7)!.reply);
      expect(first.path).toBe(new URL(callbackOf(lms.url, byId.get(7)!)).pathname);

      // Old Django passwords log in; the disabled and the unusable ones do not.
      const grader = await loggedIn(server.url, 'old-secret', 'grader1');
      // …and the Django hash is replaced by a scrypt one at that login; the password still works.
      const rehashed = await server.server.queue.db.selectFrom('users').select('password_hash').where('username', '=', 'grader1').executeTakeFirstOrThrow();
      expect(rehashed.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
      await loggedIn(server.url, 'old-secret', 'grader1');
      for (const [name, password] of [['retired-grader', 'pw2'], ['nopass', '!'], ['grader1', 'wrong']] as const) {
        const r = await new XqueueClient(server.url).login(name, password);
        expect(r.json()).toEqual({ return_code: 1, content: 'Incorrect login credentials' });
      }

      expect((await grader.get('/xqueue/get_queuelen/?queue_name=openedx')).json()).toEqual({ return_code: 0, content: 4 });
      const pulled: Array<{ id: number; header: string; body: string; files: Record<string, string> }> = [];
      for (;;) {
        const r = (await grader.get('/xqueue/get_submission/?queue_name=openedx')).json();
        if (r.return_code !== 0) {
          expect(r).toEqual({ return_code: 1, content: "Queue 'openedx' is empty" });
          break;
        }
        const s = JSON.parse(r.content as string) as Record<string, string>;
        const header = JSON.parse(s.xqueue_header!) as { submission_id: number };
        pulled.push({ id: header.submission_id, header: s.xqueue_header!, body: s.xqueue_body!, files: JSON.parse(s.xqueue_files!) });
      }
      // Arrival order (09:00, 10:00, 11:00), not id order; retired and foreign-queue rows never appear.
      expect(pulled.map((p) => p.id)).toEqual([5, 3, 8, 11]);
      for (const p of pulled) expect(p.body).toBe(byId.get(p.id)!.body);
      expect(Object.keys(pulled[1]!.files)).toEqual(['a.py']);
      expect(await (await fetch(pulled[1]!.files['a.py']!)).text()).toBe("print('from s3')\n");
      expect(Object.keys(pulled[2]!.files)).toEqual(['b.txt']);
      expect(await (await fetch(pulled[2]!.files['b.txt']!)).text()).toBe('from the legacy disk ✓\n');
      expect(pulled[0]!.files).toEqual({});
      expect(Object.keys(pulled[3]!.files)).toEqual(['c.py']);
      expect(await (await fetch(pulled[3]!.files['c.py']!)).text()).toBe('c = 3\n');

      for (const p of pulled) {
        const put = await grader.post('/xqueue/put_result/', {
          xqueue_header: p.header,
          xqueue_body: `{"correct": true, "score": 1, "msg": "<p>${p.id}</p>"}`,
        });
        expect(put.json()).toEqual({ return_code: 0, content: '' });
      }
      await expect.poll(() => lms.callbacks.slice(before).filter((c) => c.status === 200).length, { timeout: 10_000 }).toBe(5);
      const delivered = lms.callbacks.slice(before);
      // Each with the LMS's original header bytes (its lms_key) at the full callback URL.
      expect(delivered.map((c) => c.header).sort()).toEqual([7, 5, 3, 8, 11].map((id) => headerOf(lms.url, byId.get(id)!)).sort());
      for (const c of delivered.slice(1)) {
        const id = [5, 3, 8, 11].find((i) => c.header === headerOf(lms.url, byId.get(i)!))!;
        expect(c.path).toBe(new URL(callbackOf(lms.url, byId.get(id)!)).pathname);
        expect(c.body).toBe(`{"correct": true, "score": 1, "msg": "<p>${id}</p>"}`);
      }

      // New submissions are numbered above every legacy id, retired ones included.
      const lmsClient = await loggedIn(server.url, server.password);
      const submitted = await lmsClient.post('/xqueue/submit/', lmsSubmission(lms.url, { user: 999 }));
      expect(submitted.json()).toEqual({ return_code: 0, content: '1' });
      const newest = await server.server.queue.db
        .selectFrom('submissions')
        .select('id')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(newest.id).toBeGreaterThan(12);
    });

    it('a second run imports nothing and says so', async () => {
      const { stdout } = await xqueue({ ...env, XQUEUE_DATA_DIR: dataDir }, 'import', '--from', legacyUrl, '--media-root', mediaRoot);
      expect(stdout).toContain('submissions: imported 0:');
      expect(stdout).toContain('skipped 6 already present');
      expect(stdout).toContain('users: imported 0, skipped 3 already present');
      expect(stdout).toContain('Nothing new to import.');
      const { n } = await server.server.queue.db
        .selectFrom('submissions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n)).toBe(7); // six imported, one submitted since
      // The legacy result was delivered once, by the first run's import, never again.
      const seven = headerOf(lms.url, rows()[2]!);
      expect(lms.callbacks.slice(callbacksBefore).filter((c) => c.header === seven)).toHaveLength(1);
    });
  });
});
