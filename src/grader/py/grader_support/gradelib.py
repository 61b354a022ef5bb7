"""A small grading library: a Grader holds input checks, preprocessors and tests.

Each test is a function of the imported submission module that prints something; the
printed text of the staff answer and of the learner's code are compared test by test.
"""
import io
import re
import tokenize

__all__ = [
    'EndTest', 'Test', 'Grader',
    'fix_line_endings', 'wrap_in_string',
    'invoke_student_function', 'InvokeStudentFunctionTest',
    'exec_wrapped_code', 'ExecWrappedStudentCodeTest',
    'exec_code_and_inspect_values',
    'required_substring', 'prohibited_substring', 'substring_occurs',
    'required_keyword', 'prohibited_keyword', 'token_occurs', 'one_of_required_keywords',
    'must_define_function', 'must_define_class', 'prohibited_function_definition',
    'required_class_method', 'prohibited_class_method',
    'count_non_comment_lines', 'input_check_or',
]


class EndTest(Exception):
    """Raised by a comparison (or a test) to fail it with a message for the learner."""


class Test(object):
    """One test: ``test_fn(submission_module)`` prints output to compare."""

    def __init__(self, test_fn, short_description, detailed_description='', compare=None):
        self._test_fn = test_fn
        self.short_description = short_description
        self.detailed_description = detailed_description
        if compare is not None:
            self.compare_results = compare

    def __call__(self, submission_module):
        return self._test_fn(submission_module)

    def compare_results(self, expected, actual):
        return expected == actual


class Grader(object):
    def __init__(self):
        self._tests = []
        self._input_checks = []
        self._preprocessors = [fix_line_endings]

    def add_test(self, test):
        self._tests.append(test)

    def add_tests_from_class(self, cls):
        """Every ``test_*`` method of ``cls`` becomes a test named after its docstring."""
        instance = cls()
        for name in sorted(dir(cls)):
            if not name.startswith('test_'):
                continue
            method = getattr(instance, name)
            doc = (method.__doc__ or '').strip()
            short = doc.splitlines()[0] if doc else name[len('test_'):].replace('_', ' ')
            self.add_test(Test(method, short, doc))

    def add_preprocessor(self, fn):
        self._preprocessors.append(fn)

    def add_input_check(self, check):
        self._input_checks.append(check)

    def tests(self):
        return list(self._tests)

    def input_errors(self, submission_str):
        errors = []
        for check in self._input_checks:
            message = check(submission_str)
            if message:
                errors.append(message)
        return errors

    def preprocess(self, submission_str):
        for fn in self._preprocessors:
            submission_str = fn(submission_str)
        return submission_str


# -- preprocessors ---------------------------------------------------------------

def fix_line_endings(code):
    return code.replace('\r', '')


def wrap_in_string(code):
    """Keeps the code as data, so a test can exec it afresh: ``submission_code = '...'``."""
    return 'submission_code = %r\n' % (code,)


# -- tests -------------------------------------------------------------------------

def invoke_student_function(fn_name, args, environment=None, output_writer=None):
    """A test function that calls ``fn_name(*args)`` from the submission and prints the result."""
    writer = output_writer or repr

    def test_fn(submission_module):
        fn = getattr(submission_module, fn_name, None)
        if fn is None:
            raise EndTest('Your code does not define the function %s' % fn_name)
        if environment:
            for key, value in environment.items():
                setattr(submission_module, key, value)
        print(writer(fn(*args)))
    return test_fn


class InvokeStudentFunctionTest(Test):
    def __init__(self, fn_name, args, environment=None, output_writer=None,
                 short_description=None, detailed_description='', compare=None):
        if short_description is None:
            short_description = '%s(%s)' % (fn_name, ', '.join(repr(a) for a in args))
        Test.__init__(self, invoke_student_function(fn_name, args, environment, output_writer),
                      short_description, detailed_description, compare)


def exec_wrapped_code(environment=None, post_process=None):
    """A test function that execs ``submission_code`` (see wrap_in_string) in a fresh namespace."""

    def test_fn(submission_module):
        namespace = dict(environment or {})
        code = getattr(submission_module, 'submission_code', None)
        if code is None:
            raise EndTest('The grader did not wrap the submission (add gradelib.wrap_in_string)')
        exec(compile(code, 'submission.py', 'exec'), namespace)
        if post_process:
            post_process(namespace)
    return test_fn


class ExecWrappedStudentCodeTest(Test):
    def __init__(self, environment=None, short_description='Run your code',
                 detailed_description='', compare=None, post_process=None):
        Test.__init__(self, exec_wrapped_code(environment, post_process),
                      short_description, detailed_description, compare)


def exec_code_and_inspect_values(environment=None, vars_to_inspect=None, post_process=None):
    """Like exec_wrapped_code, then prints the named variables (repr), one per line."""
    names = list(vars_to_inspect or [])

    def inspect(namespace):
        for name in names:
            print(repr(namespace.get(name)))
        if post_process:
            post_process(namespace)
    return exec_wrapped_code(environment, inspect)


# -- input checks: each returns None when fine, else a message for the learner ------

def _tokens(code):
    """NAME and OP tokens outside comments and strings; [] if the code does not tokenize."""
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline)
                if t.type in (tokenize.NAME, tokenize.OP)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []


def _within(count, at_least, at_most, exactly):
    if exactly is not None:
        return count == exactly
    if at_least is not None and count < at_least:
        return False
    if at_most is not None and count > at_most:
        return False
    return True


def required_substring(string, error_msg=None):
    def check(code):
        if string not in code:
            return error_msg or 'Your code should use "%s".' % string
    return check


def prohibited_substring(string, error_msg=None):
    def check(code):
        if string in code:
            return error_msg or 'Your code may not use "%s".' % string
    return check


def substring_occurs(string, at_least=None, at_most=None, exactly=None, error_msg=None):
    def check(code):
        if not _within(code.count(string), at_least, at_most, exactly):
            return error_msg or 'Your code uses "%s" the wrong number of times.' % string
    return check


def required_keyword(keyword, error_msg=None):
    def check(code):
        if keyword not in _tokens(code):
            return error_msg or 'Your code should use "%s".' % keyword
    return check


def prohibited_keyword(keyword, error_msg=None):
    def check(code):
        if keyword in _tokens(code):
            return error_msg or 'Your code may not use "%s".' % keyword
    return check


def token_occurs(token, at_least=None, at_most=None, exactly=None, error_msg=None):
    def check(code):
        if not _within(_tokens(code).count(token), at_least, at_most, exactly):
            return error_msg or 'Your code uses "%s" the wrong number of times.' % token
    return check


def one_of_required_keywords(keywords, error_msg=None):
    def check(code):
        tokens = set(_tokens(code))
        if not any(k in tokens for k in keywords):
            return error_msg or 'Your code should use one of: %s.' % ', '.join(keywords)
    return check


def _defines(code, kind, name):
    return re.search(r'^\s*%s\s+%s\b' % (kind, re.escape(name)), code, re.MULTILINE) is not None


def must_define_function(name, error_msg=None):
    def check(code):
        if not _defines(code, 'def', name):
            return error_msg or 'Your code should define a function named %s.' % name
    return check


def must_define_class(name, error_msg=None):
    def check(code):
        if not _defines(code, 'class', name):
            return error_msg or 'Your code should define a class named %s.' % name
    return check


def prohibited_function_definition(name, error_msg=None):
    def check(code):
        if _defines(code, 'def', name):
            return error_msg or 'Your code may not define a function named %s.' % name
    return check


def _class_body(code, class_name):
    lines = code.split('\n')
    for i, line in enumerate(lines):
        m = re.match(r'^(\s*)class\s+%s\b' % re.escape(class_name), line)
        if m:
            indent = len(m.group(1))
            body = []
            for following in lines[i + 1:]:
                stripped = following.strip()
                if stripped and len(following) - len(following.lstrip()) <= indent:
                    break
                body.append(following)
            return '\n'.join(body)
    return None


def required_class_method(class_name, method_name, error_msg=None):
    def check(code):
        body = _class_body(code, class_name)
        if body is None or not _defines(body, 'def', method_name):
            return error_msg or 'Your class %s should define a method %s.' % (class_name, method_name)
    return check


def prohibited_class_method(class_name, method_name, error_msg=None):
    def check(code):
        body = _class_body(code, class_name)
        if body is not None and _defines(body, 'def', method_name):
            return error_msg or 'Your class %s may not define a method %s.' % (class_name, method_name)
    return check


def count_non_comment_lines(at_least=None, at_most=None, exactly=None, error_msg=None):
    def check(code):
        count = sum(1 for line in code.split('\n') if line.strip() and not line.strip().startswith('#'))
        if not _within(count, at_least, at_most, exactly):
            return error_msg or 'Your code has %d lines; that is not the expected length.' % count
    return check


def input_check_or(error_msg, *checks):
    """Passes when any one of ``checks`` passes."""
    def check(code):
        if all(c(code) for c in checks):
            return error_msg
    return check
