"""tools/prose_numbers.py: every number the prose states is the notebook's own (issue 21, item 3)."""
import doctest
import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]


def load_tool():
    spec = importlib.util.spec_from_file_location("lstmcourse_prose_numbers", ROOT / "tools" / "prose_numbers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


prose = load_tool()
LESSONS = sorted((ROOT / "notebooks").glob(prose.LESSON_GLOB))


def lesson(*cells):
    """A notebook from markdown strings and (code, printed output) pairs."""
    nb = new_notebook()
    for cell in cells:
        if isinstance(cell, str):
            nb.cells.append(new_markdown_cell(cell))
        else:
            code, printed = cell
            outputs = [new_output("stream", name="stdout", text=printed)] if printed else []
            nb.cells.append(new_code_cell(code, outputs=outputs))
    return nb


def unmatched(*cells):
    """The stated numbers the outputs and code do not confirm, as written."""
    return [u.claim.num.text for u in prose.check_notebook(lesson(*cells))]


def one_section(text, printed="", code="x = 1"):
    return unmatched("## 1. A section", text, (code, printed))


def test_doctests():
    assert doctest.testmod(prose).failed == 0


# ---------------------------------------------------------------------------------------
# The matcher, rule by rule
# ---------------------------------------------------------------------------------------

def test_a_printed_number_matches_and_another_does_not():
    assert one_section("The accuracy is 0.93.", "accuracy: 0.93") == []
    assert one_section("The accuracy is 0.95.", "accuracy: 0.93") == ["0.95"]


@pytest.mark.parametrize("stated, printed, ok", [
    ("0.93", "0.931", True),          # rounded to the written precision
    ("0.93", "0.9349", True),
    ("0.93", "0.936", False),
    ("0.9", "0.93", True),
    ("0.930", "0.93", False),         # the text claims a digit the output does not show
    ("3", "3.4", True),
    ("1.1×10^5", "1.1e+05", True),
    ("$1.1\\times10^{5}$", "1.1e+05", True),
    ("1.1e5", "1.1e+05", True),
    ("110000", "1.1e+05", False),     # more precision than printed
    ("2.1×10^5", "1.1e+05", False),
    ("$10^{-10}$", "relative error 9.1e-11", True),   # a bare power of ten: the order of magnitude
    ("$10^{-10}$", "relative error 4.7e-12", False),
    ("128,017", "128017", True),      # thousands separators
    ("128,017", "128,017", True),
    ("−0.674", "-0.674", True),       # the Unicode minus
])
def test_precision_as_written(stated, printed, ok):
    assert (one_section(f"We get {stated} here.", f"value {printed}") == []) is ok


@pytest.mark.parametrize("stated, printed, ok", [
    ("93 %", "0.93", True),
    ("93 %", "0.931", True),
    ("93%", "93.1%", True),
    ("22.9 %", "ratio 0.2290", True),
    ("22.9 %", "ratio 0.23", False),  # printed with less precision than stated
    ("25 %", "ratio 0.229", False),
])
def test_percent_and_fraction_are_the_same_number(stated, printed, ok):
    assert (one_section(f"The GRU has {stated} fewer.", printed) == []) is ok


def test_a_percentage_computed_from_numbers_of_its_sentence():
    assert one_section("3456 against 4480 is 22.9 % fewer.", "GRU 3456\nLSTM 4480") == []
    assert one_section("3456 against 4480 is 25 % fewer.", "GRU 3456\nLSTM 4480") == ["25 %"]
    assert one_section("C = [0.7, 0.3]: a good mood 70 % of the time.", code="C = [0.7, 0.3]") == []


def test_fractions_are_checked_as_pairs():
    printed = "learned on 3/5 seeds"
    assert one_section("It learned on 3 of 5 seeds.", printed) == []
    assert one_section("It learned on 3/5 seeds.", printed) == []
    assert one_section("It learned on 4 of 5 seeds.", printed) == ["4 of 5"]
    assert one_section("It learned on 4 of 10 seeds.", printed + "\nT = 4, 10 epochs") == ["4 of 10"]
    assert one_section("Chance is 1/6.", "chance-level MSE: 0.167") == []   # the value, at its printed precision


def test_ranges_are_checked_end_by_end():
    printed = "orthogonal 0.78 (0.54–0.94, 5 seeds)"
    assert one_section("Orthogonal: 0.54–0.94.", printed) == []
    assert one_section("Orthogonal: 0.86–1.00.", printed) == ["0.86", "1.00"]


def test_dates_and_versions_are_matched_as_written():
    assert one_section("Born 23.08.1944.", "23.08.1944 -> 1944-08-23") == []
    assert one_section("Born 23.08.1944.", "23 08 1944") == ["23.08.1944"]


def test_arithmetic_written_in_the_text_checks_itself():
    code = "steps = 60\nfor radius in (0.8, 1.2):\n    pass"
    assert one_section("Roughly $1.2^{60} \\approx 5.6\\times10^4$.", "1.1e+05", code) == []
    assert one_section("Roughly $1.2^{60} \\approx 5.7\\times10^4$.", "1.1e+05", code) == ["5.7×10^4"]
    assert one_section("It is $\\sqrt{16} = 4$ and $1/\\ln 2 \\approx 1.44$.", code="size = 16\nbase = 2\none = 1") == []


# ---------------------------------------------------------------------------------------
# Where a number may come from: the section's outputs and the code so far
# ---------------------------------------------------------------------------------------

def test_a_number_printed_in_another_section_does_not_count():
    cells = ("## 1. First", ("print(accuracy)", "0.93"), "## 2. Second", "The accuracy was 0.93.", ("y = 2", ""))
    assert unmatched(*cells) == ["0.93"]


def test_a_number_in_the_code_needs_no_output():
    assert one_section("A layer of 32 units.", code="layer = LSTM(32)") == []
    cells = ("## 1. First", ("UNITS = 48", ""), "## 2. Second", "The 48 units again.", ("y = 2", ""))
    assert unmatched(*cells) == []          # a setting of an earlier section is still in force
    cells = ("## 1. First", "The 48 units.", ("y = 2", ""), "## 2. Second", ("UNITS = 48", ""))
    assert unmatched(*cells) == ["48"]      # but not one made later


def test_summaries_are_checked_against_the_whole_lesson():
    cells = ("# 01 · A lesson\n\nWe reach 0.93.", ("x = 1", ""), "## 1. First", ("print(0.93)", "0.93"),
             "## What you should take away\n\n- The accuracy was 0.93, not 0.95.")
    assert unmatched(*cells) == ["0.95"]


def test_a_heading_inside_a_cell_starts_the_section_there():
    cells = ("## 1. First", ("print(accuracy)", "0.93"), "It reached 0.93.\n\n## 2. Second\n\nIt reached 0.93.",
             ("y = 2", ""))
    assert unmatched(*cells) == ["0.93"]


# ---------------------------------------------------------------------------------------
# Numbers that are no claims, and the marker
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "## 3. A heading with 0.99 in it",
    "1. first item\n2. second item",
    "As lesson 02 showed, and lessons 03 and 04, and section 3, and Lab 01, exercise 2.",
    "The adding problem (Hochreiter & Schmidhuber, 1997).",
    "Chung et al. (2014) compared 17 models on 3 data sets.",      # the sentence reports its source
    "The state $h_{t-1}$ and $x_{t-3}$ and $\\rho^{T-t}$ and T − 1 steps and $u + 1$.",
    "A 2-D or 3-D tensor; $2\\varepsilon$ and $3u$ and 3·units.",
    "Each value in (0, 1), or in (−1, 1), or in [0, 1).",
    "| t | 0 | 1 | 2 | 3 | 4 |\n|---|---|---|---|---|---|\n| x | a | b | c | d | e |",
    "See [the page](https://example.org/lesson/42/page7.html) and ![fig](img/77.png). <!-- 99 -->",
    "Two seeds, ten thousand names, a dozen runs.",
    "```python\nmodel = LSTM(77)\n```",
    "Always answering 1.0† gives a mean squared error of 1/6† ≈ 0.167.",
])
def test_no_claims(text):
    assert one_section(text) == []


def test_the_marker_is_needed_where_nothing_confirms_the_number():
    assert one_section("Always answering 1.7 is chance.") == ["1.7"]
    assert one_section("Always answering 1.7† is chance.") == []


def test_numbers_in_inline_code_are_checked_against_the_code():
    assert one_section("Use `Dense(7)` here.", code="head = Dense(7)") == []
    assert one_section("Use `Dense(7)` here.", printed="7 7 7") == ["7"]
    assert one_section("The symbols `0` to `9`.", printed="0 1 2 3 4 5 6 7 8 9") == []  # a value in code font


def test_an_unmatched_number_is_reported_once_per_paragraph_with_the_nearest_outputs():
    found = prose.check_notebook(lesson("## 1. S", "It was 0.7, then 0.7 again.", ("x = 1", "median 0.26 0.18 0.59")))
    assert [u.claim.num.text for u in found] == ["0.7"]
    assert found[0].nearest[0] == "0.59" and "then 0.7 again" in found[0].claim.sentence


# ---------------------------------------------------------------------------------------
# Slips listed in issue 21, put back: the tool fails on each
# ---------------------------------------------------------------------------------------

def test_slip_04_gru_has_25_percent_fewer_parameters():
    counting = ("## 4. Counting parameters", ("blocks = {'SimpleRNN': 1, 'GRU': 3, 'LSTM': 4}\n"
                                                "for m in models: print(m.name, m.count_params())",
                                                "SimpleRNN 1153\nGRU 3456\nLSTM 4480"))
    assert unmatched(*counting, "- **Size:** the GRU has 3 blocks to the LSTM's 4, 25 % fewer parameters "
                                "at the same width.") == ["25 %"]
    assert unmatched(*counting, "- **Size:** 3456 parameters against 4480, 22.9 % fewer at the same width.") == []


def test_slip_01_growth_of_the_linear_state():
    code = ("steps = 60\nfor radius in (0.8, 1.2):\n    ...\n"
            "    print(f'rho = {radius}: |h_60| without tanh = {lin[-1]:.1e}, with tanh = {squashed[-1]:.2f}')")
    printed = "rho = 0.8: |h_60| without tanh = 2.9e-06, with tanh = 0.00\nrho = 1.2: |h_60| without tanh = 1.1e+05, with tanh = 1.56"
    text = ("With $\\rho = 1.2$ the linear state grows by a factor of about $1.2$ per step, so its norm is "
            "multiplied by roughly $1.2^{60} \\approx 5.7\\times10^4$ in 60 steps.")
    assert unmatched("## 3. Why squash with tanh?", (code, printed), text) == ["5.7×10^4"]
    assert unmatched("## 3. Why squash with tanh?", (code, printed), text.replace("5.7", "5.6")) == []


def test_slip_03_medians_are_alike():
    printed = "median gradient 29 steps back: RNN 0.26, LSTM 0.18"
    text = "The medians are alike (0.6 for the RNN, 0.5 for the LSTM)."
    assert unmatched("## 8. The France example, run", ("print(medians)", printed), text) == ["0.6", "0.5"]
    assert unmatched("## 8. The France example, run", ("print(medians)", printed),
                     "The medians are alike (0.26 for the RNN, 0.18 for the LSTM).") == []


def test_slip_02_orthogonal_range_from_a_run_no_notebook_has():
    code = "remedies = {'orthogonal': adding_runs(30, seeds=5, epochs=8)}"
    printed = "tanh, orthogonal U (default)  best val MSE / chance 0.78 (0.54–0.94, 5 seeds); learned on 0/5 seeds"
    text = "Rechecked with this lesson's 8 epochs on 10 seeds: orthogonal 0.86–1.00, again none below half."
    assert unmatched("## 6. The remedies", (code, printed), text) == ["10", "0.86", "1.00"]


# ---------------------------------------------------------------------------------------
# The Chinese edition
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("english, chinese, ok", [
    ("It learned on 3 of 5 seeds, 0.93 on average.", "在 5 个种子中的 3 个上学会了，平均 0.93。", True),
    ("It learned on 3 of 5 seeds, 0.93 on average.", "在 5 个种子中的 4 个上学会了，平均 0.93。", False),
    ("Medians 0.6 and 0.5.", "中位数为 0.26 和 0.18。", False),
    ("About 128,017 parameters, 25 %.", "约 12.8017 万个参数，２５％。", True),   # 万, full-width digits, ％
    ("$5.7\\times10^4$ and −3.", "$5.7\\times10^4$ 与 -3。", True),
    ("The masks, on a sequence of ones (4 sequences).", "作用于全为 1 的序列（4 个序列）。", True),   # a word, as digits
    ("A 3-D tensor.", "三维张量。", True),
    ("6 of 16 and 9 of 16.", "16 个中分别有 6 个和 9 个。", True),   # compared as sets
])
def test_chinese_paragraph_numbers(english, chinese, ok):
    missing, extra = prose.compare_paragraphs(english, chinese)
    assert (not missing and not extra) is ok


def test_chinese_cells_are_compared_paragraph_by_paragraph():
    en = lesson("## 1. Title\n\nFirst 0.93.\n\nThen 0.5.")
    zh = lesson("## 1. 标题\n\n先是 0.5。\n\n然后 0.93。\n\n> 📖 中英术语对照见[术语表](terminology.md)。")
    assert [(m.cell, m.paragraph) for m in prose.check_translation(en, zh)] == [(0, 1), (0, 2)]
    zh_ok = lesson("## 1. 标题\n\n先是 0.93。\n\n然后 0.5。")
    assert prose.check_translation(en, zh_ok) == []


# ---------------------------------------------------------------------------------------
# The real lessons
# ---------------------------------------------------------------------------------------

# Lessons whose text is still being fixed (issue 21); remove a lesson once the tool passes on it.
PENDING: set[str] = set()


@pytest.mark.parametrize("notebook", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="text fixes pending (issue 21)"))
    if p.name[:2] in PENDING else p for p in LESSONS], ids=[p.name[:2] for p in LESSONS])
def test_lesson_prose_matches_outputs(notebook):
    found = prose.check_notebook(notebook)
    assert not found, f"{notebook.name}: numbers no output or code confirms:\n" + "\n".join(u.line() for u in found)


#: Lessons whose Chinese edition is still to come (lesson 12, issue 22: translation can follow).
UNTRANSLATED = set()
TRANSLATED = [p for p in LESSONS if p.name not in UNTRANSLATED]


def test_only_the_listed_lessons_lack_a_chinese_edition():
    assert {p.name for p in LESSONS if not (p.parent / "zh-CN" / p.name).exists()} == UNTRANSLATED


@pytest.mark.parametrize("notebook", TRANSLATED, ids=[p.name[:2] for p in TRANSLATED])
def test_chinese_paragraphs_carry_the_same_numbers(notebook):
    chinese = notebook.parent / "zh-CN" / notebook.name
    found = prose.check_translation(notebook, chinese)
    assert not found, f"{chinese.name}:\n" + "\n".join(m.line() for m in found)


def test_command_line(tmp_path, capsys):
    clean = tmp_path / "01_clean.ipynb"
    nbformat.write(lesson("## 1. S", "It is 0.93.", ("x = 1", "0.93")), str(clean))
    assert prose.main([str(clean)]) == 0
    slip = tmp_path / "02_slip.ipynb"
    nbformat.write(lesson("## 1. S", "It is 0.95.", ("x = 1", "0.93")), str(slip))
    report = tmp_path / "report.txt"
    assert prose.main(["--report", str(report), str(slip)]) == 1
    assert "'0.95'" in report.read_text() and "nearest printed: 0.93" in capsys.readouterr().out
