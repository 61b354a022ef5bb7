// The narrow interface the graders use: run(slot, program, limits) → outcome. Two
// implementations: bubblewrap (the default, refused if it does not work here) and an
// unisolated runner that exists only behind the loudly named unsafe flag.
import { symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GraderError } from '../errors.js';
import { BOX, bwrapArgs, prlimitArgs } from './bwrap-args.js';
import type { Limits } from './limits.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { RunOutcome } from './run-process.js';
import { directSpawn, HelperSpawner, type RunProcess } from './spawner.js';
import { seccompFilter } from './seccomp.js';
import { SlotPool, type Slot } from './slots.js';
import { which } from './which.js';
import { pythonLibDir } from '../py-lib.js';

export interface SandboxRequest {
  /** Program and arguments; relative paths resolve in the work directory. */
  readonly argv: readonly string[];
  /** Host directory holding only this submission, seen by the program as its cwd. */
  readonly workDir: string;
  /** Compile steps write; test runs may get it read-only. Default true. */
  readonly writable?: boolean;
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /** Read-only host directories mounted at `/box/<name>`. */
  readonly binds?: ReadonlyArray<{ readonly host: string; readonly name: string }>;
  readonly limits: Limits;
}

export interface Sandbox {
  /** False only when running with the unsafe flag. */
  readonly isolated: boolean;
  readonly slots: SlotPool;
  run(slot: Slot, req: SandboxRequest): Promise<RunOutcome>;
  dispose(): Promise<void>;
}

export interface SandboxOptions {
  readonly concurrency: number;
  /** Run student code without isolation when bubblewrap does not work. */
  readonly unsafeNoSandbox?: boolean;
  /** First host UID of the slots when root (slot i runs as base + i). */
  readonly baseUid?: number;
  /** Host directories the toolchains need besides /usr (e.g. a JDK in /opt). */
  readonly systemBinds?: readonly string[];
  /** Where work directories are made; default the OS temp dir. */
  readonly tmpRoot?: string;
  /** Turn the seccomp filter off (diagnosis only). */
  readonly seccomp?: boolean;
  /** The bwrap binary; default: found in the system directories. */
  readonly bwrap?: string;
  /** Start processes from the small Python helper (default, when python3 exists) or from Node itself. */
  readonly spawner?: 'helper' | 'direct';
}

export const SANDBOX_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONIOENCODING: 'utf-8',
});

const isRoot = () => process.getuid?.() === 0;

function hasPythonLib(): boolean {
  try {
    pythonLibDir();
    return true;
  } catch {
    return false;
  }
}

/** Probes bubblewrap once; throws `sandbox_unavailable` unless it works or the unsafe flag is set. */
export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const root = isRoot();
  const tools = {
    bwrap: which(opts.bwrap ?? 'bwrap'),
    prlimit: which('prlimit'),
    setpriv: root ? which('setpriv') : null,
  };
  const baseUid = root ? (opts.baseUid ?? 62_000) : null;
  const slots = new SlotPool(opts.concurrency, baseUid, opts.tmpRoot);
  if (!tools.prlimit) throw new GraderError('sandbox_unavailable', 'prlimit (util-linux) was not found in the system directories');
  if (root && !tools.setpriv) throw new GraderError('sandbox_unavailable', 'setpriv (util-linux) was not found in the system directories');
  const filter = opts.seccomp === false ? null : seccompFilter();
  const python = opts.spawner === 'direct' || !hasPythonLib() ? null : which('/usr/bin/python3');
  const helper = python ? new HelperSpawner(python) : null;
  const spawn = helper?.run ?? directSpawn;
  const closeHelper = async () => {
    await helper?.close();
  };
  let problem: string | null = null;
  if (!tools.bwrap) {
    problem = 'bubblewrap (bwrap) was not found in the system directories; install the "bubblewrap" package';
  } else {
    const sandbox = new BwrapSandbox(slots, spawn, closeHelper, tools.bwrap, tools.prlimit, tools.setpriv, filter, opts.systemBinds ?? []);
    problem = await probe(sandbox);
    if (!problem) return sandbox;
  }
  if (!opts.unsafeNoSandbox) {
    await slots.dispose();
    await closeHelper();
    throw new GraderError('sandbox_unavailable', `the sandbox does not work here: ${problem}`);
  }
  return new UnsafeRunner(slots, spawn, closeHelper, tools.prlimit, tools.setpriv);
}

async function probe(sandbox: Sandbox): Promise<string | null> {
  const slot = await sandbox.slots.acquire();
  const dir = await sandbox.slots.workDir(slot);
  try {
    const out = await sandbox.run(slot, {
      argv: ['/bin/sh', '-c', 'echo ok > probe && cat probe'],
      workDir: dir.path,
      limits: DEFAULT_LIMITS,
    });
    if (out.status === 'exited' && out.exitCode === 0 && out.stdout.toString() === 'ok\n') return null;
    return `probe exited with ${out.status} ${out.exitCode ?? out.signal ?? ''}: ${out.error ?? out.stderr.toString().trim()}`;
  } finally {
    await dir.remove();
    sandbox.slots.release(slot);
  }
}

class BwrapSandbox implements Sandbox {
  readonly isolated = true;
  constructor(
    readonly slots: SlotPool,
    private readonly spawn: RunProcess,
    private readonly closeSpawner: () => Promise<void>,
    private readonly bwrap: string,
    private readonly prlimit: string,
    private readonly setpriv: string | null,
    private readonly filter: Buffer | null,
    private readonly systemBinds: readonly string[],
  ) {}

  run(slot: Slot, req: SandboxRequest): Promise<RunOutcome> {
    const args = bwrapArgs(
      {
        bwrap: this.bwrap,
        prlimit: this.prlimit,
        workDir: req.workDir,
        workDirWritable: req.writable ?? true,
        binds: (req.binds ?? []).map((b) => ({ host: b.host, sandbox: `${BOX}/${b.name}` })),
        systemBinds: this.systemBinds,
        env: { ...SANDBOX_ENV, ...req.env },
        limits: req.limits,
        seccomp: this.filter !== null,
      },
      req.argv,
    );
    // As root, bubblewrap itself runs as the slot's UID: a user namespace made by root
    // maps to root, and root ignores RLIMIT_NPROC, so the fork bomb limit would not hold.
    const [command, prefix] =
      slot.uid !== null && this.setpriv
        ? [this.setpriv, [...dropTo(slot.uid), this.bwrap]]
        : [this.bwrap, []];
    return this.spawn({
      command,
      args: [...prefix, ...args],
      cwd: req.workDir,
      env: { PATH: '/usr/bin:/bin' },
      stdin: req.stdin,
      fd3: this.filter ?? undefined,
      signalsAsExitCodes: true,
      limits: req.limits,
    });
  }

  async dispose(): Promise<void> {
    await this.closeSpawner();
    await this.slots.dispose();
  }
}

function dropTo(uid: number): string[] {
  return [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
}

/** No namespaces: rlimits (and, as root, the slot's UID) only. */
class UnsafeRunner implements Sandbox {
  readonly isolated = false;
  constructor(
    readonly slots: SlotPool,
    private readonly spawn: RunProcess,
    private readonly closeSpawner: () => Promise<void>,
    private readonly prlimit: string,
    private readonly setpriv: string | null,
  ) {}

  async run(slot: Slot, req: SandboxRequest): Promise<RunOutcome> {
    for (const b of req.binds ?? []) {
      await symlink(b.host, join(req.workDir, b.name)).catch(() => {});
    }
    const limited = [this.prlimit, ...prlimitArgs(req.limits), '--', ...req.argv.map((a) => unbox(a, req.workDir))];
    const [command, ...args] =
      slot.uid !== null && this.setpriv ? [this.setpriv, ...dropTo(slot.uid), ...limited] : limited;
    return this.spawn({
      command: command!,
      args,
      cwd: req.workDir,
      env: { ...SANDBOX_ENV, HOME: req.workDir, ...req.env },
      stdin: req.stdin,
      signalsAsExitCodes: false,
      limits: req.limits,
    });
  }

  async dispose(): Promise<void> {
    await this.closeSpawner();
    await this.slots.dispose();
  }
}

/** Sandbox paths under /box become host paths in the work directory. */
function unbox(arg: string, workDir: string): string {
  return arg === BOX || arg.startsWith(BOX + '/') ? join(workDir, relative(BOX, arg)) : arg;
}
