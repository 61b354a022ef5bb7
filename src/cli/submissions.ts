// `xqueue submissions [-q QUEUE] [-u URL] count|show|grade …`: the same requests and the
// same stdout as `tutor xqueue submissions` (clients.md §2), a login on every invocation.
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, tutorXqueueUrl, type Config } from '../config.js';
import type { PyFloat } from '../protocol/python-json.js';
import { HttpSession } from './http-session.js';
import { parseClickBool, parsePyFloat } from './submissions-args.js';
import { checkLogin, gradeForm, printable, showResult } from './submissions-output.js';

interface SubmissionsOptions {
  readonly queue: string;
  readonly url?: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeout: number;
}

/** A wildcard bind address is not somewhere to connect to; its loopback is. */
function connectHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '') return '127.0.0.1';
  if (bind === '::' || bind === '[::]') return '[::1]';
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
}

/** The config is read only when a default is needed, so `-u … --username … --password …` touches no data dir. */
function resolve(opts: SubmissionsOptions): { base: string; username: string; password: string } {
  let config: Config | undefined;
  const cfg = () => (config ??= loadConfig());
  const base = opts.url ?? tutorXqueueUrl() ?? cfg().publicUrl ?? `http://${connectHost(cfg().bind)}:${cfg().port}`;
  return {
    base: base.replace(/\/+$/, ''),
    username: opts.username ?? cfg().defaultAccount.username,
    password: opts.password ?? cfg().defaultAccount.password,
  };
}

async function loggedIn(cmd: Command): Promise<{ session: HttpSession; opts: SubmissionsOptions }> {
  const opts = cmd.optsWithGlobals<SubmissionsOptions>();
  const { base, username, password } = resolve(opts);
  const session = new HttpSession(base, opts.timeout * 1000);
  checkLogin(await session.post('/xqueue/login/', { username, password }), base);
  return { session, opts };
}

const print = (text: string) => void process.stdout.write(text);

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds.');
  return n;
}

export function submissionsCommand(): Command {
  const submissions = new Command('submissions')
    .description('inspect and grade submissions over HTTP, as `tutor xqueue submissions` does')
    .option('-q, --queue <QUEUE>', 'queue name', 'openedx')
    .option('-u, --url <URL>', 'server base URL (default: $TUTOR_XQUEUE_URL, else XQUEUE_PUBLIC_URL, else http://XQUEUE_BIND:XQUEUE_PORT)')
    .option('--username <USERNAME>', 'account to log in with (default: XQUEUE_AUTH_USERNAME)')
    .option('--password <PASSWORD>', 'its password (default: XQUEUE_AUTH_PASSWORD)')
    .addOption(new Option('--timeout <SECONDS>', 'give up on a request after this long').default(60).argParser(seconds));

  submissions
    .command('count')
    .description('print the number of submissions waiting in the queue')
    .action(async (_opts: unknown, cmd: Command) => {
      const { session, opts } = await loggedIn(cmd);
      print(printable(await session.get('/xqueue/get_queuelen/', { queue_name: opts.queue })));
    });

  submissions
    .command('show')
    .description('claim the oldest waiting submission and print it (it counts as a pull)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { session, opts } = await loggedIn(cmd);
      print(printable(showResult(await session.get('/xqueue/get_submission/', { queue_name: opts.queue }), session.base)));
    });

  submissions
    .command('grade')
    .description('store a result for a claimed submission')
    .argument('<SUBMISSION_ID>')
    .argument('<SUBMISSION_KEY>')
    .argument('<GRADE>', 'score, a float', parsePyFloat)
    .argument('<CORRECT>', 'true/false, 1/0, yes/no, y/n, t/f or on/off', parseClickBool)
    .argument('<MESSAGE>', 'feedback shown to the learner (HTML)')
    .action(async (id: string, key: string, grade: PyFloat, correct: boolean, message: string, _opts: unknown, cmd: Command) => {
      const { session } = await loggedIn(cmd);
      print(printable(await session.post('/xqueue/put_result/', gradeForm(id, key, grade, correct, message))));
    });

  return submissions;
}
