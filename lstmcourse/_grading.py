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
import importlib.util
import os

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SANDBOX_PATH = os.path.join(_PACKAGE_DIR, "grading", "sandbox.py")


def _sandbox():
    spec = importlib.util.spec_from_file_location("lstmcourse.grading._fresh_sandbox", _SANDBOX_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh(lab=None):
    """A fresh, integrity-checked and self-tested copy of the checks: labs 01–05 for ``lab=None``,
    ``fresh("lab06")`` … ``fresh("lab09")`` for those labs' modules (see
    :data:`lstmcourse.grading.LAB_MODULES`)."""
    return _sandbox().fresh(lab)
