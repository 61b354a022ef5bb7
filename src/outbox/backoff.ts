/** Full-jitter exponential backoff (spec §9b): before retry k ≥ 1, wait random(0, min(max, base·2^(k−1))). */
export function retryDelayMs(k: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, k - 1));
  return Math.floor(random() * ceiling);
}
