/** Microseconds since the Unix epoch: the unit of every stored time. */
export const nowUs = (): number => Math.floor((performance.timeOrigin + performance.now()) * 1000);
export const msToUs = (ms: number): number => Math.round(ms * 1000);
