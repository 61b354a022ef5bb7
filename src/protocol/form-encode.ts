// application/x-www-form-urlencoded as Python's urlencode wrote it for the legacy
// server: space as '+', only A-Z a-z 0-9 _ . - ~ left bare, UTF-8 percent-escapes.
const BARE = /[A-Za-z0-9_.\-~]/;

export function formEncodeValue(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === ' ') out += '+';
    else if (BARE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function formEncode(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => formEncodeValue(k) + '=' + formEncodeValue(v)).join('&');
}
