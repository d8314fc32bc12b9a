"""lstmcourse.tasks, .diagnostics and .plots."""
import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import lstmcourse  # noqa: E402
from lstmcourse import diagnostics, plots, tasks  # noqa: E402
from lstmcourse.cells import LSTMCell, SimpleRNNCell  # noqa: E402
from lstmcourse.reference import params_from_layer  # noqa: E402


# -- tasks -------------------------------------------------------------------------
def test_adding_problem_labels_and_baseline():
    x, y = tasks.adding_problem(4000, length=30, seed=1)
    assert x.shape == (4000, 30, 2) and y.shape == (4000, 1) and x.dtype == np.float32
    assert (x[..., 1].sum(axis=1) == 2).all()
    first_half = x[:, :15, 1].sum(axis=1)
    assert (first_half == 1).all(), "one marker in each half"
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * x[..., 1]).sum(axis=1), rtol=1e-6)
    baseline = np.mean((y - 1.0) ** 2)
    assert abs(baseline - tasks.ADDING_BASELINE_MSE) < 0.01


def test_copy_memory_labels():
    x, y = tasks.copy_memory(100, n_symbols=5, length=3, delay=7, seed=2)
    assert x.shape == y.shape == (100, 13)
    np.testing.assert_array_equal(y[:, -3:], x[:, :3])
    assert (x[:, 3 + 7] == 1).all() and (y[:, :-3] == 0).all()
    assert x[:, :3].min() >= 2 and x[:, :3].max() <= 6


@pytest.mark.parametrize("gap", [1, 10, 50])
def test_long_gap_labels_and_balance(gap):
    x, y = tasks.long_gap(4000, gap=gap, n_classes=4, seed=3)
    assert x.shape == (4000, gap + 2) and y.shape == (4000,)
    np.testing.assert_array_equal(x[:, 0], y + 1)
    assert x.max() < tasks.long_gap_vocab_size(4) and x.min() >= 1
    counts = np.bincount(y, minlength=4) / len(y)
    assert np.all(np.abs(counts - 0.25) < 0.03), counts
    # only the first token is informative: fillers are independent of the label
    assert abs(np.corrcoef(x[:, 1], y)[0, 1]) < 0.05


def test_teddy_tags_depend_only_on_the_right_context():
    x, y, pos = tasks.teddy(2000, seed=4)
    ids = {w: i for i, w in enumerate(tasks.TEDDY_VOCAB)}
    assert (x[np.arange(2000), pos] == ids["teddy"]).all()
    tags = y[np.arange(2000), pos]
    assert set(np.unique(tags)) == {1, 2}
    assert abs(np.mean(tags == 1) - 0.5) < 0.05
    assert (np.delete(y.ravel(), np.ravel_multi_index((np.arange(2000), pos), y.shape)) == 0).all()
    # the prefixes (left context) have the same distribution for both tags
    left = {tag: sorted({tuple(x[i, : pos[i]]) for i in range(2000) if tags[i] == tag}) for tag in (1, 2)}
    assert left[1] == left[2]
    # the word after "teddy" decides
    after = x[np.arange(2000), pos + 1]
    assert set(after[tags == 1]).isdisjoint(set(after[tags == 2]))


def test_delayed_xor_labels():
    x, y = tasks.delayed_xor(500, length=20, delays=(3, 6), seed=7)
    assert x.shape == y.shape == (500, 20, 1)
    for t in range(6, 20):
        np.testing.assert_array_equal(y[:, t, 0], np.logical_xor(x[:, t - 3, 0], x[:, t - 6, 0]))
    assert (y[:, :6] == 0).all() and abs(y[:, 6:].mean() - 0.5) < 0.03
    with pytest.raises(ValueError, match=r"Received: delays=\(3, 30\)"):
        tasks.delayed_xor(5, length=20, delays=(3, 30))


@pytest.mark.parametrize("fn", [tasks.adding_problem, tasks.long_gap, tasks.copy_memory, tasks.delayed_xor])
def test_tasks_are_deterministic_and_validate(fn):
    a, b = fn(10, seed=5), fn(10, seed=5)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(fn(10, seed=6)[0], a[0])
    with pytest.raises(ValueError, match=r"`n` must be a positive integer\. Received: n=0"):
        fn(0)


# -- diagnostics ----------------------------------------------------------------------
def test_reference_norms_hand_computed_case():
    # zero inputs and zero state: h_t = 0, tanh'(0) = 1, so each step back multiplies by U^T
    U = np.array([[0.5, 0.0], [0.0, 2.0]])
    params = {"kernel": np.zeros((1, 2)), "recurrent_kernel": U}
    norms = diagnostics.reference_state_gradient_norms("rnn", np.zeros((1, 4, 1)), params, upstream=np.array([[1.0, 0.0]]))
    np.testing.assert_allclose(norms, [0.125, 0.25, 0.5, 1.0])
    norms = diagnostics.reference_state_gradient_norms("rnn", np.zeros((1, 4, 1)), params, upstream=np.array([[0.0, 1.0]]))
    np.testing.assert_allclose(norms, [8.0, 4.0, 2.0, 1.0])


@pytest.mark.parametrize("kind,make", [("rnn", lambda: keras.layers.SimpleRNN(4)),
                                       ("lstm", lambda: keras.layers.RNN(LSTMCell(4))),
                                       ("gru", lambda: keras.layers.GRU(4))])
def test_keras_norms_equal_reference_norms(kind, make):
    x = np.random.default_rng(0).normal(size=(3, 9, 2)).astype("float32")
    layer = make()
    layer(x)
    keras_norms = diagnostics.state_gradient_norms(layer, x)
    ref_norms = diagnostics.reference_state_gradient_norms(kind, x, params_from_layer(layer))
    assert keras_norms.shape == (9,)
    np.testing.assert_allclose(keras_norms, ref_norms, rtol=1e-4)


def test_model_norms_use_the_compiled_loss():
    x = np.random.default_rng(1).normal(size=(4, 6, 3)).astype("float32")
    y = np.ones((4, 1), "float32")
    model = keras.Sequential([keras.Input((6, 3)), keras.layers.Dense(3),
                              keras.layers.RNN(SimpleRNNCell(5)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    norms = diagnostics.state_gradient_norms(model, x, y)
    assert norms.shape == (6,) and np.all(norms > 0)
    with pytest.raises(ValueError, match="Pass `y`"):
        diagnostics.state_gradient_norms(model, x)
    with pytest.raises(TypeError, match="recurrent layer"):
        diagnostics.state_gradient_norms(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]), x)


# -- plots ----------------------------------------------------------------------------
def test_plots_draw_and_label_their_axes():
    ax = plots.plot_gradient_norms({"rnn": np.logspace(-5, 0, 10), "lstm": np.ones(10)})
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 2
    tr = lstmcourse.trace(keras.layers.LSTM(3), np.zeros((1, 5, 2), "float32"))
    axes = plots.plot_gate_heatmaps(tr, names=["forget_gate", "cell_state"], tokens=list("abcde"))
    assert len(axes) == 2 and axes[-1].get_xlabel() == "time step"
    assert [t.get_text() for t in axes[-1].get_xticklabels()] == list("abcde")
    ax = plots.plot_histories({"a": {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2]}}, baseline=2.5)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert len(ax.get_lines()) == 3
    plt.close("all")
