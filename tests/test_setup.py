"""setup_notebook's seed: the notebook's own, or LSTMCOURSE_SEED's (the reseeded run)."""
import os
import subprocess
import sys

import pytest

SNIPPET = """
import lstmcourse
from lstmcourse.experiments import _as_seeds
try:
    lstmcourse.notebook_seed()
except RuntimeError as err:
    print("before:", err)
lstmcourse.setup_notebook(seed=42, verbose=False)
print("seed:", lstmcourse.notebook_seed(), "experiment seeds:", _as_seeds(3))
"""


def _run(seed_env):
    env = {k: v for k, v in os.environ.items() if k != "LSTMCOURSE_SEED"}
    if seed_env is not None:
        env["LSTMCOURSE_SEED"] = seed_env
    return subprocess.run([sys.executable, "-c", SNIPPET], env=env, capture_output=True, text=True, timeout=300)


def test_notebook_seed_is_the_written_one_by_default():
    out = _run(None)
    assert out.returncode == 0, out.stderr
    assert "before: call lstmcourse.setup_notebook() first" in out.stdout
    assert "seed: 42 experiment seeds: [42, 43, 44]" in out.stdout


def test_environment_variable_reseeds_the_notebook_and_its_experiments():
    out = _run("7")
    assert out.returncode == 0, out.stderr
    assert "seed: 7 experiment seeds: [7, 8, 9]" in out.stdout


@pytest.mark.parametrize("bad", ["seven", "1.5"])
def test_bad_seed_variable_is_named(bad):
    out = _run(bad)
    assert out.returncode != 0
    assert f"LSTMCOURSE_SEED must be an integer. Received: LSTMCOURSE_SEED='{bad}'" in out.stderr
