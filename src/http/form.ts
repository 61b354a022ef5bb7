// A request's fields, the way the legacy server read them (spec §1.3): last value wins,
// files keyed by their form field name, anything that is not a form has no fields.
import { rm } from 'node:fs/promises';

export interface StagedFile {
  readonly field: string;
  readonly path: string;
  readonly size: number;
}

export interface Form {
  readonly fields: Map<string, string>;
  /** In upload order; a repeated field name keeps only its last file. */
  readonly files: StagedFile[];
  /** A value was not valid UTF-8: the route answers with its format error. */
  readonly invalidUtf8: boolean;
}

export const emptyForm = (): Form => ({ fields: new Map(), files: [], invalidUtf8: false });

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as UTF-8, or returns null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/** `s` holds one byte per character (read as latin1): '+' is a space, %XX a byte, the rest as is. */
function percentDecode(s: string): Buffer {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return Buffer.from(s, 'latin1');
  const out = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) out[n++] = 0x20;
    else if (c === 0x25 && i + 2 < s.length && hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0) {
      out[n++] = hexValue(s.charCodeAt(i + 1)) * 16 + hexValue(s.charCodeAt(i + 2));
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

export class TooManyFieldsError extends Error {}

/** Parses an urlencoded body held in memory (its size is capped by the body limit). */
export function parseUrlEncoded(body: Buffer, maxFields: number): Form {
  const form = emptyForm();
  let invalidUtf8 = false;
  const text = body.toString('latin1');
  if (text.length === 0) return form;
  const pairs = text.split('&');
  if (pairs.length > maxFields) throw new TooManyFieldsError();
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeUtf8(percentDecode(eq < 0 ? pair : pair.slice(0, eq)));
    const value = decodeUtf8(percentDecode(eq < 0 ? '' : pair.slice(eq + 1)));
    if (key === null || value === null) invalidUtf8 = true;
    else form.fields.set(key, value);
  }
  return { ...form, invalidUtf8 };
}

/** Query values decode with U+FFFD replacement; the last of a repeated key wins. */
export function parseQuery(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

export async function discardStaged(form: Form | undefined): Promise<void> {
  if (!form) return;
  await Promise.all(form.files.map((f) => rm(f.path, { force: true })));
  form.files.length = 0;
}
