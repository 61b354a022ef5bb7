import type { Readable } from 'node:stream';

/**
 * Where uploaded files live. Uploads are first streamed to a staging file (never held
 * in memory), then committed under a key before the submission row commits (spec §4).
 */
export interface FileStore {
  /** A directory for staging uploads, on the same filesystem as the store when it is a disk. */
  readonly stagingDir: string;
  /** Makes a staged file durable under `key`; the staged file is consumed. */
  put(key: string, stagedPath: string): Promise<void>;
  /** A stream of the file's bytes, or null when there is no such file. */
  open(key: string): Promise<Readable | null>;
  remove(key: string): Promise<void>;
  /** For /readyz: can a file be written now? */
  writable(): Promise<boolean>;
  /**
   * A link a grader can fetch the file from directly, valid `expiresS` seconds, that
   * downloads as `name`. Only stores whose backend can sign links (S3) have it.
   */
  presignedUrl?(key: string, name: string, expiresS: number): Promise<string>;
}
