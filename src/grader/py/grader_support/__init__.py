"""Course-side grading support for xqueue-watcher style graders (grader.py + answer.py).

Written for xqueue-ts from the documented interface; API-compatible with the names
course graders use: ``from grader_support import gradelib`` or ``import gradelib``.
"""
