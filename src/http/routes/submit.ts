// POST /xqueue/submit/ (spec §3.4): the LMS hands over a learner's answer.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { mayUseQueue } from '../../accounts/users.js';
import { protocolError, UnavailableError } from '../../errors.js';
import type { StoredFile } from '../../queue/context.js';
import { parseLmsHeader } from '../../queue/lms-header.js';
import { submit } from '../../queue/submit.js';
import { MSG, queueNotFound } from '../../protocol/strings.js';
import { clientIp } from '../client.js';
import { discardStaged } from '../form.js';
import type { AppDeps, Body } from '../deps.js';
import { sendError, sendSuccess } from '../reply.js';
import { xqueueRoute } from '../xqueue-route.js';

export function submitRoute(app: FastifyInstance, deps: AppDeps): void {
  const { config, storage, queue: ctx } = deps;
  const known = new Set(config.queues.map((q) => q.name));

  xqueueRoute(app, deps, '/xqueue/submit/', { session: 'submitter' }, async (request, reply) => {
    if (request.method !== 'POST') return sendError(reply, protocolError(MSG.submitNotPost));
    const form = request.body as Body;
    const header = form?.fields.get('xqueue_header');
    const body = form?.fields.get('xqueue_body');
    if (!form || form.invalidUtf8 || header === undefined || body === undefined) {
      request.log.info('submit: invalid format (missing field or not UTF-8)');
      return sendError(reply, protocolError(MSG.submitInvalidFormat));
    }
    let lms;
    try {
      lms = parseLmsHeader(header, config.limits.headerChars);
    } catch (err) {
      request.log.info('submit: invalid xqueue_header');
      throw err;
    }
    if (!known.has(lms.queueName) || !mayUseQueue(request.principal!, lms.queueName))
      return sendError(reply, protocolError(queueNotFound(lms.queueName)));

    // Files are durable before the row that names them commits (spec §4).
    const files: StoredFile[] = [];
    try {
      // Each staged file leaves the form only once stored, so a failure leaves the rest to discard.
      while (form.files.length > 0) {
        const staged = form.files[0]!;
        const key = `${lms.queueName}/${randomUUID()}`;
        await storage.put(key, staged.path);
        form.files.shift();
        files.push({ name: staged.field, key, size: staged.size });
      }
    } catch (err) {
      await Promise.allSettled([discardStaged(form), ...files.map((f) => storage.remove(f.key))]);
      throw new UnavailableError(err);
    }
    try {
      const { id, queueLength } = await submit(ctx, {
        queueName: lms.queueName,
        callbackUrl: lms.callbackUrl,
        requesterId: clientIp(request),
        header,
        body,
        files,
      });
      request.submissionId = id;
      return sendSuccess(reply, String(queueLength));
    } catch (err) {
      await Promise.allSettled(files.map((f) => storage.remove(f.key)));
      throw err;
    }
  });
}
