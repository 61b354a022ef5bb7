// Delivers outbox entries to the LMS (spec §6, §9b). An entry is taken by bumping its
// next attempt past the attempt's timeout, conditionally, so one process delivers it;
// a crash mid-attempt only delays it. Success is HTTP 200, exactly.
import { Combiner } from '../db/combiner.js';
import { transact } from '../db/transact.js';
import type { Logger } from 'pino';
import { msToUs, nowUs } from '../clock.js';
import type { QueueContext } from '../queue/context.js';
import { retryDelayMs } from './backoff.js';
import type { DueCallback } from './enqueue.js';
import { deliveryLeaseUs } from './lease.js';
import { post } from './http-post.js';
import { countFailure, markAttemptFailed, markDeliveredMany, MARKS_PER_STATEMENT } from './sql/record.js';
import { selectDue, takeEntry } from './sql/take.js';

const BATCH = 64;
const MAX_IN_FLIGHT = 64;
const POLL_MS = 1000;
const MAX_TAKEN = 10_000;

type Due = DueCallback;

export class OutboxDeliverer {
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Entries this process took when it stored them, waiting for room to be sent. */
  private readonly taken: Due[] = [];
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private running = false;
  private stopped = true;
  private offSignal: (() => void) | undefined;
  /**
   * The database may hold due entries this process has not taken: at start, on every poll
   * (other processes, retries coming due), on a signal without an entry, and while a pass
   * had no room for all of them. Otherwise the entries of this process's own results are
   * already in hand, and reading the table after each attempt found nothing.
   */
  private mayBeDue = true;
  /** Deliveries are recorded together: those made while one batch is being written form the next. */
  private readonly delivered = new Combiner<number, void>((ids) => this.recordDelivered(ids), MAX_IN_FLIGHT);

  constructor(
    private readonly ctx: QueueContext,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.offSignal = this.ctx.signals.onOutboxReady((taken) => {
      if (taken && this.taken.length < MAX_TAKEN) this.taken.push(taken);
      else this.mayBeDue = true;
      this.kick();
    });
    this.timer = setInterval(() => {
      this.mayBeDue = true;
      this.kick();
    }, POLL_MS);
    this.mayBeDue = true;
    this.kick();
  }

  /** Stops taking entries and waits for the attempts under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.offSignal?.();
    await Promise.allSettled(this.inFlight.values());
  }

  /** Runs a pass soon; calls made meanwhile coalesce into it. */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pass();
    });
  }

  private async pass(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (;;) {
        const room = MAX_IN_FLIGHT - this.inFlight.size;
        if (room <= 0) this.mayBeDue = true;
        if (room <= 0 || this.stopped) break;
        const taken = this.takeLocal(room);
        if (taken.length === 0 && this.mayBeDue) {
          const limit = Math.min(room, BATCH);
          this.mayBeDue = false;
          taken.push(...(await this.take(limit)));
          if (taken.length === limit) this.mayBeDue = true;
        }
        for (const entry of taken) {
          const attempt = this.attempt(entry).finally(() => {
            this.inFlight.delete(entry.submission_id);
            this.kick();
          });
          this.inFlight.set(entry.submission_id, attempt);
        }
        if (taken.length < Math.min(room, BATCH) && this.taken.length === 0) break;
      }
    } catch (err) {
      this.mayBeDue = true;
      this.log.error({ err }, 'outbox: could not read due entries; will retry');
    } finally {
      this.running = false;
    }
  }

  /** Entries taken at store time whose claim still has room for an attempt; older ones are left to take(). */
  private takeLocal(room: number): Due[] {
    const safeUntil = nowUs() + msToUs(this.ctx.config.callback.timeoutMs + 500);
    const out: Due[] = [];
    while (out.length < room && this.taken.length > 0) {
      const e = this.taken.shift()!;
      if (e.next_attempt_at > safeUntil && !this.inFlight.has(e.submission_id)) out.push(e);
      else this.mayBeDue = true;
    }
    return out;
  }

  private async take(limit: number): Promise<Due[]> {
    const { db } = this.ctx;
    const now = nowUs();
    const leaseUntil = now + deliveryLeaseUs(this.ctx.config);
    // Read first, outside a transaction: when nothing is due (the usual case) no write
    // transaction, and so no commit, is made. Taking stays safe because each update
    // is conditional on the entry being unchanged since this read.
    const due = await selectDue.rows(db, { now, limit: limit + this.inFlight.size });
    if (due.length === 0) return [];
    return transact(db, this.ctx.caps, async (trx) => {
      const mine: Due[] = [];
      for (const e of due) {
        if (this.inFlight.has(e.submission_id) || mine.length >= limit) continue;
        const r = await takeEntry.write(trx, { id: e.submission_id, seen: e.next_attempt_at, leaseUntil });
        if (r.affected === 1) mine.push(e);
      }
      return mine;
    });
  }

  private async recordDelivered(ids: readonly number[]): Promise<void[]> {
    const now = nowUs();
    for (let i = 0; i < ids.length; i += MARKS_PER_STATEMENT) await markDeliveredMany(this.ctx.db, this.ctx.caps, ids.slice(i, i + MARKS_PER_STATEMENT), now);
    return ids.map(() => undefined);
  }

  private async attempt(e: Due): Promise<void> {
    const { db, config, metrics } = this.ctx;
    let outcome: string;
    try {
      const r = await post(e.url, e.body, {
        contentType: 'application/x-www-form-urlencoded',
        timeoutMs: config.callback.timeoutMs,
        verifyTls: config.verifyTls,
        ...(config.outboundBasicAuth ? { basicAuth: config.outboundBasicAuth } : {}),
      });
      outcome = r.status === 200 ? 'ok' : `HTTP ${r.status}`;
    } catch (err) {
      outcome = (err as Error).message || 'network error';
    }
    const now = nowUs();
    const attempts = e.attempts + 1;
    try {
      if (outcome === 'ok') await this.delivered.run(e.submission_id);
      else
        await transact(db, this.ctx.caps, async (trx) => {
          const givingUp = now - e.created_at >= msToUs(config.callback.giveUpMs);
          const wait = retryDelayMs(attempts, config.callback.backoffBaseMs, config.callback.backoffMaxMs);
          await markAttemptFailed.later(trx, {
            id: e.submission_id,
            state: givingUp ? 'failed' : 'pending',
            attempts,
            nextAttemptAt: now + msToUs(wait),
            error: outcome.slice(0, 1000),
          });
          await countFailure.later(trx, { id: e.submission_id });
        });
    } catch (err) {
      // The entry stays pending under its lease and is tried again when the lease ends.
      this.log.error({ err, submission: e.submission_id }, 'outbox: could not record a delivery attempt');
      return;
    }
    metrics.callbackAttempts.inc({ outcome: outcome === 'ok' ? 'delivered' : 'failed' });
    if (outcome === 'ok') this.log.info({ submission: e.submission_id, attempts }, 'callback delivered');
    else this.log.warn({ submission: e.submission_id, attempts, error: outcome }, 'callback failed; will retry');
  }
}
