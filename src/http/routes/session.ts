// /xqueue/login/ and /xqueue/logout/ (spec §3.1, §3.2).
import type { FastifyInstance } from 'fastify';
import { burnVerification, hashPassword, verifyPassword } from '../../accounts/password.js';
import { LoginCache } from '../../accounts/login-cache.js';
import { findUser, upsertUser } from '../../accounts/users.js';
import { MSG } from '../../protocol/strings.js';
import { CLEAR_SESSION_COOKIE, csrfCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../cookies.js';
import type { AppDeps, Body } from '../deps.js';
import { sendEnvelope, sendSuccess } from '../reply.js';
import { xqueueRoute } from '../xqueue-route.js';

export function sessionRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { db, sessions, config } = deps;
  const logins = new LoginCache();

  xqueueRoute(app, deps, '/xqueue/login/', {}, async (request, reply) => {
    if (request.method !== 'POST') return sendEnvelope(reply, 1, MSG.loginRequired);
    const form = request.body as Body;
    const username = form?.fields.get('username');
    const password = form?.fields.get('password');
    if (!form || form.invalidUtf8 || username === undefined || password === undefined)
      return sendEnvelope(reply, 1, MSG.insufficientLoginInfo);
    const user = await findUser(db.kysely, username);
    if (!user) {
      await burnVerification(password);
      return sendEnvelope(reply, 1, MSG.incorrectCredentials);
    }
    const check = logins.hit(username, password, user.passwordHash) ? { ok: true, rehash: false } : await verifyPassword(password, user.passwordHash);
    if (!check.ok || !user.active) return sendEnvelope(reply, 1, MSG.incorrectCredentials);
    if (check.rehash) await upsertUser(db.kysely, username, { passwordHash: await hashPassword(password) });
    else logins.remember(username, password, user.passwordHash);
    const token = await sessions.create(user.id);
    reply.header('set-cookie', [sessionCookie(token, config.sessionCookieSecure), csrfCookie(config.sessionCookieSecure)]);
    reply.header('vary', 'Cookie');
    request.log.info({ user: username }, 'logged in');
    return sendSuccess(reply, MSG.loggedIn);
  });

  xqueueRoute(app, deps, '/xqueue/logout/', {}, async (request, reply) => {
    if (await sessions.destroy(readCookie(request, SESSION_COOKIE))) reply.header('set-cookie', CLEAR_SESSION_COOKIE);
    return sendSuccess(reply, MSG.goodbye);
  });

  xqueueRoute(app, deps, '/xqueue/status/', { csrf: true }, async (_request, reply) => sendSuccess(reply, MSG.statusOk));
}
