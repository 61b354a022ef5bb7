// Shared set-up for grader tests: one real sandbox and grade environment per file.
import { fileURLToPath } from 'node:url';
import { defaultLanguages } from '../../src/grader/languages/registry.js';
import { MAX_LIMITS, type GradeEnv } from '../../src/grader/grade-env.js';
import { DEFAULT_LIMITS } from '../../src/grader/sandbox/limits.js';
import { createSandbox } from '../../src/grader/sandbox/sandbox.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/grader/', import.meta.url));

export async function makeEnv(opts: { concurrency?: number; graderRoot?: string | null } = {}): Promise<GradeEnv> {
  const sandbox = await createSandbox({ concurrency: opts.concurrency ?? 2 });
  return {
    sandbox,
    languages: defaultLanguages(),
    limits: DEFAULT_LIMITS,
    maxLimits: MAX_LIMITS,
    graderRoot: opts.graderRoot === undefined ? FIXTURES : opts.graderRoot,
  };
}

export const payload = (p: unknown) => JSON.stringify(p);
