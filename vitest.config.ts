import { execFileSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

// The integration and conformance suites run once per database. MariaDB is used when
// XQUEUE_TEST_MYSQL_URL is set or mariadbd is installed (CI installs it); otherwise the
// MySQL pass is announced as not run, never skipped silently.
const hasMariadb = (() => {
  if (process.env.XQUEUE_TEST_MYSQL_URL) return true;
  try {
    execFileSync('sh', ['-c', 'command -v mariadbd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasMariadb)
  console.warn('\n*** MariaDB not found: the MySQL pass of the suite is NOT run (install mariadb-server or set XQUEUE_TEST_MYSQL_URL) ***\n');

const overDatabases = ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      ...(hasMariadb
        ? [
            {
              extends: true,
              test: {
                name: 'mysql',
                include: overDatabases,
                env: { XQUEUE_TEST_DB: 'mysql' },
                globalSetup: ['test/helpers/mariadb-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
