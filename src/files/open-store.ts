// The file store a server runs with, chosen by XQUEUE_FILE_STORAGE: local disk (the
// default, or a volume every replica mounts) or an S3-compatible bucket.
import { join } from 'node:path';
import type { Config } from '../config.js';
import { DiskFileStore } from './disk-store.js';
import type { FileStore } from './file-store.js';

/**
 * Builds and initialises the store. An unreachable bucket does not stop the server from
 * starting: /readyz reports it, and submits answer 503 until it is back.
 */
export async function openFileStore(config: Config): Promise<FileStore> {
  const { s3 } = config.files;
  let store: FileStore;
  if (s3) {
    // The AWS SDK is loaded only by servers that use it.
    const { S3FileStore, s3ClientFor } = await import('./s3-store.js');
    store = await new S3FileStore(s3ClientFor(s3), s3, join(config.dataDir, 'staging')).init();
  } else {
    store = await new DiskFileStore(join(config.dataDir, 'files')).init();
  }
  return store;
}
