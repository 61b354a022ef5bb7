// Combines concurrent requests of one kind into one transaction that serves them all with
// set-based statements: one SELECT for all the claims of a batch instead of one each. On MySQL each
// statement, round trip and commit is CPU in the database server, and under load that CPU
// is what runs out. A combiner runs a bounded number of batches at a time; requests that
// arrive while they run form the next ones, so batches grow with the load, and a lone
// request waits for nothing but the turn of the event loop it arrived in.
import type { Capabilities } from './capabilities.js';

/**
 * Serves a batch: one outcome per request, in order; an outcome may be an Error for its
 * request alone. It may call `letNextStart` once the rest of its work cannot get in the next
 * batch's way (its rows are locked), so the next batch need not wait for its commit.
 */
export type BatchRunner<In, Out> = (requests: readonly In[], letNextStart: () => void) => Promise<ReadonlyArray<Out | Error>>;

/** Batches under way at once, counting those that let the next one start. */
const MAX_IN_FLIGHT = 3;

interface Waiting<In, Out> {
  readonly request: In;
  readonly resolve: (value: Out) => void;
  readonly reject: (error: unknown) => void;
}

export class Combiner<In, Out> {
  private readonly pending: Waiting<In, Out>[] = [];
  /** Batches that have not yet let the next one start. */
  private gated = 0;
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly runBatch: BatchRunner<In, Out>,
    private readonly maxBatch: number,
    /** Batches at a time that have not let the next start: two or three measured no faster than one on MariaDB. */
    private readonly maxRunning = 1,
  ) {}

  run(request: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private get full(): boolean {
    return this.gated >= this.maxRunning || this.inFlight >= MAX_IN_FLIGHT;
  }

  private schedule(): void {
    if (this.scheduled || this.full || this.pending.length === 0) return;
    this.scheduled = true;
    // After this turn of the event loop, so every request read in it joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      if (this.full || this.pending.length === 0) return;
      this.gated++;
      this.inFlight++;
      let gating = true;
      const letNextStart = () => {
        if (!gating) return;
        gating = false;
        this.gated--;
        this.schedule();
      };
      void this.runOne(this.pending.splice(0, this.maxBatch), letNextStart).finally(() => {
        letNextStart();
        this.inFlight--;
        this.schedule();
      });
      this.schedule();
    });
  }

  private async runOne(batch: Waiting<In, Out>[], letNextStart: () => void): Promise<void> {
    let outcomes: ReadonlyArray<Out | Error>;
    try {
      outcomes = await this.runBatch(
        batch.map((w) => w.request),
        letNextStart,
      );
    } catch (err) {
      // The transaction failed as a whole (database down, retries used up): every request with it.
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o instanceof Error) w.reject(o);
      else w.resolve(o as Out);
    });
  }
}

/**
 * Routes requests to one combiner per owner (a queue context) and name, made on first use;
 * or, where the database does not gain by it (capability combineRequests), serves each
 * request alone and at once.
 */
export class Combiners<Owner extends { readonly caps: Capabilities }> {
  private readonly byOwner = new WeakMap<Owner, Map<string, Combiner<unknown, unknown>>>();

  constructor(
    private readonly maxBatch: number,
    private readonly maxRunning = 1,
  ) {}

  async run<In, Out>(owner: Owner, name: string, runBatch: BatchRunner<In, Out>, request: In): Promise<Out> {
    if (!owner.caps.combineRequests) {
      const [outcome] = await runBatch([request], () => {});
      if (outcome instanceof Error) throw outcome;
      return outcome as Out;
    }
    let named = this.byOwner.get(owner);
    if (!named) this.byOwner.set(owner, (named = new Map()));
    let c = named.get(name) as Combiner<In, Out> | undefined;
    if (!c) named.set(name, (c = new Combiner(runBatch, this.maxBatch, this.maxRunning)) as Combiner<unknown, unknown>);
    return c.run(request);
  }
}
