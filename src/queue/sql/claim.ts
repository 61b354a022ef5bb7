// The claim's two statements (spec §3.6, §9a): the oldest visible submissions of a queue,
// as many as there are graders asking, locked so concurrent claimers skip them where the
// database can; then each one's new lease.
import { forUpdateSkipLocked } from '../../db/locking.js';
import { preparedSelect, preparedWrite } from '../../db/prepared.js';
import { visible } from '../visibility.js';

export const selectClaimCandidates = preparedSelect((db, p: { queue: string; now: number; floor: number; limit: number }, caps) =>
  forUpdateSkipLocked(
    db
      .selectFrom('submissions')
      .select(['id', 'queue_name', 'lease_until', 'pull_count', 'xqueue_body', 'files', 'xqueue_header', 'lms_callback_url'])
      .where('queue_name', '=', p.queue)
      .where(visible(p.now))
      .where('arrival_time', '>=', p.floor)
      .orderBy('arrival_time')
      .orderBy('id')
      .limit(p.limit),
    caps,
  ),
);

/** The oldest unretired submission's arrival time (claim-floor.ts); null for an empty queue. */
export const selectOldestUnretired = preparedSelect((db, p: { queue: string }) =>
  db
    .selectFrom('submissions')
    .select((eb) => eb.fn.min<number>('arrival_time').as('oldest'))
    .where('queue_name', '=', p.queue)
    .where('retired', '=', 0),
);

interface Lease {
  readonly id: number;
  readonly now: number;
  readonly leaseUntil: number;
  readonly pullkey: string;
  readonly graderId: string;
}

const lease = (push: boolean) =>
  preparedWrite((db, p: Lease) =>
    db
      .updateTable('submissions')
      .set((eb) => ({
        pull_time: p.now,
        ...(push ? { push_time: p.now } : {}),
        lease_until: p.leaseUntil,
        pullkey: p.pullkey,
        pull_count: eb('pull_count', '+', 1),
        grader_id: p.graderId,
      }))
      .where('id', '=', p.id),
  );

/** Leases the candidate to a grader that pulled it. */
export const leaseForPull = lease(false);
/** Leases the candidate to a push queue's grader, recording the push time too. */
export const leaseForPush = lease(true);
