// In-process wake-ups: a submit wakes long-polling graders and push dispatchers, a
// stored result wakes the outbox. Each is only a hint; the database stays the truth,
// and the periodic loops catch anything another process did.
import { EventEmitter } from 'node:events';
import type { DueCallback } from '../outbox/enqueue.js';

export class Signals {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  submitted(queue: string): void {
    this.emitter.emit('submitted:' + queue);
  }
  onSubmitted(queue: string, listener: () => void): () => void {
    this.emitter.on('submitted:' + queue, listener);
    return () => this.emitter.off('submitted:' + queue, listener);
  }
  /** An entry may come along: one this process already took and should deliver now. */
  outboxReady(taken?: DueCallback): void {
    this.emitter.emit('outbox', taken);
  }
  onOutboxReady(listener: (taken?: DueCallback) => void): () => void {
    this.emitter.on('outbox', listener);
    return () => this.emitter.off('outbox', listener);
  }
}
