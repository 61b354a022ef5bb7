// The grader's failures, each with a stable code; callers branch on `code`, never on text.

export type GraderErrorCode =
  /** bubblewrap is missing or cannot create its namespaces here. */
  | 'sandbox_unavailable'
  /** The problem's grader_payload or grader directory is wrong: a course-team fault. */
  | 'grader_config'
  /** Something in the grading machinery failed: retry, never blame the student. */
  | 'internal'
  /** The Xqueue server refused our credentials. */
  | 'login_failed'
  /** The Xqueue server answered something the protocol does not allow. */
  | 'protocol'
  /** The server could not be reached or timed out. */
  | 'transport'
  /** A worker or watcher configuration file is invalid. */
  | 'worker_config';

export class GraderError extends Error {
  constructor(
    readonly code: GraderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GraderError';
  }
}
