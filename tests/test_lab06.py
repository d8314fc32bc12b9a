"""Lab 06, find the bug: the solution passes every check (visible and hidden case), each
broken script fails with the message that names its failure, a half fix is told what is
still wrong, and the hidden grade does not depend on what a solution cell can rebind."""
import importlib

import keras
import numpy as np
import pytest

from lstmcourse import _grading, doctor
from lstmcourse import lab06_checks as checks

L = keras.layers


def grams(scale, invert):
    def script(x_train, y_train):
        mean, std = float(y_train.mean()), float(y_train.std())
        model = keras.Sequential([keras.Input((checks.GRAMS_STEPS, 2)), L.LSTM(8), L.Dense(1)])
        model.compile(keras.optimizers.Adam(0.01), loss="mse")
        y_fit = (y_train - mean) / std if scale else y_train
        return model, y_fit, (lambda p: p * std + mean) if invert else (lambda p: p)
    return script


def review(mask):
    def build():
        model = keras.Sequential([keras.Input((None,), dtype="int32"), L.Embedding(checks.REVIEW_VOCAB, 8, mask_zero=mask),
                                  L.LSTM(16), L.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(0.01), loss="binary_crossentropy")
        return model
    return build


def topic(activation, from_logits):
    def build():
        model = keras.Sequential([keras.Input((None,), dtype="int32"), L.Embedding(checks.TOPIC_VOCAB, 8), L.LSTM(16),
                                  L.Dense(checks.TOPIC_CLASSES, activation=activation)])
        model.compile(keras.optimizers.Adam(0.01), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
        return model
    return build


SOLUTIONS = {"grams": (checks.check_grams, grams(True, True)), "reviews": (checks.check_reviews, review(True)),
             "topics_logits": (checks.check_topics, topic(None, True)),
             "topics_softmax": (checks.check_topics, topic("softmax", False))}


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("task", sorted(SOLUTIONS))
def test_solutions_pass(task, hidden, capsys):
    check, answer = SOLUTIONS[task]
    check(answer, hidden=hidden)
    assert capsys.readouterr().out.startswith("✔")


BROKEN = {
    "grams": (checks.check_grams, grams(False, False), "still broken, the doctor finds: [unscaled_targets]"),
    "reviews": (checks.check_reviews, review(False), "still broken, the doctor finds: [unmasked_padding]"),
    "topics": (checks.check_topics, topic("softmax", True), "still broken, the doctor finds: [activation_loss_mismatch]"),
    "topics_linear_probabilities": (checks.check_topics, topic(None, False), "[activation_loss_mismatch]"),
    "grams_not_inverted": (checks.check_grams, grams(True, False), "to_grams does not undo your scaling"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_scripts_fail_with_their_message(case):
    check, answer, message = BROKEN[case]
    with pytest.raises(AssertionError) as info:
        check(answer, hidden=True)
    assert message in str(info.value)


@pytest.mark.parametrize("answer, message", [
    (None, "expected a function"),
    (lambda: 3, "expected a Keras model, got int"),
    (lambda: keras.Sequential([keras.Input((None,), dtype="int32"), L.Embedding(30, 4, mask_zero=True), L.LSTM(4),
                               L.Dense(1)]), "the model is not compiled"),
    (lambda: 1 / 0, "your function raised ZeroDivisionError"),
])
def test_odd_answers_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_reviews(answer)


def test_stub_raises_not_implemented():
    def stub():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        checks.check_topics(stub)


def test_hidden_grade_ignores_rebound_checks_and_doctor(monkeypatch):
    """A solution cell that silences the doctor and the visible check gets nothing from the hidden part."""
    monkeypatch.setattr(doctor, "examine", lambda *args, **kwargs: [])
    monkeypatch.setattr(checks, "check_reviews", lambda *args, **kwargs: None)
    fresh = importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab06")
    assert fresh.doctor is not doctor and fresh.doctor.examine is not doctor.examine
    with pytest.raises(AssertionError, match=r"\[unmasked_padding\]"):
        fresh.check_reviews(review(False), hidden=True)
    import lstmcourse

    assert lstmcourse.doctor is doctor, "the notebook's own doctor is left as it was"


def test_fresh_refuses_a_broken_doctor(monkeypatch):
    """If NumPy is patched so that the checks or the doctor cannot work, grading stops."""
    monkeypatch.setattr(np, "isfinite", lambda a, *args, **kwargs: np.zeros(np.shape(a), dtype=bool))
    with pytest.raises(RuntimeError, match="integrity check failed: np.isfinite is <lambda>"):
        _grading.fresh("lab06")


def test_fresh_names_an_unknown_lab():
    with pytest.raises(ValueError, match="Received: lab='lab99'"):
        _grading.fresh("lab99")
