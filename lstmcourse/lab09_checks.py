"""Lab 09's checks, at the import path the labs use (``from lstmcourse import lab09_checks``).

They live in :mod:`lstmcourse.grading.lab09_checks`; this module holds every name of it, private
ones included. The hidden tests grade with ``lstmcourse._grading.fresh("lab09")``.
"""
from lstmcourse.grading import lab09_checks as _lab09_checks

globals().update({k: v for k, v in vars(_lab09_checks).items() if not k.startswith("__")})
