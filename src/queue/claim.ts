// The claim (spec §3.6, §9a): take the oldest visible submission of a queue and lease
// it under a fresh pull key, in one atomic step, so no two graders ever hold it.
import { transact } from '../db/transact.js';
import { msToUs, nowUs } from '../clock.js';
import type { QueueContext, StoredFile } from './context.js';
import { newPullKey } from './pull-key.js';
import { retireWithNotice } from './retire.js';
import { leaseForPull, leaseForPush, selectClaimCandidate } from './sql/claim.js';

export interface Claimed {
  readonly id: number;
  readonly pullkey: string;
  readonly body: string;
  readonly files: readonly StoredFile[];
}

export interface ClaimOptions {
  /** The caller's IP for a pull, or the push URL for a push. */
  readonly graderId: string;
  readonly push?: boolean;
}

const POISON_SCAN_LIMIT = 50;

export async function claim(ctx: QueueContext, queue: string, opts: ClaimOptions): Promise<Claimed | null> {
  const { claimed, poisoned } = await transact(ctx.db, ctx.caps, async (trx) => {
    let poisoned = 0;
    const now = nowUs();
    for (let scanned = 0; scanned < POISON_SCAN_LIMIT; scanned++) {
      const row = await selectClaimCandidate.first(trx, { queue, now }, ctx.caps);
      if (!row) return { claimed: null, poisoned };
      // A lease that ran out at the pull limit: the grader keeps failing on it.
      if (row.lease_until !== null && row.pull_count >= ctx.config.pullLimit) {
        if (await retireWithNotice(trx, ctx.caps, row, 'poison', now)) poisoned++;
        continue;
      }
      const pullkey = newPullKey();
      await (opts.push ? leaseForPush : leaseForPull).later(trx, {
        id: row.id,
        now,
        leaseUntil: now + msToUs(ctx.config.visibilityTimeoutMs),
        pullkey,
        graderId: opts.graderId.slice(0, 2048),
      });
      return { claimed: { id: row.id, pullkey, body: row.xqueue_body, files: JSON.parse(row.files) as StoredFile[] }, poisoned };
    }
    return { claimed: null, poisoned };
  });
  if (poisoned > 0) {
    ctx.metrics.retire(queue, 'poison', poisoned);
    ctx.signals.outboxReady();
  }
  return claimed;
}
