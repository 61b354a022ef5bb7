// The bubblewrap command line: a new user, pid, net, ipc, uts and cgroup namespace;
// the host's /usr read-only; a private /tmp; the submission's own directory at /box;
// rlimits applied by prlimit inside, so they count against this run's namespace only.
import { lstatSync, readlinkSync } from 'node:fs';
import type { Limits } from './limits.js';

export const BOX = '/box';
export const SANDBOX_UID = 1000;

export interface BwrapOptions {
  readonly bwrap: string;
  readonly prlimit: string;
  readonly workDir: string;
  readonly workDirWritable: boolean;
  /** Host paths bound read-only at sandbox paths, e.g. a course's grader directory. */
  readonly binds: ReadonlyArray<{ readonly host: string; readonly sandbox: string }>;
  /** Extra host directories a toolchain needs (e.g. a node or JDK outside /usr). */
  readonly systemBinds: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly limits: Limits;
  readonly seccomp: boolean;
}

// Merged-/usr systems have these as symlinks; older layouts have real directories.
const ROOT_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
// Only what runtimes read from /etc; never the whole directory (passwd, shadow, ssl keys…).
const ETC_FILES = ['/etc/ld.so.cache', '/etc/alternatives', '/etc/localtime', '/etc/java-17-openjdk', '/etc/java-21-openjdk'];

function rootDirArgs(): string[] {
  const args: string[] = [];
  for (const dir of ROOT_DIRS) {
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
      else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
    } catch {
      // absent on this system
    }
  }
  return args;
}

let rootDirs: string[] | undefined;

export function bwrapArgs(o: BwrapOptions, argv: readonly string[]): string[] {
  rootDirs ??= rootDirArgs();
  const l = o.limits;
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--hostname', 'sandbox',
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_UID),
    '--ro-bind', '/usr', '/usr',
    ...rootDirs,
  ];
  for (const f of ETC_FILES) args.push('--ro-bind-try', f, f);
  for (const d of o.systemBinds) args.push('--ro-bind', d, d);
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--size', String(l.tmpBytes), '--tmpfs', '/tmp');
  args.push(o.workDirWritable ? '--bind' : '--ro-bind', o.workDir, BOX);
  for (const b of o.binds) args.push('--ro-bind', b.host, b.sandbox);
  // bubblewrap's root is a tmpfs; freeze it so only /box and /tmp take writes.
  args.push('--remount-ro', '/');
  args.push('--chdir', BOX, '--clearenv');
  for (const [k, v] of Object.entries(o.env)) args.push('--setenv', k, v);
  if (o.seccomp) args.push('--seccomp', '3');
  args.push('--', o.prlimit, ...prlimitArgs(l), '--', ...argv);
  return args;
}

export function prlimitArgs(l: Limits): string[] {
  const cpu = Math.max(1, Math.ceil(l.cpuSeconds));
  const args = [
    `--cpu=${cpu}:${cpu + 1}`,
    `--fsize=${l.fileSizeBytes}`,
    `--nofile=${l.openFiles}`,
    `--nproc=${l.processes}`,
    '--core=0',
  ];
  if (l.memoryBytes > 0) args.push(`--as=${l.memoryBytes}`);
  return args;
}
