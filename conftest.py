"""Test-session settings shared by unit tests, doctests and notebooks (nbval)."""
import os

# Before anything imports TensorFlow: no start-up noise, no oneDNN rounding differences.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

# The jupytext twins of the notebooks (*.py next to *.ipynb) are sources, not tests.
# exercises/ are executed by tests/test_labs.py (stubs must raise NotImplementedError and
# nothing else), not compared by nbval: they have no stored outputs.
collect_ignore_glob = ["exercises/*","notebooks/*.py", "solutions/**/*.py", "exercises/**/*.py", "benchmarks/*.py",
                       "course.py"]
