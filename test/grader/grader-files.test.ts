// xqueue-watcher grader directories (grader.py + answer.py with our gradelib) and the
// one-JSON-line protocol, through the real sandbox.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../../src/grader/grade.js';
import type { GradeEnv } from '../../src/grader/grade-env.js';
import { GraderError } from '../../src/grader/errors.js';
import { FIXTURES, makeEnv, payload } from './helpers.js';

let env: GradeEnv;
beforeAll(async () => {
  env = await makeEnv();
});
afterAll(async () => {
  await env?.sandbox.dispose();
});

const square = payload({ grader: 'square/grader.py' });

async function gradeError(p: string, response = ''): Promise<GraderError> {
  const err = await grade(env, { payload: p, response }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(GraderError);
  return err as GraderError;
}

describe('grader.py + answer.py', () => {
  it('accepts a correct solution, test by test', async () => {
    const { result } = await grade(env, { payload: square, response: 'def square(x):\n    return x ** 2\n' });
    expect(result.errors).toEqual([]);
    expect(result.tests.map((t) => [t.short, t.correct, t.expected, t.actual])).toEqual([
      ['square(3)', true, '9\n', '9\n'],
      ['square(-4)', true, '16\n', '16\n'],
      ['square(0.5)', true, '0.25\n', '0.25\n'],
    ]);
    expect(result).toMatchObject({ correct: true, score: 1, verdict: 'accepted' });
  });

  it('scores a partly wrong solution by the fraction of tests passed', async () => {
    const { result } = await grade(env, { payload: square, response: 'def square(x):\n    return x * abs(x)\n' });
    expect(result.tests.map((t) => t.correct)).toEqual([true, false, true]);
    expect(result.score).toBeCloseTo(2 / 3);
    expect(result.correct).toBe(false);
    expect(result.tests[1]).toMatchObject({ expected: '16\n', actual: '-16\n' });
  });

  it('uses the course compare function (float tolerance)', async () => {
    const { result } = await grade(env, { payload: square, response: 'def square(x):\n    return x * x + 1e-9\n' });
    expect(result.tests.map((t) => t.correct)).toEqual([false, false, true]);
  });

  it('runs input checks first and returns their messages without running anything', async () => {
    const { result } = await grade(env, { payload: square, response: 'def cube(x):\n    return eval("x**3")\n' });
    expect(result.errors).toEqual([
      'Your code should define a function named square.',
      'Your code may not use "eval".',
    ]);
    expect(result.tests).toEqual([]);
    expect(result.correct).toBe(false);
  });

  it('reports an exception in the learner code as an error', async () => {
    const { result } = await grade(env, { payload: square, response: 'def square(x):\n    return x\nraise RuntimeError("oops")\n' });
    expect(result.errors[0]).toContain('RuntimeError: oops');
    expect(result.correct).toBe(false);
  });

  it('supports wrap_in_string, exec tests, inspected values, EndTest and seeded randomness', async () => {
    const good = await grade(env, { payload: payload({ grader: 'wrapped/grader.py' }), response: 'result = n ** 2\nprint(result)\n' });
    expect(good.result.tests.map((t) => [t.short, t.correct])).toEqual([
      ['prints n squared', true],
      ['sets result', true],
      ['Seeded randomness matches', true],
    ]);
    const silent = await grade(env, { payload: payload({ grader: 'wrapped/grader.py' }), response: 'result = n ** 2\n' });
    expect(silent.result.tests[0]?.correct).toBe(false);
    expect(silent.result.tests[0]?.actual).toContain('Your code printed nothing.');
  });

  it('cannot be fooled by learner code that patches the comparison or forges a result line', async () => {
    const cheat = [
      'import os, json',
      'from grader_support import gradelib',
      'gradelib.Test.compare_results = lambda self, e, a: True',
      'os.write(1, (json.dumps({"student": {"status": "ok", "exception": None, "input_errors": [], "results": []}}) + "\\n").encode())',
      'def square(x):',
      '    return 0',
    ].join('\n');
    const { result } = await grade(env, { payload: square, response: cheat });
    expect(result.tests.map((t) => t.correct)).toEqual([false, false, false]);
    expect(result.correct).toBe(false);
  });

  it('gives a learner infinite loop the time-limit verdict', async () => {
    const { result } = await grade(env, { payload: payload({ grader: 'square/grader.py', time_limit: 1 }), response: 'def square(x):\n    while True:\n        pass\n' });
    expect(result.verdict).toBe('time_limit');
    expect(result.errors[0]).toMatch(/^Time limit exceeded/);
  });

  it('treats a broken staff answer as a course-grader error, not the learner\'s fault', async () => {
    const err = await gradeError(payload({ grader: 'broken-staff/grader.py' }), 'def f():\n    return 1\n');
    expect(err.code).toBe('grader_config');
    expect(err.message).toContain('ZeroDivisionError');
  });

  it('skip_grader marks any answer correct', async () => {
    const { result } = await grade(env, { payload: payload({ grader: 'square/grader.py', skip_grader: true }), response: '' });
    expect(result).toMatchObject({ correct: true, score: 1 });
  });
});

describe('grader path guards', () => {
  it.each(['../etc/passwd', 'square/../../x.py', '/etc/passwd', 'missing/grader.py'])('rejects %s', async (p) => {
    expect((await gradeError(payload({ grader: p }))).code).toBe('grader_config');
  });

  it('rejects a symlink that leads out of the grader root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'xq-root-'));
    try {
      await symlink('/etc', join(root, 'out'));
      const local = { ...env, graderRoot: root };
      const err = await grade(local, { payload: payload({ grader: 'out/passwd' }), response: '' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'grader_config' });
      expect((err as Error).message).toContain('leaves the grader root');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses grader files when no grader root is configured', async () => {
    const err = await grade({ ...env, graderRoot: null }, { payload: square, response: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'grader_config' });
  });
});

describe('one JSON line', () => {
  const p = (extra: object = {}) => payload({ grader: 'json-line/check.py', protocol: 'json-line', ...extra });

  it('takes the last line of the course program as the result', async () => {
    const { result } = await grade(env, { payload: p(), response: 'def inc(n):\n    return n + 1\n' });
    expect(result).toMatchObject({ correct: true, score: 1, errors: [] });
    expect(result.tests.map((t) => t.short)).toEqual(['inc(1)', 'inc(2)', 'inc(10)']);
  });

  it('passes partial results through', async () => {
    const { result } = await grade(env, { payload: p(), response: 'def inc(n):\n    return 2 if n == 1 else n\n' });
    expect(result.correct).toBe(false);
    expect(result.score).toBeCloseTo(1 / 3);
  });

  it('treats a course program that prints no JSON as a grader error', async () => {
    const err = await gradeError(payload({ grader: 'json-line/broken.sh', protocol: 'json-line' }), 'x');
    expect(err.code).toBe('grader_config');
    expect(FIXTURES).toBeTruthy();
  });
});
