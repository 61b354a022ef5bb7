// put_result's two statements (spec §3.7): the submissions, locked, and each stored result.
import { listNames, listOf, listParams } from '../../db/in-list.js';
import { forUpdate } from '../../db/locking.js';
import type { Capabilities } from '../../db/capabilities.js';
import { preparedSelect, preparedWrite, type Handle } from '../../db/prepared.js';

/** Results stored by one transaction at most (db/combiner.ts). */
export const RESULT_BATCH = 16;

const ID_NAMES = listNames('id', RESULT_BATCH);

const COLUMNS = ['id', 'queue_name', 'pullkey', 'result_key', 'grader_reply', 'xqueue_header', 'lms_callback_url'] as const;

const selectOne = preparedSelect((db, p: { id: number }, caps) => forUpdate(db.selectFrom('submissions').select(COLUMNS).where('id', '=', p.id), caps));

const selectMany = preparedSelect((db, p: Record<string, number>, caps) =>
  forUpdate(
    db
      .selectFrom('submissions')
      .select(COLUMNS)
      .where('id', 'in', listOf(p, ID_NAMES)),
    caps,
  ),
);

/** The submissions of 1 to RESULT_BATCH results, locked. */
export function selectForResults(db: Handle, ids: readonly number[], caps: Capabilities) {
  if (ids.length === 1) return selectOne.rows(db, { id: ids[0]! }, caps);
  return selectMany.rows(db, listParams(ID_NAMES, ids), caps);
}

export const storeResult = preparedWrite((db, p: { id: number; reply: string; now: number; resultKey: string }) =>
  db
    .updateTable('submissions')
    .set({ grader_reply: p.reply, return_time: p.now, result_key: p.resultKey, retired: 1, retire_reason: 'result', pullkey: '' })
    .where('id', '=', p.id),
);
