// Python json.dumps byte compatibility (spec §1.2), float repr, the exact get_submission
// bytes of §3.6, the login_required quoting of §2.1 and the callback encoding of §6.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRawConfig, parseConfig } from '../../src/config.js';
import { submissionContent } from '../../src/http/routes/get-submission.js';
import { loginRedirect, pythonQuote } from '../../src/http/login-redirect.js';
import { envelope, envelopeInt } from '../../src/protocol/envelope.js';
import { formEncode } from '../../src/protocol/form-encode.js';
import { PyDict, PyFloat, pyDumps, pyFloatRepr, pyLoads, pyString, RawJson } from '../../src/protocol/python-json.js';
import { FAILURE_NOTICE } from '../../src/protocol/strings.js';

describe('pyString: the escaping table of §1.2', () => {
  it.each([
    ['"', '"\\""'],
    ['\\', '"\\\\"'],
    ['\n', '"\\n"'],
    ['\r', '"\\r"'],
    ['\t', '"\\t"'],
    ['\b', '"\\b"'],
    ['\f', '"\\f"'],
    ['\u0000', '"\\u0000"'],
    ['\u0001', '"\\u0001"'],
    ['\u000b', '"\\u000b"'],
    ['\u001f', '"\\u001f"'],
    ['\u007f', '"\\u007f"'],
    ['\u0080', '"\\u0080"'],
    ['é', '"\\u00e9"'],
    ['\u00ff', '"\\u00ff"'],
    ['\u2713', '"\\u2713"'],
    ['\uabcd', '"\\uabcd"'],
    ['\ufeff', '"\\ufeff"'],
    ['\uffff', '"\\uffff"'],
    ['😀', '"\\ud83d\\ude00"'],
    ['\ud800', '"\\ud800"'],
    ['/', '"/"'],
    ['</script>', '"</script>"'],
    [' ~', '" ~"'],
    ["'", '"\'"'],
    ['', '""'],
  ])('%j → %s', (input, expected) => {
    expect(pyString(input)).toBe(expected);
  });

  it('leaves every printable ASCII character but " and \\ alone', () => {
    let s = '';
    for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x22 && c !== 0x5c) s += String.fromCharCode(c);
    expect(pyString(s)).toBe(`"${s}"`);
  });

  it('escapes every other code unit below U+0020 as \\u00xx, lower-case', () => {
    const named = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);
    for (let c = 0; c < 0x20; c++) {
      if (named.has(c)) continue;
      expect(pyString(String.fromCharCode(c))).toBe(`"\\u${c.toString(16).padStart(4, '0')}"`);
    }
  });
});

describe('pyDumps', () => {
  it('uses ", " and ": " separators and nothing else', () => {
    expect(pyDumps({ a: 1, b: [1, 2, 'x'], c: { d: null, e: true, f: false } })).toBe(
      '{"a": 1, "b": [1, 2, "x"], "c": {"d": null, "e": true, "f": false}}',
    );
  });
  it('writes empty containers as {} and []', () => {
    expect(pyDumps({})).toBe('{}');
    expect(pyDumps([])).toBe('[]');
    expect(pyDumps({ a: {}, b: [] })).toBe('{"a": {}, "b": []}');
  });
  it('keeps insertion order, integer-like keys included, through PyDict', () => {
    expect(pyDumps(new PyDict([['b', 1], ['10', 2], ['a', 3], ['2', 4]]))).toBe('{"b": 1, "10": 2, "a": 3, "2": 4}');
  });
  it('writes integers in decimal, floats by repr, big integers exactly', () => {
    expect(pyDumps([0, -7, 1e21, 2 ** 53, 12345678901234567890n, 1.5, new PyFloat(1), -0.25])).toBe(
      '[0, -7, 1000000000000000000000, 9007199254740992, 12345678901234567890, 1.5, 1.0, -0.25]',
    );
  });
  it('escapes keys as well as values, and copies RawJson verbatim', () => {
    expect(pyDumps({ 'é/"': new RawJson('{"x":1}') })).toBe('{"\\u00e9/\\"": {"x":1}}');
  });
  it('matches json.dumps(indent=2), as the Tutor CLI prints', () => {
    expect(pyDumps({ return_code: 0, content: 0 }, 2)).toBe('{\n  "return_code": 0,\n  "content": 0\n}');
    expect(pyDumps({ a: [1, { b: 'é' }], c: {} }, 2)).toBe('{\n  "a": [\n    1,\n    {\n      "b": "\\u00e9"\n    }\n  ],\n  "c": {}\n}');
  });
  it('round-trips through pyLoads keeping key order and number kinds', () => {
    const text = '{"z": 1, "a": 1.0, "m": [1e2, -0, 12345678901234567890, "\\u00e9"], "n": null}';
    expect(pyDumps(pyLoads(text))).toBe('{"z": 1, "a": 1.0, "m": [100.0, 0, 12345678901234567890, "\\u00e9"], "n": null}');
  });
  it('produces the failure notice of §6 exactly', () => {
    expect(pyDumps({
      correct: null,
      score: 0,
      msg: '<div class="capa_alert">Your submission could not be graded. Please recheck your submission and try again. If the problem persists, please notify the course staff.</div>',
    })).toBe(FAILURE_NOTICE);
    expect(FAILURE_NOTICE).toBe(
      '{"correct": null, "score": 0, "msg": "<div class=\\"capa_alert\\">Your submission could not be graded. Please recheck your submission and try again. If the problem persists, please notify the course staff.</div>"}',
    );
  });
});

describe('pyFloatRepr (Python repr of a float)', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1, '0.1'],
    [0.9, '0.9'],
    [-2.5, '-2.5'],
    [1 / 3, '0.3333333333333333'],
    [0.1 + 0.2, '0.30000000000000004'],
    [100, '100.0'],
    [123456.789, '123456.789'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [1e22, '1e+22'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.0001, '0.0001'],
    [0.00012345, '0.00012345'],
    [0.00001, '1e-05'],
    [2.5e-5, '2.5e-05'],
    [-1.25e-7, '-1.25e-07'],
    [5e-324, '5e-324'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [NaN, 'NaN'],
  ])('%d → %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });
});

describe('envelope', () => {
  it('writes return_code first, then content, like json.dumps', () => {
    expect(envelope(0, 'OK')).toBe('{"return_code": 0, "content": "OK"}');
    expect(Buffer.byteLength(envelope(0, 'OK'))).toBe(35);
    expect(envelope(1, "Queue 'nosuch' not found")).toBe(`{"return_code": 1, "content": "Queue 'nosuch' not found"}`);
    expect(envelope(0, '')).toBe('{"return_code": 0, "content": ""}');
    expect(envelopeInt(3)).toBe('{"return_code": 0, "content": 3}');
    expect(envelope(1, 'é\n')).toBe('{"return_code": 1, "content": "\\u00e9\\n"}');
  });
});

describe('submissionContent: the exact id-4 bytes of §3.6', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const SPEC_BYTES = String.raw`{"return_code": 0, "content": "{\"xqueue_header\": \"{\\\"submission_id\\\": 4, \\\"submission_key\\\": \\\"86bf85d6521c50e25ac12a2773256714\\\"}\", \"xqueue_body\": \"{\\\"grader_payload\\\": \\\"{\\\\\\\"grader\\\\\\\": \\\\\\\"ps02/bisect.py\\\\\\\"}\\\", \\\"student_info\\\": \\\"{\\\\\\\"anonymous_student_id\\\\\\\": \\\\\\\"af46c9d6c05627aee45257d155ec0b79\\\\\\\", \\\\\\\"submission_time\\\\\\\": \\\\\\\"20260501101653\\\\\\\", \\\\\\\"random_seed\\\\\\\": 1}\\\", \\\"student_response\\\": \\\"\\\"}\", \"xqueue_files\": \"{\\\"a.py\\\": \\\"https://xqueue.example.com/xqueue/files/4/0/a.py?expires=1780000000&signature=370db59ebda235aca06fbfb52e199cb1487137d35c95bc50ce84a42d4b7e0d25\\\"}\"}"}`;

  it('reproduces them through submissionContent with secret example-secret', async () => {
    const dataDir = join(tmpdir(), `xqueue-unit-${process.pid}-absent`);
    const config = parseConfig(
      loadRawConfig(
        {
          XQUEUE_SECRET_KEY: 'example-secret',
          XQUEUE_AUTH_PASSWORD: 'password',
          XQUEUE_MYSQL_PASSWORD: 'password',
          XQUEUE_FILE_LINK_TTL: '3600',
          XQUEUE_PUBLIC_URL: 'https://xqueue.example.com',
        },
        dataDir,
      ),
      dataDir,
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((1_780_000_000 - 3600) * 1000);
    // The body exactly as the LMS's json.dumps wrote it, one level down from the wire.
    const body = pyDumps({
      grader_payload: pyDumps({ grader: 'ps02/bisect.py' }),
      student_info: pyDumps({ anonymous_student_id: 'af46c9d6c05627aee45257d155ec0b79', submission_time: '20260501101653', random_seed: 1 }),
      student_response: '',
    });
    const content = await submissionContent(config, {}, config.publicUrl!, {
      id: 4,
      pullkey: '86bf85d6521c50e25ac12a2773256714',
      body,
      files: [{ name: 'a.py', key: 'openedx/whatever', size: 10 }],
    });
    expect(envelope(0, content)).toBe(SPEC_BYTES);
  });
});

describe('login_required quoting (§2.1)', () => {
  it('gives the two examples of the spec', () => {
    expect(loginRedirect('/xqueue/submit/')).toBe('/xqueue/login/?next=/xqueue/submit/');
    expect(loginRedirect('/xqueue/get_queuelen/?queue_name=tmp&x=a%20b')).toBe(
      '/xqueue/login/?next=/xqueue/get_queuelen/%3Fqueue_name%3Dtmp%26x%3Da%2520b',
    );
  });
  it('leaves only A-Za-z0-9_.-~/ bare, and encodes UTF-8 byte by byte in upper-case hex', () => {
    expect(pythonQuote('azAZ09_.-~/')).toBe('azAZ09_.-~/');
    expect(pythonQuote(' !"#$%&\'()*+,:;<=>?@[\\]^`{|}')).toBe(
      '%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D',
    );
    expect(pythonQuote('é😀')).toBe('%C3%A9%F0%9F%98%80');
  });
  it('drops the ? when the query is empty', () => {
    expect(loginRedirect('/xqueue/get_submission/?')).toBe('/xqueue/login/?next=/xqueue/get_submission/');
  });
});

describe('form-encode of the callback (§6)', () => {
  it('writes header then body, spaces as +, only unreserved characters bare', () => {
    const header = '{"lms_callback_url": "http://lms:8000/courses/x/score_update", "lms_key": "abc", "queue_name": "openedx"}';
    const body = '{"correct": true, "score": 1.0, "msg": "<p>ok ~ é</p>"}';
    expect(formEncode([['xqueue_header', header], ['xqueue_body', body]])).toBe(
      'xqueue_header=%7B%22lms_callback_url%22%3A+%22http%3A%2F%2Flms%3A8000%2Fcourses%2Fx%2Fscore_update%22%2C+%22lms_key%22%3A+%22abc%22%2C+%22queue_name%22%3A+%22openedx%22%7D' +
        '&xqueue_body=%7B%22correct%22%3A+true%2C+%22score%22%3A+1.0%2C+%22msg%22%3A+%22%3Cp%3Eok+~+%C3%A9%3C%2Fp%3E%22%7D',
    );
  });
  it('decodes back to the same strings, byte for byte', () => {
    const values = ['a+b c&d=e%f', '😀\u0000\r\n', '\u007f/?#'];
    const encoded = formEncode(values.map((v, i) => [`k${i}`, v] as const));
    expect([...new URLSearchParams(encoded).values()]).toEqual(values);
  });
});
