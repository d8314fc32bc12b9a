"""The Chinese edition: gettext catalogues for the lessons' and labs' markdown, and the notebooks built from them.

    python tools/i18n.py extract [NOTEBOOK.ipynb ...]   # English text -> locale/zh_CN/NN_name.po, labNN.po,
                                                        # glossary.po, where_next.po, notation.po
                                                        # (no argument: also the package's lstmcourse.po)
    python tools/i18n.py build [--check] [NOTEBOOK ...] # English notebook + .po -> notebooks/zh-CN/, solutions/zh-CN/
                                                        # (and lstmcourse.po -> lstmcourse.mo)
    python tools/i18n.py pending [NOTEBOOK ...]         # translated fraction, pending cells

(`python3 course.py i18n extract|build|pending` runs the same in the course environment.)

How it works, in the gettext workflow of the Python and Django documentation:

* Every markdown cell of an English lesson is cut into top-level CommonMark blocks by
  markdown-it-py (paragraph, heading, whole list, whole table, whole block quote; display
  math `$$...$$` and code fences are not text and stay as they are). One block is one
  message: msgid = the English block, msgstr = its translation. A block without words of its
  own (a Colab badge, an image, a formula) is not extracted.
* `extract` merges the new English text into the notebook's catalogue the way `msgmerge`
  does (Babel's `Catalog.update`): a block whose English changed keeps its old translation
  but is marked `#, fuzzy` with the old English as `#| msgid` (previous msgid); a block that
  disappeared becomes obsolete (`#~`). Outside translators can edit the .po with Poedit,
  Weblate, Lokalize...: clear the fuzzy flag once the translation matches the English.
* `build` writes notebooks/zh-CN/NN_name.ipynb: the English notebook with every markdown
  cell translated. Code cells, outputs, attachments and metadata are copied (see below for figures). A
  markdown cell with any block untranslated or fuzzy is shown in English, under a visible
  "翻译待更新 (translation pending)" note, never with a translation that no longer matches.
  The first cell links the terminology page; the Colab badge points at the Chinese notebook;
  relative links to files that have no Chinese twin get a `../`.
* Display formulas are not text, but the words of their `\\text{...}` annotations are: each one
  is a message of its own, and the build puts the translation inside the same `\\text{}`.
* Code cells are the English ones, except that each figure is replaced by its Chinese twin drawn
  in the same run (see `zh_code_cell` and lstmcourse/i18n.py), the setup call asks for Chinese,
  the comments are translated (next point) and the printed lines too (the point after).
* **Code comments** are messages too, with msgctxt "code comment" (so a comment never shares a msgid
  with a markdown block). `code_comments` finds them with `tokenize` (a `#` inside a string is no
  comment; a cell that does not tokenize, or a comment on an IPython `%`/`!` line, is left alone): a
  comment after code is one message, a run of whole-line comments at one column is one (its lines
  joined by newlines; the translation may have fewer or more lines). Not extracted: tool markers
  (jupytext `# %%`, nbgrader's `### BEGIN/END SOLUTION`, `### BEGIN/END HIDDEN TESTS`, `# YOUR CODE
  HERE`, `# NBVAL_*`, `# noqa`, `# type:`, shebangs...) and comments with no English words
  (`comment_words`): a shape such as `# (batch, time, features)` is notation, kept as it is, like
  the shapes in the lessons' Chinese text. The build puts each translation after the same `#` at the
  same column (`translate_comments`); code is never touched (tests compare the code with comments
  stripped, `strip_comments`). An untranslated or fuzzy comment stays English and makes its cell
  pending in the status. In a translation, keep numbers, shapes, identifiers and `code` as they are,
  and put a plain-word code name (`predict`, `stderr`) in backticks.
* **Docstrings** of the functions and classes a code cell defines are messages with msgctxt
  "docstring" (`code_docstrings`, found with `ast`); the build rewrites only the text inside the
  same quotes (`translate_docstrings`), and tests compare the code with comments and docstrings
  stripped (`strip_comments`).
* Their printed lines (stream outputs) are translated one by one (`OutputTranslator`): a line that is
  one of the package's messages by lstmcourse.po, any other line by its template in
  locale/zh_CN/outputs.po (numbers and 'quoted' strings as {0}, {1}, ... filled back byte for byte;
  a data line's msgstr is its msgid); `extract` refreshes outputs.po from the stored outputs
  (docs/translation.md, "Printed outputs").
* The package's own words (diagrams, plot labels, the setup banner; lstmcourse/i18n.py) have one
  catalogue, lstmcourse/locale/zh_CN/LC_MESSAGES/lstmcourse.po, extracted from the package's
  `_()` calls, the notebooks' `tr()` calls and the words the diagrams draw; `build` compiles it
  to the .mo that ships in the package. tools/cjk_font.py cuts the CJK font to its characters.
* `pending` prints, per notebook, the translated fraction of messages and cells and the
  pending cells (by cell id and first words).
* A figure's **alt text** (the `alt` metadata of a code cell whose output is a figure: a string,
  or a list with one string per figure; written `# %% alt="..."` in the jupytext source) is one
  message per string, marked `#. alt text of a figure`. `build` writes its translation into the
  Chinese cell's `alt` metadata (the site renders it as the figure's <img alt>); an untranslated
  or fuzzy one stays English and makes that cell pending (figures and the setup call: see above).

Labs go the same way. The source is the English solution, solutions/labNN/labNN.ipynb; its
catalogue is locale/zh_CN/labNN.po; `build` writes the Chinese solution
solutions/zh-CN/labNN/labNN.ipynb: markdown translated (the instructions and the model answers
of hand-graded cells; nbgrader's `### BEGIN/END SOLUTION` lines stay as they are), code cells,
their outputs, nbgrader metadata and hidden tests copied unchanged. Its first cell says, in
Chinese, that the checks answer in Chinese (the setup call asks for it; see `zh_code_cell`), or, for
the labs of LABS_WITH_ENGLISH_CHECKS, that they still answer in English. The Chinese student version,
exercises/zh-CN/labNN/labNN.ipynb, is generated from it by nbgrader like the English one
(`python3 course.py exercises`, which makes both).

The course's three markdown pages, notebooks/glossary.md, where_next.md and notation.md (PAGES),
go the same way too: one message per CommonMark block (a table, the glossary's included, is one
block), catalogue locale/zh_CN/glossary.po (where_next.po, notation.po), built into
notebooks/zh-CN/glossary.md (...). The page's sections (cut at its headings) play the part of
cells: a section with a block untranslated or fuzzy is shown in English under the pending note.
Links are fixed like the lessons': to a lesson, a page or a lab that has a Chinese twin (it has a
catalogue), the twin; to any other file of the repository, the same file seen from notebooks/zh-CN/
(`../`). The Chinese lessons link to the Chinese pages (`fix_links`).

Only Babel (catalogues) and markdown-it-py + mdit-py-plugins (splitting) are needed; all three
are in the course environment already (Jupyter and jupytext depend on them). mdpo was the
first choice of splitter, but its parser pymd4c publishes no wheels (sdist only, needing the md4c
C library), so it cannot go into the wheels-only lock; markdown-it-py is the CommonMark parser
that jupytext and MyST use.
"""
from __future__ import annotations

import argparse
import copy
import datetime
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import normalize, read_po, unescape, write_po
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lstmcourse.i18n import ENGLISH_NAMES, english_words  # noqa: E402  (stdlib only; no Keras)
# the printed lines' translator (stdlib only), shared with a live run of a Chinese notebook
from lstmcourse.printed import (_NUMBER, _QUOTED, _VALUE, KERAS_LOG, TEMPLATES_FILE, _fields, _fill,  # noqa: E402,F401
                                _quoted_out, output_template)
from lstmcourse.printed import OutputTranslator as _LineTranslator  # noqa: E402
LOCALE = "zh_CN"
LANG_DIR = "zh-CN"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
PENDING_NOTE = ("> **翻译待更新 (translation pending)**：这一格的英文原文是新写的或改过了，"
                "中文译文还没有跟上，下面先显示英文原文。")
TERMINOLOGY_NOTE = "> 📖 中英术语对照（本课程、英文原文与《动手学深度学习》的译名）见[术语表](terminology.md)。"
# A fixed date keeps the .po files byte-stable between runs (a changing header would make every
# extract a diff); the real history of each translation is in git.
FIXED_DATE = datetime.datetime(2026, 11, 29, tzinfo=datetime.timezone.utc)
LAB_NOTE = ("> **关于检查信息**：每个任务后面的检查（`lstmcourse.checks`）用中文报告结果：第一个代码单元格里的 "
            "`setup_notebook(..., language=\"zh_CN\")` 让它们说中文（英文版实验中它们说英文）。")
#: Labs whose checks are not translated yet: their note says so. None since issue 25 wrapped labs 07/08's
#: checks (lstmcourse/grading/lab07_checks.py, lab08_checks.py); a new lab goes here until its checks are.
LABS_WITH_ENGLISH_CHECKS: set[str] = set()
LAB_NOTE_ENGLISH_CHECKS = ("> **关于检查信息**：本实验的说明文字已经译成中文，但每个任务后面的检查"
                           "（`lstmcourse.checks`）报告错误时，目前仍用英文说明哪里出了问题。")
LAB_TERMINOLOGY = "../../../notebooks/zh-CN/terminology.md"  # from solutions|exercises/zh-CN/labNN/
LAB_GLOB = "lab[0-9][0-9]/lab[0-9][0-9].ipynb"  # under solutions/
#: The markdown pages of notebooks/ that have Chinese twins in notebooks/zh-CN/ (the site shows them too).
PAGES = ("glossary.md", "where_next.md", "notation.md")
PAGE_PENDING_NOTE = ("> **翻译待更新 (translation pending)**：这一节的英文原文是新写的或改过了，"
                     "中文译文还没有跟上，下面先显示英文原文。")
HEADER = ("# Simplified Chinese translation of the lstmcourse {kind}{name}.\n"
          "# Generated from {source} by `python3 course.py i18n extract`;\n"
          "# edit the msgstr lines only. This file is distributed under the MIT licence.\n#")

_PARSER = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, double_inline=True)
_NOT_TEXT = {"fence", "code_block", "math_block", "math_block_label", "hr", "html_block"}
_LETTER = re.compile(r"[A-Za-z]")
# nbgrader's markers in a markdown answer cell: kept verbatim (nbgrader finds them by their text).
_NBGRADER_MARKER = re.compile(r"#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*")


# ---------------------------------------------------------------------------------------
# Cutting markdown into blocks
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """One top-level markdown block of a cell: lines [start, end) of the cell's source."""
    start: int
    end: int
    text: str
    translatable: bool


def _has_words(tokens) -> bool:
    """True if some text outside images, code and math has a Latin letter (a word to translate)."""
    for tok in tokens:
        if tok.type == "inline":
            for child in tok.children or []:
                if child.type == "text" and _LETTER.search(child.content):
                    return True
    return False


def split_blocks(source: str) -> list[Block]:
    """Cut markdown into its top-level blocks (CommonMark, with tables and $$ math).

    A list, a table, a block quote or a display formula stays one block; blank lines
    between blocks are not part of any block.

    Args:
        source: the markdown text of one cell.

    Returns:
        The blocks in order, each with its line range, text and whether it has words to translate.

    Example:
        >>> blocks = split_blocks("# Title\\n\\nSome *text*.\\n\\n- a\\n- b\\n\\n$$x^2$$\\n")
        >>> [(b.text, b.translatable) for b in blocks]
        [('# Title', True), ('Some *text*.', True), ('- a\\n- b', True), ('$$x^2$$', False)]
    """
    if not isinstance(source, str):
        raise TypeError(f"split_blocks expects the markdown source as a str. Received: source={source!r}")
    lines = source.splitlines()
    tokens = _PARSER.parse(source)
    blocks, i = [], 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.level != 0 or tok.map is None:
            i += 1
            continue
        j = i
        if tok.nesting == 1:  # walk to the matching close token
            depth = 0
            for j in range(i, len(tokens)):
                depth += tokens[j].nesting
                if depth == 0:
                    break
        start, end = tok.map
        while end > start and not lines[end - 1].strip():
            end -= 1
        inner = tokens[i:j + 1]
        text = "\n".join(lines[start:end])
        words = ((tok.type not in _NOT_TEXT and _has_words(inner) and not _NBGRADER_MARKER.fullmatch(text))
                 or _fence_with_comments(tok))
        blocks.append(Block(start, end, text, words))
        i = j + 1
    return blocks


def _fence_with_comments(tok) -> bool:
    """A fenced Python block whose comments have English words: a message (its translation changes
    only the comments; tests compare the code with comments stripped)."""
    return (tok.type == "fence" and tok.info.strip() in ("", "python", "py")
            and any(c.translatable for c in code_comments(tok.content)))


def replace_blocks(source: str, replacements: dict[int, str]) -> str:
    """The cell source with block number k replaced by replacements[k]; everything else kept."""
    lines = source.splitlines()
    out, pos = [], 0
    for k, block in enumerate(split_blocks(source)):
        out += lines[pos:block.start]
        out += replacements[k].split("\n") if k in replacements else lines[block.start:block.end]
        pos = block.end
    out += lines[pos:]
    text = "\n".join(out)
    return text + "\n" if source.endswith("\n") else text


# ---------------------------------------------------------------------------------------
# Catalogues
# ---------------------------------------------------------------------------------------

ALT_COMMENT = "alt text of a figure"


def alt_texts(cell) -> list[str]:
    """The alt texts of a cell's figures, from its `alt` metadata: a string (one figure) or a list of
    strings (one per figure, in output order); [] when it has none.

    Example:
        >>> alt_texts({"cell_type": "code", "metadata": {"alt": ["Loss per epoch.", "A heatmap."]}})
        ['Loss per epoch.', 'A heatmap.']
        >>> alt_texts({"cell_type": "markdown", "metadata": {}})
        []
    """
    alt = cell.get("metadata", {}).get("alt")
    if alt is None:
        return []
    texts = [alt] if isinstance(alt, str) else alt
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise TypeError("a cell's `alt` metadata must be a non-empty string or a list of them, one per figure. "
                        f"Received: alt={alt!r}")
    return texts


def cell_source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def read_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def is_lab(notebook: Path) -> bool:
    """True for an English lab solution, solutions/labNN/labNN.ipynb (the source of a lab)."""
    p = Path(notebook)
    return p.parent.parent.name == "solutions" and re.fullmatch(r"lab\d\d", p.parent.name) is not None


def is_page(source: Path) -> bool:
    """True for one of the English markdown pages, notebooks/glossary.md, where_next.md, notation.md."""
    p = Path(source)
    return p.name in PAGES and p.parent.name == "notebooks"


def source_name(notebook: Path) -> str:
    """The English source's path inside the repository: notebooks/NN_x.ipynb, notebooks/glossary.md (a page)
    or solutions/labNN/labNN.ipynb."""
    p = Path(notebook)
    return f"solutions/{p.parent.name}/{p.name}" if is_lab(p) else f"notebooks/{p.name}"


def po_path(notebook: Path, root: Path = ROOT) -> Path:
    return root / "locale" / LOCALE / (Path(notebook).stem + ".po")


def zh_path(notebook: Path, root: Path = ROOT) -> Path:
    p = Path(notebook)
    if is_lab(p):
        return root / "solutions" / LANG_DIR / p.parent.name / p.name
    return root / "notebooks" / LANG_DIR / p.name


def page_as_notebook(page: Path) -> dict:
    """A markdown page seen as a notebook of one markdown cell (its id empty), for `template`."""
    return {"cells": [{"cell_type": "markdown", "id": "", "metadata": {},
                       "source": Path(page).read_text(encoding="utf-8")}]}


def template(notebook: Path) -> Catalog:
    """The catalogue template (like a .pot) of one English notebook or page: one message per text block."""
    nb = page_as_notebook(notebook) if is_page(notebook) else read_notebook(notebook)
    name = Path(notebook).stem
    cat = Catalog(locale=LOCALE, project="lstmcourse", version=name,
                  msgid_bugs_address="https://github.com/lstmcourse/lstmcourse/issues",
                  last_translator="lstmcourse translators",
                  header_comment=HEADER.format(kind="" if is_lab(notebook) else "page " if is_page(notebook)
                                               else "lesson ", name=name, source=source_name(notebook)),
                  creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False,
                  language_team="Chinese (Simplified)", charset="utf-8")
    for cell in nb["cells"]:
        location = (f"{source_name(notebook)}#{cell['id']}" if cell.get("id") else source_name(notebook), None)
        if cell["cell_type"] != "markdown":
            for text in alt_texts(cell):
                if text in cat:
                    cat[text].locations.append(location)
                else:
                    cat.add(text, "", locations=[location], auto_comments=[ALT_COMMENT])
            if cell["cell_type"] == "code":
                source = cell_source(cell)
                for part, context in ([(c, COMMENT_CONTEXT) for c in code_comments(source)]
                                      + [(d, DOCSTRING_CONTEXT) for d in code_docstrings(source)]):
                    if not part.translatable:
                        continue
                    message = cat.get(part.text, context=context)
                    if message is not None:
                        message.locations.append(location)
                    else:
                        cat.add(part.text, "", locations=[location], context=context)
            continue
        for block in split_blocks(cell_source(cell)):
            for message in [block.text] if block.translatable else math_texts(block.text):
                if message in cat:
                    cat[message].locations.append(location)
                else:
                    cat.add(message, "", locations=[location])
    return cat


_MATH_TEXT = re.compile(r"\\text\{([^{}]*)\}")


def math_texts(block: str) -> list[str]:
    """The words inside ``\\text{...}`` of a display formula: each one a message (spaces around it kept
    out of the message and put back by the build).

    >>> math_texts(r"$$f_t = \\sigma(a) \\quad \\text{forget gate: how much of } C_{t-1} \\text{ to keep}$$")
    ['forget gate: how much of', 'to keep']
    >>> math_texts("A paragraph with \\text{words} is translated whole, not here.")
    []
    """
    if not block.lstrip().startswith("$$"):
        return []
    found = []
    for inner in _MATH_TEXT.findall(block):
        words = inner.strip()
        if re.search(r"[A-Za-z]{2,}", words) and words not in found:
            found.append(words)
    return found


def translate_math(block: str, cat: Catalog | None) -> tuple[str, int, int]:
    """The formula with each ``\\text{...}`` translated; and how many there are and how many were translated."""
    total = done = 0

    def swap(match):
        nonlocal total, done
        inner = match.group(1)
        words = inner.strip()
        if not re.search(r"[A-Za-z]{2,}", words):
            return match.group(0)
        total += 1
        zh = translation(cat, words)
        if zh is None:
            return match.group(0)
        done += 1
        lead, trail = inner[:len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
        return "\\text{" + lead + zh + trail + "}"

    new = _MATH_TEXT.sub(swap, block) if block.lstrip().startswith("$$") else block
    return new, total, done


# ---------------------------------------------------------------------------------------
# Code comments
# ---------------------------------------------------------------------------------------

#: The msgctxt of a code comment's message, so that a comment never shares a msgid with a markdown block.
COMMENT_CONTEXT = "code comment"
#: Comments that are instructions to a tool, kept verbatim: jupytext cell markers, nbgrader's regions and
#: stubs, nbval's markers, linters' and type checkers' pragmas, shebangs and coding lines.
_COMMENT_MARKER = re.compile(r"#!|#+\s*(%%|(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b|YOUR (CODE|ANSWER) HERE\b|NBVAL_"
                             r"|noqa\b|type:|pragma\b|fmt:|pylint:|-\*-)")
#: A shape, e.g. (batch, time, features), (seeds,), (batch, 4·units), (batch 1, hidden 2), (n, G + 2): notation,
#: kept as it is (the Chinese lessons write shapes in English too). Its items are names or numbers, joined
#: by an operator, or a name and a number; "(the split, the weights)" is prose, not a shape.
_SHAPE_TERM = r"[\w·.²]+"
_SHAPE_ITEM = (rf"(?:{_SHAPE_TERM}(?:[ \t]*[-+*/·][ \t]*{_SHAPE_TERM})*|{_SHAPE_TERM}[ \t]+\d+|\d+[ \t]+{_SHAPE_TERM}"
               rf"|\d+ or \d+)")
_SHAPE = re.compile(rf"\([ \t]*{_SHAPE_ITEM}[ \t]*(?:,[ \t]*(?:{_SHAPE_ITEM}[ \t]*)?)+\)")


def comment_words(text: str) -> list[str]:
    """The English words of a code comment's text that a translation should replace: as
    lstmcourse.i18n.english_words (code in backticks, identifiers with `_`, `a=b`, single letters and
    the course's English names do not count), less shapes such as ``(batch, time, features)``.

    >>> comment_words("(batch, time, features)"), comment_words("(seeds, epochs), [h, c]"), comment_words("`h_t`")
    ([], [], [])
    >>> comment_words("(batch 1, input 3), (batch, 24 months, 1), (n, G + 2), (seeds,)")
    []
    >>> comment_words("(batch, 1): the predicted sum"), comment_words("(the split, the weights)")
    (['the', 'predicted', 'sum'], ['the', 'split', 'the', 'weights'])
    """
    return english_words(_SHAPE.sub(" ", text))


@dataclass(frozen=True)
class CodeComment:
    """One message of a code cell: a comment after code on line `start`, or a run of whole-line comments
    at the same column on lines [start, end). `text` is the comments' words, one line of text per line."""
    start: int
    end: int
    column: int
    prefix: str      # '#' and the spaces before the words (of the first line)
    text: str
    trailing: bool   # after code on the same line

    @property
    def translatable(self) -> bool:
        return bool(comment_words(self.text))


def _comment_tokens(source: str) -> list[tuple[int, int, str]] | None:
    """(line index, column, token) of each comment of a Python cell; None if the cell does not tokenize.
    A comment on an IPython magic or shell line (`%pip ...`, `!ls`) is not Python's and is left out."""
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    lines = source.splitlines()
    return [(t.start[0] - 1, t.start[1], t.string) for t in tokens if t.type == tokenize.COMMENT
            and not lines[t.start[0] - 1].lstrip().startswith(("%", "!"))]


def code_comments(source: str) -> list[CodeComment]:
    """The comments of a code cell, found by `tokenize` (a `#` inside a string is no comment), as messages:
    a comment after code is one message; consecutive whole-line comments at the same column are one
    (its lines joined by newlines). Tool markers (`_COMMENT_MARKER`) and an empty `#` end a run and are
    not messages. A cell that does not tokenize (IPython syntax) has none.

    >>> [(c.start, c.end, c.text, c.translatable) for c in code_comments(
    ...     "x = '# not a comment'  # (batch, hidden)\\n# NBVAL_IGNORE_OUTPUT\\n# the first line\\n# goes on\\nx += 1  # add one\\n")]
    [(0, 1, '(batch, hidden)', False), (2, 4, 'the first line\\ngoes on', True), (4, 5, 'add one', True)]
    """
    found = _comment_tokens(source)
    if found is None:
        return []
    lines = source.splitlines()
    out, run = [], []

    def close():
        if run:
            (start, column, prefix, _), end = run[0], run[-1][0] + 1
            out.append(CodeComment(start, end, column, prefix, "\n".join(r[3] for r in run), False))
            run.clear()

    for line, column, token in found:
        words = token.lstrip("#").strip()
        prefix = re.match(r"#+[ \t]*", token).group(0)
        whole_line = not lines[line][:column].strip()
        if not whole_line:
            close()
            if words and not _COMMENT_MARKER.match(token):
                out.append(CodeComment(line, line + 1, column, prefix, words, True))
            continue
        if not words or _COMMENT_MARKER.match(token):
            close()
            continue
        if run and (run[-1][0] + 1 != line or run[0][1] != column):
            close()
        run.append((line, column, prefix, words))
    close()
    return out


def translate_comments(source: str, cat: Catalog | None) -> tuple[str, int, int]:
    """A code cell's source with each comment that has English words (`comment_words`) replaced by its
    translation (msgctxt COMMENT_CONTEXT), at the same column after the same `#`; an untranslated or
    fuzzy one stays English. Code is not touched: only comment text and whole-line comment lines change
    (a run of whole-line comments becomes as many lines as its translation has). Also returns how many
    comments have words and how many were translated.

    >>> cat = Catalog(locale=LOCALE)
    >>> _ = cat.add("add one", "加一", context=COMMENT_CONTEXT)
    >>> translate_comments("x = 1  # add one\\ny = '#'  # keep\\n", cat)
    ("x = 1  # 加一\\ny = '#'  # keep\\n", 2, 1)
    """
    lines = source.splitlines()
    total = done = 0
    for comment in reversed(code_comments(source)):  # from the end, so earlier line numbers stay valid
        if not comment.translatable:
            continue
        total += 1
        zh = translation(cat, comment.text, COMMENT_CONTEXT)
        if zh is None:
            continue
        done += 1
        head = lines[comment.start][:comment.column] + comment.prefix
        if comment.trailing:
            lines[comment.start] = head + " ".join(part.strip() for part in zh.splitlines())
        else:
            lines[comment.start:comment.end] = [head + part for part in zh.splitlines()]
    if not total:
        return source, 0, 0
    text = "\n".join(lines)
    return (text + "\n" if source.endswith("\n") else text), total, done


def strip_comments(source: str) -> str:
    """A code cell's source without its comments (found by `tokenize`) and its docstrings' text
    (`strip_docstrings`): a line that held only a comment is dropped, a comment after code is cut off
    with the spaces before it. Two sources that differ only in their comments and docstrings (a Chinese
    cell and its English original) strip to the same text. A cell that does not tokenize is returned
    as it is.

    >>> strip_comments("# note\\nx = '#1'  # one\\n\\ny = 2\\n")
    "x = '#1'\\n\\ny = 2\\n"
    """
    source = strip_docstrings(source)
    found = _comment_tokens(source)
    if not found:
        return source
    lines = source.splitlines()
    drop = set()
    for line, column, _token in found:
        if lines[line][:column].strip():
            lines[line] = lines[line][:column].rstrip()
        else:
            drop.add(line)
    text = "\n".join(line for k, line in enumerate(lines) if k not in drop)
    return text + "\n" if source.endswith("\n") and text else text


def marker_comments(source: str) -> list[str]:
    """The tool markers among a cell's comments (nbgrader's regions, nbval's markers...), in order."""
    return [token for _, _, token in _comment_tokens(source) or [] if _COMMENT_MARKER.match(token)]


#: The msgctxt of a docstring's message.
DOCSTRING_CONTEXT = "docstring"


@dataclass(frozen=True)
class CodeDocstring:
    """The docstring of a function or class a code cell defines: its literal spans characters
    [start, end) of the source; `quote` is its opening (and closing) quotes; `text` is its words."""
    start: int
    end: int
    quote: str
    text: str

    @property
    def translatable(self) -> bool:
        return bool(comment_words(self.text))


def code_docstrings(source: str) -> list[CodeDocstring]:
    """The docstrings of the functions and classes in a code cell (a plain, unprefixed string literal
    as the first statement of the body); none if the cell is not Python (IPython `%`/`!` syntax).

    >>> [(d.quote, d.text) for d in code_docstrings("def f(x):\\n    '''Add one,\\n    then stop.'''\\n    return x\\n")]
    [("'''", 'Add one,\\nthen stop.')]
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(lineno, col_bytes):  # ast's columns count UTF-8 bytes
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:col_bytes].decode("utf-8"))

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not node.body:
            continue
        first = node.body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            continue
        start, end = offset(first.lineno, first.col_offset), offset(first.end_lineno, first.end_col_offset)
        literal = source[start:end]
        quote = next((q for q in ('"""', "'''", '"', "'") if literal.startswith(q) and literal.endswith(q)
                      and len(literal) >= 2 * len(q)), None)
        if quote is None or "\\" in literal:  # a prefixed, concatenated or escaped literal: left alone
            continue
        text = "\n".join(line.strip() for line in literal[len(quote):-len(quote)].strip().splitlines())
        found.append(CodeDocstring(start, end, quote, text))
    return sorted(found, key=lambda d: d.start)


def translate_docstrings(source: str, cat: Catalog | None) -> tuple[str, int, int]:
    """A code cell's source with each docstring that has English words replaced by its translation
    (msgctxt DOCSTRING_CONTEXT) inside the same quotes, its later lines indented as the definition's
    body; an untranslated or fuzzy one stays English. Also returns how many have words and how many
    were translated.

    >>> cat = Catalog(locale=LOCALE)
    >>> _ = cat.add("Add one.", "加一。", context=DOCSTRING_CONTEXT)
    >>> translate_docstrings("def f(x):\\n    '''Add one.'''\\n    return x + 1\\n", cat)
    ("def f(x):\\n    '''加一。'''\\n    return x + 1\\n", 1, 1)
    """
    total = done = 0
    for doc in reversed(code_docstrings(source)):
        if not doc.translatable:
            continue
        total += 1
        zh = translation(cat, doc.text, DOCSTRING_CONTEXT)
        # not translated (stays English, counted as pending): none, or one the literal cannot hold
        if zh is None or doc.quote in zh or zh.endswith(doc.quote[0]) or ("\n" in zh and len(doc.quote) < 3):
            continue
        done += 1
        line_start = source.rfind("\n", 0, doc.start) + 1
        indent = " " * len(source[line_start:doc.start])
        body = ("\n" + indent).join(zh.splitlines())
        source = source[:doc.start] + doc.quote + body + doc.quote + source[doc.end:]
    return source, total, done


def strip_docstrings(source: str) -> str:
    """A code cell's source with each docstring's text taken out (the quotes stay)."""
    for doc in reversed(code_docstrings(source)):
        source = source[:doc.start] + doc.quote * 2 + source[doc.end:]
    return source


_PO_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _previous_msgid(lines: list[str]) -> str:
    """The text of a previous msgid from its `#|` comment lines (`| msgid ""`, `| "line\\n"`, ...)."""
    return "".join(unescape(f'"{part}"') for line in lines for part in _PO_STRING.findall(line))


def load_catalog(path: Path) -> Catalog:
    """Read a catalogue, keeping each fuzzy message's previous msgid (`#| msgid ...`).

    Babel's reader files `#|` lines under user comments, so the next write would mangle them
    into `# | ...` lines; they are moved back into `previous_id` here.
    """
    with open(path, "rb") as f:
        cat = read_po(f, locale=LOCALE)
    for message in cat:
        previous = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
        if previous:
            message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
            message.previous_id = (_previous_msgid(previous),)
    return cat


def _with_previous_ids(text: str, cat: Catalog) -> str:
    """Add each fuzzy message's previous msgid (`#| msgid`) as msgmerge writes it, a line per string.

    Babel's own writer word-wraps a previous msgid like a comment, breaking inside its strings,
    and its reader cannot read that back; so it is written here, unwrapped. Blocks of a .po file are
    separated by blank lines (strings cannot hold one), in the order of the catalogue.
    """
    blocks = text.split("\n\n")
    for i, message in enumerate((m for m in cat if m.id), start=1):
        if message.fuzzy and message.previous_id:
            lines = blocks[i].split("\n")
            at = next(j for j, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
            lines.insert(at, "#| msgid " + normalize(message.previous_id[0], prefix="#| ", width=0))
            blocks[i] = "\n".join(lines)
    return "\n\n".join(blocks)


def _drop_format_flags(match) -> str:
    flags = [f for f in match.group(1).split(", ") if not f.endswith("-format")]
    return "#, " + ", ".join(flags) if flags else "\0"


def write_catalog(cat: Catalog, path: Path) -> None:
    buf = io.BytesIO()
    write_po(buf, cat, width=0, include_previous=False, include_lineno=False)
    text = _with_previous_ids(buf.getvalue().decode("utf-8"), cat)
    text = re.sub(r'"Generated-By: Babel [^"]*\\n"\n', "", text)  # no tool version in the file
    # Babel flags any text with braces or percent signs as a Python format string; these are
    # formulas and prose, so drop those flags (translators' tools would check them as formats).
    text = re.sub(r"^#, (.*)$", _drop_format_flags, text, flags=re.M).replace("\0\n", "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def extract(notebook: Path, root: Path = ROOT) -> Catalog:
    """Merge the notebook's English text into its catalogue (msgmerge semantics); write and return it."""
    tmpl = template(notebook)
    path = po_path(notebook, root)
    if path.exists():
        cat = load_catalog(path)
        previous = {m.id: m.previous_id for m in cat if m.id and m.fuzzy and m.previous_id}
        cat.update(tmpl, update_creation_date=False)
        for message in cat:  # Babel keeps a previous msgid only for messages it newly fuzzied
            if message.fuzzy and not message.previous_id and message.id in previous:
                message.previous_id = previous[message.id]
        cat.header_comment = tmpl.header_comment
        cat.revision_date = FIXED_DATE
    else:
        cat = tmpl
    write_catalog(cat, path)
    return cat


def translation(cat: Catalog | None, msgid: str, context: str | None = None) -> str | None:
    """The usable translation of msgid (in msgctxt `context`): None when missing, empty or fuzzy."""
    if cat is None:
        return None
    message = cat.get(msgid, context=context)
    if message is None or not message.string or message.fuzzy:
        return None
    return message.string


# ---------------------------------------------------------------------------------------
# The package's own catalogue: lstmcourse/locale/zh_CN/LC_MESSAGES/lstmcourse.po (and .mo)
# ---------------------------------------------------------------------------------------

PACKAGE_PO = Path("lstmcourse") / "locale" / LOCALE / "LC_MESSAGES" / "lstmcourse.po"
KEYWORDS = {"_": None, "gettext": None, "tr": None, "N_": None}
#: The package's modules (the checks of lstmcourse/grading included), and the notebooks' and labs'
#: sources, for their tr("...") and N_("...") calls.
PACKAGE_SOURCES = ("lstmcourse/*.py", "lstmcourse/grading/*.py", "notebooks/[0-9][0-9]_*.py", "solutions/lab[0-9][0-9]/lab[0-9][0-9].py")


def diagram_texts() -> list[str]:
    """Every string the diagrams draw in English that has a word in it (formulas alone are not text).

    The diagrams build some labels from numbers (``layer 2``, one note per step), so their words
    are collected by drawing every diagram with every valid argument, not by reading the source.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmcourse import diagrams

    found = []
    variants = [(name, {}) for name in diagrams.DIAGRAMS] + [
        (name, {"steps": s}) for name, values in {"unrolled_rnn": range(2, 6), "bptt_graph": range(2, 5),
                                                   "stacked_rnn": range(2, 6),
                                                   "bidirectional_rnn": range(2, 4)}.items() for s in values]
    for name, kwargs in variants:
        fig = diagrams.DIAGRAMS[name](language="en", **kwargs)
        for text in [fig.get_suptitle()] + [t.get_text() for t in fig.axes[0].texts]:
            if not english_words(text):
                continue  # a formula, a shape, a keyword argument or a model's name: not translated
            if text not in found:
                found.append(text)
        plt.close(fig)
    return found


def package_template(root: Path = ROOT) -> Catalog:
    """The package catalogue's template: gettext calls in the package, notebooks and labs, and the diagrams' words."""
    from babel.messages.extract import extract_from_file

    cat = Catalog(locale=LOCALE, project="lstmcourse", version="package",
                  msgid_bugs_address="https://github.com/lstmcourse/lstmcourse/issues",
                  last_translator="lstmcourse translators",
                  header_comment=HEADER.format(kind="package", name="", source="lstmcourse/*.py, the notebooks' "
                                               "tr() calls and the diagrams"),
                  creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False,
                  language_team="Chinese (Simplified)", charset="utf-8")
    for pattern in PACKAGE_SOURCES:
        for path in sorted(root.glob(pattern)):
            # notebooks use `_` as a throwaway name: only their tr("...") and N_("...") calls are messages
            keywords = KEYWORDS if pattern.startswith("lstmcourse/") else {"tr": None, "N_": None}
            for lineno, message, comments, _context in extract_from_file("python", path, keywords=keywords):
                if isinstance(message, str) and message:
                    location = (path.relative_to(root).as_posix(), lineno)
                    if message in cat:
                        cat[message].locations.append(location)
                    else:
                        cat.add(message, "", locations=[location])
    for text in diagram_texts():
        if text not in cat:
            cat.add(text, "", locations=[("lstmcourse/diagrams.py", None)])
    return cat


def extract_package(root: Path = ROOT) -> Catalog:
    """Merge the package's messages into its catalogue (msgmerge semantics); write and return it."""
    tmpl, path = package_template(root), root / PACKAGE_PO
    if path.exists():
        cat = load_catalog(path)
        # no fuzzy matching: labels are short, and "training" is not a changed "before training"
        cat.update(tmpl, no_fuzzy_matching=True, update_creation_date=False)
        cat.obsolete.clear()  # git keeps the history; a stale message here would only be shipped
        cat.header_comment, cat.revision_date = tmpl.header_comment, FIXED_DATE
    else:
        cat = tmpl
    write_catalog(cat, path)
    return cat


def compiled_package(root: Path = ROOT) -> bytes:
    """The .mo that lstmcourse.i18n reads, compiled from the package catalogue (fuzzy messages left out)."""
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, load_catalog(root / PACKAGE_PO), use_fuzzy=False)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# Printed outputs: the package's messages (lstmcourse.po) and the other printed lines (outputs.po)
# ---------------------------------------------------------------------------------------

#: The catalogue of the lines the lessons and labs print themselves (not the package's messages):
#: one message per line *template*, its numbers and quoted strings replaced by {0}, {1}, ...
OUTPUTS_PO = Path("locale") / LOCALE / "outputs.po"
OUTPUTS_HEADER = ("# Simplified Chinese translation of the lines the lstmcourse lessons and labs print.\n"
                  "# Generated from the English notebooks' stored outputs by `python3 course.py i18n extract`;\n"
                  "# edit the msgstr lines only. {0}, {1}, ... are the line's numbers and 'quoted' strings, in\n"
                  "# the order printed: keep each one (the order may change). A line that is data, not prose\n"
                  "# (a name, a review, a sample), is kept as printed: its msgstr is its msgid.\n"
                  "# This file is distributed under the MIT licence.\n#")
# The line translator itself (templates, the package's messages with fields, Keras's log) is the package's,
# lstmcourse/printed.py (imported at the top), so the build and a learner's live run translate alike.

#: The templates as the package ships them (the live run reads them): written by `build`, tested current.
OUTPUTS_JSON = Path("lstmcourse") / "locale" / LOCALE / TEMPLATES_FILE


def _usable(path: Path) -> dict[str, str]:
    """{msgid: msgstr} of a catalogue's usable translations (neither empty nor fuzzy)."""
    if not path.exists():
        return {}
    return {m.id: m.string for m in load_catalog(path) if m.id and m.string and not m.fuzzy}


class OutputTranslator(_LineTranslator):
    """lstmcourse.printed.OutputTranslator, read from the catalogues (.po) rather than the shipped files."""

    @classmethod
    def load(cls, root: Path = ROOT) -> "OutputTranslator":
        return cls(_usable(root / PACKAGE_PO), _usable(root / OUTPUTS_PO))


def compiled_outputs(root: Path = ROOT) -> bytes:
    """lstmcourse/locale/zh_CN/outputs.json: outputs.po's usable templates, which the live run reads."""
    data = {"source": OUTPUTS_PO.as_posix(), "templates": _usable(root / OUTPUTS_PO)}
    return (json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n").encode("utf-8")


def printed_lines(notebook: Path):
    """(cell id, line) of every stream output line of a notebook's code cells, in order."""
    for cell in read_notebook(notebook)["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if output.get("output_type") == "stream":
                text = "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
                for line in text.splitlines(keepends=True):
                    yield cell.get("id", ""), line


def outputs_template(root: Path = ROOT) -> Catalog:
    """outputs.po's template: the template of every printed line of the lessons and labs that have a
    catalogue, unless it is one of the package's messages, Keras's training log, or has no words."""
    cat = Catalog(locale=LOCALE, project="lstmcourse", version="outputs",
                  msgid_bugs_address="https://github.com/lstmcourse/lstmcourse/issues",
                  last_translator="lstmcourse translators", header_comment=OUTPUTS_HEADER,
                  creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False,
                  language_team="Chinese (Simplified)", charset="utf-8")
    translator = OutputTranslator.load(root)
    translator.templates = {}
    for notebook in lessons(root) + labs(root):
        for cell_id, line in printed_lines(notebook):
            if translator.line(line)[1] != "untranslated":
                continue
            template = output_template(line.rstrip("\n"))[0]
            location = (f"{source_name(notebook)}#{cell_id}", None)
            if template in cat:
                if location not in cat[template].locations:
                    cat[template].locations.append(location)
            else:
                cat.add(template, "", locations=[location])
    return cat


def extract_outputs(root: Path = ROOT) -> Catalog:
    """Merge the printed lines' templates into outputs.po (msgmerge semantics: a changed wording is a
    new template, fuzzy with the old translation; a changed number changes nothing); write and return it."""
    tmpl, path = outputs_template(root), root / OUTPUTS_PO
    if path.exists():
        cat = load_catalog(path)
        cat.update(tmpl, update_creation_date=False)
        cat.obsolete.clear()  # git keeps the history
        cat.header_comment, cat.revision_date = tmpl.header_comment, FIXED_DATE
    else:
        cat = tmpl
    write_catalog(cat, path)
    return cat


# ---------------------------------------------------------------------------------------
# Building the Chinese notebook
# ---------------------------------------------------------------------------------------

BADGE = re.compile(r"(https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/)notebooks/"
                   r"(\d\d_[\w.-]+\.ipynb)")
MD_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
#: The Colab badge's alt text, in English and in the Chinese edition.
BADGE_ALT = ("[![Open In Colab](", "[![在 Colab 中打开](")


def fix_links(text: str, english_dir: Path) -> str:
    """Badge -> the Chinese notebook; relative links to files without a Chinese twin -> ../file.

    A lesson has a Chinese twin; a page (PAGES) has one when it has a catalogue (english_dir's
    ../locale/zh_CN/NAME.po), and the link then stays: it reaches notebooks/zh-CN/NAME."""
    text = BADGE.sub(rf"\1notebooks/{LANG_DIR}/\2", text).replace(*BADGE_ALT)

    def relink(match):
        target = match.group(2)
        path = target.split("#")[0]
        if (not path or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("/", "#", "../"))
                or re.fullmatch(r"\d\d_[\w.-]+\.ipynb", path) or path == "terminology.md"
                or (path in PAGES and po_path(english_dir / path, english_dir.parent).exists())):
            return match.group(0)  # absolute, anchor, a lesson or page (it has a Chinese twin), or ours
        if (english_dir / path).exists():
            return f"{match.group(1)}../{target}{match.group(3)}"
        return match.group(0)

    return MD_LINK.sub(relink, text)


def chinese_twin(file: Path, root: Path = ROOT) -> Path | None:
    """The Chinese twin of a repository file, if it has one: a lesson or page (with a catalogue) of
    notebooks/ -> notebooks/zh-CN/; a lab's student or complete version (with a catalogue) ->
    exercises/zh-CN/labNN/ or solutions/zh-CN/labNN/; notebooks/zh-CN/terminology.md is Chinese already."""
    file = Path(file)
    if file.parent == root / "notebooks":
        if file.name == "terminology.md":
            return file.parent / LANG_DIR / file.name
        if ((re.fullmatch(r"\d\d_[\w.-]+\.ipynb", file.name) or file.name in PAGES)
                and po_path(file, root).exists()):
            return file.parent / LANG_DIR / file.name
        return None
    lab = file.parent.name
    if (file.parent.parent in (root / "exercises", root / "solutions") and re.fullmatch(r"lab\d\d", lab)
            and file.name == f"{lab}.ipynb" and po_path(file, root).exists()):
        return file.parent.parent / LANG_DIR / lab / file.name
    return None


def _relink_to_twins(text: str, english_dir: Path, zh_dir: Path, twin) -> str:
    """Relative links of a file in `english_dir`, for its copy in `zh_dir`: a link to an existing
    file goes to `twin(file)` when that returns a path, else to the same file; absolute links,
    anchors and links to missing files are unchanged."""
    import os.path
    import posixpath

    def relink(match):
        target = match.group(2)
        path, _, anchor = target.partition("#")
        if not path or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            return match.group(0)
        file = Path(os.path.normpath(english_dir / path))
        if not file.exists():
            return match.group(0)
        file = twin(file) or file
        new = posixpath.normpath(os.path.relpath(file, zh_dir).replace(os.sep, "/"))
        return f"{match.group(1)}{new}{'#' + anchor if anchor else ''}{match.group(3)}"

    return MD_LINK.sub(relink, text)


def fix_page_links(text: str, english: Path, root: Path = ROOT) -> str:
    """A page's relative links, for its Chinese twin in notebooks/zh-CN/: to the Chinese twin of the
    target when it has one (`chinese_twin`), else to the same file (`../`); other links unchanged.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for f in ("notebooks/glossary.md", "notebooks/notation.md", "notebooks/01_a.ipynb",
    ...           "exercises/lab06/lab06.ipynb", "locale/zh_CN/01_a.po", "locale/zh_CN/notation.po",
    ...           "locale/zh_CN/lab06.po"):
    ...     (root / f).parent.mkdir(parents=True, exist_ok=True); _ = (root / f).write_text("x")
    >>> fix_page_links("[a](01_a.ipynb#s) [n](notation.md) [g](glossary.md) [l](../exercises/lab06/lab06.ipynb) "
    ...                "[w](https://x.org/a.md) [t](#top)", root / "notebooks" / "where_next.md", root)
    '[a](01_a.ipynb#s) [n](notation.md) [g](../glossary.md) [l](../../exercises/zh-CN/lab06/lab06.ipynb) [w](https://x.org/a.md) [t](#top)'
    """
    return _relink_to_twins(text, Path(english).parent, root / "notebooks" / LANG_DIR,
                            lambda file: chinese_twin(file, root))


LAB_BADGE = re.compile(r"(https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/)solutions/"
                       r"(lab\d\d/lab\d\d\.ipynb)")


def fix_lab_links(text: str, english: Path, root: Path = ROOT) -> str:
    """A lab's badge -> the Chinese solution (nbgrader turns it into the Chinese exercise's); a relative
    link to an existing file -> the same file seen from solutions/zh-CN/labNN/, or to the Chinese twin
    of a lesson when there is one."""
    text = LAB_BADGE.sub(rf"\1solutions/{LANG_DIR}/\2", text).replace(*BADGE_ALT)

    def lesson_twin(file):
        twin = file.parent / LANG_DIR / file.name
        if file.parent == root / "notebooks" and re.fullmatch(r"\d\d_[\w.-]+\.ipynb", file.name) and twin.exists():
            return twin
        return None

    return _relink_to_twins(text, Path(english).parent, zh_path(english, root).parent, lesson_twin)


@dataclass
class CellStatus:
    index: int
    cell_id: str
    messages: int
    translated: int

    @property
    def pending(self) -> bool:
        return self.translated < self.messages


@dataclass
class NotebookStatus:
    name: str
    cells: list[CellStatus] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return sum(c.messages for c in self.cells)

    @property
    def translated(self) -> int:
        return sum(c.translated for c in self.cells)

    @property
    def fraction(self) -> float:
        return self.translated / self.messages if self.messages else 1.0

    @property
    def pending_cells(self) -> list[CellStatus]:
        return [c for c in self.cells if c.pending]


FIGURE_KEY = "lstmcourse"  # lstmcourse.i18n.METADATA_KEY: the figure's Chinese twin in the output's metadata
_SETUP_CALL = re.compile(r"(setup_notebook\(seed=\d+)\)")


def zh_code_cell(cell: dict) -> dict:
    """The Chinese edition of a code cell: the English one, with

    * each figure drawn in Chinese in the same run (``course.py execute`` stores it in the output's
      metadata, see lstmcourse/i18n.py) in place of the English PNG; the metadata keeps the texts
      the Chinese figure shows (for tests/test_translations.py), not a second copy of the image;
    * ``setup_notebook(seed=N)`` asking for Chinese (``language="zh_CN"``), so a learner who runs
      the Chinese notebook gets Chinese diagrams, plot labels and messages.

    Everything else (code, text outputs, numbers) is the English cell's.

    >>> cell = {"cell_type": "code", "source": ["keras = lstmcourse.setup_notebook(seed=42)\\n"], "outputs": [
    ...     {"output_type": "display_data", "data": {"image/png": "EN", "text/plain": ["<Figure>"]},
    ...      "metadata": {"image/png": {"lstmcourse": {"zh_CN": {"image/png": "ZH", "text": ["遗忘"]}}}}}]}
    >>> zh = zh_code_cell(cell)
    >>> zh["source"], zh["outputs"][0]["data"]["image/png"], zh["outputs"][0]["metadata"]
    (['keras = lstmcourse.setup_notebook(seed=42, language="zh_CN")\\n'], 'ZH', {'image/png': {'lstmcourse': {'zh_CN': {'text': ['遗忘']}}}})
    """
    cell = copy.deepcopy(cell)
    source = cell_source(cell)
    new = _SETUP_CALL.sub(r'\1, language="zh_CN")', source)
    if new != source:
        cell["source"] = new.splitlines(keepends=True)
    for output in cell.get("outputs", []):
        twin = output.get("metadata", {}).get("image/png", {}).get(FIGURE_KEY, {}).get(LOCALE)
        if twin and "image/png" in twin:
            output["data"]["image/png"] = twin["image/png"]
            output["metadata"]["image/png"][FIGURE_KEY] = {LOCALE: {"text": twin.get("text", [])}}
    return cell


def zh_comments(cell: dict, cat: Catalog | None) -> tuple[int, int]:
    """Translate a code cell's comments and docstrings in place (`translate_comments`,
    `translate_docstrings`); how many have words, how many were translated. Nothing else of the cell
    changes."""
    source = cell_source(cell)
    new, total, done = translate_comments(source, cat)
    new, total_docs, done_docs = translate_docstrings(new, cat)
    total, done = total + total_docs, done + done_docs
    if new != source:
        cell["source"] = new.splitlines(keepends=True)
    return total, done


def translate_markdown(source: str, cat: Catalog | None) -> tuple[str | None, int, int]:
    r"""A markdown cell's (or a page section's) translation, None unless every block of it is translated;
    and how many messages it has and how many are translated (display formulas: their \text{...})."""
    blocks = split_blocks(source)
    wanted = {k: b for k, b in enumerate(blocks) if b.translatable}
    done = {k: translation(cat, b.text) for k, b in wanted.items()}
    done = {k: t for k, t in done.items() if t is not None}
    n_wanted, n_done = len(wanted), len(done)
    for k, b in enumerate(blocks):  # display formulas: their \text{...} annotations
        if not b.translatable:
            new, total, translated = translate_math(b.text, cat)
            n_wanted, n_done = n_wanted + total, n_done + translated
            if total and translated == total:
                done[k] = new
    return (replace_blocks(source, done) if n_done == n_wanted else None), n_wanted, n_done


def page_sections(source: str) -> list[str]:
    r"""A page cut before each of its headings (the first part is what comes before the second heading).

    >>> page_sections("# T\n\nIntro.\n\n## A\n\nText.\n\n```\n# not a heading\n```\n")
    ['# T\n\nIntro.\n\n', '## A\n\nText.\n\n```\n# not a heading\n```\n']
    """
    lines = source.splitlines(keepends=True)
    starts = [b.start for b in split_blocks(source) if re.match(r"#{1,6}(\s|$)", b.text)]
    cuts = [0] + [s for s in starts if s > 0] + [len(lines)]
    return ["".join(lines[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]


def build_page(page: Path, root: Path = ROOT) -> tuple[str, NotebookStatus]:
    """The Chinese page (markdown) built from the English one and its catalogue, and its status: a
    section (see `page_sections`) is translated whole, or shown in English under PAGE_PENDING_NOTE."""
    page = Path(page)
    path = po_path(page, root)
    cat = load_catalog(path) if path.exists() else None
    status = NotebookStatus(page.stem)
    out = []
    for index, section in enumerate(page_sections(page.read_text(encoding="utf-8"))):
        text, n_wanted, n_done = translate_markdown(section, cat)
        heading = section.splitlines()[0].lstrip("#").strip()
        status.cells.append(CellStatus(index, heading[:40], n_wanted, n_done))
        if text is None:
            text = PAGE_PENDING_NOTE + "\n\n" + section
        out.append(fix_page_links(text, page, root))
    return "".join(out), status


def build(notebook: Path, root: Path = ROOT) -> tuple[dict | str, NotebookStatus]:
    """The Chinese notebook (as JSON) built from the English one and its catalogue, and its status;
    for a page (PAGES), the Chinese markdown (`build_page`)."""
    notebook = Path(notebook)
    if is_page(notebook):
        return build_page(notebook, root)
    nb = read_notebook(notebook)
    path = po_path(notebook, root)
    cat = load_catalog(path) if path.exists() else None
    out = copy.deepcopy(nb)
    status = NotebookStatus(notebook.stem)
    first_markdown = True
    printed = OutputTranslator.load(root)
    for index, cell in enumerate(out["cells"]):
        n_comments = n_comments_done = 0
        if cell["cell_type"] == "code":
            cell = out["cells"][index] = printed.cell(zh_code_cell(cell))  # its printed lines in Chinese
            n_comments, n_comments_done = zh_comments(cell, cat)
        if cell["cell_type"] != "markdown":
            texts = alt_texts(cell)
            done = [translation(cat, t) for t in texts]
            if texts:  # a figure's alt text: translated, or left English (and the cell pending)
                zh = [t if t is not None else en for t, en in zip(done, texts)]
                cell["metadata"]["alt"] = zh[0] if isinstance(cell["metadata"]["alt"], str) else zh
            if texts or n_comments:  # and its comments: translated, or left English (the cell pending)
                status.cells.append(CellStatus(index, cell.get("id", ""), len(texts) + n_comments,
                                               sum(t is not None for t in done) + n_comments_done))
            continue
        source = cell_source(cell)
        text, n_wanted, n_done = translate_markdown(source, cat)
        status.cells.append(CellStatus(index, cell.get("id", ""), n_wanted, n_done))
        if text is None:
            text = PENDING_NOTE + "\n\n" + source
        if is_lab(notebook):
            text = fix_lab_links(text, notebook, root)
            if first_markdown:
                note = LAB_NOTE_ENGLISH_CHECKS if notebook.stem in LABS_WITH_ENGLISH_CHECKS else LAB_NOTE
                text = (text.rstrip("\n") + "\n\n" + note + "\n>\n"
                        + TERMINOLOGY_NOTE.replace("](terminology.md)", f"]({LAB_TERMINOLOGY})"))
        else:
            text = fix_links(text, notebook.parent)
            if first_markdown:
                text = text.rstrip("\n") + "\n\n" + TERMINOLOGY_NOTE
        first_markdown = False
        cell["source"] = text.splitlines(keepends=True)
    return out, status


def dumps(nb: dict | str) -> str:
    """The same JSON layout as course.py's notebooks (indent 1, UTF-8 kept), so diffs stay small; a built
    page (markdown) as it is."""
    return nb if isinstance(nb, str) else json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def lessons(root: Path = ROOT) -> list[Path]:
    """The numbered English lessons that have a catalogue."""
    return sorted(p for p in (root / "notebooks").glob(LESSON_GLOB) if po_path(p, root).exists())


def labs(root: Path = ROOT) -> list[Path]:
    """The English labs (solutions/labNN/labNN.ipynb) that have a catalogue."""
    return sorted(p for p in (root / "solutions").glob(LAB_GLOB) if po_path(p, root).exists())


def pages(root: Path = ROOT) -> list[Path]:
    """The English pages (PAGES) that have a catalogue."""
    return [root / "notebooks" / name for name in PAGES
            if (root / "notebooks" / name).exists() and po_path(root / "notebooks" / name, root).exists()]


def format_status(statuses: list[NotebookStatus], cells: bool = True) -> str:
    lines = ["notebook                          messages  translated  cells pending"]
    for s in statuses:
        lines.append(f"{s.name:<34}{s.messages:>8}  {s.fraction:>9.0%}  {len(s.pending_cells):>6}")
    for s in statuses if cells else []:
        for c in s.pending_cells:
            lines.append(f"  pending: {s.name} cell {c.index} (id {c.cell_id}): "
                         f"{c.translated}/{c.messages} blocks translated")
    return "\n".join(lines)


def _resolve(args: list[str], root: Path, all_english: bool) -> list[Path]:
    if not args:
        if all_english:
            return (sorted((root / "notebooks").glob(LESSON_GLOB)) + sorted((root / "solutions").glob(LAB_GLOB))
                    + [root / "notebooks" / name for name in PAGES if (root / "notebooks" / name).exists()])
        return lessons(root) + labs(root) + pages(root)
    paths = []
    for a in args:
        p = Path(a)
        if not p.is_absolute():
            p = (Path.cwd() / p) if (Path.cwd() / p).exists() else root / p
        if p.parent.name == LANG_DIR:  # notebooks/zh-CN/X.ipynb means its English source
            p = p.parent.parent / p.name
        elif p.parent.parent.name == LANG_DIR:  # solutions/zh-CN/labNN/labNN.ipynb: solutions/labNN/...
            p = p.parent.parent.parent / p.parent.name / p.name
        if not ((p.suffix == ".ipynb" or is_page(p)) and p.exists()):
            raise SystemExit(f"i18n: expected an English lesson or lab (solutions/labNN/labNN.ipynb) notebook, "
                             f"or a page ({', '.join(f'notebooks/{n}' for n in PAGES)}). Received: {a!r}")
        paths.append(p)
    return paths


def sync_readme(root: Path = ROOT, check: bool = False) -> bool:
    """Point README.zh-CN.md's Colab badges at the repository and tag of pyproject.toml, with
    course.py's own sync_links_text (the mechanism of `course.py sync-links`). True if it changed."""
    readme = root / "README.zh-CN.md"
    if not readme.exists() or not (root / "course.py").exists():
        return False
    import importlib.util

    spec = importlib.util.spec_from_file_location("lstmcourse_course_py", root / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    text = readme.read_text(encoding="utf-8")
    new = course.sync_links_text(text, root)
    if new != text and not check:
        readme.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(prog="course.py i18n", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_extract = sub.add_parser("extract", help="merge English text into locale/zh_CN/*.po")
    p_build = sub.add_parser("build", help="write notebooks/zh-CN/*.ipynb from English + .po")
    p_build.add_argument("--check", action="store_true", help="write nothing; fail if a build is out of date")
    p_pending = sub.add_parser("pending", help="translated fraction and pending cells per notebook")
    for p in (p_extract, p_build, p_pending):
        p.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)

    if args.command == "extract":
        if not args.notebooks:
            cat = extract_package(root)
            print(f"{PACKAGE_PO.as_posix()}: {sum(1 for m in cat if m.id)} messages, "
                  f"{sum(1 for m in cat if m.id and not m.string)} untranslated")
        for nb in _resolve(args.notebooks, root, all_english=True):
            cat = extract(nb, root)
            fuzzy = sum(1 for m in cat if m.id and m.fuzzy)
            empty = sum(1 for m in cat if m.id and not m.string)
            print(f"{po_path(nb, root).relative_to(root).as_posix()}: {sum(1 for m in cat if m.id)} messages, "
                  f"{fuzzy} fuzzy, {empty} untranslated, {len(cat.obsolete)} obsolete")
        cat = extract_outputs(root)  # the printed lines of every lesson and lab (one catalogue for all)
        print(f"{OUTPUTS_PO.as_posix()}: {sum(1 for m in cat if m.id)} line templates, "
              f"{sum(1 for m in cat if m.id and m.fuzzy)} fuzzy, {sum(1 for m in cat if m.id and not m.string)} "
              f"untranslated, {sum(1 for m in cat if m.id and m.string == m.id)} kept as data")
        return 0
    if args.command == "build":
        stale = []
        mo = root / PACKAGE_PO.with_suffix(".mo")
        if (root / PACKAGE_PO).exists() and (not mo.exists() or mo.read_bytes() != compiled_package(root)):
            stale.append(mo.relative_to(root).as_posix())
            if not args.check:
                mo.write_bytes(compiled_package(root))
        shipped = root / OUTPUTS_JSON
        if (root / OUTPUTS_PO).exists() and (not shipped.exists() or shipped.read_bytes() != compiled_outputs(root)):
            stale.append(shipped.relative_to(root).as_posix())
            if not args.check:
                shipped.write_bytes(compiled_outputs(root))
        for nb in _resolve(args.notebooks, root, all_english=False):
            built, _ = build(nb, root)
            target = zh_path(nb, root)
            text = dumps(built)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                stale.append(target.relative_to(root).as_posix())
                if not args.check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
        if not args.notebooks and sync_readme(root, check=args.check):
            stale.append("README.zh-CN.md")
        verb = "out of date" if args.check else "written"
        print(f"{len(stale)} Chinese notebook(s) {verb}" + "".join(f"\n  {s}" for s in stale))
        if any(s.startswith("solutions/") for s in stale) and not args.check:
            print("A Chinese lab changed: regenerate the student versions with `python3 course.py exercises`.")
        return 1 if (args.check and stale) else 0
    statuses = [build(nb, root)[1] for nb in _resolve(args.notebooks, root, all_english=False)]
    print(format_status(statuses))
    if not args.notebooks:  # English lessons and labs nobody has started: no catalogue yet
        english = (sorted((root / "notebooks").glob(LESSON_GLOB)) + sorted((root / "solutions").glob(LAB_GLOB))
                   + [root / "notebooks" / name for name in PAGES if (root / "notebooks" / name).exists()])
        for nb in english:
            if not po_path(nb, root).exists():
                print(f"  not started: {nb.stem} (no catalogue; run: python3 course.py i18n extract "
                      f"{source_name(nb)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
