"""Checks for the labs: a short success line, or an AssertionError that names the mistake.

Each ``check_*`` runs the student's function on a fixed case and compares it with the
reference in :mod:`lstmcourse.reference`, with tolerances (so a correct answer written
differently, e.g. with per-gate matrices, passes). When the answer is wrong, the check
compares it with a catalogue of *plausible mistakes* (each a small variation of the
reference: a missing bias, a gate with the wrong activation, gates in the wrong
order, ...) and says which one it matches. Odd return values (None, lists, integers,
NaN, wrong shapes) fail with a message, never with an unrelated traceback.

    >>> from lstmcourse import checks, reference
    >>> checks.check_rnn_step(reference.rnn_step)
    ✔ rnn_step: correct (output shape (2, 4)).
"""
import itertools

import numpy as np

from lstmcourse.reference._activations import sigmoid

RTOL, ATOL = 1e-5, 1e-6

_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "relu": lambda a: np.maximum(a, 0.0),
    "no activation (identity)": lambda a: a,
}


# -- plumbing -----------------------------------------------------------------------
def _ok(name, detail=""):
    print(f"✔ {name}: correct{f' ({detail})' if detail else ''}.")


def _call(name, fn, *args, **kwargs):
    """Call the student's function; turn stubs and crashes into clear messages."""
    if not callable(fn):
        raise AssertionError(f"{name}: expected a function, got {type(fn).__name__}. Pass the function itself, "
                             f"without calling it: check_{name}({name}), not check_{name}({name}(...)).")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise NotImplementedError(f"{name} is not written yet: replace `raise NotImplementedError()` "
                                  "with your code, then run this check again.") from None
    except Exception as err:  # the student's code crashed: say where, in their terms
        raise AssertionError(f"{name} raised {type(err).__name__}: {err}. Check the shapes of the matrices "
                             "you multiply; print them with .shape.") from None


def _array(name, value, shape, what="the result"):
    """``value`` as a float array of ``shape``, or an AssertionError explaining why not."""
    if value is None:
        raise AssertionError(f"{name} returned None as {what}. Did you forget a `return` statement?")
    if isinstance(value, (list, tuple)):
        raise AssertionError(f"{name} returned a {type(value).__name__} as {what}; return a NumPy array "
                             "(np.asarray(...) or np.stack(...)).")
    if not hasattr(value, "shape"):
        raise AssertionError(f"{name} returned {type(value).__name__} as {what}; expected a NumPy array of shape {shape}.")
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.floating):
        raise AssertionError(f"{name} returned {what} of dtype {arr.dtype}; expected floats. Did you create it with "
                             "np.zeros(..., dtype=int) or round it?")
    if arr.shape != tuple(shape):
        hint = ""
        if sorted(arr.shape) == sorted(shape):
            hint = " The same numbers in another order: did you transpose, or swap batch and time?"
        elif arr.ndim == len(shape) + 1 or arr.ndim + 1 == len(shape):
            hint = " One axis too many or too few: check what you index, stack or sum over."
        raise AssertionError(f"{name}: {what} has shape {arr.shape}, expected {tuple(shape)}.{hint}")
    if not np.all(np.isfinite(arr)):
        raise AssertionError(f"{name}: {what} contains NaN or inf. Did you use np.empty without filling every "
                             "entry, or let values overflow?")
    return arr


def _close(a, b, rtol=RTOL, atol=ATOL):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=rtol, atol=atol)


def _diagnose(name, got, expected, mistakes, what="the result", rtol=RTOL, atol=ATOL):
    """Pass if ``got`` matches ``expected``; otherwise name the matching mistake."""
    if _close(got, expected, rtol, atol):
        return
    for message, make_wrong in mistakes:
        try:
            wrong = make_wrong()
        except Exception:  # a mistake that cannot be built for this case
            continue
        if _close(got, wrong, 1e-4, 1e-5):
            raise AssertionError(f"{name}: {what} is wrong: {message}")
    ratio = _constant_ratio(got, expected)
    if ratio is not None:
        raise AssertionError(f"{name}: {what} is off by a factor of {ratio:.4g} (every entry). Look for a "
                             "missing or extra scale factor, e.g. dividing by the batch size or a doubled sum.")
    diff = float(np.max(np.abs(got - expected)))
    raise AssertionError(f"{name}: {what} differs from the reference by up to {diff:.3g}. It matches none of the "
                         "usual mistakes; compare your code with the equations line by line.")


def _constant_ratio(got, expected):
    mask = np.abs(expected) > 1e-8
    if not mask.any():
        return None
    ratios = got[mask] / expected[mask]
    if np.allclose(ratios, ratios.flat[0], rtol=1e-4) and not np.isclose(ratios.flat[0], 1.0):
        return float(ratios.flat[0])
    return None


def _unpack(name, result, n, names):
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = type(result).__name__ if not isinstance(result, (tuple, list)) else f"{len(result)} values"
        raise AssertionError(f"{name} must return {n} values ({', '.join(names)}); it returned {got}.")
    return result


# -- a fixed test case ------------------------------------------------------------------
BATCH, TIME, FEATURES, UNITS = 2, 5, 3, 4


def _case(gates, seed, reset_after=False):
    rng = np.random.default_rng(seed)
    bias_shape = (2, gates * UNITS) if reset_after else (gates * UNITS,)
    params = {
        "kernel": rng.normal(scale=0.6, size=(FEATURES, gates * UNITS)),
        "recurrent_kernel": rng.normal(scale=0.6, size=(UNITS, gates * UNITS)),
        "bias": rng.normal(scale=0.5, size=bias_shape),
    }
    x = rng.normal(size=(BATCH, TIME, FEATURES))
    h = rng.normal(scale=0.6, size=(BATCH, UNITS))
    c = rng.normal(scale=0.6, size=(BATCH, UNITS))
    return params, x, h, c


def _copy(params):
    return {k: np.array(v, copy=True) for k, v in params.items()}


# -- tanh RNN ---------------------------------------------------------------------------
def _rnn_step_variant(x_t, h_prev, p, act="tanh", bias=True, use_h=True, use_x=True, bias_after=False):
    a = np.zeros((x_t.shape[0], p["kernel"].shape[1]))
    if use_x:
        a = a + x_t @ p["kernel"]
    if use_h:
        a = a + h_prev @ p["recurrent_kernel"]
    if bias and not bias_after:
        a = a + p["bias"]
    out = _ACTIVATIONS[act](a)
    return out + p["bias"] if bias_after else out


_RNN_STEP_MISTAKES = [
    ("the bias b is missing: a = x·W + h·U + b.", dict(bias=False)),
    ("it uses a sigmoid; the tanh RNN squashes with tanh.", dict(act="sigmoid")),
    ("it uses ReLU; the tanh RNN squashes with tanh.", dict(act="relu")),
    ("tanh is missing: h_t = tanh(x·W + h·U + b).", dict(act="no activation (identity)")),
    ("the previous state h_prev is ignored: add h_prev @ recurrent_kernel.", dict(use_h=False)),
    ("the input x_t is ignored: add x_t @ kernel.", dict(use_x=False)),
    ("the bias is added after tanh; add it inside: tanh(x·W + h·U + b).", dict(bias_after=True)),
]


def check_rnn_step(rnn_step):
    """Check ``rnn_step(x_t, h_prev, params) -> h_t``."""
    params, x, h, _ = _case(1, seed=1)
    expected = _rnn_step_variant(x[:, 0], h, params)
    got = _array("rnn_step", _call("rnn_step", rnn_step, x[:, 0].copy(), h.copy(), _copy(params)), expected.shape)
    mistakes = [(m, lambda kw=kw: _rnn_step_variant(x[:, 0], h, params, **kw)) for m, kw in _RNN_STEP_MISTAKES]
    _diagnose("rnn_step", got, expected, mistakes)
    _ok("rnn_step", f"output shape {got.shape}")


def _rnn_forward_variant(x, h0, p, carry=True, from_zeros=False, shift=False, **step_kw):
    h = np.zeros_like(h0) if from_zeros else h0
    hs = []
    for t in range(x.shape[1]):
        new_h = _rnn_step_variant(x[:, t], h if carry or t == 0 else h0, p, **step_kw)
        hs.append(h if shift else new_h)
        h = new_h
    return np.stack(hs, axis=1)


def check_rnn_forward(rnn_forward):
    """Check ``rnn_forward(x, h0, params) -> (hs, cache)``."""
    params, x, h0, _ = _case(1, seed=2)
    expected = _rnn_forward_variant(x, h0, params)
    result = _call("rnn_forward", rnn_forward, x.copy(), h0.copy(), _copy(params))
    hs, _ = _unpack("rnn_forward", result, 2, ["hs", "cache"])
    hs = _array("rnn_forward", hs, expected.shape, "hs")
    mistakes = [
        ("the state is not carried: every step starts from h0 instead of the previous h.",
         lambda: _rnn_forward_variant(x, h0, params, carry=False)),
        ("h0 is ignored: the first step must start from h0, not from zeros.",
         lambda: _rnn_forward_variant(x, h0, params, from_zeros=True)),
        ("off by one step: hs[:, t] must be the state AFTER reading x[:, t] (hs[:, 0] is not h0).",
         lambda: _rnn_forward_variant(x, h0, params, shift=True)),
    ] + [(f"(in the step) {m}", lambda kw=kw: _rnn_forward_variant(x, h0, params, **kw)) for m, kw in _RNN_STEP_MISTAKES]
    _diagnose("rnn_forward", hs, expected, mistakes, "hs")
    _ok("rnn_forward", f"hs shape {hs.shape}")


def _rnn_backward_variant(dhs, x, h0, hs, p, deriv="h_t", through_time=True, dU_with="h_prev", batch_mean=False):
    dx = np.zeros_like(x)
    g = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dh = dhs[:, t] + (dh_next if through_time else 0.0)
        local = {"h_t": 1 - hs[:, t] ** 2, "h_prev": 1 - h_prev ** 2, "none": 1.0}[deriv]
        da = dh * local
        g["kernel"] += x[:, t].T @ da
        g["recurrent_kernel"] += (h_prev if dU_with == "h_prev" else hs[:, t]).T @ da
        g["bias"] += da.sum(axis=0)
        dx[:, t] = da @ p["kernel"].T
        dh_next = da @ p["recurrent_kernel"].T
    if batch_mean:
        dx, dh_next, g = dx / len(x), dh_next / len(x), {k: v / len(x) for k, v in g.items()}
    return dx, dh_next, g


def check_rnn_backward(rnn_forward, rnn_backward):
    """Check ``rnn_backward(dhs, cache) -> (dx, dh0, grads)`` (with your ``rnn_forward``'s cache)."""
    params, x, h0, _ = _case(1, seed=3)
    hs = _rnn_forward_variant(x, h0, params)
    dhs = np.random.default_rng(4).normal(size=hs.shape)
    fwd = _call("rnn_forward", rnn_forward, x.copy(), h0.copy(), _copy(params))
    _, cache = _unpack("rnn_forward", fwd, 2, ["hs", "cache"])
    result = _unpack("rnn_backward", _call("rnn_backward", rnn_backward, dhs.copy(), cache), 3, ["dx", "dh0", "grads"])
    dx, dh0, grads = result
    if not isinstance(grads, dict):
        raise AssertionError(f"rnn_backward: grads must be a dict with keys {sorted(params)}; got {type(grads).__name__}.")
    missing = sorted(set(params) - set(grads))
    if missing:
        raise AssertionError(f"rnn_backward: grads has no {missing}; it needs one gradient per parameter: {sorted(params)}.")
    exp_dx, exp_dh0, exp_g = _rnn_backward_variant(dhs, x, h0, hs, params)
    variants = {
        "the tanh derivative (1 − h_t²) is missing.": dict(deriv="none"),
        "the tanh derivative uses h_{t-1}; it must use h_t, the output of that tanh: (1 − h_t²).": dict(deriv="h_prev"),
        "the gradient does not flow back through time: add the gradient coming from step t+1 (da·Uᵀ) to dhs[:, t].":
            dict(through_time=False),
        "dL/dU uses h_t; the recurrent kernel multiplies h_{t-1}, so use h_{t-1}ᵀ·da.": dict(dU_with="h_t"),
        "the gradients are divided by the batch size; the loss is a sum, so sum over the batch.": dict(batch_mean=True),
    }
    outputs = [("dx", dx, exp_dx, 0), ("dh0", dh0, exp_dh0, 1)] + [
        (f"grads[{k!r}]", grads[k], exp_g[k], k) for k in ("kernel", "recurrent_kernel", "bias")]
    for what, got, expected, key in outputs:
        got = _array("rnn_backward", got, expected.shape, what)

        def pick(out, key=key):
            return out[key] if isinstance(key, int) else out[2][key]

        mistakes = [(m, lambda kw=kw, pick=pick: pick(_rnn_backward_variant(dhs, x, h0, hs, params, **kw)))
                    for m, kw in variants.items()]
        _diagnose("rnn_backward", got, expected, mistakes, what)
    _ok("rnn_backward", "dx, dh0 and every parameter gradient")


# -- finite differences -------------------------------------------------------------------
def check_numerical_gradient(numerical_gradient):
    """Check ``numerical_gradient(f, x, eps=1e-6) -> array like x`` (central differences)."""
    x = np.array([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]])
    original = x.copy()
    f = lambda: float(np.sum(np.sin(x) * x ** 2))  # noqa: E731
    expected = np.cos(x) * x ** 2 + 2 * x * np.sin(x)
    got = _array("numerical_gradient", _call("numerical_gradient", numerical_gradient, f, x), x.shape)
    if not np.array_equal(x, original):
        raise AssertionError("numerical_gradient: x is not restored after the call. Put each entry back after "
                             "evaluating f at x+eps and x-eps.")
    if _close(got, expected, 1e-4, 1e-5) and not _close(got, expected, 1e-7, 1e-8):
        raise AssertionError("numerical_gradient: close, but only to about 1e-5: this looks like a one-sided "
                             "difference (f(x+eps) − f(x)) / eps. Use the central difference "
                             "(f(x+eps) − f(x−eps)) / (2·eps): its error is eps² instead of eps.")
    _diagnose("numerical_gradient", got, expected, [], "the gradient", rtol=1e-6, atol=1e-7)
    _ok("numerical_gradient", "central differences, x restored")


def check_gradient_norms(gradient_norms):
    """Check ``gradient_norms(x, params) -> (time,)``: mean over the batch of ‖∂(Σh_T)/∂h_t‖."""
    from lstmcourse.diagnostics import reference_state_gradient_norms

    params, x, _, _ = _case(1, seed=5)
    params["recurrent_kernel"] *= 0.5
    expected = reference_state_gradient_norms("rnn", x, params)
    got = _array("gradient_norms", _call("gradient_norms", gradient_norms, x.copy(), _copy(params)), expected.shape)
    mistakes = [
        ("it is reversed: entry t must be the norm at time step t (the last entry is at h_T, norm ‖1‖ = 2).",
         lambda: expected[::-1]),
        ("it sums over the batch; take the mean over the batch of each sequence's norm.",
         lambda: expected * BATCH),
    ]
    _diagnose("gradient_norms", got, expected, mistakes, "the norms", rtol=1e-5, atol=1e-8)
    _ok("gradient_norms", f"{len(got)} time steps")


# -- LSTM -----------------------------------------------------------------------------------
_LSTM_ORDER = "ifco"
_GATE_WORDS = {"i": "input", "f": "forget", "c": "candidate", "o": "output"}


def _lstm_step_variant(x_t, h_prev, c_prev, p, order="ifco", acts=None, bias=True, out_tanh=True,
                       input_gate=True, keep_prev=True, h_from_prev_c=False):
    acts = {"i": "sigmoid", "f": "sigmoid", "c": "tanh", "o": "sigmoid", **(acts or {})}
    z = x_t @ p["kernel"] + h_prev @ p["recurrent_kernel"] + (p["bias"] if bias else 0.0)
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    i, f, g, o = (_ACTIVATIONS[acts[k]](blocks[k]) for k in "ifco")
    c = (f * c_prev if keep_prev else 0.0) + (i * g if input_gate else g)
    h = o * (np.tanh(c_prev if h_from_prev_c else c) if out_tanh else (c_prev if h_from_prev_c else c))
    return h, c


def _lstm_mistakes():
    out = []
    for perm in itertools.permutations(_LSTM_ORDER):
        order = "".join(perm)
        if order == _LSTM_ORDER:
            continue
        if order == "fico":
            msg = "the forget and input gates are swapped; Keras's gate order is i, f, c, o."
        else:
            msg = f"the gates are in the order {', '.join(order)}; Keras's order is i, f, c, o " \
                  "(columns 0:u input, u:2u forget, 2u:3u candidate, 3u:4u output)."
        out.append((msg, dict(order=order)))
    for gate in "ifo":
        out.append((f"your {_GATE_WORDS[gate]} gate uses tanh; it should be a sigmoid (a gate is in (0, 1)).",
                    dict(acts={gate: "tanh"})))
    out += [
        ("the candidate uses a sigmoid; it should be tanh (new content in (−1, 1)).", dict(acts={"c": "sigmoid"})),
        ("tanh is missing on the cell output: h = o ⊙ tanh(c), not o ⊙ c.", dict(out_tanh=False)),
        ("the bias is missing: z = x·W + h·U + b.", dict(bias=False)),
        ("the input gate is not applied: c = f ⊙ c_prev + i ⊙ c̃.", dict(input_gate=False)),
        ("c_prev is dropped: the new cell state must keep f ⊙ c_prev.", dict(keep_prev=False)),
        ("h uses the previous cell state; use the new one: h = o ⊙ tanh(c_t).", dict(h_from_prev_c=True)),
    ]
    return out


def check_lstm_step(lstm_step):
    """Check ``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t)``."""
    params, x, h, c = _case(4, seed=6)
    exp_h, exp_c = _lstm_step_variant(x[:, 0], h, c, params)
    result = _call("lstm_step", lstm_step, x[:, 0].copy(), h.copy(), c.copy(), _copy(params))
    got_h, got_c = _unpack("lstm_step", result, 2, ["h_t", "c_t"])
    got_h = _array("lstm_step", got_h, exp_h.shape, "h_t")
    got_c = _array("lstm_step", got_c, exp_c.shape, "c_t")
    if _close(got_h, exp_c) and _close(got_c, exp_h):
        raise AssertionError("lstm_step: it returns (c_t, h_t); return them in the order (h_t, c_t).")
    mistakes = _lstm_mistakes()
    _diagnose("lstm_step", got_c, exp_c,
              [(m, lambda kw=kw: _lstm_step_variant(x[:, 0], h, c, params, **kw)[1]) for m, kw in mistakes], "c_t")
    _diagnose("lstm_step", got_h, exp_h,
              [(m, lambda kw=kw: _lstm_step_variant(x[:, 0], h, c, params, **kw)[0]) for m, kw in mistakes], "h_t")
    _ok("lstm_step", f"h_t and c_t of shape {got_h.shape}")


def _lstm_forward_variant(x, h0, c0, p, carry_h=True, carry_c=True, return_c=False, **kw):
    h, c, hs, cs = h0, c0, [], []
    for t in range(x.shape[1]):
        h, c = _lstm_step_variant(x[:, t], h if carry_h else h0, c if carry_c else c0, p, **kw)
        hs.append(h)
        cs.append(c)
    return np.stack(cs if return_c else hs, axis=1)


def check_lstm_forward(lstm_forward):
    """Check ``lstm_forward(x, h0, c0, params) -> (hs, cache)``."""
    params, x, h0, c0 = _case(4, seed=7)
    expected = _lstm_forward_variant(x, h0, c0, params)
    result = _call("lstm_forward", lstm_forward, x.copy(), h0.copy(), c0.copy(), _copy(params))
    hs, _ = _unpack("lstm_forward", result, 2, ["hs", "cache"])
    hs = _array("lstm_forward", hs, expected.shape, "hs")
    mistakes = [
        ("the cell state is not carried: each step must start from the previous step's c, not c0.",
         lambda: _lstm_forward_variant(x, h0, c0, params, carry_c=False)),
        ("the hidden state is not carried: each step must start from the previous step's h, not h0.",
         lambda: _lstm_forward_variant(x, h0, c0, params, carry_h=False)),
        ("hs holds the cell states; it must hold the hidden states h_t.",
         lambda: _lstm_forward_variant(x, h0, c0, params, return_c=True)),
    ] + [(f"(in the step) {m}", lambda kw=kw: _lstm_forward_variant(x, h0, c0, params, **kw)) for m, kw in _lstm_mistakes()]
    _diagnose("lstm_forward", hs, expected, mistakes, "hs")
    _ok("lstm_forward", f"hs shape {hs.shape}")


# -- GRU (Keras's reset_after=True form) -------------------------------------------------------
def _gru_step_variant(x_t, h_prev, p, order="zrh", reset="after", swap_z=False, rec_bias=True,
                      swap_bias_rows=False, cand_act="tanh"):
    b_in, b_rec = (p["bias"][1], p["bias"][0]) if swap_bias_rows else (p["bias"][0], p["bias"][1])
    xw = x_t @ p["kernel"] + b_in
    m = h_prev @ p["recurrent_kernel"] + (b_rec if rec_bias else 0.0)
    xb = dict(zip(order, np.split(xw, 3, axis=1)))
    mb = dict(zip(order, np.split(m, 3, axis=1)))
    z, r = sigmoid(xb["z"] + mb["z"]), sigmoid(xb["r"] + mb["r"])
    if reset == "after":
        rec_h = r * mb["h"]
    elif reset == "before":
        u = p["recurrent_kernel"].shape[0]
        cols = {k: slice(j * u, (j + 1) * u) for j, k in enumerate(order)}
        rec_h = (r * h_prev) @ p["recurrent_kernel"][:, cols["h"]] + (b_rec[cols["h"]] if rec_bias else 0.0)
    else:  # not applied
        rec_h = mb["h"]
    cand = _ACTIVATIONS[cand_act](xb["h"] + rec_h)
    return (1 - z) * h_prev + z * cand if swap_z else z * h_prev + (1 - z) * cand


_GRU_STEP_MISTAKES = [
    ("the reset gate is applied before the matrix product (Cho et al.'s form). This lab uses Keras's "
     "reset_after=True: h̃ = tanh(x·W_h + b_h + r ⊙ (h_prev·U_h + b'_h)).", dict(reset="before")),
    ("the reset gate is applied at the wrong place: it is missing from the candidate.", dict(reset="none")),
    ("z and 1 − z are swapped: in Keras h_t = z ⊙ h_prev + (1 − z) ⊙ h̃.", dict(swap_z=True)),
    ("the recurrent bias (bias[1]) is missing: it is added to h_prev·U before the gates.", dict(rec_bias=False)),
    ("the two bias rows are swapped: bias[0] goes with the input x·W, bias[1] with h_prev·U.", dict(swap_bias_rows=True)),
    ("the candidate uses a sigmoid; it should be tanh.", dict(cand_act="sigmoid")),
] + [(f"the gates are in the order {', '.join(o)}; Keras's order is z, r, h.", dict(order="".join(o)))
     for o in itertools.permutations("zrh") if "".join(o) != "zrh"]


def check_gru_step(gru_step):
    """Check ``gru_step(x_t, h_prev, params) -> h_t`` in Keras's ``reset_after=True`` form."""
    params, x, h, _ = _case(3, seed=8, reset_after=True)
    expected = _gru_step_variant(x[:, 0], h, params)
    got = _array("gru_step", _call("gru_step", gru_step, x[:, 0].copy(), h.copy(), _copy(params)), expected.shape)
    mistakes = [(m, lambda kw=kw: _gru_step_variant(x[:, 0], h, params, **kw)) for m, kw in _GRU_STEP_MISTAKES]
    _diagnose("gru_step", got, expected, mistakes, "h_t")
    _ok("gru_step", f"output shape {got.shape}")


# -- Keras cells ------------------------------------------------------------------------------
def _check_cell_layer(name, cell_cls, builtin_name, gates, state_sizes, numpy_forward, mistakes):
    import keras

    try:
        cell = cell_cls(UNITS)
    except Exception as err:
        raise AssertionError(f"{name}: creating {getattr(cell_cls, '__name__', cell_cls)}({UNITS}) raised "
                             f"{type(err).__name__}: {err}") from None
    sizes = cell.state_size if isinstance(getattr(cell, "state_size", None), (list, tuple)) else [getattr(cell, "state_size", None)]
    if list(sizes) != state_sizes:
        raise AssertionError(f"{name}: state_size is {getattr(cell, 'state_size', None)!r}; for {UNITS} units it "
                             f"should be {state_sizes if len(state_sizes) > 1 else state_sizes[0]} "
                             f"({'[h, c]' if len(state_sizes) > 1 else 'h'}).")
    layer = keras.layers.RNN(cell, return_sequences=True)
    params, x, _, _ = _case(gates, seed=9)
    x32 = x.astype("float32")
    try:
        layer(x32)
    except NotImplementedError:
        raise NotImplementedError(f"{name}: the cell is not written yet (NotImplementedError).") from None
    except Exception as err:
        raise AssertionError(f"{name}: keras.layers.RNN(your cell) failed on inputs of shape {x32.shape}: "
                             f"{type(err).__name__}: {str(err).splitlines()[0]}") from None
    shapes = [tuple(w.shape) for w in layer.get_weights()]
    expected_shapes = [(FEATURES, gates * UNITS), (UNITS, gates * UNITS), (gates * UNITS,)]
    if shapes != expected_shapes:
        raise AssertionError(f"{name}: the weights have shapes {shapes}; Keras's layout is {expected_shapes} "
                             "(kernel, recurrent_kernel, bias, created in that order in build()).")
    layer.set_weights([params[k].astype("float32") for k in ("kernel", "recurrent_kernel", "bias")])
    try:
        got = np.asarray(layer(x32), dtype=np.float64)
    except Exception as err:
        raise AssertionError(f"{name}: calling the layer failed: {type(err).__name__}: {str(err).splitlines()[0]}") from None
    h0 = np.zeros((BATCH, UNITS))
    expected = numpy_forward(x, h0, params)
    _diagnose(name, got, expected,
              [(f"(in call) {m}", lambda kw=kw: numpy_forward(x, h0, params, **kw)) for m, kw in mistakes],
              "the layer output", rtol=1e-4, atol=1e-5)
    builtin = getattr(keras.layers, builtin_name)(UNITS, return_sequences=True)
    builtin(x32)
    builtin.set_weights(layer.get_weights())
    diff = float(np.max(np.abs(np.asarray(builtin(x32)) - got)))
    if diff > 1e-4:
        raise AssertionError(f"{name}: the layer differs from keras.layers.{builtin_name} by {diff:.3g}.")
    _ok(name, f"matches keras.layers.{builtin_name} with the same weights")


def check_rnn_cell_layer(cell_cls):
    """Check a Keras tanh RNN cell class: ``keras.layers.RNN(cell_cls(units))`` equals SimpleRNN."""
    _check_cell_layer("check_rnn_cell_layer", cell_cls, "SimpleRNN", 1, [UNITS],
                      lambda x, h0, p, **kw: _rnn_forward_variant(x, h0, p, **kw), _RNN_STEP_MISTAKES)


def check_lstm_cell_layer(cell_cls):
    """Check a Keras LSTM cell class: ``keras.layers.RNN(cell_cls(units))`` equals keras.layers.LSTM."""
    _check_cell_layer("check_lstm_cell_layer", cell_cls, "LSTM", 4, [UNITS, UNITS],
                      lambda x, h0, p, **kw: _lstm_forward_variant(x, h0, np.zeros_like(h0), p, **kw), _lstm_mistakes())


# -- models (labs 04 and 05) ------------------------------------------------------------------------
def check_model_shapes(model, expected, name="model"):
    """Check each layer's output shape, e.g. ``[(None, None, 16), (None, 8), (None, 3)]``.

    ``None`` matches any size. A recurrent layer that returns (batch, units) where
    (batch, time, units) is expected gets a ``return_sequences`` hint, and vice versa.
    """
    if model is None or not hasattr(model, "layers"):
        raise AssertionError(f"{name}: expected a Keras model, got {type(model).__name__}. Did you forget `return model`?")
    shapes = []
    for layer in model.layers:
        try:
            shapes.append(tuple(layer.output.shape))
        except Exception:
            raise AssertionError(f"{name}: layer {layer.name} has no output yet: start the model with keras.Input(...).") from None
    if len(shapes) != len(expected):
        raise AssertionError(f"{name}: {len(shapes)} layers with output shapes {shapes}; expected {len(expected)}: {expected}.")
    for layer, got, want in zip(model.layers, shapes, expected):
        want = tuple(want)
        if len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want)):
            continue
        hint = ""
        if len(got) == 2 and len(want) == 3:
            hint = " It returns only the last step: add return_sequences=True."
        elif len(got) == 3 and len(want) == 2:
            hint = " It returns the whole sequence: this layer should have return_sequences=False."
        elif got[-1] != want[-1] and len(got) == len(want):
            hint = " The last axis differs: check the number of units (and merge_mode for Bidirectional: concat doubles it)."
        raise AssertionError(f"{name}: layer {layer.name!r} outputs {got}, expected {want}.{hint}")
    _ok(name, "every layer has the expected output shape")


def check_accuracy(name, accuracy, target, seconds=None, budget=None):
    """Check a reported accuracy (and training time) against the lab's targets."""
    try:
        accuracy = float(accuracy)
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: the accuracy must be a number, got {accuracy!r}.") from None
    if not np.isfinite(accuracy) or not 0.0 <= accuracy <= 1.0:
        raise AssertionError(f"{name}: an accuracy is between 0 and 1, got {accuracy}.")
    if accuracy < target:
        raise AssertionError(f"{name}: accuracy {accuracy:.3f} is below the target {target}. "
                             "Near 0.5 on the Teddy task means the model cannot see the words after 'teddy'.")
    if budget is not None and (seconds is None or float(seconds) > budget):
        raise AssertionError(f"{name}: training took {seconds} s; the budget is {budget} s. Use fewer epochs or units.")
    _ok(name, f"accuracy ≥ {target}" + (f" within {budget} s" if budget else ""))


def check_adding_comparison(results, baseline=1 / 6):
    """Check a dict {"rnn": best val MSE, "gru": ..., "lstm": ...} from the lab-04 race."""
    if not isinstance(results, dict) or set(results) != {"rnn", "gru", "lstm"}:
        got = sorted(results) if isinstance(results, dict) else type(results).__name__
        raise AssertionError(f"results must be a dict with keys 'rnn', 'gru', 'lstm' (best validation MSE of each); got {got}.")
    for name, mse in results.items():
        if not isinstance(mse, (int, float, np.floating)) or not np.isfinite(mse) or mse < 0:
            raise AssertionError(f"results[{name!r}] must be a non-negative number (an MSE), got {mse!r}.")
    for name in ("gru", "lstm"):
        if results[name] >= 0.1 * baseline:
            raise AssertionError(f"the {name.upper()} reached MSE {results[name]:.4f}, above 10% of chance "
                                 f"({0.1 * baseline:.4f}). Check its cell and the optimizer (Adam(0.01, clipnorm=1.0)).")
    if results["rnn"] < 0.5 * baseline:
        raise AssertionError(f"the SimpleRNN reached MSE {results['rnn']:.4f}: suspiciously good at T = 50. Is it "
                             "really a SimpleRNN, trained on the same data?")
    _ok("adding comparison", "both gated cells solve T = 50, the SimpleRNN does not")
