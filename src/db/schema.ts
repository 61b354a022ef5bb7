// Row types of the tables, as Kysely sees them. Times are integers: microseconds
// since the Unix epoch (UTC), which both SQLite and MySQL store and order exactly.
import type { Generated } from 'kysely';

export type RetireReason = 'result' | 'superseded' | 'poison' | 'push_failed' | 'admin' | 'imported';
export type OutboxKind = 'result' | 'failure_notice';
export type OutboxState = 'pending' | 'delivered' | 'failed';

export interface SubmissionTable {
  id: Generated<number>;
  queue_name: string;
  requester_id: string;
  lms_callback_url: string;
  /** sha256 hex of lms_callback_url: an index-friendly key for resubmission retiring. */
  callback_hash: string;
  xqueue_header: string;
  xqueue_body: string;
  /** JSON list of StoredFile, in upload order. */
  files: string;
  arrival_time: number;
  pull_time: number | null;
  push_time: number | null;
  return_time: number | null;
  lease_until: number | null;
  pullkey: Generated<string>;
  pull_count: Generated<number>;
  grader_id: Generated<string>;
  grader_reply: string | null;
  result_key: string | null;
  num_failures: Generated<number>;
  lms_ack: Generated<number>;
  retired: Generated<number>;
  retire_reason: RetireReason | null;
}

export interface OutboxTable {
  submission_id: number;
  kind: OutboxKind;
  url: string;
  /** The form body, encoded once when the entry is made. */
  body: string;
  state: OutboxState;
  attempts: Generated<number>;
  next_attempt_at: number;
  created_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  /** Comma-separated roles: submitter, grader, admin. */
  roles: string;
  /** JSON list of queue names a grader is limited to; null: every queue. */
  queues: string | null;
  is_active: Generated<number>;
  created_at: number;
}

export interface SessionTable {
  /** sha256 hex of the cookie value; the value itself is never stored. */
  id: string;
  user_id: number;
  expires_at: number;
  created_at: number;
}

export interface QueueCountTable {
  queue_name: string;
  slot: number;
  unretired: number;
}

export interface Database {
  submissions: SubmissionTable;
  outbox: OutboxTable;
  users: UserTable;
  sessions: SessionTable;
  queue_counts: QueueCountTable;
}
