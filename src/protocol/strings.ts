// Every literal the legacy protocol puts on the wire, quoted once (spec §1.4, §3, §6).

export const MSG = {
  loginRequired: 'login_required',
  insufficientLoginInfo: 'Insufficient login info',
  incorrectCredentials: 'Incorrect login credentials',
  loggedIn: 'Logged in',
  goodbye: 'Goodbye',
  statusOk: 'OK',
  submitNotPost: 'Queue requests should use HTTP POST',
  submitInvalidFormat: 'Queue request has invalid format',
  putResultNotPost: "'put_result' must use HTTP POST",
  incorrectReplyFormat: 'Incorrect reply format',
  submissionDoesNotExist: 'Submission does not exist',
  resultAlreadyRecorded: 'Result already recorded for submission',
  incorrectKey: 'Incorrect key for submission',
  getSubmissionNotGet: "'get_submission' must use HTTP GET",
  permissionDenied: 'Permission denied',
  csrfFailed: 'CSRF verification failed. Request aborted.',
  notFound: 'Not Found',
  bodyTooLarge: 'Request body too large',
  headersTooLarge: 'Request header fields too large',
  badRequest: 'Bad request',
  unavailable: 'Service unavailable',
  fileLinkInvalid: 'File link has expired or is invalid',
} as const;

export const missingParameter = (route: 'get_queuelen' | 'get_submission') =>
  `'${route}' must provide parameter 'queue_name'`;
export const queueNotFound = (name: string) => `Queue '${name}' not found`;
export const queueEmpty = (name: string) => `Queue '${name}' is empty`;
export const validQueueNames = (names: readonly string[]) => `Valid queue names are: ${names.join(', ')}`;

/** The legacy failure notice sent to the LMS for a submission that could not be graded (§6). */
export const FAILURE_NOTICE =
  '{"correct": null, "score": 0, "msg": "<div class=\\"capa_alert\\">Your submission could not be graded. ' +
  'Please recheck your submission and try again. If the problem persists, please notify the course staff.</div>"}';
