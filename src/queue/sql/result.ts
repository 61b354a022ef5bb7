// put_result's two statements (spec §3.7): the submission, locked, and the stored result.
import { forUpdate } from '../../db/locking.js';
import { preparedSelect, preparedWrite } from '../../db/prepared.js';

export const selectForResult = preparedSelect((db, p: { id: number }, caps) =>
  forUpdate(
    db
      .selectFrom('submissions')
      .select(['id', 'queue_name', 'pullkey', 'result_key', 'grader_reply', 'xqueue_header', 'lms_callback_url'])
      .where('id', '=', p.id),
    caps,
  ),
);

export const storeResult = preparedWrite((db, p: { id: number; reply: string; now: number; resultKey: string }) =>
  db
    .updateTable('submissions')
    .set({ grader_reply: p.reply, return_time: p.now, result_key: p.resultKey, retired: 1, retire_reason: 'result', pullkey: '' })
    .where('id', '=', p.id),
);
