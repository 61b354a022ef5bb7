// The Django login_required redirect (spec §2.1): relative, with the path and raw query
// quoted as Python's quote(s, safe='/') does.
const KEEP = /[A-Za-z0-9_.\-~/]/;

export function pythonQuote(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && KEEP.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** `/xqueue/login/?next=…` for a raw request URL such as `/xqueue/get_queuelen/?queue_name=tmp`. */
export function loginRedirect(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  return '/xqueue/login/?next=' + pythonQuote(query ? `${path}?${query}` : path);
}
