// Global setup of the "mysql" project: a private MariaDB on loopback (.ci/mariadb.sh),
// unless XQUEUE_TEST_MYSQL_URL names one already running.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): void {
  const url =
    process.env.XQUEUE_TEST_MYSQL_URL ||
    execFileSync('bash', [join(import.meta.dirname, '../../.ci/mariadb.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  project.provide('mysqlUrl', url);
}
