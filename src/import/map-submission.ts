// A legacy row → our submission record (spec Appendix B). Pure: files are resolved
// elsewhere and handed in; the caller decides whether the row is new.
import type { Insertable } from 'kysely';
import type { SubmissionTable } from '../db/schema.js';
import { callbackHash } from '../queue/submit.js';
import type { StoredFile } from '../queue/context.js';
import type { LegacySubmission } from './legacy-reader.js';

/**
 * How a row comes over:
 * - `visible`: unretired, never pulled; graders get it.
 * - `pulled`: unretired, pulled but never answered; visible again at once, pull_count 1,
 *   its pull key kept so a grader still working on it can put_result.
 * - `result`: unretired with a grader reply the LMS never acknowledged; stored as a
 *   result with a pending callback.
 * - `acked`: unretired with a reply the LMS acknowledged (a row legacy left inconsistent); retired, no callback.
 * - `retired`: retired in legacy (only with --include-retired); kept for the record, no delivery.
 */
export type ImportKind = 'visible' | 'pulled' | 'result' | 'acked' | 'retired';
export const IMPORT_KINDS: readonly ImportKind[] = ['visible', 'pulled', 'result', 'acked', 'retired'];

export interface MappedSubmission {
  readonly kind: ImportKind;
  readonly row: Insertable<SubmissionTable> & { id: number };
  /** Set for `result`: the reply to send to the LMS. */
  readonly callbackBody?: string;
  /** Row-level notes for the summary (the header could not be read, a time was invalid, …). */
  readonly warnings: readonly string[];
}

/** 'YYYY-MM-DD hh:mm:ss[.ffffff]', naive UTC (Django USE_TZ with MySQL) → µs since the epoch; null when absent or zero. */
export function legacyTimeToUs(text: string | null): number | null {
  if (text === null) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y === 0) return null; // MySQL's zero date
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (!Number.isFinite(ms)) return null;
  return ms * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
}

/** The full callback URL from the header JSON; the column holds only its first 128 characters. */
export function callbackUrlOf(legacy: Pick<LegacySubmission, 'xqueue_header' | 'lms_callback_url'>): { url: string; fromHeader: boolean } {
  try {
    const h = JSON.parse(legacy.xqueue_header) as unknown;
    if (typeof h === 'object' && h !== null && !Array.isArray(h)) {
      const url = (h as Record<string, unknown>).lms_callback_url;
      if (typeof url === 'string' && url.length > 0) return { url, fromHeader: true };
    }
  } catch {
    // fall through to the column
  }
  return { url: legacy.lms_callback_url, fromHeader: false };
}

export function kindOf(legacy: Pick<LegacySubmission, 'retired' | 'grader_reply' | 'lms_ack' | 'pull_time'>): ImportKind {
  if (legacy.retired) return 'retired';
  if (legacy.grader_reply !== '') return legacy.lms_ack ? 'acked' : 'result';
  return legacy.pull_time !== null ? 'pulled' : 'visible';
}

const PULLKEY = /^[0-9a-f]{32}$/;

export function mapSubmission(legacy: LegacySubmission, files: readonly StoredFile[], nowUs: number): MappedSubmission {
  const warnings: string[] = [];
  const kind = kindOf(legacy);
  const { url, fromHeader } = callbackUrlOf(legacy);
  if (!fromHeader) warnings.push('its header has no lms_callback_url: the 128-character column was used');
  let arrival = legacyTimeToUs(legacy.arrival_time);
  if (arrival === null) {
    warnings.push(`arrival_time '${legacy.arrival_time ?? 'NULL'}' is not a time: it is queued as the oldest`);
    arrival = 0;
  }
  const pullTime = legacyTimeToUs(legacy.pull_time);
  const pullkey = PULLKEY.test(legacy.pullkey) ? legacy.pullkey : '';
  const base = {
    id: legacy.id,
    queue_name: legacy.queue_name,
    requester_id: legacy.requester_id,
    lms_callback_url: url,
    callback_hash: callbackHash(url),
    xqueue_header: legacy.xqueue_header,
    xqueue_body: legacy.xqueue_body,
    files: JSON.stringify(files),
    arrival_time: arrival,
    pull_time: pullTime,
    push_time: legacyTimeToUs(legacy.push_time),
    return_time: legacyTimeToUs(legacy.return_time),
    // Visible at once: whatever lease the legacy server had in mind is not carried over.
    lease_until: null,
    pull_count: pullTime !== null ? 1 : 0,
    grader_id: legacy.grader_id,
    num_failures: legacy.num_failures,
    lms_ack: legacy.lms_ack ? 1 : 0,
  };
  switch (kind) {
    case 'visible':
    case 'pulled':
      return { kind, warnings, row: { ...base, pullkey, grader_reply: null, result_key: null, retired: 0, retire_reason: null } };
    case 'result':
      return {
        kind,
        warnings,
        callbackBody: legacy.grader_reply,
        row: {
          ...base,
          return_time: base.return_time ?? nowUs,
          pull_count: Math.max(base.pull_count, 1),
          pullkey: '',
          // The key it was answered under, so the same grader repeating its put_result gets "" again.
          result_key: pullkey || null,
          grader_reply: legacy.grader_reply,
          retired: 1,
          retire_reason: 'result',
        },
      };
    case 'acked':
      return {
        kind,
        warnings,
        row: { ...base, pullkey: '', result_key: pullkey || null, grader_reply: legacy.grader_reply, retired: 1, retire_reason: 'result' },
      };
    case 'retired':
      return {
        kind,
        warnings,
        row: {
          ...base,
          pullkey: '',
          result_key: null,
          grader_reply: legacy.grader_reply === '' ? null : legacy.grader_reply,
          retired: 1,
          retire_reason: 'imported',
        },
      };
  }
}
