"""No false alarms on the course's own models (issue 22, item 4, a fast subset).

The full test (every model of lessons 01-11 as the lessons train it, over the robustness
run's seeds, gives zero "problem" findings) is too slow for CI on 2 cores. This file runs
a representative set instead: the lessons' architectures on their own tasks, with less
data and fewer epochs, under two seeds. Each must still learn (a score past a threshold,
so the doctor is asked about a model that works) and the doctor must find no problem.

Covered: lesson 01 (the course SimpleRNN cell, one output per step, on the delayed echo), 02 (the
tanh SimpleRNN on the adding problem at T = 10, and the IRNN, ReLU with an identity U, at T = 30,
whose unbounded state the gradient rules must not take for an explosion), 03 (LSTM on the
adding problem; Embedding + LSTM on the long-gap task), 04 (GRU on the adding problem), 05 (two stacked course SimpleRNN cells, delayed XOR), 06 (masked
Bidirectional tagger, Teddy), 07 (masked Embedding + GRU + softmax, surnames by language),
08 (LSTM(32) + Dense on windows of standardised monthly CO2 changes, examined with the
lesson's split by time and both series, so the leakage rules run too), 09 (masked LSTM on
padded token ids, first and last word) and 10 (unmasked Embedding + RNN(LSTMCell) with
return_sequences + Dense logits, loss ignoring the padding class). Two rules were fixed on
the way: ``window_overlap`` flagged lesson 08's validation windows for inputs that reach back
into the training years (the split now says its ``horizon``, and only target steps count), and
``unmasked_padding`` flagged lesson 10's end padding, which a causal model whose loss ignores
the padded targets cannot read.

Not covered: lesson 11's encoder-decoder is a functional ``keras.Model`` with two inputs
(characters and the previous output symbols); ``examine`` takes one input array ``x`` (it
converts it with ``np.asarray`` and runs the rules on (samples, time[, features])), so it
cannot be asked about that model. Lesson 12's models are broken on purpose.
"""
import keras
import numpy as np
import pytest

from lstmcourse import datasets, doctor, lab06_checks, tasks
from lstmcourse.cells import LSTMCell, SimpleRNNCell

L = keras.layers


def _train(build, loss, x, y, epochs, seed, batch_size=32, lr=0.01, clipnorm=1.0):
    keras.utils.set_random_seed(seed)
    model = build()
    model.compile(keras.optimizers.Adam(lr, clipnorm=clipnorm), loss)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def lesson01_delayed_echo(seed):
    """Lesson 01 §6: RNN(SimpleRNNCell(16), return_sequences=True) + Dense(1) per step, Adam(0.01) without
    clipping, on the delayed echo (y_t = x_(t-3) of a +-1 sequence, 20 steps); the score is the lesson's
    accuracy, the share of steps t >= 3 whose prediction has the sign of x_(t-3)."""
    delay, steps = 3, 20
    x = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=(1000, steps, 1)).astype("float32")
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay]
    build = lambda: keras.Sequential([keras.Input((None, 1)), L.RNN(SimpleRNNCell(16), return_sequences=True),  # noqa
                                      L.Dense(1)])
    model = _train(build, "mse", x, y, 8, seed, batch_size=64, clipnorm=None)
    score = float(np.mean(np.sign(np.asarray(model(x))[:, delay:]) == y[:, delay:]))
    return model, x, y, {}, score, 0.9


def lesson02_tanh_adding(seed):
    """Lesson 02 §7: RNN(SimpleRNNCell(32)) (tanh, orthogonal U) + Dense(1), Adam(0.01, clipnorm=1.0),
    on the adding problem at T = 10, the length it learns, with the lesson's 2,000 sequences (with 1,000 it
    stays just above half of chance on seed 7); the score is 1 - MSE / chance-level MSE."""
    x, y = tasks.adding_problem(2000, length=10, seed=seed + 1)
    build = lambda: keras.Sequential([keras.Input((10, 2)), L.RNN(SimpleRNNCell(32)), L.Dense(1)])  # noqa: E731
    model = _train(build, "mse", x, y, 8, seed, batch_size=64)
    score = 1 - float(np.mean((np.asarray(model(x)) - y) ** 2) / tasks.ADDING_BASELINE_MSE)
    return model, x, y, {"target_feature": 0}, score, 0.5


def lesson02_irnn_adding(seed):
    """Lesson 02 §6: the IRNN, RNN(SimpleRNNCell(32, activation="relu", recurrent_initializer="identity"))
    + Dense(1), Adam(0.01, clipnorm=1.0), on the adding problem at T = 30 (where the tanh RNNs fail); a ReLU
    RNN's state is unbounded, so this is the lesson model the gradient rules could mistake for exploding.
    The lesson's 2,000 sequences (with 1,000, seed 2024 stays above a third of chance). The score is
    1 - MSE / chance-level MSE."""
    x, y = tasks.adding_problem(2000, length=30, seed=seed + 1)
    build = lambda: keras.Sequential([keras.Input((30, 2)),  # noqa: E731
                                      L.RNN(SimpleRNNCell(32, activation="relu", recurrent_initializer="identity")),
                                      L.Dense(1)])
    model = _train(build, "mse", x, y, 8, seed, batch_size=64)
    score = 1 - float(np.mean((np.asarray(model(x)) - y) ** 2) / tasks.ADDING_BASELINE_MSE)
    return model, x, y, {"target_feature": 0}, score, 0.5


def lesson03_lstm_adding(seed):
    """Lesson 03 §5: LSTM(32) + Dense(1) on the adding problem (here T = 10)."""
    x, y = tasks.adding_problem(1000, length=10, seed=seed + 1)
    build = lambda: keras.Sequential([keras.Input((10, 2)), L.LSTM(32), L.Dense(1)])  # noqa: E731
    model = _train(build, "mse", x, y, 8, seed)
    score = 1 - float(np.mean((np.asarray(model(x)) - y) ** 2) / y.var())
    return model, x, y, {"target_feature": 0}, score, 0.5


def lesson03_long_gap(seed):
    """Lesson 03 §8: Embedding + LSTM(32) + softmax on the long-gap task with distractors."""
    x, y = tasks.long_gap(1000, gap=6, n_distractors=2, min_gap=2, seed=seed + 3)
    vocab = tasks.long_gap_vocab_size()
    build = lambda: keras.Sequential([keras.Input((8,), dtype="int32"), L.Embedding(vocab, 8), L.LSTM(32),  # noqa
                                      L.Dense(4, activation="softmax")])
    model = _train(build, "sparse_categorical_crossentropy", x, y, 6, seed)
    return model, x, y, {}, float(np.mean(np.asarray(model(x)).argmax(-1) == y)), 0.6


def lesson04_gru_adding(seed):
    """Lesson 04 §4: GRU(32) + Dense(1) on the adding problem (here T = 10)."""
    x, y = tasks.adding_problem(1000, length=10, seed=seed + 1)
    build = lambda: keras.Sequential([keras.Input((10, 2)), L.GRU(32), L.Dense(1)])  # noqa: E731
    model = _train(build, "mse", x, y, 8, seed)
    score = 1 - float(np.mean((np.asarray(model(x)) - y) ** 2) / y.var())
    return model, x, y, {"target_feature": 0}, score, 0.5


def lesson05_stacked(seed):
    """Lesson 05 §2: two stacked course SimpleRNN cells (8 units), sigmoid per step, delayed XOR."""
    x, y = tasks.delayed_xor(1000, length=20, delays=(3, 6), seed=seed + 1)
    build = lambda: keras.Sequential([keras.Input((None, 1)),  # noqa: E731
                                      L.RNN(SimpleRNNCell(8), return_sequences=True),
                                      L.RNN(SimpleRNNCell(8), return_sequences=True),
                                      L.Dense(1, activation="sigmoid")])
    model = _train(build, "binary_crossentropy", x, y, 6, seed)
    score = float(np.mean((np.asarray(model(x)) > 0.5) == (y > 0.5)))
    return model, x, y, {}, score, 0.6


def lesson06_bidirectional_tagger(seed):
    """Lesson 06 §3: masked embedding, Bidirectional(RNN(LSTMCell(16))), softmax per token, Teddy."""
    x, y, pos = tasks.teddy(1000, seed=seed)
    build = lambda: keras.Sequential([keras.Input((None,), dtype="int32"),  # noqa: E731
                                      L.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=True),
                                      L.Bidirectional(L.RNN(LSTMCell(16), return_sequences=True)),
                                      L.Dense(len(tasks.TEDDY_TAGS), activation="softmax")])
    model = _train(build, "sparse_categorical_crossentropy", x, y, 6, seed)
    rows = np.arange(len(x))
    score = float(np.mean(np.asarray(model(x)).argmax(-1)[rows, pos] == y[rows, pos]))
    return model, x, y, {}, score, 0.9


def lesson09_masked_lstm(seed, label="first"):
    """Lesson 09 §3: Embedding(mask_zero=True) + LSTM(16) + sigmoid on padded token ids (lab 06's data);
    the label is whether the first word (or, with ``label="last"``, the last word) is 10 or more."""
    x, y = lab06_checks.last_word_data(1000, seed=seed)
    if label == "first":
        y = (x[:, 0] >= lab06_checks.REVIEW_VOCAB // 2).astype("float32")
    build = lambda: keras.Sequential([keras.Input((None,), dtype="int32"),  # noqa: E731
                                      L.Embedding(lab06_checks.REVIEW_VOCAB, 16, mask_zero=True), L.LSTM(16),
                                      L.Dense(1, activation="sigmoid")])
    model = _train(build, "binary_crossentropy", x, y, 4, seed)
    return model, x, y, {}, float(np.mean((np.asarray(model(x))[:, 0] > 0.5) == (y > 0.5))), 0.9


_SURNAMES = {}


def _surnames():
    """Lesson 07's data (the split of seed 0), loaded once."""
    if not _SURNAMES:
        _SURNAMES["data"] = datasets.surnames(seed=0)
    return _SURNAMES["data"]


def lesson07_names_gru(seed):
    """Lesson 07 §3: Embedding(mask_zero=True) + GRU(32) + softmax over the 16 languages, on 600 surnames
    (padded with 0 to 16 characters); the score is the accuracy minus the majority share."""
    data = _surnames()
    rows = np.random.default_rng(seed).choice(len(data.x_train), 600, replace=False)
    x, y = data.x_train[rows], data.y_train[rows]
    vocab, classes = len(data.vocabulary) + 2, len(data.languages)
    build = lambda: keras.Sequential([keras.Input((None,), dtype="int32"),  # noqa: E731
                                      L.Embedding(vocab, 16, mask_zero=True), L.GRU(32),
                                      L.Dense(classes, activation="softmax")])
    model = _train(build, "sparse_categorical_crossentropy", x, y, 8, seed, lr=0.005)
    majority = np.bincount(y).max() / len(y)
    return model, x, y, {}, float(np.mean(np.asarray(model(x)).argmax(-1) == y) - majority), 0.3


def lesson08_co2_changes(seed):
    """Lesson 08 §3: windows of 24 standardised monthly CO2 changes (scaler fitted on the training years)
    -> LSTM(32) -> Dense(1), split by time as the lesson does (train < 1990 <= validation < 1996). The
    doctor gets the split (window starts, 25 steps each, the last one the target) and both series; the
    score is 1 - MAE / MAE of the naive forecast (no change) on the validation windows."""
    co2 = datasets.co2()
    changes = np.diff(co2.values)
    dates = co2.index[1:]
    train_steps = dates < "1990"
    z = (changes - changes[train_steps].mean()) / changes[train_steps].std()
    window = 24
    x, y = datasets.windows(z, window=window, horizon=1)
    target_dates = dates[window:]
    train = np.flatnonzero(target_dates < "1990")
    val = np.flatnonzero((target_dates >= "1990") & (target_dates < "1996"))
    build = lambda: keras.Sequential([keras.Input((window, 1)), L.LSTM(32), L.Dense(1)])  # noqa: E731
    model = _train(build, "mse", x[train], y[train], 10, seed, lr=0.005)
    mae = np.mean(np.abs(np.asarray(model(x[val]))[:, 0] - y[val, 0]))
    naive = np.mean(np.abs(-changes[train_steps].mean() / changes[train_steps].std() - y[val, 0]))
    split = {"train": train, "val": val, "window": window + 1, "horizon": 1, "series": changes, "scaled": z}
    return model, x[val], y[val], {"split": split, "target_feature": 0}, float(1 - mae / naive), 0.5


def lesson10_char_language_model(seed):
    """Lesson 10 §2: <language> c1 ... cn padded with 0 -> Embedding (no mask) -> RNN(LSTMCell(48),
    return_sequences=True) -> Dense logits, SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    on 800 surnames of <= 12 characters; the score is the unigram baseline's bits per character minus the
    model's (both on the real, non-padding targets)."""
    data, max_chars = _surnames(), 12
    chars = {ch: i + 2 for i, ch in enumerate(data.vocabulary)}
    lang0 = len(data.vocabulary) + 2
    n_tokens = lang0 + len(data.languages)
    keep = [i for i, name in enumerate(data.names_train) if len(name) <= max_chars][:800]
    x = np.zeros((len(keep), max_chars + 1), dtype="int32")
    y = np.zeros_like(x)
    for row, i in enumerate(keep):
        ids = [chars[c] for c in data.names_train[i]]
        x[row, 0], x[row, 1:len(ids) + 1] = lang0 + data.y_train[i], ids
        y[row, :len(ids)], y[row, len(ids)] = ids, 1      # 1: the end token
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    build = lambda: keras.Sequential([keras.Input((None,), dtype="int32"), L.Embedding(n_tokens, 16),  # noqa
                                      L.RNN(LSTMCell(48), return_sequences=True), L.Dense(n_tokens)])
    model = _train(build, loss, x, y, 5, seed, lr=0.02)
    real = y != 0
    unigram = np.bincount(y[real], minlength=n_tokens) / real.sum()
    unigram_bits = -np.mean(np.log2(unigram[y[real]]))
    logits = np.asarray(model(x), dtype="float64")
    log_p = logits - logits.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    bits = -np.mean(np.take_along_axis(log_p, y[..., None], -1)[..., 0][real]) / np.log(2)
    return model, x, y, {}, float(unigram_bits - bits), 0.5


LESSON_MODELS = [lesson01_delayed_echo, lesson02_tanh_adding, lesson02_irnn_adding,
                 lesson03_lstm_adding, lesson03_long_gap, lesson04_gru_adding, lesson05_stacked,
                 lesson06_bidirectional_tagger, lesson07_names_gru, lesson08_co2_changes,
                 lesson10_char_language_model]


@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize("case", LESSON_MODELS, ids=lambda f: f.__name__)
def test_lesson_models_have_no_problem(case, seed):
    model, x, y, kwargs, score, threshold = case(seed)
    assert score > threshold, f"{case.__name__} did not learn (score {score:.3f}): the test would prove nothing"
    findings = doctor.examine(model, x, y, **kwargs)
    assert [f for f in findings if f.severity == "problem"] == [], [str(f) for f in findings]



# Lesson 09's masked LSTM on padded sequences: the gradient at padded steps is zero by design,
# which once read as a vanishing gradient (ratio 1e-6 to 1e-4 over the 30 steps, padding
# included). gradient_flow now measures unpadded samples only, or gives no finding.
@pytest.mark.parametrize("label", ["first", "last"])
def test_masked_lstm_on_padded_sequences_has_no_gradient_alarm(label):
    model, x, y, kwargs, score, threshold = lesson09_masked_lstm(7, label=label)
    assert score > threshold
    assert [f.name for f in doctor.examine(model, x, y) if f.severity == "problem"] == []
