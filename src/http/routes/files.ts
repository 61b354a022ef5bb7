// GET /xqueue/files/<id>/<index>/<name>?expires=…&signature=… (spec §4): the signed,
// expiring links handed to graders. No session: the signature is the credential.
import type { FastifyInstance } from 'fastify';
import { FileLinkError, NotFoundError } from '../../errors.js';
import { FILES_PREFIX, verifyFileLink } from '../../files/signed-link.js';
import type { StoredFile } from '../../queue/context.js';
import type { AppDeps } from '../deps.js';
import { sendError } from '../reply.js';

export function filesRoute(app: FastifyInstance, deps: AppDeps): void {
  const { config, storage, db } = deps;
  app.route({
    method: ['GET', 'HEAD'],
    url: `${FILES_PREFIX}*`,
    handler: async (request, reply) => {
      const raw = request.raw.url ?? '';
      const q = raw.indexOf('?');
      const path = q < 0 ? raw : raw.slice(0, q);
      const query = request.query as Record<string, string>;
      if (!verifyFileLink(config.secretKey, path, query.expires, query.signature, Math.floor(Date.now() / 1000)))
        return sendError(reply, new FileLinkError());
      const m = /^\/xqueue\/files\/(\d{1,15})\/(\d{1,4})\/([^/]+)$/.exec(path);
      if (!m) return sendError(reply, new NotFoundError());
      const id = Number(m[1]);
      request.submissionId = id;
      const row = await db.kysely.selectFrom('submissions').select('files').where('id', '=', id).executeTakeFirst();
      const file = row ? (JSON.parse(row.files) as StoredFile[])[Number(m[2])] : undefined;
      if (!file || encodeURIComponent(file.name) !== m[3]) return sendError(reply, new NotFoundError());
      const stream = await storage.open(file.key);
      if (!stream) return sendError(reply, new NotFoundError());
      reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .header('cache-control', 'private, no-store');
      if (request.method === 'HEAD') {
        stream.destroy();
        return reply.send();
      }
      return reply.send(stream);
    },
  });
}
