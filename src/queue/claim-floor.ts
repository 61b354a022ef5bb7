// Where a claim starts reading its queue's FIFO index. InnoDB keeps a retired submission's
// old index entry, marked deleted, until its purge thread gets to it; under load thousands
// of them lie at the head of the queue's range, and a locking read checks each one: about
// 1,400 page reads per claim at 1,000 graded/s. Starting from the oldest unretired
// submission's arrival time skips them. Leased and poisoned submissions are unretired, so
// they stay above the floor; a submission that commits with an older arrival time (a
// transaction that ran long, another replica's clock, an import) waits until the floor
// is read again, at most FLOOR_TTL_MS later.
import type { QueueContext } from './context.js';
import { selectOldestUnretired } from './sql/claim.js';

export const FLOOR_TTL_MS = 20;

interface Floor {
  value: number;
  readAt: number;
  reading?: Promise<number>;
}

const floors = new WeakMap<QueueContext, Map<string, Floor>>();

/** The lowest arrival time a claim on this queue need read from; 0 where the database needs none. */
export function claimFloor(ctx: QueueContext, queue: string): number | Promise<number> {
  if (!ctx.caps.staleIndexEntries) return 0;
  let byQueue = floors.get(ctx);
  if (!byQueue) floors.set(ctx, (byQueue = new Map()));
  let floor = byQueue.get(queue);
  if (!floor) byQueue.set(queue, (floor = { value: 0, readAt: -Infinity }));
  if (performance.now() - floor.readAt < FLOOR_TTL_MS) return floor.value;
  return (floor.reading ??= readFloor(ctx, queue, floor));
}

async function readFloor(ctx: QueueContext, queue: string, floor: Floor): Promise<number> {
  const readAt = performance.now();
  try {
    const row = await selectOldestUnretired.first(ctx.db, { queue });
    // An empty queue has no floor: the next submission may carry any arrival time.
    floor.value = row?.oldest == null ? 0 : Number(row.oldest);
    floor.readAt = readAt;
    return floor.value;
  } finally {
    floor.reading = undefined;
  }
}
