// The `xqueue_files` map handed to a grader: field name → a link minted for this claim.
import type { Config } from '../config.js';
import { PyDict, pyDumps } from '../protocol/python-json.js';
import type { StoredFile } from '../queue/context.js';
import { mintFileLink } from './signed-link.js';

export function fileLinksJson(config: Config, base: string, submission: { id: number; files: readonly StoredFile[] }): string {
  const expires = Math.floor(Date.now() / 1000) + config.fileLinkTtlS;
  return pyDumps(
    new PyDict(
      submission.files.map((f, index) => [
        f.name,
        mintFileLink(base, config.secretKey, { submissionId: submission.id, index, name: f.name }, expires),
      ]),
    ),
  );
}
