// grader_payload → which kind of grader, with what options. A payload that does not
// parse is a course-team error, reported to the learner as a grading failure.
import { z } from 'zod';
import type { CompareOptions } from './compare.js';
import { GraderError } from './errors.js';
import { MiB, type Limits } from './sandbox/limits.js';

const limitFields = {
  /** Seconds of CPU per run (wall clock is three times this, at least 2 s). */
  time_limit: z.number().positive().max(60).optional(),
  /** MiB of memory per run. */
  memory_limit: z.number().positive().max(4096).optional(),
  /** KiB of stdout/stderr kept per run. */
  output_limit: z.number().positive().max(65536).optional(),
};

const common = {
  lang: z.string().optional(),
  language: z.string().optional(),
  hide_output: z.boolean().optional(),
  skip_grader: z.boolean().optional(),
  whitespace: z.enum(['exact', 'trailing', 'collapse']).optional(),
  trim: z.boolean().optional(),
  ignore_case: z.boolean().optional(),
  ...limitFields,
};

const testCase = z.object({
  name: z.string().optional(),
  stdin: z.string().optional(),
  input: z.string().optional(),
  args: z.array(z.string()).optional(),
  expected: z.string().optional(),
  output: z.string().optional(),
  hidden: z.boolean().optional(),
});

const schema = z.looseObject({
  ...common,
  output: z.string().optional(),
  stdin: z.string().optional(),
  args: z.array(z.string()).optional(),
  tests: z.array(testCase).min(1).max(200).optional(),
  grader: z.string().min(1).optional(),
  protocol: z.enum(['watcher', 'json-line']).optional(),
});

export interface TestCase {
  readonly name: string;
  readonly stdin: string;
  readonly args: readonly string[];
  readonly expected: string;
  readonly hidden: boolean;
}

interface Common {
  /** Programming language (expected-output and test-case kinds). */
  readonly lang: string;
  /** For grader files, "lang" is xqueue-watcher's gettext locale instead. */
  readonly locale: string;
  readonly hideOutput: boolean;
  readonly compare: CompareOptions;
  readonly limits: Partial<Limits>;
}

export type GraderPayload =
  | ({ readonly kind: 'skip' } & Common)
  | ({ readonly kind: 'tests'; readonly tests: readonly TestCase[] } & Common)
  | ({ readonly kind: 'watcher'; readonly grader: string } & Common)
  | ({ readonly kind: 'json-line'; readonly grader: string } & Common);

/** Parses the grader_payload string the LMS relayed. Throws `grader_config`. */
export function parsePayload(text: string, defaultKind: 'watcher' | 'json-line' = 'watcher'): GraderPayload {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new GraderError('grader_config', 'the problem\'s grader_payload is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GraderError('grader_config', `the problem's grader_payload is invalid: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? ''}`);
  }
  const p = parsed.data;
  const base: Common = {
    lang: p.language ?? p.lang ?? 'python',
    locale: p.lang ?? 'en',
    hideOutput: p.hide_output ?? false,
    compare: {
      whitespace: p.whitespace ?? (p.trim === false ? 'exact' : 'trailing'),
      ignoreCase: p.ignore_case ?? false,
    },
    limits: limitsOf(p),
  };
  if (p.skip_grader) return { kind: 'skip', ...base };
  if (p.grader !== undefined) return { kind: p.protocol ?? defaultKind, grader: p.grader, ...base };
  if (p.tests) {
    return {
      kind: 'tests',
      ...base,
      tests: p.tests.map((t, i) => {
        const expected = t.expected ?? t.output;
        if (expected === undefined) throw new GraderError('grader_config', `test ${i + 1} of grader_payload has no "expected" output`);
        return { name: t.name ?? `Test ${i + 1}`, stdin: t.stdin ?? t.input ?? '', args: t.args ?? [], expected, hidden: t.hidden ?? false };
      }),
    };
  }
  if (p.output !== undefined) {
    return { kind: 'tests', ...base, tests: [{ name: 'Output', stdin: p.stdin ?? '', args: p.args ?? [], expected: p.output, hidden: false }] };
  }
  throw new GraderError('grader_config', 'the problem\'s grader_payload names no grader: expected "output", "tests" or "grader"');
}

function limitsOf(p: { time_limit?: number; memory_limit?: number; output_limit?: number }): Partial<Limits> {
  const l: { -readonly [K in keyof Limits]?: Limits[K] } = {};
  if (p.time_limit !== undefined) {
    l.cpuSeconds = p.time_limit;
    l.wallMs = Math.max(2000, p.time_limit * 3000);
  }
  if (p.memory_limit !== undefined) l.memoryBytes = Math.round(p.memory_limit * MiB);
  if (p.output_limit !== undefined) l.outputBytes = Math.round(p.output_limit * 1024);
  return l;
}
