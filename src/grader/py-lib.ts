// Locates the Python grading library shipped beside this module (src/grader/py), also
// when running from the compiled dist/ tree, which tsc does not copy .py files into.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

export function pythonLibDir(): string {
  if (found) return found;
  const candidates = [new URL('./py/', import.meta.url), new URL('../../../src/grader/py/', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(dir + 'grader_support/run.py')) return (found = dir.replace(/\/$/, ''));
  }
  throw new Error('the grader_support Python library is missing from this installation');
}
