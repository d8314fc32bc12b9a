"""The Chinese edition (tools/i18n.py): catalogues, builds, and staleness that is never silent."""
import copy
import doctest
import functools
import importlib.util
import json
import re
import shutil
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

from tests.course_module import load_course

ROOT = Path(__file__).resolve().parents[1]


def load_i18n():
    spec = importlib.util.spec_from_file_location("lstmcourse_i18n", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


i18n = load_i18n()
BUILT = sorted((ROOT / "notebooks" / i18n.LANG_DIR).glob(i18n.LESSON_GLOB))
BUILT_LABS = sorted((ROOT / "solutions" / i18n.LANG_DIR).glob(i18n.LAB_GLOB))  # solutions/zh-CN/labNN/labNN.ipynb
ENGLISH_LABS = sorted((ROOT / "solutions").glob(i18n.LAB_GLOB))
#: The Chinese glossary, where-next and notation pages (notebooks/zh-CN/*.md built from locale/zh_CN/NAME.po).
BUILT_PAGES = [ROOT / "notebooks" / i18n.LANG_DIR / name for name in i18n.PAGES
               if (ROOT / "notebooks" / i18n.LANG_DIR / name).exists()]
#: One catalogue per lesson, lab or page (outputs.po, the printed lines of them all, is tested on its own).
CATALOGUES = sorted(p for p in (ROOT / "locale" / i18n.LOCALE).glob("*.po") if p.name != i18n.OUTPUTS_PO.name)


def rel(path):
    return path.relative_to(ROOT).as_posix()


def english(zh_notebook):
    """The English source of a built Chinese notebook (a lesson, or a lab's solution)."""
    if zh_notebook.parent.parent.name == i18n.LANG_DIR:  # solutions/zh-CN/labNN/labNN.ipynb
        return ROOT / "solutions" / zh_notebook.parent.name / zh_notebook.name
    return ROOT / "notebooks" / zh_notebook.name


def english_of_catalogue(po):
    if po.stem + ".md" in i18n.PAGES:
        return ROOT / "notebooks" / (po.stem + ".md")
    lab = ROOT / "solutions" / po.stem / (po.stem + ".ipynb")
    return lab if lab.exists() or po.stem.startswith("lab") else ROOT / "notebooks" / (po.stem + ".ipynb")


# ---------------------------------------------------------------------------------------
# The splitter
# ---------------------------------------------------------------------------------------

def test_doctests():
    assert doctest.testmod(i18n).failed == 0


def test_blocks_keep_lists_tables_fences_and_math_whole():
    source = ("# Title\n\nFirst line\nsecond line of one paragraph.\n\n"
              "1. one\n2. two\n\n   still item two\n\n"
              "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
              "```python\nx = 1\n\ny = 2\n```\n\n"
              "$$\na = b\n\n+ c\n$$\n\n"
              "> a quote\n> on two lines\n\n"
              "[![Open In Colab](https://x/badge.svg)](https://x/nb.ipynb)\n")
    blocks = i18n.split_blocks(source)
    assert [b.text for b in blocks] == [
        "# Title", "First line\nsecond line of one paragraph.",
        "1. one\n2. two\n\n   still item two", "| a | b |\n|---|---|\n| 1 | 2 |",
        "```python\nx = 1\n\ny = 2\n```", "$$\na = b\n\n+ c\n$$", "> a quote\n> on two lines",
        "[![Open In Colab](https://x/badge.svg)](https://x/nb.ipynb)"]
    assert [b.translatable for b in blocks] == [True, True, True, True, False, False, True, False]


def test_nbgrader_markers_in_an_answer_cell_are_not_translated():
    blocks = i18n.split_blocks("### BEGIN SOLUTION\nThe model answer.\n### END SOLUTION\n")
    assert [(b.text, b.translatable) for b in blocks] == [
        ("### BEGIN SOLUTION", False), ("The model answer.", True), ("### END SOLUTION", False)]
    assert i18n.split_blocks("### Begin with a solution")[0].translatable  # only nbgrader's exact markers


def test_replace_blocks_changes_only_the_named_blocks():
    source = "# Title\n\nSome text.\n\n$$x$$\n\nMore text.\n"
    assert i18n.replace_blocks(source, {}) == source
    assert i18n.replace_blocks(source, {0: "# 标题", 3: "更多文字。\n第二行。"}) == \
        "# 标题\n\nSome text.\n\n$$x$$\n\n更多文字。\n第二行。\n"


def test_bad_input_is_named():
    with pytest.raises(TypeError, match=r"Received: source=\['a'\]"):
        i18n.split_blocks(["a"])


# ---------------------------------------------------------------------------------------
# The committed Chinese notebooks
# ---------------------------------------------------------------------------------------

def test_every_catalogue_has_a_lesson_and_a_build():
    assert CATALOGUES, "no catalogue in locale/zh_CN"
    for po in CATALOGUES:
        source = english_of_catalogue(po)
        assert source.exists(), f"{rel(po)} has no English lesson or lab"
        assert i18n.zh_path(source).exists(), f"{rel(po)} is not built: python3 course.py i18n build"
    assert {p.stem for p in BUILT + BUILT_LABS + BUILT_PAGES} == {p.stem for p in CATALOGUES}


#: Labs whose catalogue and Chinese build are still to come (lab 06, issue 22: translation can follow).
UNTRANSLATED_LABS = set()


def test_every_lab_is_translated():
    """Issue 15 item 5: every lab has a catalogue and a built Chinese solution, except the ones listed
    as still to translate (and a listed lab must not be translated already: then take it off the list)."""
    waiting = [p for p in ENGLISH_LABS if p.parent.name in UNTRANSLATED_LABS]
    assert ENGLISH_LABS and [english(p) for p in BUILT_LABS] == [p for p in ENGLISH_LABS if p not in waiting]
    assert {p.parent.name for p in waiting} == UNTRANSLATED_LABS


@pytest.mark.parametrize("po", CATALOGUES, ids=rel)
def test_catalogue_is_extracted_from_the_current_english(po, tmp_path):
    """The .po holds exactly the English lesson's (or lab's) text (re-extracting changes nothing)."""
    source = english_of_catalogue(po)
    copy = tmp_path / rel(source)
    copy.parent.mkdir(parents=True)
    shutil.copy(source, copy)
    (tmp_path / "locale" / i18n.LOCALE).mkdir(parents=True)
    shutil.copy(po, tmp_path / "locale" / i18n.LOCALE / po.name)
    i18n.extract(copy, root=tmp_path)

    def content(path):  # what the catalogue says, whatever line wrapping a translator's editor chose
        cat = i18n.load_catalog(path)
        messages = [(m.id, m.string, sorted(f for f in m.flags if not f.endswith("-format")), m.previous_id,
                     m.locations) for m in cat if m.id]
        return messages, sorted(cat.obsolete)

    assert content(tmp_path / "locale" / i18n.LOCALE / po.name) == content(po), \
        f"run: python3 course.py i18n extract {rel(source)}"


@pytest.mark.parametrize("path", BUILT + BUILT_LABS + BUILT_PAGES, ids=rel)
def test_built_notebook_is_up_to_date(path):
    """CI catches a forgotten rebuild: the stored Chinese notebook is the build of English + .po."""
    built, _ = i18n.build(english(path))
    assert path.read_text(encoding="utf-8") == i18n.dumps(built), \
        f"out of date: python3 course.py i18n build {rel(english(path))}"


@pytest.mark.parametrize("path", BUILT + BUILT_LABS, ids=rel)
def test_code_outputs_and_metadata_equal_the_english(path):
    zh = json.loads(path.read_text(encoding="utf-8"))
    en = json.loads(english(path).read_text(encoding="utf-8"))
    assert zh["metadata"] == en["metadata"] and zh["nbformat"] == en["nbformat"]
    assert [(c["cell_type"], c.get("id")) for c in zh["cells"]] == [(c["cell_type"], c.get("id")) for c in en["cells"]]
    for z, e in zip(zh["cells"], en["cells"]):
        if e["cell_type"] == "code":  # the English cell, its figures drawn in Chinese in the same run,
            # its figure's alt text, its comments and its printed lines translated: the code without comments is the same,
            # byte for byte, and the tools' markers (nbval, nbgrader) are the same comments in the same order
            twin = i18n.zh_code_cell(e)
            z_code, twin_code = i18n.cell_source(z), i18n.cell_source(twin)
            assert i18n.strip_comments(z_code) == i18n.strip_comments(twin_code)
            assert i18n.marker_comments(z_code) == i18n.marker_comments(twin_code)
            rest = [{**c, "source": None, "metadata": {k: v for k, v in c["metadata"].items() if k != "alt"}}
                    for c in (z, twin)]
            assert untranslated_streams(rest[0], rest[1]) == rest[1]  # printed lines: the same numbers
            assert ("alt" in z["metadata"]) == ("alt" in e["metadata"])
        else:
            assert {k: v for k, v in z.items() if k != "source"} == {k: v for k, v in e.items() if k != "source"}


@pytest.mark.parametrize("path", BUILT, ids=rel)
def test_chinese_lesson_links_terminology_and_its_own_colab_badge(path):
    zh = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(zh["cells"][0]["source"])
    assert "](terminology.md)" in first
    course = load_course()
    assert f"({course.colab_prefix()}notebooks/{i18n.LANG_DIR}/{path.name})" in first
    assert (ROOT / "notebooks" / i18n.LANG_DIR / "terminology.md").exists()


@pytest.mark.parametrize("path", BUILT_LABS, ids=rel)
def test_chinese_lab_says_which_language_its_checks_answer_in_and_keeps_nbgrader_cells(path):
    """The Chinese solution: first cell with the note, the terminology link and its own badge; code cells
    (solution regions, hidden tests) and nbgrader metadata are the English ones (the test above), and every
    markdown answer cell keeps nbgrader's markers around a translated model answer."""
    zh = json.loads(path.read_text(encoding="utf-8"))
    en = json.loads(english(path).read_text(encoding="utf-8"))
    first = "".join(zh["cells"][0]["source"])
    if path.parent.name in i18n.LABS_WITH_ENGLISH_CHECKS:  # checks not translated yet: the note says English
        assert i18n.LAB_NOTE_ENGLISH_CHECKS in first and "英文" in i18n.LAB_NOTE_ENGLISH_CHECKS
    else:
        assert i18n.LAB_NOTE in first and "中文" in i18n.LAB_NOTE and 'language=\\"zh_CN\\"' not in i18n.LAB_NOTE
    link = re.search(r"\]\(([^)]*terminology\.md)\)", first).group(1)
    assert (path.parent / link).resolve() == ROOT / "notebooks" / i18n.LANG_DIR / "terminology.md"
    course = load_course()
    assert f"({course.colab_prefix()}{rel(path)})" in first
    answers = 0
    for z, e in zip(zh["cells"], en["cells"]):
        if e["cell_type"] == "markdown" and e["metadata"].get("nbgrader", {}).get("solution"):
            answers += 1
            lines = "".join(z["source"]).splitlines()
            assert lines[0] == "### BEGIN SOLUTION" and lines[-1] == "### END SOLUTION"
            assert re.search(f"[{CJK}]", "".join(lines[1:-1])), "the model answer is translated"
    assert answers == sum(1 for c in en["cells"] if c["cell_type"] == "markdown"
                          and c["metadata"].get("nbgrader", {}).get("solution"))


def test_translated_fraction_is_reported():
    """Per notebook: the translated fraction (shown in pytest's warnings summary, even under xdist)."""
    statuses = [i18n.build(english(p))[1] for p in BUILT + BUILT_LABS + BUILT_PAGES]
    table = i18n.format_status(statuses, cells=False)
    for s in statuses:
        assert 0.0 <= s.fraction <= 1.0 and s.messages > 0
        assert s.name in table
    missing = sorted(p.stem for p in (ROOT / "notebooks").glob(i18n.LESSON_GLOB))
    missing = [name for name in missing if name not in {p.stem for p in BUILT}]
    table += "".join(f"\n{name:<34}{'-':>8}  {0:>9.0%}  (no catalogue yet)" for name in missing)
    assert [s.fraction for s in statuses[len(BUILT):]] == [1.0] * len(BUILT_LABS + BUILT_PAGES), \
        "every lab and page is 100 % translated"
    warnings.warn(UserWarning("Chinese edition, translated fraction per notebook:\n" + table))


# ---------------------------------------------------------------------------------------
# Staleness on a copy: one English sentence changes, exactly that cell becomes pending
# ---------------------------------------------------------------------------------------

def _copy_course(tmp_path, name="01_rnn_cell.ipynb"):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / name, tmp_path / "notebooks" / name)
    (tmp_path / "notebooks" / "glossary.md").write_text("# Glossary\n")
    return tmp_path / "notebooks" / name


def _translate_everything(root, notebook):
    """Stand in for a translator: every message gets a (fake) translation, none fuzzy."""
    cat = i18n.extract(notebook, root=root)
    for message in cat:
        if message.id:
            message.string = "译文：" + message.id.replace("\n", " ")[:30]
            message.flags.discard("fuzzy")
    i18n.write_catalog(cat, i18n.po_path(notebook, root))


def _change_one_cell(notebook, old, new, is_target):
    """Replace `old` by `new` in the first cell for which is_target(index, cell) holds; its index."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    target = next(i for i, c in enumerate(nb["cells"]) if is_target(i, c))
    nb["cells"][target]["source"] = "".join(nb["cells"][target]["source"]).replace(old, new)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def test_changing_one_english_sentence_makes_exactly_that_cell_pending(tmp_path, capsys):
    notebook = _copy_course(tmp_path)
    _translate_everything(tmp_path, notebook)
    assert i18n.main(["build"], root=tmp_path) == 0
    built, status = i18n.build(notebook, root=tmp_path)
    assert status.fraction == 1.0 and status.pending_cells == []
    assert i18n.PENDING_NOTE not in json.dumps(built, ensure_ascii=False)
    assert i18n.main(["build", "--check"], root=tmp_path) == 0

    # One English sentence changes, in one cell.
    target = _change_one_cell(notebook, "cannot tell these apart", "cannot distinguish them",
                              lambda i, c: c["cell_type"] == "markdown" and i > 0
                              and "cannot tell these apart" in "".join(c["source"]))

    # Without a rebuild, the check fails (the CI test of the real notebooks does the same).
    assert i18n.main(["build", "--check"], root=tmp_path) == 1
    assert "notebooks/zh-CN/01_rnn_cell.ipynb" in capsys.readouterr().out

    cat = i18n.extract(notebook, root=tmp_path)
    fuzzy = [m for m in cat if m.id and m.fuzzy]
    assert len(fuzzy) == 1 and "cannot distinguish them" in fuzzy[0].id
    assert "cannot tell these apart" in fuzzy[0].previous_id[0]          # `#| msgid`, like msgmerge
    assert fuzzy[0].string.startswith("译文：")                           # the old translation is kept
    po_text = i18n.po_path(notebook, tmp_path).read_text(encoding="utf-8")
    assert "#, fuzzy" in po_text and '#| msgid "' in po_text
    # A second extract (the translator's next run) reads the `#|` lines back as the previous
    # msgid, not as comments, and writes the catalogue unchanged.
    again = i18n.extract(notebook, root=tmp_path)
    assert [list(m.previous_id) for m in again if m.fuzzy] == [list(fuzzy[0].previous_id)]
    assert not any(c.startswith("|") for m in again for c in m.user_comments)
    assert i18n.po_path(notebook, tmp_path).read_text(encoding="utf-8") == po_text

    assert i18n.main(["build"], root=tmp_path) == 0
    built, status = i18n.build(notebook, root=tmp_path)
    assert [c.index for c in status.pending_cells] == [target]
    cells = built["cells"]
    pending = [i for i, c in enumerate(cells) if i18n.PENDING_NOTE in "".join(c["source"])]
    assert pending == [target]
    assert "cannot distinguish them" in "".join(cells[target]["source"])  # the English, not a stale translation
    capsys.readouterr()
    assert i18n.main(["pending"], root=tmp_path) == 0
    listing = capsys.readouterr().out
    assert f"pending: 01_rnn_cell cell {target} " in listing
    assert listing.count("pending: ") == 1


def test_changing_one_english_sentence_of_a_lab_makes_exactly_that_cell_pending(tmp_path, capsys):
    """The same for a lab, on a copy of lab01 with its real catalogue."""
    lab = tmp_path / "solutions" / "lab01" / "lab01.ipynb"
    lab.parent.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "lab01" / "lab01.ipynb", lab)
    (tmp_path / "locale" / i18n.LOCALE).mkdir(parents=True)
    shutil.copy(ROOT / "locale" / i18n.LOCALE / "lab01.po", tmp_path / "locale" / i18n.LOCALE / "lab01.po")
    assert i18n.main(["build"], root=tmp_path) == 0
    built_path = tmp_path / "solutions" / i18n.LANG_DIR / "lab01" / "lab01.ipynb"
    assert built_path.exists() and i18n.build(lab, root=tmp_path)[1].pending_cells == []
    assert "A Chinese lab changed" in capsys.readouterr().out  # the hint to regenerate the exercises

    target = _change_one_cell(lab, "in a few seconds", "within seconds",
                              lambda i, c: "Your cell now trains" in "".join(c["source"]))
    assert i18n.main(["build", "--check"], root=tmp_path) == 1
    assert "solutions/zh-CN/lab01/lab01.ipynb" in capsys.readouterr().out

    cat = i18n.extract(lab, root=tmp_path)
    assert [m.id for m in cat if m.id and m.fuzzy] == [next(m.id for m in cat if "within seconds" in m.id)]
    assert i18n.main(["build"], root=tmp_path) == 0
    built = json.loads(built_path.read_text(encoding="utf-8"))
    pending = [i for i, c in enumerate(built["cells"]) if i18n.PENDING_NOTE in "".join(c["source"])]
    assert pending == [target] and "within seconds" in "".join(built["cells"][target]["source"])
    capsys.readouterr()
    assert i18n.main(["pending"], root=tmp_path) == 0
    listing = capsys.readouterr().out
    assert f"pending: lab01 cell {target} " in listing and listing.count("pending: ") == 1


def test_missing_catalogue_shows_english_with_the_note(tmp_path):
    notebook = _copy_course(tmp_path)
    built, status = i18n.build(notebook, root=tmp_path)
    english = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    markdown = [c for c in built["cells"] if c["cell_type"] == "markdown"]
    figures = [c for c in built["cells"] if c["cell_type"] == "code" and i18n.alt_texts(c)]  # alt text: English
    commented = [c for c in built["cells"] if c["cell_type"] == "code" and not i18n.alt_texts(c)
                 and any(m.translatable for m in i18n.code_comments(i18n.cell_source(c))
                         + i18n.code_docstrings(i18n.cell_source(c)))]  # comments, docstrings: English
    assert figures and commented
    assert status.fraction == 0.0 and len(status.pending_cells) == len(markdown) + len(figures) + len(commented)
    assert all("".join(c["source"]).startswith(i18n.PENDING_NOTE) for c in markdown)
    assert [c["metadata"]["alt"] for c in figures] == [c["metadata"]["alt"] for c in english if "alt" in c["metadata"]]
    assert [c["source"] for c in built["cells"] if c["cell_type"] == "code"] == \
        [i18n.zh_code_cell(c)["source"] for c in english if c["cell_type"] == "code"], "comments stay English"


def test_links_point_at_chinese_twins_or_back_to_english_files(tmp_path):
    english_dir = tmp_path / "notebooks"
    english_dir.mkdir()
    (english_dir / "glossary.md").write_text("x")
    (english_dir / "notation.md").write_text("x")
    text = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            "(https://colab.research.google.com/github/o/r/blob/v1/notebooks/02_bptt.ipynb) "
            "[next](03_lstm_gates.ipynb) [g](glossary.md#h) [web](https://keras.io) [a](#top) [t](terminology.md)")
    assert i18n.fix_links(text, english_dir) == (
        "[![在 Colab 中打开](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/o/r/blob/v1/notebooks/zh-CN/02_bptt.ipynb) "
        "[next](03_lstm_gates.ipynb) [g](../glossary.md#h) [web](https://keras.io) [a](#top) [t](terminology.md)")
    # once the glossary has a catalogue, it has a Chinese twin next to the Chinese lesson: the link stays
    (tmp_path / "locale" / i18n.LOCALE).mkdir(parents=True)
    (tmp_path / "locale" / i18n.LOCALE / "glossary.po").write_text("")
    assert i18n.fix_links("[g](glossary.md#h) [n](notation.md)", english_dir) == "[g](glossary.md#h) [n](../notation.md)"


# ---------------------------------------------------------------------------------------
# The glossary, where-next and notation pages (notebooks/zh-CN/*.md)
# ---------------------------------------------------------------------------------------

def test_every_page_has_a_catalogue_and_a_chinese_twin():
    assert [p.name for p in BUILT_PAGES] == list(i18n.PAGES)
    for page in BUILT_PAGES:
        assert i18n.po_path(english(page)).exists(), rel(page)
        assert re.search(f"^# [{CJK}]", page.read_text(encoding="utf-8")), f"{rel(page)}: its title is not Chinese"


@pytest.mark.parametrize("path", BUILT_PAGES, ids=rel)
def test_page_links_reach_chinese_twins_or_english_files(path):
    """Every relative link of a Chinese page resolves; a lesson, page or lab it names is the Chinese one."""
    links = re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8"))
    relative = [t.partition("#")[0] for t in links if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)]
    assert relative, rel(path)
    for target in relative:
        file = (path.parent / target).resolve()
        assert file.exists(), f"{rel(path)}: broken link {target}"
        chinese = file.parent == path.parent or i18n.LANG_DIR in file.relative_to(ROOT).parts
        english_file = ROOT / "notebooks" / file.name if file.parent == ROOT / "notebooks" else None
        assert chinese or english_file is None or i18n.chinese_twin(english_file) is None, \
            f"{rel(path)}: {target} has a Chinese twin"


@pytest.mark.parametrize("path", BUILT, ids=rel)
def test_chinese_lessons_link_the_chinese_pages(path):
    """Lessons 01-03 and 11 link notation.md, glossary.md, where_next.md: the Chinese lesson links the Chinese page."""
    text = "".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                   if c["cell_type"] == "markdown")
    for name in i18n.PAGES:
        assert f"](../{name}" not in text, f"{rel(path)} links the English {name}"


def test_changing_one_english_sentence_of_a_page_makes_exactly_that_section_pending(tmp_path, capsys):
    """A page goes the way of a lesson: extract fuzzies the changed block, the build shows its section
    (not the whole page) in English under the page's pending note, `build --check` fails until rebuilt."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "locale" / i18n.LOCALE).mkdir(parents=True)
    page = tmp_path / "notebooks" / "where_next.md"
    shutil.copy(ROOT / "notebooks" / "where_next.md", page)
    shutil.copy(ROOT / "locale" / i18n.LOCALE / "where_next.po", tmp_path / "locale" / i18n.LOCALE)
    assert i18n.main(["build"], root=tmp_path) == 0
    built = (tmp_path / "notebooks" / i18n.LANG_DIR / "where_next.md").read_text(encoding="utf-8")
    assert i18n.PAGE_PENDING_NOTE not in built and built.startswith("# 接下来去哪里")
    assert i18n.main(["build", "--check"], root=tmp_path) == 0

    page.write_text(page.read_text(encoding="utf-8").replace("It is how neural machine translation started.",
                                                             "Neural machine translation started this way."))
    assert i18n.main(["build", "--check"], root=tmp_path) == 1
    assert "notebooks/zh-CN/where_next.md" in capsys.readouterr().out
    cat = i18n.extract(page, root=tmp_path)
    fuzzy = [m for m in cat if m.id and m.fuzzy]
    assert len(fuzzy) == 1 and "started this way" in fuzzy[0].id and fuzzy[0].string
    assert fuzzy[0].locations == [("notebooks/where_next.md", None)]
    assert i18n.main(["build"], root=tmp_path) == 0
    built = (tmp_path / "notebooks" / i18n.LANG_DIR / "where_next.md").read_text(encoding="utf-8")
    assert built.count(i18n.PAGE_PENDING_NOTE) == 1
    pending = built.split(i18n.PAGE_PENDING_NOTE)[1]
    assert pending.lstrip().startswith("## Sequence to sequence") and "started this way" in pending
    assert "## 注意力" in pending  # the next section is Chinese again
    _, status = i18n.build(page, root=tmp_path)
    assert [c.cell_id for c in status.pending_cells] == ["Sequence to sequence"]


# ---------------------------------------------------------------------------------------
# Commands and environment
# ---------------------------------------------------------------------------------------

def test_course_py_commands_and_chinese_lab_settings(tmp_path):
    course = load_course()
    assert {"i18n", "lab-zh"} <= set(course.COMMANDS)
    args = course.chinese_lab_args(tmp_path)
    settings = tmp_path / "etc" / "lstmcourse-zh-CN-settings"
    assert args == [f"--LabApp.user_settings_dir={settings}", "--LabApp.default_url=/lab/tree/notebooks/zh-CN"]
    plugin = settings.joinpath(*course.ZH_LOCALE_SETTING)
    assert json.loads(plugin.read_text()) == {"locale": "zh_CN"}
    plugin.write_text('{"locale": "en"}')  # the learner switched back: kept
    course.chinese_lab_args(tmp_path)
    assert json.loads(plugin.read_text()) == {"locale": "en"}


def test_language_pack_is_a_dev_pin():
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(p.lower().startswith("jupyterlab-language-pack-zh-cn==") for p in dev)


def test_chinese_notebooks_are_not_collected_by_nbval_but_the_live_one():
    """The Chinese lessons are built, not executed (same code and outputs as the English), except
    conftest.LIVE_CHINESE: nbval runs it as a learner would, in Chinese."""
    import conftest  # the repository root's conftest.py

    assert "solutions/zh-CN/*" in conftest.collect_ignore_glob  # same code and outputs as solutions/labNN
    zh = ROOT / "notebooks" / i18n.LANG_DIR
    collected = {p.name for p in BUILT if not conftest.pytest_ignore_collect(p, None)}
    assert collected == conftest.LIVE_CHINESE and all((zh / name).exists() for name in collected)
    assert conftest.pytest_ignore_collect(ROOT / "notebooks" / "01_rnn_cell.ipynb", None) is None


# ---------------------------------------------------------------------------------------
# The translations themselves: formulas and code unchanged, markup intact
# ---------------------------------------------------------------------------------------

CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"


def _inline(text, kinds):
    """The contents of the inline tokens of the given kinds (math, code...), and the emphasis count."""
    found, emphasis = [], 0
    for tok in i18n._PARSER.parse(text):
        if tok.type == "math_block":
            found.append(tok.content.strip())
        elif tok.type == "fence":  # code: the same code, its comments may be translated
            found.append(i18n.strip_comments(tok.content).strip())
        for child in tok.children or []:
            if child.type in kinds:
                found.append(child.content.replace("\t", "\\t"))  # 01's table has a tab for \t(anh)
            emphasis += child.type in ("strong_open", "em_open")
    return sorted(found), emphasis


@pytest.mark.parametrize("po", CATALOGUES, ids=rel)
def test_translations_keep_formulas_code_and_emphasis(po):
    """Formulas and inline code are copied unchanged; bold/italic did not break on CJK punctuation."""
    problems = []
    for message in i18n.load_catalog(po):
        if not message.id or not message.string:
            continue
        en_math, en_emph = _inline(message.id, ("math_inline", "math_inline_double"))
        zh_math, zh_emph = _inline(message.string, ("math_inline", "math_inline_double"))
        if set(en_math) != set(zh_math):  # a formula may be repeated, none changed, lost or added
            problems.append(f"formulas differ: {message.id[:40]!r}: {en_math} vs {zh_math}")
        en_code, _ = _inline(message.id, ("code_inline",))
        zh_code, _ = _inline(message.string, ("code_inline",))
        if not set(en_code) <= set(zh_code):
            problems.append(f"inline code lost: {message.id[:40]!r}: {set(en_code) - set(zh_code)}")
        if zh_emph < en_emph:
            problems.append(f"emphasis lost (CJK punctuation next to * ?): {message.string[:40]!r}")
        if message.context != i18n.DOCSTRING_CONTEXT and re.search(rf"[{CJK}]\n[ \t]*[{CJK}]", message.string):
            problems.append(f"line break between Chinese characters (renders as a space): {message.string[:40]!r}")
    assert not problems, "\n".join(problems)


def test_readme_zh_lists_every_chinese_lesson_with_its_badge():
    readme = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    course = load_course()
    assert "python3 course.py lab-zh" in readme and "python3 course.py test" in readme
    assert "Settings → Language" in readme and "terminology.md" in readme
    for path in BUILT:
        assert f"](notebooks/{i18n.LANG_DIR}/{path.name})" in readme, path.name
        assert f"({course.colab_prefix()}notebooks/{i18n.LANG_DIR}/{path.name})" in readme, path.name
    for path in BUILT_LABS:  # the student version, its Colab badge, and the complete version
        lab = f"{i18n.LANG_DIR}/{path.parent.name}/{path.name}"
        assert f"](exercises/{lab})" in readme and f"({course.colab_prefix()}exercises/{lab})" in readme, lab
        assert f"](solutions/{lab})" in readme, lab
    badges = re.findall(r"https://colab\.research\.google\.com/github/\S+?\.ipynb", readme)
    assert badges and all(b.startswith(course.colab_prefix()) for b in badges), "run: python3 course.py i18n build"
    assert not i18n.sync_readme(ROOT, check=True)


def test_course_py_i18n_runs_the_tool(monkeypatch, capsys, tmp_path):
    """`python3 course.py i18n pending` runs tools/i18n.py (here with this Python instead of .venv's)."""
    import subprocess

    course = load_course()
    monkeypatch.setattr(course, "ensure_env", lambda *a, **k: Path(sys.executable))
    out = tmp_path / "out.txt"
    real_call = subprocess.call

    def call(cmd, **kwargs):
        with open(out, "w") as f:
            return real_call(cmd, stdout=f, **kwargs)

    monkeypatch.setattr(course.subprocess, "call", call)
    assert course.main(["i18n", "pending"]) == 0
    listing = out.read_text(encoding="utf-8")
    for path in BUILT + BUILT_LABS:
        assert path.stem in listing
    english_only = sorted(set((ROOT / "notebooks").glob(i18n.LESSON_GLOB)) - set(english(p) for p in BUILT))
    for path in english_only:
        assert f"not started: {path.stem}" in listing
    assert course.main(["i18n", "build", "--check"]) == 0


# ---------------------------------------------------------------------------------------
# Issue 25: formulas, the package's own words, the CJK font, figures, no English prose left
# ---------------------------------------------------------------------------------------

def load_tool(name):
    spec = importlib.util.spec_from_file_location(f"lstmcourse_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_code_cell_twin_changes_only_figures_and_the_setup_language():
    figure = {"output_type": "display_data", "data": {"image/png": "EN", "text/plain": ["<Figure>"]},
              "metadata": {"image/png": {"lstmcourse": {"zh_CN": {"image/png": "ZH", "text": ["遗忘门"]}}}}}
    plain = {"output_type": "stream", "name": "stdout", "text": ["0.123\n"]}
    cell = {"cell_type": "code", "id": "x", "metadata": {}, "execution_count": 3,
            "source": ["keras = lstmcourse.setup_notebook(seed=0)\n", "print(0.123)\n"], "outputs": [figure, plain]}
    zh = i18n.zh_code_cell(cell)
    assert zh["source"] == ['keras = lstmcourse.setup_notebook(seed=0, language="zh_CN")\n', "print(0.123)\n"]
    assert zh["outputs"][0]["data"] == {"image/png": "ZH", "text/plain": ["<Figure>"]}
    assert zh["outputs"][0]["metadata"] == {"image/png": {"lstmcourse": {"zh_CN": {"text": ["遗忘门"]}}}}
    assert zh["outputs"][1] == plain and zh["execution_count"] == 3
    assert cell["outputs"][0]["data"]["image/png"] == "EN", "the English cell is not modified"
    no_twin = {"cell_type": "code", "source": ["x = 1\n"], "outputs": [{"output_type": "display_data",
               "data": {"image/png": "EN"}, "metadata": {}}]}
    assert i18n.zh_code_cell(no_twin) == no_twin


@pytest.mark.parametrize("lesson, expected", [
    ("03_lstm_gates", [r"\text{遗忘门： } C_{t-1} \text{ 保留多少}", r"\text{输入门：写入多少新内容}"]),
    ("04_gru", [r"\text{更新门}", r"\text{重置门}", r"\text{候选值（Cho 等人）}"]),
    ("02_bptt_vanishing_gradients", [r"\text{（即上面标量情形的 }", r"\sum_{\text{批量}}"]),
    ("10_generating_sequences", [r"\text{每字符比特数}"]),
    ("11_encoder_decoder_attention", [r"\text{上下文}"]),
])
def test_words_inside_display_math_are_translated(lesson, expected):
    zh = json.loads((ROOT / "notebooks" / i18n.LANG_DIR / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in zh["cells"] if c["cell_type"] == "markdown")
    for fragment in expected:
        assert fragment in text
    assert "how much of" not in text and r"\text{update gate}" not in text


def test_display_math_text_is_a_message_and_a_missing_one_keeps_the_cell_english(tmp_path):
    assert i18n.math_texts(r"$$a \text{ update gate } b \text{x}$$") == ["update gate"]
    cat = i18n.Catalog(locale=i18n.LOCALE)
    cat.add("update gate", "更新门")
    new, total, done = i18n.translate_math(r"$$z \quad \text{ update gate } + \text{reset gate}$$", cat)
    assert (total, done) == (2, 1)
    assert r"\text{ 更新门 }" in new and r"\text{reset gate}" in new


def test_package_catalogue_is_complete_compiled_and_current():
    """Every word the package draws or prints (and every tr() of a notebook) is in lstmcourse.po,
    translated, and the shipped .mo is its compilation (run `course.py i18n extract`, then `build`)."""
    path = ROOT / i18n.PACKAGE_PO
    cat = i18n.load_catalog(path)
    template = i18n.package_template(ROOT)
    missing = [m.id for m in template if m.id and m.id not in cat]
    assert not missing, f"not extracted (python3 course.py i18n extract): {missing}"
    untranslated = [m.id for m in cat if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"untranslated in {i18n.PACKAGE_PO}: {untranslated}"
    assert path.with_suffix(".mo").read_bytes() == i18n.compiled_package(ROOT), "stale .mo: course.py i18n build"
    for message in cat:  # formulas and format fields survive the translation
        if message.id:
            assert re.findall(r"\$[^$]*\$", message.id) == re.findall(r"\$[^$]*\$", message.string), message.id
            assert set(re.findall(r"\{\w+\}", message.id)) == set(re.findall(r"\{\w+\}", message.string)), message.id


def test_font_subset_has_every_translated_character_and_ships_its_licence():
    cjk_font = load_tool("cjk_font")
    assert cjk_font.OUT.exists() and cjk_font.OUT.stat().st_size < 300_000, "the subset stays small"
    assert cjk_font.missing_characters() == "", "run: python tools/cjk_font.py"
    licence = cjk_font.LICENCE.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]["lstmcourse"]
    assert {"fonts/*.otf", "fonts/OFL.txt", "locale/*/LC_MESSAGES/*.mo"} <= set(data)


#: English words a Chinese lesson or lab may show, each one reviewed: names of people, places,
#: software and data sets, the example sentences and inputs the lessons quote, nbgrader's markers.
ALLOWED_ENGLISH = {
    "Colab", "Open", "In", "doctor", "teddy", "Teddy", "bears", "Roosevelt", "He", "said", "NaN", "ppm", "SOLUTION",
    "BEGIN", "END", "API", "IMDB", "august", "wednesday", "mittwoch", "mercredi", "ao", "float", "NVIDIA", "Nakamura",
    "Kowalski", "illeabh", "faker", "MAE", "TFDS", "diag", "bug", "colah", "Christopher", "Olah", "Gers",
    "Hochreiter", "Schmidhuber", "Chung", "Jozefowicz", "Dense", "Dropout", "masterpiece", "dull", "nat", "Bengio", "KerasHub",
    "stateful", "Working", "with", "are", "on", "sale", "PERSON", "TOY", "hidden", "input", "in", "rate", "layer",
    "Jupyter", "nbgrader", "argmax", "query", "values", "True",  # lab 07/08: tools, argument names, a literal
    "dict",  # lab 05: the Python type of TEDDY_RECIPE
}


def chinese_prose(markdown):
    """A Chinese cell's text less what may stay English: code, formulas, links' targets, images,
    HTML, bracketed English names, and *italic* quoted examples."""
    md = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    md = re.sub(r"\$\$.*?\$\$", " ", md, flags=re.S)
    md = re.sub(r"\$[^$]*\$", " ", md)
    md = re.sub(r"`[^`]*`", " ", md)
    md = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", md)
    md = re.sub(r"\]\([^)]*\)", "]", md)
    md = re.sub(r"<[^>]+>|https?://\S+", " ", md)
    md = re.sub(r"[（(][^（()）]*[）)]", " ", md)
    return re.sub(r"\*[^*\n]+\*", lambda m: m.group(0) if re.search(f"[{CJK}]", m.group(0)) else " ", md)


@pytest.mark.parametrize("path", BUILT + BUILT_LABS, ids=rel)
def test_no_untranslated_english_prose(path):
    """Beyond code, identifiers, formulas and the English names in brackets, a Chinese lesson or
    lab has no English words (a pending cell, shown in English, fails here until translated)."""
    zh = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for cell in zh["cells"]:
        if cell["cell_type"] == "markdown":
            for word in i18n.english_words(chinese_prose("".join(cell["source"]))):
                if word not in ALLOWED_ENGLISH:
                    found.setdefault(word, cell.get("id"))
    assert not found, f"English words in {rel(path)} (word: cell id): {found}"


@pytest.mark.parametrize("path", BUILT_PAGES, ids=rel)
def test_no_untranslated_english_prose_in_pages(path):
    """The same for the Chinese pages; the authors of where-next's reading list keep their names."""
    text = re.sub(r"(^- |；|以及 )[^*\n；]*\*", r"\1*", path.read_text(encoding="utf-8"), flags=re.M)  # authors
    found = sorted({w for w in i18n.english_words(chinese_prose(text)) if w not in ALLOWED_ENGLISH | {"Mamba"}})
    assert not found, f"English words in {rel(path)}: {found}"


def test_english_words_ignores_code_names_and_formulas():
    assert i18n.english_words("训练 LSTM 与 GRU：`model.fit`，return_sequences=True，(batch, T, units)，$x_t$") == []
    assert i18n.english_words("验证 loss（对数坐标）") == ["loss"]


def figure_outputs(notebook):
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                yield cell.get("id"), output


#: Lessons whose Chinese figures are not finished: their stored run predates the Chinese figure
#: twins (re-run `python3 course.py execute`), or some plot text of theirs does not go through
#: `tr()` / is not translated yet, so a Chinese figure still shows English. Remove a lesson when
#: it is done; tests check both ways. (Empty since the legends built from data go through tr()/N_():
#: the stored runs of 02, 03 and 05–11 must be re-executed for their twins to show it.)
FIGURES_PENDING = set()


def figure_english(text):
    """The English words of a figure's text that a translation should have replaced: as
    ``english_words``, less the reviewed words of :data:`ALLOWED_ENGLISH` (data such as "teddy") and
    a quoted example input (a title such as ``'samedi, juillet 4, 1992'``, the repr of a date)."""
    text = re.sub(r"^'[^']*'$|“[^”]*”", " ", text)
    return [w for w in i18n.english_words(text) if w not in ALLOWED_ENGLISH]


def figure_problems(path):
    """Why the Chinese lesson's figures are not all Chinese: a list of (cell id, problem)."""
    zh = json.loads(path.read_text(encoding="utf-8"))
    en = json.loads(english(path).read_text(encoding="utf-8"))
    problems = []
    english_pngs = [out["data"]["image/png"] for _, out in figure_outputs(en)]
    for (cell_id, out), english_png in zip(figure_outputs(zh), english_pngs):
        twin = out.get("metadata", {}).get("image/png", {}).get("lstmcourse", {}).get(i18n.LOCALE)
        if twin is None:
            problems.append((cell_id, "no Chinese twin: run python3 course.py execute " + rel(english(path))))
            continue
        if out["data"]["image/png"] == english_png:
            problems.append((cell_id, "the English figure is shown"))
        if not any(re.search(f"[{CJK}]", s) for s in twin["text"]):
            problems.append((cell_id, f"no Chinese text in {twin['text']}"))
        left = {s: figure_english(s) for s in twin["text"] if figure_english(s)}
        if left:
            problems.append((cell_id, f"untranslated figure text {left}: mark it with tr() and translate it"))
    return problems


@pytest.mark.parametrize("path", [p for p in BUILT + BUILT_LABS if p.stem not in FIGURES_PENDING], ids=rel)
def test_figures_of_chinese_lessons_are_drawn_in_chinese(path):
    """Each figure of a Chinese lesson is the Chinese twin drawn in the English run (same numbers
    by construction), and the texts it shows, recorded beside it, have no English left."""
    assert not figure_problems(path), f"{rel(path)}: {figure_problems(path)}"


def test_figure_english_allows_reviewed_words_and_quoted_examples():
    assert figure_english("Teddy 标注：每轮在“teddy”处的准确率") == []
    assert figure_english("'samedi, juillet 4, 1992'") == []
    assert figure_english("validation accuracy at the word") == ["validation", "accuracy", "at", "the", "word"]


def test_figures_pending_list_is_true():
    done = {p.stem for p in BUILT if not figure_problems(p)}
    assert not done & FIGURES_PENDING, f"Chinese figures finished: remove from FIGURES_PENDING: {done & FIGURES_PENDING}"
    assert "04_gru" in done


def test_chinese_student_version_has_chinese_stubs_and_nbgraders_cells(tmp_path):
    """`course.py exercises` runs nbgrader for the Chinese labs from tools/nbgrader_zh (the course's
    settings plus Chinese stubs): the stub keeps nbgrader's "# YOUR CODE HERE" and still raises
    NotImplementedError, with a Chinese message; the English student version keeps nbgrader's stub;
    both have the same nbgrader cells (ids, points), so grading does not depend on the language."""
    import subprocess

    course = load_course()
    built = {}
    for source, release in (("solutions", tmp_path / "en"), ("solutions/zh-CN", tmp_path / "zh-CN")):
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "lab01", "--no-db", "--force",
                        "--log-level=WARN", f"--CourseDirectory.root={ROOT}",
                        f"--CourseDirectory.source_directory={source}", f"--CourseDirectory.release_directory={release}",
                        '--CourseDirectory.ignore=[".ipynb_checkpoints", "*.pyc", "__pycache__", "*.py", "*.toml"]'],
                       cwd=course.NBGRADER_CWD[source], check=True, capture_output=True)
        built[source] = json.loads((release / "lab01" / "lab01.ipynb").read_text(encoding="utf-8"))
    en, zh = built["solutions"], built["solutions/zh-CN"]
    code = lambda nb: "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")  # noqa: E731
    stubs = code(en).count("# YOUR CODE HERE\n")
    assert stubs > 0 and "raise NotImplementedError()" in code(en) and "在这里写你的代码" not in code(en)
    assert code(zh).count("# YOUR CODE HERE（在这里写你的代码）\n") == stubs
    assert code(zh).count('raise NotImplementedError("在这里写你的代码，然后删掉这一行")') == stubs
    assert "### BEGIN SOLUTION" not in code(zh)
    grading = lambda nb: [{k: v for k, v in c["metadata"].get("nbgrader", {}).items() if k != "checksum"}  # noqa: E731
                          for c in nb["cells"]]  # (a checksum hashes the cell's text, which is translated)
    assert grading(zh) == grading(en)


# ---------------------------------------------------------------------------------------
# Code comments: extracted with msgctxt "code comment", translated in the build, code untouched
# ---------------------------------------------------------------------------------------

TOOL_MARKERS = '''# %%
# NBVAL_IGNORE_OUTPUT
### BEGIN SOLUTION
x = "# not a comment"  # (batch, hidden)
s = """
# inside a string
"""
f = lambda v: v  # noqa: E731
# type: ignore
# YOUR CODE HERE
### END SOLUTION
### BEGIN HIDDEN TESTS
y = x  # add `x_t` to the total
### END HIDDEN TESTS
'''


def test_code_comments_skip_tool_markers_strings_and_shapes():
    found = i18n.code_comments(TOOL_MARKERS)
    assert [(c.start, c.text, c.trailing, c.translatable) for c in found] == [
        (3, "(batch, hidden)", True, False), (12, "add `x_t` to the total", True, True)]
    assert i18n.marker_comments(TOOL_MARKERS) == [
        "# %%", "# NBVAL_IGNORE_OUTPUT", "### BEGIN SOLUTION", "# noqa: E731", "# type: ignore", "# YOUR CODE HERE",
        "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"]
    cat = i18n.Catalog(locale=i18n.LOCALE)
    cat.add("add `x_t` to the total", "把 `x_t` 加到总数上", context=i18n.COMMENT_CONTEXT)
    new, total, done = i18n.translate_comments(TOOL_MARKERS, cat)
    assert (total, done) == (1, 1)
    assert new == TOOL_MARKERS.replace("# add `x_t` to the total", "# 把 `x_t` 加到总数上")
    assert '"# not a comment"' in new and "# inside a string" in new


def test_a_hash_in_a_string_is_not_a_comment_and_untokenizable_cells_are_left_alone():
    assert i18n.code_comments("print('# hello')\nurl = \"a#b\"\n") == []
    assert i18n.strip_comments("print('# hello')  # say it\n") == "print('# hello')\n"
    broken = "x = (1,\n# an unclosed bracket: not Python that tokenizes\n"
    assert i18n.code_comments(broken) == [] and i18n.strip_comments(broken) == broken
    assert i18n.translate_comments(broken, None) == (broken, 0, 0)
    magic = "%pip install -q pkg  # a shell line's comment\n!ls  # another\n"
    assert i18n.code_comments(magic) == []


def test_a_run_of_whole_line_comments_is_one_message_and_keeps_its_column():
    source = "if True:\n    # first line\n    # second line\n    x = 1  # one\n"
    comments = i18n.code_comments(source)
    assert [(c.start, c.end, c.column, c.text) for c in comments] == [
        (1, 3, 4, "first line\nsecond line"), (3, 4, 11, "one")]
    cat = i18n.Catalog(locale=i18n.LOCALE)
    cat.add("first line\nsecond line", "一行写完", context=i18n.COMMENT_CONTEXT)
    cat.add("one", "一", context=i18n.COMMENT_CONTEXT)
    new, total, done = i18n.translate_comments(source, cat)
    assert new == "if True:\n    # 一行写完\n    x = 1  # 一\n" and (total, done) == (2, 2)
    assert i18n.strip_comments(new) == i18n.strip_comments(source) == "if True:\n    x = 1\n"


def test_a_comment_and_a_markdown_block_with_the_same_words_are_two_messages(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "Same words here.\n"},
                    {"cell_type": "code", "id": "c", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": "x = 1  # Same words here.\ny = 2  # (batch, units)\n"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "01_demo.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    cat = i18n.template(path)
    assert [(m.id, m.context) for m in cat if m.id] == [("Same words here.", None),
                                                        ("Same words here.", i18n.COMMENT_CONTEXT)]
    i18n.write_catalog(cat, tmp_path / "demo.po")
    assert 'msgctxt "code comment"\nmsgid "Same words here."' in (tmp_path / "demo.po").read_text(encoding="utf-8")


def test_build_translates_comments_and_keeps_the_code_byte_for_byte(tmp_path):
    notebook = _copy_course(tmp_path)
    _translate_everything(tmp_path, notebook)
    cat = i18n.load_catalog(i18n.po_path(notebook, tmp_path))
    comment_messages = [m for m in cat if m.id and m.context == i18n.COMMENT_CONTEXT]
    assert comment_messages and all(m.string.startswith("译文：") for m in comment_messages)
    built, status = i18n.build(notebook, root=tmp_path)
    assert status.fraction == 1.0 and status.pending_cells == []
    english = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    translated = 0
    for z, e in zip(built["cells"], english):
        if e["cell_type"] != "code":
            continue
        z_code, e_code = i18n.cell_source(z), i18n.cell_source(i18n.zh_code_cell(e))
        assert i18n.strip_comments(z_code) == i18n.strip_comments(e_code)
        en_comments = [c for c in i18n.code_comments(e_code) if c.translatable]
        zh_comments = [c for c in i18n.code_comments(z_code) if c.text.startswith("译文：")]
        assert [(c.column, c.prefix, c.trailing) for c in zh_comments] == \
            [(c.column, c.prefix, c.trailing) for c in en_comments]  # the same `#`, at the same column
        translated += len(zh_comments)
    assert translated >= len(comment_messages)


def test_a_pending_comment_stays_english_and_makes_its_cell_pending(tmp_path):
    notebook = _copy_course(tmp_path)
    _translate_everything(tmp_path, notebook)
    target = _change_one_cell(notebook, "# same weights in both layers", "# the same weights in both layers",
                              lambda i, c: "# same weights in both layers" in "".join(c["source"]))
    cat = i18n.extract(notebook, root=tmp_path)
    fuzzy = [m for m in cat if m.id and m.fuzzy]
    assert [(m.id, m.context) for m in fuzzy] == [("the same weights in both layers", i18n.COMMENT_CONTEXT)]
    assert fuzzy[0].previous_id[0] == "same weights in both layers"
    po_text = i18n.po_path(notebook, tmp_path).read_text(encoding="utf-8")
    assert ('#, fuzzy\n#| msgid "same weights in both layers"\nmsgctxt "code comment"\n'
            'msgid "the same weights in both layers"') in po_text  # the previous msgid before msgctxt, as msgmerge
    built, status = i18n.build(notebook, root=tmp_path)
    assert [c.index for c in status.pending_cells] == [target]
    code = i18n.cell_source(built["cells"][target])
    assert "# the same weights in both layers" in code and "译文：" in code  # the others are translated
    assert i18n.PENDING_NOTE not in code


EXERCISES_ZH = sorted((ROOT / "exercises" / i18n.LANG_DIR).glob(i18n.LAB_GLOB))


@pytest.mark.parametrize("path", BUILT + BUILT_LABS + EXERCISES_ZH, ids=rel)
def test_no_english_code_comments(path):
    """Every code comment of a Chinese lesson or lab (solution and student version) is Chinese, except
    tool markers (nbval, nbgrader), shapes such as (batch, time, features), code in backticks,
    identifiers and the reviewed English words of ALLOWED_ENGLISH."""
    zh = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for cell in zh["cells"]:
        if cell["cell_type"] == "code":
            for comment in i18n.code_comments(i18n.cell_source(cell)):
                left = [w for w in i18n.comment_words(comment.text) if w not in ALLOWED_ENGLISH]
                if left:
                    found[comment.text] = (cell.get("id"), left)
            for doc in i18n.code_docstrings(i18n.cell_source(cell)):  # identifiers stay: translated = has Chinese
                left = [w for w in i18n.comment_words(doc.text) if w not in ALLOWED_ENGLISH]
                if left and not re.search(f"[{CJK}]", doc.text):
                    found[doc.text] = (cell.get("id"), left)
    assert not found, f"English code comments or docstrings in {rel(path)} (text: cell id, words): {found}"


def test_a_fenced_python_block_with_english_comments_is_a_message():
    """Its translation may change only the comments (the code is compared with comments stripped)."""
    blocks = i18n.split_blocks("```python\nx = 1  # add one\n```\n\n```python\nx = 1  # (batch, time)\n```\n\n"
                               "```text\nsome words\n```\n")
    assert [b.translatable for b in blocks] == [True, False, False]


def test_docstrings_are_messages_and_the_build_keeps_the_code(tmp_path):
    """A function's docstring is a message (msgctxt "docstring"); the build writes its translation inside
    the same quotes, with the body's indentation, and the code stripped of docstrings is unchanged."""
    source = ('def f(x):\n    """Add one,\n    then stop."""  # done\n    return x + 1\n\n\n'
              'class A:\n    "Short."\n')
    docs = i18n.code_docstrings(source)
    assert [(d.quote, d.text) for d in docs] == [('"""', "Add one,\nthen stop."), ('"', "Short.")]
    cat = i18n.Catalog(locale=i18n.LOCALE)
    cat.add("Add one,\nthen stop.", "加一，\n然后停下。", context=i18n.DOCSTRING_CONTEXT)
    new, total, done = i18n.translate_docstrings(source, cat)
    assert (total, done) == (2, 1)
    assert new.startswith('def f(x):\n    """加一，\n    然后停下。"""  # done\n    return x + 1\n')
    assert i18n.strip_comments(new) == i18n.strip_comments(source)
    assert i18n.code_docstrings("%pip install x\n") == []
    compile(new, "<cell>", "exec")


@pytest.mark.parametrize("po", CATALOGUES, ids=rel)
def test_comment_translations_keep_numbers_shapes_and_code(po):
    """A translated code comment keeps the English one's numbers, shapes such as (batch, time) and
    backticked code verbatim (the words around them are translated)."""
    problems = []
    for message in i18n.load_catalog(po):
        if message.context != i18n.COMMENT_CONTEXT or not message.string:
            continue
        for kind, pattern in (("numbers", r"\d+(?:\.\d+)?"), ("shapes", i18n._SHAPE.pattern), ("code", r"`[^`]*`")):
            lost = sorted(set(re.findall(pattern, message.id)) - set(re.findall(pattern, message.string)))
            if lost:
                problems.append(f"{kind} lost: {message.id!r} -> {message.string!r}: {lost}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------
# Printed outputs in Chinese: the package's messages and locale/zh_CN/outputs.po
# ---------------------------------------------------------------------------------------

OUTPUTS_PO = ROOT / i18n.OUTPUTS_PO
_NUMBER = re.compile(i18n._NUMBER)


def numbers(line):
    return sorted(_NUMBER.findall(line))


def _stream_lines(output):
    text = output["text"]
    return ("".join(text) if isinstance(text, list) else text).splitlines(keepends=True)


@functools.lru_cache(maxsize=None)
def _quoted_names():
    """{Chinese: English} of the one-word names the printed-line translator puts inside quotes."""
    return {zh: en for en, zh in i18n.OutputTranslator.load().package.items() if re.fullmatch(r"[A-Z][a-z]+", en)}


def _english_name(value):
    """A quoted name translated by the printed-line translator ('波兰语') back to its English ('Polish')."""
    names = _quoted_names()
    match = re.fullmatch(r"'([^']+)'( *)", value)
    return f"'{names[match.group(1)]}'{match.group(2)}" if match and match.group(1) in names else value


def undo_template(zh_line, template, msgstr):
    """The English line back from its Chinese one: msgstr's placeholders matched in the Chinese line, put
    into the English template. None if the Chinese line is not msgstr filled in."""
    regex = ""
    for token in re.split(r"(\{\{|\}\}|\{\d+\})", msgstr):
        if token in ("{{", "}}"):
            regex += re.escape(token[0])
        elif re.fullmatch(r"\{\d+\}", token):
            name = token[1:-1]
            regex += rf"(?P<g{name}>.*?)" if f"(?P<g{name}>" not in regex else rf"(?P=g{name})"
        else:
            regex += re.escape(token)
    match = re.fullmatch(regex, zh_line.rstrip("\n"), re.S)
    if match is None:
        return None
    values = [_english_name(match.group(f"g{i}")) for i in range(len(match.groupdict()))]
    return template.format(*values) + ("\n" if zh_line.endswith("\n") else "")


def untranslated_streams(zh_cell, en_cell):
    """``zh_cell`` with each stream output whose every line is the English line translated (the same
    numbers, byte for byte; a template's line undone exactly) replaced by the English output."""
    cell = copy.deepcopy(zh_cell)
    translator = i18n.OutputTranslator.load()
    for z, e in zip(cell.get("outputs", []), en_cell.get("outputs", [])):
        if z.get("output_type") != "stream" or e.get("output_type") != "stream":
            continue
        zl, el = _stream_lines(z), _stream_lines(e)
        if len(zl) != len(el):
            continue
        ok = True
        for zh_line, en_line in zip(zl, el):
            if zh_line == en_line:
                continue
            if numbers(zh_line) != numbers(en_line):
                ok = False
                break
            template = i18n.output_template(en_line.rstrip("\n"))[0]
            if template in translator.templates and undo_template(zh_line, template,
                                                                   translator.templates[template]) != en_line:
                ok = False
                break
        if ok:
            z["text"] = e["text"]
    return cell


def test_output_template_keeps_every_number_byte_for_byte():
    lines = ["LSTM     : solved on 5/5 seeds, median epoch 7\n", "training loss below that floor: matched on 5 of 5 seeds",
             "forget bias 0: mean forget gate at the start 0.497 (0.496–0.501, 5 seeds); |dL/dh| 1.3e-07",
             "R² -5.826 (-5.828–-5.820, 5 seeds)   took 5.2 s", "unit  7: r = -0.922, 14.6x, {'0–10': 253}, 43,309",
             "h_60 x12 log2 dC_{t-1} +0.095 ppm 74% 1958-03", "'samedi, juillet 4, 1992'          -> 1992-07-17  wrong"]
    for line in lines:
        template, values = i18n.output_template(line)
        assert template.format(*values) == line
    assert i18n.output_template(lines[2])[1] == ["0", "0.497", "0.496", "0.501", "5", "1.3e-07"]
    assert i18n.output_template(lines[3])[1] == ["-5.826", "-5.828", "-5.820", "5", "5.2"]
    template, values = i18n.output_template(lines[5])
    assert template.startswith("h_60 x12 log2 dC_{{t-1}} ") and values == ["+0.095", "74%", "1958", "03"]
    # a right-aligned column's padding travels with its number: one template for "unit  7" and "unit 17"
    assert i18n.output_template("unit 17: r")[0] == i18n.output_template("unit  7: r")[0] == "unit {0}: r"
    assert i18n.output_template(lines[6])[0] == "{0} -> {1}-{2}-{3}  wrong"  # a quoted input's padding too


def test_a_changed_number_keeps_the_template_and_a_changed_word_does_not():
    before = i18n.output_template("GRU      : solved on 5/5 seeds, median epoch 3")[0]
    assert i18n.output_template("GRU      : solved on 4/5 seeds, median epoch 12")[0] == before
    assert i18n.output_template("GRU      : solved on 5/5 seeds, mean epoch 3")[0] != before


def test_package_messages_are_matched_with_their_fields_translated():
    translator = i18n.OutputTranslator(
        {"✔ {name}: correct ({detail}).": "✔ {name}：正确（{detail}）。", "output shape {shape}": "输出形状 {shape}",
         "seed {seed}": "种子 {seed}", "{median} ({low}–{high}, {n} seeds)": "{median}（{low}–{high}，{n} 个种子）"},
        {"training took {0} s": "训练用时 {0} s", "he said": "he said"})
    assert translator.line("✔ rnn_step: correct (output shape (2, 4)).\n") == ("✔ rnn_step：正确（输出形状 (2, 4)）。\n", "package")
    assert translator.line("0.93 (0.78–0.94, 5 seeds)") == ("0.93（0.78–0.94，5 个种子）", "package")
    # a field with English words of its own is not that message's field: the line goes to outputs.po
    assert translator.line("seed 42: val MSE / chance 0.010")[1] == "untranslated"
    assert translator.line("✔ delayed echo: correct (accuracy 0.9).")[1] == "untranslated"
    assert translator.line("training took 5.1 s\n") == ("训练用时 5.1 s\n", "template")
    assert translator.line("he said") == ("he said", "data")
    assert translator.line("Epoch 3/15\n")[1] == "log" and translator.line("x_t  (2, 3)")[1] == "no words"
    cell = {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout",
                                              "text": ["training took 0.5 s\n", "Epoch 1/2\n"]}]}
    assert translator.cell(cell)["outputs"][0]["text"] == ["训练用时 0.5 s\n", "Epoch 1/2\n"]


def test_outputs_catalogue_is_extracted_translated_and_keeps_numbers():
    """outputs.po holds exactly the templates of the stored English outputs (re-extracting changes nothing),
    every one translated, none fuzzy, each placeholder kept (a data line: msgstr = msgid)."""
    cat = i18n.load_catalog(OUTPUTS_PO)
    template = i18n.outputs_template(ROOT)
    assert sorted(m.id for m in cat if m.id) == sorted(m.id for m in template if m.id), \
        "run: python3 course.py i18n extract"
    assert [sorted(set(m.locations)) for m in cat if m.id] == [sorted(set(template[m.id].locations)) for m in cat if m.id]
    pending = [m.id for m in cat if m.id and (not m.string or m.fuzzy)]
    assert not pending, f"untranslated or fuzzy in {i18n.OUTPUTS_PO}: {pending}"
    for m in cat:
        if m.id:
            placeholders = lambda t: sorted(re.findall(r"\{\d+\}", t.replace("{{", "").replace("}}", "")))  # noqa: E731
            assert placeholders(m.string) == placeholders(m.id), m.id
            values = [f"<{i}>" for i in range(len(placeholders(m.id)))]
            assert sorted(re.findall(r"<\d+>", m.string.format(*values))) == sorted(values), m.id


def test_extract_keeps_a_translation_when_a_number_changes_and_fuzzies_a_changed_wording(tmp_path):
    """After a re-execution a changed number leaves outputs.po as it is; a changed wording is a new
    template, fuzzy (the build keeps that line English) until a translator checks it."""
    notebook = _copy_course(tmp_path)
    (tmp_path / "locale" / i18n.LOCALE).mkdir(parents=True)
    shutil.copy(ROOT / "locale" / i18n.LOCALE / "01_rnn_cell.po", tmp_path / "locale" / i18n.LOCALE)
    shutil.copy(OUTPUTS_PO, tmp_path / i18n.OUTPUTS_PO)
    (tmp_path / i18n.PACKAGE_PO).parent.mkdir(parents=True)
    shutil.copy(ROOT / i18n.PACKAGE_PO, tmp_path / i18n.PACKAGE_PO)
    i18n.extract_outputs(tmp_path)
    assert "validation accuracy: {0}  (a memoryless model: {1})" in i18n.load_catalog(tmp_path / i18n.OUTPUTS_PO)

    def rerun(old, new):
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    output["text"] = [t.replace(old, new) for t in output["text"]]
        notebook.write_text(json.dumps(nb), encoding="utf-8")

    before = (tmp_path / i18n.OUTPUTS_PO).read_text(encoding="utf-8")
    rerun("validation accuracy: 1.00  (a memoryless model: 0.50)", "validation accuracy: 0.97  (a memoryless model: 0.51)")
    i18n.extract_outputs(tmp_path)
    assert (tmp_path / i18n.OUTPUTS_PO).read_text(encoding="utf-8") == before
    built, _ = i18n.build(notebook, root=tmp_path)
    assert "验证准确率：0.97（无记忆的模型：0.51）\n" in json.dumps(built, ensure_ascii=False).encode().decode("unicode_escape") \
        or any("验证准确率：0.97（无记忆的模型：0.51）\n" in "".join(o.get("text", []))
               for c in built["cells"] for o in c.get("outputs", []))

    rerun("(a memoryless model: 0.51)", "(a model without memory: 0.51)")
    cat = i18n.extract_outputs(tmp_path)
    new = "validation accuracy: {0}  (a model without memory: {1})"
    assert cat[new].fuzzy and "validation accuracy: {0}  (a memoryless model: {1})" not in cat
    built, _ = i18n.build(notebook, root=tmp_path)
    printed = ["".join(o.get("text", [])) for c in built["cells"] for o in c.get("outputs", [])]
    assert any("validation accuracy: 0.97  (a model without memory: 0.51)\n" in p for p in printed)


#: Lines of printed output that are data by rule, not by the catalogue: Matplotlib's figure repr, Keras's
#: model summary (an output with a text/html table) and Keras's training log.
def data_by_rule(output):
    text = "".join(output.get("data", {}).get("text/plain", []))
    return text.startswith("<Figure size") or "text/html" in output.get("data", {})


#: Names and symbols a printed line may show: software, a function, the quantities of a formula.
PRINTED_NAMES = {"Python", "Matplotlib", "keras", "numpy", "ours", "sigma", "nan", "rng", "PAD", "query", "values",
                 "mask", "concat", "alpha", "dx", "np"}
#: Code and data inside a printed line: |magnitudes|, derivatives dJ/dh1, calls f(, identifiers with digits
#: (dh0, log2), [lists] and {dicts} (data, or code as in "[output, context]"), a name's tokens "^abc → abc.".
_PRINTED_CODE = re.compile(r"\|[^|\n]*\||\b[A-Za-z]\w*/[A-Za-z]\w*|\b\w+(?=\()|\b[A-Za-z]+\d\w*|\[[^\]\n]*\]"
                           r"|\{[^}\n]*\}|\^\w+ → \w+")


def output_prose(line):
    """English words of a printed line that a translation should have replaced: as `english_words`, less
    'quoted' and "quoted" strings (data: tokens, inputs, Keras's own warning), _PRINTED_CODE, PRINTED_NAMES
    and the reviewed ALLOWED_ENGLISH."""
    text = _PRINTED_CODE.sub(" ", i18n._quoted_out(line))
    return [w for w in i18n.english_words(text) if w not in ALLOWED_ENGLISH | PRINTED_NAMES]


@pytest.mark.parametrize("path", BUILT + BUILT_LABS, ids=rel)
def test_printed_outputs_have_no_english_prose(path):
    """Issue 25: no printed line of a Chinese lesson or lab has English prose (2 English words or more beyond
    identifiers, quoted data and ALLOWED_ENGLISH), unless outputs.po keeps it as data (msgstr = msgid) or it
    is Matplotlib's or Keras's own output. Counts of translated and kept lines are in the warnings summary."""
    translator = i18n.OutputTranslator.load()
    zh = json.loads(path.read_text(encoding="utf-8"))
    en = json.loads(english(path).read_text(encoding="utf-8"))
    counts, left = {}, []
    for z, e in zip(zh["cells"], en["cells"]):
        for zo, eo in zip(z.get("outputs", []), e.get("outputs", [])):
            if zo.get("output_type") != "stream":
                if "text/plain" in zo.get("data", {}) and not data_by_rule(zo):
                    left += [line for line in "".join(zo["data"]["text/plain"]).splitlines() if len(output_prose(line)) >= 2]
                continue
            for zh_line, en_line in zip(_stream_lines(zo), _stream_lines(eo)):
                built, kind = translator.line(en_line)
                assert built == zh_line, f"{rel(path)}: stale build: python3 course.py i18n build"
                counts[kind] = counts.get(kind, 0) + 1
                if kind not in ("data", "log") and len(output_prose(zh_line)) >= 2:
                    left.append(zh_line)
    assert not left, f"English prose printed in {rel(path)}: {left}"
    assert counts.get("untranslated", 0) == 0
    warnings.warn(f"{rel(path)}: printed lines translated {counts.get('package', 0) + counts.get('template', 0)} "
                  f"(package messages {counts.get('package', 0)}), kept as data {counts.get('data', 0)}, "
                  f"Keras log {counts.get('log', 0)}, without words {counts.get('no words', 0)}")
