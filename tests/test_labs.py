"""Labs: solutions carry valid nbgrader metadata, exercises are generated from them and
run with every stub raising NotImplementedError and nothing else failing."""
import filecmp
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from tests.test_translations import i18n  # tools/i18n.py: strip_comments, marker_comments

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("lab*/lab*.ipynb"))
LAB_NAMES = [p.parent.name for p in SOLUTIONS]


#: Labs whose Chinese version is still to come (issue 22: lab 06 first, its translation later).
UNTRANSLATED = set()
TRANSLATED = [lab for lab in LAB_NAMES if lab not in UNTRANSLATED]


def test_there_are_nine_labs():
    assert LAB_NAMES == ["lab01", "lab02", "lab03", "lab04", "lab05", "lab06", "lab07", "lab08", "lab09"]
    assert sorted(p.name for p in (ROOT / "solutions" / "zh-CN").glob("lab*")) == TRANSLATED


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solution_nbgrader_metadata(path):
    nb = nbformat.read(path, as_version=4)
    grade_ids, points = [], 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        has_markers = "### BEGIN SOLUTION" in cell.source
        if has_markers:
            assert meta and meta["solution"], f"solution markers without nbgrader metadata: {cell.source[:60]!r}"
            assert "### END SOLUTION" in cell.source
        if cell.cell_type == "code":
            assert meta and (meta["solution"] or meta["locked"]), (
                f"a code cell a student must not edit is not locked: {cell.source[:60]!r}")
        if meta:
            assert meta["schema_version"] == 3
            grade_ids.append(meta["grade_id"])
            if meta["grade"]:
                points += meta["points"]
                if cell.cell_type == "code":
                    assert meta["locked"], "autograded check cells are locked"
                    assert "raises-exception" in cell.metadata.get("tags", []), "checks must be allowed to fail in exercises"
                    assert "checks." in cell.source, "a graded cell runs a lstmcourse check"
                    hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)
                    assert len(hidden) == 2 and "### END HIDDEN TESTS" in hidden[1], "graded cells have hidden tests"
                    assert re.search(r'\.fresh\((?:"lab\d\d")?\)\.check_', hidden[1]) and "importlib.reload" in hidden[1], (
                        "hidden tests grade with a fresh copy of the checks")
    assert len(grade_ids) == len(set(grade_ids)), "grade_id values must be unique"
    stated = int(re.search(r"Points: (\d+)", nb.cells[0].source).group(1))
    assert points == stated, f"the intro says {stated} points, the cells give {points}"


def test_exercises_are_up_to_date(tmp_path):
    """Regenerating exercises/ from solutions/ with nbgrader gives exactly the committed files."""
    subprocess.run([sys.executable, str(ROOT / "course.py"), "exercises", str(tmp_path)],
                   check=True, capture_output=True)
    def files(folder):  # not JupyterLab's .ipynb_checkpoints/ or other dot-folders a learner's session leaves
        return sorted(p.relative_to(folder) for p in folder.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))

    committed, fresh = files(ROOT / "exercises"), files(tmp_path)
    assert committed == fresh
    for rel in fresh:
        assert filecmp.cmp(tmp_path / rel, ROOT / "exercises" / rel, shallow=False), (
            f"exercises/{rel} is stale: run python3 course.py exercises")


@pytest.mark.parametrize("lab", LAB_NAMES)
def test_exercise_hides_solutions_and_points_badge_at_itself(lab):
    text = (ROOT / "exercises" / lab / f"{lab}.ipynb").read_text(encoding="utf-8")
    tag = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["lstmcourse"]["release-tag"]
    assert "BEGIN SOLUTION" not in text and f"blob/{tag}/solutions/" not in text
    assert "HIDDEN TESTS" not in text and "_grading" not in text
    assert f"blob/{tag}/exercises/{lab}/{lab}.ipynb" in text
    nb = json.loads(text)
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


STUB_LINES = {"# YOUR CODE HERE（在这里写你的代码）": "# YOUR CODE HERE",       # Chinese stub line -> English
              'raise NotImplementedError("在这里写你的代码，然后删掉这一行")': "raise NotImplementedError()"}


def english_stubs(code):
    for zh, en in STUB_LINES.items():
        code = code.replace(zh, en)
    return code


@pytest.mark.parametrize("lab", TRANSLATED)
def test_chinese_exercise_is_the_english_one_with_translated_text(lab):
    """exercises/zh-CN/labNN is nbgrader's student version of solutions/zh-CN/labNN (tools/i18n.py builds
    that from the English solution; test_exercises_are_up_to_date regenerates both): it hides what the
    English one hides, its badge opens itself, and its code cells (stubs, locked checks) are the English
    exercise's but for their comments and stubs' words, and every cell's nbgrader metadata is the English
    one's (the checksum hashes the text), so it behaves exactly like the English one, which
    test_exercise_runs_with_only_stub_errors executes."""
    text = (ROOT / "exercises" / "zh-CN" / lab / f"{lab}.ipynb").read_text(encoding="utf-8")
    tag = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["lstmcourse"]["release-tag"]
    assert "BEGIN SOLUTION" not in text and "/solutions/" not in text
    assert "HIDDEN TESTS" not in text and "_grading" not in text
    assert f"blob/{tag}/exercises/zh-CN/{lab}/{lab}.ipynb" in text
    zh, en = json.loads(text), json.loads((ROOT / "exercises" / lab / f"{lab}.ipynb").read_text(encoding="utf-8"))
    assert zh["metadata"] == en["metadata"] and len(zh["cells"]) == len(en["cells"])
    for z, e in zip(zh["cells"], en["cells"]):
        z_code, e_code = "".join(z["source"]), "".join(e["source"])
        if e["cell_type"] == "code":
            # the same code: the setup call asks for Chinese, the stubs are nbgrader's English words followed by
            # Chinese (tools/nbgrader_zh/nbgrader_config.py), the comments are translated (tools/i18n.py); with
            # comments stripped (tokenize) the code is the English one byte for byte, and the tools' markers
            # (nbgrader's, nbval's) are the same comments in the same order
            z_english = english_stubs(z_code).replace(', language="zh_CN")', ")")
            assert i18n.strip_comments(z_english) == i18n.strip_comments(e_code), z_code[:80]
            assert i18n.marker_comments(z_english) == i18n.marker_comments(e_code), z_code[:80]
            text_differs = z_code != e_code
        else:  # markdown is translated; a hand-graded answer's stub is nbgrader's words followed by Chinese
            text_differs = (z_code, e_code) == ("YOUR ANSWER HERE（在这里写你的答案）", "YOUR ANSWER HERE")
        if text_differs:   # the graded text differs, so nbgrader's checksum differs
            z, e = json.loads(json.dumps(z)), json.loads(json.dumps(e))
            for cell in (z, e):
                cell["metadata"].get("nbgrader", {}).pop("checksum", None)
        assert {k: v for k, v in z.items() if k != "source"} == {k: v for k, v in e.items() if k != "source"}
    n_stubs = "".join("".join(c["source"]) for c in en["cells"] if c["cell_type"] == "code").count("# YOUR CODE HERE\n")
    assert "".join("".join(c["source"]) for c in zh["cells"]).count("# YOUR CODE HERE（在这里写你的代码）") == n_stubs, \
        "every stub of the English exercise is the Chinese stub in the Chinese one"
    assert re.search("[\u4e00-\u9fff]", "".join(zh["cells"][0]["source"])), "the text is Chinese"


@pytest.mark.parametrize("lab", LAB_NAMES)
def test_exercise_runs_with_only_stub_errors(lab):
    """Every error is a NotImplementedError from a stub, in a cell tagged raises-exception."""
    from nbclient import NotebookClient

    path = ROOT / "exercises" / lab / f"{lab}.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append(out.ename)
                assert "raises-exception" in cell.metadata.get("tags", []), f"untagged cell failed: {cell.source[:80]!r}"
                assert out.ename == "NotImplementedError", f"{out.ename}: {out.evalue} in {cell.source[:80]!r}"
    stubs = sum(c.source.count("raise NotImplementedError()") for c in nb.cells if c.cell_type == "code")
    assert stubs >= 2 and len(errors) >= stubs, "the exercise has stubs and every check reaches one"
