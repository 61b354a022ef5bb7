"""Runs a course grader's tests in the sandbox and prints one JSON line.

  student GRADER SUBMISSION SEED   input checks, preprocess, import the learner's code,
                                   run every test, print its outputs (untrusted run)
  staff GRADER ANSWER SEED         the same for the staff answer, then compare with the
                                   learner's outputs read as JSON from stdin, using each
                                   test's compare_results (trusted run: no learner code)
"""
import importlib.util
import io
import json
import os
import random
import sys
import traceback

MAX_CAPTURE = 1 << 20


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _exception_text(exc):
    return ''.join(traceback.format_exception_only(type(exc), exc)).strip()


class _Capture(object):
    """Swaps sys.stdout for a buffer while learner code or a test runs."""

    def __enter__(self):
        self.buffer = io.StringIO()
        self.saved = sys.stdout
        sys.stdout = self.buffer
        return self

    def __exit__(self, *exc):
        sys.stdout = self.saved
        return False

    @property
    def text(self):
        return self.buffer.getvalue()[:MAX_CAPTURE]


def run_code(grader, code_path, seed, check_input):
    """Returns the run record: status of the import, and each test's (short, long, output, error)."""
    with open(code_path, encoding='utf-8', errors='replace') as f:
        raw = f.read()
    record = {'status': 'ok', 'stdout': '', 'exception': None, 'input_errors': [], 'results': []}
    if check_input:
        record['input_errors'] = grader.input_errors(raw)
        if record['input_errors']:
            record['status'] = 'notrun'
            return record
    code = grader.preprocess(raw)
    tmp = os.path.join('/tmp' if os.path.isdir('/tmp') else os.getcwd(), 'xq_%s_%d.py' % (os.getpid(), seed))
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(code)
    random.seed(seed)
    with _Capture() as cap:
        try:
            module = _load(tmp, 'submission')
        except BaseException as exc:  # SystemExit too: the learner's exit() must not end grading
            module = None
            record['status'] = 'error'
            record['exception'] = _exception_text(exc)
    record['stdout'] = cap.text
    if module is None:
        return record
    for test in grader.tests():
        random.seed(seed)
        error = None
        with _Capture() as cap:
            try:
                test(module)
            except BaseException as exc:
                error = _exception_text(exc)
        record['results'].append([test.short_description, test.detailed_description, cap.text, error])
    return record


def compare(grader, staff, student):
    rows, errors = [], []
    tests = grader.tests()
    if staff['status'] != 'ok':
        return rows, errors
    if student['status'] == 'error':
        errors.append('There was an error when running your code:\n%s' % student['exception'])
        return rows, errors
    if len(staff['results']) != len(student['results']):
        errors.append('The grader ran a different number of tests on your code (staff debug: test count mismatch).')
        return rows, errors
    for test, expected, actual in zip(tests, staff['results'], student['results']):
        short, long_desc, expected_out, _ = expected
        actual_out, actual_err = actual[2], actual[3]
        shown = actual_out + ('\n' + actual_err if actual_err else '')
        try:
            ok = actual_err is None and bool(test.compare_results(expected_out, actual_out))
        except Exception as exc:  # EndTest, or a comparison that choked on the learner's output
            ok = False
            message = str(exc) if exc.__class__.__name__ == 'EndTest' else _exception_text(exc)
            shown = shown + ('\n' if shown else '') + message
        rows.append([short, long_desc, ok, expected_out, shown])
    return rows, errors


def main(argv):
    mode, grader_path, code_path, seed = argv[1], argv[2], argv[3], int(argv[4])
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [here, os.path.dirname(os.path.abspath(grader_path))]
    # Whatever learner code writes straight to fd 1 must not pose as our result line.
    result_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = io.TextIOWrapper(os.fdopen(os.dup(devnull), 'wb'), encoding='utf-8')
    out = os.fdopen(result_fd, 'w', encoding='utf-8')
    try:
        random.seed(seed)
        grader = _load(grader_path, 'grader_module').grader
    except BaseException as exc:
        out.write(json.dumps({'grader_error': _exception_text(exc)}) + '\n')
        return
    record = run_code(grader, code_path, seed, check_input=(mode == 'student'))
    if mode == 'student':
        out.write(json.dumps({'student': record}) + '\n')
        return
    student = json.loads(sys.stdin.read())['student']
    rows, errors = compare(grader, record, student)
    test_errors = [r[3] for r in record['results'] if r[3]]
    out.write(json.dumps({'staff': {'status': record['status'], 'exception': record['exception'],
                                    'test_errors': test_errors},
                          'tests': rows, 'errors': errors}) + '\n')


if __name__ == '__main__':
    main(sys.argv)
