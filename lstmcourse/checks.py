"""The checks of labs 01–05, at the import path the labs use (``from lstmcourse import checks``).

They live in :mod:`lstmcourse.grading`, one module per job (harness, numpy_checks,
keras_checks, result_checks); this module holds every name of those modules, private ones
included, so ``checks.check_rnn_step`` and ``checks._case`` work as before. The graded
cells' hidden tests do not use it: they grade with ``lstmcourse._grading.fresh()``.

    >>> from lstmcourse import checks
    >>> checks.check_gru_step.__module__
    'lstmcourse.grading.numpy_checks'
"""
from lstmcourse.grading import harness as _harness
from lstmcourse.grading import keras_checks as _keras_checks
from lstmcourse.grading import numpy_checks as _numpy_checks
from lstmcourse.grading import result_checks as _result_checks

for _module in (_harness, _numpy_checks, _keras_checks, _result_checks):
    globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
del _module
