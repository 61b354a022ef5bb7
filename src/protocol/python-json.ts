// Byte-for-byte Python `json.dumps` (default arguments, ensure_ascii) and an
// order-preserving reader, because clients compare our bytes with Django's.

/** A float as Python sees it: printed with repr(), so 1 prints as `1.0`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Text that is already JSON and is copied verbatim. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object whose key order is kept exactly, integer-like keys included. */
export class PyDict {
  constructor(readonly entries: Array<[string, PyValue]> = []) {}
  get(key: string): PyValue | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry[0] === key) return entry[1];
    }
    return undefined;
  }
}

export type PyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PyFloat
  | RawJson
  | PyDict
  | PyValue[]
  | { readonly [key: string]: PyValue };

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Everything outside printable ASCII, plus the two characters JSON must escape.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

export function pyString(s: string): string {
  return (
    '"' +
    s.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) +
    '"'
  );
}

/** Python's repr() of a float: shortest round-trip digits, exponent outside 1e-4 ≤ |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exp));
  return fixed.includes('.') ? fixed : fixed + '.0';
}

function isPlainObject(v: unknown): v is { readonly [key: string]: PyValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Python `json.dumps(value)` or, with indent, `json.dumps(value, indent=n)`. */
export function pyDumps(value: PyValue, indent?: number): string {
  return dump(value, indent, 0);
}

function dump(value: PyValue, indent: number | undefined, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  // An integral number is a Python int: decimal digits, even at 1e21 and beyond.
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : pyFloatRepr(value);
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (value instanceof RawJson) return value.text;
  const items: string[] = [];
  let open: string, close: string;
  if (Array.isArray(value)) {
    [open, close] = ['[', ']'];
    for (const item of value) items.push(dump(item, indent, depth + 1));
  } else {
    [open, close] = ['{', '}'];
    const entries = value instanceof PyDict ? value.entries : isPlainObject(value) ? Object.entries(value) : [];
    for (const [k, v] of entries) items.push(pyString(k) + ': ' + dump(v, indent, depth + 1));
  }
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.join(', ') + close;
  const inner = '\n' + ' '.repeat(indent * (depth + 1));
  return open + inner + items.join(',' + inner) + '\n' + ' '.repeat(indent * depth) + close;
}

/**
 * Parses JSON the way Python's json.loads does for re-printing: objects keep their
 * key order (PyDict), integers stay exact (bigint when large), floats stay floats.
 * Throws SyntaxError on invalid input.
 */
export function pyLoads(text: string): PyValue {
  // JSON.parse validates; a reviver sees each number's source text in Node 20? No
  // (that is Node 22), so numbers are re-read from a token scan instead.
  JSON.parse(text);
  let pos = 0;
  const ws = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const dict = new PyDict();
      ws();
      if (text[pos] === '}') return pos++, dict;
      for (;;) {
        ws();
        const key = str();
        ws();
        pos++; // ':'
        dict.entries.push([key, value()]);
        ws();
        if (text[pos++] === '}') return dict;
      }
    }
    if (c === '[') {
      pos++;
      const list: PyValue[] = [];
      ws();
      if (text[pos] === ']') return pos++, list;
      for (;;) {
        list.push(value());
        ws();
        if (text[pos++] === ']') return list;
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', pos)) return (pos += 4), true;
    if (text.startsWith('false', pos)) return (pos += 5), false;
    if (text.startsWith('null', pos)) return (pos += 4), null;
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400))!;
    pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return new PyFloat(Number(m[0]));
  };
  const str = (): string => {
    const start = pos;
    pos++;
    while (text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  return value();
}
