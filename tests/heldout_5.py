"""Held-out batch 5 of issue 23: plausible student answers, written without reading the checks or the corpus.

Run once on the checks before the probes (grading/probes.py) were merged: 108/126 tries named (85.7 %), 3 false
passes; once after, before any change made for it: 120/126 (95.2 %), 3 false passes (temperature with the
batch-wide max, masked softmax with the max over the padding). Those two are now caught by row-independence
probes; the numbers above are the held-out ones.

Each entry is ``(task, label, answer, "fail" | "pass")``. The module-level ``rnn_step``, ``rnn_forward``,
``rnn_backward``, ``lstm_step`` and ``temperature_probabilities`` are correct: they are the names a student's
``rnn_forward`` / ``gradient_norms`` / ``lstm_forward`` / ``sample_tokens`` call (the given or earlier functions).
"""
import numpy as np

from lstmcourse.lab07_checks import PAD
from lstmcourse.reference import lstm_step, rnn_backward, rnn_forward, rnn_step  # noqa: F401 (called by answers)

W_, U_, B_ = "kernel", "recurrent_kernel", "bias"


def step(body):
    """An rnn_step from the pre-activation ``body(x, h, W, U, b)`` (as in test_mistake_corpus)."""
    return lambda x_t, h_prev, p: body(x_t, h_prev, p[W_], p[U_], p[B_])

W_, U_, B_ = "kernel", "recurrent_kernel", "bias"


def sigmoid(a):  # the lab's helper
    return 1 / (1 + np.exp(-a))


def temperature_probabilities(logits, temperature):  # a correct task 1, called by the sampling answers
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


# -- lab 01: rnn_forward ---------------------------------------------------------------------------
def fwd_write_into_h(x, h0, params):  # copies h0 "to be safe", then writes each step into the same buffer
    h = h0.copy()
    hs = []
    for t in range(x.shape[1]):
        h[:] = rnn_step(x[:, t], h, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def fwd_reshape_not_transpose(x, h0, params):  # (time, batch, units) reshaped, not transposed
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, params)
        hs.append(h)
    return np.array(hs).reshape(x.shape[0], x.shape[1], -1), None


def fwd_states_before(x, h0, params):  # keeps h0 and drops the last state: the state *before* each step
    hs = [h0]
    for t in range(x.shape[1]):
        hs.append(rnn_step(x[:, t], hs[-1], params))
    return np.stack(hs[:-1], axis=1), None


def fwd_reversed_loop(x, h0, params):  # loop copied from BPTT: runs the sequence from the end
    batch, time, _ = x.shape
    hs = np.zeros((batch, time, h0.shape[1]))
    h = h0
    for t in reversed(range(time)):
        h = rnn_step(x[:, t], h, params)
        hs[:, t] = h
    return hs, None


# -- lab 02: rnn_backward --------------------------------------------------------------------------
def bptt(deriv_at_prev=False, skip_deriv_on_next=False, dU_transposed=False, next_no_T=False, db_mean=False):
    def rnn_backward(dhs, cache):
        x, h0, hs = cache["x"], cache["h0"], cache["hs"]
        W, U = cache["kernel"], cache["recurrent_kernel"]
        dx = np.zeros_like(x)
        dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros(U.shape[0])
        dh_next = np.zeros_like(h0)
        for t in reversed(range(x.shape[1])):
            h_prev = hs[:, t - 1] if t > 0 else h0
            d_tanh = 1 - (h_prev if deriv_at_prev else hs[:, t]) ** 2
            if skip_deriv_on_next:
                delta = dhs[:, t] * d_tanh + dh_next
            else:
                delta = (dhs[:, t] + dh_next) * d_tanh
            dW += x[:, t].T @ delta
            dU += delta.T @ h_prev if dU_transposed else h_prev.T @ delta
            db += delta.mean(axis=0) if db_mean else delta.sum(axis=0)
            dx[:, t] = delta @ W.T
            dh_next = delta @ U if next_no_T else delta @ U.T
        return dx, dh_next, {"kernel": dW, "recurrent_kernel": dU, "bias": db}
    return rnn_backward


# -- lab 02: numerical_gradient --------------------------------------------------------------------
def numgrad_over_eps(f, x, eps=1e-6):  # the central difference divided by eps, not 2·eps
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        f_plus = f()
        x[index] = old - eps
        f_minus = f()
        x[index] = old
        grad[index] = (f_plus - f_minus) / eps
    return grad


def numgrad_step_back(f, x, eps=1e-6):  # "-= eps" after "+= eps" only brings x back: f_minus is f(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += eps
        f_plus = f()
        x[index] -= eps
        f_minus = f()
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def numgrad_on_copies(f, x, eps=1e-6):  # nudges copies so x "is not changed": f never sees them
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[index] += eps
        f_plus = f()
        x_minus[index] -= eps
        f_minus = f()
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


# -- lab 02: gradient_norms ------------------------------------------------------------------------
def norms(norm_axis=-1, last=None, loss_all_steps=False, reverse=False):
    def gradient_norms(x, params):
        hs, _ = rnn_forward(x, None, params)
        batch, time, units = hs.shape
        out = np.empty(time)
        out[-1] = np.sqrt(units) if last is None else last
        for t in range(time - 1):
            rest_hs, cache = rnn_forward(x[:, t + 1:], hs[:, t], params)
            dhs = np.ones_like(rest_hs) if loss_all_steps else np.zeros_like(rest_hs)
            dhs[:, -1] = 1.0
            _, dh, _ = rnn_backward(dhs, cache)
            out[t] = np.mean(np.linalg.norm(dh, axis=norm_axis))
        return out[::-1] if reverse else out
    return gradient_norms


def norms_one_backward_pass(x, params):  # correct: one backward walk of dL/dh_t, no rnn_backward
    hs, _ = rnn_forward(x, None, params)
    U = params["recurrent_kernel"]
    time = hs.shape[1]
    g = np.ones((hs.shape[0], hs.shape[2]))        # dL/dh_T
    out = np.empty(time)
    out[-1] = np.mean(np.linalg.norm(g, axis=1))
    for t in range(time - 1, 0, -1):
        g = (g * (1 - hs[:, t] ** 2)) @ U.T        # dL/dh_{t-1}
        out[t - 1] = np.mean(np.linalg.norm(g, axis=1))
    return out


# -- lab 03: lstm_step -----------------------------------------------------------------------------
def lstm_z(x_t, h_prev, params):
    return x_t @ params[W_] + h_prev @ params[U_] + params[B_]


def lstm_order_ifoc(x_t, h_prev, c_prev, params):  # blocks read as i, f, o, c (candidate last)
    z_i, z_f, z_o, z_c = np.split(lstm_z(x_t, h_prev, params), 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def lstm_returns_c_h(x_t, h_prev, c_prev, params):  # returns (c_t, h_t)
    z_i, z_f, z_c, z_o = np.split(lstm_z(x_t, h_prev, params), 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    h_t = sigmoid(z_o) * np.tanh(c_t)
    return c_t, h_t


def lstm_h_without_tanh(x_t, h_prev, c_prev, params):  # h_t = o * c_t
    z_i, z_f, z_c, z_o = np.split(lstm_z(x_t, h_prev, params), 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * c_t, c_t


def lstm_raw_candidate(x_t, h_prev, c_prev, params):  # c_tilde = z_c: the candidate's tanh forgotten
    z_i, z_f, z_c, z_o = np.split(lstm_z(x_t, h_prev, params), 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * z_c
    return sigmoid(z_o) * np.tanh(c_t), c_t


def lstm_gates_roles_swapped(x_t, h_prev, c_prev, params):  # c_t = i * c_prev + f * c_tilde
    z_i, z_f, z_c, z_o = np.split(lstm_z(x_t, h_prev, params), 4, axis=1)
    c_t = sigmoid(z_i) * c_prev + sigmoid(z_f) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


# -- lab 03: lstm_forward (calls lstm_step) --------------------------------------------------------
def lstmf_args_c_h(x, h0, c0, params):  # passes the states as (c, h)
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], c, h, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def lstmf_c0_every_step(x, h0, c0, params):  # carries h, but starts every step from c0
    h, hs = h0, []
    for t in range(x.shape[1]):
        h, _ = lstm_step(x[:, t], h, c0, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


def lstmf_stores_c(x, h0, c0, params):  # appends the cell state, not h
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, params)
        hs.append(c)
    return np.stack(hs, axis=1), None


def lstmf_from_one(x, h0, c0, params):  # hs starts with h0, loop from t = 1: x[:, 0] never read
    h, c, hs = h0, c0, [h0]
    for t in range(1, x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, params)
        hs.append(h)
    return np.stack(hs, axis=1), None


# -- lab 04: gru_step ------------------------------------------------------------------------------
def gru(bias_rows_swapped=False, reset_outside=False, bias_summed=False, reset_tanh=False):
    def gru_step(x_t, h_prev, params):
        W, U = params["kernel"], params["recurrent_kernel"]
        if bias_summed:  # "the bias has two rows: add both", on the input side
            b_in, b_rec = params["bias"].sum(axis=0), 0.0
        elif bias_rows_swapped:
            b_rec, b_in = params["bias"]
        else:
            b_in, b_rec = params["bias"]
        x_z, x_r, x_h = np.split(x_t @ W + b_in, 3, axis=1)
        m_z, m_r, m_h = np.split(h_prev @ U + b_rec, 3, axis=1)
        z = sigmoid(x_z + m_z)
        r = np.tanh(x_r + m_r) if reset_tanh else sigmoid(x_r + m_r)
        h_tilde = np.tanh(r * (x_h + m_h)) if reset_outside else np.tanh(x_h + r * m_h)
        return z * h_prev + (1 - z) * h_tilde
    return gru_step


def gru_sliced_weights(x_t, h_prev, params):  # correct: one slice of the weights per gate
    W, U, b = params["kernel"], params["recurrent_kernel"], params["bias"]
    u = h_prev.shape[1]
    z = sigmoid(x_t @ W[:, :u] + b[0, :u] + h_prev @ U[:, :u] + b[1, :u])
    r = sigmoid(x_t @ W[:, u:2 * u] + b[0, u:2 * u] + h_prev @ U[:, u:2 * u] + b[1, u:2 * u])
    h_tilde = np.tanh(x_t @ W[:, 2 * u:] + b[0, 2 * u:] + r * (h_prev @ U[:, 2 * u:] + b[1, 2 * u:]))
    return z * h_prev + (1 - z) * h_tilde


# -- lab 07: temperature ---------------------------------------------------------------------------
def temp_times_T(logits, temperature):  # z * T: a high temperature sharpens
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits * temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def temp_no_greedy_case(logits, temperature):  # T = 0 not handled: logits / 0
    z = np.asarray(logits, dtype="float64") / temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def temp_global_max(logits, temperature):  # the max of the whole batch subtracted, not each row's
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    p = np.exp(z - z.max())
    return p / p.sum(axis=-1, keepdims=True)


def temp_in_place(logits, temperature):  # works on the caller's array: logits is overwritten
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    logits /= temperature
    logits -= logits.max(axis=-1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def temp_greedy_global(logits, temperature):  # T = 0: one-hot where the entry equals the batch's max
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return (logits == logits.max()).astype("float64")
    z = logits / temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def temp_logaddexp(logits, temperature):  # correct: log-softmax by np.logaddexp.reduce, then exp
    logits = np.array(logits, dtype="float64")
    if temperature == 0:
        out = np.zeros_like(logits)
        np.put_along_axis(out, logits.argmax(axis=1)[:, None], 1.0, axis=1)
        return out
    z = logits / temperature
    return np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))


# -- lab 07: sampling (calls temperature_probabilities) --------------------------------------------
def sample_u_above(logits, temperature, rng):  # u > cdf: the first token whose cumulative sum is below u
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    u = rng.random((len(p), 1))
    return np.argmax(u > np.cumsum(p, axis=-1), axis=-1)


def sample_temperature_dropped(logits, temperature, rng):  # T never passed on: always T = 1
    p = temperature_probabilities(logits, 1.0)
    u = rng.random((len(p), 1))
    return np.argmax(u < np.cumsum(p, axis=-1), axis=-1)


def sample_gumbel_on_p(logits, temperature, rng):  # Gumbel noise added to the probabilities, not their log
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    return np.argmax(p + rng.gumbel(size=p.shape), axis=-1)


def sample_gumbel_max(logits, temperature, rng):  # correct: the Gumbel-max trick on log p
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    with np.errstate(divide="ignore"):
        return np.argmax(np.log(p) + rng.gumbel(size=p.shape), axis=-1)


# -- lab 07: bits per character --------------------------------------------------------------------
def bits_with_padding(log2_p, targets):  # the mean over every entry, padding included
    return float(-np.mean(log2_p))


def bits_mask_inverted(log2_p, targets):  # mask = targets == PAD, then used as "keep"
    mask = targets == PAD
    return float(-log2_p[mask].mean())


def bits_mean_of_rows(log2_p, targets):  # the mean of each name's mean: short names weigh more
    real = targets != PAD
    per_row = -np.where(real, log2_p, 0.0).sum(axis=1) / real.sum(axis=1)
    return float(per_row.mean())


def bits_masked_array(log2_p, targets):  # correct: a masked array hides the padding
    return float(-np.ma.MaskedArray(log2_p, mask=(targets == PAD)).mean())


# -- lab 07: bigram table --------------------------------------------------------------------------
def bigram(fancy_add=False, col_norm=False, alpha_on_zeros=False, log=np.log2):
    def bigram_table(x, y, n_tokens, alpha):
        real = y != PAD
        if alpha_on_zeros:
            counts = np.zeros((n_tokens, n_tokens))
        else:
            counts = np.full((n_tokens, n_tokens), float(alpha))
        if fancy_add:
            counts[x[real], y[real]] += 1
        else:
            np.add.at(counts, (x[real], y[real]), 1.0)
        if alpha_on_zeros:  # "no pair gets probability 0": only the unseen pairs get alpha
            counts[counts == 0] = alpha
        return log(counts / counts.sum(axis=0 if col_norm else 1, keepdims=True))
    return bigram_table


# -- lab 07: generate ------------------------------------------------------------------------------
def gen_feeds_first(model, first, steps, sample):  # the drawn token is kept, but `first` is fed every step
    h = np.zeros((len(first), model.units), "float32")
    c = np.zeros((len(first), model.units), "float32")
    out = []
    for _ in range(steps):
        _, (h, c) = model.cell(model.embed(first), [h, c])
        new_token = np.asarray(sample(model.head(h)))
        out.append(new_token)
    return np.stack(out, axis=1)


def gen_c_not_carried(model, first, steps, sample):  # h carried, c stays zero
    h = np.zeros((len(first), model.units), "float32")
    c = np.zeros((len(first), model.units), "float32")
    token, out = np.asarray(first), []
    for _ in range(steps):
        _, (h, _) = model.cell(model.embed(token), [h, c])
        token = np.asarray(sample(model.head(h)))
        out.append(token)
    return np.stack(out, axis=1)


def gen_time_first(model, first, steps, sample):  # np.array(out): (steps, batch)
    h = np.zeros((len(first), model.units), "float32")
    c = np.zeros((len(first), model.units), "float32")
    token, out = np.asarray(first), []
    for _ in range(steps):
        _, (h, c) = model.cell(model.embed(token), [h, c])
        token = np.asarray(sample(model.head(h)))
        out.append(token)
    return np.array(out)


# -- lab 08: scores, softmax, context --------------------------------------------------------------
def scores_bias_after_tanh(query, values, params):
    q = query @ params["query_kernel"]
    v = values @ params["value_kernel"]
    return (np.tanh(q[:, None, :] + v) + params["bias"]) @ params["score_kernel"]


def scores_w_inside_tanh(query, values, params):  # w applied before the tanh
    q = query @ params["query_kernel"]
    v = values @ params["value_kernel"]
    return np.tanh((q[:, None, :] + v + params["bias"]) @ params["score_kernel"])


def scores_softmaxed(query, values, params):  # returns the attention weights, not the scores
    q = query @ params["query_kernel"]
    v = values @ params["value_kernel"]
    e = np.tanh(q[:, None, :] + v + params["bias"]) @ params["score_kernel"]
    e = np.exp(e - e.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def msoft_additive_mask(scores, mask):  # -1e9 added at padding: an empty row becomes uniform, not 0
    s = scores + (1 - mask) * -1e9
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def msoft_max_with_padding(scores, mask):  # row max over every position, padding included
    e = np.exp(scores - scores.max(axis=-1, keepdims=True)) * mask
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(e / e.sum(axis=-1, keepdims=True))   # 0/0 of an empty row -> 0


def msoft_mask_inverted(scores, mask):  # True read as "padded"
    s = np.where(mask, -np.inf, scores)
    top = s.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(s - top)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def context_mean(weights, values):  # mean over time instead of the weighted sum
    return (weights[..., None] * values).mean(axis=1)


def context_matmul(weights, values):  # (batch, Tv) @ (batch, Tv, d) -> (batch, batch, d)
    return weights @ values


def context_renormalised(weights, values):  # divides by the weights' total over the whole batch
    return np.einsum("bt,btd->bd", weights, values) / weights.sum()


# -- lab 08: decoder step --------------------------------------------------------------------------
def decoder_query_c(model, symbol, states, values, value_mask):  # queries the attention with c
    out, (h, c) = model.cell(model.embed(symbol), states)
    context, weights = model.attention(c, values, value_mask)
    logits = model.head(np.concatenate([np.asarray(out), np.asarray(context)], axis=-1))
    return logits, [h, c], weights


def decoder_context_first(model, symbol, states, values, value_mask):  # [context, out]
    out, (h, c) = model.cell(model.embed(symbol), states)
    context, weights = model.attention(out, values, value_mask)
    logits = model.head(np.concatenate([np.asarray(context), np.asarray(out)], axis=-1))
    return logits, [h, c], weights


def decoder_no_mask(model, symbol, states, values, value_mask):  # the mask never reaches the attention
    out, (h, c) = model.cell(model.embed(symbol), states)
    context, weights = model.attention(out, values)
    logits = model.head(np.concatenate([np.asarray(out), np.asarray(context)], axis=-1))
    return logits, [h, c], weights


HELD_OUT_5 = [
    # lab 01 · rnn_step
    ("rnn_step", "tanh split over the two products", step(lambda x, h, W, U, b: np.tanh(x @ W + b) + np.tanh(h @ U)),
     "fail"),
    ("rnn_step", "sigmoid written for tanh", step(lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b)))), "fail"),
    ("rnn_step", "h_prev @ U.T", step(lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b)), "fail"),
    ("rnn_step", "(h_prev + b) @ U: bias inside the recurrent product",
     step(lambda x, h, W, U, b: np.tanh(x @ W + (h + b) @ U)), "fail"),
    ("rnn_step", "tanh as 2·σ(2a) − 1", step(lambda x, h, W, U, b: 2 / (1 + np.exp(-2 * (x @ W + h @ U + b))) - 1),
     "pass"),
    # lab 01 · rnn_forward
    ("rnn_forward", "h[:] = step into one buffer (every entry the last state)", fwd_write_into_h, "fail"),
    ("rnn_forward", "np.array(hs).reshape(batch, time, -1)", fwd_reshape_not_transpose, "fail"),
    ("rnn_forward", "states before each step ([h0] + hs[:-1])", fwd_states_before, "fail"),
    ("rnn_forward", "reversed(range(time)) with hs[:, t] = h", fwd_reversed_loop, "fail"),
    # lab 02 · rnn_backward
    ("rnn_backward", "tanh derivative from h_{t-1}", bptt(deriv_at_prev=True), "fail"),
    ("rnn_backward", "dh_next added after the tanh derivative", bptt(skip_deriv_on_next=True), "fail"),
    ("rnn_backward", "dU += δᵀ h_prev (transposed)", bptt(dU_transposed=True), "fail"),
    ("rnn_backward", "dh_next = δ @ U (no transpose)", bptt(next_no_T=True), "fail"),
    ("rnn_backward", "db += δ.mean(0)", bptt(db_mean=True), "fail"),
    # lab 02 · numerical_gradient
    ("numerical_gradient", "(f+ − f−) / eps", numgrad_over_eps, "fail"),
    ("numerical_gradient", "-= eps after += eps: f− evaluated at x", numgrad_step_back, "fail"),
    ("numerical_gradient", "nudges copies of x that f never reads", numgrad_on_copies, "fail"),
    # lab 02 · gradient_norms
    ("gradient_norms", "norm over the batch axis", norms(norm_axis=0), "fail"),
    ("gradient_norms", "last entry 1, not √units", norms(last=1.0), "fail"),
    ("gradient_norms", "dhs = 1 at every step", norms(loss_all_steps=True), "fail"),
    ("gradient_norms", "returned by distance (reversed)", norms(reverse=True), "fail"),
    ("gradient_norms", "one backward walk of dL/dh_t, no rnn_backward", norms_one_backward_pass, "pass"),
    # lab 03 · lstm_step
    ("lstm_step", "blocks read as i, f, o, c", lstm_order_ifoc, "fail"),
    ("lstm_step", "returns (c_t, h_t)", lstm_returns_c_h, "fail"),
    ("lstm_step", "h_t = o * c_t (no tanh)", lstm_h_without_tanh, "fail"),
    ("lstm_step", "candidate without tanh", lstm_raw_candidate, "fail"),
    ("lstm_step", "c_t = i * c_prev + f * c̃", lstm_gates_roles_swapped, "fail"),
    # lab 03 · lstm_forward
    ("lstm_forward", "lstm_step(x, c, h) — states passed as (c, h)", lstmf_args_c_h, "fail"),
    ("lstm_forward", "c0 at every step", lstmf_c0_every_step, "fail"),
    ("lstm_forward", "appends c, not h", lstmf_stores_c, "fail"),
    ("lstm_forward", "hs = [h0], loop from t = 1", lstmf_from_one, "fail"),
    # lab 04 · gru_step
    ("gru_step", "bias rows swapped (b_rec, b_in)", gru(bias_rows_swapped=True), "fail"),
    ("gru_step", "tanh(r * (x_h + m_h))", gru(reset_outside=True), "fail"),
    ("gru_step", "both bias rows summed onto x W", gru(bias_summed=True), "fail"),
    ("gru_step", "reset gate with tanh", gru(reset_tanh=True), "fail"),
    ("gru_step", "one weight slice per gate", gru_sliced_weights, "pass"),
    # lab 07 · temperature
    ("lab07 temperature", "logits * T", temp_times_T, "fail"),
    ("lab07 temperature", "T = 0 not special-cased (divides by 0)", temp_no_greedy_case, "fail"),
    ("lab07 temperature", "z.max() of the whole batch", temp_global_max, "fail"),
    ("lab07 temperature", "in place on the caller's logits", temp_in_place, "fail"),
    ("lab07 temperature", "T = 0: logits == logits.max() of the batch", temp_greedy_global, "fail"),
    ("lab07 temperature", "log-softmax by np.logaddexp.reduce", temp_logaddexp, "pass"),
    # lab 07 · sampling
    ("lab07 sampling", "argmax(u > cumsum)", sample_u_above, "fail"),
    ("lab07 sampling", "temperature not passed on (T = 1)", sample_temperature_dropped, "fail"),
    ("lab07 sampling", "Gumbel noise added to p", sample_gumbel_on_p, "fail"),
    ("lab07 sampling", "Gumbel-max on log p", sample_gumbel_max, "pass"),
    # lab 07 · bits
    ("lab07 bits", "mean with padding", bits_with_padding, "fail"),
    ("lab07 bits", "mask = targets == PAD used as keep", bits_mask_inverted, "fail"),
    ("lab07 bits", "mean of each row's mean", bits_mean_of_rows, "fail"),
    ("lab07 bits", "np.ma.MaskedArray", bits_masked_array, "pass"),
    # lab 07 · bigram
    ("lab07 bigram", "counts[x, y] += 1", bigram(fancy_add=True), "fail"),
    ("lab07 bigram", "normalised over axis 0", bigram(col_norm=True), "fail"),
    ("lab07 bigram", "alpha only on the zero counts", bigram(alpha_on_zeros=True), "fail"),
    ("lab07 bigram", "np.log (nats)", bigram(log=np.log), "fail"),
    # lab 07 · generate
    ("lab07 generate", "first fed at every step", gen_feeds_first, "fail"),
    ("lab07 generate", "c not carried", gen_c_not_carried, "fail"),
    ("lab07 generate", "np.array(out): (steps, batch)", gen_time_first, "fail"),
    # lab 08 · scores, softmax, context
    ("lab08 scores", "bias added after the tanh", scores_bias_after_tanh, "fail"),
    ("lab08 scores", "w inside the tanh", scores_w_inside_tanh, "fail"),
    ("lab08 scores", "returns the softmax of the scores", scores_softmaxed, "fail"),
    ("lab08 softmax", "scores + (1 − mask) · −1e9 (empty row uniform)", msoft_additive_mask, "fail"),
    ("lab08 softmax", "row max taken with the padding", msoft_max_with_padding, "fail"),
    ("lab08 softmax", "mask read as padding", msoft_mask_inverted, "fail"),
    ("lab08 context", "mean over time", context_mean, "fail"),
    ("lab08 context", "weights @ values (batch, batch, d)", context_matmul, "fail"),
    ("lab08 context", "divided by weights.sum()", context_renormalised, "fail"),
    # lab 08 · decoder
    ("lab08 decoder", "attention queried with c", decoder_query_c, "fail"),
    ("lab08 decoder", "[context, out]", decoder_context_first, "fail"),
    ("lab08 decoder", "value_mask not passed", decoder_no_mask, "fail"),
]
