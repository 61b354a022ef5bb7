// The feedback HTML in xqueue-watcher's layout (clients.md §3.4), always well-formed
// XML: every text value escaped and stripped of characters XML forbids.
import type { GradeResult, ReplyOptions, TestRow } from '../result.js';
import { escapeHtml as e, truncate } from './sanitize.js';

export function renderFeedback(result: Pick<GradeResult, 'correct' | 'tests' | 'errors'>, opts: ReplyOptions = {}): string {
  const status = result.errors.length ? 'ERROR' : result.correct ? 'CORRECT' : 'INCORRECT';
  let body = '';
  if (result.errors.length) {
    body += '<div class="result-errors"><ul>';
    for (const err of result.errors) body += `<li><pre>${e(truncate(err))}</pre></li>`;
    body += '</ul></div>';
  }
  for (const test of result.tests) body += renderTest(test, opts.hideOutput ?? false);
  return (
    '<div class="test"><header>Test results</header><section>' +
    `<div class="shortform">${status}</div>` +
    `<div class="longform">${body}</div>` +
    '</section></div>'
  );
}

function renderTest(t: TestRow, hideOutput: boolean): string {
  let html = `<div class="result-output ${t.correct ? 'result-correct' : 'result-incorrect'}">`;
  html += `<h4>${e(t.short)}</h4>`;
  html += t.long ? `<pre><p>${e(truncate(t.long))}</p></pre>` : '<pre></pre>';
  if (!hideOutput && !t.hidden) {
    html += '<dl>';
    if (t.correct) {
      html += `<dt>Output:</dt><dd class="result-actual-output"><pre>${e(truncate(t.actual))}</pre></dd>`;
    } else {
      html += `<dt>Your output:</dt><dd class="result-actual-output"><pre>${e(truncate(t.actual))}</pre></dd>`;
      html += `<dt>Correct output:</dt><dd><pre>${e(truncate(t.expected))}</pre></dd>`;
    }
    html += '</dl>';
  }
  return html + '</div>';
}

/** A grading failure: not the learner's fault, and never shown as "incorrect". */
export function renderGradingFailure(explanation: string): string {
  return (
    '<div class="capa_alert">Your submission could not be graded. ' +
    'This is a problem with the grader, not with your answer: please try again later, ' +
    'and if the problem persists, notify the course staff.' +
    `<pre>${e(truncate(explanation, 1000))}</pre></div>`
  );
}
