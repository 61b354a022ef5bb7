// Failures a client must see, each with a stable code. The HTTP layer turns them into
// the Xqueue envelope in one place (http/reply.ts); the CLI prints them in its own way.
import { MSG } from './protocol/strings.js';

export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'permission_denied'
  | 'csrf'
  | 'body_too_large'
  | 'headers_too_large'
  | 'unavailable'
  | 'file_link_invalid'
  | 'config_invalid'
  | 'protocol';

export class XqueueError extends Error {
  /** The HTTP status the error travels with; the protocol's own failures ride on 200. */
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** The envelope's `content`: a legacy string where the protocol has one. */
    readonly content: string,
    status = 200,
  ) {
    super(content);
    this.name = 'XqueueError';
    this.status = status;
  }
}

/** A protocol-level refusal: HTTP 200 with `{"return_code": 1, "content": …}`. */
export const protocolError = (content: string) => new XqueueError('protocol', content);

export class NotFoundError extends XqueueError {
  constructor() {
    super('not_found', MSG.notFound, 404);
  }
}

export class CsrfError extends XqueueError {
  constructor() {
    super('csrf', MSG.csrfFailed, 403);
  }
}

export class BodyTooLargeError extends XqueueError {
  constructor() {
    super('body_too_large', MSG.bodyTooLarge, 413);
  }
}

export class BadRequestError extends XqueueError {
  constructor(detail: string = MSG.badRequest) {
    super('bad_request', detail, 400);
  }
}

/** The database or file storage did not answer; nothing was accepted. */
export class UnavailableError extends XqueueError {
  constructor(readonly reason?: unknown) {
    super('unavailable', MSG.unavailable, 503);
  }
}

export class FileLinkError extends XqueueError {
  constructor() {
    super('file_link_invalid', MSG.fileLinkInvalid, 403);
  }
}

/** A setting with a value it cannot take; the message names the key and what is allowed. */
export class ConfigError extends XqueueError {
  constructor(readonly key: string, allowed: string, got?: string) {
    super('config_invalid', `${key}: ${got === undefined ? '' : `'${got}' is not allowed; `}expected ${allowed}`);
    this.name = 'ConfigError';
  }
}
