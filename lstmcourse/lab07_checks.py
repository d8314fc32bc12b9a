"""Lab 07's checks, at the import path the labs use (``from lstmcourse import lab07_checks``).

They live in :mod:`lstmcourse.grading.lab07_checks`; this module holds every name of it, private
ones included. The hidden tests grade with ``lstmcourse._grading.fresh("lab07")``.
"""
from lstmcourse.grading import lab07_checks as _lab07_checks

globals().update({k: v for k, v in vars(_lab07_checks).items() if not k.startswith("__")})
