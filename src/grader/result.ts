// The result of grading one submission, in xqueue-watcher's shape, and the put_result
// body built from it: json.dumps({"correct": …, "score": …, "msg": …}), key order fixed.
import { PyDict, PyFloat, pyDumps } from '../protocol/python-json.js';
import { renderFeedback, renderGradingFailure } from './feedback/html.js';
import type { Verdict } from './verdict.js';

export interface TestRow {
  /** Short description, e.g. the test's name. */
  readonly short: string;
  /** Longer text shown under it: a verdict line, an error excerpt. May be empty. */
  readonly long: string;
  readonly correct: boolean;
  readonly expected: string;
  readonly actual: string;
  /** A hidden test shows its name and verdict, never its input or outputs. */
  readonly hidden?: boolean;
}

export interface GradeResult {
  readonly correct: boolean;
  /** 0..1 */
  readonly score: number;
  readonly tests: readonly TestRow[];
  readonly errors: readonly string[];
  /** The overall verdict, for logs and metrics; the learner sees the HTML. */
  readonly verdict: Verdict;
}

export interface ReplyOptions {
  /** Drop per-test output (grader_payload "hide_output"). */
  readonly hideOutput?: boolean;
}

export function resultReply(result: GradeResult, opts: ReplyOptions = {}): string {
  return reply(result.correct, result.score, renderFeedback(result, opts));
}

/**
 * The answer for a submission we could not grade (after retries, or a broken problem):
 * never "incorrect" — `correct` is null like the server's own failure notice.
 */
export function failureReply(explanation: string): string {
  return reply(null, 0, renderGradingFailure(explanation));
}

function reply(correct: boolean | null, score: number, msg: string): string {
  return pyDumps(new PyDict([
    ['correct', correct],
    ['score', new PyFloat(Math.min(1, Math.max(0, score)))],
    ['msg', msg],
  ]));
}

export function scoreOf(tests: readonly TestRow[]): { correct: boolean; score: number } {
  const passed = tests.filter((t) => t.correct).length;
  return { correct: tests.length > 0 && passed === tests.length, score: tests.length ? passed / tests.length : 0 };
}
