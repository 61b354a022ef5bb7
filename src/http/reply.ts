// The one place where outcomes become Xqueue replies: envelopes, statuses, and every
// error (ours, Fastify's, the database's) mapped so no input yields a 500 or HTML.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, BodyTooLargeError, UnavailableError, XqueueError } from '../errors.js';
import { ENVELOPE_CONTENT_TYPE, envelope, envelopeInt } from '../protocol/envelope.js';
import { TooManyFieldsError } from './form.js';

export function sendEnvelope(reply: FastifyReply, returnCode: 0 | 1, content: string, status = 200): FastifyReply {
  return reply.code(status).header('content-type', ENVELOPE_CONTENT_TYPE).send(envelope(returnCode, content));
}

export function sendSuccess(reply: FastifyReply, content: string | number): FastifyReply {
  const body = typeof content === 'number' ? envelopeInt(content) : envelope(0, content);
  return reply.code(200).header('content-type', ENVELOPE_CONTENT_TYPE).send(body);
}

export function sendError(reply: FastifyReply, err: XqueueError): FastifyReply {
  return sendEnvelope(reply, 1, err.content, err.status);
}

/** An empty-bodied redirect, as Django sent them. */
export function sendRedirect(reply: FastifyReply, status: 301 | 302, location: string): FastifyReply {
  return reply.code(status).header('location', location).header('content-type', ENVELOPE_CONTENT_TYPE).send('');
}

const DATABASE_DOWN = /SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)|ECONNREFUSED|ECONNRESET|PROTOCOL_CONNECTION_LOST|ER_LOCK_WAIT_TIMEOUT|ER_LOCK_DEADLOCK|ETIMEDOUT|ENOSPC|EROFS|EACCES/;

/** Turns anything thrown into an XqueueError; unknown failures are treated as an outage, and logged. */
export function toXqueueError(err: unknown): XqueueError {
  if (err instanceof XqueueError) return err;
  if (err instanceof TooManyFieldsError) return new BodyTooLargeError();
  const e = err as Partial<FastifyError> & { code?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return new BodyTooLargeError();
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new BadRequestError();
  return new UnavailableError(err);
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = toXqueueError(err);
  if (mapped instanceof UnavailableError) {
    const code = (err as { code?: string }).code ?? '';
    request.log.error({ err, expected: DATABASE_DOWN.test(code + String(err)) }, 'request failed: service unavailable');
  }
  return sendError(reply, mapped);
}
