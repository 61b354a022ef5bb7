// xqueue-watcher's ContainerGrader protocol without containers: a course-provided
// program runs in the sandbox as `<program> GRADER_PATH SEED` with the learner's code in
// SUBMISSION_CODE, and prints one JSON line: {"errors", "tests", "correct", "score"}.
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { GraderError } from '../errors.js';
import type { GradeEnv, Job } from '../grade-env.js';
import type { GraderPayload } from '../payload.js';
import { effectiveLimits } from '../program.js';
import { scoreOf, type GradeResult, type TestRow } from '../result.js';
import { MiB } from '../sandbox/limits.js';
import { classifyRun, VERDICT_TEXT } from '../verdict.js';
import { resolveGrader } from './grader-path.js';
import { lastJsonLine } from './watcher-dir.js';

type JsonLinePayload = Extract<GraderPayload, { kind: 'json-line' }>;

/** The code travels in an environment variable, as in xqueue-watcher. */
const MAX_SUBMISSION = 1 * MiB;

const INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  '.py': ['/usr/bin/python3', '-B'],
  '.js': ['/usr/bin/node'],
  '.mjs': ['/usr/bin/node'],
  '.sh': ['/bin/sh'],
};

export interface JsonLineOptions {
  /** A fixed entrypoint (watcher KWARGS "entrypoint"); by default the grader file is run itself. */
  readonly entrypoint?: readonly string[];
}

export async function gradeJsonLine(env: GradeEnv, job: Job, payload: JsonLinePayload, source: string, opts: JsonLineOptions = {}): Promise<GradeResult> {
  if (Buffer.byteLength(source) > MAX_SUBMISSION) {
    return { correct: false, score: 0, tests: [], errors: ['Your submission is larger than 1 MiB and was not graded.'], verdict: 'output_limit' };
  }
  const grader = await resolveGrader(env.graderRoot, payload.grader);
  // Course runners often compile or start an interpreter of their own: roomier defaults,
  // like the container grader's 20 s.
  const limits = effectiveLimits(env, payload.limits, { cpuSeconds: 10, wallMs: 20_000, processes: 64, memoryBytes: 1024 * MiB });
  await env.sandbox.slots.subDir(job.slot, join(job.dir, 'grader'));
  await writeFile(join(job.dir, 'submission.txt'), source);
  const graderPath = `/box/grader/${grader.file}`;
  const entry = opts.entrypoint ?? INTERPRETERS[extname(grader.file)] ?? [];
  const out = await env.sandbox.run(job.slot, {
    argv: [...entry, graderPath, String(randomInt(0, 20001))],
    workDir: job.dir,
    binds: [{ host: grader.dir, name: 'grader' }],
    env: {
      SUBMISSION_CODE: source,
      SUBMISSION_FILE: '/box/submission.txt',
      GRADER_LANGUAGE: payload.locale,
      HIDE_OUTPUT: payload.hideOutput ? '1' : '0',
      GRADER_DEBUG: '0',
    },
    limits,
  });
  const v = classifyRun(out, limits);
  if (v.verdict === 'internal_error') throw new GraderError('internal', v.detail);
  if (v.verdict === 'time_limit' || v.verdict === 'memory_limit' || v.verdict === 'output_limit') {
    return { correct: false, score: 0, tests: [], errors: [`${VERDICT_TEXT[v.verdict]}: ${v.detail}`], verdict: v.verdict };
  }
  const line = lastJsonLine(out);
  if (v.verdict !== null || !line) {
    const stderr = out.stderr.toString('utf8').trim().slice(-500);
    throw new GraderError('grader_config', `the course grader ${payload.grader} ${v.verdict ? `failed (${v.detail})` : 'printed no JSON result line'}${stderr ? `: ${stderr}` : ''}`);
  }
  return parseResultLine(line, payload.grader);
}

function parseResultLine(line: Record<string, unknown>, name: string): GradeResult {
  const bad = (why: string) => new GraderError('grader_config', `the course grader ${name} printed an invalid result: ${why}`);
  const errors = line.errors ?? [];
  const tests = line.tests ?? [];
  if (!Array.isArray(errors) || !errors.every((e) => typeof e === 'string')) throw bad('"errors" must be a list of strings');
  if (!Array.isArray(tests)) throw bad('"tests" must be a list');
  const rows: TestRow[] = tests.map((t: unknown, i) => {
    if (!Array.isArray(t) || t.length < 5 || typeof t[2] !== 'boolean') throw bad(`test ${i + 1} must be [short, long, correct, expected, actual]`);
    const [short, long, correct, expected, actual] = t as [unknown, unknown, boolean, unknown, unknown];
    return { short: String(short ?? ''), long: String(long ?? ''), correct, expected: String(expected ?? ''), actual: String(actual ?? '') };
  });
  const derived = scoreOf(rows);
  const correct = typeof line.correct === 'boolean' ? line.correct : derived.correct;
  const score = typeof line.score === 'number' && Number.isFinite(line.score) ? line.score : derived.score;
  return {
    correct: correct && errors.length === 0,
    score: Math.min(1, Math.max(0, score)),
    tests: rows,
    errors: errors as string[],
    verdict: correct && errors.length === 0 ? 'accepted' : 'wrong_answer',
  };
}
