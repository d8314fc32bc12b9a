"""Labs 01–04's NumPy checks, one hidden case per student (issue 23, item 2).

The hidden case of each NumPy check (its sizes, weights and inputs) comes from the student's
variant (:mod:`lstmcourse.grading.variants`, as in labs 07/08): the lab solutions pass it on 100
variants, known wrong answers fail there with the message they get on variant 0, and an answer
hard-coded from the visible case or from another variant's hidden case is named as such.
"""
import contextlib
import importlib
import io
import re

import numpy as np
import pytest

from lstmcourse import _grading, checks, variants
from lstmcourse import reference as ref
from lstmcourse.grading import numpy_checks as N
from tests import test_checks as base
from tests.test_mistake_mutants import namespace

VARIANTS = list(range(100))
#: The two students of the nbgrader course test (tests/test_nbgrader_course.py), graded on their own variants.
STUDENTS = [variants.variant_of("complete"), variants.variant_of("mistakes")]
TASKS = {  # task -> (lab, check(fn, hidden, variant))
    "rnn_step": ("lab01", checks.check_rnn_step),
    "rnn_forward": ("lab01", checks.check_rnn_forward),
    "rnn_backward": ("lab02", lambda fn, hidden=False, variant=None: checks.check_rnn_backward(
        ref.rnn_forward, fn, hidden=hidden, variant=variant)),
    "numerical_gradient": ("lab02", checks.check_numerical_gradient),
    "gradient_norms": ("lab02", checks.check_gradient_norms),
    "lstm_step": ("lab03", checks.check_lstm_step),
    "lstm_forward": ("lab03", checks.check_lstm_forward),
    "gru_step": ("lab04", checks.check_gru_step),
}


def grade(task, fn, variant, hidden=True):
    """'pass' (and the ✔ line printed), or the AssertionError's message."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            TASKS[task][1](fn, hidden=hidden, variant=variant)
    except AssertionError as err:
        return str(err)
    assert out.getvalue().startswith("✔"), out.getvalue()
    return "pass"


def test_the_hidden_sizes_differ_between_students():
    labs = sorted(set(lab for lab, _ in TASKS.values()))
    every = {lab: [N.hidden_dims(v, lab) for v in range(variants.N_VARIANTS)] for lab in labs}
    for lab, dims in every.items():
        assert dims[0] == (3, 6, 5, 6), "variant 0 keeps the hidden case the solutions' outputs were stored with"
        for batch, time, features, units in dims[1:]:
            assert len({batch, time, features, units}) == 4
            assert 2 <= batch <= 6 and 4 <= time <= 9 and 2 <= features <= 7 and 3 <= units <= 8
        assert len(set(dims[:100])) > 50, f"{lab}: the first 100 variants share their sizes"
    # two students with the same sizes still get other numbers
    x1, x2 = (N.hidden_case("rnn_step", v)[1] for v in (1, 2))
    assert x1.shape != x2.shape or not np.allclose(x1, x2)
    assert np.array_equal(N.hidden_case("gru_step", 7)[0]["kernel"], N.hidden_case("gru_step", 7)[0]["kernel"])
    assert len({N._gradient_shape(v) for v in VARIANTS}) > 10


def test_the_visible_case_is_the_same_for_everyone(capsys):
    for task, (lab, _) in TASKS.items():
        solution = namespace(lab)[task]
        assert grade(task, solution, 3, hidden=False) == grade(task, solution, 4, hidden=False) == "pass"
    with pytest.raises(ValueError, match="Received: variant=1000"):
        checks.check_rnn_step(base.rnn_step_ok, variant=1000)


def test_the_lab_solutions_pass_every_variant():
    """0 false fails: every lab solution passes the hidden case of 100 variants and of the two students."""
    passed = 0
    for task, (lab, _) in TASKS.items():
        solution = namespace(lab)[task]
        for v in VARIANTS + STUDENTS:
            assert grade(task, solution, v) == "pass", (task, v)
            passed += 1
    assert passed == len(TASKS) * (len(VARIANTS) + len(STUDENTS))


def hard_coded(task, answers):
    """A function that returns ``answers`` (a case's correct outputs, {what: array}) whatever its inputs."""
    a = {k: np.copy(v) for k, v in answers.items()}
    return {
        "rnn_step": lambda x_t, h_prev, params: a["h_t"].copy(),
        "rnn_forward": lambda x, h0, params: (a["hs"].copy(), {}),
        "rnn_backward": lambda dhs, cache: (a["dx"].copy(), a["dh0"].copy(), {
            k: a[f"grads[{k!r}]"].copy() for k in ("kernel", "recurrent_kernel", "bias")}),
        "numerical_gradient": lambda f, x, eps=1e-6: a["the gradient"].copy(),
        "gradient_norms": lambda x, params: a["the norms"].copy(),
        "lstm_step": lambda x_t, h_prev, c_prev, params: (a["h_t"].copy(), a["c_t"].copy()),
        "lstm_forward": lambda x, h0, c0, params: (a["hs"].copy(), {}),
        "gru_step": lambda x_t, h_prev, params: a["h_t"].copy(),
    }[task]


def test_hard_coded_answers_are_named_on_every_variant():
    """On each of 100 variants: the variant's own answers, hard-coded, pass (the check grades what the
    module calls its answers; numerical_gradient also counts the calls of f); the next variant's fail, named as that variant's; the visible case's fail,
    named as the visible case's."""
    for v in VARIANTS:
        u = (v + 1) % len(VARIANTS)
        for task in TASKS:
            own = grade(task, hard_coded(task, N._answers(task, v)), v)
            if task == "numerical_gradient":  # right numbers, but f never called: that check comes first
                assert re.search("called f only 0 times", own), own
            else:
                assert own == "pass", (task, v, own)
            got = grade(task, hard_coded(task, N._answers(task, u)), v)
            assert re.search(f"^{task}: .* is variant {u}'s answer, not yours \\(variant {v}\\)", got), (task, v, got)
            got = grade(task, hard_coded(task, N._answers(task, None)), v)
            assert re.search(f"^{task}: .* is the answer of the visible case", got), (task, v, got)


NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")
#: Known wrong answers of tests/test_checks.py (task, label), two to four per task (with the NumPy mistakes of
#: the nbgrader course test's "mistakes" student: the answer key, δ·U, one-sided, f and i swapped).
KNOWN = [("rnn_step", "no bias"), ("rnn_step", "sigmoid"), ("rnn_step", "h @ U.T"), ("rnn_step", "transposed result"),
         ("rnn_forward", "state not carried"), ("rnn_forward", "off by one"),
         ("rnn_backward", "no tanh derivative"), ("rnn_backward", "batch mean"), ("rnn_backward", "not through time"),
         ("rnn_backward", "δ·U instead of δ·Uᵀ"), ("rnn_step", "answer key"),
         ("numerical_gradient", "one-sided"), ("numerical_gradient", "does not restore"),
         ("numerical_gradient", "flattened"),
         ("gradient_norms", "reversed"), ("gradient_norms", "sum over batch"),
         ("lstm_step", "f and i swapped"), ("lstm_step", "no tanh on output"),
         ("lstm_forward", "c not carried"), ("gru_step", "reset before"), ("gru_step", "z swapped")]


def kind(message):
    """A message with its numbers masked: what stays the same when only the sizes and values change."""
    return NUMBER.sub("#", message)


def test_known_wrong_answers_fail_alike_on_every_variant():
    corpus = {(t, label): (answer, expected) for t, label, answer, expected in base.NUMPY_CORPUS}
    missing = [key for key in KNOWN if key not in corpus]
    assert not missing, f"not in tests/test_checks.py's corpus: {missing}"
    for task, label in KNOWN:
        answer, expected = corpus[task, label]
        first = grade(task, answer, 0)
        assert first != "pass" and re.search(expected, first), (task, label, first)
        for v in VARIANTS[1:] + STUDENTS:
            got = grade(task, answer, v)
            assert kind(got) == kind(first), (task, label, v, got)


def test_the_hidden_grade_takes_the_students_variant(monkeypatch, tmp_path):
    """The graded cells' fresh copy grades the autograded student's hidden case; a solution cell that rebinds
    variants.current or sets LSTMCOURSE_VARIANT does not change which."""
    for key in ("LSTMCOURSE_VARIANT", "LSTMCOURSE_STUDENT", "JUPYTERHUB_USER", "LSTMCOURSE_COURSE_SEED"):
        monkeypatch.delenv(key, raising=False)
    folder = tmp_path / "autograded" / "alice" / "lab01"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("LSTMCOURSE_VARIANT", "0")
    monkeypatch.setattr(variants, "current", lambda: 0)
    alice = variants.variant_of("alice")
    other = (alice + 1) % variants.N_VARIANTS
    fresh = importlib.reload(importlib.import_module("lstmcourse._grading")).fresh()
    with contextlib.redirect_stdout(io.StringIO()):
        fresh.check_rnn_step(hard_coded("rnn_step", N._answers("rnn_step", alice)), hidden=True)
        fresh.check_rnn_step(base.rnn_step_ok, hidden=True)
    with pytest.raises(AssertionError, match=f"is variant {other}'s answer, not yours \\(variant {alice}\\)"):
        fresh.check_rnn_step(hard_coded("rnn_step", N._answers("rnn_step", other)), hidden=True)
    with pytest.raises(AssertionError, match="is the answer of the visible case"):
        fresh.check_rnn_step(hard_coded("rnn_step", N._answers("rnn_step", None)), hidden=True)


def test_fresh_copy_still_self_tests(monkeypatch):
    monkeypatch.setenv("LSTMCOURSE_VARIANT", "123")
    fresh = _grading.fresh()
    assert fresh.check_rnn_step is not checks.check_rnn_step
