"""`course.py lab` opens the learner's own copy (my-work/), so reading, running and saving a
lesson never rewrites a tracked notebook; `course.py browser-test` checks it in a real browser."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.course_module import ROOT, load_course

course = load_course()
sys.path.insert(0, str(ROOT / "tools"))
import browser_test  # noqa: E402  (tools/ is not a package)


def fake_course(root: Path) -> None:
    for rel in ["notebooks/01_a.ipynb", "notebooks/01_a.py", "notebooks/glossary.md",
                "exercises/lab01/lab01.ipynb", "solutions/lab01/lab01.ipynb"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"original {rel}\n")


def test_learner_copy_holds_the_lessons_and_labs_and_never_overwrites(tmp_path):
    root, work = tmp_path / "repo", tmp_path / "repo" / "my-work"
    fake_course(root)
    copied, updated = course.learner_copy(dest=work, root=root)
    assert copied == ["notebooks/01_a.ipynb", "notebooks/glossary.md", "exercises/lab01/lab01.ipynb"]
    assert updated == []
    assert not (work / "notebooks" / "01_a.py").exists() and not (work / "solutions").exists()
    # the learner works on the copy; the course changes upstream; the next `course.py lab`:
    (work / "notebooks" / "01_a.ipynb").write_text("my answers\n")
    (root / "notebooks" / "01_a.ipynb").write_text("course v2\n")
    (root / "notebooks" / "02_b.ipynb").write_text("a new lesson\n")
    copied, updated = course.learner_copy(dest=work, root=root)
    assert copied == ["notebooks/02_b.ipynb"]
    assert updated == ["notebooks/01_a.ipynb"]
    assert (work / "notebooks" / "01_a.ipynb").read_text() == "my answers\n"
    # deleting a copy brings the course's current version back
    (work / "notebooks" / "01_a.ipynb").unlink()
    copied, updated = course.learner_copy(dest=work, root=root)
    assert copied == ["notebooks/01_a.ipynb"] and updated == []
    assert (work / "notebooks" / "01_a.ipynb").read_text() == "course v2\n"


def test_learner_copy_of_this_course_has_every_lesson_and_lab(tmp_path):
    course.learner_copy(dest=tmp_path)
    got = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.name != course.COPIES_RECORD}
    lessons = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")}
    labs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("lab*/*.ipynb")}
    # the Chinese edition travels too (`course.py lab-zh` opens my-work/notebooks/zh-CN)
    zh = {p.relative_to(ROOT).as_posix() for p in [*(ROOT / "notebooks" / "zh-CN").glob("*.ipynb"),
                                                   *(ROOT / "exercises" / "zh-CN").glob("lab*/*.ipynb")]}
    files = {g for g in got if "." in Path(g).name}
    assert lessons | labs | zh <= files and len(lessons) >= 11 and len(labs) >= 5 and len(zh) >= 16
    pages = {f"notebooks/{lang}{name}" for lang in ("", "zh-CN/") for name in ("glossary.md", "where_next.md",
                                                                            "notation.md")}
    assert files - lessons - labs - zh == pages | {"notebooks/zh-CN/terminology.md"}
    # no jupytext config travels with the copy, so saving there writes no .py twin
    assert not list(tmp_path.rglob("jupytext.toml")) and not list(tmp_path.rglob("*.py"))


def test_lab_roots_jupyterlab_at_the_working_copy_with_the_learner_config(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(course, "ensure_env", lambda: Path("/venv/bin/python"))
    monkeypatch.setattr(course, "LEARNER_DIR", tmp_path / "my-work")
    monkeypatch.setattr(course, "VENV", tmp_path / "venv")
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    assert course.cmd_lab(["--no-browser"]) == 0
    (cmd, env), = calls
    assert f"--notebook-dir={tmp_path / 'my-work'}" in cmd and cmd[-1] == "--no-browser"
    assert (tmp_path / "my-work" / "notebooks" / "03_lstm_gates.ipynb").exists()
    config = Path(env["JUPYTER_CONFIG_PATH"].split(course.os.pathsep)[0])
    assert config == tmp_path / "venv" / "etc" / "lstmcourse-learner"
    assert (config / "labconfig" / "page_config.json").exists()
    out = capsys.readouterr().out
    assert "Copied" in out and "my-work/" in out and "stay untouched" in out


def test_lab_instructor_stays_on_the_repository(monkeypatch):
    calls = []
    monkeypatch.setattr(course, "ensure_env", lambda: Path("/venv/bin/python"))
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, env: calls.append(cmd) or 0)
    course.cmd_lab_instructor([])
    assert f"--notebook-dir={ROOT}" in calls[0]


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_the_working_copy_and_browser_output_are_gitignored():
    paths = ["my-work/notebooks/03_lstm_gates.ipynb", "my-work/exercises/lab01/.ipynb_checkpoints/x.ipynb",
             "build/browser/lab01-00.png", ".pw/playwright/__init__.py"]
    out = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                         capture_output=True, text=True).stdout.split()
    assert out == paths


def test_browser_test_without_chromium_says_what_to_run_and_fails_unless_skipped(monkeypatch, capsys):
    monkeypatch.setattr(course, "find_chromium", lambda: None)
    monkeypatch.setattr(course.shutil, "which", lambda name: None)  # no apt-get: nothing is installed
    monkeypatch.delenv(course.BROWSER_SKIP_ENV, raising=False)
    monkeypatch.setattr(course, "ensure_env", lambda: pytest.fail("must not build .venv without a browser"))
    assert course.cmd_browser_test([]) == 1
    assert "apt-get install -y chromium" in capsys.readouterr().out
    assert course.cmd_browser_test(["--skip-if-unavailable"]) == 0
    assert "Skipped" in capsys.readouterr().out
    monkeypatch.setenv(course.BROWSER_SKIP_ENV, "skip")
    assert course.cmd_browser_test([]) == 0


def test_browser_test_finds_the_math_and_figures_it_checks():
    assert browser_test.MATH.findall(r"gate $f_t = \sigma(x)$ and $$h_t$$ but not `$x` alone") \
        == [r"$f_t = \sigma(x)$", "$$h_t$$"]
    assert browser_test.MATH.findall("costs 5 dollars") == []
    nb = json.loads((ROOT / "notebooks" / "01_rnn_cell.ipynb").read_text(encoding="utf-8"))
    assert browser_test.stored_images(nb) >= 1
    assert browser_test.stored_images({"cells": [{"outputs": [{"data": {"text/plain": "x"}}]}]}) == 0


def test_browser_test_without_playwright_says_how_to_get_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(course, "find_chromium", lambda: Path("/usr/bin/chromium"))
    monkeypatch.setattr(course, "ensure_env", lambda: Path(sys.executable))
    monkeypatch.delenv(course.BROWSER_SKIP_ENV, raising=False)
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, **kw: 1)  # `import playwright` fails
    assert course.cmd_browser_test([]) == 1
    assert "Playwright for Python is missing" in capsys.readouterr().out
    assert course.cmd_browser_test(["--skip-if-unavailable"]) == 0
