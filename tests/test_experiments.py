"""lstmcourse.experiments: K replicas trained together == K separate trainings.

The trusted twin of a replica is the same model trained alone with ``model.fit`` from
the same initial weights (``replicas=False``, no shuffling, no dropout). After a few
epochs of Adam with clipping, every weight must agree to float tolerance.
"""
import keras
import numpy as np
import pytest

from lstmcourse import experiments, tasks
from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell

ATOL = 2e-5


def _max_weight_difference(a, b):
    return max(float(np.max(np.abs(p - q))) for p, q in zip(a.get_weights(), b.get_weights()))


def _both(build, x, y, seeds=3, **kwargs):
    kwargs = {"epochs": 2, "batch_size": 32, "shuffle": False, **kwargs}
    together = experiments.train_seeds(build, x, y, seeds=seeds, **kwargs)
    alone = experiments.train_seeds(build, x, y, seeds=seeds, replicas=False, **kwargs)
    return together, alone


def _adding(n=96, length=8):
    return tasks.adding_problem(n, length=length, seed=0)


REGRESSORS = {
    "built-in LSTM": lambda: keras.layers.LSTM(6),
    "built-in GRU": lambda: keras.layers.GRU(5),
    "GRU reset_after=False": lambda: keras.layers.GRU(5, reset_after=False),
    "course IRNN cell": lambda: keras.layers.RNN(SimpleRNNCell(6, activation="relu", recurrent_initializer="identity")),
    "course LSTM cell": lambda: keras.layers.RNN(LSTMCell(5)),
    "course GRU cell": lambda: keras.layers.RNN(GRUCell(4)),
}


@pytest.mark.parametrize("name", list(REGRESSORS))
def test_replicas_equal_separate_training_regression(name):
    x, y = _adding()
    def build():
        return keras.Sequential([keras.Input((8, 2)), REGRESSORS[name](), keras.layers.Dense(1)])

    together, alone = _both(build, x, y, loss="mse", optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0),
                            validation_data=_adding(32))
    for i in range(3):
        assert _max_weight_difference(together.model(i), alone.model(i)) < ATOL, (name, i)
    np.testing.assert_allclose(together.history["val_loss"], alone.history["val_loss"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(together.history["loss"], alone.history["loss"], rtol=1e-4, atol=1e-6)


def test_replicas_equal_separate_training_masked_bidirectional_tagger():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 12, size=(96, 7))
    x[::3, 5:] = 0                                                 # padded sequences
    y = (x % 3).astype("int32")

    def build():
        return keras.Sequential([
            keras.Input((7,), dtype="int32"),
            keras.layers.Embedding(12, 4, mask_zero=True),
            keras.layers.Bidirectional(keras.layers.RNN(LSTMCell(3), return_sequences=True)),
            keras.layers.Dense(3, activation="softmax"),
        ])

    together, alone = _both(build, x, y, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                            optimizer=keras.optimizers.Adam(0.02))
    for i in range(3):
        assert _max_weight_difference(together.model(i), alone.model(i)) < ATOL, i
    np.testing.assert_allclose(together.history["accuracy"], alone.history["accuracy"], atol=1e-6)
    np.testing.assert_allclose(together.history["loss"], alone.history["loss"], rtol=1e-4)


def test_replicas_equal_separate_training_stacked_classifier_with_pooling():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(96, 6, 3)).astype("float32")
    y = (x[:, 0, 0] > 0).astype("float32")[:, None]

    def build():
        return keras.Sequential([
            keras.Input((6, 3)),
            keras.layers.SimpleRNN(4, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True), merge_mode="sum"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ])

    together, alone = _both(build, x, y, loss="binary_crossentropy", metrics=["accuracy"])
    for i in range(3):
        assert _max_weight_difference(together.model(i), alone.model(i)) < ATOL, i


def test_replicas_are_independent_of_how_many_are_trained():
    """The first 3 replicas end the same whether 3 or 5 are trained together."""
    x, y = _adding()
    def build():
        return keras.Sequential([keras.Input((8, 2)), keras.layers.LSTM(4), keras.layers.Dense(1)])

    kwargs = dict(loss="mse", optimizer=keras.optimizers.Adam(0.01, clipnorm=0.5), epochs=2, batch_size=32)
    three = experiments.train_seeds(build, x, y, seeds=[3, 4, 5], **kwargs)
    five = experiments.train_seeds(build, x, y, seeds=[3, 4, 5, 6, 7], **kwargs)
    for i in range(3):
        assert _max_weight_difference(three.model(i), five.model(i)) < ATOL
    np.testing.assert_allclose(three.history["loss"], five.history["loss"][:3], rtol=1e-5)


def test_each_replica_starts_from_its_seeds_weights():
    x, y = _adding()
    def build():
        return keras.Sequential([keras.Input((8, 2)), keras.layers.GRU(3), keras.layers.Dense(1)])

    runs = experiments.train_seeds(build, x, y, seeds=[11, 12], loss="mse", epochs=1,
                                   optimizer=keras.optimizers.SGD(0.0))
    for i, seed in enumerate([11, 12]):
        keras.utils.set_random_seed(seed)
        fresh = build()
        assert _max_weight_difference(runs.model(i), fresh) == 0.0


def test_dropout_between_stacked_layers_equals_separate_training():
    """Each replica keeps its own dropout stream: the masks a separate fit would draw."""
    x, y = _adding()
    def build():
        return keras.Sequential([keras.Input((8, 2)), keras.layers.LSTM(4, return_sequences=True),
                                 keras.layers.Dropout(0.3), keras.layers.LSTM(4), keras.layers.Dense(1)])

    together, alone = _both(build, x, y, loss="mse", shuffle=True)
    for i in range(3):
        assert _max_weight_difference(together.model(i), alone.model(i)) < ATOL, i
    np.testing.assert_allclose(together.history["loss"], alone.history["loss"], rtol=1e-4)


def test_seed_runs_summaries():
    runs = experiments.SeedRuns([0, 1, 2], {"val_loss": np.array([[0.5, 0.2, 0.3], [0.5, 0.4, 0.45], [0.1, 0.05, 0.02]]),
                                            "val_accuracy": np.array([[0.5, 0.9, 0.8], [0.5, 0.6, 0.7], [1.0, 1.0, 1.0]])},
                                 1.0, "separate")
    np.testing.assert_allclose(runs.best("val_loss"), [0.2, 0.4, 0.02])
    np.testing.assert_allclose(runs.final("val_loss"), [0.3, 0.45, 0.02])
    np.testing.assert_allclose(runs.best("val_accuracy"), [0.9, 0.7, 1.0])
    np.testing.assert_allclose(runs.epochs_to("val_loss", 0.25), [2, np.nan, 1])
    np.testing.assert_allclose(runs.epochs_to("val_accuracy", 0.8), [2, np.nan, 1])
    assert experiments.spread(runs.best("val_loss")) == "0.200 (0.020–0.400, 3 seeds)"


def test_bad_arguments_are_named():
    x, y = _adding()
    with pytest.raises(ValueError, match="seeds=0"):
        experiments.train_seeds(lambda: None, x, y, seeds=0, loss="mse")
    with pytest.raises(ValueError, match="distinct"):
        experiments.train_seeds(lambda: None, x, y, seeds=[1, 1], loss="mse")
    with pytest.raises(TypeError, match="keras.Sequential"):
        def functional():
            inputs = keras.Input((8, 2))
            return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(2)(inputs)))
        experiments.train_seeds(functional, x, y, seeds=2, loss="mse", epochs=1)
    with pytest.raises(ValueError, match="Conv1D"):
        experiments.train_seeds(lambda: keras.Sequential([keras.Input((8, 2)), keras.layers.Conv1D(2, 3),
                                                          keras.layers.Dense(1)]), x, y, seeds=2, loss="mse")
    with pytest.raises(TypeError, match=r"per_epoch\['test'\]=3"):
        experiments.train_seeds(lambda: None, x, y, seeds=2, loss="mse", per_epoch={"test": 3})


def test_plots_draw_every_seed():
    import matplotlib

    matplotlib.use("Agg")
    runs = experiments.SeedRuns([0, 1], {"loss": np.array([[1.0, 0.5], [0.9, 0.7]])}, 0.1, "separate")
    ax = experiments.plot_curves(runs, "loss", label="LSTM")
    assert len(ax.lines) == 3                                     # median + one per seed
    ax = experiments.plot_spread({"a": [1, 2, 3], "b": [2, 3, 4]}, reference=2.5, reference_label="chance")
    assert len(ax.collections) == 2 and [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]


def test_each_replica_gets_its_own_metric_object():
    """A metric instance or class passed in is copied per seed, never shared."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 5, 2)).astype("float32")
    y = (x[:, -1, 0] > 0).astype("float32")[:, None]

    def build():
        return keras.Sequential([keras.Input((5, 2)), keras.layers.GRU(3), keras.layers.Dense(1, activation="sigmoid")])

    kwargs = dict(loss="binary_crossentropy", epochs=2, batch_size=32, shuffle=False)
    by_name = experiments.train_seeds(build, x, y, seeds=3, metrics=["accuracy"], **kwargs)
    by_instance = experiments.train_seeds(build, x, y, seeds=3, metrics=[keras.metrics.BinaryAccuracy(name="accuracy")],
                                          **kwargs)
    by_class = experiments.train_seeds(build, x, y, seeds=3, metrics=[keras.metrics.BinaryAccuracy], **kwargs)
    np.testing.assert_allclose(by_instance.history["accuracy"], by_name.history["accuracy"])
    np.testing.assert_allclose(by_class.history["binary_accuracy"], by_name.history["accuracy"])


def test_one_dimensional_targets_work_as_in_a_single_model():
    """y of shape (n,) with a Dense(1) head: compile accepts it, so replicas must too."""
    x, y = _adding(64)
    def build():
        return keras.Sequential([keras.Input((8, 2)), keras.layers.GRU(3), keras.layers.Dense(1)])

    kwargs = dict(loss="mse", seeds=2, epochs=1, batch_size=32, shuffle=False)
    flat = experiments.train_seeds(build, x, y[:, 0], **kwargs)
    column = experiments.train_seeds(build, x, y, **kwargs)
    alone = experiments.train_seeds(build, x, y[:, 0], replicas=False, **kwargs)
    np.testing.assert_allclose(flat.history["loss"], column.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(flat.history["loss"], alone.history["loss"], rtol=1e-4)
