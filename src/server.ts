// The running server: the HTTP app plus the loops that keep the queue moving (outbox
// delivery, push dispatch, the poison sweeper). main() and the tests both build it here.
import type { Logger } from 'pino';
import { SessionStore } from './accounts/sessions.js';
import { ensureDefaultAccount } from './accounts/users.js';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import type { FileStore } from './files/file-store.js';
import { buildApp, type App } from './http/app.js';
import { createMetrics } from './observability/metrics.js';
import { OutboxDeliverer } from './outbox/deliverer.js';
import { PushDispatcher } from './push/dispatcher.js';
import type { QueueContext } from './queue/context.js';
import { Signals } from './queue/signals.js';
import { sweepPoison } from './queue/sweep.js';

export interface ServerDeps {
  readonly config: Config;
  readonly db: Db;
  readonly storage: FileStore;
  readonly log: Logger;
}

export interface Server {
  readonly app: App;
  readonly queue: QueueContext;
  /** Listens on the configured address; returns the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests and deliveries, then closes the database. */
  close(): Promise<void>;
}

const SESSION_PURGE_EVERY = 360;

/** Migrates, makes sure the default account exists, and wires the server together. */
export async function createServer(deps: ServerDeps): Promise<Server> {
  const { config, db, log } = deps;
  const migration = await migrateToLatest(db.kysely, db.caps);
  if (migration.error) throw migration.error;
  await ensureDefaultAccount(db.kysely, config.defaultAccount.username, config.defaultAccount.password);

  const queue: QueueContext = { db: db.kysely, caps: db.caps, config, metrics: createMetrics(), signals: new Signals() };
  const sessions = new SessionStore(db.kysely);
  const app = buildApp({ ...deps, queue, sessions });
  const deliverer = new OutboxDeliverer(queue, log);
  let pusher: PushDispatcher | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let sweeps = 0;

  const sweep = async () => {
    try {
      const n = await sweepPoison(queue);
      if (n > 0) log.warn({ retired: n }, 'retired poison submissions (lease ran out at the pull limit)');
      if (++sweeps % SESSION_PURGE_EVERY === 0) await sessions.purgeExpired();
    } catch (err) {
      log.error({ err }, 'sweep failed; will retry');
    }
  };

  return {
    app,
    queue,
    async listen() {
      await app.fastify.listen({ host: config.bind, port: config.port });
      const address = app.fastify.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.bind.includes(':') ? `[${config.bind}]` : config.bind;
      const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
      deliverer.start();
      pusher = new PushDispatcher(queue, log, deps.storage, config.publicUrl ?? url);
      pusher.start();
      sweeper = setInterval(() => void sweep(), config.sweepIntervalMs);
      return url;
    },
    async close() {
      app.beginShutdown();
      clearInterval(sweeper);
      await app.fastify.close();
      await pusher?.stop();
      await deliverer.stop();
      await db.close();
    },
  };
}
