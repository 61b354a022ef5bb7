// Text that goes into the LMS's XML parser: escaped, without the C0 controls and
// other code points XML 1.0 forbids (html.escape leaves them, and the LMS then
// fails to parse the message), and cut to a readable length with a visible marker.

export const TRUNCATION_MARKER = '...OUTPUT TRUNCATED';
export const MAX_OUTPUT_CHARS = 5000;

// Everything XML 1.0 does not allow: C0 controls except tab, newline and CR; U+FFFE/U+FFFF;
// unpaired surrogates.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function stripControl(s: string): string {
  return s.replace(NOT_XML, '');
}

export function escapeHtml(s: string): string {
  return stripControl(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** Cuts at `max` characters (never inside a surrogate pair) and appends the marker. */
export function truncate(s: string, max = MAX_OUTPUT_CHARS): string {
  if (s.length <= max) return s;
  let cut = max;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return s.slice(0, cut) + TRUNCATION_MARKER;
}
