// POST /xqueue/put_result/ (spec §3.7): a grader's result, stored before we say yes.
import type { FastifyInstance } from 'fastify';
import { mayUseQueue } from '../../accounts/users.js';
import { protocolError } from '../../errors.js';
import { isLmsShaped, parseGraderHeader, putResult } from '../../queue/put-result.js';
import { MSG } from '../../protocol/strings.js';
import type { AppDeps, Body } from '../deps.js';
import { sendError, sendSuccess } from '../reply.js';
import { xqueueRoute } from '../xqueue-route.js';

export function putResultRoute(app: FastifyInstance, deps: AppDeps): void {
  xqueueRoute(app, deps, '/xqueue/put_result/', { session: 'grader' }, async (request, reply) => {
    const principal = request.principal!;
    if (request.method !== 'POST') return sendError(reply, protocolError(MSG.putResultNotPost));
    const form = request.body as Body;
    const header = form?.fields.get('xqueue_header');
    const body = form?.fields.get('xqueue_body');
    if (!form || form.invalidUtf8 || header === undefined || body === undefined)
      return sendError(reply, protocolError(MSG.incorrectReplyFormat));
    const graderReply = parseGraderHeader(header, body);
    request.submissionId = graderReply.submissionId;
    const { queue, duplicate } = await putResult(deps.queue, graderReply, (q) => mayUseQueue(principal, q));
    if (!duplicate && !isLmsShaped(body)) {
      deps.queue.metrics.unexpectedReplies.inc({ queue });
      request.log.warn('put_result: reply is not {correct, score, msg}; forwarded as is');
    }
    return sendSuccess(reply, '');
  });
}
