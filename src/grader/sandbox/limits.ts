// Resource limits for one sandboxed process tree.

export interface Limits {
  /** CPU seconds (RLIMIT_CPU soft; the hard limit is one second later). */
  readonly cpuSeconds: number;
  /** Wall-clock budget; past it the whole sandbox is killed. */
  readonly wallMs: number;
  /** Address space (RLIMIT_AS). 0 leaves it unlimited, for runtimes that reserve huge ranges. */
  readonly memoryBytes: number;
  /** Largest file the program may write (RLIMIT_FSIZE). */
  readonly fileSizeBytes: number;
  /** Open file descriptors (RLIMIT_NOFILE). */
  readonly openFiles: number;
  /** Processes and threads; counted per run, since every run gets its own user namespace. */
  readonly processes: number;
  /** Bytes kept of stdout and of stderr each; more than this is an output-limit verdict. */
  readonly outputBytes: number;
  /** Size of the private /tmp tmpfs. */
  readonly tmpBytes: number;
}

export const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Limits = Object.freeze({
  cpuSeconds: 2,
  wallMs: 5_000,
  memoryBytes: 256 * MiB,
  fileSizeBytes: 16 * MiB,
  openFiles: 64,
  processes: 32,
  outputBytes: 1 * MiB,
  tmpBytes: 32 * MiB,
});

export function withLimits(base: Limits, overrides: Partial<Limits> | undefined): Limits {
  return Object.freeze({ ...base, ...overrides });
}
