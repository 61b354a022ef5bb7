// xqueue-watcher's JailedGrader model: the course's grader.py defines tests; they run on
// the staff answer.py and on the learner's code, and the printed outputs are compared
// test by test. Two sandbox runs: the learner's (untrusted), then one that runs only
// course code — the staff answer and each test's compare_results — so the learner's
// code can never patch the comparison.
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraderError } from '../errors.js';
import type { GradeEnv, Job } from '../grade-env.js';
import type { GraderPayload } from '../payload.js';
import { effectiveLimits } from '../program.js';
import { pythonLibDir } from '../py-lib.js';
import { scoreOf, type GradeResult, type TestRow } from '../result.js';
import type { RunOutcome } from '../sandbox/run-process.js';
import { classifyRun, VERDICT_TEXT } from '../verdict.js';
import { resolveGrader } from './grader-path.js';

type WatcherPayload = Extract<GraderPayload, { kind: 'watcher' }>;

const PYTHON = '/usr/bin/python3';
const RUNNER = 'lib/grader_support/run.py';

interface StudentRecord {
  status: 'ok' | 'error' | 'notrun';
  exception: string | null;
  input_errors: string[];
  results: Array<[string, string, string, string | null]>;
}

export async function gradeWatcherDir(env: GradeEnv, job: Job, payload: WatcherPayload, source: string): Promise<GradeResult> {
  const grader = await resolveGrader(env.graderRoot, payload.grader);
  const limits = effectiveLimits(env, payload.limits);
  await env.sandbox.slots.subDir(job.slot, join(job.dir, 'lib'));
  await env.sandbox.slots.subDir(job.slot, join(job.dir, 'grader'));
  await writeFile(join(job.dir, 'submission.py'), source);
  const binds = [
    { host: pythonLibDir(), name: 'lib' },
    { host: grader.dir, name: 'grader' },
  ];
  const seed = String(randomInt(0, 20001));
  const run = (mode: 'student' | 'staff', code: string, stdin = '') =>
    env.sandbox.run(job.slot, {
      // With site-packages (no -S): course graders may import what the host has installed.
      argv: [PYTHON, '-B', RUNNER, mode, `grader/${grader.file}`, code, seed],
      workDir: job.dir,
      writable: false,
      binds,
      stdin,
      limits,
    });

  const studentRun = await run('student', 'submission.py');
  const studentLine = lastJsonLine(studentRun);
  const v = classifyRun(studentRun, limits, [/\bMemoryError\b/]);
  if (v.verdict === 'internal_error') throw new GraderError('internal', v.detail);
  if (v.verdict !== null || !studentLine) {
    const verdict = v.verdict ?? 'runtime_error';
    const detail = v.verdict ? v.detail : 'the grader produced no result';
    return { correct: false, score: 0, tests: [], errors: [`${VERDICT_TEXT[verdict]}: ${detail}`], verdict };
  }
  if ('grader_error' in studentLine) throw brokenGrader(payload, String(studentLine.grader_error));
  const student = studentLine.student as StudentRecord;
  if (student.input_errors.length) {
    return { correct: false, score: 0, tests: [], errors: student.input_errors.map(String), verdict: 'wrong_answer' };
  }

  const staffRun = await run('staff', `grader/answer.py`, JSON.stringify(studentLine));
  const staffLine = lastJsonLine(staffRun);
  const sv = classifyRun(staffRun, limits);
  // A slow staff run is most likely a loaded machine: retry. Anything else is the course's grader.
  if (sv.verdict === 'time_limit' || sv.verdict === 'internal_error') throw new GraderError('internal', `staff answer: ${sv.detail}`);
  if (sv.verdict !== null || !staffLine) throw brokenGrader(payload, `the staff answer run failed: ${sv.detail || 'no result'}`);
  if ('grader_error' in staffLine) throw brokenGrader(payload, String(staffLine.grader_error));
  const staff = staffLine.staff as { status: string; exception: string | null; test_errors: string[] };
  if (staff.status !== 'ok') throw brokenGrader(payload, `the staff answer raised ${staff.exception ?? staff.status}`);
  if (staff.test_errors.length) throw brokenGrader(payload, `a test raised on the staff answer: ${staff.test_errors[0]}`);

  const rows: TestRow[] = (staffLine.tests as Array<[string, string, boolean, string, string]>).map(([short, long, correct, expected, actual]) => ({
    short, long, correct, expected, actual,
  }));
  const errors = (staffLine.errors as string[]).map(String);
  const { correct, score } = scoreOf(rows);
  const ok = correct && errors.length === 0;
  return {
    correct: ok,
    score: errors.length ? 0 : score,
    tests: rows,
    errors,
    verdict: ok ? 'accepted' : student.status === 'error' ? 'runtime_error' : 'wrong_answer',
  };
}

function brokenGrader(payload: WatcherPayload, why: string): GraderError {
  return new GraderError('grader_config', `the course grader ${payload.grader} is broken: ${why}`);
}

/** The last non-empty stdout line, parsed as a JSON object, or null. */
export function lastJsonLine(out: RunOutcome): Record<string, unknown> | null {
  const lines = out.stdout.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) return null;
  try {
    const v: unknown = JSON.parse(last);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
