// Prometheus metrics, one registry per app so tests can build several side by side.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RetireReason } from '../db/schema.js';

export interface Metrics {
  readonly registry: Registry;
  readonly received: Counter<'queue'>;
  readonly resulted: Counter<'queue'>;
  readonly retired: Counter<'queue' | 'reason'>;
  readonly callbackAttempts: Counter<'outcome'>;
  readonly unexpectedReplies: Counter<'queue'>;
  readonly httpDuration: Histogram<'route' | 'status'>;
  /** Gauges read from the database at scrape time. */
  readonly queueVisible: Gauge<'queue'>;
  readonly queueLeased: Gauge<'queue'>;
  readonly queueOldestAge: Gauge<'queue'>;
  readonly outboxPending: Gauge;
  readonly outboxFailed: Gauge;
  retire(queue: string, reason: RetireReason, n?: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const m = {
    registry,
    received: new Counter({ name: 'xqueue_submissions_received_total', help: 'Submissions accepted', labelNames: ['queue'], registers }),
    resulted: new Counter({ name: 'xqueue_results_stored_total', help: 'Grader results stored', labelNames: ['queue'], registers }),
    retired: new Counter({ name: 'xqueue_submissions_retired_total', help: 'Submissions retired, by reason', labelNames: ['queue', 'reason'], registers }),
    callbackAttempts: new Counter({ name: 'xqueue_callback_attempts_total', help: 'LMS callback attempts, by outcome', labelNames: ['outcome'], registers }),
    unexpectedReplies: new Counter({ name: 'xqueue_unexpected_grader_replies_total', help: 'put_result bodies that are not {correct, score, msg}', labelNames: ['queue'], registers }),
    httpDuration: new Histogram({
      name: 'xqueue_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    queueVisible: new Gauge({ name: 'xqueue_queue_visible', help: 'Submissions waiting for a grader', labelNames: ['queue'], registers }),
    queueLeased: new Gauge({ name: 'xqueue_queue_leased', help: 'Submissions held by a grader', labelNames: ['queue'], registers }),
    queueOldestAge: new Gauge({ name: 'xqueue_queue_oldest_visible_age_seconds', help: 'Age of the oldest waiting submission', labelNames: ['queue'], registers }),
    outboxPending: new Gauge({ name: 'xqueue_outbox_pending', help: 'LMS callbacks waiting to be delivered', registers }),
    outboxFailed: new Gauge({ name: 'xqueue_outbox_failed', help: 'LMS callbacks given up on (kept, re-sendable)', registers }),
  };
  return {
    ...m,
    retire(queue, reason, n = 1) {
      if (n > 0) m.retired.inc({ queue, reason }, n);
    },
  };
}
