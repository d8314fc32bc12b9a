"""Fresh copies of the lab checks for nbgrader's graded cells.

A student's notebook runs in the same Python process as the graded cells, so a solution
cell could rebind ``checks``, replace ``checks.check_rnn_step`` or patch a helper the
checks use. The hidden part of every graded cell therefore runs

    import importlib
    importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_rnn_step(rnn_step, hidden=True)

``reload`` re-executes this file from disk (whatever the notebook did to the module
object or to ``sys.modules``), and :func:`fresh` executes ``checks.py`` from disk into a
new module object that nothing in the notebook has seen. Before it is used, the fresh
copy must pass a correct answer and fail a wrong one written here, so a notebook that
broke the machinery the checks rely on (e.g. ``np.allclose = lambda *a, **k: True``)
fails the graded cell instead of passing it.

This protects the grade against redefinition, not against arbitrary code: nbgrader runs
submissions as code, so run autograde in a container, as nbgrader's documentation advises.

>>> checks = fresh()
>>> checks.check_gru_step.__module__
'lstmcourse._fresh_checks'
"""
import contextlib
import importlib.util
import io
import os

import numpy as np

_CHECKS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks.py")


def _good_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])


def _bad_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"])


def fresh():
    """A new copy of :mod:`lstmcourse.checks`, executed from its file and self-tested."""
    spec = importlib.util.spec_from_file_location("lstmcourse._fresh_checks", _CHECKS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            module.check_rnn_step(_good_step, hidden=True)
        except AssertionError as err:
            raise RuntimeError(f"The grader's self-test failed: a correct answer was rejected ({err}). Something "
                               "in this notebook changed NumPy or the checks; grade a clean copy.") from None
        try:
            module.check_rnn_step(_bad_step, hidden=True)
        except AssertionError:
            pass
        else:
            raise RuntimeError("The grader's self-test failed: a wrong answer was accepted. Something in this "
                               "notebook changed NumPy or the checks; grade a clean copy.")
    return module
