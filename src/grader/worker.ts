// The pull loop: `connections` pollers per queue claim submissions, grade them in the
// sandbox and post the result. Idle pollers back off (or long-poll where the server
// holds requests); stop() lets in-flight polls and grades finish and post first.
import type { HttpTransport } from './client/http-transport.js';
import { XqueueClient, type XqueueClientOptions } from './client/xqueue-client.js';
import type { PulledSubmission } from './client/submission.js';
import type { GradeEnv } from './grade-env.js';
import { handleSubmission, type Handler } from './handle.js';
import type { Logger } from './logger.js';

export interface QueueWatch {
  readonly server: Omit<XqueueClientOptions, 'transport'>;
  readonly queue: string;
  /** Pollers for this queue (xqueue-watcher CONNECTIONS). */
  readonly connections: number;
  readonly handler: Handler;
}

export interface WorkerOptions {
  readonly watches: readonly QueueWatch[];
  readonly env: GradeEnv;
  readonly log: Logger;
  /** Long-poll hold asked of the server (0 disables). Legacy servers ignore it. */
  readonly waitMs?: number;
  /** First idle sleep; doubles up to maxIdleMs. */
  readonly pollIntervalMs?: number;
  readonly maxIdleMs?: number;
  /** Sleep after a failed login. */
  readonly loginRetryMs?: number;
  readonly retries?: number;
  /** Submissions held at once across all queues (the sandbox's slots): no claim waits for a slot. */
  readonly maxInFlight?: number;
  readonly transport?: HttpTransport;
}

export interface WorkerStats {
  graded: number;
  failed: number;
  posted: number;
  postErrors: number;
  pollErrors: number;
}

export class Worker {
  readonly stats: WorkerStats = { graded: 0, failed: 0, posted: 0, postErrors: 0, pollErrors: 0 };
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private permits: number;
  private readonly permitWaiters: Array<() => void> = [];

  constructor(private readonly opts: WorkerOptions) {
    this.permits = opts.maxInFlight ?? Number.POSITIVE_INFINITY;
  }

  start(): void {
    for (const watch of this.opts.watches) {
      const client = new XqueueClient({ ...watch.server, transport: this.opts.transport });
      for (let i = 0; i < watch.connections; i++) this.loops.push(this.loop(watch, client, i));
    }
  }

  /**
   * Stops polling. A poll in flight is not cut off (the server may already have claimed a
   * submission for it, which would then wait out its lease): it is allowed to return, and
   * whatever it brought is graded and posted before this resolves.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(watch: QueueWatch, client: XqueueClient, index: number): Promise<void> {
    const log = this.opts.log;
    const base = this.opts.pollIntervalMs ?? 1000;
    const maxIdle = this.opts.maxIdleMs ?? 10_000;
    // A held poll on one queue must not keep a permit from another queue's pollers.
    const waitMs = this.opts.watches.length === 1 ? (this.opts.waitMs ?? 0) : 0;
    let idle = base;
    // Spread the pollers so they do not log in and poll in lockstep.
    await this.sleep(Math.floor(Math.random() * Math.min(base, 250) * Math.min(index, 1)));
    while (!this.stopping) {
      if (!(await this.acquire())) break;
      const started = performance.now();
      let polled;
      try {
        polled = await client.getSubmission(watch.queue, { waitMs });
      } catch (err) {
        this.release();
        if (this.stopping) break;
        this.stats.pollErrors++;
        const code = (err as { code?: string }).code;
        log.warn({ queue: watch.queue, err: err instanceof Error ? err.message : String(err) }, 'poll failed');
        await this.sleep(code === 'login_failed' ? (this.opts.loginRetryMs ?? 5000) : jitter(idle));
        idle = Math.min(idle * 2, maxIdle);
        continue;
      }
      if (polled.kind === 'empty') {
        this.release();
        // A server that honoured `wait` already held us; one that returned at once did not.
        const held = waitMs > 0 && performance.now() - started >= waitMs / 2;
        if (!held) {
          await this.sleep(jitter(idle));
          idle = Math.min(idle * 2, maxIdle);
        }
        continue;
      }
      idle = base;
      // Once claimed, a submission is finished even if stop() is called meanwhile.
      try {
        await this.process(watch, client, polled.submission);
      } finally {
        this.release();
      }
    }
  }

  private acquire(): Promise<boolean> {
    if (this.stopping) return Promise.resolve(false);
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      this.permitWaiters.push(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  private release(): void {
    const next = this.permitWaiters.shift();
    if (next) next();
    else this.permits++;
  }

  private async process(watch: QueueWatch, client: XqueueClient, sub: PulledSubmission): Promise<void> {
    const log = this.opts.log;
    const handled = await handleSubmission(this.opts.env, watch.handler, sub, { retries: this.opts.retries ?? 1, retryDelayMs: 500, log });
    if (handled.outcome === 'graded') this.stats.graded++;
    else this.stats.failed++;
    log.info({ queue: watch.queue, outcome: handled.outcome, verdict: handled.verdict }, 'graded');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await client.putResult(sub.header, handled.reply);
        this.stats.posted++;
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        log.warn({ queue: watch.queue, attempt, err: err instanceof Error ? err.message : String(err) }, 'put_result failed');
        // The server refused this result (stale key…): retrying cannot help.
        if (code === 'protocol') break;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
    this.stats.postErrors++;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}

function jitter(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}
