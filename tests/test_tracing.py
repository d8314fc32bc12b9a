"""lstmcourse.trace reproduces the layer's own outputs, gate by gate."""
import keras
import numpy as np
import pytest

import lstmcourse
from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell

X = np.random.default_rng(0).normal(size=(3, 7, 5)).astype("float32")
UNITS = 4

LAYERS = {
    "builtin-LSTM": lambda **kw: keras.layers.LSTM(UNITS, return_sequences=True, **kw),
    "course-LSTM": lambda **kw: keras.layers.RNN(LSTMCell(UNITS), return_sequences=True, **kw),
    "builtin-GRU": lambda **kw: keras.layers.GRU(UNITS, return_sequences=True, **kw),
    "builtin-GRU-reset_before": lambda **kw: keras.layers.GRU(UNITS, return_sequences=True, reset_after=False, **kw),
    "course-GRU": lambda **kw: keras.layers.RNN(GRUCell(UNITS), return_sequences=True, **kw),
    "builtin-SimpleRNN": lambda **kw: keras.layers.SimpleRNN(UNITS, return_sequences=True, **kw),
    "course-SimpleRNN": lambda **kw: keras.layers.RNN(SimpleRNNCell(UNITS), return_sequences=True, **kw),
}


@pytest.mark.parametrize("name", LAYERS)
def test_traced_h_is_the_layer_output(name):
    layer = LAYERS[name]()
    tr = lstmcourse.trace(layer, X)
    for value in tr.values():
        assert value.shape == (3, 7, UNITS)
    np.testing.assert_allclose(tr["h"], np.asarray(layer(X)), atol=1e-6)


@pytest.mark.parametrize("name", ["builtin-LSTM", "course-LSTM"])
def test_lstm_h_from_traced_output_gate_and_cell(name):
    tr = lstmcourse.trace(LAYERS[name](), X)
    np.testing.assert_allclose(tr["h"], tr["output_gate"] * np.tanh(tr["cell_state"]), atol=1e-6)
    c_prev = np.concatenate([np.zeros_like(tr["cell_state"][:, :1]), tr["cell_state"][:, :-1]], axis=1)
    expected_c = tr["forget_gate"] * c_prev + tr["input_gate"] * tr["candidate"]
    np.testing.assert_allclose(tr["cell_state"], expected_c, atol=1e-6)


def test_gru_h_from_traced_gates():
    tr = lstmcourse.trace(LAYERS["builtin-GRU"](), X)
    h_prev = np.concatenate([np.zeros_like(tr["h"][:, :1]), tr["h"][:, :-1]], axis=1)
    z = tr["update_gate"]
    np.testing.assert_allclose(tr["h"], z * h_prev + (1 - z) * tr["candidate"], atol=1e-6)


def test_trace_with_mask_and_go_backwards():
    mask = np.ones(X.shape[:2], dtype=bool)
    mask[0, 5:] = False
    mask[2, 2] = False
    layer = LAYERS["builtin-LSTM"]()
    tr = lstmcourse.trace(layer, X, mask=mask)
    expected = np.asarray(layer(X, mask=mask))
    np.testing.assert_allclose(tr["h"][:, -1], expected[:, -1], atol=1e-6)
    assert np.isnan(tr["forget_gate"][0, 5:]).all() and not np.isnan(tr["forget_gate"][1]).any()
    backwards = LAYERS["course-GRU"](go_backwards=True)
    np.testing.assert_allclose(lstmcourse.trace(backwards, X)["h"], np.asarray(backwards(X)), atol=1e-6)


def test_trace_of_a_trained_model_layer_leaves_training_unchanged():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((7, 5)), keras.layers.RNN(LSTMCell(UNITS)), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    y = X.sum(axis=(1, 2))[:, None]
    model.fit(X, y, epochs=2, verbose=0)
    before = [w.copy() for w in model.get_weights()]
    tr = lstmcourse.trace(model.layers[0], X)
    np.testing.assert_allclose(tr["h"][:, -1], np.asarray(model.layers[0](X)), atol=1e-6)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_trace_rejects_what_it_cannot_follow():
    bi = keras.layers.Bidirectional(keras.layers.LSTM(2))
    bi(X)
    with pytest.raises(TypeError, match="forward_layer"):
        lstmcourse.trace(bi, X)
    stacked = keras.layers.RNN([LSTMCell(2), LSTMCell(2)])
    stacked(X)
    with pytest.raises(TypeError, match="one cell at a time"):
        lstmcourse.trace(stacked, X)
    with pytest.raises(ValueError, match=r"Received: x\.shape=\(7, 5\)"):
        lstmcourse.trace(keras.layers.LSTM(2), X[0])


def test_peephole_lstm():
    layer = keras.layers.RNN(LSTMCell(UNITS, peephole=True), return_sequences=True)
    plain = keras.layers.LSTM(UNITS, return_sequences=True)
    out = layer(X)
    plain(X)
    assert [w.shape for w in layer.get_weights()][-1] == (3, UNITS)
    plain.set_weights(layer.get_weights()[:3])
    # zero peepholes (the initial value): exactly the plain LSTM
    np.testing.assert_array_equal(np.asarray(out), np.asarray(plain(X)))
    # non-zero peepholes change the result, and trace still reproduces it
    layer.cell.peephole_kernel.assign(np.full((3, UNITS), 0.5, "float32"))
    tr = lstmcourse.trace(layer, X)
    np.testing.assert_allclose(tr["h"], np.asarray(layer(X)), atol=1e-6)
    assert np.max(np.abs(tr["h"] - np.asarray(plain(X)))) > 1e-3
    clone = LSTMCell.from_config(layer.cell.get_config())
    assert clone.peephole is True
