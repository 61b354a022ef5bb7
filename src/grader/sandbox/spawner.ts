// Runs ProcessSpecs through a small long-lived Python process (py/spawner.py) instead of
// child_process.spawn: forking the Node worker copies its page tables on the event loop
// (about 5 ms at 150 MB RSS, per run), forking a 10 MB helper costs a fraction of that
// and happens off our thread. A helper that dies fails its runs as spawn_failed (an
// internal error: retried) and is restarted on the next run.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pythonLibDir } from '../py-lib.js';
import { runProcess, type ProcessSpec, type RunOutcome, type RunStatus } from './run-process.js';

export type RunProcess = (spec: ProcessSpec) => Promise<RunOutcome>;

interface Reply {
  id: number;
  status: RunStatus;
  exit_code: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
  wall_ms: number;
  error?: string;
}

export class HelperSpawner {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly pending = new Map<number, { spec: ProcessSpec; resolve: (o: RunOutcome) => void }>();
  private nextId = 1;

  constructor(private readonly python: string) {}

  readonly run: RunProcess = (spec) =>
    new Promise((resolve) => {
      const child = this.ensure();
      const id = this.nextId++;
      this.pending.set(id, { spec, resolve });
      const req = {
        id,
        argv: [spec.command, ...spec.args],
        cwd: spec.cwd,
        env: spec.env,
        stdin: spec.stdin === undefined ? '' : Buffer.from(spec.stdin).toString('base64'),
        fd3: spec.fd3 ? spec.fd3.toString('base64') : null,
        wall_ms: spec.limits.wallMs,
        output_bytes: spec.limits.outputBytes,
      };
      child.stdin.write(JSON.stringify(req) + '\n');
    });

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.python, ['-S', '-B', join(pythonLibDir(), 'spawner.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    this.child = child;
    child.stdin.on('error', () => {});
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => this.onReply(line));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const why = `the process helper exited (${signal ?? code}): ${stderr.trim()}`;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.resolve(failed(why));
      }
    });
    return child;
  }

  private onReply(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    const stderr = Buffer.from(reply.stderr, 'base64');
    if (reply.exit_code === 127 && stderr.toString().startsWith('spawn failed: ')) {
      p.resolve(failed(stderr.toString().trim()));
      return;
    }
    let { status, exit_code: exitCode, signal } = reply;
    if (status === 'exited' && p.spec.signalsAsExitCodes && exitCode !== null && exitCode > 128 && exitCode < 128 + 65) {
      status = 'signaled';
      signal = exitCode - 128;
    }
    if (status === 'signaled' && !p.spec.signalsAsExitCodes) exitCode = null;
    p.resolve({
      status,
      exitCode: status === 'signaled' && reply.exit_code === null ? null : exitCode,
      signal,
      stdout: Buffer.from(reply.stdout, 'base64'),
      stderr,
      wallMs: reply.wall_ms,
      ...(reply.error ? { error: reply.error } : {}),
    });
  }
}

function failed(error: string): RunOutcome {
  return { status: 'spawn_failed', exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), wallMs: 0, error };
}

export const directSpawn: RunProcess = runProcess;
