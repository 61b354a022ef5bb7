// What happened to a run, in the words a learner and a course team understand.
import type { Limits } from './sandbox/limits.js';
import { signalName, type RunOutcome } from './sandbox/run-process.js';

export type Verdict =
  | 'accepted'
  | 'wrong_answer'
  | 'compile_error'
  | 'runtime_error'
  | 'time_limit'
  | 'memory_limit'
  | 'output_limit'
  | 'internal_error';

export const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  accepted: 'Accepted',
  wrong_answer: 'Wrong answer',
  compile_error: 'Compilation error',
  runtime_error: 'Runtime error',
  time_limit: 'Time limit exceeded',
  memory_limit: 'Memory limit exceeded',
  output_limit: 'Output limit exceeded',
  internal_error: 'Internal grading error',
};

export interface RunVerdict {
  /** null when the program ran to a normal exit with status 0. */
  readonly verdict: Verdict | null;
  /** One line for the learner, e.g. "exit code 3" or "killed by SIGSEGV". */
  readonly detail: string;
}

const SIGXCPU = 24;
const SIGKILL = 9;
const SIGXFSZ = 25;
const GENERIC_MEMORY = [/Cannot allocate memory/, /out of memory/i];

/** Classifies how a sandboxed run ended, given what the language prints when it runs out of memory. */
export function classifyRun(outcome: RunOutcome, limits: Limits, memoryPatterns: readonly RegExp[] = []): RunVerdict {
  const stderr = outcome.stderr.toString('utf8');
  const outOfMemory = () => [...memoryPatterns, ...GENERIC_MEMORY].some((re) => re.test(stderr));
  switch (outcome.status) {
    case 'spawn_failed':
      return { verdict: 'internal_error', detail: `could not start: ${outcome.error ?? 'unknown error'}` };
    case 'wall_timeout':
      return { verdict: 'time_limit', detail: `wall-clock limit of ${fmtSeconds(limits.wallMs / 1000)} reached` };
    case 'output_limit':
      return { verdict: 'output_limit', detail: `more than ${limits.outputBytes} bytes of output` };
    case 'signaled': {
      const sig = outcome.signal ?? 0;
      // RLIMIT_CPU sends SIGXCPU at the soft limit and SIGKILL one second later.
      if (sig === SIGXCPU || (sig === SIGKILL && outcome.wallMs >= limits.cpuSeconds * 1000)) {
        return { verdict: 'time_limit', detail: `CPU time limit of ${fmtSeconds(limits.cpuSeconds)} reached` };
      }
      if (sig === SIGXFSZ) return { verdict: 'output_limit', detail: `a file grew past ${limits.fileSizeBytes} bytes` };
      if (outOfMemory()) return { verdict: 'memory_limit', detail: memoryDetail(limits) };
      return { verdict: 'runtime_error', detail: `killed by ${signalName(sig)}` };
    }
    case 'exited':
      if (outcome.exitCode === 0) return { verdict: null, detail: '' };
      if (/^bwrap: /.test(stderr) && outcome.exitCode === 1) {
        return { verdict: 'internal_error', detail: `sandbox setup failed: ${stderr.trim().slice(0, 200)}` };
      }
      if (outOfMemory()) return { verdict: 'memory_limit', detail: memoryDetail(limits) };
      return { verdict: 'runtime_error', detail: `exit code ${outcome.exitCode}` };
  }
}

function memoryDetail(limits: Limits): string {
  return limits.memoryBytes > 0 ? `memory limit of ${Math.round(limits.memoryBytes / 1048576)} MiB reached` : 'out of memory';
}

function fmtSeconds(s: number): string {
  return `${Number(s.toFixed(2))} s`;
}
