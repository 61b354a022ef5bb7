// How a program's output is compared with the expected output.

export type WhitespaceMode =
  /** Byte-for-byte (after decoding). */
  | 'exact'
  /** Ignore trailing spaces on each line and trailing blank lines; CRLF = LF. The default. */
  | 'trailing'
  /** Any run of whitespace equals one space; leading/trailing whitespace ignored. */
  | 'collapse';

export interface CompareOptions {
  readonly whitespace: WhitespaceMode;
  readonly ignoreCase: boolean;
}

export const DEFAULT_COMPARE: CompareOptions = Object.freeze({ whitespace: 'trailing', ignoreCase: false });

export function normalize(s: string, o: CompareOptions): string {
  let out = s;
  if (o.whitespace === 'trailing') {
    out = out.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[ \t]+$/, '')).join('\n').replace(/\n+$/, '');
  } else if (o.whitespace === 'collapse') {
    out = out.replace(/\s+/g, ' ').trim();
  }
  return o.ignoreCase ? out.toLowerCase() : out;
}

export function outputsMatch(actual: string, expected: string, o: CompareOptions): boolean {
  return normalize(actual, o) === normalize(expected, o);
}
