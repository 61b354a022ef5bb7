"""Lets course graders written as ``import gradelib`` work unchanged."""
from grader_support.gradelib import *  # noqa: F401,F403
from grader_support.gradelib import __all__  # noqa: F401
