// `xqueue worker`: pulls from any Xqueue-compatible server and grades in the sandbox.
// Flags win over environment variables; --watcher-config reads an xqueue-watcher
// configuration directory instead of --url/--queue. SIGTERM/SIGINT stop polling and
// finish (grade and post) what is in flight.
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { stopOnSignal } from './stop-on-signal.js';
import { pino } from 'pino';
import { graderEnvironment } from '../config.js';
import { GraderError } from '../grader/errors.js';
import { MAX_LIMITS, type GradeEnv } from '../grader/grade-env.js';
import { defaultLanguages } from '../grader/languages/registry.js';
import { DEFAULT_LIMITS } from '../grader/sandbox/limits.js';
import { createSandbox } from '../grader/sandbox/sandbox.js';
import { loadWatcherConfig } from '../grader/watcher-config.js';
import { Worker, type WorkerOptions } from '../grader/worker.js';

export interface WorkerFlags {
  url?: string;
  username?: string;
  password?: string;
  queue?: string[];
  concurrency?: string;
  graderRoot?: string;
  watcherConfig?: string;
  wait?: string;
  unsafeNoSandbox?: boolean;
  logLevel?: string;
}

export interface WorkerSettings {
  readonly concurrency: number;
  readonly graderRoot: string | null;
  readonly unsafeNoSandbox: boolean;
  readonly logLevel: string;
  readonly worker: Omit<WorkerOptions, 'env' | 'log' | 'transport'>;
  readonly notes: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new GraderError('worker_config', `${name} must be a whole number, got "${raw}"`);
  return n;
}

/** Flags, then environment, then defaults. Pure, so it is tested without starting anything. */
export function workerSettings(flags: WorkerFlags, env: Env): WorkerSettings {
  const waitMs = positiveInt('--wait', flags.wait ?? env.XQUEUE_WORKER_WAIT ?? '10000');
  const graderRoot = flags.graderRoot ?? env.XQUEUE_GRADER_ROOT ?? null;
  const watcherDir = flags.watcherConfig ?? env.XQUEUE_WATCHER_CONFIG;
  const concurrencyRaw = flags.concurrency ?? env.XQUEUE_WORKER_CONCURRENCY;
  const common = {
    unsafeNoSandbox: flags.unsafeNoSandbox === true || truthy(env.XQUEUE_WORKER_UNSAFE_NO_SANDBOX),
    logLevel: flags.logLevel ?? env.XQUEUE_LOG_LEVEL ?? 'info',
    graderRoot,
  };
  if (watcherDir) {
    const conf = loadWatcherConfig(watcherDir, env);
    const connections = conf.watches.reduce((n, w) => n + w.connections, 0);
    return {
      ...common,
      concurrency: concurrencyRaw ? positiveInt('--concurrency', concurrencyRaw) || 1 : connections,
      worker: { watches: conf.watches, waitMs, pollIntervalMs: conf.pollIntervalMs, loginRetryMs: conf.loginRetryMs },
      notes: conf.notes,
    };
  }
  const url = flags.url ?? env.XQUEUE_WORKER_URL ?? 'http://127.0.0.1:8000';
  const username = flags.username ?? env.XQUEUE_WORKER_USERNAME ?? env.XQUEUE_AUTH_USERNAME ?? 'lms';
  const password = flags.password ?? env.XQUEUE_WORKER_PASSWORD ?? env.XQUEUE_AUTH_PASSWORD;
  if (!password) throw new GraderError('worker_config', 'no password: pass --password or set XQUEUE_WORKER_PASSWORD');
  const queues = flags.queue?.length ? flags.queue : (env.XQUEUE_WORKER_QUEUES ?? 'openedx').split(',').map((q) => q.trim()).filter(Boolean);
  // Twice the CPUs: a grade spends much of its time waiting (process start, HTTP), so
  // more slots than cores keeps the cores busy; CPU limits are CPU time, so this is fair.
  const concurrency = concurrencyRaw ? positiveInt('--concurrency', concurrencyRaw) || 1 : 2 * availableParallelism();
  return {
    ...common,
    concurrency,
    worker: {
      // Each queue gets `concurrency` pollers; the sandbox's slots cap how many grade at once.
      watches: queues.map((queue) => ({ server: { url, username, password }, queue, connections: concurrency, handler: {} })),
      waitMs,
    },
    notes: [],
  };
}

const UNSAFE_BANNER =
  '\n*** WARNING: --unsafe-no-sandbox: the sandbox does not work here, and student code will run ***\n' +
  '*** WITHOUT isolation, with the worker\'s own file system and network access. Never do this   ***\n' +
  '*** with code from people you do not trust.                                                  ***\n\n';

export function workerCommand(): Command {
  return new Command('worker')
    .description('pull submissions from an Xqueue server and grade them in a sandbox')
    .option('--url <url>', 'Xqueue server base URL (env XQUEUE_WORKER_URL; default http://127.0.0.1:8000)')
    .option('--username <name>', 'grader account (env XQUEUE_WORKER_USERNAME, else XQUEUE_AUTH_USERNAME; default lms)')
    .option('--password <password>', 'its password (env XQUEUE_WORKER_PASSWORD, else XQUEUE_AUTH_PASSWORD)')
    .option('--queue <name>', 'queue to pull from; repeat for several (env XQUEUE_WORKER_QUEUES, comma-separated; default openedx)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--concurrency <n>', 'submissions graded at once (env XQUEUE_WORKER_CONCURRENCY; default: twice the number of CPUs)')
    .option('--grader-root <dir>', 'root of course grader directories for {"grader": …} payloads (env XQUEUE_GRADER_ROOT)')
    .option('--watcher-config <dir>', 'an xqueue-watcher configuration directory (conf.d/*.json) to use as it is (env XQUEUE_WATCHER_CONFIG)')
    .option('--wait <ms>', 'long-poll hold to ask of the server, ignored by legacy servers; 0 disables (env XQUEUE_WORKER_WAIT; default 10000)')
    .option('--log-level <level>', 'fatal, error, warn, info or debug (env XQUEUE_LOG_LEVEL; default info)')
    .addOption(new Option('--unsafe-no-sandbox', 'DANGEROUS: run student code without isolation if bubblewrap does not work (env XQUEUE_WORKER_UNSAFE_NO_SANDBOX=true)'))
    .action(async (flags: WorkerFlags) => {
      const settings = workerSettings(flags, graderEnvironment());
      const log = pino({ level: settings.logLevel, base: { pid: process.pid }, redact: ['password', '*.password'] });
      for (const note of settings.notes) log.warn({}, note);
      let sandbox;
      try {
        sandbox = await createSandbox({ concurrency: settings.concurrency, unsafeNoSandbox: settings.unsafeNoSandbox });
      } catch (err) {
        if (err instanceof GraderError && err.code === 'sandbox_unavailable') {
          throw new Error(`${err.message}. Refusing to run student code without a sandbox; install bubblewrap, or (dangerous) pass --unsafe-no-sandbox`);
        }
        throw err;
      }
      if (!sandbox.isolated) process.stderr.write(UNSAFE_BANNER);
      const languages = defaultLanguages();
      const env: GradeEnv = { sandbox, languages, limits: DEFAULT_LIMITS, maxLimits: MAX_LIMITS, graderRoot: settings.graderRoot };
      const worker = new Worker({ ...settings.worker, env, log, maxInFlight: settings.concurrency });
      worker.start();
      const names = [...new Set([...languages.values()].map((l) => l.id))];
      log.info(
        { queues: settings.worker.watches.map((w) => `${w.queue}@${w.server.url}`), concurrency: settings.concurrency, languages: names, sandbox: sandbox.isolated ? 'bubblewrap' : 'NONE (unsafe)' },
        'worker started',
      );
      stopOnSignal(log, 'finishing the submissions in hand', async () => {
        await worker.stop();
        await sandbox.dispose();
      });
    });
}
