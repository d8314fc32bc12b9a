"""Printed lines in the learner's language: one line translator for the build and for a live run.

The Chinese notebooks' stored outputs are translated by ``tools/i18n.py build`` line by line;
this module is that translator (:class:`OutputTranslator`, the build imports it from here), and
the stream wrapper that applies it while a learner runs a Chinese notebook:
``lstmcourse.i18n.set_language("zh_CN")`` (which ``setup_notebook(language="zh_CN")`` calls) puts a
:class:`TranslatingStream` around ``sys.stdout``, and ``set_language("en")`` takes it away. Each
complete line the notebook prints goes through the same translation as the build's, so a re-run
cell prints what the stored Chinese notebook shows.

A line is, in this order (docs/translation.md, "Printed outputs"): Keras's own log (kept), one of the
package's messages (``lstmcourse.po``, fields matched), a template of ``locale/zh_CN/outputs.po``
(numbers and 'quoted' strings as {0}, {1}, ... filled back byte for byte; a data line's msgstr is its
msgid), or kept. The live run reads the package's messages from the shipped ``.mo`` and the templates
from ``lstmcourse/locale/zh_CN/outputs.json``, both written by ``tools/i18n.py build`` from the same
catalogues. Standard library only (no Keras, no Babel).
"""
from __future__ import annotations

import functools
import json
import re
import string
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lstmcourse.i18n import LOCALE_DIR, english_words

#: The compiled templates of locale/zh_CN/outputs.po (usable translations only), per language.
TEMPLATES_FILE = "outputs.json"

# A number: an integer, a decimal, e-notation, a percentage, with its sign; not a digit of an identifier
# (h_60, x12, log2, t-1). Extra spaces before it (a right-aligned column) belong to it, one stays in the text.
_NUMBER = r"(?<![A-Za-z0-9_.])(?<![A-Za-z_]-)[-+−]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?%?"
# A 'quoted' string (a token, an input, a model's name; not an apostrophe), with the spaces that pad it.
_QUOTED = r"(?<![A-Za-z0-9_])'[^'\n]*'"
#: A quoted name: one capitalized word (the package translates the 16 languages' names), padding after.
_QUOTED_NAME = re.compile(r"'([A-Z][a-z]+)' *")
_VALUE = re.compile(rf"(?:(?<= ) +)?{_NUMBER}|{_QUOTED}(?: +(?= ))?")
#: Keras's own training log (`fit(verbose=2)`): third-party output, kept as printed.
KERAS_LOG = re.compile(r"(Epoch \d+/\d+|\d+/\d+ - .*)\n?")


def output_template(line: str) -> tuple[str, list[str]]:
    """A printed line cut into its template and its values (numbers, 'quoted' strings), in order:
    ``template.format(*values) == line``.

    >>> output_template("LSTM     : solved on 5/5 seeds, median epoch 7\\n")
    ('LSTM     : solved on {0}/{1} seeds, median epoch {2}\\n', ['5', '5', '7'])
    >>> output_template("unit  7: r = -0.922, ratio 0.51–0.62, h_60 {'a': 1.2e-05}")
    ('unit {0}: r = {1}, ratio {2}–{3}, h_60 {{{4}: {5}}}', [' 7', '-0.922', '0.51', '0.62', "'a'", '1.2e-05'])
    """
    parts, values, pos = [], [], 0
    for match in _VALUE.finditer(line):
        parts.append(line[pos:match.start()].replace("{", "{{").replace("}", "}}") + "{%d}" % len(values))
        values.append(match.group(0))
        pos = match.end()
    parts.append(line[pos:].replace("{", "{{").replace("}", "}}"))
    return "".join(parts), values


def _fields(message: str):
    """``message`` as a str.format pattern: [(literal, field name or None)], or None if it is not one
    (a formula such as "$x_{t-3}$", a positional or dotted field)."""
    try:
        parsed = list(string.Formatter().parse(message))
    except ValueError:
        return None
    if any(name is not None and not re.fullmatch(r"[A-Za-z_]\w*", name) for _, name, _, _ in parsed):
        return None
    return [(literal, name) for literal, name, _, _ in parsed]


def _fill(message: str, values: dict[str, str]) -> str:
    """``message``'s fields replaced by already formatted strings (their format specs are not applied again)."""
    return "".join(literal + (values[name] if name is not None else "") for literal, name in _fields(message))


def _quoted_out(text: str) -> str:
    """``text`` without its 'quoted' and "quoted" strings (data: tokens, inputs, a library's own warning)."""
    return re.sub(r'"[^"\n]*"?', " ", re.sub(_QUOTED, " ", text))


@dataclass
class OutputTranslator:
    """Translates the lines a notebook printed: first as one of the package's messages (lstmcourse.po,
    fields matched and themselves translated when they are messages), else by its template in outputs.po.

    ``package``: {msgid: msgstr} of the package catalogue; ``templates``: {template: msgstr} of outputs.po
    (usable translations only: neither empty nor fuzzy).
    """
    package: dict[str, str]
    templates: dict[str, str]
    _patterns: list = field(default_factory=list, repr=False)
    _reverse: list | None = field(default=None, repr=False)
    _plain_reverse: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for msgid, msgstr in self.package.items():
            parsed = _fields(msgid)
            if parsed is None or all(name is None for _, name in parsed) or _fields(msgstr) is None:
                continue
            literal = "".join(lit for lit, _ in parsed)
            if not re.search(r"[A-Za-z]{2,}", literal):
                continue  # "{name}: {message}" would match any line
            regex, seen = "", set()
            for lit, name in parsed:
                regex += re.escape(lit)
                if name is not None:
                    regex += f"(?P=f_{name})" if name in seen else f"(?P<f_{name}>.+?)"
                    seen.add(name)
            self._patterns.append((len(literal), re.compile(regex, re.S), [lit for lit, _ in parsed if lit],
                                   msgstr))
        self._patterns.sort(key=lambda p: -p[0])
        for msgid, msgstr in self.package.items():  # a field's Chinese word back to its msgid (first wins)
            if _CJK.search(msgstr) and _fields(msgid) and all(name is None for _, name in _fields(msgid)):
                self._plain_reverse.setdefault(msgstr, msgid)

    @classmethod
    def shipped(cls, language: str = "zh_CN") -> "OutputTranslator":
        """The translator of ``language`` from the files shipped in the package: the package's ``.mo``
        and ``locale/LANG/outputs.json`` (both written by ``tools/i18n.py build``)."""
        return _shipped(language)

    def package_message(self, text: str, depth: int = 0) -> str | None:
        """The translation of ``text`` if it is one of the package's messages (a pattern's fields filled
        in: each field a message translated too, or words-free text such as a number or an identifier)."""
        if text in self.package:
            return self.package[text]
        if depth > 3:
            return None
        for _, regex, literals, msgstr in self._patterns:
            if not all(lit in text for lit in literals):
                continue
            match = regex.fullmatch(text)
            if match is None:
                continue
            values = {}
            for key, value in match.groupdict().items():
                zh = self.package_message(value, depth + 1)
                if zh is None and english_words(_quoted_out(value)):
                    break  # a field with English words of its own: not this message
                values[key[2:]] = value if zh is None else zh
            else:
                return _fill(msgstr, values)
        return None

    def line(self, line: str) -> tuple[str, str]:
        """The translated line and how: "package", "template", "data" (kept: msgstr = msgid),
        "log" (Keras's own), "no words" (nothing to translate) or "untranslated"."""
        if KERAS_LOG.fullmatch(line):
            return line, "log"
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        zh = self.package_message(body) if body.strip() else None
        if zh is not None:
            return zh + end, "package"
        template, values = output_template(body)
        named = [self.quoted_name(value) for value in values]
        if not english_words(template):
            if named != values:  # {'Chinese': 54, ...}: only the names are words
                return template.format(*named) + end, "template"
            return line, "no words"
        msgstr = self.templates.get(template)
        if msgstr is None:
            return line, "untranslated"
        if msgstr == template:
            return line, "data"
        return msgstr.format(*named) + end, "template"

    def quoted_name(self, value: str) -> str:
        """A 'quoted' value that is a name the package translates (a language: 'Polish'), translated
        inside its quotes and padding; any other value as it is.

        >>> OutputTranslator({"Polish": "波兰语"}, {}).quoted_name("'Polish'  ")
        "'波兰语'  "
        """
        match = _QUOTED_NAME.fullmatch(value)
        if match is None or match.group(1) not in self.package:
            return value
        return "'" + self.package[match.group(1)] + "'" + value[match.end(1) + 1:]

    def live_line(self, line: str) -> str:
        """A line printed by a live run in Chinese, translated as the build translates its English line.

        In a Chinese run the package's own words are already Chinese (``spread``'s
        "0.93（0.78–0.94，5 个种子）" inside a line the notebook prints around it), so such a line matches
        no English template. It is turned back into English (:meth:`english`: each Chinese package
        message with its fields put back in its msgid; a padded column may be padded to the English
        width) and translated if one of those English lines has a translation; else it is :meth:`line`'s.
        """
        translated, how = self.line(line)
        if how not in ("untranslated", "no words") or not _CJK.search(line):
            return translated
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        for english in self.english(body):
            zh, how = self.line(english + end)
            if how in ("package", "template"):
                return zh
        return translated

    def english(self, text: str, limit: int = 64) -> list[str]:
        """The English lines ``text`` (a printed line with Chinese package messages in it) may stand for:
        each message replaced by its msgid, filled with its fields (a field: a message too, or text
        without Chinese), either as it is or keeping the width of the column it was padded to."""
        if self._reverse is None:
            self._reverse = _reverse_patterns(self.package)
        found = []
        for regex, msgid in self._reverse:
            for match in regex.finditer(text):
                values = {}
                for key, value in match.groupdict().items():
                    if _CJK.search(value):
                        value = self._plain_reverse.get(value)
                        if value is None:
                            break
                    values[key[2:]] = value
                else:
                    found.append((match.start(), match.end(), _fill(msgid, values)))
            if found:
                break  # the longest messages first; one kind per line (nested fields are filled above)
        if not found:
            return []
        candidates, pos = [""], 0
        for start, end, en in sorted(found):
            if start < pos:
                continue  # overlapping matches: the first one
            head, width = text[pos:start], end - start
            after = len(text[end:]) - len(text[end:].lstrip(" "))
            before = len(head) - len(head.rstrip(" "))
            # a column padded to a width (the English run padded its English text to the same width) first,
            # as it is last: the spaces before a number belong to it, so both may have a template
            options = []
            if after and len(en) < width + after:  # left-aligned
                options.append(head + en + " " * (width + after - len(en)) + "\0" * after)
            if before and len(en) < width + before:  # right-aligned
                options.append(head[:len(head) - before] + " " * (width + before - len(en)) + en)
            options.append(head + en)
            candidates = [c + o for c in candidates for o in options][:limit]
            pos = end
        # "\0" marks the spaces after a left-aligned field that its new padding already holds
        return [_drop_marked(c + text[pos:]) for c in candidates]

    def cell(self, cell: dict) -> dict:
        """Translate the stream outputs of a code cell in place, line by line; returns the cell."""
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
                new = "".join(self.line(line)[0] for line in text.splitlines(keepends=True))
                if new != text:
                    output["text"] = new.splitlines(keepends=True)
        return cell


def _drop_marked(text: str) -> str:
    """Each run of k "\\0" marks removes itself and the k characters (spaces) right after it."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\0":
            k = len(text[i:]) - len(text[i:].lstrip("\0"))
            i += 2 * k
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _reverse_patterns(package):
    """[(regex of a Chinese msgstr with fields, its msgid)], the longest literals first. A field at either
    end of the pattern is one run of text without spaces or Chinese punctuation (it cannot reach into the
    line around it); a field inside it is any text."""
    patterns = []
    for msgid, msgstr in package.items():
        parsed, parsed_id = _fields(msgstr), _fields(msgid)
        if parsed is None or parsed_id is None or not _CJK.search(msgstr):
            continue
        names = [name for _, name in parsed if name is not None]
        if not names or set(names) != {name for _, name in parsed_id if name is not None}:
            continue
        literal = "".join(lit for lit, _ in parsed)
        if len(_CJK.findall(literal)) < 2:
            continue
        regex, seen, pieces = "", set(), [(lit, name) for lit, name in parsed]
        for i, (lit, name) in enumerate(pieces):
            regex += re.escape(lit)
            if name is None:
                continue
            edge = (i == 0 and not lit) or (i == len(pieces) - 1 or all(not l and n is None for l, n in pieces[i + 1:]))
            group = r"[^\s（）：，；。]+" if edge else ".+?"
            regex += f"(?P=f_{name})" if name in seen else f"(?P<f_{name}>{group})"
            seen.add(name)
        patterns.append((len(literal), re.compile(regex), msgid))
    patterns.sort(key=lambda p: -p[0])
    return [(regex, msgid) for _, regex, msgid in patterns]


@functools.lru_cache(maxsize=None)
def _shipped(language):
    from lstmcourse import i18n

    catalog = getattr(i18n.translations(language), "_catalog", {})  # gettext's parsed .mo
    package = {k: v for k, v in catalog.items() if isinstance(k, str) and k and isinstance(v, str) and v}
    path = LOCALE_DIR / language / TEMPLATES_FILE
    templates = json.loads(path.read_text(encoding="utf-8"))["templates"] if path.exists() else {}
    return OutputTranslator(package, templates)


# ---------------------------------------------------------------------------------------
# The live run: sys.stdout wrapped while the language is Chinese
# ---------------------------------------------------------------------------------------

#: Control characters of a terminal or progress bar (Keras's progbar rewrites its line with \r and \b,
#: and colours it): such text is passed through as written, never translated.
_CONTROL = re.compile(r"[\r\b\x1b]")


class TranslatingStream:
    """A text stream that writes each complete line through ``translate`` to the stream it wraps.

    A partial line is kept until its newline, or until :meth:`flush` (then it is translated as the
    last line of a stored output is). Text with a carriage return, backspace or escape code (a
    progress bar) and anything that is not a ``str`` go through unchanged. It never raises for a
    translation: on any error the original text is written. Every other attribute (``isatty``,
    ``encoding``, ``fileno``, ipykernel's ``set_parent``...) is the wrapped stream's.
    """

    _lstmcourse_translating_stream = True  # looked up on the type: install() is idempotent across module copies

    def __init__(self, wrapped, translate):
        self.wrapped = wrapped
        self._translate = translate
        self._pending = ""
        self._lock = threading.RLock()

    def _emit(self, text):
        try:
            if _CONTROL.search(text):
                out = text
            else:
                out = self._translate(text)
                if not isinstance(out, str):
                    out = text
        except Exception:  # a translation must never break a learner's print()
            out = text
        self.wrapped.write(out)

    def write(self, text):
        if not isinstance(text, str):
            with self._lock:
                self._flush_pending()
            return self.wrapped.write(text)
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                cut = self._pending.rindex("\n") + 1
                complete, self._pending = self._pending[:cut], self._pending[cut:]
                for line in complete.splitlines(keepends=True):
                    self._emit(line)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def _flush_pending(self):
        if self._pending:
            text, self._pending = self._pending, ""
            self._emit(text)

    def flush(self):
        with self._lock:
            self._flush_pending()
        return self.wrapped.flush()

    def __getattr__(self, name):  # only for what this class does not define
        return getattr(self.wrapped, name)

    def __repr__(self):
        return f"<lstmcourse.printed.TranslatingStream around {self.wrapped!r}>"


def is_installed(stream=None) -> bool:
    """True if ``stream`` (default ``sys.stdout``) is a :class:`TranslatingStream`."""
    stream = sys.stdout if stream is None else stream
    return bool(getattr(type(stream), "_lstmcourse_translating_stream", False))


def install(language: str = "zh_CN") -> bool:
    """Wrap ``sys.stdout`` so printed lines come out in ``language`` (once: a second call changes nothing).
    Returns True if a wrapper was put in place now."""
    from lstmcourse.i18n import _normalize

    language = _normalize(language)
    if is_installed():
        return False
    if sys.stdout is None:  # pythonw, a closed stream: nothing to wrap
        return False
    # the translator is read on the first line (cached): an error there writes the line as it is
    sys.stdout = TranslatingStream(sys.stdout, lambda line: OutputTranslator.shipped(language).live_line(line))
    return True


def uninstall() -> bool:
    """Put back the stream the wrapper wrapped (its partial line written first). True if one was removed."""
    if not is_installed():
        return False
    wrapper = sys.stdout
    try:
        wrapper.flush()
    except Exception:  # the wrapped stream may be closed; it is put back all the same
        pass
    sys.stdout = wrapper.wrapped
    return True


def sync(language: str) -> None:
    """Wrap ``sys.stdout`` for a language that has printed-line translations, unwrap it for English."""
    if language == "en":
        uninstall()
    else:
        install(language)
