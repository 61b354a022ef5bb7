// What get_submission hands a grader: the reply header (echoed back verbatim in
// put_result) and the LMS body with its grader_payload and student_response.

export interface PulledSubmission {
  /** xqueue_header exactly as received: {"submission_id": …, "submission_key": …}. */
  readonly header: string;
  /** xqueue_body as received. */
  readonly body: string;
  /** Parsed from the body; null when the body is not the LMS shape (explained to the learner). */
  readonly lms: { readonly graderPayload: string; readonly studentResponse: string } | null;
  /** Why `lms` is null. */
  readonly bodyProblem?: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Parses get_submission's `content` (a JSON string). Returns null if even the header is unusable. */
export function parseSubmission(content: string): PulledSubmission | null {
  let outer: unknown;
  try {
    outer = JSON.parse(content);
  } catch {
    return null;
  }
  if (!isObject(outer) || typeof outer.xqueue_header !== 'string') return null;
  const body = typeof outer.xqueue_body === 'string' ? outer.xqueue_body : '';
  let files: Record<string, string> = {};
  try {
    const f: unknown = JSON.parse(typeof outer.xqueue_files === 'string' ? outer.xqueue_files : '{}');
    if (isObject(f)) files = Object.fromEntries(Object.entries(f).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // files are optional for every grader kind
  }
  const base = { header: outer.xqueue_header, body, files };
  let lms: unknown;
  try {
    lms = JSON.parse(body);
  } catch {
    return { ...base, lms: null, bodyProblem: 'the submission body is not valid JSON' };
  }
  if (!isObject(lms)) return { ...base, lms: null, bodyProblem: 'the submission body is not a JSON object' };
  const payload = lms.grader_payload;
  if (typeof payload !== 'string') return { ...base, lms: null, bodyProblem: 'the submission has no grader_payload' };
  const response = lms.student_response;
  return {
    ...base,
    lms: { graderPayload: payload, studentResponse: typeof response === 'string' ? response : response == null ? '' : JSON.stringify(response) },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
