"""Replicas are separate trainings, or refused: every option × every layer kind the lessons use.

The trusted twin of ``train_seeds(..., replicas=True)`` is ``replicas=False``: K plain
``model.fit`` calls, one per seed. For each case of the matrix below, either both give
the same final weights, the same logged history and the same ``per_epoch`` values (to
float round-off), or replicas raise a ``ValueError`` that names the option and says
``replicas=False``. No case is skipped: a new option must be put in one of the two lists.

``test_random_combinations`` draws further cases from the whole option space with a seed
that changes with every commit (printed, so a failure can be replayed with
``LSTMCOURSE_MATRIX_SEED=<seed>``), so the matrix cannot be tuned to.
"""
import os
import subprocess
import zlib

import keras
import numpy as np
import pytest

from lstmcourse import experiments
from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell

SEEDS = [3, 4]
ATOL = 3e-5          # weights after a few steps of training, float32
RTOL = 1e-4          # logged curves
T, FEATURES, VOCAB, CLASSES = 6, 3, 9, 3


# --------------------------------------------------------------------------------------
# Data and the layer kinds of the lessons
# --------------------------------------------------------------------------------------
def _data(n=48):
    rng = np.random.default_rng(0)
    floats = rng.normal(size=(n, T, FEATURES)).astype("float32")
    ids = rng.integers(1, VOCAB, size=(n, T))
    ids[::3, 4:] = 0                                                     # right-padded sequences
    return {
        "floats": floats,
        "ids": ids,
        "regression": (floats[:, 0, :1] + floats[:, -1, 1:2]).astype("float32"),        # (n, 1)
        "classes": (np.argmax(floats[:, -1], axis=1)).astype("int32"),                  # (n,)
        "tags": (ids % CLASSES).astype("int32"),                                        # (n, T)
    }


_LAYER_OPTIONS = ("stateful", "unroll", "go_backwards")   # options of the RNN layer, not of its cell


def _course(cell_class, units):
    def make(seq, **options):
        layer_options = {k: options.pop(k) for k in _LAYER_OPTIONS if k in options}
        return keras.layers.RNN(cell_class(units, **options), return_sequences=seq, **layer_options)
    return make


LAYERS = {   # name -> function(return_sequences, **options) -> recurrent layer
    "SimpleRNN": lambda seq, **o: keras.layers.SimpleRNN(4, return_sequences=seq, **o),
    "LSTM": lambda seq, **o: keras.layers.LSTM(4, return_sequences=seq, **o),
    "GRU": lambda seq, **o: keras.layers.GRU(4, return_sequences=seq, **o),
    "GRU reset_after=False": lambda seq, **o: keras.layers.GRU(3, reset_after=False, return_sequences=seq, **o),
    "course SimpleRNNCell": _course(SimpleRNNCell, 4),
    "course LSTMCell": _course(LSTMCell, 4),
    "course GRUCell": _course(GRUCell, 3),
    "Bidirectional LSTM": lambda seq, **o: keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=seq, **o)),
    "Bidirectional GRU, sum": lambda seq, **o: keras.layers.Bidirectional(
        _course(GRUCell, 3)(seq, **o), merge_mode="sum"),
}


def _recipe(kind, layer_name, head=None, rnn_options=None, embedding=None, extra=(), batch=None):
    """A build function for one of three model kinds; ``extra`` layers go after the recurrent one.
    ``batch``: a fixed batch size in the input (a stateful layer needs one)."""
    rnn_options = rnn_options or {}
    make = LAYERS[layer_name]

    def build():
        if kind == "tagger":
            layers = [keras.Input((T,), dtype="int32"),
                      keras.layers.Embedding(VOCAB, 4, **({"mask_zero": True} | (embedding or {}))),
                      make(True, **rnn_options), *[e() for e in extra],
                      head() if head else keras.layers.Dense(CLASSES, activation="softmax")]
        elif kind == "classifier":
            layers = [keras.Input((T, FEATURES)), make(False, **rnn_options), *[e() for e in extra],
                      head() if head else keras.layers.Dense(CLASSES, activation="softmax")]
        else:
            layers = [keras.Input((T, FEATURES), batch_size=batch), make(False, **rnn_options),
                      *[e() for e in extra], head() if head else keras.layers.Dense(1)]
        return keras.Sequential(layers)

    return build


def _xy(kind, data):
    return {"tagger": (data["ids"], data["tags"]), "classifier": (data["floats"], data["classes"]),
            "regressor": (data["floats"], data["regression"])}[kind]


_LOSS = {"tagger": "sparse_categorical_crossentropy", "classifier": "sparse_categorical_crossentropy",
         "regressor": "mse"}


# --------------------------------------------------------------------------------------
# The options. Each: kind of model, how it changes the recipe, the train_seeds arguments.
# --------------------------------------------------------------------------------------
def _mean_prediction(model):
    return float(np.mean(np.asarray(model(_data()["floats"][:8]))))


EQUAL = {
    "defaults": dict(kind="regressor"),
    "shuffle=False": dict(kind="regressor", fit=dict(shuffle=False)),
    "validation_data": dict(kind="classifier", fit=dict(metrics=["accuracy"], validation=True)),
    "metrics instance + class": dict(kind="classifier", fit=dict(
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc"), keras.metrics.SparseTopKCategoricalAccuracy])),
    "mask_zero (masked loss and metrics)": dict(kind="tagger", fit=dict(metrics=["accuracy"])),
    "ignore_class=0, no mask": dict(kind="tagger", embedding={"mask_zero": False},
                                    fit=dict(loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0))),
    "ignore_class with logits head": dict(kind="tagger", embedding={"mask_zero": False},
                                          head=lambda: keras.layers.Dense(CLASSES),
                                          fit=dict(loss=keras.losses.SparseCategoricalCrossentropy(
                                              from_logits=True, ignore_class=0))),
    "sample_weight": dict(kind="regressor", fit=dict(sample_weight=np.linspace(0.1, 2.0, 48).astype("float32"))),
    "class_weight": dict(kind="classifier", fit=dict(class_weight={0: 1.0, 1: 3.0, 2: 0.5})),
    "reduction='sum'": dict(kind="regressor", fit=dict(loss=keras.losses.MeanSquaredError(reduction="sum"))),
    "sigmoid head, binary loss": dict(kind="regressor", head=lambda: keras.layers.Dense(1, activation="sigmoid"),
                                      y=lambda d: (d["regression"] > 0).astype("float32"),
                                      fit=dict(loss="binary_crossentropy", metrics=["accuracy"])),
    "clipnorm": dict(kind="tagger", fit=dict(optimizer=lambda: keras.optimizers.Adam(0.02, clipnorm=0.05))),
    "global_clipnorm": dict(kind="tagger", fit=dict(optimizer=lambda: keras.optimizers.Adam(0.02, global_clipnorm=0.1))),
    "clipvalue": dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.Adam(0.02, clipvalue=0.01))),
    "SGD with momentum": dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.SGD(0.05, momentum=0.9))),
    "RMSprop": dict(kind="tagger", fit=dict(optimizer=lambda: keras.optimizers.RMSprop(0.01))),
    "AdamW": dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.AdamW(0.01, weight_decay=0.1))),
    "Adagrad": dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.Adagrad(0.05))),
    "Nadam": dict(kind="classifier", fit=dict(optimizer=lambda: keras.optimizers.Nadam(0.01))),
    "Adamax": dict(kind="tagger", fit=dict(optimizer=lambda: keras.optimizers.Adamax(0.02))),
    "Lion": dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.Lion(0.001))),
    "LearningRateScheduler": dict(kind="regressor", fit=dict(callbacks=lambda: [
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.02 / (1 + epoch))])),
    "per_epoch": dict(kind="regressor", fit=dict(per_epoch={"mean_prediction": _mean_prediction})),
    "Dropout layer": dict(kind="regressor", extra=(lambda: keras.layers.Dropout(0.3),)),
    "SpatialDropout1D": dict(kind="tagger", extra=(lambda: keras.layers.SpatialDropout1D(0.3),)),
    "kernel_constraint on the head": dict(kind="regressor", head=lambda: keras.layers.Dense(
        1, kernel_constraint=keras.constraints.MaxNorm(0.05))),
    "constraints in the recurrent layer": dict(kind="regressor", rnn=dict(
        recurrent_constraint=keras.constraints.MaxNorm(0.2), kernel_constraint=keras.constraints.NonNeg())),
    "pooling after the sequence": dict(kind="tagger", head=lambda: keras.layers.Dense(CLASSES, activation="softmax"),
                                       extra=(lambda: keras.layers.GlobalAveragePooling1D(),),
                                       y=lambda d: d["classes"]),
}

REFUSED = {   # option -> (what the message must name, model kind, changes)
    "Adafactor": ("optimizer=Adafactor", dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.Adafactor()))),
    "Lamb": ("optimizer=Lamb", dict(kind="regressor", fit=dict(optimizer=lambda: keras.optimizers.Lamb()))),
    "LossScaleOptimizer": ("optimizer=LossScaleOptimizer", dict(kind="regressor", fit=dict(
        optimizer=lambda: keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam())))),
    "a subclassed optimizer": ("optimizer=MyAdam", dict(kind="regressor", fit=dict(optimizer=lambda: type(
        "MyAdam", (keras.optimizers.Adam,), {})()))),
    "EarlyStopping": ("callbacks=[EarlyStopping]", dict(kind="regressor", fit=dict(callbacks=lambda: [
        keras.callbacks.EarlyStopping(patience=0)]))),
    "ReduceLROnPlateau": ("callbacks=[ReduceLROnPlateau]", dict(kind="regressor", fit=dict(callbacks=lambda: [
        keras.callbacks.ReduceLROnPlateau()]))),
    "TerminateOnNaN": ("callbacks=[TerminateOnNaN]", dict(kind="regressor", fit=dict(callbacks=lambda: [
        keras.callbacks.TerminateOnNaN()]))),
    "kernel_regularizer": ("kernel_regularizer", dict(kind="regressor", rnn=dict(kernel_regularizer="l2"))),
    "activity_regularizer on the head": ("activity_regularizer", dict(kind="regressor", head=lambda: keras.layers.Dense(
        1, activity_regularizer="l2"))),
    "recurrent_dropout": ("recurrent_dropout", dict(kind="regressor", rnn=dict(recurrent_dropout=0.2))),
    "cell dropout": ("dropout", dict(kind="regressor", rnn=dict(dropout=0.2))),
    "BatchNormalization": ("BatchNormalization", dict(kind="regressor", extra=(
        lambda: keras.layers.BatchNormalization(),))),
    "stateful": ("stateful=True", dict(kind="regressor", rnn=dict(stateful=True), batch=16)),
}


def _run(layer_name, case, replicas):
    data = _data()
    build = _recipe(case["kind"], layer_name, head=case.get("head"), rnn_options=case.get("rnn"),
                    embedding=case.get("embedding"), extra=case.get("extra", ()), batch=case.get("batch"))
    x, y = _xy(case["kind"], data)
    if "y" in case:
        y = case["y"](data)
    fit = dict(case.get("fit", {}))
    kwargs = dict(loss=fit.pop("loss", _LOSS[case["kind"]]), seeds=SEEDS, epochs=2, batch_size=16,
                  optimizer=fit.pop("optimizer", lambda: keras.optimizers.Adam(0.02)))
    if fit.pop("validation", False):
        kwargs["validation_data"] = (x[:16], y[:16])
    if "callbacks" in fit:
        fit["callbacks"] = fit["callbacks"]()
    return experiments.train_seeds(build, x, y, replicas=replicas, **kwargs, **fit)


def _assert_equal(together, alone, label):
    assert together.method == "replicas" and alone.method == "separate"
    assert set(together.history) == set(alone.history), label
    for name in alone.history:
        np.testing.assert_allclose(together.history[name], alone.history[name], rtol=RTOL, atol=1e-6,
                                   err_msg=f"{label}: history[{name!r}]")
    for i in range(len(SEEDS)):
        for a, b in zip(together.model(i).get_weights(), alone.model(i).get_weights()):
            assert a.shape == b.shape
            assert np.max(np.abs(a - b)) < ATOL, f"{label}: seed {SEEDS[i]} weights differ by {np.max(np.abs(a - b))}"


# The defaults run with every layer kind; every other option with three of them, rotating,
# so that each layer kind meets a third of the options (the full product would take ~15 min).
# CI's other environments (Colab's versions, JAX) set LSTMCOURSE_MATRIX=quick: every option
# with one layer kind and every layer kind with the defaults, to stay within CI's time.
_ALL_LAYERS = list(LAYERS)
_PER_OPTION = 1 if os.environ.get("LSTMCOURSE_MATRIX") == "quick" else 3
MATRIX = [("defaults", layer) for layer in _ALL_LAYERS] + [
    (option, _ALL_LAYERS[(3 * i + j) % len(_ALL_LAYERS)])
    for i, option in enumerate(o for o in EQUAL if o != "defaults") for j in range(_PER_OPTION)]


@pytest.mark.parametrize("option,layer", MATRIX, ids=[f"{o} | {lay}" for o, lay in MATRIX])
def test_replicas_equal_separate_fits(option, layer):
    case = EQUAL[option]
    _assert_equal(_run(layer, case, True), _run(layer, case, False), f"{option} | {layer}")


REFUSED_MATRIX = [(option, layer) for option in REFUSED
                  for layer in ("LSTM", "course GRUCell", "Bidirectional LSTM")[:_PER_OPTION]]


@pytest.mark.parametrize("option,layer", REFUSED_MATRIX, ids=[f"{o} | {lay}" for o, lay in REFUSED_MATRIX])
def test_replicas_refuse_what_they_cannot_reproduce(option, layer):
    named, case = REFUSED[option]
    with pytest.raises(ValueError) as info:
        _run(layer, case, True)
    message = str(info.value)
    assert named in message and "replicas=False" in message, message


@pytest.mark.parametrize("option", ["EarlyStopping", "kernel_regularizer", "recurrent_dropout"])
def test_refused_options_still_train_separately(option):
    """What replicas refuse, ``replicas=False`` trains."""
    runs = _run("LSTM", REFUSED[option][1], False)
    assert runs.method == "separate" and np.all(np.isfinite(runs.history["loss"]))


def _matrix_seed():
    if os.environ.get("LSTMCOURSE_MATRIX_SEED"):
        return int(os.environ["LSTMCOURSE_MATRIX_SEED"])
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=os.path.dirname(__file__)).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = "no-git"
    return zlib.crc32(head.encode())


def test_random_combinations():
    """Three cases drawn from the whole space (several equal options at once), seed per commit."""
    seed = _matrix_seed()
    print(f"LSTMCOURSE_MATRIX_SEED={seed}")
    rng = np.random.default_rng(seed)
    combinable = {name: case for name, case in EQUAL.items() if name != "defaults"}
    for _ in range(3):
        layer = _ALL_LAYERS[rng.integers(len(_ALL_LAYERS))]
        kind = ["regressor", "classifier", "tagger"][rng.integers(3)]
        options = [n for n, c in combinable.items() if c["kind"] == kind and "y" not in c and "head" not in c
                   and "embedding" not in c and "loss" not in c.get("fit", {})]
        picked = list(rng.choice(options, size=min(3, len(options)), replace=False))
        case = {"kind": kind, "fit": {}, "extra": (), "rnn": {}}
        for name in picked:
            for key, value in EQUAL[name].items():
                if key == "fit":
                    case["fit"].update(value)
                elif key == "extra":
                    case["extra"] = case["extra"] + tuple(value)
                elif key == "rnn":
                    case["rnn"].update(value)
        label = f"seed {seed}: {layer}, {kind}, {picked}"
        _assert_equal(_run(layer, case, True), _run(layer, case, False), label)
