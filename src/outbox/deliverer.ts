// Delivers outbox entries to the LMS (spec §6, §9b). An entry is taken by bumping its
// next attempt past the attempt's timeout, conditionally, so one process delivers it;
// a crash mid-attempt only delays it. Success is HTTP 200, exactly.
import { transact } from '../db/transact.js';
import type { Logger } from 'pino';
import { msToUs, nowUs } from '../clock.js';
import type { QueueContext } from '../queue/context.js';
import { retryDelayMs } from './backoff.js';
import type { DueCallback } from './enqueue.js';
import { deliveryLeaseUs } from './lease.js';
import { post } from './http-post.js';

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

  constructor(
    private readonly ctx: QueueContext,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.offSignal = this.ctx.signals.onOutboxReady((taken) => {
      if (taken && this.taken.length < MAX_TAKEN) this.taken.push(taken);
      this.kick();
    });
    this.timer = setInterval(() => this.kick(), POLL_MS);
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
        if (room <= 0 || this.stopped) break;
        const taken = this.takeLocal(room);
        if (taken.length === 0) taken.push(...(await this.take(Math.min(room, BATCH))));
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
    }
    return out;
  }

  private async take(limit: number): Promise<Due[]> {
    const { db } = this.ctx;
    const now = nowUs();
    const leaseUntil = now + deliveryLeaseUs(this.ctx.config);
    return transact(db, this.ctx.caps, async (trx) => {
      const due = await trx
        .selectFrom('outbox')
        .select(['submission_id', 'url', 'body', 'attempts', 'next_attempt_at', 'created_at'])
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit + this.inFlight.size)
        .execute();
      const mine: Due[] = [];
      for (const e of due) {
        if (this.inFlight.has(e.submission_id) || mine.length >= limit) continue;
        const r = await trx
          .updateTable('outbox')
          .set({ next_attempt_at: leaseUntil })
          .where('submission_id', '=', e.submission_id)
          .where('state', '=', 'pending')
          .where('next_attempt_at', '=', e.next_attempt_at)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) mine.push(e);
      }
      return mine;
    });
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
      await transact(db, this.ctx.caps, async (trx) => {
        if (outcome === 'ok') {
          await trx
            .updateTable('outbox')
            .set({ state: 'delivered', attempts, delivered_at: now, last_error: null })
            .where('submission_id', '=', e.submission_id)
            .execute();
          await trx.updateTable('submissions').set({ lms_ack: 1 }).where('id', '=', e.submission_id).execute();
          return;
        }
        const givingUp = now - e.created_at >= msToUs(config.callback.giveUpMs);
        const wait = retryDelayMs(attempts, config.callback.backoffBaseMs, config.callback.backoffMaxMs);
        await trx
          .updateTable('outbox')
          .set({ state: givingUp ? 'failed' : 'pending', attempts, next_attempt_at: now + msToUs(wait), last_error: outcome.slice(0, 1000) })
          .where('submission_id', '=', e.submission_id)
          .execute();
        await trx
          .updateTable('submissions')
          .set((eb) => ({ num_failures: eb('num_failures', '+', 1) }))
          .where('id', '=', e.submission_id)
          .execute();
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
