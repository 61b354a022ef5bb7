// Expected output and test cases: the program runs once per test with the test's
// stdin and arguments, and its stdout is compared with the expected output.
import { outputsMatch } from '../compare.js';
import { GraderError } from '../errors.js';
import type { GradeEnv, Job } from '../grade-env.js';
import { findLanguage } from '../languages/registry.js';
import type { GraderPayload } from '../payload.js';
import { effectiveLimits, prepare } from '../program.js';
import { scoreOf, type GradeResult, type TestRow } from '../result.js';
import { VERDICT_TEXT, type Verdict } from '../verdict.js';

type TestsPayload = Extract<GraderPayload, { kind: 'tests' }>;

const STDERR_EXCERPT = 2000;

export async function gradeTestCases(env: GradeEnv, job: Job, payload: TestsPayload, source: string): Promise<GradeResult> {
  const lang = findLanguage(env.languages, payload.lang);
  if (!lang) throw new GraderError('grader_config', `the problem asks for language "${payload.lang}", which this grader does not offer`);
  const limits = effectiveLimits(env, payload.limits);
  const program = await prepare(env, job, lang, source, limits);
  if (!program.ok) {
    return { correct: false, score: 0, tests: [], errors: [`Compilation failed:\n${program.compilerOutput}`], verdict: 'compile_error' };
  }
  const rows: TestRow[] = [];
  let overall: Verdict = 'accepted';
  let skipRest = false;
  for (const test of payload.tests) {
    if (skipRest) {
      rows.push({ short: test.name, long: 'Not run: an earlier test exceeded the time limit.', correct: false, expected: test.expected, actual: '', hidden: test.hidden });
      continue;
    }
    const { outcome, verdict } = await program.run(test.stdin, test.args);
    const actual = outcome.stdout.toString('utf8');
    let v: Verdict = verdict.verdict ?? (outputsMatch(actual, test.expected, payload.compare) ? 'accepted' : 'wrong_answer');
    if (v === 'accepted' && verdict.verdict !== null) v = verdict.verdict;
    if (overall === 'accepted' && v !== 'accepted') overall = v;
    if (v === 'time_limit') skipRest = true;
    rows.push({
      short: test.name,
      // A hidden test's stderr could echo its input: show the verdict only.
      long: describe(v, verdict.detail, test.hidden ? '' : outcome.stderr.toString('utf8')),
      correct: v === 'accepted',
      expected: test.expected,
      actual,
      hidden: test.hidden,
    });
  }
  const { correct, score } = scoreOf(rows);
  return { correct, score, tests: rows, errors: [], verdict: overall };
}

function describe(v: Verdict, detail: string, stderr: string): string {
  if (v === 'accepted') return '';
  if (v === 'wrong_answer') return VERDICT_TEXT[v];
  let text = `${VERDICT_TEXT[v]}: ${detail}`;
  const err = stderr.trim();
  if (err && (v === 'runtime_error' || v === 'memory_limit')) {
    text += '\n' + (err.length > STDERR_EXCERPT ? '…' + err.slice(-STDERR_EXCERPT) : err);
  }
  return text;
}
