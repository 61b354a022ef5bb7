// Option parsers and small conversions the bench's modes share.
import { InvalidArgumentError } from 'commander';

/** An integer option from 1 to `max`. */
export const positive =
  (max = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from 1 to ${max}`);
    return n;
  };

/** A repeatable option's values. */
export const collect = (v: string, all: string[]): string[] => [...all, v];

/** `--server-env KEY=VALUE` values as an environment. */
export const envFromPairs = (pairs: readonly string[]): Record<string, string> =>
  Object.fromEntries(pairs.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/** Bytes as MiB to one decimal; 0 when unknown. */
export const mib = (bytes: number | undefined): number => (bytes === undefined ? 0 : Math.round((bytes / 2 ** 20) * 10) / 10);
