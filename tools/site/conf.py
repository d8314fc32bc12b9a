"""Sphinx configuration of the course's website (built by `python3 course.py site`, tools/site_build.py).

One configuration, two builds: LSTMCOURSE_SITE_LANG=en builds build/site/en from notebooks/*.ipynb,
=zh-CN builds build/site/zh-CN from notebooks/zh-CN/*.ipynb. tools/site_build.py assembles each source
tree (the repository's own layout, so the notebooks' relative links keep working) in build/site-src/.
Nothing is executed: MyST-NB renders the stored outputs (nb_execution_mode = "off").
"""
import json
import os
import posixpath
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

LANG = os.environ.get("LSTMCOURSE_SITE_LANG", "en")
OTHER = {"en": "zh-CN", "zh-CN": "en"}[LANG]
SITE_INFO = json.loads(os.environ["LSTMCOURSE_SITE_INFO"])  # written by tools/site_build.py

project = "lstmcourse" if LANG == "en" else "lstmcourse 循环神经网络课程"
author = "the lstmcourse authors"
copyright = "the lstmcourse authors (MIT licence)"
release = version = SITE_INFO["version"]
language = {"en": "en", "zh-CN": "zh_CN"}[LANG]

extensions = ["myst_nb", "sphinx-mathjax-offline"]   # sphinx-mathjax-offline: MathJax 3 copied into _static
nb_execution_mode = "off"          # stored outputs only; the notebooks are executed by `course.py execute`
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = [str(Path(__file__).parent / "_templates")]
html_static_path = [str(Path(__file__).parent / "_static")]
html_css_files = ["lstmcourse.css"]
html_theme = "sphinx_book_theme"
html_title = project
html_copy_source = False           # the notebooks themselves are offered as downloads (below)
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": SITE_INFO["repository_url"],
    "use_repository_button": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "article_header_end": ["lstmcourse-links.html", "article-header-buttons.html"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

# pydata-sphinx-theme reads the colour mode from here; left empty it logs "Got invalid theme mode: ."
# to the console on a reader's first visit. "auto" follows the reader's system (light or dark).
html_context = {"default_mode": "auto"}

COLAB = SITE_INFO["colab_prefix"]   # https://colab.research.google.com/github/OWNER/NAME/blob/TAG/
LABELS = {
    "en": {"colab": "Open in Colab", "download": "Download notebook", "switch": "中文",
           "switch_label": "这一页的中文版 (Chinese edition of this page)"},
    "zh-CN": {"colab": "在 Colab 中打开", "download": "下载笔记本", "switch": "English",
              "switch_label": "English edition of this page (这一页的英文版)"},
}[LANG]


def other_docname(docname: str) -> str:
    """The same page in the other language's build (its index when it has none)."""
    if LANG == "en":
        candidates = [docname.replace("notebooks/", "notebooks/zh-CN/", 1) if docname.startswith("notebooks/0")
                      or docname.startswith("notebooks/1") else docname,
                      docname.replace("exercises/", "exercises/zh-CN/", 1) if docname.startswith("exercises/") else docname]
    else:
        candidates = [docname.replace("/zh-CN/", "/", 1)]
    for candidate in candidates:
        if candidate in SITE_INFO["docs"][OTHER]:
            return candidate
    return "index"


def page_links(app, pagename, templatename, context, doctree):
    depth = pagename.count("/")
    up = "../" * depth
    context["lstm_labels"] = LABELS
    context["lstm_switch_url"] = f"{up}../{OTHER}/{other_docname(pagename)}.html"
    context["lstm_switch_lang"] = {"en": "zh-Hans", "zh-CN": "en"}[OTHER]
    source = SITE_INFO["notebooks"][LANG].get(pagename)
    context["lstm_colab_url"] = COLAB + source if source else None
    context["lstm_download_url"] = posixpath.basename(pagename) + ".ipynb" if source else None


def copy_notebooks(app, exc):
    """Each notebook next to its page, for the "download notebook" link."""
    if exc is not None:
        return
    for docname in SITE_INFO["notebooks"][LANG]:
        target = Path(app.outdir) / (docname + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(app.srcdir) / (docname + ".ipynb"), target)


def fix_chinese_stemmer(app, exc):
    """Sphinx 9.0's Chinese search writes `window.Stemmer = ChineseStemmer;` but ships only the English
    stemmer's code (search/zh.py: js_stemmer_rawcode = 'english-stemmer.js'), so every Chinese page
    throws "ChineseStemmer is not defined". Point it at the stemmer that is there (Latin words in
    Chinese text are stemmed as English, which is what the Python side does too)."""
    path = Path(app.outdir) / "_static" / "language_data.js"
    if exc is None and path.is_file():
        text = path.read_text(encoding="utf-8")
        if "var ChineseStemmer" not in text:
            path.write_text(text.replace("window.Stemmer = ChineseStemmer;", "window.Stemmer = EnglishStemmer;"),
                            encoding="utf-8")


def figure_alt_text(app, doctree, docname):
    """Each figure's <img alt> from its cell's `alt` metadata (a string, or a list with one string per
    figure in output order; `# %% alt="..."` in the jupytext source, translated by tools/i18n.py).

    MyST-NB's own cell metadata (`mystnb: {image: {alt: ...}}`) gives every image of a cell the same
    text, and without it docutils writes the image's file path as its alt. MyST-NB keeps each code
    cell's metadata on its container node (nb_element="cell_code"); this runs after the post-transforms
    that pick each output's image, so every <img> is there. A cell whose alt texts do not match its
    figures one to one, or a figure without one, is a warning (the build runs with -W: an error)."""
    from docutils import nodes

    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        alt = cell.get("cell_metadata", {}).get("alt")
        images = list(cell.findall(nodes.image))
        texts = [] if alt is None else [alt] if isinstance(alt, str) else list(alt)
        if images and len(texts) != len(images):
            logger.warning(f"{docname}: a code cell (index {cell.get('cell_index')}) has {len(images)} figure(s) and "
                           f"{len(texts)} alt text(s); give it `# %% alt=\"...\"` (a list for several figures). "
                           f"Received: alt={alt!r}", location=cell)
            continue
        for image, text in zip(images, texts):
            image["alt"] = text


def setup(app):
    app.connect("doctree-resolved", figure_alt_text)
    app.connect("html-page-context", page_links)
    app.connect("build-finished", copy_notebooks)
    app.connect("build-finished", fix_chinese_stemmer)
