// A prepared query (prepared.ts) is built once, so its IN lists have a fixed length: one
// placeholder per slot, and a shorter list fills the rest by repeating its first value,
// which changes nothing an IN tests.

/** The placeholder names of a list of `length` values. */
export const listNames = (prefix: string, length: number): readonly string[] => Array.from({ length }, (_, i) => `${prefix}${i}`);

/** The parameters for 1 to names.length values. */
export function listParams<T>(names: readonly string[], values: readonly T[]): Record<string, T> {
  if (values.length === 0 || values.length > names.length) throw new RangeError(`an IN list of ${names.length} takes 1 to ${names.length} values, not ${values.length}`);
  const params: Record<string, T> = {};
  names.forEach((n, i) => (params[n] = values[i] ?? values[0]!));
  return params;
}

/** The values of a list inside a prepared query's builder: what `params` holds under each name. */
export const listOf = <T>(params: Record<string, T>, names: readonly string[]): T[] => names.map((n) => params[n]!);
