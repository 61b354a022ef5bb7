// Push queues (spec §7): a submission to a queue configured with a URL is claimed under
// the same lease as a pull and POSTed to that URL; a 200's text becomes the result. A
// failed push counts toward the pull limit, where the submission is retired with the
// failure notice. Dispatch is event-driven, with a per-queue concurrency.
import { transact } from '../db/transact.js';
import type { Logger } from 'pino';
import { nowUs } from '../clock.js';
import type { Config, QueueConfig } from '../config.js';
import { pyDumps } from '../protocol/python-json.js';
import { fileLinksJson } from '../files/file-links.js';
import type { FileStore } from '../files/file-store.js';
import { post } from '../outbox/http-post.js';
import { claim, type Claimed } from '../queue/claim.js';
import type { QueueContext } from '../queue/context.js';
import { putResult } from '../queue/put-result.js';
import { retireWithNotice } from '../queue/retire.js';

const POLL_MS = 2000;

export class PushDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly offs: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly active = new Map<string, number>();

  constructor(
    private readonly ctx: QueueContext,
    private readonly log: Logger,
    private readonly storage: FileStore,
    /** The base of file links handed to push graders. */
    private readonly base: string,
  ) {}

  private get pushQueues(): QueueConfig[] {
    return this.ctx.config.queues.filter((q) => q.pushUrl);
  }

  start(): void {
    if (this.pushQueues.length === 0) return;
    this.stopped = false;
    for (const q of this.pushQueues) this.offs.push(this.ctx.signals.onSubmitted(q.name, () => void this.fill(q)));
    this.timer = setInterval(() => this.pushQueues.forEach((q) => void this.fill(q)), POLL_MS);
    this.pushQueues.forEach((q) => void this.fill(q));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.offs.splice(0).forEach((off) => off());
    await Promise.allSettled(this.inFlight);
  }

  private async fill(queue: QueueConfig): Promise<void> {
    const limit = this.ctx.config.push.concurrency;
    while (!this.stopped && (this.active.get(queue.name) ?? 0) < limit) {
      this.active.set(queue.name, (this.active.get(queue.name) ?? 0) + 1);
      let claimed: Claimed | null = null;
      try {
        claimed = await claim(this.ctx, queue.name, { graderId: queue.pushUrl!, push: true });
      } catch (err) {
        this.log.error({ err, queue: queue.name }, 'push: claim failed');
      }
      if (!claimed) {
        this.active.set(queue.name, this.active.get(queue.name)! - 1);
        return;
      }
      const job = this.push(queue, claimed).finally(() => {
        this.inFlight.delete(job);
        this.active.set(queue.name, this.active.get(queue.name)! - 1);
        void this.fill(queue);
      });
      this.inFlight.add(job);
    }
  }

  private async push(queue: QueueConfig, claimed: Claimed): Promise<void> {
    const config: Config = this.ctx.config;
    const body = pyDumps({ xqueue_body: claimed.body, xqueue_files: await fileLinksJson(config, this.storage, this.base, claimed) });
    let failure: string | undefined;
    try {
      const r = await post(queue.pushUrl!, body, {
        contentType: 'application/json',
        timeoutMs: config.push.timeoutMs,
        verifyTls: config.verifyTls,
        ...(config.outboundBasicAuth ? { basicAuth: config.outboundBasicAuth } : {}),
      });
      if (r.status === 200) {
        await putResult(this.ctx, { submissionId: claimed.id, submissionKey: claimed.pullkey, body: r.text }, () => true);
        this.log.info({ submission: claimed.id, queue: queue.name }, 'push graded');
        return;
      }
      failure = `HTTP ${r.status}`;
    } catch (err) {
      failure = (err as Error).message;
    }
    this.log.warn({ submission: claimed.id, queue: queue.name, error: failure }, 'push failed');
    await this.afterFailure(claimed).catch((err) => this.log.error({ err }, 'push: could not record a failure'));
  }

  /** At the pull limit the submission is retired now; otherwise it is retried when its lease ends. */
  private async afterFailure(claimed: Claimed): Promise<void> {
    const { db, config } = this.ctx;
    const retired = await transact(db, this.ctx.caps, async (trx) => {
      const row = await trx
        .selectFrom('submissions')
        .select(['id', 'pull_count', 'xqueue_header', 'lms_callback_url', 'queue_name'])
        .where('id', '=', claimed.id)
        .where('pullkey', '=', claimed.pullkey)
        .executeTakeFirst();
      await trx.updateTable('submissions').set((eb) => ({ num_failures: eb('num_failures', '+', 1) })).where('id', '=', claimed.id).execute();
      if (!row || row.pull_count < config.pullLimit) return null;
      return (await retireWithNotice(trx, this.ctx.caps, row, 'push_failed', nowUs())) ? row.queue_name : null;
    });
    if (retired) {
      this.ctx.metrics.retire(retired, 'push_failed');
      this.ctx.signals.outboxReady();
    }
  }
}
