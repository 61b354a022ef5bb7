// multipart/form-data through busboy, with every file streamed to the staging
// directory (fsync'd before it counts) and the limits of spec §1.5 enforced as it reads.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Config } from '../config.js';
import { BadRequestError, BodyTooLargeError } from '../errors.js';
import { decodeUtf8, emptyForm, type Form, type StagedFile } from './form.js';

export async function parseMultipart(
  stream: Readable,
  headers: IncomingHttpHeaders,
  limits: Config['limits'],
  stagingDir: string,
): Promise<Form> {
  const form = emptyForm();
  let invalidUtf8 = false;
  let fieldBytes = 0;
  const pending: Array<Promise<void>> = [];
  const staged: StagedFile[] = [];
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers,
      defParamCharset: 'utf8',
      // Values arrive as latin1 so their bytes can be checked as strict UTF-8 here.
      defCharset: 'latin1',
      // busboy reports a limit when a value *reaches* its size, so allow one byte more:
      // a file of exactly fileBytes is accepted, one byte over is refused.
      limits: { fieldSize: limits.formBytes + 1, fields: limits.fields, files: limits.files, fileSize: limits.fileBytes + 1, parts: limits.fields + limits.files },
    });
  } catch {
    stream.resume();
    throw new BadRequestError();
  }

  const failure = new Promise<never>((_, reject) => {
    const tooLarge = () => reject(new BodyTooLargeError());
    bb.on('partsLimit', tooLarge).on('filesLimit', tooLarge).on('fieldsLimit', tooLarge);
    bb.on('error', () => reject(new BadRequestError()));
    // A part without a name is skipped, as Django's parser does (busboy hands it over with
    // name undefined, and a throw in these handlers would escape as an uncaught exception).
    bb.on('field', (name, value, info) => {
      if (typeof name !== 'string') return;
      fieldBytes += Buffer.byteLength(name) + value.length;
      if (info.valueTruncated || fieldBytes > limits.formBytes) return reject(new BodyTooLargeError());
      const decoded = decodeUtf8(Buffer.from(value, 'latin1'));
      if (decoded === null) invalidUtf8 = true;
      else form.fields.set(name, decoded);
    });
    bb.on('file', (name, file) => {
      if (typeof name !== 'string') {
        // Drained, and its error (a form cut off inside it) swallowed: bb reports that one.
        file.on('error', () => undefined).resume();
        return;
      }
      const path = join(stagingDir, randomUUID());
      const entry = { field: name, path, size: 0 };
      staged.push(entry);
      file.on('data', (chunk: Buffer) => (entry.size += chunk.length));
      file.on('limit', tooLarge);
      const written = pipeline(file, createWriteStream(path)).then(async () => {
        const fh = await open(path, 'r+');
        await fh.sync();
        await fh.close();
      });
      // A form cut off mid-file fails this write before anything awaits it; the outcome is
      // read later through Promise.all/allSettled, so mark it handled now (an unhandled
      // rejection would end the process).
      written.catch(() => undefined);
      pending.push(written);
    });
  });
  const finished = new Promise<void>((resolve) => bb.on('close', resolve));
  stream.pipe(bb);
  try {
    await Promise.race([finished.then(() => Promise.all(pending)), failure]);
  } catch (err) {
    stream.unpipe(bb);
    stream.resume();
    await Promise.allSettled(pending);
    await Promise.all(staged.map((f) => rm(f.path, { force: true })));
    throw err;
  }
  // The last file of a field name wins; earlier ones are dropped.
  const byField = new Map<string, StagedFile>();
  for (const f of staged) {
    const previous = byField.get(f.field);
    if (previous) {
      await rm(previous.path, { force: true });
      byField.delete(f.field);
    }
    byField.set(f.field, f);
  }
  form.files.push(...byField.values());
  return { ...form, invalidUtf8 };
}
