#!/usr/bin/env -S node --max-semi-space-size=4
// The `xqueue` command. Each sub-command lives in cli/; errors a user must see are
// printed as one line and exit non-zero, never as a stack trace. The node flag above keeps
// V8's young generation at 2 × 4 MiB instead of 2 × 16: about 25 MiB less resident memory
// under load, at no cost the bench can see (docs/bench.md); `npm start` runs this file.
import { Command } from 'commander';
import { XqueueError } from './errors.js';
import { callbacksCommand } from './cli/callbacks.js';
import { configCommand } from './cli/config.js';
import { importCommand } from './cli/import.js';
import { migrateCommand } from './cli/migrate.js';
import { serveCommand } from './cli/serve.js';
import { submissionsCommand } from './cli/submissions.js';
import { usersCommand } from './cli/users.js';
import { workerCommand } from './cli/worker.js';

const program = new Command('xqueue')
  .description('Xqueue server, grader and operator tools for Open edX')
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(migrateCommand())
  .addCommand(submissionsCommand())
  .addCommand(configCommand())
  .addCommand(usersCommand())
  .addCommand(callbacksCommand())
  .addCommand(workerCommand())
  .addCommand(importCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof XqueueError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`xqueue: ${message}\n`);
  process.exit(1);
});
