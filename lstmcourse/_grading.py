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
import sys

import numpy as np

_CHECKS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks.py")


def _good_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])


def _bad_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"])


def fresh(lab=None):
    """A new copy of :mod:`lstmcourse.checks` (labs 01–05), executed from its file and
    self-tested; ``fresh("lab06")``: the same for :mod:`lstmcourse.lab06_checks`."""
    if lab == "lab06":
        return _fresh_lab06()
    if lab in ("lab07", "lab08"):
        return _fresh_variant_lab(lab)
    if lab is not None:
        raise ValueError(f"`lab` must be None (labs 01-05), 'lab06', 'lab07' or 'lab08'. Received: lab={lab!r}")
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


def _fresh_doctor():
    """``lstmcourse.doctor`` executed again from its files, as a package nothing in the notebook has seen.

    Its modules are imported anew while the notebook's copies are set aside, then the notebook's
    copies are put back; the fresh package keeps references to its own fresh submodules.
    """
    import lstmcourse

    def ours(name):
        return name == "lstmcourse.doctor" or name.startswith("lstmcourse.doctor.")

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    attribute = lstmcourse.__dict__.get("doctor")
    for name in saved:
        del sys.modules[name]
    try:
        return importlib.import_module("lstmcourse.doctor")
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
        if attribute is None:
            lstmcourse.__dict__.pop("doctor", None)
        else:
            lstmcourse.doctor = attribute


def _fresh_lab06():
    """lab06_checks and the doctor, executed from disk, after the self-tests of :func:`fresh` and of
    the doctor (it must find unscaled targets, and nothing about the targets once they are scaled)."""
    fresh()  # NumPy and the machinery shared with labs 01-05
    doctor = _fresh_doctor()
    path = os.path.join(os.path.dirname(_CHECKS_PATH), "lab06_checks.py")
    spec = importlib.util.spec_from_file_location("lstmcourse._fresh_lab06_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.doctor = doctor
    import keras

    model = keras.Sequential([keras.Input((module.GRAMS_STEPS, 2)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    x, y = module.grams_data(64, seed=0)
    found = {f.name for f in doctor.examine(model, x, y, loss="mse")}
    scaled = {f.name for f in doctor.examine(model, x, (y - y.mean()) / y.std(), loss="mse")}
    if "unscaled_targets" not in found or "unscaled_targets" in scaled:
        raise RuntimeError("The grader's self-test failed: the doctor does not tell scaled from unscaled targets. "
                           "Something in this notebook changed Keras, NumPy or the doctor; grade a clean copy.")
    return module


def _exec_fresh(filename, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(_CHECKS_PATH), filename))
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
