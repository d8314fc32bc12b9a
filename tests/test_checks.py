"""A corpus of student answers for every lab check: correct rewrites must pass, every wrong
answer must fail with an AssertionError whose message names the mistake (never another
exception, never a pass). Each entry is (task, label, answer, expected): ``expected`` is
"pass" or a regex the message must match. The corpus also holds the cheats of issue 11:
the answer key returned as an answer, inputs changed in place, NumPy in a Keras cell.
"""
import re

import keras
import numpy as np
import pytest
from keras import ops

from lstmcourse import _grading, checks, tasks
from lstmcourse import reference as ref
from lstmcourse.cells import LSTMCell, SimpleRNNCell
from lstmcourse.diagnostics import reference_state_gradient_norms

sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
KEY = "part of the course's answer key"


def outcome(check, answer):
    """'pass', or the AssertionError's message; any other exception propagates (a crash)."""
    try:
        check(answer)
    except AssertionError as err:
        return str(err)
    return "pass"


# -- tanh RNN: rnn_step -----------------------------------------------------------------------
def rnn_step_ok(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])


def rnn_step_concat(x_t, h_prev, params):
    W = np.concatenate([params["kernel"], params["recurrent_kernel"]], axis=0)
    return np.tanh(np.concatenate([x_t, h_prev], axis=1) @ W + params["bias"])


def rnn_step_einsum(x_t, h_prev, params):
    a = np.einsum("bf,fu->bu", x_t, params["kernel"]) + np.einsum("bv,vu->bu", h_prev, params["recurrent_kernel"])
    return np.tanh(a + params["bias"]).astype(np.float32)


def rnn_step_hx(x_t, h_prev, params):  # [h, x] with a stacked [W; U]: wrong order
    W = np.concatenate([params["kernel"], params["recurrent_kernel"]], axis=0)
    return np.tanh(np.concatenate([h_prev, x_t], axis=1) @ W + params["bias"])


def rnn_step_inplace(x_t, h_prev, params):
    a = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]
    h_prev[...] = np.tanh(a)  # overwrites the caller's array
    return h_prev


def rnn_step_inplace_params(x_t, h_prev, params):
    U = params["recurrent_kernel"]
    U *= 2.0  # "scales" the caller's weights
    return np.tanh(x_t @ params["kernel"] + h_prev @ U / 2.0 + params["bias"])


W_, U_, B_ = "kernel", "recurrent_kernel", "bias"
RNN_STEP = [
    ("rnn_step", "correct", rnn_step_ok, "pass"),
    ("rnn_step", "correct: one matmul on [x, h]", rnn_step_concat, "pass"),
    ("rnn_step", "correct: einsum, float32 result", rnn_step_einsum, "pass"),
    ("rnn_step", "no bias", lambda x, h, p: np.tanh(x @ p[W_] + h @ p[U_]), "bias b is missing"),
    ("rnn_step", "sigmoid", lambda x, h, p: sig(x @ p[W_] + h @ p[U_] + p[B_]), "uses a sigmoid"),
    ("rnn_step", "relu", lambda x, h, p: np.maximum(x @ p[W_] + h @ p[U_] + p[B_], 0), "uses ReLU"),
    ("rnn_step", "no tanh", lambda x, h, p: x @ p[W_] + h @ p[U_] + p[B_], "tanh is missing"),
    ("rnn_step", "ignores h", lambda x, h, p: np.tanh(x @ p[W_] + p[B_]), "h_prev is ignored"),
    ("rnn_step", "ignores x", lambda x, h, p: np.tanh(h @ p[U_] + p[B_]), "input x_t is ignored"),
    ("rnn_step", "bias after tanh", lambda x, h, p: np.tanh(x @ p[W_] + h @ p[U_]) + p[B_], "added after tanh"),
    ("rnn_step", "doubled", lambda x, h, p: 2 * np.tanh(x @ p[W_] + h @ p[U_] + p[B_]), "off by a factor of 2"),
    ("rnn_step", "h @ U.T", lambda x, h, p: np.tanh(x @ p[W_] + h @ p[U_].T + p[B_]), "recurrent kernel is transposed"),
    ("rnn_step", "U @ h", lambda x, h, p: np.tanh(x @ p[W_] + (p[U_] @ h.T).T + p[B_]), "recurrent kernel is transposed"),
    ("rnn_step", "[h, x] with stacked W", rnn_step_hx, r"\[h_prev, x_t\] is multiplied by the stacked"),
    ("rnn_step", "modifies h_prev in place", rnn_step_inplace, "changes its input `h_prev` in place"),
    ("rnn_step", "modifies params in place", rnn_step_inplace_params, "changes its input `params` in place"),
    ("rnn_step", "answer key", ref.rnn_step, KEY),
    ("rnn_step", "answer key, wrapped", lambda x, h, p: ref.rnn_step(x, h, p), KEY),
    ("rnn_step", "answer key, via forward", lambda x, h, p: ref.rnn_forward(x[:, None], h, p)[0][:, 0], KEY),
    ("rnn_step", "returns None", lambda x, h, p: None, "returned None.*forget a `return`"),
    ("rnn_step", "returns a list", lambda x, h, p: [[0.0] * 4] * 2, "returned a list"),
    ("rnn_step", "int dtype", lambda x, h, p: np.zeros(h.shape, dtype=int), "dtype int"),
    ("rnn_step", "NaN", lambda x, h, p: np.full(h.shape, np.nan), "NaN"),
    ("rnn_step", "transposed result", lambda x, h, p: np.zeros(h.shape[::-1]), r"shape \(\d, \d\), expected .*transpose"),
    ("rnn_step", "returns a string", lambda x, h, p: "tanh", "returned str"),
    ("rnn_step", "crashes on shapes", lambda x, h, p: x @ p[U_], "raised ValueError"),
    ("rnn_step", "all zeros", lambda x, h, p: np.zeros((len(x), p[B_].shape[0])), "zero everywhere"),
]


# -- rnn_forward --------------------------------------------------------------------------------
def make_forward(carry=True, zeros=False, time_major=False, with_h0=False):
    def rnn_forward(x, h0, params):
        h = np.zeros_like(h0) if zeros else h0
        hs = [h0] if with_h0 else []
        for t in range(x.shape[1]):
            h = rnn_step(x[:, t], h if carry else h0, params)
            hs.append(h)
        return np.stack(hs, axis=0 if time_major else 1), None
    return rnn_forward


def rnn_step(x_t, h_prev, params):  # the name a student's rnn_forward calls (swapped during the check)
    return rnn_step_ok(x_t, h_prev, params)


def forward_inline(x, h0, params):
    hs = np.empty(x.shape[:2] + h0.shape[1:])
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ params["kernel"] + h @ params["recurrent_kernel"] + params["bias"])
        hs[:, t] = h
    return hs, {"note": "anything"}


def forward_inline_nobias(x, h0, params):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ params["kernel"] + h @ params["recurrent_kernel"])
        hs.append(h)
    return np.stack(hs, 1), None


def forward_inplace_x(x, h0, params):
    x *= 1.0
    x[0, 0, 0] += 1.0
    return forward_inline(x, h0, params)


def forward_wrong_step_global(x, h0, params):  # calls `rnn_step_broken` through the name rnn_step
    return make_forward()(x, h0, params)


RNN_FORWARD = [
    ("rnn_forward", "correct: calls rnn_step", make_forward(), "pass"),
    ("rnn_forward", "correct: inline, preallocated", forward_inline, "pass"),
    ("rnn_forward", "state not carried", make_forward(carry=False), "not carried"),
    ("rnn_forward", "h0 ignored", make_forward(zeros=True), "h0 is ignored"),
    ("rnn_forward", "time-major", make_forward(time_major=True), "swap batch and time"),
    ("rnn_forward", "includes h0", make_forward(with_h0=True), "leave h0 out"),
    ("rnn_forward", "off by one",
     lambda x, h0, p: (np.concatenate([h0[:, None], forward_inline(x, h0, p)[0][:, :-1]], axis=1), None), "off by one"),
    ("rnn_forward", "inline step without bias", forward_inline_nobias, r"\(in the step\) the bias"),
    ("rnn_forward", "returns hs only", lambda x, h0, p: forward_inline(x, h0, p)[0], "must return 2 values"),
    ("rnn_forward", "returns the last state", lambda x, h0, p: (forward_inline(x, h0, p)[0][:, -1], None),
     "only the last state"),
    ("rnn_forward", "modifies x in place", forward_inplace_x, "changes its input `x` in place"),
    ("rnn_forward", "answer key", ref.rnn_forward, KEY),
]


# -- rnn_backward ---------------------------------------------------------------------------------
def make_backward(deriv="h_t", through_time=True, dU_with="h_prev", scale=1.0, U_T=True, dU_T=False,
                  dh0_g=False, inplace=False):
    def rnn_backward(dhs, cache):
        x, h0, hs = cache["x"], cache["h0"], cache["hs"]
        W, U = cache["kernel"], cache["recurrent_kernel"]
        dx, dW, dU, db = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros(U.shape[0])
        dnext = np.zeros_like(h0)
        for t in reversed(range(x.shape[1])):
            hp = hs[:, t - 1] if t > 0 else h0
            if inplace:
                dhs[:, t] += dnext
                dh = dhs[:, t]
            else:
                dh = dhs[:, t] + (dnext if through_time else 0)
            da = dh * {"h_t": 1 - hs[:, t] ** 2, "h_prev": 1 - hp ** 2, "none": 1}[deriv]
            dW += x[:, t].T @ da
            dU += ((hp if dU_with == "h_prev" else hs[:, t]).T @ da).T if dU_T else \
                (hp if dU_with == "h_prev" else hs[:, t]).T @ da
            db += da.sum(0)
            dx[:, t] = da @ W.T
            dnext = da @ (U.T if U_T else U)
        if dh0_g:
            dnext = dh
        k = 1.0 / len(x) if scale == "batch" else scale
        return dx * k, dnext * k, {"kernel": dW * k, "recurrent_kernel": dU * k, "bias": db * k}
    return rnn_backward


def backward_einsum(dhs, cache):  # correct: deltas first, then every gradient with one einsum
    x, h0, hs, W, U = cache["x"], cache["h0"], cache["hs"], cache["kernel"], cache["recurrent_kernel"]
    deltas, g = np.zeros_like(hs), np.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        deltas[:, t] = (dhs[:, t] + g) * (1 - hs[:, t] ** 2)
        g = deltas[:, t] @ U.T
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    grads = {"kernel": np.einsum("btf,btu->fu", x, deltas), "recurrent_kernel": np.einsum("btv,btu->vu", h_prev, deltas),
             "bias": deltas.sum(axis=(0, 1))}
    return np.einsum("btu,fu->btf", deltas, W), g, grads


RNN_BACKWARD = [
    ("rnn_backward", "correct", make_backward(), "pass"),
    ("rnn_backward", "correct: deltas first, einsum", backward_einsum, "pass"),
    ("rnn_backward", "no tanh derivative", make_backward(deriv="none"), r"tanh derivative \(1 − h_t²\) is missing"),
    ("rnn_backward", "derivative at h_{t-1}", make_backward(deriv="h_prev"), r"derivative uses h_\{t-1\}"),
    ("rnn_backward", "not through time", make_backward(through_time=False), "does not flow back through time"),
    ("rnn_backward", "dU with h_t", make_backward(dU_with="h_t"), "dL/dU uses h_t"),
    ("rnn_backward", "batch mean", make_backward(scale="batch"), "divided by the batch size"),
    ("rnn_backward", "tripled", make_backward(scale=3.0), "off by a factor of 3"),
    ("rnn_backward", "δ·U instead of δ·Uᵀ", make_backward(U_T=False), r"uses U; it must use its transpose"),
    ("rnn_backward", "dU transposed", make_backward(dU_T=True), "dL/dU is transposed"),
    ("rnn_backward", "dh0 includes dhs[:, 0]", make_backward(dh0_g=True), r"dh0 includes dhs\[:, 0\]"),
    ("rnn_backward", "modifies dhs in place", make_backward(inplace=True), "changes its input `dhs` in place"),
    ("rnn_backward", "answer key", ref.rnn_backward, KEY),
    ("rnn_backward", "two values", lambda dhs, cache: (1, 2), "must return 3 values"),
    ("rnn_backward", "grads a list", lambda dhs, cache: (np.zeros((2, 5, 3)), np.zeros((2, 4)), [1, 2]),
     "grads must be a dict"),
    ("rnn_backward", "grads missing bias", lambda dhs, c: (*make_backward()(dhs, c)[:2], {"kernel": 0}), r"has no \['bias'"),
]


# -- numerical_gradient ---------------------------------------------------------------------------
def make_numgrad(kind="central", default_eps=1e-6, restore=True, halve=True, copy=False):
    def numerical_gradient(f, x, eps=default_eps):
        target = x.copy() if copy else x
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = target[i]
            if kind == "one-sided":
                f0 = f()
                target[i] = old + eps
                g[i] = (f() - f0) / eps
            else:
                target[i] = old + eps
                fp = f()
                target[i] = old - eps
                g[i] = (fp - f()) / ((2 if halve else 1) * eps)
            if restore:
                target[i] = old
        return g
    return numerical_gradient


def numgrad_flat(f, x, eps=1e-6):
    g = np.zeros(x.size)
    flat = x.reshape(-1)  # a view
    for k in range(x.size):
        old = flat[k]
        flat[k] = old + eps
        fp = f()
        flat[k] = old - eps
        fm = f()
        flat[k] = old
        g[k] = (fp - fm) / (2 * eps)
    return g.reshape(x.shape)


NUMGRAD = [
    ("numerical_gradient", "correct", make_numgrad(), "pass"),
    ("numerical_gradient", "correct: flat view", numgrad_flat, "pass"),
    ("numerical_gradient", "correct: eps=1e-5", make_numgrad(default_eps=1e-5), "pass"),
    ("numerical_gradient", "one-sided", make_numgrad(kind="one-sided"), "one-sided difference"),
    ("numerical_gradient", "one-sided, eps 1e-4", make_numgrad(kind="one-sided", default_eps=1e-4), "one-sided"),
    ("numerical_gradient", "central, eps 1e-2", make_numgrad(default_eps=1e-2), r"eps ≈ 0.01 is too large"),
    ("numerical_gradient", "central, eps 0.1", make_numgrad(default_eps=0.1), r"eps ≈ 0.1 is too large"),
    ("numerical_gradient", "divides by eps", make_numgrad(halve=False), "off by a factor of 2"),
    ("numerical_gradient", "does not restore", make_numgrad(restore=False), "not restored"),
    ("numerical_gradient", "nudges a copy", make_numgrad(copy=True), "f\\(\\) never saw your nudges"),
    ("numerical_gradient", "doubled", lambda f, x, eps=1e-6: make_numgrad()(f, x, eps) * 2, "off by a factor of 2"),
    ("numerical_gradient", "returns None", lambda f, x, eps=1e-6: None, "returned None"),
    ("numerical_gradient", "flattened", lambda f, x, eps=1e-6: make_numgrad()(f, x, eps).ravel(), "shape"),
    ("numerical_gradient", "answer key", ref.numerical_gradient, KEY),
]


# -- gradient_norms --------------------------------------------------------------------------------
def rnn_backward(dhs, cache):  # the name a student's gradient_norms calls (swapped during the check)
    return make_backward()(dhs, cache)


def make_norms(reduce="mean", norm="l2", reverse=False, all_steps=False, last_one=False, shift=False,
               backward=None):
    def gradient_norms(x, params):
        hs, _ = ref.rnn_forward(x, None, params)
        batch, time, units = hs.shape
        out = np.empty(time)
        for t in range(time):
            start = hs[:, t - 1] if shift and t > 0 else hs[:, t]
            rest = x[:, t:] if shift and t > 0 else x[:, t + 1:]
            if rest.shape[1] == 0:
                dh = np.ones((batch, units))
            else:
                rest_hs, cache = ref.rnn_forward(rest, start, params)
                dhs = np.ones_like(rest_hs) if all_steps else np.zeros_like(rest_hs)
                dhs[:, -1] = 1.0
                _, dh, _ = (backward or rnn_backward)(dhs, cache)
                if all_steps:
                    dh = dh + 1.0
            if norm == "fro":
                out[t] = np.linalg.norm(dh)
            elif reduce == "mean_first":
                out[t] = np.linalg.norm(np.mean(dh, axis=0))
            else:
                n = {"l2": np.linalg.norm(dh, axis=-1), "sq": np.sum(dh ** 2, axis=-1),
                     "abs": np.mean(np.abs(dh), axis=-1)}[norm]
                out[t] = {"mean": np.mean, "sum": np.sum}[reduce](n)
        if last_one:
            out[-1] = 1.0
        return out[::-1] if reverse else out
    return gradient_norms


def norms_one_pass(x, params):  # correct: one backward pass, collecting the gradient at every h_t
    hs, cache = ref.rnn_forward(x, None, params)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = 1.0
    U = params["recurrent_kernel"]
    g, out = np.zeros_like(hs[:, 0]), np.empty(hs.shape[1])
    for t in reversed(range(hs.shape[1])):
        g = dhs[:, t] + g
        out[t] = np.mean(np.linalg.norm(g, axis=-1))
        g = (g * (1 - hs[:, t] ** 2)) @ U.T
    return out


GRAD_NORMS = [
    ("gradient_norms", "correct: dh0 of the rest", make_norms(), "pass"),
    ("gradient_norms", "correct: one backward pass", norms_one_pass, "pass"),
    ("gradient_norms", "reversed", make_norms(reverse=True), "reversed"),
    ("gradient_norms", "sum over batch", make_norms(reduce="sum"), "sums over the batch"),
    ("gradient_norms", "one Frobenius norm", make_norms(norm="fro"), "one norm over the whole"),
    ("gradient_norms", "squared norms", make_norms(norm="sq"), "squared norms"),
    ("gradient_norms", "mean |g|", make_norms(norm="abs"), "averages over units"),
    ("gradient_norms", "mean before norm", make_norms(reduce="mean_first"), "averages the gradient over the batch"),
    ("gradient_norms", "L = Σ_t h_t", make_norms(all_steps=True), "sum of every h_t"),
    ("gradient_norms", "last entry 1", make_norms(last_one=True), "except the last"),
    ("gradient_norms", "off by one step", make_norms(shift=True), "off by one step"),
    ("gradient_norms", "a list", lambda x, p: list(make_norms()(x, p)), "returned a list"),
    ("gradient_norms", "answer key", lambda x, p: reference_state_gradient_norms("rnn", x, p), KEY),
    ("gradient_norms", "answer key's BPTT", make_norms(backward=ref.rnn_backward), KEY),
]


# -- LSTM ---------------------------------------------------------------------------------------------
def lstm_per_gate(x_t, h_prev, c_prev, params):
    W, U, b = params["kernel"], params["recurrent_kernel"], params["bias"]
    u = U.shape[0]
    gate = lambda k: x_t @ W[:, k * u:(k + 1) * u] + h_prev @ U[:, k * u:(k + 1) * u] + b[k * u:(k + 1) * u]  # noqa
    i, f, g, o = sig(gate(0)), sig(gate(1)), np.tanh(gate(2)), sig(gate(3))
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def make_lstm(order="ifco", i_act=sig, f_act=sig, c_act=np.tanh, out_tanh=True, bias=True, swap_return=False,
              no_input_gate=False, drop_c=False, h_from_prev=False, inplace=False):
    def lstm_step(x_t, h_prev, c_prev, params):
        z = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + (params["bias"] if bias else 0)
        parts = dict(zip(order, np.split(z, 4, axis=1)))
        i, f, g, o = i_act(parts["i"]), f_act(parts["f"]), c_act(parts["c"]), sig(parts["o"])
        if inplace:
            c_prev *= f
            c = c_prev + i * g
        else:
            c = (0 if drop_c else f * c_prev) + (g if no_input_gate else i * g)
        h = o * ((np.tanh(c_prev if h_from_prev else c)) if out_tanh else c)
        return (c, h) if swap_return else (h, c)
    return lstm_step


def lstm_step(x_t, h_prev, c_prev, params):  # the name a student's lstm_forward calls
    return make_lstm(order="fico")(x_t, h_prev, c_prev, params)  # wrong on purpose: the check swaps it


def make_lstm_forward(carry_c=True, carry_h=True, return_c=False):
    def lstm_forward(x, h0, c0, params):
        h, c, hs, cs = h0, c0, [], []
        for t in range(x.shape[1]):
            h, c = lstm_step(x[:, t], h if carry_h else h0, c if carry_c else c0, params)
            hs.append(h)
            cs.append(c)
        return np.stack(cs if return_c else hs, 1), None
    return lstm_forward


def _lstm_inline(x, h0, c0, params):
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_per_gate(x[:, t], h, c, params)
        hs.append(h)
    return hs


LSTM = [
    ("lstm_step", "correct: one product, split", make_lstm(), "pass"),
    ("lstm_step", "correct: per-gate slices", lstm_per_gate, "pass"),
    ("lstm_step", "f and i swapped", make_lstm(order="fico"), "forget and input gates are swapped"),
    ("lstm_step", "order i, c, f, o", make_lstm(order="icfo"), "gates are in the order i, c, f, o"),
    ("lstm_step", "i and c̃ blocks swapped", make_lstm(order="cfio"), "input gate and the candidate are swapped"),
    ("lstm_step", "i and c̃ activations swapped", make_lstm(i_act=np.tanh, c_act=sig),
     "input gate and the candidate are swapped.*activations"),
    ("lstm_step", "forget gate tanh", make_lstm(f_act=np.tanh), "forget gate uses tanh; it should be a sigmoid"),
    ("lstm_step", "candidate sigmoid", make_lstm(c_act=sig), "candidate uses a sigmoid"),
    ("lstm_step", "no tanh on output", make_lstm(out_tanh=False), "tanh is missing on the cell output"),
    ("lstm_step", "no bias", make_lstm(bias=False), "bias is missing"),
    ("lstm_step", "returns (c, h)", make_lstm(swap_return=True), r"returns \(c_t, h_t\)"),
    ("lstm_step", "no input gate", make_lstm(no_input_gate=True), "input gate is not applied"),
    ("lstm_step", "drops c_prev", make_lstm(drop_c=True), "c_prev is dropped"),
    ("lstm_step", "h from c_prev", make_lstm(h_from_prev=True), "h uses the previous cell state"),
    ("lstm_step", "c_prev *= f in place", make_lstm(inplace=True), "changes its input `c_prev` in place"),
    ("lstm_step", "one value", lambda x, h, c, p: make_lstm()(x, h, c, p)[0], "must return 2 values"),
    ("lstm_step", "answer key", ref.lstm_step, KEY),
    ("lstm_forward", "correct (with a wrong lstm_step: no cascade)", make_lstm_forward(), "pass"),
    ("lstm_forward", "correct: inline, per-gate step", lambda x, h0, c0, p: (np.stack(_lstm_inline(x, h0, c0, p), 1), None), "pass"),
    ("lstm_forward", "c not carried", make_lstm_forward(carry_c=False), "cell state is not carried"),
    ("lstm_forward", "h not carried", make_lstm_forward(carry_h=False), "hidden state is not carried"),
    ("lstm_forward", "returns c", make_lstm_forward(return_c=True), "cell states"),
    ("lstm_forward", "answer key", ref.lstm_forward, KEY),
]


# -- GRU ------------------------------------------------------------------------------------------------
def make_gru(reset="after", swap_z=False, rec_bias=True, order="zrh", cand=np.tanh, gate=sig, swap_rows=False):
    def gru_step(x_t, h_prev, params):
        W, U, b = params["kernel"], params["recurrent_kernel"], params["bias"]
        b_in, b_rec = (b[1], b[0]) if swap_rows else (b[0], b[1])
        u = U.shape[0]
        xw = dict(zip(order, np.split(x_t @ W + b_in, 3, axis=1)))
        m = dict(zip(order, np.split(h_prev @ U + (b_rec if rec_bias else 0), 3, axis=1)))
        z, r = gate(xw["z"] + m["z"]), gate(xw["r"] + m["r"])
        if reset == "before":
            k = order.index("h")
            hh = cand(xw["h"] + (r * h_prev) @ U[:, k * u:(k + 1) * u] + b_rec[k * u:(k + 1) * u])
        elif reset == "none":
            hh = cand(xw["h"] + m["h"])
        else:
            hh = cand(xw["h"] + r * m["h"])
        return (1 - z) * h_prev + z * hh if swap_z else z * h_prev + (1 - z) * hh
    return gru_step


def gru_per_gate(x_t, h_prev, params):
    W, U, (b_in, b_rec) = params["kernel"], params["recurrent_kernel"], params["bias"]
    u = U.shape[0]
    cols = [slice(k * u, (k + 1) * u) for k in range(3)]
    z = sig(x_t @ W[:, cols[0]] + b_in[cols[0]] + h_prev @ U[:, cols[0]] + b_rec[cols[0]])
    r = sig(x_t @ W[:, cols[1]] + b_in[cols[1]] + h_prev @ U[:, cols[1]] + b_rec[cols[1]])
    hh = np.tanh(x_t @ W[:, cols[2]] + b_in[cols[2]] + r * (h_prev @ U[:, cols[2]] + b_rec[cols[2]]))
    return z * h_prev + (1 - z) * hh


GRU = [
    ("gru_step", "correct", make_gru(), "pass"),
    ("gru_step", "correct: per-gate slices", gru_per_gate, "pass"),
    ("gru_step", "reset before", make_gru(reset="before"), "reset gate is applied before the matrix product"),
    ("gru_step", "no reset", make_gru(reset="none"), "reset gate is missing"),
    ("gru_step", "z swapped", make_gru(swap_z=True), "z and 1 − z are swapped"),
    ("gru_step", "no recurrent bias", make_gru(rec_bias=False), r"recurrent bias \(bias\[1\]\) is missing"),
    ("gru_step", "bias rows swapped", make_gru(swap_rows=True), "two bias rows are swapped"),
    ("gru_step", "order r, z, h", make_gru(order="rzh"), "order r, z, h"),
    ("gru_step", "candidate sigmoid", make_gru(cand=sig), "candidate uses a sigmoid"),
    ("gru_step", "gates tanh", make_gru(gate=np.tanh), "gates z and r use tanh"),
    ("gru_step", "answer key", ref.gru_step, KEY),
    ("gru_step", "answer key, Cho form", lambda x, h, p: ref.gru_step(x, h, p, reset_after=False), KEY),
]

NUMPY_CORPUS = RNN_STEP + RNN_FORWARD + RNN_BACKWARD + NUMGRAD + GRAD_NORMS + LSTM + GRU
NUMPY_CHECKS = {
    "rnn_step": checks.check_rnn_step, "rnn_forward": checks.check_rnn_forward,
    "rnn_backward": lambda fn, hidden=False: checks.check_rnn_backward(ref.rnn_forward, fn, hidden=hidden),
    "numerical_gradient": checks.check_numerical_gradient, "gradient_norms": checks.check_gradient_norms,
    "lstm_step": checks.check_lstm_step, "lstm_forward": checks.check_lstm_forward, "gru_step": checks.check_gru_step,
}


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
@pytest.mark.parametrize("task,label,answer,expected", NUMPY_CORPUS, ids=[f"{t}: {lbl}" for t, lbl, _, _ in NUMPY_CORPUS])
def test_numpy_corpus(task, label, answer, expected, hidden, capsys):
    got = outcome(lambda fn: NUMPY_CHECKS[task](fn, hidden=hidden), answer)
    if expected == "pass":
        assert got == "pass", f"false fail: {got}"
        assert "✔" in capsys.readouterr().out
    else:
        assert got != "pass", "false pass"
        assert re.search(expected, got), f"not named: {got}"


def test_forward_is_graded_with_a_correct_step():
    """A wrong rnn_step costs its own points only: rnn_forward calls the name rnn_step, which the check swaps."""
    global rnn_step
    saved = rnn_step
    rnn_step = make_lstm  # not even a step function
    try:
        checks.check_rnn_forward(make_forward())
    finally:
        rnn_step = saved
    assert rnn_step is saved


def test_stub_raises_not_implemented_with_guidance():
    def stub(x_t, h_prev, params):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError, match="not written yet"):
        checks.check_rnn_step(stub)
    assert "expected a function" in outcome(checks.check_rnn_step, rnn_step_ok(
        np.zeros((1, 3)), np.zeros((1, 4)), {"kernel": np.zeros((3, 4)), "recurrent_kernel": np.zeros((4, 4)),
                                           "bias": np.zeros(4)}))


def test_rnn_backward_refuses_a_wrong_given_forward():
    assert "rnn_forward given to the check is wrong" in outcome(
        lambda fn: checks.check_rnn_backward(make_forward(zeros=True), fn), make_backward())


# -- Keras cells --------------------------------------------------------------------------------------
class RNNCellOk(keras.layers.Layer):
    def __init__(self, units, **kw):
        super().__init__(**kw)
        self.units, self.state_size, self.output_size = units, units, units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    def pre(self, inputs, h):
        return ops.matmul(inputs, self.kernel) + ops.matmul(h, self.recurrent_kernel) + self.bias

    def call(self, inputs, states):
        h = ops.tanh(self.pre(inputs, states[0]))
        return h, [h]


class RNNCellConcat(RNNCellOk):  # correct: one product on [x, h] with the stacked [W; U]
    def pre(self, inputs, h):
        stacked = ops.concatenate([self.kernel, self.recurrent_kernel], axis=0)
        return ops.matmul(ops.concatenate([inputs, h], axis=-1), stacked) + self.bias


class RNNCellNoBias(RNNCellOk):
    def pre(self, inputs, h):
        return ops.matmul(inputs, self.kernel) + ops.matmul(h, self.recurrent_kernel)


class RNNCellTransposedU(RNNCellOk):
    def pre(self, inputs, h):
        return ops.matmul(inputs, self.kernel) + ops.matmul(h, ops.transpose(self.recurrent_kernel)) + self.bias


class RNNCellNumpy(RNNCellOk):
    def call(self, inputs, states):
        h = np.tanh(np.asarray(inputs) @ np.asarray(self.kernel) + np.asarray(states[0]) @ np.asarray(
            self.recurrent_kernel) + np.asarray(self.bias))
        return h, [h]


class RNNCellStopGradient(RNNCellOk):
    def pre(self, inputs, h):
        return ops.matmul(inputs, ops.stop_gradient(self.kernel)) + ops.matmul(h, self.recurrent_kernel) + self.bias


class RNNCellKeyWrapper(RNNCellOk):
    def build(self, input_shape):
        self.inner = keras.layers.SimpleRNNCell(self.units)
        self.inner.build(input_shape)

    def call(self, inputs, states):
        return self.inner(inputs, states)


class RNNCellWeightLayout(RNNCellOk):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(self.units, input_shape[-1]), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias")

    def pre(self, inputs, h):
        return ops.matmul(inputs, ops.transpose(self.kernel)) + self.bias


class LSTMCellOk(keras.layers.Layer):
    def __init__(self, units, **kw):
        super().__init__(**kw)
        self.units, self.state_size, self.output_size = units, [units, units], units

    def build(self, input_shape):
        u = self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], 4 * u), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(u, 4 * u), name="recurrent_kernel")
        self.bias = self.add_weight(shape=(4 * u,), name="bias", initializer="zeros")

    def gates(self, inputs, h_prev):
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        return ops.split(z, 4, axis=1)

    def call(self, inputs, states):
        h_prev, c_prev = states
        i, f, g, o = self.gates(inputs, h_prev)
        c = ops.sigmoid(f) * c_prev + ops.sigmoid(i) * ops.tanh(g)
        h = ops.sigmoid(o) * ops.tanh(c)
        return h, [h, c]


class LSTMCellPerGate(LSTMCellOk):  # correct: one product per gate, on slices of the weights
    def gates(self, inputs, h_prev):
        u = self.units
        return [ops.matmul(inputs, self.kernel[:, k * u:(k + 1) * u])
                + ops.matmul(h_prev, self.recurrent_kernel[:, k * u:(k + 1) * u]) + self.bias[k * u:(k + 1) * u]
                for k in range(4)]


class LSTMCellSwapped(LSTMCellOk):
    def gates(self, inputs, h_prev):
        i, f, g, o = super().gates(inputs, h_prev)
        return f, i, g, o


class LSTMCellConcat(LSTMCellOk):
    def call(self, inputs, states):
        h, (h, c) = super().call(inputs, states)
        return ops.concatenate([h, c], axis=-1), [h, c]


class LSTMCellOnlyH(LSTMCellOk):
    def call(self, inputs, states):
        h, _ = super().call(inputs, states)
        return h, [h]


class LSTMCellNumpyGate(LSTMCellOk):
    def call(self, inputs, states):
        h_prev, c_prev = states
        i, f, g, o = self.gates(inputs, h_prev)
        c = sig(np.asarray(f)) * c_prev + ops.sigmoid(i) * ops.tanh(g)
        h = ops.sigmoid(o) * ops.tanh(c)
        return h, [h, c]


class LSTMCellSubclassesKey(LSTMCell):
    pass


CELL_CORPUS = [
    ("rnn cell", "correct", RNNCellOk, "pass"),
    ("rnn cell", "correct: one product on [x, h]", RNNCellConcat, "pass"),
    ("rnn cell", "no bias", RNNCellNoBias, "bias b is missing"),
    ("rnn cell", "transposed U", RNNCellTransposedU, "recurrent kernel is transposed"),
    ("rnn cell", "NumPy in call", RNNCellNumpy, "NumPy .* inside call\\(\\)"),
    ("rnn cell", "stop_gradient on the kernel", RNNCellStopGradient, "does not change `kernel`"),
    ("rnn cell", "wraps keras.layers.SimpleRNNCell", RNNCellKeyWrapper, KEY),
    ("rnn cell", "the course's SimpleRNNCell", SimpleRNNCell, KEY),
    ("rnn cell", "kernel (units, features)", RNNCellWeightLayout, "Keras's layout"),
    ("rnn cell", "an instance, not the class", RNNCellOk(4), "expected a class"),
    ("rnn cell", "LSTM state size", LSTMCellOk, r"state_size is \[4, 4\]"),
    ("lstm cell", "correct", LSTMCellOk, "pass"),
    ("lstm cell", "correct: per-gate slices", LSTMCellPerGate, "pass"),
    ("lstm cell", "f and i swapped", LSTMCellSwapped, "forget and input gates are swapped"),
    ("lstm cell", "outputs concat([h, c])", LSTMCellConcat, r"concatenated gates or states"),
    ("lstm cell", "states [h] only", LSTMCellOnlyH, r"one new state per entry of state_size"),
    ("lstm cell", "NumPy on one gate", LSTMCellNumpyGate, "NumPy .* inside call\\(\\)"),
    ("lstm cell", "subclasses the course's LSTMCell", LSTMCellSubclassesKey, KEY),
    ("lstm cell", "keras.layers.LSTMCell", keras.layers.LSTMCell, KEY),
    ("lstm cell", "the course's SimpleRNNCell", SimpleRNNCell, KEY),
    ("lstm cell", "RNN state size", RNNCellOk, r"state_size is 4; for 4 units it should be \[4, 4\]"),
]
CELL_CHECKS = {"rnn cell": checks.check_rnn_cell_layer, "lstm cell": checks.check_lstm_cell_layer}


@pytest.mark.parametrize("task,label,answer,expected", CELL_CORPUS, ids=[f"{t}: {lbl}" for t, lbl, _, _ in CELL_CORPUS])
def test_cell_corpus(task, label, answer, expected):
    got = outcome(CELL_CHECKS[task], answer)
    if expected == "pass":
        assert got == "pass", f"false fail: {got}"
    else:
        assert got != "pass", "false pass"
        assert re.search(expected, got), f"not named: {got}"


def test_cell_hidden_case_passes_a_correct_cell():
    checks.check_lstm_cell_layer(LSTMCellOk, hidden=True)
    checks.check_rnn_cell_layer(RNNCellOk, hidden=True)


# -- lab 04 and 05 models --------------------------------------------------------------------------------
def make_model_ok(kind):
    layer = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[kind](32)
    model = keras.Sequential([keras.Input((50, 2)), layer, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse")
    return model


def make_model_functional(kind):
    inputs = keras.Input((50, 2))
    hidden = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[kind](32)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01, clipnorm=1.0),
                  loss=keras.losses.MeanSquaredError())
    return model


def make_model_cells(kind):
    inputs = keras.Input((50, 2))
    cell = {"rnn": keras.layers.SimpleRNNCell, "gru": keras.layers.GRUCell, "lstm": keras.layers.LSTMCell}[kind]
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.RNN(cell(32))(inputs)))
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse")
    return model


def make_model_patched(patch):
    def make_model(kind):
        model = make_model_ok(kind)
        patch(model)
        return model
    return make_model


class CheatingSequential(keras.Sequential):   # reports what it likes: the race must not train it
    def train_step(self, data):
        return {"loss": 0.0}


class GRUNamedGRU(keras.layers.GRU):   # a layer that is not a GRU: it reads the answer off the input
    def call(self, sequences, initial_state=None, mask=None, training=False):
        total = keras.ops.sum(sequences[..., :1] * sequences[..., 1:], axis=1)
        return total * keras.ops.ones((1, self.units))


GRUNamedGRU.__name__ = "GRU"


class AdamFiveSteps(keras.optimizers.Adam):   # five updates per batch: past the race's budget
    def apply(self, grads, trainable_variables=None):
        for _ in range(5):
            super().apply(grads, trainable_variables)


def tanh(x):   # named tanh, computes something else
    return keras.ops.tanh(2 * x)


def make_model_variant(layer_for=None, compile_kw=None, compiled=True, return_sequences=False, cache=None,
                       model_cls=None, layer_kw=None):
    def make_model(kind):
        if cache is not None and cache:
            return cache[0]
        layer = (layer_for or {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU,
                               "lstm": keras.layers.LSTM}[kind])(32, return_sequences=return_sequences,
                                                                 **(layer_kw or {}))
        sequential = CheatingSequential if model_cls == "cheat" else keras.Sequential
        model = sequential([keras.Input((50, 2)), layer, keras.layers.Dense(1)])
        if compiled:
            kw = {"optimizer": keras.optimizers.Adam(0.01, clipnorm=1.0), "loss": "mse", **(compile_kw or {})}
            model.compile(**kw)
        if cache is not None:
            cache.append(model)
        return model
    return make_model


MAKE_MODEL = [
    ("make_model", "correct", make_model_ok, "pass"),
    ("make_model", "correct: functional API, loss object", make_model_functional, "pass"),
    ("make_model", "GRU for every kind", make_model_variant(layer_for=keras.layers.GRU), "is a GRU; the task asks for keras.layers.SimpleRNN"),
    ("make_model", "not compiled", make_model_variant(compiled=False), "not compiled"),
    ("make_model", "SGD", make_model_variant(compile_kw={"optimizer": "sgd"}), "optimizer is SGD"),
    ("make_model", "no clipnorm", make_model_variant(compile_kw={"optimizer": keras.optimizers.Adam(0.01)}), "clipnorm=None"),
    ("make_model", "learning rate 1e-3", make_model_variant(compile_kw={"optimizer": keras.optimizers.Adam(clipnorm=1.0)}),
     "learning_rate=0.001"),
    ("make_model", "MAE loss", make_model_variant(compile_kw={"loss": "mae"}), "regression: loss=\"mse\""),
    ("make_model", "return_sequences", make_model_variant(return_sequences=True), "return_sequences=False"),
    ("make_model", "one model for all kinds", make_model_variant(cache=[]), "same model object"),
    ("make_model", "returns None", lambda kind: None, "forget `return model`"),
    ("make_model", "correct: RNN(GRUCell) etc. in the functional API", lambda kind: make_model_cells(kind), "pass"),
    ("make_model", "fit replaced on the model object", make_model_patched(lambda m: setattr(m, "fit", lambda *a, **k: None)),
     r"code written outside Keras \(Sequential.fit \(set on the object\)\)"),
    ("make_model", "a Sequential subclass with its own train_step", make_model_variant(model_cls="cheat"),
     "the model is CheatingSequential from .*keras.Sequential or the functional API"),
    ("make_model", "a GRU subclass (named GRU) with its own call", make_model_variant(layer_for=lambda u, **k: GRUNamedGRU(u, **k)),
     "layer 'gru.*' is GRU from .*not one of Keras's own layers"),
    ("make_model", "an Adam subclass", make_model_variant(compile_kw={"optimizer": AdamFiveSteps(0.01, clipnorm=1.0)}),
     "the optimizer is AdamFiveSteps from .*a subclass of Adam"),
    ("make_model", "an activation written in the notebook, named tanh", make_model_variant(layer_kw={"activation": tanh}),
     r"code written outside Keras \(.*activation \(set on the object\)\)"),
    ("make_model", "weights smuggled in a Constant initializer",
     make_model_variant(layer_kw={"kernel_initializer": keras.initializers.Constant(0.1)}),
     "kernel_initializer=Constant; keep Keras's standard initializers"),
]


def stacked(first_rs=True, second_rs=True, layer=keras.layers.LSTM, mask=True, act="softmax", functional=False):
    def build_stacked():
        layers = [keras.layers.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=mask),
                  layer(16, return_sequences=first_rs), layer(16, return_sequences=second_rs),
                  keras.layers.Dense(3, activation=act)]
        if functional:
            inputs = keras.Input((None,), dtype="int32")
            out = inputs
            for lyr in layers:
                out = lyr(out)
            return keras.Model(inputs, out)
        return keras.Sequential([keras.Input((None,), dtype="int32"), *layers])
    return build_stacked


def bidirectional_functional():
    inputs = keras.Input((None,), dtype="int32")
    hidden = keras.layers.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=True)(inputs)
    hidden = keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True))(hidden)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))


def bidirectional(units=16, merge_mode="concat", mask=True, act="softmax", layer=keras.layers.LSTM):
    def build_bidirectional():
        return keras.Sequential([
            keras.Input((None,), dtype="int32"), keras.layers.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=mask),
            keras.layers.Bidirectional(layer(units, return_sequences=True), merge_mode=merge_mode),
            keras.layers.Dense(3, activation=act)])
    return build_bidirectional


TAGGERS = [
    ("stacked", "correct", stacked(), "pass"),
    ("stacked", "correct: functional API", stacked(functional=True), "pass"),
    ("stacked", "first LSTM without return_sequences", stacked(first_rs=False), "expected ndim=3.*return_sequences=True"),
    ("stacked", "second LSTM without return_sequences", stacked(second_rs=False), "add return_sequences=True"),
    ("stacked", "GRU instead of LSTM", stacked(layer=keras.layers.GRU), "is a GRU; the task asks for keras.layers.LSTM"),
    ("stacked", "no mask_zero", stacked(mask=False), "mask_zero=False"),
    ("stacked", "no softmax", stacked(act=None), "activation='linear'"),
    ("bidirectional", "correct", bidirectional(), "pass"),
    ("bidirectional", "correct: functional API", bidirectional_functional, "pass"),
    ("bidirectional", "merge_mode sum, 32 units", bidirectional(units=32, merge_mode="sum"), "merge_mode='sum'"),
    ("bidirectional", "GRU inside", bidirectional(layer=keras.layers.GRU), "is a GRU"),
    ("bidirectional", "no mask_zero", bidirectional(mask=False), "mask_zero=False"),
    ("bidirectional", "sigmoid output", bidirectional(act="sigmoid"), "activation='sigmoid'"),
    ("bidirectional", "passes the model, not the builder", bidirectional()(), "expected the function"),
]
MODEL_CHECKS = {
    "make_model": checks.check_make_model,
    "stacked": lambda fn: checks.check_stacked_tagger(fn, len(tasks.TEDDY_VOCAB), 3),
    "bidirectional": lambda fn: checks.check_bidirectional_tagger(fn, len(tasks.TEDDY_VOCAB), 3),
}
MODEL_CORPUS = MAKE_MODEL + TAGGERS


@pytest.mark.parametrize("task,label,answer,expected", MODEL_CORPUS, ids=[f"{t}: {lbl}" for t, lbl, _, _ in MODEL_CORPUS])
def test_model_corpus(task, label, answer, expected):
    got = outcome(MODEL_CHECKS[task], answer)
    if expected == "pass":
        assert got == "pass", f"false fail: {got}"
    else:
        assert got != "pass", "false pass"
        assert re.search(expected, got), f"not named: {got}"


def test_race_model_rebuilds_with_keras_classes_and_new_weights():
    """The race trains a new model: Keras's classes, weights drawn from its seed, a new Adam with the
    student's settings, loss "mse"; equivalent forms rebuild to the same computation."""
    trained = make_model_ok("gru")
    trained.fit(np.zeros((8, 50, 2), "float32"), np.ones((8, 1), "float32"), epochs=2, verbose=0)
    for answer in (lambda kind: trained, make_model_ok, make_model_functional, make_model_cells):
        model = checks.race_model(answer, "gru", seed=0)
        assert model is not trained and type(model) in (keras.Sequential, checks._FUNCTIONAL)
        assert type(model.optimizer) is keras.optimizers.Adam and model.optimizer is not trained.optimizer
        assert np.isclose(float(model.optimizer.learning_rate), 0.01) and model.optimizer.clipnorm == 1.0
        assert model.loss == "mse" and int(model.optimizer.iterations) == 0
        keras.utils.set_random_seed(0)
        fresh_weights = make_model_ok("gru").get_weights()
        assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), fresh_weights)), "weights from seed 0"
    with pytest.raises(ValueError, match="Received: kind='bilstm'"):
        checks.race_model(make_model_ok, "bilstm")


def test_race_refuses_a_patched_keras(monkeypatch):
    """A solution cell that patches Keras's classes (fit, a layer's call) is refused by the race itself."""
    monkeypatch.setattr(keras.Model, "fit", lambda self, *a, **k: None)
    assert "(Model.fit)" in outcome(lambda m: checks.race_model(m, "rnn"), make_model_ok)
    monkeypatch.undo()
    monkeypatch.setattr(keras.layers.GRU, "call", GRUNamedGRU.call)
    assert "(GRU.call)" in outcome(lambda m: checks.race_model(m, "gru"), make_model_ok)


def test_model_shapes_accepts_the_functional_api():
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.LSTM(4)(inputs)))
    checks.check_model_shapes(model, [(None, 4), (None, 2)])
    assert "return_sequences=True" in outcome(lambda m: checks.check_model_shapes(m, [(None, None, 4), (None, 2)]), model)
    assert "expected 1" in outcome(lambda m: checks.check_model_shapes(m, [(None, 4)]), model)


TEDDY_RECIPE = {"epochs": 8, "batch_size": 64, "learning_rate": 0.01}


def test_teddy_tagger_is_trained_by_the_check_within_the_budget(capsys):
    """The check trains the builder with the recipe itself, then measures on sentences it makes."""
    checks.check_teddy_tagger(bidirectional(), TEDDY_RECIPE)
    assert "376 optimizer steps" in capsys.readouterr().out
    assert "write build_teddy() and TEDDY_RECIPE" in str(
        pytest.raises(NotImplementedError, checks.check_teddy_tagger, bidirectional(), None).value)


@pytest.mark.parametrize("recipe,expected", [
    ({"epochs": 20, "batch_size": 64, "learning_rate": 0.01}, r"20 epochs × 47 batches = 940 optimizer steps; the budget is 600"),
    ({"epochs": 8, "batch_size": 64}, r"recipe\['learning_rate'\] must be a positive float; got None"),
    ({"epochs": 8.5, "batch_size": 64, "learning_rate": 0.01}, r"recipe\['epochs'\] must be a positive int; got 8.5"),
    ({"epochs": 8, "batch_size": 64, "learning_rate": 0.01, "steps_per_epoch": 1}, r"keys \['steps_per_epoch'\]"),
    ({"epochs": 8, "batch_size": 64, "learning_rate": 0.01, "optimizer": "lion"}, r"must be one of .*got 'lion'"),
    ([8, 64, 0.01], "must be a dict"),
])
def test_teddy_recipe_is_checked_before_training(recipe, expected):
    got = outcome(lambda r: checks.check_teddy_tagger(bidirectional(), r), recipe)
    assert re.search(expected, got), got


class Memorized(keras.layers.Layer):  # a custom layer could carry weights trained before the check
    def call(self, x):
        return x


def test_teddy_model_is_rebuilt_from_keras_layers_only():
    def custom():
        return keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(20, 8), Memorized(),
                                 keras.layers.Dense(3, activation="softmax")])

    def constant_init():
        return keras.Sequential([keras.Input((None,), dtype="int32"),
                                 keras.layers.Embedding(20, 8, embeddings_initializer=keras.initializers.Constant(0.3)),
                                 keras.layers.Dense(3, activation="softmax")])

    def too_big():
        return keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(20, 8),
                                 keras.layers.Bidirectional(keras.layers.LSTM(128, return_sequences=True)),
                                 keras.layers.Dense(3, activation="softmax")])

    recipe = {"epochs": 1, "batch_size": 3000, "learning_rate": 0.01}
    assert "is a Memorized; build the model from Keras's own layers" in outcome(
        lambda b: checks.check_teddy_tagger(b, recipe), custom)
    assert "embeddings_initializer=Constant" in outcome(lambda b: checks.check_teddy_tagger(b, recipe), constant_init)
    assert "parameters; the budget is 50000" in outcome(lambda b: checks.check_teddy_tagger(b, recipe), too_big)
    flat = lambda: keras.Sequential([keras.Input((12,)), keras.layers.Dense(3)])  # noqa: E731
    assert "training failed" in outcome(lambda b: checks.check_teddy_tagger(b, recipe), flat)
    assert "cannot see the words after" in outcome(lambda b: checks.check_teddy_tagger(b, recipe), stacked())


@pytest.mark.parametrize("results,expected", [
    ({"rnn": 0.17, "gru": 0.001, "lstm": 0.002}, "pass"),
    ({"rnn": np.float32(0.17), "gru": np.min(np.array([0.3, 0.001])), "lstm": np.array(0.002)}, "pass"),
    ({"rnn": 0.17, "gru": 0.05, "lstm": 0.002}, "GRU reached MSE 0.0500"),
    ({"rnn": 0.01, "gru": 0.001, "lstm": 0.002}, "suspiciously good"),
    ({"rnn": "0.17", "gru": 0.001, "lstm": 0.002}, "non-negative number"),
    ({"rnn": [0.17, 0.2], "gru": 0.001, "lstm": 0.002}, "non-negative number"),
    ({"gru": 0.001}, "keys 'rnn', 'gru', 'lstm'"),
])
def test_adding_comparison(results, expected):
    got = outcome(checks.check_adding_comparison, results)
    assert got == "pass" if expected == "pass" else re.search(expected, got), got


def test_accuracy_check():
    checks.check_accuracy("echo", np.float32(0.97), 0.9)
    assert "below the target" in outcome(lambda a: checks.check_accuracy("echo", a, 0.9), 0.5)
    assert "must be a number" in outcome(lambda a: checks.check_accuracy("echo", a, 0.9), None)


# -- integrity: the graded cells use a fresh, self-tested copy of the checks -----------------------------
def test_fresh_checks_ignore_redefinitions(monkeypatch):
    monkeypatch.setattr(checks, "check_rnn_step", lambda fn, hidden=False: None)
    monkeypatch.setattr(checks, "_close", lambda *a, **k: True)
    fresh = _grading.fresh()
    assert fresh is not checks and fresh.check_rnn_step is not checks.check_rnn_step
    assert "bias b is missing" in outcome(fresh.check_rnn_step, lambda x, h, p: np.tanh(x @ p[W_] + h @ p[U_]))


def test_fresh_checks_refuse_to_grade_when_numpy_is_patched(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    with pytest.raises(RuntimeError, match="integrity check failed: np.allclose is <lambda>"):
        _grading.fresh()
