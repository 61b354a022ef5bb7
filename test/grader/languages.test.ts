// Expected-output and test-case problems in each language, through the real sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../../src/grader/grade.js';
import type { GradeEnv } from '../../src/grader/grade-env.js';
import { makeEnv, payload } from './helpers.js';

let env: GradeEnv;
beforeAll(async () => {
  env = await makeEnv();
});
afterAll(async () => {
  await env?.sandbox.dispose();
});

interface Case {
  lang: string;
  hello: string;
  wrong: string;
  crash: string;
  echoArgsAndStdin: string;
  broken?: string;
  bigAlloc: string;
}

const CASES: Case[] = [
  {
    lang: 'python',
    hello: "print('hello world')",
    wrong: "print('hello there')",
    crash: 'raise ValueError("boom")',
    echoArgsAndStdin: 'import sys\nprint(" ".join(sys.argv[1:]), int(input()) * 2)',
    bigAlloc: 'x = bytearray(1 << 34)',
  },
  {
    lang: 'javascript',
    hello: "console.log('hello world')",
    wrong: "console.log('hello there')",
    crash: 'throw new Error("boom")',
    echoArgsAndStdin: "const n = Number(require('fs').readFileSync(0, 'utf8'));\nconsole.log(process.argv.slice(2).join(' '), n * 2)",
    bigAlloc: 'const a = []; for (;;) a.push(new Array(1e6).fill(1.5));',
  },
  {
    lang: 'c',
    hello: '#include <stdio.h>\nint main(void) { puts("hello world"); return 0; }',
    wrong: '#include <stdio.h>\nint main(void) { puts("hello there"); return 0; }',
    crash: 'int main(void) { volatile int *p = 0; return *p; }',
    echoArgsAndStdin: '#include <stdio.h>\nint main(int c, char **v) { int n; scanf("%d", &n); printf("%s %s %d\\n", v[1], v[2], n * 2); return 0; }',
    broken: 'int main(void) { return undefined_name; }',
    bigAlloc: '#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) { char *p = malloc(1 << 24); if (!p) return 3; memset(p, 1, 1 << 24); } }',
  },
  {
    lang: 'cpp',
    hello: '#include <iostream>\nint main() { std::cout << "hello world" << std::endl; }',
    wrong: '#include <iostream>\nint main() { std::cout << "hello there" << std::endl; }',
    crash: '#include <stdexcept>\nint main() { throw std::runtime_error("boom"); }',
    echoArgsAndStdin: '#include <iostream>\nint main(int c, char **v) { int n; std::cin >> n; std::cout << v[1] << " " << v[2] << " " << n * 2 << "\\n"; }',
    broken: 'int main() { std::cout << 1; }',
    bigAlloc: '#include <vector>\nint main() { std::vector<std::vector<char>> v; for (;;) v.emplace_back(1 << 24, 1); }',
  },
  {
    lang: 'java',
    hello: 'public class Hello { public static void main(String[] a) { System.out.println("hello world"); } }',
    wrong: 'public class Main { public static void main(String[] a) { System.out.println("hello there"); } }',
    crash: 'public class Main { public static void main(String[] a) { throw new IllegalStateException("boom"); } }',
    echoArgsAndStdin: 'import java.util.Scanner;\npublic class Main { public static void main(String[] a) { int n = new Scanner(System.in).nextInt(); System.out.println(a[0] + " " + a[1] + " " + n * 2); } }',
    broken: 'public class Main { public static void main(String[] a) { int x = "s"; } }',
    bigAlloc: 'import java.util.*;\npublic class Main { public static void main(String[] a) { List<long[]> l = new ArrayList<>(); for (;;) l.add(new long[1 << 20]); } }',
  },
];

describe.each(CASES)('$lang', (c) => {
  const expectHello = payload({ output: 'hello world', lang: c.lang });

  it('accepts the right output', async () => {
    const { result } = await grade(env, { payload: expectHello, response: c.hello });
    expect(result.verdict).toBe('accepted');
    expect(result).toMatchObject({ correct: true, score: 1 });
    expect(result.tests[0]?.actual.trim()).toBe('hello world');
  });

  it('rejects the wrong output with a wrong-answer verdict', async () => {
    const { result } = await grade(env, { payload: expectHello, response: c.wrong });
    expect(result).toMatchObject({ correct: false, score: 0, verdict: 'wrong_answer' });
    expect(result.tests[0]).toMatchObject({ expected: 'hello world', actual: 'hello there\n', long: 'Wrong answer' });
  });

  it('reports a crash as a runtime error with its message', async () => {
    const { result } = await grade(env, { payload: expectHello, response: c.crash });
    expect(result.verdict).toBe('runtime_error');
    expect(result.tests[0]?.long).toMatch(/^Runtime error: (exit code \d+|killed by SIG\w+)/);
    if (c.lang !== 'c') expect(result.tests[0]?.long).toContain('boom');
  });

  it('runs test cases with stdin and arguments, scoring each', async () => {
    const tests = [
      { name: 'doubles 21', stdin: '21\n', args: ['a', 'b'], expected: 'a b 42' },
      { name: 'doubles 5', stdin: '5', args: ['x', 'y'], expected: 'x y 10' },
      { name: 'secret', stdin: '1', args: ['p', 'q'], expected: 'p q 3', hidden: true },
    ];
    const { result } = await grade(env, { payload: payload({ tests, lang: c.lang }), response: c.echoArgsAndStdin });
    expect(result.tests.map((t) => [t.short, t.correct])).toEqual([['doubles 21', true], ['doubles 5', true], ['secret', false]]);
    expect(result.score).toBeCloseTo(2 / 3);
    expect(result.correct).toBe(false);
    expect(result.tests[2]?.hidden).toBe(true);
  });

  it('gives a memory hog the memory-limit verdict (or a runtime error where the language cannot tell)', async () => {
    const { result } = await grade(env, { payload: payload({ output: '', lang: c.lang, memory_limit: 128, time_limit: 3 }), response: c.bigAlloc });
    expect(result.correct).toBe(false);
    expect(c.lang === 'c' ? ['memory_limit', 'runtime_error'] : ['memory_limit']).toContain(result.verdict);
  });

  if (c.broken) {
    it('reports a compile error with the compiler output', async () => {
      const { result } = await grade(env, { payload: expectHello, response: c.broken! });
      expect(result.verdict).toBe('compile_error');
      expect(result.errors[0]).toMatch(/^Compilation failed:\n/);
      expect(result.errors[0]).toMatch(/error/);
      expect(result.errors[0]).not.toContain('/box/');
    });
  }
});
