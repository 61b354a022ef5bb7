// What the LMS sends to /xqueue/submit/ (clients.md §1.2): a form with the header and body
// that capa's CodeResponse builds with Python's json.dumps. Every submission gets its own
// callback path (a distinct user id), since the server retires an older submission with
// the same full callback URL, and its own anonymous student id, which is how a grader,
// who never sees the LMS header, tells the bench which submission it graded.
import { randomBytes } from 'node:crypto';
import { formEncode } from './http-client.js';

export interface LmsSubmission {
  readonly index: number;
  readonly lmsKey: string;
  readonly anonymousStudentId: string;
  /** The callback URL's path, which the fake LMS expects the callback on. */
  readonly callbackPath: string;
  /** The urlencoded request body for /xqueue/submit/. */
  readonly form: string;
}

const COURSE = 'course-v1:Bench+B101+2026';
const GRADER_PAYLOAD = '\n{"grader": "ps02/bisect/grade_bisect.py"}\n';
const RESPONSE = 'def f(x):\n    return x\n';

/** Python json.dumps of a string; enough for the ASCII text the bench builds. */
const pyString = (s: string): string => JSON.stringify(s);

export function makeSubmission(index: number, lmsBaseUrl: string, queue: string, qtime: string): LmsSubmission {
  const lmsKey = randomBytes(16).toString('hex');
  const anonymousStudentId = randomBytes(16).toString('hex');
  const block = `block-v1:Bench+B101+2026+type@problem+block@${(index % 4096).toString(16).padStart(4, '0')}`;
  const callbackPath = `/courses/${COURSE}/xqueue/${index + 1}/${block}/score_update`;
  const header =
    `{"lms_callback_url": ${pyString(lmsBaseUrl + callbackPath)}, "lms_key": "${lmsKey}", ` + `"queue_name": ${pyString(queue)}}`;
  const studentInfo = `{"anonymous_student_id": "${anonymousStudentId}", "submission_time": "${qtime}", "random_seed": 1}`;
  const body =
    `{"grader_payload": ${pyString(GRADER_PAYLOAD)}, "student_info": ${pyString(studentInfo)}, ` +
    `"student_response": ${pyString(RESPONSE)}}`;
  return { index, lmsKey, anonymousStudentId, callbackPath, form: formEncode({ xqueue_header: header, xqueue_body: body }) };
}

/** qtime as the LMS formats it: UTC, %Y%m%d%H%M%S. */
export function qtimeNow(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The reply every bench grader posts (spec §3.7: the shape the LMS expects, key order kept). */
export const GRADER_REPLY = '{"correct": true, "score": 1.0, "msg": "<p>ok</p>"}';
