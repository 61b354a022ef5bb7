import type { Logger } from 'pino';

/**
 * SIGINT or SIGTERM runs `stop` once (what is in flight is finished, not dropped), then
 * exits 0, or 1 when stopping failed. A second signal while stopping is ignored.
 */
export function stopOnSignal(log: Logger, what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `stopping: ${what}`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
