"""Lab 06's checks, at the import path the lab uses (``from lstmcourse import lab06_checks``).

They live in :mod:`lstmcourse.grading.lab06_checks`; this module holds every name of it,
private ones included. The hidden tests grade with ``lstmcourse._grading.fresh("lab06")``.
"""
from lstmcourse.grading import lab06_checks as _lab06_checks

globals().update({k: v for k, v in vars(_lab06_checks).items() if not k.startswith("__")})
