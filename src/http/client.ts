// Who is calling and which base URL they used.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
};

/** The requester or grader id: X-Real-IP (set by the proxy in front), else the peer. */
export function clientIp(req: FastifyRequest): string {
  return header(req, 'x-real-ip')?.trim() || req.socket.remoteAddress || '';
}

const HOST = /^[A-Za-z0-9.\-_]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** XQUEUE_PUBLIC_URL, else the scheme and host the client used (forwarded headers only behind a trusted proxy). */
export function baseUrl(req: FastifyRequest, config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const forwardedProto = config.trustProxy ? header(req, 'x-forwarded-proto')?.split(',')[0]?.trim() : undefined;
  const forwardedHost = config.trustProxy ? header(req, 'x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : 'encrypted' in req.socket ? 'https' : 'http';
  const host = [forwardedHost, header(req, 'host')].find((h) => h !== undefined && HOST.test(h)) ?? `${config.bind}:${config.port}`;
  return `${proto}://${host}`;
}
