// The feedback HTML the LMS parses as XML, and the put_result body around it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderFeedback } from '../../src/grader/feedback/html.js';
import { TRUNCATION_MARKER } from '../../src/grader/feedback/sanitize.js';
import { failureReply, resultReply, type GradeResult } from '../../src/grader/result.js';

/** Parses with Python's expat (as strict as the LMS's lxml about well-formedness); returns errors. */
function xmlErrors(docs: string[]): string[] {
  const script = [
    'import sys, json, xml.dom.minidom',
    'errs = []',
    'for d in json.load(sys.stdin):',
    '    try:',
    '        xml.dom.minidom.parseString(d.encode("utf-8"))',
    '    except Exception as e:',
    '        errs.append(str(e) + " in " + d[:200])',
    'print(json.dumps(errs))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(docs) }).toString()) as string[];
}

const base: GradeResult = { correct: false, score: 0, tests: [], errors: [], verdict: 'wrong_answer' };

describe('feedback HTML', () => {
  it('follows the xqueue-watcher layout for correct and incorrect tests', () => {
    const html = renderFeedback({
      correct: false,
      errors: [],
      tests: [
        { short: 'square(3)', long: '', correct: true, expected: '9\n', actual: '9\n' },
        { short: 'square(-4)', long: 'negative', correct: false, expected: '16\n', actual: '-16\n' },
      ],
    });
    expect(html).toBe(
      '<div class="test"><header>Test results</header><section><div class="shortform">INCORRECT</div><div class="longform">' +
        '<div class="result-output result-correct"><h4>square(3)</h4><pre></pre><dl><dt>Output:</dt><dd class="result-actual-output"><pre>9\n</pre></dd></dl></div>' +
        '<div class="result-output result-incorrect"><h4>square(-4)</h4><pre><p>negative</p></pre><dl><dt>Your output:</dt><dd class="result-actual-output"><pre>-16\n</pre></dd><dt>Correct output:</dt><dd><pre>16\n</pre></dd></dl></div>' +
        '</div></section></div>',
    );
  });

  it('says CORRECT, and ERROR with one li per error', () => {
    expect(renderFeedback({ correct: true, errors: [], tests: [] })).toContain('<div class="shortform">CORRECT</div>');
    const html = renderFeedback({ correct: true, errors: ['a', 'b'], tests: [] });
    expect(html).toContain('<div class="shortform">ERROR</div>');
    expect(html).toContain('<div class="result-errors"><ul><li><pre>a</pre></li><li><pre>b</pre></li></ul></div>');
  });

  it('escapes markup and strips characters XML forbids', () => {
    const nasty = '<script>alert("x")</script> & \'q\' \u0000\u0001\u0007\u001b[31m\u000b\u000c\ud800 ok\t\r\n';
    const html = renderFeedback({ correct: false, errors: [nasty], tests: [{ short: nasty, long: nasty, correct: false, expected: nasty, actual: nasty }] });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27; [31m ok\t\r\n');
    expect(xmlErrors([html])).toEqual([]);
  });

  it('stays well-formed XML for random text, including every control character', () => {
    const docs: string[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 200; n++) {
      let s = '';
      for (let i = 0; i < 40; i++) {
        const r = rand();
        s += String.fromCharCode(r < 0.3 ? Math.floor(rand() * 32) : r < 0.5 ? 0xd800 + Math.floor(rand() * 0x800) : r < 0.6 ? 0xfffe + Math.floor(rand() * 2) : Math.floor(rand() * 0x3000));
      }
      docs.push(renderFeedback({ correct: false, errors: n % 2 ? [s] : [], tests: [{ short: s, long: s, correct: n % 3 === 0, expected: s, actual: s }] }));
    }
    expect(xmlErrors(docs)).toEqual([]);
  });

  it('cuts long output at 5000 characters with a marker', () => {
    const html = renderFeedback({ correct: false, errors: [], tests: [{ short: 't', long: '', correct: false, expected: 'x', actual: 'y'.repeat(6000) }] });
    expect(html).toContain(`<pre>${'y'.repeat(5000)}${TRUNCATION_MARKER}</pre>`);
    expect(html).not.toContain('y'.repeat(5001));
  });

  it('hides outputs when asked, and for hidden tests', () => {
    const tests = [
      { short: 'visible', long: '', correct: false, expected: 'secret-expected', actual: 'mine' },
      { short: 'hidden one', long: 'Wrong answer', correct: false, expected: 'hidden-expected', actual: 'x', hidden: true },
    ];
    const shown = renderFeedback({ correct: false, errors: [], tests });
    expect(shown).toContain('secret-expected');
    expect(shown).toContain('hidden one');
    expect(shown).not.toContain('hidden-expected');
    const hidden = renderFeedback({ correct: false, errors: [], tests }, { hideOutput: true });
    expect(hidden).not.toContain('<dl>');
    expect(hidden).toContain('<h4>visible</h4>');
  });
});

describe('put_result body', () => {
  it('is json.dumps of correct, score, msg in that order', () => {
    const body = resultReply({ ...base, correct: true, score: 1 });
    expect(body).toMatch(/^\{"correct": true, "score": 1\.0, "msg": "<div class=\\"test\\">/);
    const partial = resultReply({ ...base, score: 2 / 3, tests: [{ short: 'é', long: '', correct: false, expected: '', actual: '' }] });
    expect(partial).toContain('"score": 0.6666666666666666, ');
    expect(partial).toContain('\\u00e9');
  });

  it('never says incorrect for a grading failure', () => {
    const body = failureReply('sandbox exploded <here>');
    const parsed = JSON.parse(body) as { correct: unknown; score: number; msg: string };
    expect(Object.keys(parsed)).toEqual(['correct', 'score', 'msg']);
    expect(parsed.correct).toBeNull();
    expect(parsed.msg).toContain('could not be graded');
    expect(parsed.msg).toContain('sandbox exploded &lt;here&gt;');
    expect(parsed.msg.toLowerCase()).not.toContain('incorrect');
    expect(xmlErrors([parsed.msg])).toEqual([]);
  });
});
