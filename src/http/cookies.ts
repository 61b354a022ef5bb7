// The two cookies of a Django login (spec §2.3), written in Django's attribute order.
import { randomInt } from 'node:crypto';
import { parse } from 'cookie';
import type { FastifyRequest } from 'fastify';
import { SESSION_AGE_S } from '../accounts/sessions.js';

export const SESSION_COOKIE = 'sessionid';
const CSRF_AGE_S = 31_449_600;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  try {
    return parse(header)[name];
  } catch {
    return undefined;
  }
}

const expires = (ageS: number) => new Date(Date.now() + ageS * 1000).toUTCString();

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; expires=${expires(SESSION_AGE_S)}; HttpOnly; Max-Age=${SESSION_AGE_S}; Path=/; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** Sent like the legacy server's; xqueue-watcher echoes it back, and nothing checks it. */
export function csrfCookie(secure: boolean): string {
  const token = Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join('');
  return `csrftoken=${token}; expires=${expires(CSRF_AGE_S)}; Max-Age=${CSRF_AGE_S}; Path=/; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export const CLEAR_SESSION_COOKIE = `${SESSION_COOKIE}=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax`;
