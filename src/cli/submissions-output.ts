// What `xqueue submissions` prints, byte for byte as `tutor xqueue submissions` does:
// json.dumps(result, indent=2) of the reply, or of the decoded submission for `show`.
import { PyDict, PyFloat, pyDumps, pyLoads, type PyValue } from '../protocol/python-json.js';
import { CliError } from './errors.js';

/** Python dict semantics for a parsed object: a repeated key keeps its first place and its last value. */
export function asPython(value: PyValue): PyValue {
  if (Array.isArray(value)) return value.map(asPython);
  if (!(value instanceof PyDict)) return value;
  const merged = new Map<string, PyValue>();
  for (const [k, v] of value.entries) merged.set(k, asPython(v));
  return new PyDict([...merged]);
}

export const printable = (value: PyValue) => pyDumps(asPython(value), 2) + '\n';

/** Python's str() of a reply value, as an f-string would show it. */
function pyStr(value: PyValue | undefined): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return pyDumps(value);
}

function dictOf(value: PyValue, what: string): PyDict {
  if (value instanceof PyDict) return asPython(value) as PyDict;
  throw new CliError('unexpected_reply', `${what} is not a JSON object: ${pyDumps(value).slice(0, 80)}`);
}

function field(dict: PyDict, key: string, what: string): PyValue {
  const value = dict.get(key);
  if (value === undefined) throw new CliError('unexpected_reply', `${what} has no '${key}'`);
  return value;
}

function loads(value: PyValue, what: string): PyValue {
  if (typeof value !== 'string') throw new CliError('unexpected_reply', `${what} is not a string of JSON`);
  try {
    return pyLoads(value);
  } catch {
    throw new CliError('unexpected_reply', `${what} is not valid JSON: ${value.slice(0, 80)}`);
  }
}

/** Throws unless the login reply's content is exactly "Logged in". */
export function checkLogin(reply: PyValue, base: string): void {
  const content = dictOf(reply, 'the login reply').get('content');
  if (content !== 'Logged in')
    throw new CliError('login_failed', `Could not login to xqueue server at ${base}. Response: '${pyStr(content)}'`);
}

const isZero = (v: PyValue) => v === 0 || v === 0n || v === false || (v instanceof PyFloat && v.value === 0);

/**
 * The `show` result: an error reply as it came, else {id, key, body, files, return_code}
 * decoded from the nested strings, with relative file paths prefixed by `{base}/`.
 * A body that is not JSON is shown as the string it is, where Tutor would crash.
 */
export function showResult(reply: PyValue, base: string): PyValue {
  const envelope = dictOf(reply, 'the get_submission reply');
  const returnCode = field(envelope, 'return_code', 'the get_submission reply');
  if (!isZero(returnCode)) return envelope;
  const data = dictOf(loads(field(envelope, 'content', 'the get_submission reply'), 'its content'), 'its content');
  const header = dictOf(loads(field(data, 'xqueue_header', 'the submission'), 'xqueue_header'), 'xqueue_header');
  const files = dictOf(loads(field(data, 'xqueue_files', 'the submission'), 'xqueue_files'), 'xqueue_files');
  const rawBody = field(data, 'xqueue_body', 'the submission');
  let body: PyValue = rawBody;
  try {
    if (typeof rawBody === 'string') body = asPython(pyLoads(rawBody));
  } catch {
    body = rawBody;
  }
  return new PyDict([
    ['id', field(header, 'submission_id', 'xqueue_header')],
    ['key', field(header, 'submission_key', 'xqueue_header')],
    ['body', body],
    [
      'files',
      new PyDict(files.entries.map(([name, url]) => [name, typeof url === 'string' && !url.startsWith('http') ? `${base}/${url}` : url])),
    ],
    ['return_code', returnCode],
  ]);
}

/** The two fields of put_result, as Tutor's json.dumps writes them. */
export function gradeForm(id: string, key: string, grade: PyFloat, correct: boolean, message: string): Record<string, string> {
  return {
    xqueue_header: pyDumps(new PyDict([['submission_id', id], ['submission_key', key]])),
    xqueue_body: pyDumps(new PyDict([['correct', correct], ['score', grade], ['msg', message]])),
  };
}
