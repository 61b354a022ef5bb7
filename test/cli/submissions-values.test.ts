// GRADE, CORRECT and the show transform without a server: click's and json's rules.
import { describe, expect, it } from 'vitest';
import { pyDumps, pyLoads } from '../../src/protocol/python-json.js';
import { parseClickBool, parsePyFloat } from '../../src/cli/submissions-args.js';
import { gradeForm, printable, showResult } from '../../src/cli/submissions-output.js';
import { quotePlus } from '../../src/cli/http-session.js';

describe('GRADE as Python float()', () => {
  it.each([
    ['1', '1.0'],
    ['0.9', '0.9'],
    [' 1_0.5 ', '10.5'],
    ['.5', '0.5'],
    ['1e-05', '1e-05'],
    ['-0', '-0.0'],
    ['inf', 'Infinity'],
    ['NaN', 'NaN'],
    ['1e400', 'Infinity'],
  ])('%s prints as %s', (text, shown) => expect(pyDumps(parsePyFloat(text))).toBe(shown));

  it.each(['', 'abc', '0x10', '1__0', '_1', '1.2.3', '∞'])('rejects %j', (text) => expect(() => parsePyFloat(text)).toThrow('is not a valid float'));
});

describe('CORRECT as click.BOOL', () => {
  it.each(['true', 'T', 'yes', 'Y', '1', 'on', ' ON '])('%j is true', (t) => expect(parseClickBool(t)).toBe(true));
  it.each(['false', 'F', 'no', 'n', '0', 'off'])('%j is false', (t) => expect(parseClickBool(t)).toBe(false));
  it.each(['', 'maybe', '2', 'truee'])('%j is refused', (t) => expect(() => parseClickBool(t)).toThrow('is not a valid boolean'));
});

describe('grade form', () => {
  it('is json.dumps of a string id and the typed values', () => {
    expect(gradeForm('7', 'abc', parsePyFloat('1'), true, 'Bien joué')).toEqual({
      xqueue_header: '{"submission_id": "7", "submission_key": "abc"}',
      xqueue_body: '{"correct": true, "score": 1.0, "msg": "Bien jou\\u00e9"}',
    });
  });
});

describe('show', () => {
  const reply = (content: Record<string, string>) => pyLoads(pyDumps({ return_code: 0, content: pyDumps(content) }));

  it('prefixes relative file paths with {base}/ and keeps absolute ones', () => {
    const out = showResult(
      reply({
        xqueue_header: '{"submission_id": 4, "submission_key": "k"}',
        xqueue_body: '{"score": 1.0, "n": 2}',
        xqueue_files: '{"a.py": "/media/openedx/abc", "b.py": "https://x/files/b.py"}',
      }),
      'http://h',
    );
    expect(printable(out)).toBe(
      '{\n  "id": 4,\n  "key": "k",\n  "body": {\n    "score": 1.0,\n    "n": 2\n  },\n' +
        '  "files": {\n    "a.py": "http://h//media/openedx/abc",\n    "b.py": "https://x/files/b.py"\n  },\n  "return_code": 0\n}\n',
    );
  });

  it('shows a body that is not JSON as its string', () => {
    const out = showResult(reply({ xqueue_header: '{"submission_id": 1, "submission_key": "k"}', xqueue_body: 'plain', xqueue_files: '{}' }), 'http://h');
    expect(printable(out)).toContain('"body": "plain"');
  });

  it('keeps a repeated key once, in its first place, with its last value, as a Python dict does', () => {
    expect(printable(pyLoads('{"a": 1, "b": 2, "a": 3}'))).toBe('{\n  "a": 3,\n  "b": 2\n}\n');
  });

  it('names what is missing in a reply that is not an Xqueue one', () => {
    expect(() => showResult(pyLoads('{"content": "x"}'), 'http://h')).toThrow("the get_submission reply has no 'return_code'");
    expect(() => showResult(pyLoads('{"return_code": 0, "content": "nope"}'), 'http://h')).toThrow('its content is not valid JSON');
  });
});

describe('query strings', () => {
  it('are encoded as urllib quote_plus does', () => expect(quotePlus("a b/~*'é")).toBe('a+b%2F~%2A%27%C3%A9'));
});
