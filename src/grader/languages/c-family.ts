import { MiB } from '../sandbox/limits.js';
import type { Language, Step } from './language.js';

const COMPILE_LIMITS = { cpuSeconds: 15, wallMs: 30_000, memoryBytes: 1024 * MiB, processes: 16, outputBytes: 64 * 1024 };

function runBinary(_file: string, args: readonly string[]): Step {
  return { argv: ['./main', ...args] };
}

export function c(bin = '/usr/bin/gcc'): Language {
  return {
    id: 'c',
    aliases: ['c', 'gcc', 'c11', 'c17'],
    sourceFile: () => 'main.c',
    compile: (file) => ({ argv: [bin, '-std=gnu17', '-O2', '-pipe', '-o', 'main', file, '-lm'], limits: COMPILE_LIMITS }),
    run: runBinary,
    memoryPatterns: [],
    tools: [bin],
  };
}

export function cpp(bin = '/usr/bin/g++'): Language {
  return {
    id: 'cpp',
    aliases: ['cpp', 'c++', 'g++', 'cxx', 'c++17'],
    sourceFile: () => 'main.cpp',
    compile: (file) => ({ argv: [bin, '-std=gnu++17', '-O2', '-pipe', '-o', 'main', file], limits: COMPILE_LIMITS }),
    run: runBinary,
    memoryPatterns: [/std::bad_alloc/],
    tools: [bin],
  };
}
