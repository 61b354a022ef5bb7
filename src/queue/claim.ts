// The claim (spec §3.6, §9a): take the oldest visible submission of a queue and lease
// it under a fresh pull key, in one atomic step, so no two graders ever hold it. Graders
// asking at the same time may be served together (db/combiner.ts): one transaction reads
// as many candidates as there are graders and leases one to each, in the order they asked.
import { Combiners } from '../db/combiner.js';
import { transact } from '../db/transact.js';
import { msToUs, nowUs } from '../clock.js';
import type { QueueContext, StoredFile } from './context.js';
import { claimFloor } from './claim-floor.js';
import { newPullKey } from './pull-key.js';
import { retireWithNotice } from './retire.js';
import { leaseForPull, leaseForPush, selectClaimCandidates } from './sql/claim.js';

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

/** Rows at the pull limit one transaction retires before it gives up on the rest of the batch. */
const POISON_SCAN_LIMIT = 50;
const MAX_BATCH = 64;

const combiners = new Combiners<QueueContext>(MAX_BATCH);

export function claim(ctx: QueueContext, queue: string, opts: ClaimOptions): Promise<Claimed | null> {
  return combiners.run<ClaimOptions, Claimed | null>(ctx, queue, (asks, letNextStart) => claimBatch(ctx, queue, asks, letNextStart), opts);
}

/** Leases up to one submission per ask; null for an ask the queue had nothing left for. */
async function claimBatch(ctx: QueueContext, queue: string, asks: readonly ClaimOptions[], letNextStart: () => void): Promise<Array<Claimed | null>> {
  const floor = await claimFloor(ctx, queue);
  const { claimed, poisoned } = await transact(ctx.db, ctx.caps, async (trx) => {
    const claimed: Claimed[] = [];
    let poisoned = 0;
    let poisonSeen = 0;
    const now = nowUs();
    const leaseUntil = now + msToUs(ctx.config.visibilityTimeoutMs);
    while (claimed.length < asks.length && poisonSeen < POISON_SCAN_LIMIT) {
      const limit = asks.length - claimed.length;
      const rows = await selectClaimCandidates.rows(trx, { queue, now, floor, limit }, ctx.caps);
      // These rows are locked now: the next batch's SELECT skips them.
      letNextStart();
      for (const row of rows) {
        // A lease that ran out at the pull limit: the grader keeps failing on it.
        if (row.lease_until !== null && row.pull_count >= ctx.config.pullLimit) {
          poisonSeen++;
          if (await retireWithNotice(trx, ctx.caps, row, 'poison', now)) poisoned++;
          continue;
        }
        const ask = asks[claimed.length]!;
        const pullkey = newPullKey();
        await (ask.push ? leaseForPush : leaseForPull).later(trx, { id: row.id, now, leaseUntil, pullkey, graderId: ask.graderId.slice(0, 2048) });
        claimed.push({ id: row.id, pullkey, body: row.xqueue_body, files: JSON.parse(row.files) as StoredFile[] });
      }
      if (rows.length < limit) break;
    }
    return { claimed, poisoned };
  });
  if (poisoned > 0) {
    ctx.metrics.retire(queue, 'poison', poisoned);
    ctx.signals.outboxReady();
  }
  return asks.map((_, i) => claimed[i] ?? null);
}
