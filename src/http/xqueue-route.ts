// Registers one legacy route with the checks of spec §3 in their order: missing slash
// (301), CSRF (403), session (302), role; the handler then checks method and parameters.
// The checks run before the body is read, so no one uploads anything unauthenticated.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { hasRole, type Role } from '../accounts/users.js';
import { CsrfError } from '../errors.js';
import { MSG } from '../protocol/strings.js';
import type { AppDeps } from './deps.js';
import { readCookie } from './cookies.js';
import { loginRedirect } from './login-redirect.js';
import { sendEnvelope, sendError, sendRedirect } from './reply.js';

export const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RouteRules {
  /** Django's CSRF check on unsafe methods (status, get_queuelen, get_submission). */
  readonly csrf?: boolean;
  /** login_required; with a role, the account must hold it. */
  readonly session?: boolean | Role;
}

import { SESSION_COOKIE } from './cookies.js';

export function xqueueRoute(
  app: FastifyInstance,
  deps: AppDeps,
  path: `/xqueue/${string}/`,
  rules: RouteRules,
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void {
  const bare = path.slice(0, -1);
  app.route({
    method: ALL_METHODS,
    url: bare,
    handler: async (request, reply) => {
      const raw = request.raw.url ?? bare;
      const q = raw.indexOf('?');
      return sendRedirect(reply, 301, path + (q < 0 ? '' : raw.slice(q)));
    },
  });
  app.route({
    method: ALL_METHODS,
    url: path,
    onRequest: async (request, reply) => {
      if (rules.csrf && UNSAFE.has(request.method)) return sendError(reply, new CsrfError());
      if (!rules.session) return;
      reply.header('vary', 'Cookie');
      const principal = await deps.sessions.principal(readCookie(request, SESSION_COOKIE));
      if (!principal) return sendRedirect(reply, 302, loginRedirect(request.raw.url ?? path));
      request.principal = principal;
      if (typeof rules.session === 'string' && !hasRole(principal, rules.session))
        return sendEnvelope(reply, 1, MSG.permissionDenied);
    },
    handler,
  });
}
