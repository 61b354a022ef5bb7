// What an import did (or, with --dry-run, would do): counted as it goes, printed at the end.
import type { ImportKind } from './map-submission.js';

const LISTED = 20;

export interface ImportSummary {
  dryRun: boolean;
  legacy: { unretired: number; retired: number; maxId: number };
  users: {
    imported: number;
    skippedPresent: number;
    disabled: number;
    /** Django's unusable "!…" password: imported, can never log in. */
    unusable: number;
    /** A hasher we do not verify (bcrypt, argon2, md5, …): imported, cannot log in until `xqueue users passwd`. */
    unsupportedHash: string[];
  };
  submissions: {
    imported: Record<ImportKind, number>;
    skippedPresent: number;
    /** Retired in legacy and left there (no --include-retired). */
    skippedRetired: number;
    /** Our database already holds a different submission under the legacy id: not imported. */
    conflicts: number[];
    /** Result callbacks queued for the LMS (the `result` kind). */
    callbacksQueued: number;
  };
  files: {
    copied: number;
    /** With --dry-run: files that would be copied (not fetched). */
    referenced: number;
    failed: Array<{ id: number; name: string; reason: string }>;
    externalExpanded: number;
    externalFailed: Array<{ id: number; reason: string }>;
  };
  /** Queue names not in XQUEUE_QUEUES → submissions imported into them. */
  unknownQueues: Record<string, number>;
  warnings: string[];
}

export function emptySummary(dryRun: boolean): ImportSummary {
  return {
    dryRun,
    legacy: { unretired: 0, retired: 0, maxId: 0 },
    users: { imported: 0, skippedPresent: 0, disabled: 0, unusable: 0, unsupportedHash: [] },
    submissions: {
      imported: { visible: 0, pulled: 0, result: 0, acked: 0, retired: 0 },
      skippedPresent: 0,
      skippedRetired: 0,
      conflicts: [],
      callbacksQueued: 0,
    },
    files: { copied: 0, referenced: 0, failed: [], externalExpanded: 0, externalFailed: [] },
    unknownQueues: {},
    warnings: [],
  };
}

export const importedTotal = (s: ImportSummary) => Object.values(s.submissions.imported).reduce((a, b) => a + b, 0);

function listed<T>(items: readonly T[], show: (t: T) => string): string[] {
  const lines = items.slice(0, LISTED).map((t) => `    ${show(t)}`);
  if (items.length > LISTED) lines.push(`    … and ${items.length - LISTED} more`);
  return lines;
}

/** The summary as the operator reads it. */
export function formatSummary(s: ImportSummary): string {
  const would = s.dryRun ? 'would import' : 'imported';
  const k = s.submissions.imported;
  const lines = [
    s.dryRun ? 'Dry run: nothing was written.' : 'Import finished.',
    `legacy database: ${s.legacy.unretired} unretired and ${s.legacy.retired} retired submissions (highest id ${s.legacy.maxId})`,
    `users: ${would} ${s.users.imported}, skipped ${s.users.skippedPresent} already present` +
      ` (of those imported: ${s.users.disabled} disabled, ${s.users.unusable} with an unusable password)`,
    `submissions: ${would} ${importedTotal(s)}: ${k.visible} waiting, ${k.pulled} pulled but never answered (queued again),` +
      ` ${k.result} graded awaiting delivery to the LMS, ${k.acked} graded and delivered, ${k.retired} retired`,
    `submissions: skipped ${s.submissions.skippedPresent} already present, ${s.submissions.skippedRetired} retired in legacy` +
      (s.submissions.skippedRetired > 0 ? ' (bring them with --include-retired)' : ''),
    `callbacks: ${s.dryRun ? 'would queue' : 'queued'} ${s.submissions.callbacksQueued} result deliveries to the LMS`,
    s.dryRun
      ? `files: would copy ${s.files.referenced} (not fetched in a dry run)`
      : `files: copied ${s.files.copied}, failed ${s.files.failed.length}`,
  ];
  if (s.files.externalExpanded + s.files.externalFailed.length > 0)
    lines.push(`external file maps (URL_FOR_EXTERNAL_DICTS): expanded ${s.files.externalExpanded}, failed ${s.files.externalFailed.length}`);
  if (s.files.failed.length > 0) {
    lines.push('  files not copied (the submissions were imported without them):');
    lines.push(...listed(s.files.failed, (f) => `submission ${f.id} '${f.name}': ${f.reason}`));
  }
  if (s.files.externalFailed.length > 0) {
    lines.push('  external file maps not fetched (the submissions were imported without files):');
    lines.push(...listed(s.files.externalFailed, (f) => `submission ${f.id}: ${f.reason}`));
  }
  const unknown = Object.entries(s.unknownQueues);
  if (unknown.length > 0) {
    lines.push('WARNING: queues not in XQUEUE_QUEUES (imported; not served until configured):');
    lines.push(...listed(unknown, ([q, n]) => `'${q}': ${n} submissions`));
  }
  if (s.users.unsupportedHash.length > 0) {
    lines.push('WARNING: users whose password hash is not pbkdf2_sha256/sha1 (imported; set a password with xqueue users passwd):');
    lines.push(...listed(s.users.unsupportedHash, (u) => u));
  }
  if (s.submissions.conflicts.length > 0) {
    lines.push('ERROR: ids already used by other submissions in this database (NOT imported):');
    lines.push(...listed(s.submissions.conflicts, (id) => `submission ${id}`));
  }
  if (s.warnings.length > 0) {
    lines.push('notes:');
    lines.push(...listed(s.warnings, (w) => w));
  }
  if (!s.dryRun && importedTotal(s) === 0 && s.users.imported === 0) lines.push('Nothing new to import.');
  return lines.join('\n') + '\n';
}
