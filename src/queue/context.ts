import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Capabilities } from '../db/capabilities.js';
import type { Database } from '../db/schema.js';
import type { Metrics } from '../observability/metrics.js';
import type { Signals } from './signals.js';

/** What every queue operation needs, resolved once and passed first. */
export interface QueueContext {
  readonly db: Kysely<Database>;
  readonly caps: Capabilities;
  readonly config: Config;
  readonly metrics: Metrics;
  readonly signals: Signals;
}

/** A file as stored with its submission, in upload order. */
export interface StoredFile {
  /** The multipart field name, which the LMS sets to the original file name. */
  readonly name: string;
  readonly key: string;
  readonly size: number;
}
