// What every grader kind is handed: the sandbox, the languages and the operator's limits.
import type { Languages } from './languages/registry.js';
import type { Limits } from './sandbox/limits.js';
import type { Sandbox } from './sandbox/sandbox.js';
import type { Slot } from './sandbox/slots.js';

export interface GradeEnv {
  readonly sandbox: Sandbox;
  readonly languages: Languages;
  /** Default limits for a run; a problem may lower them, or raise them up to `maxLimits`. */
  readonly limits: Limits;
  readonly maxLimits: Limits;
  /** The queue's own defaults (watcher CODEJAIL limits, container timeout), over the kind's. */
  readonly queueLimits?: Partial<Limits>;
  /** Root of course grader directories (xqueue-watcher's grader_root); null disables those kinds. */
  readonly graderRoot: string | null;
}

/** One submission's slot and private directory for the duration of its grading. */
export interface Job {
  readonly slot: Slot;
  readonly dir: string;
}

export const MAX_LIMITS: Limits = Object.freeze({
  cpuSeconds: 30,
  wallMs: 60_000,
  memoryBytes: 2048 * 1024 * 1024,
  fileSizeBytes: 64 * 1024 * 1024,
  openFiles: 256,
  processes: 128,
  outputBytes: 16 * 1024 * 1024,
  tmpBytes: 256 * 1024 * 1024,
});
