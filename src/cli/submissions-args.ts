// GRADE and CORRECT parsed as Tutor's click types parse them, so the same words work
// and the same numbers reach the wire.
import { InvalidArgumentError } from 'commander';
import { PyFloat } from '../protocol/python-json.js';

const DIGITS = String.raw`\d(?:_?\d)*`;
const DECIMAL = new RegExp(String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python's float(text): surrounding spaces, `_` between digits, inf and nan allowed; hex not. */
export function parsePyFloat(text: string): PyFloat {
  const s = text.trim();
  const special = SPECIAL.exec(s);
  if (special) {
    const sign = special[1] === '-' ? -1 : 1;
    return new PyFloat(special[2]!.toLowerCase() === 'nan' ? NaN : sign * Infinity);
  }
  if (!DECIMAL.test(s)) throw new InvalidArgumentError(`'${text}' is not a valid float.`);
  return new PyFloat(Number(s.replace(/_/g, '')));
}

const TRUE_WORDS = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** click.BOOL: the words above, case-insensitive, surrounding spaces ignored. */
export function parseClickBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  throw new InvalidArgumentError(`'${text}' is not a valid boolean; use true/false, 1/0, yes/no, y/n, t/f or on/off.`);
}
