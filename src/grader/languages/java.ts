import { MiB, type Limits } from '../sandbox/limits.js';
import type { Language } from './language.js';

// Fast-starting, single-threaded-GC JVM flags; -Xmx is the memory limit that matters.
const JVM = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:CICompilerCount=1', '-Xshare:auto', '-XX:-UsePerfData'];

export function java(javac = '/usr/bin/javac', bin = '/usr/bin/java'): Language {
  return {
    id: 'java',
    aliases: ['java', 'java17'],
    // javac insists that a public class live in a file of the same name.
    sourceFile: (source) => `${/\bpublic\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][\w$]*)/.exec(source)?.[1] ?? 'Main'}.java`,
    compile: (file) => ({
      argv: [javac, ...JVM.map((f) => `-J${f}`), '-J-Xmx512m', '-encoding', 'UTF-8', '-d', '.', file],
      // The JVM reserves gigabytes of address space; -Xmx bounds its heap instead.
      limits: { cpuSeconds: 20, wallMs: 30_000, memoryBytes: 0, processes: 64, outputBytes: 64 * 1024 },
    }),
    run: (file, args, limits: Limits) => ({
      argv: [bin, ...JVM, `-Xmx${Math.max(16, Math.floor(limits.memoryBytes / MiB))}m`, '-Xss64m', '-cp', '.', file.replace(/\.java$/, ''), ...args],
      limits: { memoryBytes: 0, processes: Math.max(limits.processes, 64) },
    }),
    memoryPatterns: [/java\.lang\.OutOfMemoryError/],
    tools: [javac, bin],
  };
}
