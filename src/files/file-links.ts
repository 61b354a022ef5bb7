// The `xqueue_files` map handed to a grader: field name → a link minted for this claim,
// either signed by this server (spec §4) or, with S3 storage, presigned by the bucket.
import type { Config } from '../config.js';
import { PyDict, pyDumps } from '../protocol/python-json.js';
import type { StoredFile } from '../queue/context.js';
import type { FileStore } from './file-store.js';
import { mintFileLink } from './signed-link.js';

// The store of each running server, found by its Config: the two callers (get_submission
// and the push dispatcher) are handed the config but not the store.
const stores = new WeakMap<Config, FileStore>();

/** Tells fileLinksJson which store holds the files of servers built on `config` (openFileStore does this). */
export function registerLinkStore(config: Config, store: FileStore): void {
  stores.set(config, store);
}

export async function fileLinksJson(
  config: Config,
  base: string,
  submission: { id: number; files: readonly StoredFile[] },
): Promise<string> {
  const ttl = config.fileLinkTtlS;
  const store = stores.get(config);
  const presign = config.files.s3?.links === 'presigned' ? store?.presignedUrl?.bind(store) : undefined;
  const expires = Math.floor(Date.now() / 1000) + ttl;
  const links = await Promise.all(
    submission.files.map((f, index) =>
      presign ? presign(f.key, f.name, ttl) : mintFileLink(base, config.secretKey, { submissionId: submission.id, index, name: f.name }, expires),
    ),
  );
  return pyDumps(new PyDict(submission.files.map((f, i) => [f.name, links[i]!])));
}
