// A classic-BPF seccomp deny list handed to bubblewrap (--seccomp FD). Namespaces and
// dropped capabilities already stop most of these; the filter removes kernel attack
// surface an unprivileged process can still reach (ptrace, bpf, io_uring, keyrings…).

const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;

// BPF opcodes
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;

/** x86_64 syscall numbers a graded program never needs. */
const DENIED_X86_64: Readonly<Record<string, number>> = {
  ptrace: 101,
  syslog: 103,
  personality: 135,
  vhangup: 153,
  pivot_root: 155,
  adjtimex: 159,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  clock_settime: 227,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  open_tree: 428,
  move_mount: 429,
};

function insn(code: number, jt: number, jf: number, k: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(code, 0);
  b.writeUInt8(jt, 2);
  b.writeUInt8(jf, 3);
  b.writeUInt32LE(k >>> 0, 4);
  return b;
}

/** The compiled filter for this machine, or null where we have no syscall table (not x86_64). */
export function seccompFilter(arch: string = process.arch): Buffer | null {
  if (arch !== 'x64') return null;
  const denied = Object.values(DENIED_X86_64);
  const prog: Buffer[] = [];
  // A foreign architecture (e.g. int 0x80 i386 calls) is killed outright.
  prog.push(insn(LD_W_ABS, 0, 0, 4));
  prog.push(insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
  prog.push(insn(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS));
  prog.push(insn(LD_W_ABS, 0, 0, 0));
  // x32 ABI numbers would bypass the table below.
  const toDeny = denied.length + 1; // instructions between here and the deny return
  prog.push(insn(JGE_K, toDeny, 0, X32_SYSCALL_BIT));
  denied.forEach((nr, i) => prog.push(insn(JEQ_K, denied.length - i, 0, nr)));
  prog.push(insn(RET_K, 0, 0, SECCOMP_RET_ALLOW));
  prog.push(insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM));
  return Buffer.concat(prog);
}
