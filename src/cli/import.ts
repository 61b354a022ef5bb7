// `xqueue import --from mysql://…`: brings a legacy openedx/xqueue database's unretired
// submissions and its users into the configured database (docs/import.md).
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import { openFileStore } from '../files/open-store.js';
import { runImport } from '../import/import-run.js';
import { importedTotal, formatSummary } from '../import/summary.js';

interface ImportCliOptions {
  readonly from: string;
  readonly dryRun?: boolean;
  readonly batch: number;
  readonly includeRetired?: boolean;
  readonly mediaRoot?: string;
  readonly json?: boolean;
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('an integer from 1 to 10000');
  return n;
}

export function importCommand(): Command {
  return new Command('import')
    .description('import users and unretired submissions from a legacy Xqueue (Django) MySQL database; safe to run again')
    .requiredOption('--from <URL>', 'the legacy database: mysql://user:pass@host:port/dbname (only read)')
    .option('--dry-run', 'read and report what would be imported; write nothing')
    .option('--batch <N>', 'rows read and committed per batch', positive, 500)
    .option('--include-retired', 'also bring retired submissions over, as retired (a record only; nothing is delivered)')
    .option('--media-root <DIR>', "the legacy MEDIA_ROOT, to copy files stored on the legacy server's disk")
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (opts: ImportCliOptions) => {
      const config = loadConfig();
      const summary = await runImport(
        {
          from: opts.from,
          dryRun: opts.dryRun === true,
          batch: opts.batch,
          includeRetired: opts.includeRetired === true,
          ...(opts.mediaRoot ? { mediaRoot: opts.mediaRoot } : {}),
        },
        { config, openStore: () => openFileStore(config) },
      );
      process.stdout.write(opts.json ? JSON.stringify({ ...summary, importedTotal: importedTotal(summary) }, null, 2) + '\n' : formatSummary(summary));
      // A conflict is a legacy submission left behind: make the run fail so it is noticed.
      if (summary.submissions.conflicts.length > 0) process.exitCode = 1;
    });
}
