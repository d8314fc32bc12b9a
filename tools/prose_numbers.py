"""Every number a lesson's prose states must be the notebook's own (issue 21, item 3).

    python tools/prose_numbers.py [NOTEBOOK.ipynb ...]        # English lessons (default: all)
    python tools/prose_numbers.py --report FILE [NOTEBOOK ...] # also write a long report

Exit status 1 when a number is unmatched or a Chinese paragraph carries other numbers.
Only the standard library and nbformat are used.

Sections
--------
A lesson is cut into sections at its level-1 and level-2 headings (`#`, `##`; a `###`
subsection stays in its section). A heading in the middle of a markdown cell starts the new
section there: the paragraphs above it belong to the section before. A section's *pool* is
the numbers printed by its code cells (stream text, text/plain, errors; ANSI colours
removed) and the numeric literals of its code (strings and comments included). The
introduction (before the first `##`) and a section without a code cell of its own (the
take-aways, the exercises) summarise the lesson, so their pool is the whole lesson's.

What is a number
----------------
Digits, after this normalisation: full-width digits and `％`, the Unicode minus `−`,
thousands separators (`128,017`, `2,000` = 128017, 2000: groups of exactly three digits),
`×`/`\\times`/`·` before a power of ten (`5.7×10^4`, `$5.7\\times10^{4}$`, `5.7·10⁴`),
e-notation (`1.1e5`, `1.1e+05`), a bare power of ten (`$10^{-10}$`), a percentage
(`93 %`, `93%`), a fraction `3/5` or `4 of 5` (also `4 of the 5`), a range `0.86–1.00`
(each end is a number of its own; a `%` after the second end applies to both: `14–21%`).
A run of three or more digit groups joined by `.`, `-` or `/` (a date `23.08.1944`,
`1974-06-23`, a version `3.11.7`) is one token, matched as written.
Words are not numbers ("two", "ten thousand").

LaTeX is read as text after these steps: `\\frac{a}{b}` -> a/b, `\\sqrt{a}` -> √a, `\\approx`
-> ≈, `\\times` -> ×, `\\cdot` -> ·, `\\%` -> %, `\\text{..}` -> its text, other commands lose
their backslash; then every subscript and superscript is dropped (`h_{t-1}`, `x_{t-3}`,
`\\rho^{T-t}`, `1.2^{60}`: the exponent is notation, not a claim), except a power of ten.

Exempt (not claims, no marker needed)
-------------------------------------
1. Headings, and list enumerators (`1.` at the start of an item).
2. References: a number after lesson(s), section(s), lab(s), exercise(s), figure(s), cell(s),
   chapter(s), item(s) or §, with its companions ("lessons 03 and 04", "lessons 01–02",
   "lesson 12, §4").
3. A year (1900–2099) right after a name or "et al." (`Le, Jaitly & Hinton, 2015`,
   `Chung et al. (2014)`).
4. Formula bookkeeping: an integer tied by `+`/`-` to a one-letter variable (`T − 1`,
   `1 - h`, `u + 1`), a coefficient written against a letter (`2ε`, `3u`, `3·units`,
   `4(u₀...`), a dimension (`2-D`, `3-D`), and everything in sub- and superscripts.
5. Links' URLs, images, HTML tags and comments, fenced code blocks. Numbers in inline code
   (`` `Dense(1)` ``) are checked against the code of the section only.
6. A sentence that names its source, `(Author, Year)` or `Author et al. (Year)`: its
   numbers report that source (a literature value), e.g. "searched over ten thousand
   architectures ... (2015)".

The marker
----------
A number followed directly by `†` ("always answering 1.0† gives ...", "`rate` 0.25†") is
declared where it stands as set by hand or a known constant, not measured by the notebook.
The glyph is visible, reads as a footnote sign, survives translation, and should be
explained once in the lesson ("† set in the code or a known constant, not measured").
No marker is needed for a number that appears in the section's code.

Matching (a stated number against one number of the pool)
---------------------------------------------------------
* Precision as written: a number with d decimals matches a printed value v when v rounds to
  it (|v - x| <= half a unit of the last written digit; "0.93" matches 0.93, 0.931, 0.9349,
  0.925; an integer matches 3 or 3.4), and the printed value carries at least that precision
  ("0.930" does not match a printed 0.93; "1.1e5" matches 1.1e+05, "110000" does not).
  A scientific number written with k significant digits is compared at k significant
  digits ("5.7×10^4" needs 5.65e4 <= v < 5.75e4). A bare power of ten `10^k` matches a value
  whose order of magnitude, round(log10|v|), is k.
* Percent: "p %" matches a printed percentage p, or a printed fraction v with 100·v at the
  precision written ("93 %" matches 0.93 and 0.931 and 93.1%; "22.9 %" matches 0.2290).
  A percentage also matches 100 times a number stated in its sentence ("[0.7, 0.3]: 70 %"),
  and the relative difference or the ratio of two numbers of its sentence that the section
  prints ("3456 against 4480, 22.9 % fewer"; "3 blocks to 4, 25 % fewer parameters" is not
  confirmed by the blocks, which are not what the percentage is about).
* Fractions: "a/b" and "a of b" match the same pair printed ("3/5", "3 of 5"), or a printed
  decimal with at least 2 decimals (or a percentage) that is a/b at its printed precision
  ("1/6" matches 0.167).
* Arithmetic shown in the text checks itself: in `A^B ≈ C`, `A/B = C`, `√A = C`,
  `A × B ≈ C`, C is accepted when the arithmetic, rounded to C's precision, gives C (so
  "1.2^60 ≈ 5.7×10^4" fails: 1.2^60 = 5.6×10^4). A, B are checked as usual (exponents exempt).
* Dates and versions: as written, in an output or in the code.

The Chinese edition
-------------------
notebooks/zh-CN/NN_*.ipynb is the English notebook with its markdown translated, cell for
cell. Each markdown cell is cut into paragraphs at blank lines (fenced code and `$$` blocks
kept whole); the notes that tools/i18n.py adds (`> 📖 ...` terminology, `> **翻译待更新...`)
are dropped. Paragraph i of the Chinese cell must carry the same multiset of numbers as
paragraph i of the English cell. Here *every* number token counts (no exemptions, inline
code included, URLs not), compared by value: full-width digits and `％`, `万` (10^4) and `亿`
(10^8) after a number, thousands separators and `×10^k` are normalised, so `2,000`, `2000`
and `0.2 万` are one number. Chinese number words (五, 两) are words, as in English.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
MARKER = "†"

# ---------------------------------------------------------------------------------------
# Normalisation and tokens
# ---------------------------------------------------------------------------------------

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({ord("％"): "%", ord("．"): ".", ord("−"): "-", ord("–"): "–", ord("－"): "-",
                   0x00A0: " ", 0x2009: " ", 0x202F: " ", 0x2212: "-", ord("＋"): "+"})
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# one number: sign, digits (with thousands groups), decimals, optional power of ten
_MANTISSA = r"(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?"
NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?<![\d,])"                    # not inside an identifier or a number
    r"(?P<sign>[-+])?"
    r"(?P<mant>" + _MANTISSA + r")"
    r"(?:\s*(?:×|·|\*)\s*10\^(?P<exp1>[-+]?\d+)"      # 5.7×10^4
    r"|[eE](?P<exp2>[-+]?\d+)"                        # 1.1e+05
    r"|(?P<pow>\^)(?P<exp3>[-+]?\d+))?"               # 10^-10 (a bare power; or A^B)
    r"(?P<pct>\s?%)?")
MULTIPART = re.compile(r"(?<![A-Za-z0-9_.])\d+([./-])\d+\1\d+(?:\1\d+)*(?![A-Za-z0-9_])")  # dates, versions


@dataclass
class Num:
    """A number as written: its value, the half-width of its rounding, and how it was written."""
    text: str
    value: float
    quantum: float          # one unit of the last written digit (for 10^k: an order of magnitude)
    percent: bool = False
    power10: bool = False   # a bare 10^k
    sig: int | None = None  # significant digits, for scientific forms
    start: int = 0
    end: int = 0
    verbatim: bool = False  # a date or version, matched as written

    def matches(self, other: "Num") -> bool:
        """Whether `other` (a printed or coded number) confirms `self` (a stated number)."""
        if self.verbatim or other.verbatim:
            return self.verbatim and other.verbatim and self.text == other.text
        x = self.value
        candidates = [(other.value, other.quantum)]
        if self.percent and not other.percent:
            candidates = [(other.value * 100, other.quantum * 100)]
        elif other.percent and not self.percent:
            candidates = [(other.value / 100, other.quantum / 100)]
        for v, q in candidates:
            if self.power10:
                if v != 0 and round(math.log10(abs(v))) == round(math.log10(abs(x))):
                    return True
                continue
            if q > self.quantum * (1 + 1e-9):
                continue
            if abs(v - x) <= self.quantum / 2 * (1 + 1e-9) + 1e-12 * max(1.0, abs(x)):
                return True
        return False


def normalise(text: str) -> str:
    """Full-width digits and signs, the Unicode minus, odd spaces, superscript powers of ten.

    >>> normalise("５.7×10⁴ −3 ％")
    '5.7×10^4 -3 %'
    """
    text = text.translate(_FULLWIDTH)
    text = re.sub(r"10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPT), text)
    return text


def _quantum(mant: str) -> float:
    return 10.0 ** -len(mant.split(".")[1]) if "." in mant else 1.0


def numbers_in(text: str) -> list[Num]:
    """Every number token of `text` (already normalised), left to right.

    >>> [(n.text, n.value, n.quantum) for n in numbers_in("0.93, 1.1e+05 and 22.9 % of 128,017")]
    [('0.93', 0.93, 0.01), ('1.1e+05', 110000.0, 10000.0), ('22.9 %', 22.9, 0.1), ('128,017', 128017.0, 1.0)]
    >>> [(n.text, n.percent) for n in numbers_in("14–21% and 0.86–1.00")]
    [('14', True), ('21%', True), ('0.86', False), ('1.00', False)]
    >>> [(n.text, n.power10) for n in numbers_in("about 10^-10, and 5.7×10^4")]
    [('10^-10', True), ('5.7×10^4', False)]
    >>> [n.text for n in numbers_in("born 23.08.1944, Python 3.11.7, h_0, lab01")]
    ['23.08.1944', '3.11.7']
    """
    out, taken = [], []
    for m in MULTIPART.finditer(text):
        out.append(Num(m.group(0), math.nan, math.nan, start=m.start(), end=m.end(), verbatim=True))
        taken.append((m.start(), m.end()))
    for m in NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        mant = m.group("mant")
        plain = mant.replace(",", "")
        value = float(plain)
        quantum = _quantum(plain)
        sig, power10 = None, False
        exp = m.group("exp1") or m.group("exp2")
        if m.group("exp3") is not None:
            if plain == "10":
                power10, exp = True, m.group("exp3")
            else:  # A^B: the base is the number; the exponent is notation (kept for arithmetic)
                pass
        if exp is not None:
            digits = plain.replace(".", "").lstrip("0") or "0"
            sig = len(digits)
            if power10:
                value, quantum = 10.0 ** int(exp), 10.0 ** int(exp)
            else:
                value = float(f"{plain}e{int(exp)}")
                quantum = float(f"1e{int(exp) - (len(plain.split('.')[1]) if '.' in plain else 0)}")
        if m.group("sign") == "-":
            value = -value
        if m.group("sign") and m.start() > 0 and re.match(r"[A-Za-z0-9)\]]", text[m.start() - 1]):
            # "3-4", "0.5+x": the sign is an operator or a range dash, not part of the number
            value = abs(value)
        end = m.end() if m.group("exp3") is None or power10 else m.start("pow")
        if m.group("exp3") is not None and not power10:
            end = m.start("pow")
        out.append(Num(text[m.start():end].strip(), value, quantum, percent=bool(m.group("pct")) and end == m.end(),
                       power10=power10, sig=sig, start=m.start(), end=end))
    out.sort(key=lambda n: n.start)
    for first, second in zip(out, out[1:]):  # "14–21%": the sign applies to both ends of a range
        if second.percent and not first.percent and re.fullmatch(r"\s*[–-]\s*", text[first.end:second.start]):
            first.percent = True
    return out


def values(text: str) -> list[Num]:
    """Numbers of an output or of code: every token, also the ends of a range."""
    return numbers_in(normalise(ANSI.sub("", text)))


FRACTION = re.compile(r"(?<![A-Za-z0-9_./])(\d+)\s*(?:/|\bof\s+(?:the\s+)?)(\d+)(?![A-Za-z0-9_/]|\.\d)")


def fractions_in(text: str) -> list[tuple[int, int]]:
    """Pairs a/b written as `a/b` or `a of b` (`learned on 3/5 seeds`, `3 of 5`)."""
    return [(int(a), int(b)) for a, b in FRACTION.findall(text)]


# ---------------------------------------------------------------------------------------
# Markdown to checkable text
# ---------------------------------------------------------------------------------------

_LATEX_SYMBOLS = {"approx": "≈", "times": "×", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
                  "lt": "<", "gt": ">", "pm": "±", "%": "%", ",": " ", ";": " ", "!": "", " ": " ",
                  "quad": " ", "qquad": " ", "dots": "…", "ldots": "…", "cdots": "…", "to": "→",
                  "mapsto": "↦", "in": "∈", "sim": "~", "neq": "≠", "infty": "∞", "mid": "|", "lVert": "‖",
                  "rVert": "‖", "|": "‖", "left": "", "right": "", "big": "", "Big": "", "bigg": "", "Bigg": ""}


def latex_to_text(math_src: str) -> str:
    """A formula as plain text: sub/superscripts dropped except powers of ten; operators as symbols.

    >>> latex_to_text(r"1.2^{60} \\approx 5.7\\times10^4")
    '1.2^60 ≈ 5.7×10^4'
    >>> latex_to_text(r"h_t = \\tanh(0.5\\,h_{t-1} + x_t)")
    'h = tanh(0.5 h + x)'
    >>> latex_to_text(r"\\frac{1}{6} \\approx 0.167, \\sqrt{16} = 4, 10^{-7}")
    '(1)/(6) ≈ 0.167, √16 = 4, 10^-7'
    """
    s = math_src
    s = re.sub(r"\\(?:text|mathrm|operatorname|mathbf|mathit|textbf|boldsymbol|mathcal)\s*\{([^{}]*)\}", r"\1", s)
    for _ in range(3):
        s = re.sub(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", s)
        s = re.sub(r"\\sqrt\s*\{([^{}]*)\}", r"√\1", s)
    # powers: keep 10^k and a numeric base's numeric exponent (for the arithmetic check)
    s = re.sub(r"(?<![\d._])(\d+(?:\.\d+)?)\s*\^\s*\{?\s*([-+−]?\s*\d+)\s*\}?",
               lambda m: f"{m.group(1)}^{m.group(2).replace(' ', '').replace('−', '-')}", s)
    s = re.sub(r"\\([A-Za-z]+|[%,;! |])",
               lambda m: _LATEX_SYMBOLS.get(m.group(1), m.group(1) if m.group(1).isalpha() else " "), s)
    # drop remaining sub- and superscripts (nested braces, up to 3 levels)
    brace = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"
    s = re.sub(r"(?<!\d)(?<!\d\s)[_^]\s*(?:" + brace + r"|\\?[A-Za-z]+|[^\s{}])", "", s)
    s = re.sub(r"[_^]\s*(?:" + brace + r"|[A-Za-z]|[^\s{}\d-])", "", s)
    s = s.replace("{", "").replace("}", "")
    s = re.sub(r"[ \t]+", " ", s)
    return s.strip()


@dataclass
class Paragraph:
    cell: int            # index of the markdown cell in the notebook
    index: int           # paragraph number inside the cell
    source: str          # the markdown of the paragraph
    heading: int = 0     # 1 or 2 for a section heading, 3+ for a subsection, 0 otherwise


def paragraphs(source: str, cell: int = 0) -> list[Paragraph]:
    """A markdown cell cut at blank lines; fenced code and $$ blocks stay whole; a heading line
    is a paragraph of its own.

    >>> [(p.source, p.heading) for p in paragraphs("Text\\n## 2. Title\\n\\n$$\\na\\n\\nb\\n$$\\nmore")]
    [('Text', 0), ('## 2. Title', 2), ('$$\\na\\n\\nb\\n$$\\nmore', 0)]
    """
    out, buf, fence, math_block = [], [], None, False

    def flush():
        if buf and any(line.strip() for line in buf):
            out.append("\n".join(buf).strip("\n"))
        buf.clear()

    for line in source.splitlines():
        stripped = line.strip()
        if fence:
            buf.append(line)
            if stripped.startswith(fence):
                fence = None
            continue
        if math_block:
            buf.append(line)
            if stripped.endswith("$$") and stripped != "$$" or stripped == "$$":
                math_block = False
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fence = stripped[:3]
            buf.append(line)
            continue
        if stripped.startswith("$$") and not (stripped.endswith("$$") and len(stripped) > 2):
            math_block = True
            buf.append(line)
            continue
        if re.match(r"#{1,6}\s", stripped):
            flush()
            buf.append(line)
            flush()
            continue
        if not stripped:
            flush()
            continue
        buf.append(line)
    flush()
    result = []
    for i, text in enumerate(out):
        m = re.match(r"(#{1,6})\s", text)
        result.append(Paragraph(cell, i, text, len(m.group(1)) if m else 0))
    return result


NOTE_PREFIXES = ("> 📖", "> **翻译待更新")


def plain_text(md: str) -> tuple[str, list[str]]:
    """Markdown prose as checkable text, and the contents of its inline code spans.

    >>> plain_text("See [lesson 02](02_x.ipynb#sec-3), `Dense(1)` and $x_{t-3} = 0.5$. <!-- 7 -->")
    ('See lesson 02, ␣ and x = 0.5.', ['Dense(1)'])
    """
    s = re.sub(r"<!--.*?-->", " ", md, flags=re.S)
    s = re.sub(r"(?ms)^\s*(```|~~~).*?^\s*\1[^\n]*$", " ", s)
    code = []

    def keep_code(m):
        code.append(m.group(2))
        return "␣"
    s = re.sub(r"(`+)(.+?)\1", keep_code, s, flags=re.S)
    s = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", s)                    # images
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)                 # links: keep the text
    s = re.sub(r"<https?://[^>]*>|https?://\S+", " ", s)
    s = re.sub(r"</?[A-Za-z][^>]*>", " ", s)                        # HTML tags
    s = re.sub(r"\$\$(.+?)\$\$", lambda m: " " + latex_to_text(m.group(1)) + " ", s, flags=re.S)
    s = re.sub(r"(?<![\\$])\$([^$]+?)\$", lambda m: latex_to_text(m.group(1)), s, flags=re.S)
    s = re.sub(r"(?m)^\s*>\s?", "", s)                              # block quotes
    s = re.sub(r"(?m)^\s*(?:\d+[.)]|[-*+])\s+", "\n\n", s)        # list items: enumerators and bullets go
    s = re.sub(r"(?m)^\s*\|?\s*:?-{3,}.*$", " ", s)                 # table rules
    s = re.sub(r"(?m)^\s*\|", "\n\n|", s)                           # a table row is a sentence
    s = s.replace("**", "").replace("*", "").replace("|", " ")
    s = normalise(s)
    s = re.sub(r"[ \t]+", " ", s)
    return s.strip(), code


# ---------------------------------------------------------------------------------------
# Claims: the numbers of a paragraph that need checking
# ---------------------------------------------------------------------------------------

REFERENCE = re.compile(r"(?:\b(?:lessons?|sections?|labs?|exercises?|figures?|cells?|chapters?|items?|"
                       r"issues?|steps? \d+ of lesson)\s+|§\s*)\d+(?:\s*(?:,|and|or|–|-|to|&)\s*§?\s*\d+)*", re.I)
YEAR = re.compile(r"(?:[A-Z][A-Za-z\-]+,\s*|al\.,?\s*\(?|[A-Z][A-Za-z\-]+\s*\(|[A-Z][A-Za-z\-]+\s+(?=(?:19|20)\d\d[a-z]?[;,)]))"
                  r"(?:19|20)\d\d\b")
CITATION = re.compile(r"\((?:[^()]*?[A-Z][A-Za-z\-]+[^()]*?,?\s+|)(?:19|20)\d\d[a-z]?[;,)]|"
                      r"[A-Z][A-Za-z\-]+(?: et al\.,?| & [A-Z][A-Za-z\-]+,?|,)\s*\(?(?:19|20)\d\d\b")
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z(\"“*␣])|\n\s*\n|(?<=\))\s+(?=[A-Z])")
INTERVAL = re.compile(r"[(\[]\s*(?:-1|0)(?:\.0+)?\s*,\s*1(?:\.0+)?\s*[)\]]")  # (-1, 1), (0, 1], [0, 1)
ENUMERATION = re.compile(r"(?<![\d.])\d+(?:[ \t,]+\d+){2,}(?:[ \t,]*…[ \t,]*\d+)?(?![\d.])")
_FUNCTIONS = {"ln": math.log, "log": math.log, "log2": math.log2, "exp": math.exp, "tanh": math.tanh,
              "sqrt": math.sqrt, "sigma": lambda x: 1 / (1 + math.exp(-x))}
_EXPRESSION = re.compile(r"(?:[\d.()*/+\- ]|ln|log2|log|exp|tanh|sqrt|sigma)+")


@dataclass
class Claim:
    num: Num
    sentence: str
    kind: str = "prose"          # "prose", "fraction" (a/b or a of b), "code" (inside inline code)
    pair: tuple[int, int] | None = None
    derived: bool = False        # confirmed by the arithmetic written before it
    exempt: str = ""             # the rule that makes it no claim, when one does


def _evaluate(expr: str) -> float | None:
    """The value of a little arithmetic as prose writes it, or None.

    >>> [round(_evaluate(e), 4) for e in ("1.2^60", "(1)/(6)", "√16", "1/ln 2", "sigma(1)", "0.73^29")]
    [56347.5144, 0.1667, 4.0, 1.4427, 0.7311, 0.0001]
    """
    e = expr.replace("×", "*").replace("·", "*").replace("^", "**").replace("σ", "sigma")
    e = re.sub(r"√\s*(\(?[\d.]+\)?)", r"sqrt(\1)", e)
    e = re.sub(r"\b(ln|log2|log|exp|tanh|sigma|sqrt)\s+([\d.]+)", r"\1(\2)", e)
    if not re.search(r"[*/+\-]|\b(?:ln|log2|log|exp|tanh|sigma|sqrt)\(", e) or not _EXPRESSION.fullmatch(e):
        return None
    try:
        value = eval(e, {"__builtins__": {}}, dict(_FUNCTIONS))  # noqa: S307 (digits, operators, _FUNCTIONS)
        return float(value)
    except Exception:  # noqa: BLE001
        return None


def _derived(sentence: str) -> set[int]:
    """Start offsets of numbers that the arithmetic written before them (`A^B ≈ C`) confirms."""
    out = set()
    for m in re.finditer(r"\s*(?:≈|=)\s*", sentence):
        result = [n for n in numbers_in(sentence[m.end():m.end() + 40]) if n.start == 0]
        if not result:
            continue
        left = sentence[max(0, m.start() - 40):m.start()]
        for i in range(len(left)):
            if i and (left[i - 1].isalnum() or left[i - 1] in ".^"):
                continue
            value = _evaluate(left[i:].replace(MARKER, "").strip())
            if value is not None:
                if result[0].matches(Num("", value, 0.0)):
                    out.add(m.end())
                break
    return out


def sentences(text: str) -> list[str]:
    parts = SENTENCE_END.split(text)
    return [re.sub(r"\s+", " ", p).strip() for p in parts if p and p.strip()]


def _exemption(n: Num, sentence: str, spans: dict[str, list[tuple[int, int]]]) -> str:
    before, after = sentence[:n.start], sentence[n.end:]
    for rule, ranges in spans.items():
        if any(a <= n.start < b for a, b in ranges):
            return rule
    if after.startswith(MARKER):
        return "marker"
    if re.match(r"-[Dd]\b", after):
        return "dimension"
    letter = r"[A-Za-zα-ωΑ-Ω]"
    if "." not in n.text and not n.percent and (
            re.match(r"\s*[-+–]\s*" + letter + r"(?![A-Za-z])", after)
            or re.search(r"(?<![A-Za-z])" + letter + r"\s*[-+]\s*$", before)):
        return "formula"
    if not n.percent and re.match(r"(?:" + letter + r"|\(" + letter + r"|·\s*[A-Za-z(])", after):
        return "formula"
    return ""


def claims(md: str) -> list[Claim]:
    r"""The numbers of one markdown paragraph, each marked exempt (with the rule) or not.

    >>> [(c.num.text, c.exempt) for c in claims("In lesson 02, $h_{t-1}$ and T − 1: 0.93 on 3 of 5.")]
    [('02', 'reference'), ('1', 'formula'), ('0.93', ''), ('3 of 5', '')]
    >>> [(c.num.text, c.exempt) for c in claims("See [lesson 12, §4](12_x.ipynb#a) and §2: 7 of 9.")]
    [('12', 'reference'), ('4', 'reference'), ('2', 'reference'), ('7 of 9', '')]
    >>> [(c.num.text, c.derived) for c in claims(r"$\sqrt{16} = 4$, $1.2^{60} \approx 5.7\times10^4$")]
    [('16', False), ('4', True), ('1.2', False), ('5.7×10^4', False)]
    """
    if re.match(r"#{1,6}\s", md.lstrip()):
        return []
    text, code = plain_text(md)
    out = []
    for sentence in sentences(text):
        cited = bool(CITATION.search(sentence))
        spans = {"reference": [m.span() for m in REFERENCE.finditer(sentence)],
                 "year": [(m.end() - 4, m.end()) for m in YEAR.finditer(sentence)],
                 "interval": [m.span() for m in INTERVAL.finditer(sentence)],
                 "enumeration": [m.span() for m in ENUMERATION.finditer(sentence) if _consecutive(m.group(0))]}
        derived_at = _derived(sentence)
        fractions = [m for m in FRACTION.finditer(sentence)]
        for n in numbers_in(sentence):
            frac = next((m for m in fractions if m.start() <= n.start < m.end()), None)
            if frac is not None:
                if n.start != frac.start():
                    continue  # the denominator travels with its numerator
                a, b = int(frac.group(1)), int(frac.group(2))
                n = Num(frac.group(0), a / b if b else math.nan, 0.0, start=frac.start(), end=frac.end())
                c = Claim(n, sentence, kind="fraction", pair=(a, b))
            else:
                c = Claim(n, sentence)
            c.exempt = _exemption(n, sentence, spans) or ("citation" if cited else "")
            c.derived = n.start in derived_at
            out.append(c)
    for snippet in code:
        for n in numbers_in(normalise(snippet)):
            only = n.start == 0 and n.end == len(snippet)  # `0`, `9`: a value in code font, not code
            out.append(Claim(n, "`" + snippet + "`", kind="prose" if only else "code"))
    return out


def _consecutive(run: str) -> bool:
    nums = [int(x) for x in re.findall(r"\d+", run.split("…")[0])]
    return len(nums) >= 3 and all(b == a + 1 for a, b in zip(nums, nums[1:]))


# ---------------------------------------------------------------------------------------
# Sections and their pools
# ---------------------------------------------------------------------------------------

@dataclass
class Section:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    whole_lesson: bool = False


def output_text(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            parts.append(f"{o.get('ename', '')}: {o.get('evalue', '')}\n" + "\n".join(o.get("traceback", [])))
        else:
            plain = o.get("data", {}).get("text/plain", "")
            parts.append(plain if isinstance(plain, str) else "".join(plain))
    return ANSI.sub("", "\n".join(parts))


def code_text(cell) -> str:
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))


def sections(nb) -> list[Section]:
    """The lesson cut at its `#`/`##` headings (see the module docstring)."""
    secs = [Section("(introduction)", whole_lesson=True)]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for p in paragraphs(cell.source, i):
                if p.heading == 2 or (p.heading == 1 and len(secs) > 1 and secs[-1].title != "(introduction)"):
                    secs.append(Section(p.source.lstrip("# ").strip()))
                secs[-1].paragraphs.append(p)
        elif cell.cell_type == "code":
            secs[-1].code.append(code_text(cell))
            secs[-1].outputs.append(output_text(cell))
    for s in secs[1:]:
        if not s.code:
            s.whole_lesson = True
    return secs


@dataclass
class Pool:
    printed: list[Num]
    coded: list[Num]
    pairs: set[tuple[int, int]]

    @classmethod
    def of(cls, code: list[str], outputs: list[str]) -> "Pool":
        printed = [n for o in outputs for n in values(o)]
        coded = [n for c in code for n in values(c)]
        pairs = {p for t in outputs + code for p in fractions_in(ANSI.sub("", t))}
        return cls(printed, coded, pairs)

    def confirms(self, claim: Claim) -> bool:
        n = claim.num
        if claim.kind == "code":
            return any(n.matches(v) for v in self.coded)
        if claim.derived:
            return True
        if claim.kind == "fraction" and claim.pair:
            a, b = claim.pair
            if (a, b) in self.pairs:
                return True
            if b:
                ratio = Num(f"{a}/{b}", a / b, 0.0)
                for v in self.printed:
                    q = v.quantum / (100 if v.percent else 1)
                    val = v.value / (100 if v.percent else 1)
                    if not v.verbatim and q <= 0.01 + 1e-12 and abs(val - ratio.value) <= q / 2 + 1e-12:
                        return True
            return False
        return any(n.matches(v) for v in self.printed + self.coded)

    def nearest(self, n: Num, k: int = 3) -> list[str]:
        if n.verbatim or not self.printed:
            return []
        x = n.value / 100 if n.percent else n.value

        def dist(v):
            val = v.value / 100 if v.percent else v.value
            if v.verbatim or math.isnan(val):
                return math.inf
            if x == 0 or val == 0 or (x > 0) != (val > 0):
                return abs(val - x) + 100
            return abs(math.log(abs(val) / abs(x)))
        seen, out = set(), []
        for v in sorted(self.printed, key=dist):
            if v.text not in seen and dist(v) < math.inf:
                seen.add(v.text)
                out.append(v.text)
            if len(out) == k:
                break
        return out


def _percent_of_sentence(claim: Claim, sentence_claims: list[Claim], pool: "Pool") -> bool:
    """A percentage that is 100 times a number of its sentence ("C = [0.7, 0.3]: 70 % ..."),
    or the relative difference or the ratio of two numbers of its sentence that the section
    prints ("3456 against 4480: 22.9 % fewer"; not "3 blocks to 4: 25 % fewer parameters")."""
    n = claim.num
    if not n.percent:
        return False
    others = [c.num for c in sentence_claims
              if not c.num.percent and not c.num.verbatim and c.kind == "prose" and not math.isnan(c.num.value)]
    candidates = [100 * o.value for o in others]
    printed = [o.value for o in others if any(o.matches(v) for v in pool.printed)]
    for a in printed:
        for b in printed:
            if a != b and a and b:
                candidates += [100 * abs(a - b) / b, 100 * a / b]
    return any(abs(v - n.value) <= n.quantum / 2 * (1 + 1e-9) for v in candidates)


@dataclass
class Unmatched:
    section: str
    cell: int
    claim: Claim
    nearest: list[str]

    def line(self) -> str:
        kind = "" if self.claim.kind == "prose" else f" [{self.claim.kind}]"
        near = ", ".join(self.nearest) if self.nearest else "-"
        if self.claim.num.percent and "%" not in self.claim.num.text:
            kind += " [%, from its range]"
        return f"c{self.cell}: {self.claim.num.text!r}{kind} in: {self.claim.sentence}\n        nearest printed: {near}"


def check_notebook(nb_or_path) -> list[Unmatched]:
    """The stated numbers of an English lesson that its outputs and code do not confirm.

    A section's pool is its outputs and the code of the lesson up to the section's end (a
    setting made in an earlier section is still in force); the introduction and sections
    without code use the whole lesson. A number confirmed once in a paragraph confirms its
    repetitions there, and an unmatched one is reported once per paragraph.
    """
    nb = nbformat.read(str(nb_or_path), as_version=4) if isinstance(nb_or_path, (str, Path)) else nb_or_path
    secs = sections(nb)
    whole = Pool.of([c for s in secs for c in s.code], [o for s in secs for o in s.outputs])
    out, code_so_far = [], []
    for s in secs:
        code_so_far += s.code
        pool = whole if s.whole_lesson else Pool.of(code_so_far, s.outputs)
        for p in s.paragraphs:
            cs = claims(p.source)
            by_sentence: dict[str, list[Claim]] = {}
            for c in cs:
                by_sentence.setdefault(c.sentence, []).append(c)
            confirmed, failed = set(), []
            for c in cs:
                if c.exempt or pool.confirms(c) or _percent_of_sentence(c, by_sentence[c.sentence], pool):
                    confirmed.add((c.kind, c.num.text))
                else:
                    failed.append(c)
            reported = set()
            for c in failed:
                key = (c.kind, c.num.text)
                if key in confirmed or key in reported:
                    continue
                reported.add(key)
                out.append(Unmatched(s.title, p.cell, c, pool.nearest(c.num)))
    return out


# ---------------------------------------------------------------------------------------
# The Chinese edition
# ---------------------------------------------------------------------------------------

def canonical_numbers(md: str) -> Counter:
    """Every number of a paragraph (no exemptions), by value, for comparing translations.

    >>> sorted(canonical_numbers("共 12.8 万个参数，约 ２５％，$5.7\\\\times10^4$").elements())
    ['128000', '25%', '57000']
    >>> canonical_numbers("128,017 and 2,000") == canonical_numbers("128017 和 2000")
    True
    """
    s = re.sub(r"\]\([^)]*\)", "]", md)
    s = re.sub(r"<https?://[^>]*>|https?://\S+", " ", s)
    s = re.sub(r"<!--.*?-->", " ", s, flags=re.S)
    s = re.sub(r"\$\$(.+?)\$\$", lambda m: " " + latex_to_text(m.group(1)) + " ", s, flags=re.S)
    s = re.sub(r"(?<![\\$])\$([^$]+?)\$", lambda m: latex_to_text(m.group(1)), s, flags=re.S)
    s = normalise(s)
    out = Counter()
    for n in numbers_in(s):
        if n.verbatim:
            out[n.text] += 1
            continue
        value = n.value
        tail = s[n.end:n.end + 2].lstrip()
        if tail.startswith("万"):
            value *= 1e4
        elif tail.startswith("亿"):
            value *= 1e8
        key = f"{value:.12g}" + ("%" if n.percent else "")
        out[key] += 1
    return out


_EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_EN_WORDS.update({"zeros": 0, "ones": 1, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
                  "thousand": 1000, "once": 1, "twice": 2, "half": 2, "double": 2, "triple": 3})
_EN_WORDS.update({m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())})
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def number_words(text: str, chinese: bool) -> set[str]:
    """Values an edition writes as words: English number words and month names, or Chinese
    numerals (一 … 九十九, 两, 半), keyed like `canonical_numbers`.

    >>> sorted(number_words("three zeros in March", chinese=False), key=float)
    ['0', '3']
    >>> sorted(number_words("三维，十二个，二十三，一半", chinese=True), key=float)
    ['1', '2', '3', '12', '23']
    """
    if not chinese:
        return {str(_EN_WORDS[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in _EN_WORDS}
    out = set()
    for run in re.findall(r"[零〇一二两三四五六七八九十半]+", text):
        if "半" in run:
            out.add("2")
        run = run.replace("半", "")
        m = re.fullmatch(r"([一二两三四五六七八九])?十([一二三四五六七八九])?", run)
        if m:
            out.add(str(_ZH_DIGITS.get(m.group(1), 1) * 10 + _ZH_DIGITS.get(m.group(2), 0)))
        out.update(str(_ZH_DIGITS[ch]) for ch in run if ch in _ZH_DIGITS)
    return out


@dataclass
class Mistranslated:
    cell: int
    paragraph: int
    english: str
    chinese: str
    missing: list[str]
    extra: list[str]

    def line(self) -> str:
        en, zh = (re.sub(r"\s+", " ", t)[:200] for t in (self.english, self.chinese))
        return (f"c{self.cell} ¶{self.paragraph}: the Chinese lacks {self.missing or '-'} and adds {self.extra or '-'}\n"
                f"        en: {en}\n        zh: {zh}")


def _translated_paragraphs(source: str, cell: int) -> list[Paragraph]:
    return [p for p in paragraphs(source, cell) if not p.source.startswith(NOTE_PREFIXES)]


def compare_paragraphs(english: str, chinese: str) -> tuple[list[str], list[str]]:
    """The numbers one paragraph has and its translation lacks, and the other way round.

    Compared as sets of values (a translation may say "16 个中分别有 6 个和 9 个" for
    "6 of 16 and 9 of 16"); a number one edition writes as a word counts as present
    ("3-D" and "三维", "zeros" and "0").

    >>> compare_paragraphs("0.6 for the RNN, 0.5 for the LSTM, on 3-D input", "RNN 为 0.26，LSTM 为 0.5，三维输入")
    (['0.6'], ['0.26'])
    """
    ca, cb = canonical_numbers(english), canonical_numbers(chinese)
    wa, wb = number_words(plain_text(english)[0], False), number_words(chinese, True)
    missing = sorted(k for k in ca if k not in cb and k not in wb)
    extra = sorted(k for k in cb if k not in ca and k not in wa)
    return missing, extra


def check_translation(english_nb, chinese_nb) -> list[Mistranslated]:
    """Paragraphs of the Chinese notebook whose numbers differ from the English paragraph's."""
    en = nbformat.read(str(english_nb), as_version=4) if isinstance(english_nb, (str, Path)) else english_nb
    zh = nbformat.read(str(chinese_nb), as_version=4) if isinstance(chinese_nb, (str, Path)) else chinese_nb
    out = []
    for i, (a, b) in enumerate(zip(en.cells, zh.cells)):
        if a.cell_type != "markdown":
            continue
        pa, pb = _translated_paragraphs(a.source, i), _translated_paragraphs(b.source, i)
        if len(pa) != len(pb):  # compare the cell as one paragraph
            pa = [Paragraph(i, 0, "\n\n".join(p.source for p in pa))]
            pb = [Paragraph(i, 0, "\n\n".join(p.source for p in pb))]
        for x, y in zip(pa, pb):
            missing, extra = compare_paragraphs(x.source, y.source)
            if missing or extra:
                out.append(Mistranslated(i, x.index, x.source, y.source, missing, extra))
    return out


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------

def lessons() -> list[Path]:
    return sorted((ROOT / "notebooks").glob(LESSON_GLOB))


def report(paths: list[Path]) -> tuple[str, int]:
    lines, total = [], 0
    for path in paths:
        unmatched = check_notebook(path)
        zh = path.parent / "zh-CN" / path.name
        mistranslated = check_translation(path, zh) if zh.exists() else []
        total += len(unmatched) + len(mistranslated)
        lines.append(f"=== {path.name}: {len(unmatched)} unmatched number(s), "
                     f"{len(mistranslated)} Chinese paragraph(s) with other numbers")
        section = None
        for u in unmatched:
            if u.section != section:
                section = u.section
                lines.append(f"  -- {section}")
            lines.append("    " + u.line())
        if mistranslated:
            lines.append("  -- Chinese edition")
            lines.extend("    " + m.line() for m in mistranslated)
    return "\n".join(lines) + "\n", total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or lessons()
    text, total = report(paths)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
