"""Keep the course's moving parts consistent: notebooks, README, CI (the environment: test_environment_lock.py)."""
import json
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from tests.course_module import load_course

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def tracked_notebooks(folder, pattern):
    """Notebooks of the course, not the copies JupyterLab keeps in .ipynb_checkpoints/ (or any dot-folder)."""
    return sorted(p for p in (ROOT / folder).glob(pattern)
                  if not any(part.startswith(".") for part in p.relative_to(ROOT).parts))


LESSONS = tracked_notebooks("notebooks", "*.ipynb")
SOLUTIONS = tracked_notebooks("solutions", "**/*.ipynb")
EXERCISES = tracked_notebooks("exercises", "**/*.ipynb")
EXECUTED = LESSONS + SOLUTIONS  # notebooks whose stored outputs nbval compares


course = load_course()
REPO, TAG = course.course_location()
COLAB = course.colab_prefix()  # https://colab.research.google.com/github/<repo>/blob/<tag>/


def rel(path):
    return path.relative_to(ROOT).as_posix()


def test_dev_pins_are_exact():
    for requirement in PYPROJECT["project"]["optional-dependencies"]["dev"]:
        assert re.match(r"^[A-Za-z0-9_.\-]+==[0-9][^;]*(;.*)?$", requirement), requirement


def test_runtime_dependencies_are_loose():
    for requirement in PYPROJECT["project"]["dependencies"]:
        assert "==" not in requirement, f"pin exact versions only in the dev extra: {requirement}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    maintainers = (ROOT / "docs" / "maintainers.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in readme and "python3 course.py lab" in readme
    assert "docs/maintainers.md" in readme  # the README links the page that describes CI
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    stages = ["python3 course.py test", "python3 course.py test-colab --seed commit",
              "python3 course.py test-jax", "python3 course.py browser-test",
              "python3 course.py site", "python3 course.py site-test"]
    assert [c for c in commands if c.startswith("python3 course.py")] == stages
    assert "set -euo pipefail" in commands
    for stage in stages:  # docs/maintainers.md describes every CI stage, and .ci/run's header lists it
        assert f"`{stage}`" in maintainers, stage
        assert stage.split(" --")[0].removeprefix("python3 course.py ").split()[0] in ci.split("set -euo")[0], stage


def test_timings_table_is_the_stored_lessons():
    """docs/maintainers.md's timing table is written from the wall times `execute` stores (`course.py timings`)."""
    from tests.course_module import load_course

    course = load_course()
    page = course.TIMINGS_FILE.read_text(encoding="utf-8")
    assert course.TIMINGS_START + "\n" + course.timings_table() + "\n" + course.TIMINGS_END in page, \
        "docs/maintainers.md's timing table is stale: run `python3 course.py timings`"
    assert course.TIMINGS_FILE.relative_to(ROOT).as_posix() in (ROOT / "README.md").read_text(encoding="utf-8")
    for nb_path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        seconds = nbformat.read(nb_path, as_version=4).metadata.get("lstmcourse", {}).get("wall_seconds")
        assert seconds is not None, f"{nb_path.name}: no recorded wall time (run `python3 course.py execute`)"


def test_reseed_arguments(capsys):
    from tests.course_module import load_course

    course = load_course()
    assert course.parse_reseed_args([]) == (course.RESEED_SEEDS, [])
    assert course.parse_reseed_args(["--seeds", "7", "99", "a.ipynb"]) == ([7, 99], ["a.ipynb"])
    seeds, rest = course.parse_reseed_args(["--seeds", "commit"])
    assert rest == [] and len(seeds) == 1 and 0 <= seeds[0] < 10**6 and seeds[0] == course.commit_seed()
    assert f"--seeds {seeds[0]}" in capsys.readouterr().out               # printed, so a failure can be replayed
    for bad in (["--seeds", "notebooks/03_lstm_gates.ipynb"], ["--seeds"], ["--seed", "7"]):
        with pytest.raises(SystemExit):
            course.parse_reseed_args(bad)


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS + EXERCISES, ids=rel)
def test_colab_badge_points_at_this_notebook(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    badges = re.findall(r"colab\.research\.google\.com/github/\S+?\.ipynb", "".join(c.source for c in nb.cells))
    assert badges == [COLAB.split("//", 1)[1] + rel(path)], badges


@pytest.mark.parametrize("path", EXECUTED, ids=rel)
def test_outputs_are_stored(path):
    """A notebook stored without outputs would make nbval a mere "it runs" test."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code), "re-run it: python3 course.py execute"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "run top to bottom in a fresh kernel"


@pytest.mark.parametrize("path", EXECUTED, ids=rel)
def test_no_trailing_semicolons_or_stderr(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        last = cell.source.rstrip().splitlines()[-1] if cell.source.strip() else ""
        assert not last.endswith(";"), f"trailing ';' hides nothing under nbval: {last!r}"
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.source[:80]


@pytest.mark.parametrize("path", [p for p in LESSONS + SOLUTIONS if p.with_suffix(".py").exists()], ids=rel)
def test_jupytext_pair_in_sync(path):
    jupytext = pytest.importorskip("jupytext")
    paired = jupytext.read(path.with_suffix(".py"))
    stored = nbformat.read(path, as_version=4)
    assert [c.source for c in paired.cells] == [c.source for c in stored.cells], (
        "the .py twin and the .ipynb differ: run python3 course.py execute " + rel(path)
    )


def test_dot_folders_are_not_taken_for_course_notebooks(tmp_path, monkeypatch):
    """Opening a lesson in JupyterLab leaves .ipynb_checkpoints/ copies; they are not course notebooks."""
    for folder in ("notebooks/.ipynb_checkpoints", "solutions/lab01/.ipynb_checkpoints", "exercises/.hidden"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x-checkpoint.ipynb").write_text("{}")
    (tmp_path / "solutions" / "lab01" / "lab01.ipynb").write_text("{}")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert tracked_notebooks("notebooks", "*.ipynb") == []
    assert tracked_notebooks("solutions", "**/*.ipynb") == [tmp_path / "solutions" / "lab01" / "lab01.ipynb"]
    assert tracked_notebooks("exercises", "**/*.ipynb") == []


def test_location_is_set_in_one_place():
    assert re.fullmatch(r"[\w.-]+/[\w-]+", REPO) and re.fullmatch(r"v\d+\.\d+\.\d+", TAG), (REPO, TAG)
    assert PYPROJECT["project"]["urls"]["Repository"] == f"https://github.com/{REPO}"


@pytest.mark.parametrize("path", course.link_files(), ids=rel)
def test_badges_and_install_cells_point_at_the_repository_and_tag(path):
    """Every link is what `python3 course.py sync-links` writes: run it after changing pyproject.toml."""
    text = path.read_text(encoding="utf-8")
    assert course.sync_links_text(text) == text, "stale links: run python3 course.py sync-links"
    for install in course.INSTALL_LINK.findall(text):
        assert install == f"git+https://github.com/{REPO}@{TAG}"


def test_sync_links_rewrites_any_location_and_is_idempotent():
    old = ('[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]'
           '(https://colab.research.google.com/github/someone/fork/blob/main/notebooks/01_rnn_cell.ipynb)\n'
           '    %pip install -q \\"lstmcourse[data] @ git+https://github.com/someone/fork\\"\n')
    once = course.sync_links_text(old)
    assert once == (f'[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]'
                    f'({COLAB}notebooks/01_rnn_cell.ipynb)\n'
                    f'    %pip install -q \\"lstmcourse[data] @ git+https://github.com/{REPO}@{TAG}\\"\n')
    assert course.sync_links_text(once) == once


def test_learner_jupyterlab_hides_exactly_the_twins_and_turns_nbgrader_off(tmp_path):
    """`course.py lab`: each lesson listed once, no nbgrader tools (`lab-instructor` shows everything)."""
    from fnmatch import fnmatch

    folder = course.learner_jupyter_config(tmp_path)
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    globs = server["ContentsManager"]["hide_globs"]
    files = [p for p in ROOT.rglob("*") if p.is_file() and not any(
        part.startswith(".") or part == "__pycache__" for part in p.relative_to(ROOT).parts)]
    hidden = {rel(p) for p in files if any(fnmatch(p.name, g) for g in globs)}
    twins = {rel(p) for p in files if p.suffix == ".py" and p.with_suffix(".ipynb").exists()}
    assert hidden == twins
    assert page == {"disabledExtensions": {"@jupyter/nbgrader": True}}
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json"
    if installed.exists():  # every server extension nbgrader enables is switched off
        enabled = json.loads(installed.read_text())["ServerApp"]["jpserver_extensions"]
        assert server["ServerApp"]["jpserver_extensions"] == {name: False for name in enabled}


def test_execute_subtracts_the_chinese_figure_twins_from_the_wall_time(tmp_path):
    """The stored wall time is a learner's: the time spent drawing each figure's Chinese twin is taken off."""
    twin = {"image/png": {"lstmcourse": {"zh_CN": {"image/png": "ZH", "text": [], "seconds": 1.25}}}}
    nb = {"cells": [{"cell_type": "code", "metadata": {"execution": {"x": 1}}, "source": "", "outputs": [
        {"output_type": "display_data", "data": {"image/png": "EN"}, "metadata": twin},
        {"output_type": "display_data", "data": {"image/png": "EN"}, "metadata": twin}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    course.strip_execution_timestamps(path, 10.0)
    stored = json.loads(path.read_text())
    assert stored["metadata"]["lstmcourse"]["wall_seconds"] == 8          # 10 - 2 x 1.25, rounded
    assert stored["metadata"]["lstmcourse"]["twin_figure_seconds"] == 2.5
    assert "execution" not in stored["cells"][0]["metadata"]
