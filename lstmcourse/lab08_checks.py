"""Lab 08's checks, at the import path the labs use (``from lstmcourse import lab08_checks``).

They live in :mod:`lstmcourse.grading.lab08_checks`; this module holds every name of it, private
ones included. The hidden tests grade with ``lstmcourse._grading.fresh("lab08")``.
"""
from lstmcourse.grading import lab08_checks as _lab08_checks

globals().update({k: v for k, v in vars(_lab08_checks).items() if not k.startswith("__")})
