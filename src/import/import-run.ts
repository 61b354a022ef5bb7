// `xqueue import`: a legacy openedx/xqueue database → ours (spec Appendix B). Users
// first, then submissions in id batches: each batch's new rows, their copied files and
// their pending callbacks commit in one transaction. Ids are kept, so a second run
// finds every row present and imports nothing; the legacy database is only read.
import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { nowUs } from '../clock.js';
import type { Config } from '../config.js';
import { connect, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';
import { transact } from '../db/transact.js';
import type { FileStore } from '../files/file-store.js';
import { enqueueCallback } from '../outbox/enqueue.js';
import type { StoredFile } from '../queue/context.js';
import { adjustUnretired } from '../queue/counts.js';
import { ImportError } from './import-error.js';
import { importUsers } from './import-users.js';
import { copyLegacyFile, legacyFileRefs, type FileSourceOptions } from './legacy-files.js';
import { LegacyReader, type LegacySubmission } from './legacy-reader.js';
import { mapSubmission, type MappedSubmission } from './map-submission.js';
import { progress } from './progress.js';
import { reserveIdsThrough } from './sequence.js';
import { emptySummary, type ImportSummary } from './summary.js';

export interface ImportOptions {
  /** mysql://user:pass@host:port/legacydb */
  readonly from: string;
  readonly dryRun: boolean;
  /** Rows read and committed per batch. */
  readonly batch: number;
  readonly includeRetired: boolean;
  /** The legacy MEDIA_ROOT, for FileSystemStorage files. */
  readonly mediaRoot?: string;
  /** Per file; the legacy get_submission used 2 s for its external maps. */
  readonly fileTimeoutMs?: number;
}

export interface ImportDeps {
  readonly config: Config;
  /** Our file store; only opened when files are to be copied. */
  readonly openStore: () => Promise<FileStore>;
  readonly progressStream?: NodeJS.WriteStream;
}

const FILE_CONCURRENCY = 8;

/** Runs fn over items with at most `limit` at a time, keeping the order of results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Our database for a dry run, opened without writing anything: null when it does not
 * exist yet or has no tables (then everything would be imported).
 */
async function openForReading(config: Config): Promise<Db | null> {
  const url = config.database.url;
  if (url.startsWith('sqlite:') && !existsSync(url.slice('sqlite:'.length))) return null;
  const db = connect(config.database);
  const tables = await db.kysely.introspection.getTables();
  if (tables.some((t) => t.name === 'submissions') && tables.some((t) => t.name === 'users')) return db;
  await db.close();
  return null;
}

async function openForWriting(config: Config): Promise<Db> {
  const db = connect(config.database);
  const { error } = await migrateToLatest(db.kysely, db.caps);
  if (error) {
    await db.close();
    throw new ImportError('target_not_ready', `cannot migrate our database: ${(error as Error).message ?? String(error)}`);
  }
  return db;
}

/** Which of these ids our database holds already, with the header each was stored with. */
async function presentIds(db: Kysely<Database> | null, ids: readonly number[]): Promise<Map<number, string>> {
  if (!db || ids.length === 0) return new Map();
  const rows = await db.selectFrom('submissions').select(['id', 'xqueue_header']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.xqueue_header]));
}

export async function runImport(opts: ImportOptions, deps: ImportDeps): Promise<ImportSummary> {
  const summary = emptySummary(opts.dryRun);
  const reader = await LegacyReader.open(opts.from);
  let db: Db | null = null;
  try {
    summary.warnings.push(...(await reader.checkSchema()));
    const counts = await reader.counts();
    summary.legacy = counts;
    db = opts.dryRun ? await openForReading(deps.config) : await openForWriting(deps.config);

    await importUsers(reader, db?.kysely ?? null, !opts.dryRun, summary);

    if (!opts.includeRetired) summary.submissions.skippedRetired = counts.retired;
    const known = new Set(deps.config.queues.map((q) => q.name));
    const sources: FileSourceOptions = {
      ...(opts.mediaRoot ? { mediaRoot: opts.mediaRoot } : {}),
      maxBytes: deps.config.limits.fileBytes,
      timeoutMs: opts.fileTimeoutMs ?? 2000,
    };
    let store: FileStore | undefined;
    const bar = progress('importing submissions', counts.unretired + (opts.includeRetired ? counts.retired : 0), deps.progressStream);

    for (let after = 0; ; ) {
      const rows = await reader.submissionsAfter(after, opts.batch, opts.includeRetired);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const present = await presentIds(db?.kysely ?? null, rows.map((r) => r.id));
      const fresh: LegacySubmission[] = [];
      for (const r of rows) {
        const header = present.get(r.id);
        if (header === undefined) fresh.push(r);
        else if (header === r.xqueue_header) summary.submissions.skippedPresent++;
        else summary.submissions.conflicts.push(r.id);
      }
      if (fresh.length > 0 && !opts.dryRun) store ??= await deps.openStore();
      const now = nowUs();
      const mapped = await mapLimit(fresh, FILE_CONCURRENCY, async (r): Promise<MappedSubmission> => {
        const files = await filesOf(r, sources, store, summary);
        return mapSubmission(r, files, now);
      });
      for (const m of mapped) {
        summary.submissions.imported[m.kind]++;
        if (m.callbackBody !== undefined) summary.submissions.callbacksQueued++;
        if (!known.has(m.row.queue_name)) summary.unknownQueues[m.row.queue_name] = (summary.unknownQueues[m.row.queue_name] ?? 0) + 1;
        for (const w of m.warnings) summary.warnings.push(`submission ${m.row.id}: ${w}`);
      }
      if (!opts.dryRun && db && mapped.length > 0) {
        const target = db;
        // Queue length reads a per-queue counter of unretired submissions (queue/counts.ts),
        // which every insert of an unretired row must move in the same transaction.
        const unretired = new Map<string, number>();
        for (const m of mapped) if (m.row.retired === 0) unretired.set(m.row.queue_name, (unretired.get(m.row.queue_name) ?? 0) + 1);
        await transact(target.kysely, target.caps, async (trx) => {
          for (const [queue, n] of unretired) await adjustUnretired(trx, target.caps, queue, n);
          for (const m of mapped) {
            await trx.insertInto('submissions').values(m.row).execute();
            if (m.callbackBody !== undefined)
              await enqueueCallback(
                trx,
                { id: m.row.id, lms_callback_url: m.row.lms_callback_url, xqueue_header: m.row.xqueue_header },
                'result',
                m.callbackBody,
                now,
              );
          }
        });
      }
      bar.tick(rows.length);
    }
    bar.done();
    if (!opts.dryRun && db && counts.maxId > 0) await reserveIdsThrough(db.kysely, db.caps, counts.maxId);
    return summary;
  } finally {
    await reader.close().catch(() => {});
    await db?.close();
  }
}

/** Copies a row's files into our store (or, in a dry run, only counts them); failures go to the summary. */
async function filesOf(r: LegacySubmission, sources: FileSourceOptions, store: FileStore | undefined, summary: ImportSummary): Promise<StoredFile[]> {
  const found = await legacyFileRefs(r, sources, store !== undefined);
  if (found.external === 'expanded') summary.files.externalExpanded++;
  if (found.external === 'failed') summary.files.externalFailed.push({ id: r.id, reason: found.problems.join('; ') });
  else for (const p of found.problems) summary.warnings.push(`submission ${r.id}: ${p}`);
  if (found.external === 'not_fetched') summary.warnings.push(`submission ${r.id}: its files are listed behind URL_FOR_EXTERNAL_DICTS (fetched by the real run)`);
  if (!store) {
    summary.files.referenced += found.refs.length;
    return [];
  }
  const files: StoredFile[] = [];
  for (const [i, ref] of found.refs.entries()) {
    try {
      // Named by submission and position, so a re-run after a crash overwrites instead of leaking.
      files.push(await copyLegacyFile(ref, r.queue_name, `imported/${r.id}/${i}`, store, sources));
      summary.files.copied++;
    } catch (err) {
      summary.files.failed.push({ id: r.id, name: ref.name, reason: (err as Error).message });
    }
  }
  return files;
}
