// Reads a legacy openedx/xqueue database in place (spec Appendix A), in batches by id,
// on a session set READ ONLY: the importer cannot write to it even by mistake.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { ImportError } from './import-error.js';

/** One `queue_submission` row, as read. Datetimes stay naive UTC strings ('YYYY-MM-DD hh:mm:ss[.ffffff]'). */
export interface LegacySubmission {
  readonly id: number;
  readonly requester_id: string;
  readonly queue_name: string;
  readonly grader_id: string;
  readonly lms_callback_url: string;
  readonly xqueue_header: string;
  readonly xqueue_body: string;
  readonly grader_reply: string;
  readonly s3_keys: string;
  readonly s3_urls: string;
  readonly arrival_time: string | null;
  readonly pull_time: string | null;
  readonly push_time: string | null;
  readonly return_time: string | null;
  readonly pullkey: string;
  readonly num_failures: number;
  readonly lms_ack: number;
  readonly retired: number;
}

/** One `auth_user` row: only what an account needs. */
export interface LegacyUser {
  readonly id: number;
  readonly username: string;
  readonly password: string;
  readonly is_active: number;
}

export interface LegacyCounts {
  readonly unretired: number;
  readonly retired: number;
  readonly maxId: number;
}

const SUBMISSION_COLUMNS = [
  'id',
  'requester_id',
  'queue_name',
  'grader_id',
  'lms_callback_url',
  'xqueue_header',
  'xqueue_body',
  'grader_reply',
  's3_keys',
  's3_urls',
  'arrival_time',
  'pull_time',
  'push_time',
  'return_time',
  'pullkey',
  'num_failures',
  'lms_ack',
  'retired',
] as const;

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export class LegacyReader {
  private constructor(private readonly conn: Connection) {}

  /** Connects to `mysql://user:pass@host:port/db` (or `mariadb://…`) and makes the session read-only. */
  static async open(url: string): Promise<LegacyReader> {
    const uri = url.replace(/^mariadb:\/\//, 'mysql://');
    if (!uri.startsWith('mysql://') || !new URL(uri).pathname.replace(/^\//, ''))
      throw new ImportError('usage', `--from: expected mysql://user:pass@host:port/database, got ${redactUrl(url)}`);
    const { createConnection } = await import('mysql2/promise');
    let conn: Connection;
    try {
      conn = await createConnection({
        uri,
        charset: 'utf8mb4_general_ci',
        // Naive UTC datetimes as text: converted to µs exactly, with no timezone guess.
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: false,
        connectTimeout: 5000,
      });
    } catch (err) {
      throw new ImportError('legacy_connect_failed', `cannot connect to the legacy database ${redactUrl(url)}: ${(err as Error).message}`);
    }
    await conn.query('SET SESSION TRANSACTION READ ONLY');
    return new LegacyReader(conn);
  }

  /** Checks that the tables and columns the import reads exist; returns warnings about the migration ledger. */
  async checkSchema(): Promise<string[]> {
    const warnings: string[] = [];
    try {
      await this.conn.query(`SELECT ${SUBMISSION_COLUMNS.join(', ')} FROM queue_submission LIMIT 0`);
      await this.conn.query('SELECT id, username, password, is_active FROM auth_user LIMIT 0');
    } catch (err) {
      throw new ImportError(
        'legacy_schema',
        `this does not look like a legacy Xqueue database (queue_submission and auth_user as in openedx/xqueue): ${(err as Error).message}`,
      );
    }
    try {
      const [rows] = await this.conn.query<RowDataPacket[]>(
        "SELECT name FROM django_migrations WHERE app = 'submission_queue' ORDER BY name",
      );
      const names = rows.map((r) => String(r.name));
      if (!names.some((n) => n.startsWith('0001')))
        warnings.push("django_migrations has no 'submission_queue' 0001 row: an old (South-era, app 'queue') database? Imported as found.");
    } catch {
      warnings.push('no django_migrations table; the schema was checked column by column instead');
    }
    return warnings;
  }

  async counts(): Promise<LegacyCounts> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS total, COALESCE(SUM(retired = 0), 0) AS unretired, COALESCE(MAX(id), 0) AS max_id FROM queue_submission',
    );
    const r = rows[0]!;
    const unretired = Number(r.unretired);
    return { unretired, retired: Number(r.total) - unretired, maxId: Number(r.max_id) };
  }

  /** Submissions with id > afterId, in id order, at most `limit`; unretired only unless asked. */
  async submissionsAfter(afterId: number, limit: number, includeRetired: boolean): Promise<LegacySubmission[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      `SELECT ${SUBMISSION_COLUMNS.join(', ')} FROM queue_submission WHERE id > ?${includeRetired ? '' : ' AND retired = 0'} ORDER BY id LIMIT ?`,
      [afterId, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      requester_id: String(r.requester_id),
      queue_name: String(r.queue_name),
      grader_id: String(r.grader_id),
      lms_callback_url: String(r.lms_callback_url),
      xqueue_header: String(r.xqueue_header),
      xqueue_body: String(r.xqueue_body),
      grader_reply: String(r.grader_reply),
      s3_keys: String(r.s3_keys),
      s3_urls: String(r.s3_urls),
      arrival_time: r.arrival_time === null ? null : String(r.arrival_time),
      pull_time: r.pull_time === null ? null : String(r.pull_time),
      push_time: r.push_time === null ? null : String(r.push_time),
      return_time: r.return_time === null ? null : String(r.return_time),
      pullkey: String(r.pullkey),
      num_failures: Number(r.num_failures),
      lms_ack: Number(r.lms_ack),
      retired: Number(r.retired),
    }));
  }

  async usersAfter(afterId: number, limit: number): Promise<LegacyUser[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      'SELECT id, username, password, is_active FROM auth_user WHERE id > ? ORDER BY id LIMIT ?',
      [afterId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), username: String(r.username), password: String(r.password), is_active: Number(r.is_active) }));
  }

  close(): Promise<void> {
    return this.conn.end();
  }
}
