// One submission, start to finish: parse the payload, take a slot and a private
// directory, run the kind of grader the payload names, clean up.
import type { GradeEnv } from './grade-env.js';
import { gradeJsonLine } from './kinds/json-line.js';
import { gradeTestCases } from './kinds/test-cases.js';
import { gradeWatcherDir } from './kinds/watcher-dir.js';
import { parsePayload } from './payload.js';
import type { GradeResult } from './result.js';

export interface GradeRequest {
  /** grader_payload as the LMS relayed it (a JSON string). */
  readonly payload: string;
  readonly response: string;
  /** The kind a bare {"grader": …} payload means (set by a watcher HANDLER). */
  readonly defaultKind?: 'watcher' | 'json-line';
  /** For json-line graders: a fixed entrypoint run as `entrypoint GRADER_PATH SEED`. */
  readonly entrypoint?: readonly string[];
}

export interface Graded {
  readonly result: GradeResult;
  readonly hideOutput: boolean;
}

/** Throws GraderError: `grader_config` (tell the learner, do not retry) or `internal` (retry). */
export async function grade(env: GradeEnv, req: GradeRequest): Promise<Graded> {
  const payload = parsePayload(req.payload, req.defaultKind);
  if (payload.kind === 'skip') {
    return { result: { correct: true, score: 1, tests: [], errors: [], verdict: 'accepted' }, hideOutput: payload.hideOutput };
  }
  const slot = await env.sandbox.slots.acquire();
  try {
    const dir = await env.sandbox.slots.workDir(slot);
    try {
      const job = { slot, dir: dir.path };
      let result: GradeResult;
      if (payload.kind === 'tests') result = await gradeTestCases(env, job, payload, req.response);
      else if (payload.kind === 'watcher') result = await gradeWatcherDir(env, job, payload, req.response);
      else result = await gradeJsonLine(env, job, payload, req.response, { entrypoint: req.entrypoint });
      return { result, hideOutput: payload.hideOutput };
    } finally {
      await dir.remove();
    }
  } finally {
    env.sandbox.slots.release(slot);
  }
}
