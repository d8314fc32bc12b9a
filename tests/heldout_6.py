"""Held-out batch 6 of issue 23: plausible wrong answers written by "20 students", many of which raise.

Run once on the checks before the crash reader's second round (branch crash2) was merged: 78/118 tries named
(66.1 %); once after it, before any change made for this batch: 101/118 (85.6 %), 0 false passes, 0 crashes.
Then the reader learned three readings from it (an elementwise `*` where `@` fits, a call's result unpacked
into the wrong number of names, a call with the wrong arguments): 111/118, no longer a held-out number.

Written from the labs' task texts and solutions only (not from the checks, their catalogues or the
other corpus lists). Every entry is ``(task, label, answer, expected)`` with ``expected`` "fail" (any
failure message, never a pass) or "pass" (a correct but unusual answer). ``KIND`` says, for each
label, what the answer does on ordinary inputs of the lab's shapes (batch ≠ units ≠ features ≠ time):
"raises", "wrong" (runs, different result) or "correct"; ``verify_batch6.py`` measured it against the
solutions' own functions.
"""
import numpy as np

from lstmcourse.lab07_checks import PAD  # what lab 07's notebook uses (checks.PAD)
from lstmcourse.reference import rnn_backward as _bptt, rnn_forward  # lab 02 gives rnn_forward; rnn_backward is Task 1's

W_, U_, B_ = "kernel", "recurrent_kernel", "bias"


def sigmoid(a):  # as defined in labs 03 and 04
    return 1 / (1 + np.exp(-a))


def step(body):
    """An rnn_step from the pre-activation ``body(x, h, W, U, b)`` (a student's one-liner)."""
    return lambda x_t, h_prev, p: body(x_t, h_prev, p[W_], p[U_], p[B_])


# The students' own correct answers to earlier tasks, which later answers call by name.
def rnn_step(x_t, h_prev, params):  # lab 01, Task 1
    return np.tanh(x_t @ params[W_] + h_prev @ params[U_] + params[B_])


def rnn_backward(dhs, cache):  # lab 02, Task 1 (the student's own, correct)
    return _bptt(dhs, cache)


def lstm_step(x_t, h_prev, c_prev, params):  # lab 03, Task 1
    i, f, g, o = np.split(x_t @ params[W_] + h_prev @ params[U_] + params[B_], 4, axis=1)
    c_t = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def temperature_probabilities(logits, temperature):  # lab 07, Task 1
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def rnn_step_gru_bias(x_t, h_prev, params):  # lab 04's habit: the bias as (input row, recurrent row)
    b_in, b_rec = params["bias"]
    return np.tanh(x_t @ params["kernel"] + b_in + h_prev @ params["recurrent_kernel"] + b_rec)


# -- rnn_forward -------------------------------------------------------------------------------------
def fwd_range_plus_one(x, h0, params):  # range(T + 1): "one more step for the last state"
    h, hs = h0, []
    for t in range(x.shape[1] + 1):
        h = rnn_step(x[:, t], h, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def fwd_time_on_last_axis(x, h0, params):  # x[:, :, t]: time read on the features axis
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, :, t], h, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def fwd_prealloc_units_from_h0_rows(x, h0, params):  # units taken from h0.shape[0] (the batch)
    hs = np.zeros((x.shape[0], x.shape[1], h0.shape[0]))
    h = h0
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, params)
        hs[:, t] = h
    return hs, None


def fwd_prev_from_empty_list(x, h0, params):  # "the previous state is the last one stored": h0 forgotten
    hs = []
    for t in range(x.shape[1]):
        hs.append(rnn_step(x[:, t], hs[-1], params))
    return np.stack(hs, axis=1), None


def fwd_time_first(x, h0, params):  # np.array(hs): (time, batch, units), never moved to batch-first
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, params)
        hs.append(h)
    return np.array(hs), None


# -- rnn_backward ------------------------------------------------------------------------------------
def bptt(bias_axis=0, dx_rule="delta @ W.T", loop="reversed", h_prev_rule="guarded"):
    def rnn_backward(dhs, cache):
        x, h0, hs = cache["x"], cache["h0"], cache["hs"]
        W, U = cache["kernel"], cache["recurrent_kernel"]
        dx = np.zeros_like(x)
        dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros(U.shape[0])
        dh_next = np.zeros_like(h0)
        T = x.shape[1]
        times = reversed(range(T)) if loop == "reversed" else range(T, 0, -1)
        for t in times:
            if h_prev_rule == "guarded":
                h_prev = hs[:, t - 1] if t > 0 else h0
            elif h_prev_rule == "unguarded":
                h_prev = hs[:, t - 1]                 # at t = 0 this is hs[:, -1], the last state
            else:
                h_prev = hs[:, t]                     # h_t for h_{t-1}
            delta = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
            dW += x[:, t].T @ delta
            dU += h_prev.T @ delta
            db += delta.sum(axis=bias_axis)
            dx[:, t] = delta @ W.T if dx_rule == "delta @ W.T" else delta @ W
            dh_next = delta @ U.T
        return dx, dh_next, {"kernel": dW, "recurrent_kernel": dU, "bias": db}
    return rnn_backward


# -- numerical_gradient ------------------------------------------------------------------------------
def numgrad_flat_grad(f, x, eps=1e-6):  # grad made flat, indexed with x's tuple indices
    grad = np.zeros(x.size)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved - eps
        f_minus = f()
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def numgrad_f_of_x(f, x, eps=1e-6):  # f called with x, though it takes no argument
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f(x)
        x[index] = saved - eps
        f_minus = f(x)
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def numgrad_restore_before_minus(f, x, eps=1e-6):  # puts the entry back, then reads f_minus there
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved
        f_minus = f()
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def numgrad_ndenumerate(f, x, eps=1e-6):  # correct: np.ndenumerate gives the index and the value
    grad = np.zeros_like(x)
    for index, value in np.ndenumerate(x):
        x[index] = value + eps
        f_plus = f()
        x[index] = value - eps
        f_minus = f()
        x[index] = value
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


# -- gradient_norms ----------------------------------------------------------------------------------
def norms_hs_overwritten(x, params):  # the loop's rnn_forward overwrites hs, then hs[:, t] reads it
    hs, _ = rnn_forward(x, None, params)
    batch, time, units = hs.shape
    norms = np.empty(time)
    norms[-1] = np.sqrt(units)
    for t in range(time - 1):
        hs, cache = rnn_forward(x[:, t + 1:], hs[:, t], params)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = 1.0
        _, dh, _ = rnn_backward(dhs, cache)
        norms[t] = np.mean(np.linalg.norm(dh, axis=-1))
    return norms


def norms_range_time(x, params):  # range(time): the last t runs rnn_forward on x[:, time:], empty
    hs, _ = rnn_forward(x, None, params)
    batch, time, units = hs.shape
    norms = np.empty(time)
    for t in range(time):
        rest_hs, cache = rnn_forward(x[:, t + 1:], hs[:, t], params)
        dhs = np.zeros_like(rest_hs)
        dhs[:, -1] = 1.0
        _, dh, _ = rnn_backward(dhs, cache)
        norms[t] = np.mean(np.linalg.norm(dh, axis=-1))
    return norms


def norms_of(frobenius=False, start="t+1"):
    def gradient_norms(x, params):
        hs, _ = rnn_forward(x, None, params)
        batch, time, units = hs.shape
        norms = np.empty(time)
        norms[-1] = np.sqrt(units)
        for t in range(time - 1):
            rest = x[:, t + 1:] if start == "t+1" else x[:, t:]
            rest_hs, cache = rnn_forward(rest, hs[:, t], params)
            dhs = np.zeros_like(rest_hs)
            dhs[:, -1] = 1.0
            _, dh, _ = rnn_backward(dhs, cache)
            norms[t] = np.linalg.norm(dh) if frobenius else np.mean(np.linalg.norm(dh, axis=-1))
        return norms
    return gradient_norms


# -- lstm_step ---------------------------------------------------------------------------------------
def lstm_split_default_axis(x_t, h_prev, c_prev, params):  # np.split(z, 4): axis 0, the batch
    z = x_t @ params[W_] + h_prev @ params[U_] + params[B_]
    z_i, z_f, z_c, z_o = np.split(z, 4)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def lstm_kernels_swapped(x_t, h_prev, c_prev, params):  # x with the recurrent kernel, h with the kernel
    z = x_t @ params[U_] + h_prev @ params[W_] + params[B_]
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def lstm_bias_unpacked(x_t, h_prev, c_prev, params):  # the bias unpacked into four, like the gates
    b_i, b_f, b_c, b_o = params[B_]
    W, U = params[W_], params[U_]
    zs = np.split(x_t @ W + h_prev @ U, 4, axis=1)
    i, f = sigmoid(zs[0] + b_i), sigmoid(zs[1] + b_f)
    c_t = f * c_prev + i * np.tanh(zs[2] + b_c)
    return sigmoid(zs[3] + b_o) * np.tanh(c_t), c_t


def lstm_returns_c_h(x_t, h_prev, c_prev, params):  # (c_t, h_t): the tuple in the wrong order
    h_t, c_t = lstm_step(x_t, h_prev, c_prev, params)
    return c_t, h_t


def lstm_order_ifoc(x_t, h_prev, c_prev, params):  # blocks read as i, f, o, c (not Keras's i, f, c, o)
    z = x_t @ params[W_] + h_prev @ params[U_] + params[B_]
    z_i, z_f, z_o, z_c = np.split(z, 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


# -- lstm_forward ------------------------------------------------------------------------------------
def lstmf_c_left_out(x, h0, c0, params):  # lstm_step called without c
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def lstmf_hs_like_x(x, h0, c0, params):  # hs preallocated like x: features, not units
    h, c = h0, c0
    hs = np.zeros_like(x)
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, params)
        hs[:, t] = h
    return hs, None


def lstmf_one_based(x, h0, c0, params):  # t from 1 to T, as in the equations
    h, c, hs = h0, c0, []
    for t in range(1, x.shape[1] + 1):
        h, c = lstm_step(x[:, t], h, c, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def lstmf_states_swapped(x, h0, c0, params):  # lstm_step(x, c, h): the two states in the wrong order
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], c, h, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


# -- gru_step ----------------------------------------------------------------------------------------
def gru(candidate="r * m_h", rec="h @ U", blocks="zrh", mix="z*h"):
    def gru_step(x_t, h_prev, params):
        b_in, b_rec = params["bias"]
        xs = np.split(x_t @ params["kernel"] + b_in, 3, axis=1)
        m = (h_prev @ params["recurrent_kernel"]) if rec == "h @ U" else (params["recurrent_kernel"] @ h_prev.T)
        ms = np.split(m + b_rec, 3, axis=1)
        order = {"zrh": (0, 1, 2), "rzh": (1, 0, 2)}[blocks]
        (x_z, m_z), (x_r, m_r), (x_h, m_h) = [(xs[k], ms[k]) for k in order]
        z, r = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
        h_tilde = np.tanh(x_h + (r * m_h if candidate == "r * m_h" else r @ m_h))
        return z * h_prev + (1 - z) * h_tilde if mix == "z*h" else (1 - z) * h_prev + z * h_tilde
    return gru_step


# -- lab 07 ------------------------------------------------------------------------------------------
def temp_max_no_keepdims(logits, temperature):
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    p = np.exp(z - z.max(axis=-1))
    return p / p.sum(axis=-1, keepdims=True)


def temp_times_t(logits, temperature):  # z · T for z / T
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits * temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def temp_logsumexp(logits, temperature):  # correct: log-softmax by log-sum-exp, then exp
    z = np.array(logits, dtype="float64")
    if temperature == 0:
        out = np.zeros_like(z)
        np.put_along_axis(out, z.argmax(axis=1)[:, None], 1.0, axis=1)
        return out
    z = z / temperature
    top = z.max(axis=1, keepdims=True)
    log_p = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    return np.exp(log_p)


def sample_choice_2d(logits, temperature, rng):  # rng.choice with the whole (batch, vocab) table as p
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    return rng.choice(p.shape[-1], size=len(p), p=p)


def sample_u_no_column(logits, temperature, rng):  # one uniform per row, but shape (batch,), not (batch, 1)
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    u = rng.random(len(p))
    return np.argmax(u < np.cumsum(p, axis=-1), axis=-1)


def sample_cumsum_batch_axis(logits, temperature, rng):  # the CDF summed down the batch (axis 0)
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    u = rng.random((len(p), 1))
    return np.argmax(u < np.cumsum(p, axis=0), axis=-1)


def bits_mask_on_axis1(log2_p, targets):  # the 2-D mask used as an index on axis 1
    return float(-log2_p[:, targets != PAD].mean())


def bits_zeroed_padding(log2_p, targets):  # padding zeroed, but the mean still counts it
    return float(-(log2_p * (targets != PAD)).mean())


def bigram_counts_1d(x, y, n_tokens, alpha):  # counts made (n_tokens,), not (n_tokens, n_tokens)
    counts = np.full(n_tokens, float(alpha))
    real = y != PAD
    np.add.at(counts, (x[real], y[real]), 1.0)
    return np.log2(counts / counts.sum(axis=-1, keepdims=True))


def bigram_mask_on_tuple(x, y, n_tokens, alpha):  # the mask applied to the tuple (x, y)
    counts = np.full((n_tokens, n_tokens), float(alpha))
    real = y != PAD
    np.add.at(counts, (x, y)[real], 1.0)
    return np.log2(counts / counts.sum(axis=1, keepdims=True))


def bigram_sum_no_keepdims(x, y, n_tokens, alpha):  # row sums without keepdims: divides each column
    counts = np.full((n_tokens, n_tokens), float(alpha))
    real = y != PAD
    np.add.at(counts, (x[real], y[real]), 1.0)
    return np.log2(counts / counts.sum(axis=1))


def gen(mode):
    def generate(model, first, steps, sample):
        h = np.zeros((len(first), model.units), "float32")
        c = np.zeros((len(first), model.units), "float32")
        token, out = np.asarray(first), []
        for _ in range(steps):
            x = model.embed(token if mode != "first" else first)
            if mode == "three":
                _, h, c = model.cell(x, [h, c])       # the cell returns (out, [h, c]): two things
            elif mode == "two args":
                _, (h, c) = model.cell(x, h, c)       # the states passed as two arguments
            else:
                _, (h, c) = model.cell(x, [h, c])
            token = np.asarray(sample(model.head(h)))
            out.append(token)
        return np.concatenate(out, axis=1) if mode == "concatenate" else np.stack(out, axis=1)
    return generate


# -- lab 08 ------------------------------------------------------------------------------------------
def scores_no_new_axis(query, values, params):  # q not expanded over the Tv axis
    q = query @ params["query_kernel"]
    v = values @ params["value_kernel"]
    return np.tanh(q + v + params["bias"]) @ params["score_kernel"]


def scores_w_first(query, values, params):  # w · hidden with w on the left
    q = query @ params["query_kernel"]
    v = values @ params["value_kernel"]
    return params["score_kernel"] @ np.tanh(q[:, None, :] + v + params["bias"])


def scores_column(query, values, params):  # w made a column: scores keep a trailing axis of 1
    q = query @ params["query_kernel"]
    v = values @ params["value_kernel"]
    return np.tanh(q[:, None, :] + v + params["bias"]) @ params["score_kernel"].reshape(-1, 1)


def scores_einsum(query, values, params):  # correct: every product as an einsum
    q = np.einsum("bq,qu->bu", query, params["query_kernel"])
    v = np.einsum("btv,vu->btu", values, params["value_kernel"])
    return np.einsum("btu,u->bt", np.tanh(q[:, None] + v + params["bias"]), params["score_kernel"])


def softmax_max_no_keepdims(scores, mask):  # the row maximum without keepdims
    top = np.max(np.where(mask, scores, -np.inf), axis=-1)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.where(mask, np.exp(np.where(mask, scores - top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def softmax_minus_inf(scores, mask):  # −inf at the padding: a row with no real position becomes NaN
    s = np.where(mask, scores, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def decoder(mode):
    def decoder_step(model, symbol, states, values, value_mask):
        out, (h, c) = model.cell(model.embed(symbol), states)
        if mode == "attention(values, out)":
            context, weights = model.attention(values, out, value_mask)
        else:
            context, weights = model.attention(out, values, value_mask)
        axis = 0 if mode == "axis 0" else -1
        logits = model.head(np.concatenate([np.asarray(out), np.asarray(context)], axis=axis))
        return logits, (states if mode == "old states" else [h, c]), weights
    return decoder_step


HELD_OUT_6 = [
    # rnn_step
    ("rnn_step", "U @ h_prev (product in the wrong order)", step(lambda x, h, W, U, b: np.tanh(x @ W + U @ h + b)), "fail"),
    ("rnn_step", "np.concatenate([x, h]) on axis 0", step(lambda x, h, W, U, b: np.tanh(
        np.concatenate([x, h]) @ np.concatenate([W, U]) + b)), "fail"),
    ("rnn_step", "h_prev * U elementwise", step(lambda x, h, W, U, b: np.tanh(x @ W + h * U + b)), "fail"),
    ("rnn_step", "bias unpacked as (b_in, b_rec) like the GRU's", rnn_step_gru_bias, "fail"),
    ("rnn_step", "h_prev @ (U + b)", step(lambda x, h, W, U, b: np.tanh(x @ W + h @ (U + b))), "fail"),
    # rnn_forward
    ("rnn_forward", "range(T + 1), one step past the end", fwd_range_plus_one, "fail"),
    ("rnn_forward", "x[:, :, t]: time on the features axis", fwd_time_on_last_axis, "fail"),
    ("rnn_forward", "hs preallocated with h0.shape[0] units", fwd_prealloc_units_from_h0_rows, "fail"),
    ("rnn_forward", "hs[-1] as h_prev before anything is appended", fwd_prev_from_empty_list, "fail"),
    ("rnn_forward", "np.array(hs): time first", fwd_time_first, "fail"),
    # rnn_backward
    ("rnn_backward", "bias gradient summed over units (axis=1)", bptt(bias_axis=1), "fail"),
    ("rnn_backward", "dx = δ W (transpose missing)", bptt(dx_rule="delta @ W"), "fail"),
    ("rnn_backward", "range(T, 0, -1): starts one past the end", bptt(loop="T..1"), "fail"),
    ("rnn_backward", "hs[:, t - 1] also at t = 0 (wraps to the last state)", bptt(h_prev_rule="unguarded"), "fail"),
    ("rnn_backward", "dU from h_t, not h_{t-1}", bptt(h_prev_rule="h_t"), "fail"),
    # numerical_gradient
    ("numerical_gradient", "grad = np.zeros(x.size) indexed by tuples", numgrad_flat_grad, "fail"),
    ("numerical_gradient", "f(x) though f takes no argument", numgrad_f_of_x, "fail"),
    ("numerical_gradient", "f_minus read after putting the entry back", numgrad_restore_before_minus, "fail"),
    ("numerical_gradient", "correct: np.ndenumerate", numgrad_ndenumerate, "pass"),
    # gradient_norms
    ("gradient_norms", "hs overwritten inside the loop", norms_hs_overwritten, "fail"),
    ("gradient_norms", "range(time): the last slice is empty", norms_range_time, "fail"),
    ("gradient_norms", "norm over batch and units (not averaged)", norms_of(frobenius=True), "fail"),
    ("gradient_norms", "x[:, t:] runs step t twice", norms_of(start="t"), "fail"),
    # lstm_step
    ("lstm_step", "np.split(z, 4) without axis=1", lstm_split_default_axis, "fail"),
    ("lstm_step", "kernel and recurrent_kernel swapped", lstm_kernels_swapped, "fail"),
    ("lstm_step", "bias unpacked into four like the gates", lstm_bias_unpacked, "fail"),
    ("lstm_step", "returns (c_t, h_t)", lstm_returns_c_h, "fail"),
    ("lstm_step", "blocks read as i, f, o, c", lstm_order_ifoc, "fail"),
    # lstm_forward
    ("lstm_forward", "lstm_step called without c", lstmf_c_left_out, "fail"),
    ("lstm_forward", "hs = np.zeros_like(x)", lstmf_hs_like_x, "fail"),
    ("lstm_forward", "t from 1 to T (one past the end)", lstmf_one_based, "fail"),
    ("lstm_forward", "lstm_step(x, c, h): states swapped", lstmf_states_swapped, "fail"),
    # gru_step
    ("gru_step", "r @ m_h for r ⊙ m_h", gru(candidate="r @ m_h"), "fail"),
    ("gru_step", "U @ h_prev.T", gru(rec="U @ h.T"), "fail"),
    ("gru_step", "blocks read as r, z, h", gru(blocks="rzh"), "fail"),
    ("gru_step", "(1 − z) ⊙ h_prev + z ⊙ h̃", gru(mix="1-z"), "fail"),
    # lab 07
    ("lab07 temperature", "row max without keepdims", temp_max_no_keepdims, "fail"),
    ("lab07 temperature", "logits × T for logits / T", temp_times_t, "fail"),
    ("lab07 temperature", "correct: log-sum-exp, put_along_axis at T = 0", temp_logsumexp, "pass"),
    ("lab07 sampling", "rng.choice with a 2-D p", sample_choice_2d, "fail"),
    ("lab07 sampling", "rng.random(batch) without a column axis", sample_u_no_column, "fail"),
    ("lab07 sampling", "cumsum over the batch (axis 0)", sample_cumsum_batch_axis, "fail"),
    ("lab07 bits", "log2_p[:, mask]: the 2-D mask on axis 1", bits_mask_on_axis1, "fail"),
    ("lab07 bits", "padding zeroed but counted in the mean", bits_zeroed_padding, "fail"),
    ("lab07 bigram", "counts made 1-D", bigram_counts_1d, "fail"),
    ("lab07 bigram", "mask applied to the tuple (x, y)", bigram_mask_on_tuple, "fail"),
    ("lab07 bigram", "row sums without keepdims (divides columns)", bigram_sum_no_keepdims, "fail"),
    ("lab07 generate", "the cell's result unpacked into three", gen("three"), "fail"),
    ("lab07 generate", "model.cell(x, h, c): states as two arguments", gen("two args"), "fail"),
    ("lab07 generate", "np.concatenate of 1-D tokens on axis 1", gen("concatenate"), "fail"),
    ("lab07 generate", "embeds `first` at every step", gen("first"), "fail"),
    # lab 08
    ("lab08 scores", "query not expanded over Tv", scores_no_new_axis, "fail"),
    ("lab08 scores", "score_kernel @ hidden (w on the left)", scores_w_first, "fail"),
    ("lab08 scores", "score_kernel as a column: (batch, Tv, 1)", scores_column, "fail"),
    ("lab08 scores", "correct: einsum everywhere", scores_einsum, "pass"),
    ("lab08 softmax", "row max without keepdims", softmax_max_no_keepdims, "fail"),
    ("lab08 softmax", "−inf at the padding, no guard for an empty row", softmax_minus_inf, "fail"),
    ("lab08 context", "einsum with the operands swapped", lambda a, v: np.einsum("bt,btd->bd", v, a), "fail"),
    ("lab08 context", "weights.T @ values", lambda a, v: a.T @ v, "fail"),
    ("lab08 context", "correct: matmul of (batch, 1, Tv) by values", lambda a, v: np.matmul(a[:, None, :], v)[:, 0], "pass"),
    ("lab08 decoder", "[out, context] concatenated on axis 0", decoder("axis 0"), "fail"),
    ("lab08 decoder", "attention(values, out): arguments swapped", decoder("attention(values, out)"), "fail"),
    ("lab08 decoder", "returns the old states", decoder("old states"), "fail"),
]

#: What each answer does on ordinary inputs of its lab's shapes (measured by verify_batch6.py on two size sets).
_RAISES = {
    "rnn_step": 4, "rnn_forward": 4, "rnn_backward": 3, "numerical_gradient": 2, "gradient_norms": 2, "lstm_step": 3,
    "lstm_forward": 3, "gru_step": 2, "lab07 temperature": 1, "lab07 sampling": 2, "lab07 bits": 1, "lab07 bigram": 2,
    "lab07 generate": 3, "lab08 scores": 2, "lab08 softmax": 1, "lab08 context": 2, "lab08 decoder": 2,
}  # per task, the first n "fail" entries raise; the other "fail" entries run and are wrong


def _kinds():
    kinds, seen = {}, {}
    for task, label, _, expected in HELD_OUT_6:
        if expected == "pass":
            kinds[(task, label)] = "correct"
            continue
        seen[task] = seen.get(task, 0) + 1
        kinds[(task, label)] = "raises" if seen[task] <= _RAISES[task] else "wrong"
    return kinds


KIND = _kinds()
