// GET /xqueue/get_submission/ (spec §3.6): a grader claims the oldest visible submission.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole, mayUseQueue } from '../../accounts/users.js';
import { protocolError } from '../../errors.js';
import { fileLinksJson } from '../../files/file-links.js';
import type { FileStore } from '../../files/file-store.js';
import { claim, type Claimed } from '../../queue/claim.js';
import { pyDumps } from '../../protocol/python-json.js';
import { MSG, missingParameter, queueEmpty, queueNotFound } from '../../protocol/strings.js';
import type { Config } from '../../config.js';
import { baseUrl, clientIp } from '../client.js';
import type { AppDeps } from '../deps.js';
import { sendError, sendSuccess } from '../reply.js';
import { xqueueRoute } from '../xqueue-route.js';

/** The get_submission content: three strings, each itself JSON (spec §3.6). */
export async function submissionContent(config: Config, store: Pick<FileStore, 'presignedUrl'>, base: string, claimed: Claimed): Promise<string> {
  return pyDumps({
    xqueue_header: pyDumps({ submission_id: claimed.id, submission_key: claimed.pullkey }),
    xqueue_body: claimed.body,
    xqueue_files: await fileLinksJson(config, store, base, claimed),
  });
}

export function getSubmissionRoute(app: FastifyInstance, deps: AppDeps): void {
  const { config, queue: ctx } = deps;
  const known = new Set(config.queues.map((q) => q.name));

  /** Waits for a submit to this queue, the deadline, or the client going away. */
  const waitForWork = (request: FastifyRequest, queue: string, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        request.raw.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = ctx.signals.onSubmitted(queue, done);
      request.raw.once('close', done);
    });

  xqueueRoute(app, deps, '/xqueue/get_submission/', { csrf: true, session: 'grader' }, async (request, reply) => {
    const principal = request.principal!;
    if (request.method !== 'GET') return sendError(reply, protocolError(MSG.getSubmissionNotGet));
    const query = request.query as Record<string, string>;
    const name = query.queue_name;
    if (name === undefined) return sendError(reply, protocolError(missingParameter('get_submission')));
    if (!known.has(name) || !hasRole(principal, 'grader') || !mayUseQueue(principal, name))
      return sendError(reply, protocolError(queueNotFound(name)));

    const requested = query.wait === undefined ? NaN : Number(query.wait);
    const holdMs = Math.min(Number.isFinite(requested) && requested >= 0 ? requested : config.longPoll.defaultMs, config.longPoll.maxMs);
    const deadline = Date.now() + holdMs;
    const graderId = clientIp(request);
    let claimed = await claim(ctx, name, { graderId });
    while (!claimed && Date.now() < deadline && !request.raw.destroyed) {
      // Leases that run out do not signal, so re-check at least every second.
      await waitForWork(request, name, Math.min(deadline - Date.now(), 1000));
      claimed = await claim(ctx, name, { graderId });
    }
    if (!claimed) return sendError(reply, protocolError(queueEmpty(name)));
    request.submissionId = claimed.id;
    return sendSuccess(reply, await submissionContent(config, deps.storage, baseUrl(request, config), claimed));
  });
}
