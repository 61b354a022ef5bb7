// Our own server as a child process, as an operator runs it (`node dist/src/main.js serve`),
// on a free loopback port with a throw-away data dir. Its generated password is read back
// from <data dir>/config.yml. Extra node flags (e.g. --cpu-prof) and XQUEUE_* settings pass
// through. Stopping is SIGTERM, then SIGKILL if it has not exited within the grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import YAML from 'yaml';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** The node flags on the `xqueue` command's #! line: the server is measured as users run it. */
function commandNodeFlags(): string[] {
  const first = readFileSync(MAIN, 'utf8').split('\n', 1)[0]!;
  return /^#!.*\bnode\b(.*)$/.exec(first)?.[1]!.trim().split(/\s+/).filter(Boolean) ?? [];
}
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 15_000;
const STDERR_KEPT = 8 * 1024;

export interface ServerProcessOptions {
  /** Node flags placed before the script, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Settings for the server on top of this process's environment (XQUEUE_*). */
  readonly env?: Readonly<Record<string, string>>;
  /** Keep the data dir after stopping (to look at the database). */
  readonly keepDataDir?: boolean;
}

export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  readonly dataDir: string;
  readonly username: string;
  readonly password: string;
  /** The synchronous level the server runs SQLite with: its setting, or the default FULL; null on MySQL. */
  readonly sqliteSynchronous: string | null;
  /** SIGTERM, wait, SIGKILL after the grace period; resolves with the exit code or signal. */
  stop(): Promise<string>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function readyz(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/readyz`, { timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function exited(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(String(child.exitCode ?? child.signalCode));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
}

export async function startServerProcess(opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'xqueue-bench-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XQUEUE_DATA_DIR: dataDir,
    XQUEUE_BIND: '127.0.0.1',
    XQUEUE_PORT: String(port),
    XQUEUE_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const child = spawn(process.execPath, [...commandNodeFlags(), ...(opts.nodeArgs ?? []), MAIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const url = `http://127.0.0.1:${port}`;
  const cleanup = () => {
    if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const stop = async (): Promise<string> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const result = await Promise.race([exited(child), sleep(STOP_GRACE_MS, undefined, { ref: false })]);
    let outcome = result;
    if (outcome === undefined) {
      child.kill('SIGKILL');
      outcome = `${await exited(child)} (killed after ${STOP_GRACE_MS} ms)`;
    }
    cleanup();
    return outcome;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      cleanup();
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr}`);
    }
    if ((await readyz(url)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready within ${READY_TIMEOUT_MS} ms:\n${stderr}`);
    }
    await sleep(50);
  }

  const file = (YAML.parse(readFileSync(join(dataDir, 'config.yml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const setting = (key: string): string | undefined => env[key] || (file[key] == null ? undefined : String(file[key]));
  return {
    pid: child.pid!,
    url,
    dataDir,
    username: setting('XQUEUE_AUTH_USERNAME') ?? 'lms',
    password: setting('XQUEUE_AUTH_PASSWORD') ?? '',
    sqliteSynchronous: setting('XQUEUE_DATABASE_URL')?.startsWith('mysql:') || setting('MYSQL_HOST')
      ? null
      : (setting('XQUEUE_SQLITE_SYNCHRONOUS') ?? 'FULL').toUpperCase(),
    stop,
  };
}
