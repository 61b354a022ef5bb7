import { MiB, type Limits } from '../sandbox/limits.js';
import type { Language } from './language.js';

export function javascript(bin = '/usr/bin/node'): Language {
  return {
    id: 'javascript',
    aliases: ['javascript', 'js', 'node', 'nodejs'],
    sourceFile: () => 'main.js',
    run: (file, args, limits: Limits) => {
      const heapMiB = Math.max(16, Math.floor(limits.memoryBytes / MiB));
      return {
        // V8 reserves far more address space than it uses: the heap flag is the real
        // memory limit, RLIMIT_AS only a backstop against native allocations.
        argv: [bin, `--max-old-space-size=${heapMiB}`, '--stack-size=4000', file, ...args],
        limits: { memoryBytes: limits.memoryBytes > 0 ? limits.memoryBytes + 1024 * MiB : 0 },
      };
    },
    memoryPatterns: [/JavaScript heap out of memory/, /Allocation failed/, /RangeError: Array buffer allocation failed/],
    tools: [bin],
  };
}
