// /healthz, /readyz and /metrics (spec §9i): no session, beside the legacy routes.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { nowUs } from '../../clock.js';
import { isMigrated } from '../../db/migrate.js';
import type { AppDeps } from '../deps.js';
import { collectGauges } from '../../observability/gauges.js';

export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { db, storage, config, queue } = deps;

  app.get('/healthz', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));

  app.get('/readyz', async (request, reply) => {
    const checks: Record<string, boolean> = { database: false, migrations: false, storage: false };
    try {
      await sql`select 1`.execute(db.kysely);
      checks.database = true;
      checks.migrations = await isMigrated(db.kysely, db.caps);
    } catch (err) {
      request.log.warn({ err }, 'readyz: database check failed');
    }
    checks.storage = await storage.writable();
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).type('application/json').send(JSON.stringify({ ready, checks }) + '\n');
  });

  app.get('/metrics', async (request, reply) => {
    if (config.metricsToken && request.headers.authorization !== `Bearer ${config.metricsToken}`)
      return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain; charset=utf-8').send('unauthorized\n');
    await collectGauges(queue, nowUs());
    return reply.type(queue.metrics.registry.contentType).send(await queue.metrics.registry.metrics());
  });
}
