// One pulled submission → the put_result body. Every path ends in a reply: a result,
// or an explanation that grading failed. Internal errors are retried first and are
// never reported as "incorrect".
import { GraderError } from './errors.js';
import { grade } from './grade.js';
import type { GradeEnv } from './grade-env.js';
import type { Logger } from './logger.js';
import type { PulledSubmission } from './client/submission.js';
import { failureReply, resultReply } from './result.js';
import type { Limits } from './sandbox/limits.js';

export interface Handler {
  /** What a bare {"grader": …} payload means on this queue. */
  readonly defaultKind?: 'watcher' | 'json-line';
  readonly entrypoint?: readonly string[];
  /** Overrides the worker's grader root (watcher KWARGS grader_root). */
  readonly graderRoot?: string | null;
  /** Default limits for this queue's problems (watcher CODEJAIL limits, container timeout). */
  readonly limits?: Partial<Limits>;
}

export interface HandleOptions {
  /** Extra attempts after an internal error. */
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly log: Logger;
}

export interface Handled {
  readonly reply: string;
  readonly outcome: 'graded' | 'grader_config' | 'internal' | 'malformed';
  readonly verdict?: string;
}

export async function handleSubmission(env: GradeEnv, handler: Handler, sub: PulledSubmission, opts: HandleOptions): Promise<Handled> {
  const log = opts.log;
  if (!sub.lms) {
    log.warn({ problem: sub.bodyProblem }, 'malformed submission body');
    return { reply: failureReply(`This submission could not be read: ${sub.bodyProblem ?? 'unknown format'}.`), outcome: 'malformed' };
  }
  const local: GradeEnv = {
    ...env,
    graderRoot: handler.graderRoot === undefined ? env.graderRoot : handler.graderRoot,
    queueLimits: handler.limits,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const { result, hideOutput } = await grade(local, {
        payload: sub.lms.graderPayload,
        response: sub.lms.studentResponse,
        defaultKind: handler.defaultKind,
        entrypoint: handler.entrypoint,
      });
      return { reply: resultReply(result, { hideOutput }), outcome: 'graded', verdict: result.verdict };
    } catch (err) {
      if (err instanceof GraderError && err.code === 'grader_config') {
        log.warn({ err: err.message }, 'problem grader is misconfigured');
        return { reply: failureReply(`The problem's grader is misconfigured: ${err.message}.`), outcome: 'grader_config' };
      }
      log.error({ err: err instanceof Error ? err.message : String(err), attempt }, 'internal grading error');
      if (attempt >= opts.retries) {
        return { reply: failureReply(`An internal error stopped the grader (${attempt + 1} attempts).`), outcome: 'internal' };
      }
      await new Promise((r) => setTimeout(r, opts.retryDelayMs * (attempt + 1)));
    }
  }
}
