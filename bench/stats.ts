// Latency samples per endpoint and their percentiles (nearest rank, as most load tools report).

export interface Summary {
  readonly count: number;
  readonly errors: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export class Recorder {
  private samples: number[] = [];
  errors = 0;

  add(ms: number): void {
    this.samples.push(ms);
  }

  summary(): Summary {
    const sorted = Float64Array.from(this.samples).sort();
    const n = sorted.length;
    const at = (q: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: n,
      errors: this.errors,
      mean: round(n === 0 ? 0 : sum / n),
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(n === 0 ? 0 : sorted[n - 1]!),
    };
  }
}

/** Milliseconds to three decimals: enough for sub-millisecond latencies, short in JSON. */
export const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
