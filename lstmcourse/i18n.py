"""The package's own words in the learner's language: gettext, a CJK font, figures in Chinese.

The lessons' prose is translated by the notebooks' catalogues (``locale/zh_CN/*.po``, built by
``tools/i18n.py``). What the *package* writes or draws (the setup banner, ``spread``, the plots'
titles, axes and legends, the diagrams, the "YOUR CODE HERE" stubs) is translated here, with
the standard library's :mod:`gettext` and one catalogue shipped in the package:
``lstmcourse/locale/zh_CN/LC_MESSAGES/lstmcourse.po`` (and its compiled ``.mo``), made and
compiled by ``python3 course.py i18n extract|build`` like the notebooks' catalogues.

Which language:

* ``LSTMCOURSE_LANG=zh_CN`` in the environment, or
* ``lstmcourse.setup_notebook(language="zh_CN")`` (what a Chinese notebook's setup cell says), or
* ``lstmcourse.i18n.set_language("zh_CN")`` / ``with lstmcourse.i18n.using("zh_CN"): ...``.

Anything else (unset, ``en``, ``C``) is English, the source language: messages are their own
msgid. A message missing from the catalogue stays English.

What the notebook itself prints: :func:`set_language` (and so ``setup_notebook(language="zh_CN")``)
also wraps ``sys.stdout`` in :class:`lstmcourse.printed.TranslatingStream`, which translates each
complete printed line with the same translator as the stored Chinese notebooks' build (the
templates of ``locale/zh_CN/outputs.po``, shipped as ``locale/zh_CN/outputs.json``);
``set_language("en")`` takes the wrapper away. :func:`using` changes the language for a block
only and leaves ``sys.stdout`` alone. ``LSTMCOURSE_LANG=zh_CN`` wraps it when ``setup_notebook`` runs.

Marking text for translation:

* in the package: ``from lstmcourse.i18n import gettext as _`` and ``_("forget")``;
* in a notebook (plot titles, axes, legends): ``from lstmcourse.i18n import tr`` and
  ``ax.set_title(tr("RNN vs LSTM"))``, ``label=tr("seed {seed}", seed=s)``; ``tr`` formats
  with ``str.format`` *after* translating, so the catalogue holds the pattern, and it
  remembers which pattern made each English string so a figure can be redrawn in Chinese.

How the checks use it: a check builds its message with
``gettext("... Received: {name}={value!r}").format(...)`` (``lstmcourse/grading/``, labs 01–08,
the variants and the crash reader); the Chinese labs' first cell calls ``setup_notebook(language="zh_CN")``, so
the same check answers in Chinese there and in English in the English labs (the grader's fresh
copy follows, see ``grading/sandbox.py``). Grading must not depend on the language: only the
message text changes, never what is compared.

Figures of the Chinese edition (how the stored Chinese notebooks get Chinese figures whose
numbers equal the English ones): ``course.py execute`` runs the English lesson with
``LSTMCOURSE_ALSO_DRAW=zh_CN``. :func:`install_figure_twins` (called by ``setup_notebook``)
then wraps IPython's PNG formatter: each figure shown is rendered as usual, then its text is
swapped for the catalogue's Chinese (:func:`translate_figure`; a diagram is redrawn with
``language="zh_CN"``, so its layout is the Chinese one), rendered again, and the Chinese PNG and
the texts it shows are stored in the output's metadata (``metadata["image/png"]["lstmcourse"]``).
``tools/i18n.py build`` swaps that PNG into notebooks/zh-CN/. The Chinese figure is the same
Figure object with other words, drawn in the same run, so its numbers are the English ones by
construction; re-executing the Chinese notebook instead would train again and could only be
compared, not equal. ``tests/test_translations.py`` checks the recorded texts for English.

The CJK font: ``lstmcourse/fonts/`` holds a subset of Noto Sans CJK SC (SIL Open Font
Licence 1.1, ``OFL.txt`` beside it) cut to the characters of this catalogue by
``tools/cjk_font.py``; :func:`register_font` adds it to Matplotlib's font manager, so it works
offline on every platform, and Chinese text is drawn in it first, with DejaVu Sans as the fallback for the symbols it lacks.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import gettext as _gettext
import io
import os
import re
import time
from pathlib import Path

DOMAIN = "lstmcourse"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-lstmcourse-subset.otf"
#: The family name of the shipped subset (renamed, so it never shadows a full Noto CJK install).
FONT_FAMILY = "lstmcourse Noto Sans SC"
LANGUAGE_ENV = "LSTMCOURSE_LANG"
ALSO_DRAW_ENV = "LSTMCOURSE_ALSO_DRAW"
LANGUAGES = ("en", "zh_CN")
_ALIASES = {"": "en", "c": "en", "posix": "en", "en": "en", "en_us": "en", "en_gb": "en",
            "zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh_hans": "zh_CN", "zh-hans": "zh_CN"}
METADATA_KEY = "lstmcourse"

_language = None          # set_language(); None: from the environment
_rendered = {}            # English text made by tr() -> (pattern, kwargs)


def _normalize(language, name="language"):
    if not isinstance(language, str):
        raise TypeError(f"`{name}` must be a str such as 'en' or 'zh_CN'. Received: {name}={language!r}")
    key = language.split(".")[0].strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"`{name}` must be one of {LANGUAGES}. Received: {name}={language!r}")
    return _ALIASES[key]


def language():
    """The current language: set_language()'s, else ``LSTMCOURSE_LANG``'s, else ``"en"``."""
    if _language is not None:
        return _language
    return _normalize(os.environ.get(LANGUAGE_ENV, ""), LANGUAGE_ENV)


def set_language(language):
    """Set the language of the package's messages and figures (``"en"`` or ``"zh_CN"``), and of the
    lines the notebook prints: Chinese wraps ``sys.stdout`` (:mod:`lstmcourse.printed`), English
    puts the stream back.

    Example:

    >>> set_language("zh_CN"); gettext("forget")
    '遗忘'
    >>> set_language("en"); gettext("forget")
    'forget'
    """
    global _language
    _language = _normalize(language)
    from lstmcourse import printed  # the notebook's own print() lines follow (lstmcourse/printed.py)

    printed.sync(_language)


@contextlib.contextmanager
def using(language):
    """Within the block, messages and figures are in ``language``; the previous one after it."""
    global _language
    previous, _language = _language, _normalize(language)
    try:
        yield
    finally:
        _language = previous


@functools.lru_cache(maxsize=None)
def translations(language):
    """The gettext translations of ``language`` (English: the messages themselves)."""
    language = _normalize(language)
    if language == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True)


def gettext(message, language=None):
    """``message`` translated into ``language`` (default: the current one); itself if not in the catalogue."""
    if not isinstance(message, str):
        raise TypeError(f"`message` must be a str. Received: message={message!r}")
    if not message.strip():  # gettext("") is the catalogue's header, never a translation
        return message
    return translations(language or globals()["language"]()).gettext(message)


def tr(message, **kwargs):
    """Translate ``message`` into the current language; with keyword arguments, it is a ``str.format``
    pattern, filled in after translating (without them it is used as it is).

    Also remembers the English text it stood for, so :func:`translate_figure` can put the
    Chinese one in its place in a figure drawn in English.

    Example:

    >>> tr("seed {seed}", seed=3)
    'seed 3'
    >>> tr("target $x_{t-3}$")
    'target $x_{t-3}$'
    >>> with using("zh_CN"):
    ...     tr("seed {seed}", seed=3)
    '种子 3'

    A field that is a word of the catalogue is translated with the pattern:

    >>> with using("zh_CN"):
    ...     tr("{label} (median of {n} seeds)", label="forget", n=5)
    '遗忘（5 个种子的中位数）'
    """
    if not kwargs:  # a plain label: no formatting, so braces of a formula ("$x_{t-3}$") stay as they are
        return gettext(message)
    english = message.format(**kwargs)
    _rendered[english] = (message, kwargs)
    if language() == "en":
        return english
    # a field that is itself a word of the catalogue ("masked", a language's name) is translated too,
    # as translate_text() does for a figure twin, so a live Chinese run draws what the twin shows
    fields = {k: (translate_text(v, language()) or v) if isinstance(v, str) else v for k, v in kwargs.items()}
    return gettext(message).format(**fields)


def N_(message):
    """Marks a message for the catalogue without translating it (gettext's ``N_`` idiom).

    For words that are data first and labels later (a dict key such as ``"masked"``, a
    language's name): the key stays English in the code, the catalogue gets the word, and
    where it is drawn, ``tr(key)`` (or a ``tr()`` pattern's field) translates it.

    >>> N_("not masked")
    'not masked'
    """
    return message


def translate_text(text, language="zh_CN"):
    """The translation of a string drawn in English (from tr()'s memory or the catalogue), or None."""
    if text in _rendered:
        pattern, kwargs = _rendered[text]
        translated = gettext(pattern, language)
        # a field may itself be a tr() text: "{label} (median of {n} seeds)" with label="GRU validation"
        fields = {k: (translate_text(v, language) or v) if isinstance(v, str) else v for k, v in kwargs.items()}
        if translated == pattern and fields == kwargs:
            return None
        return translated.format(**fields)
    translated = gettext(text, language)
    if translated == text and "\n" in text:  # a label broken over lines to fit ("bag\nof words"): its words
        one_line = " ".join(text.split())
        translated = gettext(one_line, language)
        return translated if translated != one_line else None
    return translated if translated != text else None


#: Words that stay English in Chinese text: the models' and libraries' names, Keras's own words.
ENGLISH_NAMES = {"RNN", "RNNs", "LSTM", "GRU", "SimpleRNN", "IRNN", "Keras", "TensorFlow", "NumPy", "tanh", "ReLU",
                 "sigmoid", "softmax", "Adam", "SGD", "MSE", "BPTT", "Glorot", "Cho", "Bahdanau", "CO", "ISO", "GPU",
                 "CPU", "cuDNN", "Transformer", "batch", "units", "features", "kernel", "recurrent_kernel", "bias",
                 "logit", "logits", "dropout"}
_CODE = re.compile(r"\$[^$]*\$|`[^`]*`|\w+=\S+|\b\w*_\w*\b|\((?:batch|input|units|in|hidden)\b[^)]*\)|\b[A-Za-z]\b")


def english_words(text: str) -> list[str]:
    """The English words of a drawn or printed string that a translation should have replaced.

    Formulas ($...$), inline code, keyword arguments (``a=b``), identifiers with ``_``, shapes
    shapes such as ``(batch, ...)`` or ``(input, units)``, single letters (variables) and :data:`ENGLISH_NAMES` do not count.

    >>> english_words("训练损失（LSTM，种子 3），return_sequences=True，$h_t$")
    []
    >>> english_words("validation loss of $h_t$")
    ['validation', 'loss', 'of']
    """
    rest = _CODE.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z']+", rest) if w not in ENGLISH_NAMES]


def _no_bold_notice(record):
    """The subset has one weight: bold labels use it without a "Failed to find font weight" notice."""
    return not (FONT_FAMILY in str(record.msg % record.args if record.args else record.msg)
                and "weight" in str(record.msg))


def register_font():
    """Add the shipped CJK subset to Matplotlib's fonts (once); True if it is there."""
    import logging

    from matplotlib import font_manager

    logger = logging.getLogger("matplotlib.font_manager")
    if _no_bold_notice not in logger.filters:
        logger.addFilter(_no_bold_notice)

    if any(f.name == FONT_FAMILY for f in font_manager.fontManager.ttflist):
        return True
    if not FONT_FILE.exists():
        return False
    font_manager.fontManager.addfont(str(FONT_FILE))
    return True


def cjk_family(family):
    """The CJK subset first, then ``family`` (a name or list, as Matplotlib takes it) as the fallback.

    First, because Matplotlib's glyph-by-glyph fallback does not reach the words around a
    formula: mathtext draws "读 $x_1$" with the first font of the list (the subset has Latin letters
    and digits too; a few symbols such as ⊙ come from the fallback).
    """
    register_font()
    family = [family] if isinstance(family, str) else list(family)
    return [FONT_FAMILY] + [f for f in family if f != FONT_FAMILY]


def _figure_texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def translate_figure(fig, language="zh_CN"):
    """Swap every text of ``fig`` that the catalogue knows for its translation, in place.

    Returns ``(texts, restore)``: the strings the figure now shows, and a function that puts
    the English back. Numbers, data and layout are untouched; tick labels made by a formatter
    from numbers are left alone. Tick labels given as strings are translated in the formatter
    that redraws them (``FixedFormatter``; Matplotlib 3.9+'s ``FuncFormatter`` over a dict, which
    ``set_xticks(ticks, labels)`` installs; ``StrCategoryFormatter`` of a categorical axis).
    """
    undo = []
    for t in _figure_texts(fig):
        old = t.get_text()
        new = translate_text(old, language)
        if new is not None:
            undo.append((t, old, t.get_fontfamily()))
            t.set_text(new)
            t.set_fontfamily(cjk_family(t.get_fontfamily()))
    formatters = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            undo_formatter = _translate_formatter(axis.get_major_formatter(), language)
            if undo_formatter is not None:
                formatters.append(undo_formatter)
                for label in axis.get_ticklabels():
                    undo.append((label, label.get_text(), label.get_fontfamily()))
                    label.set_fontfamily(cjk_family(label.get_fontfamily()))

    def restore():
        for t, old, family in reversed(undo):  # last change first: a tick label may be changed twice
            t.set_text(old)
            t.set_fontfamily(family)
        for undo_formatter in formatters:
            undo_formatter()

    return [t.get_text() for t in _figure_texts(fig)], restore


def _translate_formatter(formatter, language):
    """Translate the string labels a tick formatter holds, in place; returns the undo, or None."""
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    def swap(labels):
        new = {key: translate_text(label, language) or label for key, label in labels.items()}
        return None if new == labels else new

    if isinstance(formatter, FixedFormatter):
        old = list(formatter.seq)
        new = swap(dict(enumerate(old)))
        if new is None:
            return None
        formatter.seq = [new[i] for i in range(len(old))]
        return lambda: setattr(formatter, "seq", old)
    func = getattr(formatter, "func", None)
    if (isinstance(formatter, FuncFormatter) and isinstance(func, functools.partial) and func.args
            and isinstance(func.args[0], dict)):
        labels = func.args[0]  # Axis._format_with_dict's {tick position: label}
        old = dict(labels)
        new = swap({k: v for k, v in old.items() if isinstance(v, str)})
        if new is None:
            return None
        labels.update(new)
        return lambda: (labels.clear(), labels.update(old))
    if isinstance(formatter, StrCategoryFormatter):
        old = formatter._units  # {category: position}; the formatter prints the category
        new = swap({position: category for category, position in old.items()})
        if new is None:
            return None
        formatter._units = {category: position for position, category in new.items()}
        return lambda: setattr(formatter, "_units", old)
    return None


def figure_twin(fig, language="zh_CN", **savefig_kwargs):
    """The figure drawn in ``language``: ``{"image/png": base64 PNG, "text": [strings shown]}``.

    A diagram (it records how it was drawn) is drawn again in that language; any other figure
    has its text swapped (:func:`translate_figure`), is rendered, and gets its English back.
    """
    import matplotlib.pyplot as plt

    kwargs = {"format": "png", "bbox_inches": "tight", **savefig_kwargs}
    redraw = getattr(fig, "_lstmcourse_redraw", None)
    buf = io.BytesIO()
    if redraw is not None:
        twin = redraw(language=language)
        texts = [t.get_text() for t in _figure_texts(twin)]
        twin.savefig(buf, **kwargs)
        plt.close(twin)
    else:
        _, restore = translate_figure(fig, language)
        try:
            fig.savefig(buf, **kwargs)
            texts = [t.get_text() for t in _figure_texts(fig)]  # as drawn: formatters have run
        finally:
            restore()
    return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text": texts}


def install_figure_twins(language=None):
    """In IPython, store each shown figure's ``language`` twin in the output's metadata.

    ``language`` defaults to ``LSTMCOURSE_ALSO_DRAW`` (set by ``course.py execute``); without
    it, or outside IPython, nothing is installed. Returns True if installed.
    """
    language = language or os.environ.get(ALSO_DRAW_ENV)
    if not language:
        return False
    language = _normalize(language, ALSO_DRAW_ENV)
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    try:  # pyplot loads its backend lazily; the inline backend registers the PNG formatter on load
        plt._get_backend_mod()
    except AttributeError:  # pragma: no cover (an older Matplotlib)
        plt.switch_backend(plt.get_backend())

    png = shell.display_formatter.formatters["image/png"]
    try:
        original = png.lookup_by_type(Figure)
    except KeyError:  # no inline backend: figures are not shown as PNG here
        return False
    if getattr(original, "_lstmcourse_twin", False):
        return True

    def with_twin(fig):
        result = original(fig)
        data, metadata = result if isinstance(result, tuple) else (result, {})
        if data is None:
            return result
        metadata = dict(metadata or {})
        start = time.perf_counter()
        twin = figure_twin(fig, language)
        # the time spent drawing the twin, which a learner's run does not spend: `course.py execute`
        # subtracts it from the notebook's wall time
        twin["seconds"] = round(time.perf_counter() - start, 3)
        metadata[METADATA_KEY] = {language: twin}
        return data, metadata

    with_twin._lstmcourse_twin = True
    png.for_type(Figure, with_twin)
    return True

