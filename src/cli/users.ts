// `xqueue users add|list|passwd|set|remove`: accounts and roles (spec §9h), straight
// on the database named by the config; a running server sees changes at the next login.
import { Command, InvalidArgumentError } from 'commander';
import { findUser, isRole, listUsers, removeUser, upsertUser, ROLES, type Role, type UserRecord } from '../accounts/users.js';
import { randomString, type Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { withDb } from './with-db.js';
import { CliError } from './errors.js';
import { table } from './table.js';

const GENERATED_PASSWORD_LENGTH = 16;
const MAX_NAME_LENGTH = 150; // Django's username column

/** `--role a --role b` or `--role a,b`. */
function collectRoles(text: string, previous: Role[] = []): Role[] {
  const roles = text.split(',').map((s) => s.trim());
  for (const r of roles) if (!isRole(r)) throw new InvalidArgumentError(`'${r}' is not a role; expected ${ROLES.join(', ')}.`);
  return [...new Set([...previous, ...(roles as Role[])])];
}

const collect = (text: string, previous: string[] = []) => [...new Set([...previous, ...text.split(',').map((s) => s.trim()).filter(Boolean)])];

function checkQueues(queues: readonly string[] | undefined, config: Config): void {
  const known = config.queues.map((q) => q.name);
  for (const q of queues ?? [])
    if (!known.includes(q)) throw new CliError('usage', `unknown queue '${q}'; the configured queues (XQUEUE_QUEUES) are: ${known.join(', ')}`);
}

function checkName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || /\s/.test(name))
    throw new CliError('usage', `'${name}' is not a valid user name: 1 to ${MAX_NAME_LENGTH} characters, no spaces`);
}

/** The given password, refused when empty, or a generated one. */
function passwordFrom(given: string | undefined): string {
  if (given === '') throw new CliError('usage', '--password: an empty password is not allowed; omit it to get a generated one');
  return given ?? randomString(GENERATED_PASSWORD_LENGTH);
}

async function existing(db: Db, name: string): Promise<UserRecord> {
  const user = await findUser(db.kysely, name);
  if (!user) throw new CliError('user_not_found', `no user named '${name}' (see xqueue users list)`);
  return user;
}

/** The server resets the default account at every start; say so rather than let a change silently revert. */
function warnIfDefault(name: string, config: Config): void {
  if (name === config.defaultAccount.username)
    console.error(
      `note: '${name}' is the default account (XQUEUE_AUTH_USERNAME): serve and migrate reset it from XQUEUE_AUTH_PASSWORD, ` +
        'with every role on every queue; change it with: xqueue config save --set XQUEUE_AUTH_PASSWORD=…',
    );
}

const endSessions = (db: Db, userId: number) => db.kysely.deleteFrom('sessions').where('user_id', '=', userId).execute();

const describe = (u: Pick<UserRecord, 'roles' | 'queues' | 'active'>) =>
  [[...u.roles].join(',') || '(none)', u.queues === null ? 'all' : u.queues.join(',') || '(none)', u.active ? 'yes' : 'no'] as const;

interface AddOptions {
  readonly password?: string;
  readonly role?: Role[];
  readonly queue?: string[];
}

interface SetOptions {
  readonly role?: Role[];
  readonly queue?: string[];
  readonly allQueues?: boolean;
  readonly disable?: boolean;
  readonly enable?: boolean;
}

export function usersCommand(): Command {
  const users = new Command('users').description('manage accounts: submitter, grader (optionally limited to queues), admin');

  users
    .command('add')
    .description('create an account; without --password one is generated and printed')
    .argument('<NAME>')
    .option('--password <PASSWORD>', 'its password')
    .option('--role <ROLE>', `${ROLES.join('|')}; repeatable (default: grader)`, collectRoles)
    .option('--queue <QUEUE>', 'limit the account to this queue; repeatable (default: every queue)', collect)
    .action((name: string, opts: AddOptions) =>
      withDb(async (db, config) => {
        checkName(name);
        checkQueues(opts.queue, config);
        if (await findUser(db.kysely, name)) throw new CliError('user_exists', `user '${name}' exists; change it with xqueue users set or passwd`);
        const password = passwordFrom(opts.password);
        const record = { roles: new Set<Role>(opts.role ?? ['grader']), queues: opts.queue ?? null, active: true };
        await upsertUser(db.kysely, name, { password, roles: [...record.roles], queues: record.queues, active: true });
        const [roles, queues] = describe(record);
        console.log(`added user '${name}': roles ${roles}; queues ${queues}`);
        if (opts.password === undefined) console.log(`password: ${password}`);
      }),
    );

  users
    .command('list')
    .description('list the accounts')
    .action(() =>
      withDb(async (db) => {
        const rows = (await listUsers(db.kysely)).map((u) => [u.username, ...describe(u)]);
        process.stdout.write(table(['NAME', 'ROLES', 'QUEUES', 'ACTIVE'], rows));
      }),
    );

  users
    .command('passwd')
    .description("set an account's password and end its sessions; without --password one is generated and printed")
    .argument('<NAME>')
    .option('--password <PASSWORD>', 'the new password')
    .action((name: string, opts: { password?: string }) =>
      withDb(async (db, config) => {
        const user = await existing(db, name);
        warnIfDefault(name, config);
        const password = passwordFrom(opts.password);
        await upsertUser(db.kysely, name, { password });
        await endSessions(db, user.id);
        console.log(`changed the password of '${name}'`);
        if (opts.password === undefined) console.log(`password: ${password}`);
      }),
    );

  users
    .command('set')
    .description("change an account's roles, queues or state")
    .argument('<NAME>')
    .option('--role <ROLE>', `replace the roles: ${ROLES.join('|')}; repeatable`, collectRoles)
    .option('--queue <QUEUE>', 'replace the queue limits; repeatable', collect)
    .option('--all-queues', 'lift the queue limits')
    .option('--disable', 'refuse its logins and end its sessions')
    .option('--enable', 'allow its logins again')
    .action((name: string, opts: SetOptions) =>
      withDb(async (db, config) => {
        if (opts.disable && opts.enable) throw new CliError('usage', '--disable and --enable exclude each other');
        if (opts.queue && opts.allQueues) throw new CliError('usage', '--queue and --all-queues exclude each other');
        const user = await existing(db, name);
        checkQueues(opts.queue, config);
        warnIfDefault(name, config);
        const active = opts.disable ? false : opts.enable ? true : undefined;
        const queues = opts.allQueues ? null : opts.queue;
        await upsertUser(db.kysely, name, {
          ...(opts.role ? { roles: opts.role } : {}),
          ...(queues !== undefined ? { queues } : {}),
          ...(active !== undefined ? { active } : {}),
        });
        if (active === false) await endSessions(db, user.id);
        const [roles, shownQueues, shownActive] = describe((await findUser(db.kysely, name))!);
        console.log(`updated user '${name}': roles ${roles}; queues ${shownQueues}; active ${shownActive}`);
      }),
    );

  users
    .command('remove')
    .description('delete an account and its sessions')
    .argument('<NAME>')
    .action((name: string) =>
      withDb(async (db, config) => {
        if (!(await removeUser(db.kysely, name))) throw new CliError('user_not_found', `no user named '${name}' (see xqueue users list)`);
        warnIfDefault(name, config);
        console.log(`removed user '${name}'`);
      }),
    );

  return users;
}
