"""NumPy LSTM and GRU: forward equals Keras, hand-written BPTT equals finite differences."""
import keras
import numpy as np
import pytest

from lstmcourse.reference import (
    gradient_check, gru_backward, gru_forward, gru_step, lstm_backward, lstm_forward, lstm_step,
    params_from_layer,
)

FEATURES, UNITS = 3, 4


def randomize(layer, x, seed=0):
    """Build ``layer`` on ``x`` and give it random weights, biases included."""
    layer(x)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape).astype(w.dtype) for w in layer.get_weights()])
    return layer


MODELS = {
    "LSTM": dict(layer=lambda: keras.layers.LSTM(UNITS, return_sequences=True),
                 forward=lambda x, s, p: lstm_forward(x, s[0], s[1], p), backward=lstm_backward, n_states=2),
    "GRU-reset_after": dict(layer=lambda: keras.layers.GRU(UNITS, return_sequences=True),
                            forward=lambda x, s, p: gru_forward(x, s[0], p, reset_after=True),
                            backward=gru_backward, n_states=1),
    "GRU-reset_before": dict(layer=lambda: keras.layers.GRU(UNITS, return_sequences=True, reset_after=False),
                             forward=lambda x, s, p: gru_forward(x, s[0], p, reset_after=False),
                             backward=gru_backward, n_states=1),
}


@pytest.fixture(params=list(MODELS), ids=str)
def model(request):
    return MODELS[request.param]


def test_forward_equals_keras(model):
    x = np.random.default_rng(1).normal(size=(2, 6, FEATURES)).astype("float32")
    layer = randomize(model["layer"](), x)
    hs, _ = model["forward"](x, [None] * model["n_states"], params_from_layer(layer))
    assert hs.shape == (2, 6, UNITS)
    np.testing.assert_allclose(hs, np.asarray(layer(x)), atol=1e-5)


def test_forward_from_given_initial_states_equals_keras(model):
    x = np.random.default_rng(2).normal(size=(2, 5, FEATURES)).astype("float32")
    states = [np.random.default_rng(3 + k).normal(size=(2, UNITS)).astype("float32") for k in range(model["n_states"])]
    layer = randomize(model["layer"](), x)
    hs, _ = model["forward"](x, states, params_from_layer(layer))
    np.testing.assert_allclose(hs, np.asarray(layer(x, initial_state=states)), atol=1e-5)


@pytest.mark.parametrize("with_bias", [True, False])
def test_backward_equals_finite_differences(model, with_bias):
    x32 = np.random.default_rng(4).normal(size=(2, 5, FEATURES)).astype("float32")
    layer = randomize(model["layer"](), x32, seed=5)
    params = {k: v.astype(np.float64) for k, v in params_from_layer(layer).items()}
    if not with_bias:
        del params["bias"]
    x = x32.astype(np.float64)
    states = [np.random.default_rng(6 + k).normal(size=(2, UNITS)) for k in range(model["n_states"])]
    upstream = np.random.default_rng(9).normal(size=(2, 5, UNITS))

    def loss():
        hs, _ = model["forward"](x, states, params)
        return float(np.sum(upstream * hs))

    _, cache = model["forward"](x, states, params)
    dx, *d_states, grads = model["backward"](upstream, cache)
    assert set(grads) == set(params)
    assert gradient_check(loss, x, dx) < 1e-7
    for state, d_state in zip(states, d_states):
        assert gradient_check(loss, state, d_state) < 1e-7
    for key in params:
        assert grads[key].shape == params[key].shape
        assert gradient_check(loss, params[key], grads[key]) < 1e-7, key


def test_backward_equals_tensorflow_autodiff(model):
    import tensorflow as tf

    x = np.random.default_rng(10).normal(size=(2, 5, FEATURES)).astype("float32")
    layer = randomize(model["layer"](), x, seed=11)
    upstream = np.random.default_rng(12).normal(size=(2, 5, UNITS)).astype("float32")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(layer(xt) * upstream)
    tf_grads = [g.numpy() for g in tape.gradient(loss, [xt, *layer.trainable_weights])]
    params = {k: v.astype(np.float64) for k, v in params_from_layer(layer).items()}
    _, cache = model["forward"](x.astype(np.float64), [None] * model["n_states"], params)
    dx, *_, grads = model["backward"](upstream.astype(np.float64), cache)
    for ours, theirs in zip([dx, grads["kernel"], grads["recurrent_kernel"], grads["bias"]], tf_grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_steps_are_the_forward_loop():
    x = np.random.default_rng(13).normal(size=(2, 3, FEATURES))
    lstm = randomize(keras.layers.LSTM(UNITS), x.astype("float32"))
    p = params_from_layer(lstm)
    hs, cache = lstm_forward(x, None, None, p)
    h, c = lstm_step(x[:, 0], np.zeros((2, UNITS)), np.zeros((2, UNITS)), p)
    np.testing.assert_allclose(hs[:, 0], h)
    np.testing.assert_allclose(cache["cs"][:, 0], c)
    gru = randomize(keras.layers.GRU(UNITS), x.astype("float32"))
    hs, _ = gru_forward(x, None, params_from_layer(gru))
    np.testing.assert_allclose(hs[:, 0], gru_step(x[:, 0], np.zeros((2, UNITS)), params_from_layer(gru)))


def test_lstm_cache_exposes_gates():
    x = np.random.default_rng(14).normal(size=(2, 3, FEATURES))
    p = params_from_layer(randomize(keras.layers.LSTM(UNITS), x.astype("float32")))
    hs, cache = lstm_forward(x, None, None, p)
    g = cache["gates"]
    np.testing.assert_allclose(hs, g["output_gate"] * np.tanh(cache["cs"]))
    for name in ("input_gate", "forget_gate", "output_gate"):
        assert ((g[name] > 0) & (g[name] < 1)).all()


def test_gated_reference_errors():
    p = {"kernel": np.zeros((3, 10)), "recurrent_kernel": np.zeros((2, 10))}
    with pytest.raises(ValueError, match=r"LSTM kernel has 4·units columns.*Received: params\['kernel'\]\.shape=\(3, 10\)"):
        lstm_step(np.zeros((1, 3)), np.zeros((1, 2)), np.zeros((1, 2)), p)
    with pytest.raises(ValueError, match=r"GRU kernel has 3·units columns.*Received: params\['kernel'\]\.shape=\(3, 10\)"):
        gru_step(np.zeros((1, 3)), np.zeros((1, 2)), p)
    p = {"kernel": np.zeros((3, 6)), "recurrent_kernel": np.zeros((2, 6)), "bias": np.zeros(6)}
    with pytest.raises(ValueError, match=r"params\['bias'\] must have shape \(2, 6\)"):
        gru_step(np.zeros((1, 3)), np.zeros((1, 2)), p, reset_after=True)
    with pytest.raises(ValueError, match=r"`c0` must have shape \(1, 2\)\. Received: c0\.shape=\(1, 5\)"):
        lstm_forward(np.zeros((1, 4, 3)), None, np.zeros((1, 5)),
                     {"kernel": np.zeros((3, 8)), "recurrent_kernel": np.zeros((2, 8))})
