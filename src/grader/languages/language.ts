// A language is data: its source file, an optional compile step and a run step, each
// with its own limits. Graders never branch on the language's name.
import type { Limits } from '../sandbox/limits.js';

export type LanguageId = 'python' | 'javascript' | 'c' | 'cpp' | 'java';

export interface Step {
  readonly argv: readonly string[];
  /** Overrides on top of the problem's limits (compilers need more than programs). */
  readonly limits?: Partial<Limits>;
}

export interface Language {
  readonly id: LanguageId;
  /** Names accepted in grader_payload's "lang"/"language". */
  readonly aliases: readonly string[];
  /** File name the submission is saved under, from its source text. */
  sourceFile(source: string): string;
  /** Compile step, run in the submission's directory; absent for interpreted languages. */
  compile?(sourceFile: string): Step;
  /** Run step; `args` are the test case's command-line arguments. */
  run(sourceFile: string, args: readonly string[], limits: Limits): Step;
  /** stderr patterns meaning "ran out of memory". */
  readonly memoryPatterns: readonly RegExp[];
  /** The host binaries this language needs (checked at startup). */
  readonly tools: readonly string[];
}
