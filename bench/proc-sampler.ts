// The server's memory and CPU, read from /proc/<pid>/status (VmRSS) and /proc/<pid>/stat
// (utime + stime) every interval through the run, plus marks at the phase boundaries.
// Linux only; elsewhere, or for a pid that is gone, samples are simply absent.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcSample {
  readonly rssBytes: number;
  /** CPU seconds used by the process since it started. */
  readonly cpuSeconds: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function readProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces:
    // index 0 is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    if (!rss || !Number.isFinite(ticks)) return undefined;
    return { rssBytes: Number(rss[1]) * 1024, cpuSeconds: ticks / clockTicks() };
  } catch {
    return undefined;
  }
}

export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  private peakRss = 0;
  private samples = 0;
  readonly marks = new Map<string, ProcSample>();

  constructor(
    readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.mark('start');
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes a sample now and keeps it under `name`. */
  mark(name: string): ProcSample | undefined {
    const s = this.sample();
    if (s) this.marks.set(name, s);
    return s;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get peakRssBytes(): number {
    return this.peakRss;
  }

  get sampleCount(): number {
    return this.samples;
  }

  private sample(): ProcSample | undefined {
    const s = readProc(this.pid);
    if (s) {
      this.samples++;
      if (s.rssBytes > this.peakRss) this.peakRss = s.rssBytes;
    }
    return s;
  }
}
