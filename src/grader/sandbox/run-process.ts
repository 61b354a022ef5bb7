// Spawns one process tree in its own process group, feeds stdin, keeps at most
// `outputBytes` of each stream and kills the whole group on a wall-clock or output
// overrun. Shared by the bubblewrap sandbox and the unsafe runner.
import { spawn } from 'node:child_process';
import type { Limits } from './limits.js';

export type RunStatus =
  /** The program exited normally (any exit code). */
  | 'exited'
  /** A signal ended it (bubblewrap reports these as 128 + signal). */
  | 'signaled'
  /** We killed it at the wall-clock limit. */
  | 'wall_timeout'
  /** We killed it because stdout or stderr passed the output cap. */
  | 'output_limit'
  /** It never started (missing binary, spawn error). */
  | 'spawn_failed';

export interface RunOutcome {
  readonly status: RunStatus;
  readonly exitCode: number | null;
  /** Signal number for `signaled`. */
  readonly signal: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly wallMs: number;
  readonly error?: string;
}

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdin?: string | Buffer;
  /** Extra data written to fd 3 and closed (bubblewrap's --seccomp FD). */
  readonly fd3?: Buffer;
  /** A signal exit of the tree's root is reported as exit code 128 + signal. */
  readonly signalsAsExitCodes: boolean;
  readonly limits: Pick<Limits, 'wallMs' | 'outputBytes'>;
}

class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;
  constructor(private readonly cap: number) {}
  /** Returns false once the cap is passed. */
  push(chunk: Buffer): boolean {
    if (this.overflowed) return false;
    const room = this.cap - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = this.cap;
      this.overflowed = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

export function runProcess(spec: ProcessSpec): Promise<RunOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const stdio: Array<'pipe' | 'ignore'> = ['pipe', 'pipe', 'pipe'];
    if (spec.fd3) stdio.push('pipe');
    let child;
    try {
      child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio, detached: true });
    } catch (err) {
      resolve(failed(err, started));
      return;
    }
    const out = new Capped(spec.limits.outputBytes);
    const err = new Capped(spec.limits.outputBytes);
    let killedFor: 'wall_timeout' | 'output_limit' | null = null;
    const killTree = (why: 'wall_timeout' | 'output_limit') => {
      if (killedFor) return;
      killedFor = why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => killTree('wall_timeout'), spec.limits.wallMs);
    child.stdout!.on('data', (c: Buffer) => out.push(c) || killTree('output_limit'));
    child.stderr!.on('data', (c: Buffer) => err.push(c) || killTree('output_limit'));
    child.stdin!.on('error', () => {}); // EPIPE when the program ignores its input
    child.stdin!.end(spec.stdin ?? '');
    if (spec.fd3) {
      const fd3 = child.stdio[3] as NodeJS.WritableStream & { on: (e: string, f: () => void) => void };
      fd3.on('error', () => {});
      fd3.end(spec.fd3);
    }
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    // A descendant that escaped the group (only possible without bubblewrap) could hold
    // the pipes open forever; once the root has exited, stop waiting for them soon.
    child.on('exit', () => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 500).unref();
    });
    child.on('close', (code, signalName) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (spawnError && child.pid === undefined) {
        resolve(failed(spawnError, started));
        return;
      }
      let status: RunStatus = 'exited';
      let signal: number | null = null;
      let exitCode = code;
      if (signalName) {
        status = 'signaled';
        signal = signalNumber(signalName);
        exitCode = null;
      } else if (spec.signalsAsExitCodes && code !== null && code > 128 && code < 128 + 65) {
        status = 'signaled';
        signal = code - 128;
      }
      if (killedFor) status = killedFor;
      resolve({ status, exitCode, signal, stdout: out.buffer, stderr: err.buffer, wallMs });
    });
  });
}

function failed(err: unknown, started: number): RunOutcome {
  return {
    status: 'spawn_failed',
    exitCode: null,
    signal: null,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    wallMs: performance.now() - started,
    error: err instanceof Error ? err.message : String(err),
  };
}

const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGXCPU: 24, SIGXFSZ: 25, SIGSYS: 31,
};

export function signalNumber(name: string): number {
  return SIGNALS[name] ?? 0;
}

export function signalName(n: number): string {
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === n) ?? `signal ${n}`;
}
