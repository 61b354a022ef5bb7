// A real server on 127.0.0.1, port 0, with a private data dir: what every integration test runs against.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadRawConfig, parseConfig, type Config } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { openFileStore } from '../../src/files/open-store.js';
import { createServer, type Server } from '../../src/server.js';
import { afterAll, beforeAll } from 'vitest';
import { testDatabase } from './database.js';
import { startFakeLms, type FakeLms } from './fake-lms.js';

export interface TestServer {
  readonly url: string;
  readonly config: Config;
  readonly server: Server;
  readonly dataDir: string;
  /** The default account's password. */
  readonly password: string;
  close(): Promise<void>;
}

export function testDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'xqueue-test-'));
}

export async function startTestServer(env: Record<string, string> = {}, dataDir = testDataDir()): Promise<TestServer> {
  const database = await testDatabase();
  const raw = loadRawConfig(
    { XQUEUE_PORT: '0', XQUEUE_LOG_LEVEL: 'silent', XQUEUE_SQLITE_SYNCHRONOUS: 'NORMAL', ...database.env, ...env },
    dataDir,
  );
  const config = parseConfig(raw, dataDir);
  const log = pino({ level: process.env.XQUEUE_TEST_LOG ?? 'silent' });
  const db = connect(config.database);
  const storage = await openFileStore(config);
  const server = await createServer({ config, db, storage, log });
  const url = await server.listen();
  let closed = false;
  return {
    url,
    config,
    server,
    dataDir,
    password: config.defaultAccount.password,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A server and a fake LMS shared by the tests of one file: started before them, closed
 * after. Read `.xq` and `.lms` inside the tests.
 */
export function serverWithLms(env: Record<string, string> = {}): { readonly xq: TestServer; readonly lms: FakeLms } {
  let xq: TestServer | undefined;
  let lms: FakeLms | undefined;
  beforeAll(async () => {
    xq = await startTestServer(env);
    lms = await startFakeLms();
  });
  afterAll(async () => {
    await xq?.close();
    await lms?.close();
  });
  return {
    get xq() {
      return xq!;
    },
    get lms() {
      return lms!;
    },
  };
}
