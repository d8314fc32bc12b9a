"""The cells, `trace` and the reference on any Keras backend: nothing here imports TensorFlow.

`python3 course.py test` runs this file on TensorFlow; `python3 course.py test-jax` runs it
(with the other backend-neutral test files, course.py's JAX_TESTS) under KERAS_BACKEND=jax
in an environment without TensorFlow. Gradients are compared through training steps
(`train_on_batch`) and through `lstmcourse.diagnostics`, whose one backend-specific
function asks the backend in use for them.
"""
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import lstmcourse
from lstmcourse import diagnostics
from lstmcourse.reference import gru_forward, lstm_forward, params_from_layer, rnn_forward
from tests.twins import TWINS, copy_weights, random_inputs

UNITS = 4
BACKEND = keras.backend.backend()


@pytest.fixture(params=TWINS, ids=str)
def twin(request):
    return request.param


def assert_close(a, b, tol=1e-5):
    a, b = keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
    np.testing.assert_allclose(a, b, rtol=0, atol=tol)


def test_the_backend_is_the_one_asked_for():
    assert BACKEND == os.environ.get("KERAS_BACKEND", "tensorflow")
    if BACKEND != "tensorflow":
        assert "tensorflow" not in sys.modules, "a backend-neutral module imported TensorFlow"


@pytest.mark.parametrize("options", [dict(return_sequences=True), dict(go_backwards=True),
                                     dict(return_sequences=True, unroll=True)], ids=str)
def test_forward_equals_builtin(twin, options):
    x = random_inputs()
    ours, builtin = twin.ours(UNITS, **options), twin.builtin(UNITS, **options)
    copy_weights(ours, builtin, x)
    assert_close(ours(x), builtin(x))


def test_masked_forward_equals_builtin(twin):
    x = random_inputs()
    mask = np.ones(x.shape[:2], dtype=bool)
    mask[1, 4:] = False
    ours, builtin = twin.ours(UNITS, return_sequences=True), twin.builtin(UNITS, return_sequences=True)
    copy_weights(ours, builtin, x, mask=mask)
    assert_close(ours(x, mask=mask), builtin(x, mask=mask))


def test_bidirectional_stacked_and_stateful_equal_builtin(twin):
    x = random_inputs()
    ours = keras.layers.Bidirectional(twin.ours(UNITS, return_sequences=True))
    builtin = keras.layers.Bidirectional(twin.builtin(UNITS, return_sequences=True))
    copy_weights(ours, builtin, x)
    assert_close(ours(x), builtin(x))

    stacked_ours = keras.layers.RNN([twin.our_cell(UNITS, **twin.cell_kwargs) for _ in range(2)])
    stacked_keras = keras.layers.RNN([twin.builtin_cell(UNITS, **twin.cell_kwargs) for _ in range(2)])
    copy_weights(stacked_ours, stacked_keras, x)
    assert_close(stacked_ours(x), stacked_keras(x))

    ours, builtin = twin.ours(UNITS, stateful=True), twin.builtin(UNITS, stateful=True)
    copy_weights(ours, builtin, x)
    ours.reset_state(), builtin.reset_state()  # building them advanced their states, with other weights
    for _ in range(2):  # the second call starts from the state the first one left
        assert_close(ours(x), builtin(x))


def test_training_with_dropout_equals_builtin(twin):
    """Same seed, same weights: equal losses and weights after three SGD steps with dropout."""
    x = random_inputs(batch=8)
    y = np.random.default_rng(1).normal(size=(8, UNITS)).astype("float32")
    models = []
    for make in (twin.ours, twin.builtin):
        keras.utils.set_random_seed(3)
        layer = make(UNITS, cell_kwargs=dict(dropout=0.3, recurrent_dropout=0.2, seed=11))
        model = keras.Sequential([keras.Input(x.shape[1:]), layer])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for _ in range(3):
        losses = [float(m.train_on_batch(x, y)) for m in models]
        assert abs(losses[0] - losses[1]) <= 1e-5
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        assert_close(a, b)
    layer = models[0].layers[0]
    assert np.max(np.abs(keras.ops.convert_to_numpy(layer(x, training=True) - layer(x, training=False)))) > 1e-3


def test_keras_file_round_trip(twin, tmp_path):
    x = random_inputs()
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(2)(twin.ours(UNITS)(inputs)))
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert_close(model(x), restored(x), tol=0)
    assert type(restored.layers[1].cell) is twin.our_cell


# The NumPy reference works in float64. TensorFlow layers run in float64 too, so they agree to
# round-off; Keras's JAX RNN loop does not run in float64 (its scan carry comes back float32,
# with or without JAX_ENABLE_X64), so on JAX the layers run in float32 and agree to float32's
# precision.
FLOAT, TOL = ("float64", 1e-10) if BACKEND == "tensorflow" else ("float32", 1e-5)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU-reset_after", "GRU-reset_before"])
def test_reference_forward_equals_the_layer(name):
    """The NumPy reference, fed the layer's weights, computes the layer's outputs."""
    twin = next(t for t in TWINS if t.name == name)
    x = random_inputs(dtype=FLOAT)
    layer = twin.builtin(UNITS, return_sequences=True, dtype=FLOAT)
    out = keras.ops.convert_to_numpy(layer(x))
    params = params_from_layer(layer)
    if name == "SimpleRNN":
        hs, _ = rnn_forward(x, None, params)
    elif name == "LSTM":
        hs, _ = lstm_forward(x, None, None, params)
    else:
        hs, _ = gru_forward(x, None, params, twin.cell_kwargs["reset_after"])
    np.testing.assert_allclose(hs, out, atol=TOL)


F64 = dict(dtype=FLOAT)


@pytest.mark.parametrize("kind,make", [("rnn", lambda: keras.layers.RNN(lstmcourse.cells.SimpleRNNCell(4, **F64), **F64)),
                                       ("lstm", lambda: keras.layers.LSTM(4, **F64)),
                                       ("gru", lambda: keras.layers.RNN(lstmcourse.cells.GRUCell(4, **F64), **F64))])
def test_backend_autodiff_equals_hand_written_bptt(kind, make):
    """‖∂L/∂h_t‖ from the backend's autodiff (diagnostics) equals the reference's BPTT."""
    x = np.random.default_rng(0).normal(size=(3, 9, 2))
    layer = make()
    layer(x)
    autodiff = diagnostics.state_gradient_norms(layer, x)
    bptt = diagnostics.reference_state_gradient_norms(kind, x, params_from_layer(layer))
    np.testing.assert_allclose(autodiff, bptt, rtol=1e-9 if FLOAT == "float64" else 1e-4)


def test_trace_h_is_the_layer_output(twin):
    x = random_inputs()
    layer = twin.ours(UNITS, return_sequences=True)
    traced = lstmcourse.trace(layer, x)
    assert_close(traced["h"], layer(x))


def test_setup_notebook_names_the_backend():
    code = "import lstmcourse; lstmcourse.setup_notebook(seed=3)"
    env = {**os.environ, "KERAS_BACKEND": BACKEND}
    line = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    expected = "TensorFlow " if BACKEND == "tensorflow" else f"Keras backend {BACKEND} "
    assert expected in line and "seed 3" in line, line
