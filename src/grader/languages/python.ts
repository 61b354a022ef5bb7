import type { Language } from './language.js';

export function python(bin = '/usr/bin/python3'): Language {
  return {
    id: 'python',
    aliases: ['python', 'python3', 'py', 'py3'],
    sourceFile: () => 'main.py',
    // -S skips site-packages scanning: faster start, and no host packages leak in.
    run: (file, args) => ({ argv: [bin, '-S', '-B', file, ...args] }),
    memoryPatterns: [/\bMemoryError\b/],
    tools: [bin],
  };
}
