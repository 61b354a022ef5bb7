// buildApp(deps): the HTTP face of the queue. It never listens by itself, so tests and
// main() decide where it runs.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import { NotFoundError, UnavailableError } from '../errors.js';
import { ENVELOPE_CONTENT_TYPE, envelope } from '../protocol/envelope.js';
import { MSG } from '../protocol/strings.js';
import type { AppDeps, Body } from './deps.js';
import { discardStaged, emptyForm, parseQuery, parseUrlEncoded } from './form.js';
import { parseMultipart } from './multipart.js';
import { errorHandler, sendError, toXqueueError } from './reply.js';
import { filesRoute } from './routes/files.js';
import { getSubmissionRoute } from './routes/get-submission.js';
import { healthRoutes } from './routes/health.js';
import { putResultRoute } from './routes/put-result.js';
import { queueLengthRoute } from './routes/queue-length.js';
import { sessionRoutes } from './routes/session.js';
import { submitRoute } from './routes/submit.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** Malformed HTTP never reaches a route; answer it plainly on the socket. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text, content] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', MSG.headersTooLarge] : [400, 'Bad Request', MSG.badRequest];
  const body = envelope(1, content);
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: ${ENVELOPE_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface App {
  readonly fastify: FastifyInstance;
  /** From now on new requests get 503 while in-flight ones finish. */
  beginShutdown(): void;
}

export function buildApp(deps: AppDeps): App {
  const { config, log, storage } = deps;
  let closing = false;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request is written by the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.formBytes,
    routerOptions: { querystringParser: parseQuery, maxParamLength: 2048 },
    exposeHeadRoutes: false,
    return503OnClosing: false,
    clientErrorHandler,
    // Bad percent-encoding in the path (and over-long parameters) would otherwise get
    // Fastify's own JSON body; they get the envelope like every other refusal.
    frameworkErrors: (err, _request, reply) => sendError(reply, toXqueueError(err)),
    forceCloseConnections: 'idle',
  });

  app.decorateRequest('principal', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseUrlEncoded(body as Buffer, config.limits.fields));
    } catch (err) {
      done(err as Error);
    }
  });
  app.addContentTypeParser('multipart/form-data', (req: FastifyRequest, payload: IncomingMessage) =>
    parseMultipart(payload, req.headers, config.limits, storage.stagingDir),
  );
  // JSON and every other body type count as having no fields (spec §1.3).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, emptyForm()));

  app.addHook('onRequest', async (_request, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      return sendError(reply, new UnavailableError());
    }
  });
  // While stopping, every response closes its connection, and connections that fall idle
  // are closed as they do; otherwise a keep-alive socket would hold close() for 72 s.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  // The duration histogram's child per route and status, looked up once: prom-client
  // would otherwise hash the label object on every observation.
  const durations = new Map<string, Histogram.Internal<'route' | 'status'>>();
  app.addHook('onResponse', async (request, reply) => {
    await discardStaged(request.body as Body);
    const route = request.routeOptions.url ?? 'unmatched';
    const key = route + ' ' + reply.statusCode;
    let duration = durations.get(key);
    if (!duration) durations.set(key, (duration = deps.queue.metrics.httpDuration.labels({ route, status: String(reply.statusCode) })));
    duration.observe(reply.elapsedTime / 1000);
    // At the usual warn level the line is not written, so it is not built either.
    if (!log.isLevelEnabled('info')) return;
    request.log.info(
      {
        method: request.method,
        path: request.raw.url?.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        ...(request.principal ? { user: request.principal.username } : {}),
        ...(request.submissionId !== undefined ? { submission: request.submissionId } : {}),
      },
      'request',
    );
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, new NotFoundError()));

  sessionRoutes(app, deps);
  submitRoute(app, deps);
  queueLengthRoute(app, deps);
  getSubmissionRoute(app, deps);
  putResultRoute(app, deps);
  filesRoute(app, deps);
  healthRoutes(app, deps);

  return {
    fastify: app,
    beginShutdown: () => {
      closing = true;
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      // A client that holds a connection open without finishing a request gets a grace period, not forever.
      const cutoff = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      app.server.once('close', () => {
        clearInterval(sweep);
        clearTimeout(cutoff);
      });
    },
  };
}
