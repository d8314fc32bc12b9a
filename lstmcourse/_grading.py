"""The entry point of nbgrader's hidden tests: ``importlib.reload(importlib.import_module(
"lstmcourse._grading")).fresh(lab)``.

``reload`` re-executes this file from disk (whatever the notebook did to the module object
or to ``sys.modules``); this file loads :mod:`lstmcourse.grading.sandbox` from its own
file, not through the import system, and :func:`fresh` runs it: an integrity check of the
libraries, the whole grading package executed again from disk in isolation, self-tests
(see the sandbox's docstring).

>>> checks = fresh()
>>> checks.check_gru_step.__module__
'lstmcourse.grading.numpy_checks'
"""
import contextlib
import importlib.util
import io
import os

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SANDBOX_PATH = os.path.join(_PACKAGE_DIR, "grading", "sandbox.py")


def _sandbox():
    spec = importlib.util.spec_from_file_location("lstmcourse.grading._fresh_sandbox", _SANDBOX_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh(lab=None):
    """A fresh, integrity-checked and self-tested copy of the checks: labs 01–05 for ``lab=None``,
    ``fresh("lab06")`` for lab 06's module (see :data:`lstmcourse.grading.LAB_MODULES`); ``fresh("lab07")`` and
    ``fresh("lab08")``: the variant labs' modules (``lab07_checks``, ``lab08_checks``, ``variants``), executed from
    disk and self-tested here (not yet folded into the package)."""
    if lab in ("lab07", "lab08"):
        return _fresh_variant_lab(lab)
    return _sandbox().fresh(lab)


def _exec_fresh(filename, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(_PACKAGE_DIR, filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fresh_variant_lab(lab):
    """lab07_checks (and for lab 08 lab08_checks on top of it) with ``variants.py``, executed from disk, the
    fresh copies wired to each other, then self-tested on a correct and a wrong answer."""
    variants = _exec_fresh("variants.py", "lstmcourse._fresh_variants")
    common = _exec_fresh("lab07_checks.py", "lstmcourse._fresh_lab07_checks")
    common.variants = variants
    module = common
    if lab == "lab08":
        module = _exec_fresh("lab08_checks.py", "lstmcourse._fresh_lab08_checks")
        module.variants, module._common = variants, common
    good, bad, check = ((_good_probabilities, _bad_probabilities, common.check_temperature) if lab == "lab07" else
                        (_good_masked_softmax, _bad_masked_softmax, module.check_masked_softmax))
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            check(good, hidden=True, variant=0)
        except AssertionError as err:
            raise RuntimeError(f"The grader's self-test failed: a correct answer was rejected ({err}). Something in "
                               "this notebook changed NumPy or the checks; grade a clean copy.") from None
        try:
            check(bad, hidden=True, variant=0)
        except AssertionError:
            pass
        else:
            raise RuntimeError("The grader's self-test failed: a wrong answer was accepted. Something in this "
                               "notebook changed NumPy or the checks; grade a clean copy.")
    return module


def _good_probabilities(logits, temperature):
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _bad_probabilities(logits, temperature):
    return _good_probabilities(logits, 1.0 if temperature else 0)


def _good_masked_softmax(scores, mask):
    top = np.max(np.where(mask, scores, -1e300), axis=-1, keepdims=True)
    e = np.where(mask, np.exp(np.where(mask, scores - top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def _bad_masked_softmax(scores, mask):
    return _good_masked_softmax(scores, np.ones_like(mask))

