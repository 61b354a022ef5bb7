// Hostile programs in the real bubblewrap sandbox: each is contained, gets its own
// verdict, and leaves the host (this test process, its files, other slots) unharmed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, MiB, withLimits, type Limits } from '../../src/grader/sandbox/limits.js';
import { createSandbox, type Sandbox } from '../../src/grader/sandbox/sandbox.js';
import type { RunOutcome } from '../../src/grader/sandbox/run-process.js';
import { classifyRun } from '../../src/grader/verdict.js';

const PY = '/usr/bin/python3';
let sandbox: Sandbox;

async function runPython(code: string, limits: Partial<Limits> = {}): Promise<RunOutcome & { dir: string }> {
  const slot = await sandbox.slots.acquire();
  const dir = await sandbox.slots.workDir(slot);
  try {
    await writeFile(join(dir.path, 'main.py'), code);
    const out = await sandbox.run(slot, { argv: [PY, 'main.py'], workDir: dir.path, limits: withLimits(DEFAULT_LIMITS, limits) });
    return { ...out, dir: dir.path };
  } finally {
    await dir.remove();
    sandbox.slots.release(slot);
  }
}

const text = (b: Buffer) => b.toString('utf8');

/** Processes on the host whose command line contains `marker`. */
function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) found.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return found.filter((p) => p !== process.pid);
}

// Both ways of starting processes: the Python helper (default) and Node's own spawn.
describe.each(['helper', 'direct'] as const)('sandbox battery (%s spawner)', (spawner) => {
  beforeAll(async () => {
    sandbox = await createSandbox({ concurrency: 3, spawner });
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  it('is really isolated (not the unsafe runner)', () => {
    expect(sandbox.isolated).toBe(true);
  });

  it('runs a normal program', async () => {
    const out = await runPython('print("hello world")');
    expect(out.status).toBe('exited');
    expect(out.exitCode).toBe(0);
    expect(text(out.stdout)).toBe('hello world\n');
  });

  it('contains a fork bomb, and a concurrent run in another slot still works', async () => {
    const limits = { processes: 16, wallMs: 3000 };
    const bomb = runPython(
      'import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)\n',
      limits,
    );
    await new Promise((r) => setTimeout(r, 300));
    const neighbour = await runPython(
      'import os, time\npids = []\nfor _ in range(8):\n    pid = os.fork()\n    if pid == 0:\n        time.sleep(0.2)\n        os._exit(0)\n    pids.append(pid)\nfor p in pids:\n    os.waitpid(p, 0)\nprint("neighbour ok")',
      limits,
    );
    expect(text(neighbour.stdout)).toContain('neighbour ok');
    const out = await bomb;
    expect(classifyRun(out, withLimits(DEFAULT_LIMITS, limits)).verdict).toBe('time_limit');
    expect(out.wallMs).toBeLessThan(6000);
  });

  it('gives a memory bomb the memory-limit verdict', async () => {
    const limits = withLimits(DEFAULT_LIMITS, { memoryBytes: 128 * MiB });
    const out = await runPython('x = []\nwhile True:\n    x.append(bytearray(10 * 1024 * 1024))\n', limits);
    expect(classifyRun(out, limits, [/MemoryError/]).verdict).toBe('memory_limit');
  });

  it('stops a CPU spin at the CPU limit', async () => {
    const limits = withLimits(DEFAULT_LIMITS, { cpuSeconds: 1, wallMs: 10_000 });
    const out = await runPython('while True:\n    pass\n', limits);
    const v = classifyRun(out, limits);
    expect(v.verdict).toBe('time_limit');
    expect(v.detail).toContain('CPU');
    expect(out.wallMs).toBeLessThan(4000);
  });

  it('kills a sleeper and all its children at the wall-clock limit', async () => {
    const marker = '918273645';
    const limits = withLimits(DEFAULT_LIMITS, { wallMs: 800 });
    const out = await runPython(
      `import subprocess, time\nsubprocess.Popen(["/bin/sh", "-c", "sleep ${marker}"], start_new_session=True)\ntime.sleep(1e6)\n`,
      limits,
    );
    const v = classifyRun(out, limits);
    expect(v.verdict).toBe('time_limit');
    expect(v.detail).toContain('wall-clock');
    await new Promise((r) => setTimeout(r, 200));
    expect(hostProcessesWith(marker)).toEqual([]);
  });

  it('stops a gigabyte of output at the output cap, quickly', async () => {
    const limits = withLimits(DEFAULT_LIMITS, { outputBytes: 64 * 1024 });
    const out = await runPython('import sys\nchunk = "x" * 65536\nfor _ in range(16384):\n    sys.stdout.write(chunk)\n', limits);
    expect(classifyRun(out, limits).verdict).toBe('output_limit');
    expect(out.stdout.length).toBe(64 * 1024);
    expect(out.wallMs).toBeLessThan(3000);
  });

  it('cannot connect to a port on the host loopback', async () => {
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const out = await runPython(
        `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=2)\n    print("CONNECTED")\nexcept OSError as e:\n    print("refused", e.errno)\n`,
      );
      expect(text(out.stdout)).toMatch(/^refused/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('cannot write outside its own directory and /tmp', async () => {
    const targets = ['/usr/pwned', '/etc/pwned', '/pwned', '/root/pwned', '/box/../pwned2', '/proc/pwned'];
    const out = await runPython(
      `import os\nfor p in ${JSON.stringify(targets)}:\n    try:\n        open(p, "w").write("x")\n        print("WROTE", p)\n    except OSError as e:\n        print("denied", p)\nopen("/tmp/ok", "w").write("fine")\nopen("mine", "w").write("fine")\nprint("tmp ok")\n`,
    );
    expect(text(out.stdout)).not.toContain('WROTE');
    expect(text(out.stdout)).toContain('tmp ok');
    expect(text(out.stdout).match(/denied/g)).toHaveLength(targets.length);
    for (const p of ['/usr/pwned', '/etc/pwned', '/pwned', '/root/pwned']) expect(existsSync(p)).toBe(false);
  });

  it("cannot read another submission's files", async () => {
    const slot = await sandbox.slots.acquire();
    const other = await sandbox.slots.workDir(slot);
    try {
      await writeFile(join(other.path, 'secret.py'), 'ANSWER = 42');
      const out = await runPython(
        `import os\np = ${JSON.stringify(join(other.path, 'secret.py'))}\ntry:\n    print("READ", open(p).read())\nexcept OSError:\n    print("denied")\nprint(sorted(os.listdir("/tmp")), "present" if os.path.exists(os.path.dirname(p)) else "absent")\n`,
      );
      expect(text(out.stdout)).toContain('denied');
      expect(text(out.stdout)).not.toContain('ANSWER');
      expect(text(out.stdout)).toContain("[] absent");
    } finally {
      await other.remove();
      sandbox.slots.release(slot);
    }
  });

  it("cannot read the host's config, secrets or environment", async () => {
    process.env.XQUEUE_GRADER_TEST_SECRET = 'hunter2-secret';
    await mkdir('/tmp/xq-host-secret', { recursive: true });
    await writeFile('/tmp/xq-host-secret/key', 'hunter2-secret');
    const probes = ['/etc/shadow', '/etc/passwd', '/etc/hostname', '/root/.bashrc', '/tmp/xq-host-secret/key', `${process.cwd()}/package.json`, '/proc/1/environ'];
    const out = await runPython(
      `import os\nfor p in ${JSON.stringify(probes)}:\n    try:\n        data = open(p, "rb").read()\n        print("READ", p, b"hunter2" in data)\n    except OSError:\n        print("denied", p)\nprint("ENV", "hunter2-secret" in repr(dict(os.environ)))\n`,
    );
    await rm('/tmp/xq-host-secret', { recursive: true, force: true });
    delete process.env.XQUEUE_GRADER_TEST_SECRET;
    const s = text(out.stdout);
    expect(s).not.toMatch(/READ .* True/);
    for (const p of probes.slice(0, 6)) expect(s).toContain(`denied ${p}`);
    expect(s).toContain('ENV False');
  });

  it('cannot signal the worker or anything outside', async () => {
    const out = await runPython(
      `import os, signal\nresults = []\nfor pid in (os.getppid(), ${process.pid}, 1, -1):\n    try:\n        os.kill(pid, signal.SIGKILL if pid != -1 else signal.SIGTERM)\n        results.append("sent")\n    except OSError as e:\n        results.append("denied")\nprint(results)\n`,
    );
    // Whatever the sandboxed program managed inside its own pid namespace, we are alive.
    expect(process.pid).toBeGreaterThan(0);
    expect(out.status === 'exited' || out.status === 'signaled').toBe(true);
    const after = await runPython('print("still working")');
    expect(text(after.stdout)).toBe('still working\n');
  });

  it('denies ptrace, bpf and io_uring through seccomp', async () => {
    const out = await runPython(
      `import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nfor name, nr in (("ptrace", 101), ("bpf", 321), ("io_uring_setup", 425), ("keyctl", 250)):\n    r = libc.syscall(nr, 0, 0, 0, 0)\n    print(name, r, ctypes.get_errno())\n`,
    );
    expect(text(out.stdout).trim().split('\n')).toEqual(['ptrace -1 1', 'bpf -1 1', 'io_uring_setup -1 1', 'keyctl -1 1']);
  });
});
