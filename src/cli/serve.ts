// `xqueue serve` (and `npm start`): data dir, migrations, default account, listen, and a
// clean stop on SIGINT/SIGTERM that finishes what is in flight.
import { join } from 'node:path';
import { Command } from 'commander';
import { stopOnSignal } from './stop-on-signal.js';
import { loadConfig } from '../config.js';
import { connect } from '../db/connect.js';
import { openFileStore } from '../files/open-store.js';
import { CONFIG_FILE } from '../config.js';

export function serveCommand(): Command {
  return new Command('serve').description('run the Xqueue server').action(async () => {
    // Loaded here, not at the top: every other command starts without the server's modules.
    const [{ createServer }, { createLogger }] = await Promise.all([import('../server.js'), import('../observability/logger.js')]);
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const db = connect(config.database);
    const storage = await openFileStore(config);
    const server = await createServer({ config, db, storage, log });
    const url = await server.listen();
    const shown = config.publicUrl ?? url;
    process.stdout.write(
      [
        '',
        `Xqueue is serving at ${shown}/xqueue/`,
        `  username: ${config.defaultAccount.username}`,
        `  password: kept in ${join(config.dataDir, CONFIG_FILE)} (XQUEUE_AUTH_PASSWORD); print it with: npm run xqueue -- config printvalue XQUEUE_AUTH_PASSWORD`,
        `  queues:   ${config.queues.map((q) => (q.pushUrl ? `${q.name} (push to ${q.pushUrl})` : q.name)).join(', ')}`,
        `  health:   ${shown}/healthz  ${shown}/readyz  ${shown}/metrics`,
        '',
      ].join('\n') + '\n',
    );
    stopOnSignal(log, 'finishing in-flight requests', () => server.close());
  });
}
