"""Test-session settings shared by unit tests, doctests and notebooks (nbval)."""
import os

# Before anything imports TensorFlow: no start-up noise, no oneDNN rounding differences.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

# The jupytext twins of the notebooks (*.py next to *.ipynb) are sources, not tests.
# notebooks/zh-CN/ are built from the English lessons (tools/i18n.py) with the same code and
# outputs; tests/test_translations.py compares them instead of re-executing them, except
# LIVE_CHINESE: nbval runs it in Chinese, so its printed lines go through the live translator
# (lstmcourse/printed.py) and must equal the stored Chinese lines (docs/translation.md). Likewise the
# Chinese labs solutions/zh-CN/labNN (built from solutions/labNN, same code cells and outputs).
# exercises/ are executed by tests/test_labs.py (stubs must raise NotImplementedError and
# nothing else), not compared by nbval: they have no stored outputs.
collect_ignore_glob = ["exercises/*", "solutions/zh-CN/*","notebooks/*.py", "solutions/**/*.py", "exercises/**/*.py", "benchmarks/*.py",
                       "course.py"]


#: The Chinese lesson nbval executes (a short one: the live translation in a real kernel).
LIVE_CHINESE = {"01_rnn_cell.ipynb"}


def pytest_ignore_collect(collection_path, config):
    """Ignore the Chinese lessons (built, not executed) but LIVE_CHINESE; None: pytest decides."""
    path = collection_path
    if path.parent.name == "zh-CN" and path.parent.parent.name == "notebooks":
        return path.name not in LIVE_CHINESE
    return None
