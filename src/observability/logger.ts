import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';

/** Structured JSON lines on stdout. Secrets and student code are never logged at info. */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: ['password', '*.password', 'headers.cookie', 'headers.authorization'], censor: '[redacted]' },
  });
}
