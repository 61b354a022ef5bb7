// `xqueue users …` on the database of a running server, checked through real logins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertBuilt, runCli } from './run-cli.js';

const QUEUES = 'openedx,alpha,beta';
let xq: TestServer;
const env = () => ({ XQUEUE_DATA_DIR: xq.dataDir, XQUEUE_QUEUES: QUEUES });
const users = (...args: string[]) => runCli(['users', ...args], env());
/** What `count` prints for this account, or the login failure. */
const countAs = (username: string, password: string, queue: string) =>
  runCli(['submissions', '-u', xq.url, '--username', username, '--password', password, '-q', queue, 'count'], env());
const envelope = (rc: number, content: string | number) =>
  `{\n  "return_code": ${rc},\n  "content": ${typeof content === 'number' ? content : JSON.stringify(content)}\n}\n`;
const refused = () => `xqueue: Could not login to xqueue server at ${xq.url}. Response: 'Incorrect login credentials'\n`;

beforeAll(async () => {
  assertBuilt();
  xq = await startTestServer({ XQUEUE_QUEUES: QUEUES });
});
afterAll(() => xq?.close());

describe('xqueue users (sequential)', () => {
  let password = '';

  it('add generates and prints a password; a grader limited to a queue sees only that queue', async () => {
    const added = await users('add', 'grader1', '--queue', 'alpha');
    expect(added.code).toBe(0);
    const lines = added.stdout.split('\n');
    expect(lines[0]).toBe("added user 'grader1': roles grader; queues alpha");
    password = /^password: (\S{16})$/.exec(lines[1]!)![1]!;

    expect((await countAs('grader1', password, 'nosuch')).stdout).toBe(envelope(1, 'Valid queue names are: alpha'));
    expect((await countAs('grader1', password, 'beta')).stdout).toBe(envelope(1, 'Valid queue names are: alpha'));
    expect((await countAs('grader1', password, 'alpha')).stdout).toBe(envelope(0, 0));
    expect((await countAs('lms', xq.password, 'nosuch')).stdout).toBe(envelope(1, 'Valid queue names are: openedx, alpha, beta'));
  });

  it('list shows names, roles, queues and state as a table', async () => {
    await users('add', 'ingest', '--role', 'submitter', '--role', 'admin', '--password', 'pw-ingest');
    const r = await users('list');
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'NAME     ROLES                   QUEUES  ACTIVE',
        'grader1  grader                  alpha   yes',
        'ingest   submitter,admin         all     yes',
        'lms      submitter,grader,admin  all     yes',
        '',
      ].join('\n'),
    });
  });

  it('passwd replaces the password: the old one no longer logs in', async () => {
    const r = await users('passwd', 'grader1', '--password', 'n3w-pass');
    expect(r).toEqual({ code: 0, stdout: "changed the password of 'grader1'\n", stderr: '' });
    expect((await countAs('grader1', password, 'alpha')).stderr).toBe(refused());
    expect((await countAs('grader1', 'n3w-pass', 'alpha')).stdout).toBe(envelope(0, 0));
  });

  it('set --disable refuses logins, --enable and --all-queues restore them', async () => {
    expect((await users('set', 'grader1', '--disable')).stdout).toBe("updated user 'grader1': roles grader; queues alpha; active no\n");
    expect((await countAs('grader1', 'n3w-pass', 'alpha')).stderr).toBe(refused());
    expect((await users('set', 'grader1', '--enable', '--all-queues')).stdout).toBe(
      "updated user 'grader1': roles grader; queues all; active yes\n",
    );
    expect((await countAs('grader1', 'n3w-pass', 'nosuch')).stdout).toBe(envelope(1, 'Valid queue names are: openedx, alpha, beta'));
  });

  it('remove deletes the account', async () => {
    expect(await users('remove', 'grader1')).toEqual({ code: 0, stdout: "removed user 'grader1'\n", stderr: '' });
    expect((await countAs('grader1', 'n3w-pass', 'alpha')).stderr).toBe(refused());
    expect((await users('list')).stdout).not.toContain('grader1');
  });

  it('refuses, in one line, what it cannot do', async () => {
    expect(await users('add', 'ingest')).toEqual({ code: 1, stdout: '', stderr: "xqueue: user 'ingest' exists; change it with xqueue users set or passwd\n" });
    expect((await users('add', 'x', '--queue', 'gamma')).stderr).toBe(
      "xqueue: unknown queue 'gamma'; the configured queues (XQUEUE_QUEUES) are: openedx, alpha, beta\n",
    );
    const role = await users('add', 'x', '--role', 'root');
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain("'root' is not a role; expected submitter, grader, admin.");
    expect(await users('remove', 'ghost')).toEqual({ code: 1, stdout: '', stderr: "xqueue: no user named 'ghost' (see xqueue users list)\n" });
    expect((await users('passwd', 'ghost')).code).toBe(1);
    expect((await users('add', 'y', '--password', '')).stderr).toBe(
      'xqueue: --password: an empty password is not allowed; omit it to get a generated one\n',
    );
  });

  it('warns that the default account is reset at start', async () => {
    const r = await users('set', 'lms', '--role', 'grader');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: 'lms' is the default account/);
    await users('set', 'lms', '--role', 'submitter,grader,admin');
  });
});
