"""Printed lines in Chinese when a learner runs a Chinese notebook (lstmcourse/printed.py, issue 25)."""
import contextlib
import io
import json
import re
import sys

import pytest

from lstmcourse import i18n, printed

# the build's side (tools/i18n.py) needs Babel, repository tooling that Colab's environment lacks (as
# tests/test_translations.py, which stage 1 runs in the course environment)
pytest.importorskip("babel", reason="tools/i18n.py needs Babel (the course environment has it)")
from tests.test_translations import ROOT, i18n as tools_i18n  # noqa: E402

SHIPPED = ROOT / tools_i18n.OUTPUTS_JSON


class Stream(io.StringIO):
    """A terminal-like stream: its own isatty, encoding, fileno and an extra attribute (ipykernel's kind)."""
    encoding = "utf-8"
    session = "kernel session"

    def isatty(self):
        return True

    def fileno(self):
        return 7

    def set_parent(self, parent):
        self.parent = parent


@contextlib.contextmanager
def stdout_is(stream):
    """sys.stdout is ``stream`` in the block (inside the test itself: pytest's capture puts its own stream
    back between a fixture and the test), English again after it."""
    with contextlib.redirect_stdout(stream):
        try:
            yield stream
        finally:
            i18n.set_language("en")


def stored_pairs():
    """(lesson, English line, the built Chinese notebook's line) for every stream line of the 12 lessons."""
    for notebook in tools_i18n.lessons(ROOT):
        en = json.loads(notebook.read_text(encoding="utf-8"))
        zh = json.loads(tools_i18n.zh_path(notebook, ROOT).read_text(encoding="utf-8"))
        for en_cell, zh_cell in zip(en["cells"], zh["cells"]):
            for en_out, zh_out in zip(en_cell.get("outputs", []), zh_cell.get("outputs", [])):
                if en_out.get("output_type") == "stream":
                    en_lines = "".join(en_out["text"]).splitlines(keepends=True)
                    zh_lines = "".join(zh_out["text"]).splitlines(keepends=True)
                    assert len(en_lines) == len(zh_lines), notebook.name
                    yield from ((notebook.name, a, b) for a, b in zip(en_lines, zh_lines))


def stored_line(template):
    """The first stored English line with this outputs.po template, and its built Chinese line."""
    for _, en, zh in stored_pairs():
        if tools_i18n.output_template(en.rstrip("\n"))[0] == template:
            return en, zh
    raise AssertionError(f"no stored line has the template {template!r}")


#: Three real templates of outputs.po: numbers moved into a translation, numbers and a formula, a data line.
TEMPLATES = ["validation accuracy: {0}  (a memoryless model: {1})",
             "rho = {0}: |h_60| without tanh = {1}, with tanh = {2}",
             "x_seq ({0}, {1}, {2}) -> hs ({3}, {4}, {5})"]


def test_three_real_templates_print_as_the_stored_chinese_lines():
    with stdout_is(Stream()) as stream:
        templates = json.loads(SHIPPED.read_text(encoding="utf-8"))["templates"]
        assert templates[TEMPLATES[2]] == TEMPLATES[2]  # a data line: msgstr = msgid
        assert all(templates[t] != t for t in TEMPLATES[:2])
        pairs = [stored_line(t) for t in TEMPLATES]
        assert pairs[0][0] != pairs[0][1] and pairs[2][0] == pairs[2][1]
        i18n.set_language("zh_CN")
        for en, _ in pairs:
            print(en, end="")
        i18n.set_language("en")
        assert stream.getvalue() == "".join(zh for _, zh in pairs)


def test_partial_writes_wait_for_the_newline_or_a_flush():
    with stdout_is(Stream()) as stream:
        en, zh = stored_line(TEMPLATES[0])
        i18n.set_language("zh_CN")
        cut = len(en) // 3
        sys.stdout.write(en[:cut])
        sys.stdout.write(en[cut:2 * cut])
        assert stream.getvalue() == ""  # kept until its newline
        sys.stdout.write(en[2 * cut:] + en[:cut])
        assert stream.getvalue() == zh
        sys.stdout.flush()  # a partial line goes out on flush, translated as a last line without newline
        assert stream.getvalue() == zh + en[:cut]
        sys.stdout.writelines([en, en])
        assert stream.getvalue() == zh + en[:cut] + zh + zh


def test_english_is_byte_identical_and_set_language_en_restores_the_stream():
    with stdout_is(Stream()) as stream:
        en, _ = stored_line(TEMPLATES[0])
        i18n.set_language("en")
        assert sys.stdout is stream
        print(en, end="")
        assert stream.getvalue() == en
        i18n.set_language("zh_CN")
        i18n.set_language("zh_CN")  # setup run twice: one wrapper
        assert printed.is_installed() and sys.stdout.wrapped is stream
        sys.stdout.write("unfinished")
        i18n.set_language("en")
        assert sys.stdout is stream and stream.getvalue() == en + "unfinished"  # its partial line written first
        with i18n.using("zh_CN"):  # a temporary language (figure twins, doctests) leaves the stream alone
            assert sys.stdout is stream


def test_the_wrapper_delegates_passes_non_text_and_progress_bars_and_never_raises():
    with stdout_is(Stream()) as stream:
        i18n.set_language("zh_CN")
        wrapper = sys.stdout
        assert (wrapper.isatty(), wrapper.encoding, wrapper.fileno(), wrapper.session) == (True, "utf-8", 7, "kernel session")
        wrapper.set_parent({"msg_id": 1})
        assert stream.parent == {"msg_id": 1}
        en, _ = stored_line(TEMPLATES[0])
        bar = "\r" + en.rstrip("\n")  # a progress bar rewriting its line: written as it is, even if it is a template
        wrapper.write(bar)
        wrapper.flush()
        assert stream.getvalue() == bar
        recorded = []

        class Raw:
            def write(self, data):
                recorded.append(data)
                return len(data)

        raw = printed.TranslatingStream(Raw(), lambda line: line.upper())
        assert raw.write(b"bytes") == 5 and recorded == [b"bytes"]  # anything not str goes through
        broken = printed.TranslatingStream(Raw(), lambda line: 1 / 0)
        assert broken.write("a line\n") == len("a line\n") and recorded[-1] == "a line\n"  # the original text


def test_install_rejects_an_unknown_language():
    with pytest.raises(ValueError, match=r"Received: language='fr'"):
        printed.install("fr")


def test_live_translation_equals_the_build_on_every_stored_line_of_the_12_lessons():
    live = printed.OutputTranslator.shipped("zh_CN")
    lessons = {name for name, _, _ in stored_pairs()}
    assert len(lessons) == 12
    lines = translated = 0
    for name, en, zh in stored_pairs():
        lines += 1
        translated += en != zh
        assert live.line(en)[0] == zh, f"{name}: {en!r}"
    assert translated > lines // 2  # most lines are prose, not data


def test_the_shipped_templates_are_current_and_packaged():
    import tomllib

    assert SHIPPED.read_bytes() == tools_i18n.compiled_outputs(ROOT), "stale: python3 course.py i18n build"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "locale/*/outputs.json" in pyproject["tool"]["setuptools"]["package-data"]["lstmcourse"]
    assert tools_i18n.OutputTranslator.__mro__[1] is printed.OutputTranslator  # one implementation


#: The package's spread() pattern, as an English run prints it (its fields: values without spaces).
SPREAD = "{median} ({low}–{high}, {n} seeds)"
_SPREAD_LINE = re.compile(r"(?P<median>[^\s(]+) \((?P<low>\S+?)–(?P<high>\S+?), (?P<n>\d+) seeds\)")
#: Lessons whose spreads sit in columns padded to a width (f"{spread:33s}", ":>25s", ":>28s").
PADDED_COLUMNS = {"05_stacked_rnns.ipynb", "10_generating_sequences.ipynb", "11_encoder_decoder_attention.ipynb"}


def test_a_line_with_the_packages_chinese_words_in_it_is_translated_like_the_build():
    """In a Chinese run spread() is already Chinese inside the notebook's line: the live translator puts it
    back into English and translates the line, giving the stored Chinese line (in a padded column, the
    same up to the number of spaces: the Chinese run pads its own shorter text)."""
    live = printed.OutputTranslator.shipped("zh_CN")
    with i18n.using("zh_CN"):
        chinese = i18n.gettext(SPREAD)
    assert chinese != SPREAD
    lines = exact = 0
    for name, en, zh in stored_pairs():
        if not _SPREAD_LINE.search(en):
            continue
        run = _SPREAD_LINE.sub(lambda m: chinese.format(**m.groupdict()), en)  # what print() gets in Chinese
        assert run != en
        got = live.live_line(run)
        lines += 1
        exact += got == zh
        if name not in PADDED_COLUMNS:
            assert got == zh, f"{name}: {run!r}"
        assert re.sub(" +", " ", got) == re.sub(" +", " ", zh), f"{name}: {run!r}"
    assert lines >= 60 and exact >= lines // 2


def test_quoted_language_names_are_translated_and_other_quoted_values_kept():
    live = printed.OutputTranslator.shipped("zh_CN")
    assert live.line("{'Chinese': 54, 'Polish': 2662}\n") == ("{'汉语': 54, '波兰语': 2662}\n", "template")
    assert live.line("['Irish', 'Polish']\n")[0] == "['爱尔兰语', '波兰语']\n"
    assert live.line("['x', 'Zzz']\n") == ("['x', 'Zzz']\n", "no words"), "not a package message: data"
    assert live.quoted_name("'Polish'   ") == "'波兰语'   " and live.quoted_name("'the'") == "'the'"
