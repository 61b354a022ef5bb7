// Saves a submission in its job directory, compiles it if its language needs that,
// and runs it once per test. Compile failures become a compile-error result; a
// broken sandbox becomes an internal error (retried, never blamed on the learner).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraderError } from './errors.js';
import type { GradeEnv, Job } from './grade-env.js';
import type { Language } from './languages/language.js';
import { withLimits, type Limits } from './sandbox/limits.js';
import type { RunOutcome } from './sandbox/run-process.js';
import { classifyRun, type RunVerdict } from './verdict.js';

export interface RunResult {
  readonly outcome: RunOutcome;
  readonly verdict: RunVerdict;
}

export type Prepared =
  | { readonly ok: true; run(stdin: string, args: readonly string[]): Promise<RunResult> }
  | { readonly ok: false; readonly compilerOutput: string };

/** Problem limits clamped to what the operator allows. */
export function effectiveLimits(env: GradeEnv, problem: Partial<Limits>, kindDefaults: Partial<Limits> = {}): Limits {
  const l = withLimits(withLimits(withLimits(env.limits, kindDefaults), env.queueLimits), problem);
  const max = env.maxLimits;
  return withLimits(l, {
    cpuSeconds: Math.min(l.cpuSeconds, max.cpuSeconds),
    wallMs: Math.min(l.wallMs, max.wallMs),
    memoryBytes: Math.min(l.memoryBytes, max.memoryBytes),
    outputBytes: Math.min(l.outputBytes, max.outputBytes),
  });
}

export async function prepare(env: GradeEnv, job: Job, lang: Language, source: string, limits: Limits): Promise<Prepared> {
  const file = lang.sourceFile(source);
  await writeFile(join(job.dir, file), source);
  if (lang.compile) {
    const step = lang.compile(file);
    const compileLimits = withLimits(limits, step.limits);
    const outcome = await env.sandbox.run(job.slot, { argv: step.argv, workDir: job.dir, limits: compileLimits });
    const v = classifyRun(outcome, compileLimits);
    if (v.verdict === 'internal_error') throw new GraderError('internal', `compiler: ${v.detail}`);
    if (v.verdict !== null) {
      const text = (outcome.stderr.toString('utf8') + outcome.stdout.toString('utf8')).trim();
      const why = v.verdict === 'runtime_error' ? '' : `(${v.detail})\n`;
      return { ok: false, compilerOutput: why + stripPaths(text) };
    }
  }
  return {
    ok: true,
    run: async (stdin, args) => {
      const step = lang.run(file, args, limits);
      const runLimits = withLimits(limits, step.limits);
      const outcome = await env.sandbox.run(job.slot, { argv: step.argv, workDir: job.dir, writable: true, stdin, limits: runLimits });
      // The run's own limits decide its verdict (a language may widen memory), but the
      // learner is told the problem's figures.
      const verdict = classifyRun(outcome, { ...runLimits, memoryBytes: limits.memoryBytes }, lang.memoryPatterns);
      if (verdict.verdict === 'internal_error') throw new GraderError('internal', verdict.detail);
      return { outcome, verdict };
    },
  };
}

/** Compiler messages mention the sandbox's /box; the learner knows only the file name. */
function stripPaths(s: string): string {
  return s.replaceAll('/box/', '');
}
