"""The lab checks pass correct answers written differently and name each plausible mistake."""
import re

import keras
import numpy as np
import pytest

from lstmcourse import checks
from lstmcourse import reference as ref
from lstmcourse.cells import LSTMCell, SimpleRNNCell

sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731


def fails_with(check, fn, pattern, exc=AssertionError):
    with pytest.raises(exc) as info:
        check(fn)
    assert re.search(pattern, str(info.value)), str(info.value)


# -- rnn_step -----------------------------------------------------------------------------
def rnn_step_concat(x_t, h_prev, params):  # correct, written as one matmul on [x, h]
    W = np.concatenate([params["kernel"], params["recurrent_kernel"]], axis=0)
    return np.tanh(np.concatenate([x_t, h_prev], axis=1) @ W + params["bias"])


def test_rnn_step_correct_alternatives_pass(capsys):
    checks.check_rnn_step(ref.rnn_step)
    checks.check_rnn_step(rnn_step_concat)
    assert capsys.readouterr().out.count("✔ rnn_step: correct") == 2


@pytest.mark.parametrize("wrong,pattern", [
    (lambda x, h, p: np.tanh(x @ p["kernel"] + h @ p["recurrent_kernel"]), "bias b is missing"),
    (lambda x, h, p: sig(x @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"]), "uses a sigmoid"),
    (lambda x, h, p: x @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"], "tanh is missing"),
    (lambda x, h, p: np.tanh(x @ p["kernel"] + p["bias"]), "h_prev is ignored"),
    (lambda x, h, p: np.tanh(h @ p["recurrent_kernel"] + p["bias"]), "input x_t is ignored"),
    (lambda x, h, p: np.tanh(x @ p["kernel"] + h @ p["recurrent_kernel"]) + p["bias"], "added after tanh"),
    (lambda x, h, p: np.maximum(x @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"], 0), "uses ReLU"),
    (lambda x, h, p: 2 * np.tanh(x @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"]), "off by a factor of 2"),
])
def test_rnn_step_mistakes_are_named(wrong, pattern):
    fails_with(checks.check_rnn_step, wrong, pattern)


@pytest.mark.parametrize("odd,pattern", [
    (lambda x, h, p: None, "returned None.*forget a `return`"),
    (lambda x, h, p: [[0.0] * 4] * 2, "returned a list"),
    (lambda x, h, p: np.zeros((2, 4), dtype=int), "dtype int"),
    (lambda x, h, p: np.full((2, 4), np.nan), "NaN"),
    (lambda x, h, p: np.zeros((4, 2)), r"shape \(4, 2\), expected \(2, 4\).*transpose"),
    (lambda x, h, p: "tanh", "returned str"),
    (lambda x, h, p: x @ p["recurrent_kernel"], "raised ValueError"),
])
def test_rnn_step_odd_returns_fail_cleanly(odd, pattern):
    fails_with(checks.check_rnn_step, odd, pattern)


def test_stub_raises_not_implemented_with_guidance():
    def stub(x_t, h_prev, params):
        raise NotImplementedError()
    fails_with(checks.check_rnn_step, stub, "not written yet", NotImplementedError)
    fails_with(checks.check_rnn_step, ref.rnn_step(np.zeros((1, 3)), np.zeros((1, 4)),
               {"kernel": np.zeros((3, 4)), "recurrent_kernel": np.zeros((4, 4))}), "expected a function")


# -- rnn_forward ----------------------------------------------------------------------------
def _forward(step_fn, carry=True, zeros=False, time_major=False):
    def rnn_forward(x, h0, params):
        h = np.zeros_like(h0) if zeros else h0
        hs = []
        for t in range(x.shape[1]):
            h = step_fn(x[:, t], h if carry else h0, params)
            hs.append(h)
        return np.stack(hs, axis=0 if time_major else 1), None
    return rnn_forward


def test_rnn_forward_alternative_passes():
    checks.check_rnn_forward(_forward(rnn_step_concat))


@pytest.mark.parametrize("wrong,pattern", [
    (_forward(ref.rnn_step, carry=False), "not carried"),
    (_forward(ref.rnn_step, zeros=True), "h0 is ignored"),
    (_forward(ref.rnn_step, time_major=True), r"swap batch and time"),
    (_forward(lambda x, h, p: np.tanh(x @ p["kernel"] + h @ p["recurrent_kernel"])), r"\(in the step\) the bias"),
    (lambda x, h0, p: ref.rnn_forward(x, h0, p)[0], "must return 2 values"),
    (lambda x, h0, p: (np.concatenate([h0[:, None], ref.rnn_forward(x, h0, p)[0][:, :-1]], axis=1), None), "off by one"),
])
def test_rnn_forward_mistakes_are_named(wrong, pattern):
    fails_with(checks.check_rnn_forward, wrong, pattern)


# -- rnn_backward ---------------------------------------------------------------------------
def _backward(deriv="h_t", through_time=True, dU_with="h_prev", scale=1.0):
    def rnn_backward(dhs, cache):
        x, h0, hs = cache["x"], cache["h0"], cache["hs"]
        W, U = cache["kernel"], cache["recurrent_kernel"]
        dx, dW, dU, db = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros(U.shape[0])
        dnext = np.zeros_like(h0)
        for t in reversed(range(x.shape[1])):
            hp = hs[:, t - 1] if t > 0 else h0
            dh = dhs[:, t] + (dnext if through_time else 0)
            da = dh * {"h_t": 1 - hs[:, t] ** 2, "h_prev": 1 - hp ** 2, "none": 1}[deriv]
            dW += x[:, t].T @ da
            dU += (hp if dU_with == "h_prev" else hs[:, t]).T @ da
            db += da.sum(0)
            dx[:, t] = da @ W.T
            dnext = da @ U.T
        return dx * scale, dnext * scale, {"kernel": dW * scale, "recurrent_kernel": dU * scale, "bias": db * scale}
    return rnn_backward


def test_rnn_backward_correct_passes():
    checks.check_rnn_backward(ref.rnn_forward, ref.rnn_backward)
    checks.check_rnn_backward(ref.rnn_forward, _backward())


@pytest.mark.parametrize("wrong,pattern", [
    (_backward(deriv="none"), r"tanh derivative \(1 − h_t²\) is missing"),
    (_backward(deriv="h_prev"), "derivative uses h_\\{t-1\\}"),
    (_backward(through_time=False), "does not flow back through time"),
    (_backward(dU_with="h_t"), "dL/dU uses h_t"),
    (_backward(scale=0.5), "divided by the batch size"),
    (_backward(scale=3.0), "off by a factor of 3"),
    (lambda dhs, cache: (1, 2), "must return 3 values"),
    (lambda dhs, cache: (np.zeros((2, 5, 3)), np.zeros((2, 4)), [1, 2]), "grads must be a dict"),
])
def test_rnn_backward_mistakes_are_named(wrong, pattern):
    fails_with(lambda fn: checks.check_rnn_backward(ref.rnn_forward, fn), wrong, pattern)


# -- numerical gradient and gradient norms ------------------------------------------------------
def one_sided(f, x, eps=1e-6):
    g = np.zeros_like(x)
    f0 = f()
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        g[i] = (f() - f0) / eps
        x[i] = old
    return g


def not_restoring(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        g[i] = (fp - f()) / (2 * eps)
    return g


@pytest.mark.parametrize("wrong,pattern", [
    (one_sided, "one-sided difference"),
    (not_restoring, "not restored"),
    (lambda f, x, eps=1e-6: ref.numerical_gradient(f, x, eps) * 2, "off by a factor of 2"),
    (lambda f, x, eps=1e-6: None, "returned None"),
    (lambda f, x, eps=1e-6: ref.numerical_gradient(f, x, eps).ravel(), "shape"),
])
def test_numerical_gradient(wrong, pattern):
    checks.check_numerical_gradient(ref.numerical_gradient)
    fails_with(checks.check_numerical_gradient, wrong, pattern)


def test_gradient_norms():
    from lstmcourse.diagnostics import reference_state_gradient_norms as norms
    checks.check_gradient_norms(lambda x, p: norms("rnn", x, p))
    fails_with(checks.check_gradient_norms, lambda x, p: norms("rnn", x, p)[::-1], "reversed")
    fails_with(checks.check_gradient_norms, lambda x, p: norms("rnn", x, p) * 2, "sums over the batch")
    fails_with(checks.check_gradient_norms, lambda x, p: list(norms("rnn", x, p)), "returned a list")


# -- lstm_step ------------------------------------------------------------------------------
def lstm_step_per_gate(x_t, h_prev, c_prev, params):  # correct, with per-gate matrices
    W, U, b = params["kernel"], params["recurrent_kernel"], params["bias"]
    u = U.shape[0]
    gate = lambda k: x_t @ W[:, k * u:(k + 1) * u] + h_prev @ U[:, k * u:(k + 1) * u] + b[k * u:(k + 1) * u]  # noqa: E731
    i, f, g, o = sig(gate(0)), sig(gate(1)), np.tanh(gate(2)), sig(gate(3))
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_wrong(order="ifco", f_act=sig, c_act=np.tanh, out_tanh=True, bias=True, swap_return=False, no_input_gate=False):
    def lstm_step(x_t, h_prev, c_prev, params):
        z = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + (params["bias"] if bias else 0)
        parts = dict(zip(order, np.split(z, 4, axis=1)))
        i, f, g, o = sig(parts["i"]), f_act(parts["f"]), c_act(parts["c"]), sig(parts["o"])
        c = f * c_prev + (g if no_input_gate else i * g)
        h = o * (np.tanh(c) if out_tanh else c)
        return (c, h) if swap_return else (h, c)
    return lstm_step


def test_lstm_step_alternative_passes():
    checks.check_lstm_step(ref.lstm_step)
    checks.check_lstm_step(lstm_step_per_gate)


@pytest.mark.parametrize("wrong,pattern", [
    (lstm_wrong(order="fico"), "forget and input gates are swapped"),
    (lstm_wrong(order="icfo"), "gates are in the order i, c, f, o"),
    (lstm_wrong(f_act=np.tanh), "forget gate uses tanh; it should be a sigmoid"),
    (lstm_wrong(c_act=sig), "candidate uses a sigmoid"),
    (lstm_wrong(out_tanh=False), "tanh is missing on the cell output"),
    (lstm_wrong(bias=False), "bias is missing"),
    (lstm_wrong(swap_return=True), r"returns \(c_t, h_t\)"),
    (lstm_wrong(no_input_gate=True), "input gate is not applied"),
    (lambda x, h, c, p: ref.lstm_step(x, h, c, p)[0], "must return 2 values"),
])
def test_lstm_step_mistakes_are_named(wrong, pattern):
    fails_with(checks.check_lstm_step, wrong, pattern)


def test_lstm_forward():
    checks.check_lstm_forward(ref.lstm_forward)

    def no_carry_c(x, h0, c0, p):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h, _ = ref.lstm_step(x[:, t], h, c0, p)
            hs.append(h)
        return np.stack(hs, 1), None
    fails_with(checks.check_lstm_forward, no_carry_c, "cell state is not carried")
    fails_with(checks.check_lstm_forward, lambda x, h, c, p: (ref.lstm_forward(x, h, c, p)[1]["cs"], None), "cell states")


# -- gru_step --------------------------------------------------------------------------------
def gru_wrong(reset_before=False, swap_z=False, rec_bias=True, order="zrh"):
    def gru_step(x_t, h_prev, params):
        W, U, b = params["kernel"], params["recurrent_kernel"], params["bias"]
        u = U.shape[0]
        xw = dict(zip(order, np.split(x_t @ W + b[0], 3, axis=1)))
        m = dict(zip(order, np.split(h_prev @ U + (b[1] if rec_bias else 0), 3, axis=1)))
        z, r = sig(xw["z"] + m["z"]), sig(xw["r"] + m["r"])
        if reset_before:
            hh = np.tanh(xw["h"] + (r * h_prev) @ U[:, 2 * u:] + b[1][2 * u:])
        else:
            hh = np.tanh(xw["h"] + r * m["h"])
        return (1 - z) * h_prev + z * hh if swap_z else z * h_prev + (1 - z) * hh
    return gru_step


@pytest.mark.parametrize("wrong,pattern", [
    (gru_wrong(reset_before=True), "reset gate is applied before the matrix product"),
    (gru_wrong(swap_z=True), "z and 1 − z are swapped"),
    (gru_wrong(rec_bias=False), r"recurrent bias \(bias\[1\]\) is missing"),
    (gru_wrong(order="rzh"), "order r, z, h"),
    (lambda x, h, p: ref.gru_step(x, h, p, reset_after=False), r"raised ValueError: params\['bias'\]"),
])
def test_gru_step(wrong, pattern):
    checks.check_gru_step(ref.gru_step)
    checks.check_gru_step(gru_wrong())
    fails_with(checks.check_gru_step, wrong, pattern)


# -- Keras cell layers -------------------------------------------------------------------------
class BiaslessRNNCell(SimpleRNNCell):
    def step(self, inputs, states, training=False):
        h = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel) + keras.ops.matmul(states[0], self.recurrent_kernel))
        return h, [h], {}


class SwappedLSTMCell(LSTMCell):
    def step(self, inputs, states, training=False):
        h_prev, c_prev = states
        z = keras.ops.matmul(inputs, self.kernel) + keras.ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        f, i, g, o = keras.ops.split(z, 4, axis=1)  # forget first: wrong
        c = keras.ops.sigmoid(f) * c_prev + keras.ops.sigmoid(i) * keras.ops.tanh(g)
        h = keras.ops.sigmoid(o) * keras.ops.tanh(c)
        return h, [h, c], {}


class TransposedCell(keras.layers.Layer):
    def __init__(self, units, **kw):
        super().__init__(**kw)
        self.units, self.state_size = units, units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(self.units, input_shape[-1]))
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units))
        self.bias = self.add_weight(shape=(self.units,))

    def call(self, x, states):
        h = keras.ops.tanh(keras.ops.matmul(x, keras.ops.transpose(self.kernel)) + self.bias)
        return h, [h]


def test_cell_layer_checks():
    checks.check_rnn_cell_layer(SimpleRNNCell)
    checks.check_lstm_cell_layer(LSTMCell)
    fails_with(checks.check_rnn_cell_layer, BiaslessRNNCell, "bias b is missing")
    fails_with(checks.check_lstm_cell_layer, SwappedLSTMCell, "forget and input gates are swapped")
    fails_with(checks.check_rnn_cell_layer, TransposedCell, "Keras's layout")
    fails_with(checks.check_lstm_cell_layer, SimpleRNNCell, r"state_size is 4; for 4 units it should be \[4, 4\]")


def test_model_and_accuracy_checks():
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(4), keras.layers.Dense(2)])
    checks.check_model_shapes(model, [(None, 4), (None, 2)])
    fails_with(lambda m: checks.check_model_shapes(m, [(None, None, 4), (None, None, 2)]), model, "return_sequences=True")
    fails_with(lambda m: checks.check_model_shapes(m, [(None, 8), (None, 2)]), model, "number of units")
    fails_with(lambda m: checks.check_model_shapes(m, [(None, 4)]), model, "expected 1")
    fails_with(lambda m: checks.check_model_shapes(m, []), None, "forget `return model`")
    checks.check_accuracy("teddy", 0.97, 0.95, seconds=10, budget=60)
    fails_with(lambda a: checks.check_accuracy("teddy", a, 0.95), 0.5, "cannot see the words after")
    fails_with(lambda a: checks.check_accuracy("teddy", a, 0.95), None, "must be a number")
    fails_with(lambda s: checks.check_accuracy("teddy", 0.99, 0.95, seconds=s, budget=60), 100, "budget is 60")
