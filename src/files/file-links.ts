// The `xqueue_files` map handed to a grader: field name → a link minted for this claim,
// either signed by this server (spec §4) or, with S3 storage, presigned by the bucket.
import type { Config } from '../config.js';
import { PyDict, pyDumps } from '../protocol/python-json.js';
import type { StoredFile } from '../queue/context.js';
import type { FileStore } from './file-store.js';
import { mintFileLink } from './signed-link.js';

export async function fileLinksJson(
  config: Config,
  /** The store holding the files; it presigns links when it can and the config asks for it. */
  store: Pick<FileStore, 'presignedUrl'>,
  base: string,
  submission: { id: number; files: readonly StoredFile[] },
): Promise<string> {
  const ttl = config.fileLinkTtlS;
  const presign = config.files.s3?.links === 'presigned' ? store.presignedUrl?.bind(store) : undefined;
  const expires = Math.floor(Date.now() / 1000) + ttl;
  const links = await Promise.all(
    submission.files.map((f, index) =>
      presign ? presign(f.key, f.name, ttl) : mintFileLink(base, config.secretKey, { submissionId: submission.id, index, name: f.name }, expires),
    ),
  );
  return pyDumps(new PyDict(submission.files.map((f, i) => [f.name, links[i]!])));
}
