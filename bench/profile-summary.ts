#!/usr/bin/env node
// Where the time went in a V8 .cpuprofile (from `node --cpu-prof`): the top self-time
// frames, and self time summed per package or source file. Usage:
//   node dist/bench/profile-summary.js PROFILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A short place for a frame: node_modules/<pkg>/…, node:internal, or the path from dist/. */
function where(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** The package (or node internals, or our own file) a frame belongs to. */
function owner(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return where(url);
}

const CALLER_DEPTH = 4;
const CALLER_PATHS = 3;

/** `name  place:line` for a frame; the key frames are summed under. */
function frameKey(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  return f.url ? `${name}  ${where(f.url)}:${f.lineNumber + 1}` : name;
}

/** `name (file:line)`, short, for caller paths. */
function shortFrame(f: CallFrame): string {
  const file = f.url ? where(f.url).split('/').slice(-2).join('/') : '';
  return `${f.functionName || '(anonymous)'}${file ? ` (${file}:${f.lineNumber + 1})` : ''}`;
}

export function summarise(profile: CpuProfile, top: number, withCallers: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const frames = new Map<string, number>();
  const owners = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const name = f.functionName || '(anonymous)';
    if (name === '(idle)') idle += us;
    const key = frameKey(f);
    frames.set(key, (frames.get(key) ?? 0) + us);
    if (name !== '(idle)') owners.set(owner(f.url), (owners.get(owner(f.url)) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number, of: number) => `${((100 * us) / Math.max(1, of)).toFixed(1)}%`.padStart(6);
  const msOf = (us: number) => `${(us / 1000).toFixed(0)} ms`.padStart(9);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const lines = [
    `profile: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (${pct(busy, total).trim()}), idle ${(idle / 1e6).toFixed(2)} s`,
    '',
    `top ${top} frames by self time (% of busy time):`,
    ...sorted(frames)
      .filter(([k]) => !k.startsWith('(idle)'))
      .slice(0, top)
      .map(([k, us]) => `${msOf(us)} ${pct(us, busy)}  ${k}`),
  ];
  // The heaviest frames are often a native call made from many places (a SQLite step, a
  // socket write): their callers tell which query or route it was.
  for (const [key] of sorted(frames).filter(([k]) => !k.startsWith('(')).slice(0, withCallers)) {
    const paths = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const f = byId.get(id)?.callFrame;
      if (!f || frameKey(f) !== key) continue;
      const chain: string[] = [];
      for (let p = parentOf.get(id), d = 0; p !== undefined && d < CALLER_DEPTH; p = parentOf.get(p), d++) {
        const pf = byId.get(p)!.callFrame;
        if (pf.functionName === '(root)') break;
        chain.push(shortFrame(pf));
      }
      const path = chain.join(' < ') || '(top of stack)';
      paths.set(path, (paths.get(path) ?? 0) + us);
    }
    lines.push('', `callers of ${key}:`, ...sorted(paths).slice(0, CALLER_PATHS).map(([p, us]) => `${msOf(us)} ${pct(us, busy)}  < ${p}`));
  }
  lines.push(
    '',
    'self time by package / file:',
    ...sorted(owners)
      .slice(0, top)
      .map(([k, us]) => `${msOf(us)} ${pct(us, busy)}  ${k}`),
  );
  return lines.join('\n') + '\n';
}

const program = new Command('profile-summary')
  .argument('<profile>', 'a .cpuprofile written by node --cpu-prof')
  .option('--top <n>', 'frames to list', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
    return n;
  }, 25)
  .option('--callers <n>', 'show the heaviest caller paths of this many top frames', (v) => Number(v), 5)
  .action((file: string, o: { top: number; callers: number }) => {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(summarise(profile, o.top, o.callers));
  });
program.parse(process.argv);
