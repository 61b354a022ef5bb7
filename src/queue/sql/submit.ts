// A submission's two hot statements (spec §3.4, §5.3): what the same learner submitted
// before to the same callback URL (retired as superseded), and the insert.
import { forUpdate } from '../../db/locking.js';
import { preparedSelect, preparedWrite } from '../../db/prepared.js';

export const selectSuperseded = preparedSelect((db, p: { hash: string; url: string }, caps) =>
  forUpdate(
    db
      .selectFrom('submissions')
      .select(['id', 'queue_name'])
      .where('callback_hash', '=', p.hash)
      .where('retired', '=', 0)
      .where('lms_callback_url', '=', p.url),
    caps,
  ),
);

interface NewRow {
  readonly queue: string;
  readonly requesterId: string;
  readonly url: string;
  readonly hash: string;
  readonly header: string;
  readonly body: string;
  readonly files: string;
  readonly now: number;
}

export const insertSubmission = preparedWrite((db, p: NewRow) =>
  db.insertInto('submissions').values({
    queue_name: p.queue,
    requester_id: p.requesterId,
    lms_callback_url: p.url,
    callback_hash: p.hash,
    xqueue_header: p.header,
    xqueue_body: p.body,
    files: p.files,
    arrival_time: p.now,
  }),
);
