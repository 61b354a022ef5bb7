// GET /xqueue/get_queuelen/ (spec §3.5).
import type { FastifyInstance } from 'fastify';
import { mayUseQueue } from '../../accounts/users.js';
import { nowUs } from '../../clock.js';
import { protocolError } from '../../errors.js';
import { visibleCount } from '../../queue/counts.js';
import { missingParameter, validQueueNames } from '../../protocol/strings.js';
import type { AppDeps } from '../deps.js';
import { sendError, sendSuccess } from '../reply.js';
import { xqueueRoute } from '../xqueue-route.js';

export function queueLengthRoute(app: FastifyInstance, deps: AppDeps): void {
  const names = deps.config.queues.map((q) => q.name);
  xqueueRoute(app, deps, '/xqueue/get_queuelen/', { csrf: true, session: true }, async (request, reply) => {
    const principal = request.principal!;
    const name = (request.query as Record<string, string>).queue_name;
    if (name === undefined) return sendError(reply, protocolError(missingParameter('get_queuelen')));
    const visible = names.filter((n) => mayUseQueue(principal, n));
    if (!visible.includes(name)) return sendError(reply, protocolError(validQueueNames(visible)));
    return sendSuccess(reply, await visibleCount(deps.queue.db, name, nowUs()));
  });
}
