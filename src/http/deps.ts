import type { Logger } from 'pino';
import type { SessionStore } from '../accounts/sessions.js';
import type { Principal } from '../accounts/users.js';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { FileStore } from '../files/file-store.js';
import type { QueueContext } from '../queue/context.js';
import type { Form } from './form.js';

/** Everything the HTTP layer is given; it constructs nothing of its own. */
export interface AppDeps {
  readonly config: Config;
  readonly db: Db;
  readonly queue: QueueContext;
  readonly sessions: SessionStore;
  readonly storage: FileStore;
  readonly log: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Set by routes that touch one submission, for the request log line. */
    submissionId?: number;
  }
}

export type Body = Form | undefined;
