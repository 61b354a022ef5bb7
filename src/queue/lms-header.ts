// The LMS's xqueue_header (spec §3.4): a JSON object naming the callback URL, the key
// and the queue. It is stored verbatim; only these three keys are read from it.
import { protocolError } from '../errors.js';
import { parseJsonObject } from '../protocol/json-object.js';
import { MSG } from '../protocol/strings.js';
import { PyDict, pyFloatRepr, pyLoads, PyFloat, type PyValue } from '../protocol/python-json.js';

export interface LmsHeader {
  readonly callbackUrl: string;
  readonly queueName: string;
}

const invalid = () => protocolError(MSG.submitInvalidFormat);

/** Python's str() of a JSON scalar, which is how the legacy server named a non-string queue. */
function pythonStr(v: PyValue | undefined): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  // str() of a float is its repr, except that overflowed literals (1e400) print as inf.
  if (v instanceof PyFloat) return Number.isFinite(v.value) ? pyFloatRepr(v.value) : v.value > 0 ? 'inf' : '-inf';
  return String(v);
}

export function parseLmsHeader(text: string, maxChars: number): LmsHeader {
  if (text.length > maxChars) throw invalid();
  const h = parseJsonObject(text);
  if (!h) throw invalid();
  if (!('lms_callback_url' in h) || !('lms_key' in h) || !('queue_name' in h)) throw invalid();
  if (typeof h.lms_callback_url !== 'string') throw invalid();
  const q = h.queue_name;
  if (typeof q === 'object' && q !== null) throw invalid();
  // A number or boolean is rendered as Python would; re-read exactly so 5.0 stays "5.0".
  const queueName = typeof q === 'string' ? q : pythonStr((pyLoads(text) as PyDict).get('queue_name'));
  return { callbackUrl: h.lms_callback_url, queueName };
}
