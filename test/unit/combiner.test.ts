// db/combiner.ts: requests that arrive together are served by one batch, in order, and
// one request's refusal or a batch's failure reaches only the requests it concerns.
import { describe, expect, it } from 'vitest';
import { Combiner } from '../../src/db/combiner.js';

/** A runner that records its batches and answers each request with request × 10, after `gate`. */
function recorder(gate: () => Promise<void> = async () => {}) {
  const batches: number[][] = [];
  const combiner = new Combiner<number, number>(async (reqs) => {
    batches.push([...reqs]);
    await gate();
    return reqs.map((r) => (r < 0 ? new Error(`refused ${r}`) : r * 10));
  }, 3);
  return { batches, combiner };
}

describe('Combiner', () => {
  it('serves the requests of one turn in one batch, in order, split at the batch limit', async () => {
    const { batches, combiner } = recorder();
    const out = await Promise.all([1, 2, 3, 4, 5].map((r) => combiner.run(r)));
    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('gathers the requests that arrive while a batch runs into the next one', async () => {
    let release!: () => void;
    const { batches, combiner } = recorder(() => (batches.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve()));
    const first = combiner.run(1);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    const later = [combiner.run(2), combiner.run(3)];
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toHaveLength(1);
    release();
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('starts the next batch once the running one lets it, before that one has finished', async () => {
    let finishFirst!: () => void;
    const batches: number[][] = [];
    const combiner = new Combiner<number, number>(async (reqs, letNextStart) => {
      batches.push([...reqs]);
      if (batches.length === 1) {
        letNextStart();
        await new Promise<void>((r) => (finishFirst = r));
      }
      return reqs.map((r) => r);
    }, 10);
    const first = combiner.run(1);
    await new Promise((r) => setImmediate(r));
    const second = combiner.run(2);
    expect(await second).toBe(2);
    expect(batches).toEqual([[1], [2]]);
    finishFirst();
    expect(await first).toBe(1);
  });

  it('rejects a refused request alone', async () => {
    const { combiner } = recorder();
    const out = await Promise.allSettled([combiner.run(1), combiner.run(-2), combiner.run(3)]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((out[1] as PromiseRejectedResult).reason).toEqual(new Error('refused -2'));
  });

  it('rejects every request of a batch that failed, and serves the next batch', async () => {
    let fail = true;
    const combiner = new Combiner<number, number>(async (reqs) => {
      if (fail) throw new Error('database down');
      return reqs.map((r) => r);
    }, 10);
    const failed = await Promise.allSettled([combiner.run(1), combiner.run(2)]);
    expect(failed.map((o) => o.status === 'rejected' && (o.reason as Error).message)).toEqual(['database down', 'database down']);
    fail = false;
    expect(await combiner.run(7)).toBe(7);
  });
});
