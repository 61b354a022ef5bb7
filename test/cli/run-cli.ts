// Runs the built `xqueue` command as a child process, as an operator would, with only
// the environment the test gives it (plus PATH), and collects its output.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

/** The sources these tests exercise; others' work in progress elsewhere does not block them. */
const CHECKED = [
  'src/main.ts',
  'src/config.ts',
  ...['config', 'errors', 'http-session', 'submissions', 'submissions-args', 'submissions-output', 'table', 'users'].map((f) => `src/cli/${f}.ts`),
];

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails early and clearly when dist/ is missing or older than the CLI sources. */
export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm run build` first');
  for (const src of CHECKED) {
    const built = join(ROOT, 'dist', src.replace(/\.ts$/, '.js'));
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, src)).mtimeMs)
      throw new Error(`${built} is older than ${src}: run \`npm run build\` first`);
  }
}

export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}
