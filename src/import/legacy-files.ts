// A legacy submission's files (spec §4 "Legacy forms", Appendix B): `s3_urls`/`s3_keys`
// JSON maps, possibly moved out to a URL_FOR_EXTERNAL_DICTS document. Each file is copied
// into our store: downloaded when its URL is absolute http(s), read from the legacy
// MEDIA_ROOT (--media-root) when it is a FileSystemStorage path. Bounded in time and size.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore } from '../files/file-store.js';
import { PyDict, pyLoads } from '../protocol/python-json.js';
import type { StoredFile } from '../queue/context.js';

export interface FileSourceOptions {
  /** The legacy MEDIA_ROOT, for relative (FileSystemStorage) URLs. */
  readonly mediaRoot?: string;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** A file named by a legacy row: its field name (the LMS's file name), URL and legacy storage key. */
export interface LegacyFileRef {
  readonly name: string;
  readonly url: string;
  readonly key?: string;
}

export interface FileRefs {
  readonly refs: readonly LegacyFileRef[];
  /** Set when the row held a URL_FOR_EXTERNAL_DICTS pointer; 'not_fetched' when asked not to expand it. */
  readonly external: 'none' | 'expanded' | 'failed' | 'not_fetched';
  readonly problems: readonly string[];
}

const EXTERNAL_URL = 'URL_FOR_EXTERNAL_DICTS';
const EXTERNAL_KEY = 'KEY_FOR_EXTERNAL_DICTS';
const EXTERNAL_DICT_MAX_BYTES = 1024 * 1024;

/** A JSON object of strings, in its stored order; null when the text is not one. */
function stringMap(text: string): Array<[string, string]> | null {
  if (text.trim() === '') return [];
  let v: unknown;
  try {
    v = pyLoads(text);
  } catch {
    return null;
  }
  if (!(v instanceof PyDict)) return null;
  const out: Array<[string, string]> = [];
  for (const [k, val] of v.entries) if (typeof val === 'string') out.push([k, val]);
  return out;
}

const isHttp = (url: string) => /^https?:\/\//i.test(url);

class FetchFailure extends Error {}

/** Why fetch() threw, in a few words: undici hides the reason (ECONNREFUSED, …) in `cause`. */
function fetchReason(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return `fetch failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
}

/** Paths under the media root a legacy URL may name: `<queue>/<key>`, the URL path, and the URL path less a `media/` prefix (Tutor). */
function localCandidates(mediaRoot: string, queue: string, url: string, key: string | undefined): string[] {
  const root = resolve(mediaRoot);
  const rel: string[] = [];
  if (key) rel.push(`${queue}/${key}`);
  if (!isHttp(url)) {
    let path = url.split(/[?#]/)[0] ?? '';
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep it encoded
    }
    path = path.replace(/^\/+/, '');
    rel.push(path);
    const m = /^media\/(.+)$/.exec(path);
    if (m) rel.push(m[1]!);
  }
  return [...new Set(rel)].map((r) => resolve(root, r)).filter((p) => p.startsWith(root + sep));
}

async function existingFile(paths: readonly string[]): Promise<{ path: string; size: number } | null> {
  for (const path of paths) {
    try {
      const s = await stat(path);
      if (s.isFile()) return { path, size: s.size };
    } catch {
      // try the next
    }
  }
  return null;
}

/** Streams `source` into `target`, failing beyond maxBytes. Returns the size. */
async function writeBounded(source: Readable, target: string, maxBytes: number): Promise<number> {
  let size = 0;
  async function* count(chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > maxBytes) throw new FetchFailure(`larger than ${maxBytes} bytes`);
      yield chunk;
    }
  }
  await pipeline(source, count, createWriteStream(target));
  return size;
}

async function download(url: string, target: string, opts: FileSourceOptions): Promise<number> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw new FetchFailure(fetchReason(err, signal, opts.timeoutMs));
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new FetchFailure(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > opts.maxBytes) {
    await res.body.cancel();
    throw new FetchFailure(`larger than ${opts.maxBytes} bytes`);
  }
  try {
    return await writeBounded(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), target, opts.maxBytes);
  } catch (err) {
    if (err instanceof FetchFailure) throw err;
    throw new FetchFailure(signal.aborted ? `no answer within ${opts.timeoutMs} ms` : `download failed: ${(err as Error).message}`);
  }
}

/** The bytes at a legacy URL, small, as text (the external dict document). */
async function readSmall(url: string, queue: string, key: string | undefined, opts: FileSourceOptions): Promise<string> {
  if (opts.mediaRoot) {
    const local = await existingFile(localCandidates(opts.mediaRoot, queue, url, key));
    if (local) {
      if (local.size > EXTERNAL_DICT_MAX_BYTES) throw new FetchFailure('too large');
      return readFile(local.path, 'utf8');
    }
  }
  if (!isHttp(url)) throw new FetchFailure(opts.mediaRoot ? 'not found under --media-root' : 'a relative URL and no --media-root');
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(url, { signal });
    if (res.status !== 200) throw new FetchFailure(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > EXTERNAL_DICT_MAX_BYTES) throw new FetchFailure('too large');
    return text;
  } catch (err) {
    if (err instanceof FetchFailure) throw err;
    throw new FetchFailure(fetchReason(err, signal, opts.timeoutMs));
  }
}

/** The files a row names, with an external dict fetched and expanded. Never throws: problems are returned. */
export async function legacyFileRefs(
  row: { readonly queue_name: string; readonly s3_urls: string; readonly s3_keys: string },
  opts: FileSourceOptions,
  expandExternal = true,
): Promise<FileRefs> {
  const problems: string[] = [];
  let urls = stringMap(row.s3_urls);
  let keys = stringMap(row.s3_keys) ?? [];
  if (urls === null) return { refs: [], external: 'none', problems: [`s3_urls is not a JSON object: ${row.s3_urls.slice(0, 80)}`] };
  let external: FileRefs['external'] = 'none';
  const pointer = urls.find(([k]) => k === EXTERNAL_URL);
  if (pointer) {
    if (!expandExternal) return { refs: [], external: 'not_fetched', problems };
    const externalKey = keys.find(([k]) => k === EXTERNAL_KEY)?.[1];
    try {
      const doc = pyLoads(await readSmall(pointer[1], row.queue_name, externalKey, opts));
      const files = doc instanceof PyDict ? doc.get('files') : undefined;
      if (!(files instanceof PyDict)) throw new FetchFailure('not a {"files": …, "keys": …} document');
      urls = files.entries.filter((e): e is [string, string] => typeof e[1] === 'string');
      const k = doc instanceof PyDict ? doc.get('keys') : undefined;
      keys = k instanceof PyDict ? k.entries.filter((e): e is [string, string] => typeof e[1] === 'string') : [];
      external = 'expanded';
    } catch (err) {
      problems.push(`${EXTERNAL_URL} ${pointer[1]}: ${err instanceof FetchFailure ? err.message : (err as Error).message}`);
      return { refs: [], external: 'failed', problems };
    }
  }
  const keyOf = new Map(keys);
  return { refs: urls.map(([name, url]) => ({ name, url, ...(keyOf.has(name) ? { key: keyOf.get(name)! } : {}) })), external, problems };
}

/**
 * Copies one legacy file into our store under `storageKey`. Throws an Error whose
 * message says why when it cannot (not found, HTTP status, timeout, too large).
 */
export async function copyLegacyFile(
  ref: LegacyFileRef,
  queue: string,
  storageKey: string,
  store: FileStore,
  opts: FileSourceOptions,
): Promise<StoredFile> {
  const staged = join(store.stagingDir, `import-${randomUUID()}`);
  try {
    let size: number;
    const local = opts.mediaRoot ? await existingFile(localCandidates(opts.mediaRoot, queue, ref.url, ref.key)) : null;
    if (local) {
      if (local.size > opts.maxBytes) throw new FetchFailure(`larger than ${opts.maxBytes} bytes`);
      size = await writeBounded(createReadStream(local.path), staged, opts.maxBytes);
    } else if (isHttp(ref.url)) {
      size = await download(ref.url, staged, opts);
    } else {
      throw new FetchFailure(opts.mediaRoot ? 'not found under --media-root' : 'a relative URL: give the legacy MEDIA_ROOT with --media-root');
    }
    await store.put(storageKey, staged);
    return { name: ref.name, key: storageKey, size };
  } finally {
    await rm(staged, { force: true });
  }
}
