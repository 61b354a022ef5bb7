// Group commit for a database with one writer and a costly commit (SQLite: one fsync
// each). Transactions that arrive while one is committing run one after another inside
// a single transaction, each in its own savepoint, and are committed together: one
// fsync for the batch, and a body that throws rolls back only its own work.
import { CompiledQuery, type ControlledTransaction, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Body<T> = (trx: Transaction<Database>) => Promise<T>;

interface Job {
  readonly body: Body<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH = 512;

// Run on the batch's transaction itself: Kysely's savepoint() would build, compile and
// wrap a new transaction object three times per job.
const SAVEPOINT = CompiledQuery.raw('savepoint job');
const RELEASE = CompiledQuery.raw('release savepoint job');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint job');

export class GroupCommitter {
  private readonly pending: Job[] = [];
  private draining = false;

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(body: Body<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ body, resolve: resolve as (v: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // Start after this turn of the event loop, so every request read in it joins the batch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.commitBatch(this.pending.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  private async commitBatch(batch: Job[]): Promise<void> {
    let trx: ControlledTransaction<Database>;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      for (const job of batch) {
        await trx.executeQuery(SAVEPOINT);
        try {
          const value = await job.body(trx);
          await trx.executeQuery(RELEASE);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await trx.executeQuery(ROLLBACK_TO);
          await trx.executeQuery(RELEASE);
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (err) {
      await trx.rollback().execute().catch(() => {});
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }
}
