import { pyString } from './python-json.js';

export const ENVELOPE_CONTENT_TYPE = 'text/html; charset=utf-8';

/** `{"return_code": N, "content": …}` with a string content, as Django's json.dumps wrote it. */
export function envelope(returnCode: 0 | 1, content: string): string {
  return `{"return_code": ${returnCode}, "content": ${pyString(content)}}`;
}

/** The one reply whose content is an integer: get_queuelen. */
export function envelopeInt(content: number): string {
  return `{"return_code": 0, "content": ${content.toFixed(0)}}`;
}
