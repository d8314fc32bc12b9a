"""The NumPy reference RNN: forward equals Keras, backward equals finite differences."""
import keras
import numpy as np
import pytest

from lstmcourse.reference import gradient_check, params_from_layer, relative_error, rnn_backward, rnn_forward, rnn_step


def random_params(features=3, units=4, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {
        "kernel": rng.normal(scale=0.5, size=(features, units)).astype(dtype),
        "recurrent_kernel": rng.normal(scale=0.5, size=(units, units)).astype(dtype),
        "bias": rng.normal(scale=0.1, size=(units,)).astype(dtype),
    }


def test_forward_equals_keras_simple_rnn():
    x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")
    layer = keras.layers.SimpleRNN(4, return_sequences=True)
    expected = np.asarray(layer(x))
    hs, _ = rnn_forward(x, None, params_from_layer(layer))
    assert hs.shape == (2, 6, 4)
    np.testing.assert_allclose(hs, expected, atol=1e-5)


def test_step_is_one_step_of_forward():
    params = random_params()
    x = np.random.default_rng(2).normal(size=(2, 5, 3))
    h0 = np.random.default_rng(3).normal(size=(2, 4))
    hs, _ = rnn_forward(x, h0, params)
    np.testing.assert_allclose(hs[:, 0], rnn_step(x[:, 0], h0, params))
    np.testing.assert_allclose(hs[:, 3], rnn_step(x[:, 3], hs[:, 2], params))


def _loss_and_upstream(hs, seed=4):
    weights = np.random.default_rng(seed).normal(size=hs.shape)
    return float(np.sum(weights * hs)), weights  # L = Σ w ⊙ hs, so ∂L/∂hs = w


@pytest.mark.parametrize("with_bias", [True, False])
def test_backward_equals_finite_differences(with_bias):
    params = random_params()
    if not with_bias:
        del params["bias"]
    x = np.random.default_rng(5).normal(size=(2, 5, 3))
    h0 = np.random.default_rng(6).normal(size=(2, 4))
    hs, cache = rnn_forward(x, h0, params)
    _, dhs = _loss_and_upstream(hs)
    dx, dh0, grads = rnn_backward(dhs, cache)
    assert set(grads) == set(params)

    def loss():
        return _loss_and_upstream(rnn_forward(x, h0, params)[0])[0]

    assert gradient_check(loss, x, dx) < 1e-7
    assert gradient_check(loss, h0, dh0) < 1e-7
    for key in params:
        assert grads[key].shape == params[key].shape
        assert gradient_check(loss, params[key], grads[key]) < 1e-7, key


def test_backward_equals_tensorflow_autodiff():
    import tensorflow as tf

    x = np.random.default_rng(7).normal(size=(2, 5, 3)).astype("float32")
    layer = keras.layers.SimpleRNN(4, return_sequences=True)
    layer(x)
    upstream = np.random.default_rng(8).normal(size=(2, 5, 4)).astype("float32")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(layer(xt) * upstream)
    tf_grads = tape.gradient(loss, [xt, *layer.trainable_weights])
    _, cache = rnn_forward(x.astype(np.float64), None,
                           {k: v.astype(np.float64) for k, v in params_from_layer(layer).items()})
    dx, _, grads = rnn_backward(upstream.astype(np.float64), cache)
    ours = [dx, grads["kernel"], grads["recurrent_kernel"], grads["bias"]]
    for a, b in zip(ours, tf_grads):
        assert relative_error(a, b.numpy()) < 1e-5


def test_relative_error_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)


def test_reference_errors_name_the_argument():
    params = random_params()
    with pytest.raises(ValueError, match=r"`x` must have rank 3\. Received: x\.shape=\(5, 3\)"):
        rnn_forward(np.zeros((5, 3)), None, params)
    with pytest.raises(TypeError, match=r"`x` must hold floating-point numbers\. Received: x\.dtype=int64"):
        rnn_forward(np.zeros((2, 5, 3), dtype=np.int64), None, params)
    with pytest.raises(ValueError, match=r"params\['kernel'\] must have shape \(6, \?\)\. Received: params\['kernel'\]\.shape=\(3, 4\)"):
        rnn_forward(np.zeros((2, 5, 6)), None, params)
    with pytest.raises(ValueError, match=r"`h0` must have shape \(2, 4\)\. Received: h0\.shape=\(2, 3\)"):
        rnn_forward(np.zeros((2, 5, 3)), np.zeros((2, 3)), params)
    with pytest.raises(ValueError, match=r"`params` has no 'recurrent_kernel'"):
        rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), {"kernel": params["kernel"]})
    with pytest.raises(TypeError, match=r"`params` must be a dict"):
        rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), [1, 2])


def test_params_from_layer_rejects_wrappers():
    layer = keras.layers.Bidirectional(keras.layers.SimpleRNN(2))
    layer(np.zeros((1, 3, 2), "float32"))
    with pytest.raises(TypeError, match="forward_layer"):
        params_from_layer(layer)
    with pytest.raises(TypeError, match="not built"):
        params_from_layer(keras.layers.SimpleRNN(2))


def test_reference_imports_without_tensorflow():
    import subprocess
    import sys

    code = "import sys, lstmcourse.reference; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
