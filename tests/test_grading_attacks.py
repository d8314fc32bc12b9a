"""The attacks of issue 23 on the graded cells: each must earn 0 points.

A graded cell of a lab runs the visible check, then (autograde) the hidden one:
``importlib.reload(importlib.import_module("lstmcourse._grading")).fresh(lab).check_...(..., hidden=True)``.
nbgrader gives the cell's points when the cell runs without an error. Each attack below is what a
solution cell could do in the same process (rebind a data helper, patch NumPy or Keras, replace a
module in ``sys.modules``, edit the checks' namespace, hide training from the step counter) together
with an answer that is wrong or trained past the budget; the test runs the cell's code and asserts
0 points, then prints the table (attack, points of the cell, what stopped it).
"""
import importlib
import os
import sys
import types

import keras
import numpy as np
import pytest

import lstmcourse
from lstmcourse import checks, tasks

RESULTS = []
VOCAB, TAGS = len(tasks.TEDDY_VOCAB), len(tasks.TEDDY_TAGS)
W_, U_, B_ = "kernel", "recurrent_kernel", "bias"


def no_bias_step(x_t, h_prev, params):  # a wrong answer: the bias is missing
    return np.tanh(x_t @ params[W_] + h_prev @ params[U_])


def hidden():
    """What the hidden part of a graded cell calls (reload, then a fresh copy)."""
    return importlib.reload(importlib.import_module("lstmcourse._grading"))


def outcome_of(part):
    try:
        part()
    except Exception as err:  # noqa: BLE001  any error in the cell: 0 points
        return f"{type(err).__name__}: {str(err)[:100]}"
    return ""


def graded_cell(attack, points, visible, hidden_test):
    """A graded cell as nbgrader runs it: the points if both parts run, else 0. Both parts are run
    here (nbgrader stops at the first error) so the table shows that the hidden part alone gives 0."""
    seen, stopped = outcome_of(visible), outcome_of(hidden_test)
    earned = points if not seen and not stopped else 0
    RESULTS.append((attack, points, earned, seen or "passes", stopped or "passes"))
    return earned


def bidirectional():
    return keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(VOCAB, 8, mask_zero=True),
                             keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True)),
                             keras.layers.Dense(TAGS, activation="softmax")])


ONE_STEP = {"epochs": 1, "batch_size": 3000, "learning_rate": 0.001}


@pytest.fixture(scope="module")
def overtrained():
    """A tagger trained for 20 epochs of batches of 64 (940 optimizer steps, past the 600 of the budget)."""
    keras.utils.set_random_seed(0)
    x, y, _ = tasks.teddy(3000, seed=1)
    model = bidirectional()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=20, batch_size=64, verbose=0)
    return model


def test_teddy_iterations_assigned_after_20_epochs(overtrained):
    overtrained.optimizer.iterations.assign(300)  # hides 640 of the 940 steps from the old counter
    build_teddy = lambda: overtrained  # noqa: E731  the trained model, returned by the "builder"
    assert graded_cell("lab05 Teddy: 20 epochs, then optimizer.iterations.assign(300)", 4,
                       lambda: checks.check_teddy_tagger(build_teddy, ONE_STEP),
                       lambda: hidden().fresh().check_teddy_tagger(build_teddy, ONE_STEP, hidden=True)) == 0
    # the old form of the cell, the trained model itself, is refused too
    assert graded_cell("lab05 Teddy: the trained model passed instead of a builder", 4,
                       lambda: checks.check_teddy_tagger(overtrained, ONE_STEP),
                       lambda: hidden().fresh().check_teddy_tagger(overtrained, ONE_STEP, hidden=True)) == 0


def test_teddy_compile_again_and_one_more_step(overtrained):
    x, y, _ = tasks.teddy(64, seed=1)
    overtrained.compile(optimizer=keras.optimizers.Adam(1e-6), loss="sparse_categorical_crossentropy")
    overtrained.fit(x, y, epochs=1, batch_size=64, verbose=0)  # the new optimizer counts 1 step
    build_teddy = lambda: overtrained  # noqa: E731
    assert graded_cell("lab05 Teddy: 20 epochs, compile, 1 more step", 4,
                       lambda: checks.check_teddy_tagger(build_teddy, ONE_STEP),
                       lambda: hidden().fresh().check_teddy_tagger(build_teddy, ONE_STEP, hidden=True)) == 0


def test_teddy_relabelled_by_a_rebound_data_helper(monkeypatch):
    real = tasks.teddy

    def relabelled(n, seed=0, max_len=12):  # every "teddy" is a PERSON: what a constant model answers
        x, y, pos = real(n, seed=seed, max_len=max_len)
        y = y.copy()
        y[np.arange(n), pos] = 1
        return x, y, pos

    monkeypatch.setattr(tasks, "teddy", relabelled)
    monkeypatch.setattr(lstmcourse.tasks, "teddy", relabelled)

    def no_recurrence():  # sees one token at a time: 0.5 at "teddy" on true labels
        return keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(VOCAB, 4),
                                 keras.layers.Dense(TAGS, activation="softmax")])

    recipe = {"epochs": 3, "batch_size": 300, "learning_rate": 0.05}
    checks.check_teddy_tagger(no_recurrence, recipe)  # the visible check uses the notebook's tasks: it passes
    assert graded_cell("lab05 Teddy: lstmcourse.tasks.teddy rebound to relabel the data", 4,
                       lambda: checks.check_teddy_tagger(no_recurrence, recipe),
                       lambda: hidden().fresh().check_teddy_tagger(no_recurrence, recipe, hidden=True)) == 0


def step_cell(attack, answer=no_bias_step):
    return graded_cell(attack, 3, lambda: checks.check_rnn_step(answer),
                       lambda: hidden().fresh().check_rnn_step(answer, hidden=True))


def test_numpy_allclose_patched(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    assert step_cell("lab01 rnn_step: np.allclose = lambda *a, **k: True") == 0


def test_numpy_testing_patched(monkeypatch):
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    monkeypatch.setattr(np.testing, "assert_array_almost_equal", lambda *a, **k: None)
    assert step_cell("lab01 rnn_step: np.testing.assert_allclose patched") == 0


def test_numpy_tanh_replaced_by_another_ufunc(monkeypatch):
    monkeypatch.setattr(np, "tanh", np.positive)  # then a step without tanh "equals" the expected one

    def no_tanh(x_t, h_prev, params):
        return x_t @ params[W_] + h_prev @ params[U_] + params[B_]
    assert step_cell("lab01 rnn_step: np.tanh = np.positive, answer without tanh", no_tanh) == 0


def test_keras_predict_patched(monkeypatch):
    from lstmcourse.cells import SimpleRNNCell as Key  # noqa: F401  (what a patched predict could call)
    original = keras.Model.predict

    def predict(self, x, **kwargs):  # a "predict" that answers what the built-in SimpleRNN would
        builtin = keras.layers.SimpleRNN(self.layers[-1].cell.units, return_sequences=True)
        builtin(np.asarray(x))
        builtin.set_weights(self.get_weights())
        return np.asarray(builtin(np.asarray(x)))

    class NoBiasCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units))
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs, states):
            h = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel) + keras.ops.matmul(states[0], self.recurrent_kernel))
            return h, [h]

    monkeypatch.setattr(keras.Model, "predict", predict)
    earned = graded_cell("lab01 MyRNNCell: keras.Model.predict patched, cell without bias", 3,
                         lambda: checks.check_rnn_cell_layer(NoBiasCell),
                         lambda: hidden().fresh().check_rnn_cell_layer(NoBiasCell, hidden=True))
    monkeypatch.setattr(keras.Model, "predict", original)
    assert earned == 0


def test_checks_replaced_in_sys_modules(monkeypatch):
    fake = types.ModuleType("lstmcourse.checks")
    fake.check_rnn_step = lambda *a, **k: None
    fake.LAB_MODULES = {None: ()}  # a fake package that would load no checks
    monkeypatch.setitem(sys.modules, "lstmcourse.checks", fake)
    monkeypatch.setitem(sys.modules, "lstmcourse.grading.numpy_checks", fake)
    monkeypatch.setitem(sys.modules, "lstmcourse.grading", fake)
    monkeypatch.setattr(lstmcourse, "checks", fake, raising=False)
    assert graded_cell("lab01 rnn_step: lstmcourse.checks (and .grading) replaced in sys.modules", 3,
                       lambda: fake.check_rnn_step(no_bias_step),
                       lambda: hidden().fresh().check_rnn_step(no_bias_step, hidden=True)) == 0


def test_checks_namespace_edited(monkeypatch):
    from lstmcourse.grading import harness, numpy_checks
    for module in (checks, harness, numpy_checks):
        monkeypatch.setitem(module.__dict__, "_close", lambda *a, **k: True)
        monkeypatch.setitem(module.__dict__, "_diagnose", lambda *a, **k: None)
    monkeypatch.setitem(checks.__dict__, "check_rnn_step", lambda *a, **k: None)
    assert step_cell("lab01 rnn_step: checks.__dict__ (and the grading modules') edited") == 0


def test_a_finder_that_serves_fake_checks(monkeypatch, tmp_path):
    (tmp_path / "fake_numpy_checks.py").write_text("def check_rnn_step(*a, **k):\n    return None\n")

    class Finder:
        def find_spec(self, name, path=None, target=None):
            if name.startswith("lstmcourse.grading."):
                return importlib.util.spec_from_file_location(name, tmp_path / "fake_numpy_checks.py")
            return None

    monkeypatch.setattr(sys, "meta_path", [Finder()] + sys.meta_path)
    assert step_cell("lab01 rnn_step: a sys.meta_path finder serving fake grading modules") == 0


def test_profiler_hook_disabled_to_call_the_answer_key(monkeypatch):
    from lstmcourse import reference
    monkeypatch.setattr(sys, "setprofile", lambda fn: None)
    assert step_cell("lab01 rnn_step: sys.setprofile disabled, answer = reference.rnn_step",
                     reference.rnn_step) == 0


def test_the_doctor_rebound_for_lab06(monkeypatch):
    from lstmcourse import doctor, lab06_checks

    def unscaled(x_train, y_train):  # lab06 task 1 left unfixed: targets in grams
        model = keras.Sequential([keras.Input((lab06_checks.GRAMS_STEPS, 2)), keras.layers.LSTM(8),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        return model, y_train, lambda outputs: outputs

    monkeypatch.setattr(doctor, "examine", lambda *a, **k: [])
    monkeypatch.setattr(lab06_checks, "check_grams", lambda *a, **k: None)
    assert graded_cell("lab06 grams: doctor.examine and check_grams rebound", 3,
                       lambda: lab06_checks.check_grams(unscaled),
                       lambda: hidden().fresh("lab06").check_grams(unscaled, hidden=True)) == 0


# -- labs 07 and 08: their checks, the variants and the shared harness are in the package too ----------
def bigram_ok(x, y, V, a):
    c = np.full((V, V), float(a))
    r = y != 0
    np.add.at(c, (x[r], y[r]), 1.0)
    return np.log2(c / c.sum(1, keepdims=True))


def bigram_transposed(x, y, V, a):  # a wrong answer: the table transposed
    return bigram_ok(x, y, V, a).T


def bigram_cell(attack, answer, points=3):
    from lstmcourse import lab07_checks
    return graded_cell(attack, points, lambda: lab07_checks.check_bigram(answer),
                       lambda: hidden().fresh("lab07").check_bigram(answer, hidden=True))


def test_lab07_variant_rebound_to_the_one_copied(monkeypatch):
    from lstmcourse import lab07_checks, variants
    from lstmcourse.grading import variants as grading_variants
    d = lab07_checks.lab_data(5)
    copied = bigram_ok(d.x_train, d.y_train, d.n_tokens, d.alpha)   # variant 5's table, from a classmate

    def hard_coded(x, y, V, a):
        return copied
    for module in (variants, grading_variants):
        monkeypatch.setattr(module, "current", lambda: 5)
    assert bigram_cell("lab07 bigram: variants.current rebound to the variant the answer was copied from",
                       hard_coded) == 0


def test_lab07_checks_helpers_edited(monkeypatch):
    from lstmcourse import lab07_checks
    from lstmcourse.grading import lab07_checks as real, variant_harness
    monkeypatch.setattr(variant_harness, "_EXPECTED", {})  # what the edited checks remember stays in this test
    for module in (lab07_checks, real, variant_harness):
        monkeypatch.setitem(module.__dict__, "_close", lambda *a, **k: True)
        monkeypatch.setitem(module.__dict__, "_diagnose", lambda *a, **k: None)
    monkeypatch.setitem(real.__dict__, "_bigram", bigram_transposed)   # the reference made to agree
    assert bigram_cell("lab07 bigram: _close, _diagnose and the reference _bigram rebound", bigram_transposed) == 0


def test_lab07_numpy_log2_patched(monkeypatch):
    from lstmcourse.grading import variant_harness

    def probabilities(x, y, V, a):  # forgets the log2; with np.log2 = identity the reference agrees
        return 2.0 ** bigram_ok(x, y, V, a)
    # the visible check remembers the other variants' answers computed with the patched log2: a cache of
    # this process only (the hidden check's fresh copy has its own); set aside so later tests see a clean one
    monkeypatch.setattr(variant_harness, "_EXPECTED", {})
    monkeypatch.setattr(np, "log2", np.positive)
    assert bigram_cell("lab07 bigram: np.log2 = np.positive, answer without log2", probabilities) == 0


def masked_softmax_ok(s, m):
    top = np.max(np.where(m, s, -1e300), -1, keepdims=True)
    e = np.where(m, np.exp(np.where(m, s - top, 0.0)), 0.0)
    t = e.sum(-1, keepdims=True)
    return e / np.where(t > 0, t, 1.0)


def unmasked(s, m):  # a wrong answer: the mask is ignored
    return masked_softmax_ok(s, np.ones_like(m))


def softmax_cell(attack, answer, points=3):
    from lstmcourse import lab08_checks
    return graded_cell(attack, points, lambda: lab08_checks.check_masked_softmax(answer),
                       lambda: hidden().fresh("lab08").check_masked_softmax(answer, hidden=True))


def test_lab08_reference_rebound(monkeypatch):
    from lstmcourse import lab08_checks
    from lstmcourse.grading import lab08_checks as real
    for module in (lab08_checks, real):
        monkeypatch.setitem(module.__dict__, "_masked_softmax", unmasked)
    assert softmax_cell("lab08 masked_softmax: the reference _masked_softmax rebound to the answer", unmasked) == 0


def test_lab08_modules_replaced_in_sys_modules(monkeypatch):
    fake = types.ModuleType("lstmcourse.lab08_checks")
    fake.check_masked_softmax = lambda *a, **k: None
    for name in ("lstmcourse.lab08_checks", "lstmcourse.grading.lab08_checks", "lstmcourse.grading.variant_harness",
                 "lstmcourse.grading.variants"):
        monkeypatch.setitem(sys.modules, name, fake)
    assert graded_cell("lab08 masked_softmax: lab08_checks, variant_harness, variants replaced in sys.modules", 3,
                       lambda: fake.check_masked_softmax(unmasked),
                       lambda: hidden().fresh("lab08").check_masked_softmax(unmasked, hidden=True)) == 0


def test_lab08_answer_key_reached_through_the_shared_harness(monkeypatch):
    from lstmcourse import lab08_checks
    monkeypatch.setattr(sys, "setprofile", lambda fn: None)   # the answer-key guard switched off
    key = lab08_checks._masked_softmax                         # the checks' own reference, called by the answer
    assert softmax_cell("lab08 masked_softmax: sys.setprofile disabled, answer = the checks' own reference",
                        lambda s, m: key(s, m)) == 0


# -- lab 04's race: the check rebuilds each model from Keras's own classes and trains it itself ----------
class FakeHistory:
    history = {"val_loss": [0.17, 0.001]}   # what a cheating fit reports: the gated models "solved" it


def fake_fit(*args, **kwargs):
    return FakeHistory()


def race_answer(gated_trainable=True, model_cls=None, optimizer_cls=None, layers=None, patch=None):
    """A ``make_model``; with ``gated_trainable=False`` the GRU and LSTM are frozen, a wrong answer that an
    honest race fails (only the Dense layer learns: MSE near chance)."""
    def make_model(kind):
        layer = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM, **(layers or {})}[kind](32)
        layer.trainable = gated_trainable or kind == "rnn"
        model = (model_cls or keras.Sequential)([keras.Input((50, 2)), layer, keras.layers.Dense(1)])
        model.compile(optimizer=(optimizer_cls or keras.optimizers.Adam)(0.01, clipnorm=1.0), loss="mse")
        if patch:
            patch(model)
        return model
    return make_model


def lab04_race(make_model):
    """The visible part of lab 04's ``check_race`` cell, as the lab runs it."""
    x_train, y_train = tasks.adding_problem(4000, length=50, seed=1)
    x_val, y_val = tasks.adding_problem(1000, length=50, seed=2)
    models = {kind: checks.race_model(make_model, kind, seed=0) for kind in ("rnn", "gru", "lstm")}
    results = {}
    for kind, model in models.items():
        keras.utils.set_random_seed(0)
        history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=64, verbose=0)
        results[kind] = min(history.history["val_loss"])
    checks.check_adding_comparison(results, baseline=tasks.ADDING_BASELINE_MSE)


#: The race and the honest answers train models (lab 04's race twice per attack, lab 05's Teddy): they run
#: once, in the locked environment (CI's stage 1), not again under Colab's or JAX's versions
#: (LSTMCOURSE_MATRIX=quick), where the checks' code is the same.
trains = pytest.mark.skipif(os.environ.get("LSTMCOURSE_MATRIX") == "quick",
                            reason="trains lab 04's race: run once, in the locked environment (stage 1)")


def race_cell(attack, make_model, visible=None):
    return graded_cell(attack, 3, visible or (lambda: lab04_race(make_model)),
                       lambda: hidden().fresh().check_race(make_model, hidden=True))


class SequentialThatReports(keras.Sequential):
    def fit(self, *args, **kwargs):
        return FakeHistory()

    def train_step(self, data):
        return {"loss": 0.0}

    def evaluate(self, *args, **kwargs):
        return 0.001


class GRU(keras.layers.GRU):   # named GRU, not a GRU: it reads the answer off the input
    def call(self, sequences, initial_state=None, mask=None, training=False):
        return keras.ops.sum(sequences[..., :1] * sequences[..., 1:], axis=1) * keras.ops.ones((1, self.units))


class Adam(keras.optimizers.Adam):   # five updates for every batch: 50 epochs of training in the 10 of the race
    def apply(self, grads, trainable_variables=None):
        for _ in range(5):
            super().apply(grads, trainable_variables)


@trains
def test_race_fit_train_step_evaluate_overridden_on_the_model_object():
    def patch(model):
        model.fit, model.train_step, model.evaluate = fake_fit, lambda data: {"loss": 0.0}, lambda *a, **k: 0.001
    assert race_cell("lab04 race: fit, train_step, evaluate set on the model object, gated layers frozen",
                     race_answer(gated_trainable=False, patch=patch)) == 0


@trains
def test_race_fit_train_step_evaluate_overridden_in_a_subclass():
    assert race_cell("lab04 race: a Sequential subclass overriding fit, train_step, evaluate, gated layers frozen",
                     race_answer(gated_trainable=False, model_cls=SequentialThatReports)) == 0


@trains
def test_race_a_layer_subclass_that_cheats():
    assert race_cell("lab04 race: class GRU(keras.layers.GRU) whose call reads the answer off the input",
                     race_answer(layers={"gru": GRU})) == 0


@trains
def test_race_an_optimizer_subclass():
    assert race_cell("lab04 race: class Adam(keras.optimizers.Adam) taking 5 updates per batch",
                     race_answer(optimizer_cls=Adam)) == 0


@trains
def test_race_keras_model_fit_patched(monkeypatch):
    monkeypatch.setattr(keras.Model, "fit", fake_fit)
    assert race_cell("lab04 race: keras.Model.fit patched to report a solved race, gated layers frozen",
                     race_answer(gated_trainable=False)) == 0


@trains
def test_race_keras_gru_call_patched(monkeypatch):
    monkeypatch.setattr(keras.layers.GRU, "call", GRU.call)
    monkeypatch.setattr(keras.layers.LSTM, "call", GRU.call)
    assert race_cell("lab04 race: keras.layers.GRU.call and LSTM.call patched to read the answer off the input",
                     race_answer()) == 0


@trains
def test_race_results_edited_after_the_race():
    edited = {"rnn": 0.17, "gru": 0.001, "lstm": 0.002}   # typed in after the race: the visible check believes it
    assert race_cell("lab04 race: `results` edited after the race, gated layers frozen",
                     race_answer(gated_trainable=False),
                     visible=lambda: checks.check_adding_comparison(edited, baseline=tasks.ADDING_BASELINE_MSE)) == 0


def test_the_correct_answers_still_earn_their_points():
    """The guards do not cost an honest notebook anything (no false alarm from the integrity check)."""
    def rnn_step(x_t, h_prev, params):
        return np.tanh(x_t @ params[W_] + h_prev @ params[U_] + params[B_])
    assert step_cell("lab01 rnn_step: the correct answer, nothing patched", rnn_step) == 3
    assert bigram_cell("lab07 bigram: the correct answer, nothing patched", bigram_ok) == 3
    assert softmax_cell("lab08 masked_softmax: the correct answer, nothing patched", masked_softmax_ok) == 3


@trains
def test_the_trained_solutions_still_earn_their_points():
    """The same for the checks that train: lab 05's Teddy and lab 04's race."""
    recipe = {"epochs": 8, "batch_size": 64, "learning_rate": 0.01}
    assert graded_cell("lab05 Teddy: the solution (bidirectional, 376 steps)", 4,
                       lambda: checks.check_teddy_tagger(bidirectional, recipe),
                       lambda: hidden().fresh().check_teddy_tagger(bidirectional, recipe, hidden=True)) == 4
    assert race_cell("lab04 race: the solution, nothing patched", race_answer()) == 3


def test_print_the_table():
    assert RESULTS, "run with the attacks above"
    print("\n| attack | points | earned | visible check | hidden check |\n|---|---|---|---|---|")
    for attack, points, earned, seen, stopped in RESULTS:
        print(f"| {attack} | {points} | {earned} | {seen.replace('|', '/')} | {stopped.replace('|', '/')} |")
    honest = [r for r in RESULTS if "nothing patched" in r[0] or "the solution" in r[0]]
    assert all(r[2] == r[1] for r in honest) and all(r[2] == 0 for r in RESULTS if r not in honest)
    assert all(r[4] != "passes" for r in RESULTS if r not in honest), "the hidden part alone must give 0"
