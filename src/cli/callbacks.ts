// `xqueue callbacks list|resend`: LMS callbacks that could not be delivered are kept as
// `failed`; an operator lists them and, once the LMS is fixed, sends them again.
import { Command, InvalidArgumentError } from 'commander';
import type { OutboxState } from '../db/schema.js';
import { listCallbacks, resendCallbacks } from '../outbox/admin.js';
import { table } from './table.js';
import { withDb } from './with-db.js';

const STATES: readonly OutboxState[] = ['failed', 'pending', 'delivered'];

function state(text: string): OutboxState {
  if (!(STATES as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${STATES.join(', ')}`);
  return text as OutboxState;
}

function id(text: string, previous: number[] = []): number[] {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('expected a submission id');
  return [...previous, Number(text)];
}

export function callbacksCommand(): Command {
  const cmd = new Command('callbacks').description('LMS callbacks: list the undelivered, send failed ones again');
  cmd
    .command('list')
    .description('list callbacks in a state (default: failed)')
    .option('--state <state>', 'failed, pending or delivered', state, 'failed')
    .option('--limit <n>', 'at most this many', (v) => Number(v), 100)
    .action(async (opts: { state: OutboxState; limit: number }) => {
      const rows = await withDb((db) => listCallbacks(db.kysely, opts.state, opts.limit));
      if (rows.length === 0) return void process.stdout.write(`no ${opts.state} callbacks\n`);
      process.stdout.write(
        table(
          ['SUBMISSION', 'KIND', 'ATTEMPTS', 'SINCE', 'LAST ERROR', 'URL'],
          rows.map((r) => [
            String(r.submissionId),
            r.kind,
            String(r.attempts),
            new Date(r.createdAt / 1000).toISOString(),
            r.lastError ?? '',
            r.url,
          ]),
        ),
      );
    });
  cmd
    .command('resend')
    .description('send failed callbacks again: the ids given, or all with --all')
    .argument('[ids...]', 'submission ids', (v: string, prev: number[]) => id(v, prev))
    .option('--all', 'every failed callback')
    .action(async (ids: number[] | undefined, opts: { all?: boolean }) => {
      if (!opts.all && (!ids || ids.length === 0)) throw new InvalidArgumentError('name submission ids, or --all');
      const n = await withDb((db) => resendCallbacks(db.kysely, opts.all ? [] : (ids ?? [])));
      process.stdout.write(`${n} callback${n === 1 ? '' : 's'} queued for delivery\n`);
    });
  return cmd;
}
