"""Alt text for every figure of the lessons (issue 24): kept with the notebook, translated, checked.

A code cell whose stored output is a figure carries its alt text as cell metadata in the jupytext source,
`# %% alt="..."` (a list, `# %% alt=["...", "..."]`, for a cell with several figures, one per figure in
output order). tools/i18n.py extracts each text into the lesson's catalogue and writes its translation into
the Chinese notebook; the site (tools/site/conf.py) renders it as the figure's <img alt>. docs/site.md.
"""
import importlib.util
import json
import re
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIGURE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def load_i18n():
    spec = importlib.util.spec_from_file_location("lstmcourse_i18n_alt", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


i18n = load_i18n()


def figures(cell) -> int:
    """How many figures a stored code cell shows (outputs with an image)."""
    return sum(1 for output in cell.get("outputs", []) if any(k in output.get("data", {}) for k in FIGURE_TYPES))


def source_cells(notebook: Path) -> list:
    """The cells of the lesson's jupytext source (the .py twin: where the alt text is written)."""
    return jupytext.read(notebook.with_suffix(".py")).cells


def rel(path):
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("notebook", LESSONS, ids=rel)
def test_every_figure_has_english_alt_text_in_the_source(notebook):
    """One alt text per figure of the stored outputs, in the .py source, describing it in words."""
    stored = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = source_cells(notebook)
    assert [c["cell_type"] for c in stored] == [c.cell_type for c in source], \
        f"{rel(notebook)} and its .py twin have different cells: python3 course.py execute {rel(notebook)}"
    problems = []
    for index, (cell, twin) in enumerate(zip(stored, source)):
        n = figures(cell) if cell["cell_type"] == "code" else 0
        texts = i18n.alt_texts(twin)
        if len(texts) != n:
            problems.append(f"cell {index} ({cell.get('id')}): {n} figure(s), {len(texts)} alt text(s)")
        for text in texts:
            # ASCII only: jupytext writes other characters back as \u escapes, so `course.py execute` would
            # rewrite the header line (write rho, ||h_t||, delta_t ... instead).
            if not text.isascii():
                problems.append(f"cell {index}: non-ASCII characters {sorted(set(re.sub(r'[ -~]', '', text)))}")
            if len(text.split()) < 8 or re.search(r"\.(png|svg|jpe?g)\b|_images/", text):
                problems.append(f"cell {index}: not a description: {text!r}")
    assert not problems, f"{rel(notebook)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("notebook", LESSONS, ids=rel)
def test_every_alt_text_is_translated_in_the_chinese_catalogue(notebook):
    """Each English alt text of the source is a message of the lesson's catalogue, translated (not fuzzy),
    into Chinese, marked as alt text, at the cell it belongs to."""
    stored = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    cat = i18n.load_catalog(i18n.po_path(notebook))
    problems = []
    for cell, twin in zip(stored, source_cells(notebook)):
        for text in i18n.alt_texts(twin):
            message = cat.get(text)
            if message is None:
                problems.append(f"not in the catalogue: {text[:60]!r}")
                continue
            zh = i18n.translation(cat, text)
            if zh is None or not re.search(r"[\u4e00-\u9fff]", zh):
                problems.append(f"not translated into Chinese (or fuzzy): {text[:60]!r}")
            if i18n.ALT_COMMENT not in message.auto_comments:
                problems.append(f"not marked '#. {i18n.ALT_COMMENT}': {text[:60]!r}")
            if f"{i18n.source_name(notebook)}#{cell.get('id', '')}" not in [loc for loc, _ in message.locations]:
                problems.append(f"not located at cell {cell.get('id')}: {text[:60]!r}")
    assert not problems, f"{rel(i18n.po_path(notebook))} (python3 course.py i18n extract; translate):\n" + \
        "\n".join(problems)


def test_a_lesson_has_figures_with_alt_text():
    """The parametrised tests above are not vacuous: the lessons have figures, and all of them are covered."""
    total = sum(figures(c) for nb in LESSONS for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
    texts = sum(len(i18n.alt_texts(c)) for nb in LESSONS for c in source_cells(nb))
    assert total >= 20 and texts == total


def _lesson(tmp_path, alt, translated: str | None):
    """A one-figure lesson with its alt metadata, extracted, and (optionally) the alt text translated."""
    nb = {"cells": [{"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "# Title"},
                    {"cell_type": "code", "id": "c1", "metadata": {"alt": alt}, "execution_count": 1, "source": "plot()",
                     "outputs": [{"output_type": "display_data", "metadata": {},
                                  "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "notebooks" / "01_demo.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    cat = i18n.extract(path, root=tmp_path)
    po = i18n.po_path(path, tmp_path)
    if translated is not None:
        cat[alt if isinstance(alt, str) else alt[0]].string = translated
        cat["# Title"].string = "# 标题"
        i18n.write_catalog(cat, po)
    return path, po


def test_alt_text_is_extracted_and_built_into_the_chinese_cell(tmp_path):
    path, po = _lesson(tmp_path, "A line chart of the loss per epoch, falling.", "折线图：每轮的损失，逐渐下降。")
    text = po.read_text(encoding="utf-8")
    assert f"#. {i18n.ALT_COMMENT}\n#: notebooks/01_demo.ipynb#c1\nmsgid \"A line chart" in text
    built, status = i18n.build(path, root=tmp_path)
    code = built["cells"][1]
    assert code["metadata"]["alt"] == "折线图：每轮的损失，逐渐下降。"
    assert code["outputs"] == json.loads(path.read_text(encoding="utf-8"))["cells"][1]["outputs"]
    assert not status.pending_cells


def test_untranslated_alt_text_stays_english_and_the_cell_is_pending(tmp_path):
    alt = ["First figure: the loss per epoch.", "Second figure: the accuracy per epoch."]
    path, _ = _lesson(tmp_path, alt, translated="第一幅图：每轮的损失。")  # the second one is not translated
    built, status = i18n.build(path, root=tmp_path)
    assert built["cells"][1]["metadata"]["alt"] == ["第一幅图：每轮的损失。", alt[1]]
    assert [c.cell_id for c in status.pending_cells] == ["c1"]


@pytest.mark.parametrize("bad", [42, "", ["a figure", ""], {"alt": "x"}])
def test_bad_alt_metadata_is_named(bad):
    with pytest.raises(TypeError, match=r"`alt` metadata .* Received: alt="):
        i18n.alt_texts({"cell_type": "code", "metadata": {"alt": bad}})
