"""Checks for the labs: a short success line, or an AssertionError that names the mistake.

Each ``check_*`` runs the student's function on a fixed case and compares it with the
course's equations, with tolerances (so a correct answer written differently, e.g.
with per-gate matrices, passes). When the answer is wrong, the check compares it with a
catalogue of *plausible mistakes* (each a small variation of the equations: a missing
bias, a gate with the wrong activation, a transposed matrix, gates in the wrong
order, ...) and says which one it matches. Odd return values (None, lists, integers,
NaN, wrong shapes) fail with a message, never with an unrelated traceback.

What the checks refuse, so that a pass means the student did the work:

- answers that call the course's answer key (``lstmcourse.reference``, ``lstmcourse.cells``,
  ``lstmcourse.diagnostics``, these checks, or Keras's own SimpleRNN/LSTM/GRU cells);
- functions that change their inputs in place (the caller still needs them);
- Keras cells that only work eagerly: a cell is run inside a model, symbolically, and
  trained for one step, so NumPy inside ``call`` fails here and not later in ``fit``.

Every check takes ``hidden=True`` for a second case with other sizes and seeds: the
graded cells of the labs run it between nbgrader's hidden-tests markers (through
:func:`lstmcourse._grading.fresh`, a copy of this module that a notebook cannot have
redefined).

A forward pass is graded with the correct step in place of the student's (the name
``rnn_step``/``lstm_step``/``rnn_backward`` is swapped for the duration of the check),
so one wrong step costs the points of that step only.

    >>> import numpy as np
    >>> from lstmcourse import checks
    >>> def rnn_step(x_t, h_prev, params):
    ...     return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])
    >>> checks.check_rnn_step(rnn_step)
    ✔ rnn_step: correct (output shape (2, 4)).
    >>> from lstmcourse import reference
    >>> checks.check_rnn_step(reference.rnn_step)
    Traceback (most recent call last):
    ...
    AssertionError: rnn_step calls lstmcourse.reference.rnn.rnn_step, part of the course's answer key. Write the computation yourself (NumPy for the step functions, keras.ops for the cells).
"""
import importlib.util
import itertools
import os
import re
import sys
import warnings

import numpy as np

RTOL, ATOL = 1e-5, 1e-6


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda a: np.maximum(a, 0.0),
    "no activation (identity)": lambda a: a,
}


# -- the answer key may not be called from an answer ------------------------------------
def _answer_key_paths():
    """Files whose functions and classes are the answer key (answers may not call them)."""
    pkg = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.join(pkg, "reference") + os.sep, os.path.join(pkg, "cells") + os.sep,
             os.path.join(pkg, "diagnostics.py"), os.path.join(pkg, "tracing.py"),
             os.path.join(pkg, "checks.py")]
    try:
        spec = importlib.util.find_spec("keras")
        rnn_dir = os.path.join(list(spec.submodule_search_locations)[0], "src", "layers", "rnn")
        paths += [os.path.join(rnn_dir, f) for f in ("simple_rnn.py", "lstm.py", "gru.py")]
    except Exception:  # keras not installed: nothing of it to guard
        pass
    return tuple(paths)


_KEY_PATHS = _answer_key_paths()


def _is_key(filename):
    filename = os.path.abspath(filename) if filename and not filename.startswith("<") else (filename or "")
    return filename.startswith(_KEY_PATHS) or filename in _KEY_PATHS


def _key_name(code):
    path = os.path.abspath(code.co_filename)
    for marker in ("lstmcourse", "keras"):
        parts = path.split(os.sep)
        if marker in parts:
            i = len(parts) - 1 - parts[::-1].index(marker)
            module = ".".join(parts[i:])[: -len(".py")]
            return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"
    return code.co_name


class _AnswerKeyGuard:
    """Records every call into the answer key that comes from outside it (from the answer)."""

    def __init__(self, allowed=()):
        self.allowed = {getattr(f, "__code__", f) for f in allowed}
        self.hits = []

    def _profile(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if code in self.allowed or code is _AnswerKeyGuard.__exit__.__code__ or not _is_key(code.co_filename):
            return
        caller = frame.f_back
        if caller is None:
            return
        if _is_key(caller.f_code.co_filename) and caller.f_code not in (_call.__code__, _check_cell_layer.__code__):
            return  # the answer key calling itself (e.g. the given rnn_forward calling rnn_step)
        self.hits.append(_key_name(code))

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False

    def verdict(self, name):
        if self.hits:
            raise AssertionError(f"{name} calls {self.hits[0]}, part of the course's answer key. Write the "
                                 "computation yourself (NumPy for the step functions, keras.ops for the cells).")


class _Swapped:
    """Temporarily replace names in a function's globals (e.g. grade rnn_forward with a correct rnn_step)."""

    def __init__(self, fn, replacements):
        self.namespace = getattr(fn, "__globals__", None)
        self.replacements = {k: v for k, v in (replacements or {}).items()
                             if self.namespace is not None and callable(self.namespace.get(k))}

    def __enter__(self):
        self.saved = {k: self.namespace[k] for k in self.replacements}
        self.namespace.update(self.replacements)
        return self

    def __exit__(self, *exc):
        if self.namespace is not None:
            self.namespace.update(self.saved)
        return False


# -- plumbing -----------------------------------------------------------------------
def _ok(name, detail=""):
    print(f"✔ {name}: correct{f' ({detail})' if detail else ''}.")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _error_line(err):
    """The useful line of an error (Keras wraps errors in 'Exception encountered when calling X.call()')."""
    text = _ANSI.sub("", str(err))
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("Exception encountered when calling")]
    kept = []
    for ln in lines:
        if ln.startswith("Arguments received by") or ln.startswith("Call arguments received by"):
            break
        kept.append(ln)
    return " ".join(kept)[:400] or type(err).__name__


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return None


def _changed(before, after):
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(after, before, equal_nan=True))
    if isinstance(before, dict):
        return any(k not in after or _changed(v, after[k]) for k, v in before.items() if v is not None)
    return False


def _call(name, fn, *args, arg_names=(), allowed=(), swap=None, check_inputs=True):
    """Call the student's function; refuse the answer key; turn stubs and crashes into clear messages."""
    if not callable(fn):
        raise AssertionError(f"{name}: expected a function, got {type(fn).__name__}. Pass the function itself, "
                             f"without calling it: check_{name}({name}), not check_{name}({name}(...)).")
    before = [_snapshot(a) for a in args]
    swapped = _Swapped(fn, swap)
    guard = _AnswerKeyGuard(allowed=tuple(allowed) + tuple(swapped.replacements.values()))
    try:
        with swapped, guard:
            result = fn(*args)
    except NotImplementedError:
        raise NotImplementedError(f"{name} is not written yet: replace `raise NotImplementedError()` "
                                  "with your code, then run this check again.") from None
    except Exception as err:  # the student's code crashed: say where, in their terms
        guard.verdict(name)
        raise AssertionError(f"{name} raised {type(err).__name__}: {_error_line(err)}. Check the shapes of the "
                             "matrices you multiply; print them with .shape.") from None
    guard.verdict(name)
    if check_inputs:
        for i, (b, a) in enumerate(zip(before, args)):
            if b is not None and _changed(b, a):
                arg = arg_names[i] if i < len(arg_names) else f"argument {i + 1}"
                raise AssertionError(f"{name} changes its input `{arg}` in place (e.g. `{arg} += ...`, "
                                     f"`{arg}[...] = ...` or `*=`). The caller still needs the old values: "
                                     "compute a new array instead (`a = a + ...`).")
    return result


def _array(name, value, shape, what="the result"):
    """``value`` as a float array of ``shape``, or an AssertionError explaining why not."""
    if value is None:
        raise AssertionError(f"{name} returned None as {what}. Did you forget a `return` statement?")
    if isinstance(value, (list, tuple)):
        raise AssertionError(f"{name} returned a {type(value).__name__} as {what}; return a NumPy array "
                             "(np.asarray(...) or np.stack(...)).")
    if not hasattr(value, "shape"):
        raise AssertionError(f"{name} returned {type(value).__name__} as {what}; expected a NumPy array of shape "
                             f"{tuple(shape)}.")
    try:
        arr = np.asarray(value)
    except Exception as err:
        raise AssertionError(f"{name} returned a {type(value).__name__} as {what} that is not a NumPy array "
                             f"({_error_line(err)}). Use NumPy in this task.") from None
    if not np.issubdtype(arr.dtype, np.floating):
        raise AssertionError(f"{name} returned {what} of dtype {arr.dtype}; expected floats. Did you create it with "
                             "np.zeros(..., dtype=int) or round it?")
    _same_shape(name, arr.shape, shape, what)
    if not np.all(np.isfinite(arr)):
        raise AssertionError(f"{name}: {what} contains NaN or inf. Did you use np.empty without filling every "
                             "entry, or let values overflow?")
    return arr.astype(np.float64)


def _same_shape(name, got, shape, what):
    got, shape = tuple(got), tuple(shape)
    if got == shape:
        return
    hint = ""
    if sorted(got) == sorted(shape):
        hint = " The same numbers in another order: did you transpose, or swap batch and time?"
    elif len(got) == len(shape) + 1 or len(got) + 1 == len(shape):
        hint = " One axis too many or too few: check what you index, stack or sum over."
    elif len(got) == len(shape) and got[-1] in (2 * shape[-1], 3 * shape[-1], 4 * shape[-1]):
        hint = " The last axis is a multiple of the units: did you return concatenated gates or states?"
    elif len(got) == len(shape) and len(got) >= 2 and got[1] == shape[1] + 1:
        hint = " One step too many: leave h0 out of the result."
    raise AssertionError(f"{name}: {what} has shape {got}, expected {shape}.{hint}")


def _close(a, b, rtol=RTOL, atol=ATOL):
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _diagnose(name, got, expected, mistakes, what="the result", rtol=RTOL, atol=ATOL):
    """Pass if ``got`` matches ``expected``; otherwise name the matching mistake."""
    got = np.asarray(got, dtype=np.float64)
    _same_shape(name, got.shape, np.shape(expected), what)
    if _close(got, expected, rtol, atol):
        return
    for message, make_wrong in mistakes:
        try:
            wrong = make_wrong()
        except Exception:  # a mistake that cannot be built for this case
            continue
        if _close(got, wrong, 1e-4, 1e-5):
            raise AssertionError(f"{name}: {what} is wrong: {message}")
    if np.allclose(got, 0.0, atol=1e-12):
        raise AssertionError(f"{name}: {what} is zero everywhere. Is something never added to, or overwritten "
                             "with zeros at the end?")
    ratio = _constant_ratio(got, expected)
    if ratio is not None:
        raise AssertionError(f"{name}: {what} is off by a factor of {ratio:.4g} (every entry). Look for a "
                             "missing or extra scale factor, e.g. dividing by the batch size or a doubled sum.")
    diff = float(np.max(np.abs(got - expected)))
    raise AssertionError(f"{name}: {what} differs from the expected values by up to {diff:.3g}. It matches none "
                         "of the usual mistakes; compare your code with the equations line by line.")


def _constant_ratio(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return None
    mask = np.abs(expected) > 1e-8
    if not mask.any():
        return None
    ratios = got[mask] / expected[mask]
    if np.allclose(ratios, ratios.flat[0], rtol=1e-4) and not np.isclose(ratios.flat[0], 1.0) \
            and not np.isclose(ratios.flat[0], 0.0):
        return float(ratios.flat[0])
    return None


def _unpack(name, result, n, names):
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = type(result).__name__ if not isinstance(result, (tuple, list)) else f"{len(result)} values"
        raise AssertionError(f"{name} must return {n} values ({', '.join(names)}); it returned {got}.")
    return result


# -- fixed test cases ---------------------------------------------------------------------
BATCH, TIME, FEATURES, UNITS = 2, 5, 3, 4          # the visible case
_HIDDEN_DIMS = (3, 6, 5, 6)                         # the hidden case: other sizes, other seeds


def _dims(hidden):
    return _HIDDEN_DIMS if hidden else (BATCH, TIME, FEATURES, UNITS)


def _case(gates, seed, reset_after=False, hidden=False):
    batch, time, features, units = _dims(hidden)
    rng = np.random.default_rng(seed + (1000 if hidden else 0))
    bias_shape = (2, gates * units) if reset_after else (gates * units,)
    params = {
        "kernel": rng.normal(scale=0.6, size=(features, gates * units)),
        "recurrent_kernel": rng.normal(scale=0.6, size=(units, gates * units)),
        "bias": rng.normal(scale=0.5, size=bias_shape),
    }
    x = rng.normal(size=(batch, time, features))
    h = rng.normal(scale=0.6, size=(batch, units))
    c = rng.normal(scale=0.6, size=(batch, units))
    return params, x, h, c


def _copy(params):
    return {k: np.array(v, copy=True) for k, v in params.items()}


# -- tanh RNN ---------------------------------------------------------------------------
def _rnn_step_variant(x_t, h_prev, p, act="tanh", bias=True, use_h=True, use_x=True, bias_after=False,
                      transpose_U=False, hx_order=False):
    U = p["recurrent_kernel"].T if transpose_U else p["recurrent_kernel"]
    if hx_order:  # [h, x] multiplied by the stacked [W; U]
        a = np.concatenate([h_prev, x_t], axis=1) @ np.concatenate([p["kernel"], U], axis=0)
    else:
        a = np.zeros((x_t.shape[0], p["kernel"].shape[1]))
        if use_x:
            a = a + x_t @ p["kernel"]
        if use_h:
            a = a + h_prev @ U
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
    ("the recurrent kernel is transposed: use h_prev @ U (U is (units, units), rows indexed by h_prev), "
     "not h_prev @ U.T or U @ h_prev.", dict(transpose_U=True)),
    ("[h_prev, x_t] is multiplied by the stacked [W; U]: the order must match. Concatenate [x_t, h_prev] for "
     "[W; U] (the kernel's rows go with x).", dict(hx_order=True)),
]


def _correct_rnn_step(x_t, h_prev, params):
    return _rnn_step_variant(np.asarray(x_t, np.float64), np.asarray(h_prev, np.float64), params)


def check_rnn_step(rnn_step, hidden=False):
    """Check ``rnn_step(x_t, h_prev, params) -> h_t``."""
    params, x, h, _ = _case(1, seed=1, hidden=hidden)
    result = _call("rnn_step", rnn_step, x[:, 0].copy(), h.copy(), _copy(params),
                   arg_names=("x_t", "h_prev", "params"))
    expected = _rnn_step_variant(x[:, 0], h, params)
    got = _array("rnn_step", result, expected.shape)
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


def check_rnn_forward(rnn_forward, hidden=False):
    """Check ``rnn_forward(x, h0, params) -> (hs, cache)``, with a correct ``rnn_step`` in place of yours."""
    params, x, h0, _ = _case(1, seed=2, hidden=hidden)
    result = _call("rnn_forward", rnn_forward, x.copy(), h0.copy(), _copy(params),
                   arg_names=("x", "h0", "params"), swap={"rnn_step": _correct_rnn_step})
    hs, _ = _unpack("rnn_forward", result, 2, ["hs", "cache"])
    expected = _rnn_forward_variant(x, h0, params)
    if isinstance(hs, np.ndarray) and hs.shape == expected.shape[:1] + expected.shape[2:]:
        raise AssertionError(f"rnn_forward: hs has shape {hs.shape}, only the last state; return every step's "
                             f"state, shape {expected.shape} (np.stack(hs, axis=1)).")
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


def _rnn_backward_variant(dhs, x, h0, hs, p, deriv="h_t", through_time=True, dU_with="h_prev", batch_mean=False,
                          transpose_U=False, transpose_dU=False, dh0_is_g0=False):
    dx = np.zeros_like(x)
    g = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dh = dhs[:, t] + (dh_next if through_time else 0.0)
        local = {"h_t": 1 - hs[:, t] ** 2, "h_prev": 1 - h_prev ** 2, "none": 1.0}[deriv]
        da = dh * local
        g["kernel"] += x[:, t].T @ da
        dU = (h_prev if dU_with == "h_prev" else hs[:, t]).T @ da
        g["recurrent_kernel"] += dU.T if transpose_dU else dU
        g["bias"] += da.sum(axis=0)
        dx[:, t] = da @ p["kernel"].T
        dh_next = da @ (p["recurrent_kernel"] if transpose_U else p["recurrent_kernel"].T)
    if dh0_is_g0:  # g_1 = dhs_1 + δ_2·Uᵀ, the gradient at h_1, returned instead of δ_1·Uᵀ
        dh_next = dh
    if batch_mean:
        dx, dh_next, g = dx / len(x), dh_next / len(x), {k: v / len(x) for k, v in g.items()}
    return dx, dh_next, g


_RNN_BACKWARD_MISTAKES = {
    "the tanh derivative (1 − h_t²) is missing.": dict(deriv="none"),
    "the tanh derivative uses h_{t-1}; it must use h_t, the output of that tanh: (1 − h_t²).": dict(deriv="h_prev"),
    "the gradient does not flow back through time: add the gradient coming from step t+1 (δ·Uᵀ) to dhs[:, t].":
        dict(through_time=False),
    "dL/dU uses h_t; the recurrent kernel multiplies h_{t-1}, so use h_{t-1}ᵀ·δ.": dict(dU_with="h_t"),
    "the gradients are divided by the batch size; the loss is a sum, so sum over the batch.": dict(batch_mean=True),
    "the gradient sent back to h_{t-1} uses U; it must use its transpose: δ_t·Uᵀ (δ @ U.T), the way x·W "
    "sends back δ·Wᵀ.": dict(transpose_U=True),
    "dL/dU is transposed: it is h_{t-1}ᵀ·δ (units of h_{t-1} along the rows, like U), not δᵀ·h_{t-1}.":
        dict(transpose_dU=True),
    "dh0 includes dhs[:, 0], the gradient at h_1; dh0 is only what reaches h0 through U: δ_1·Uᵀ.":
        dict(dh0_is_g0=True),
}


def _correct_rnn_backward(dhs, cache):
    p = {"kernel": cache["kernel"], "recurrent_kernel": cache["recurrent_kernel"],
         "bias": np.zeros(np.shape(cache["recurrent_kernel"])[0])}
    return _rnn_backward_variant(np.asarray(dhs, np.float64), cache["x"], cache["h0"], cache["hs"], p)


def check_rnn_backward(rnn_forward, rnn_backward, hidden=False):
    """Check ``rnn_backward(dhs, cache) -> (dx, dh0, grads)`` (with the lab's ``rnn_forward`` and its cache)."""
    params, x, h0, _ = _case(1, seed=3, hidden=hidden)
    hs = _rnn_forward_variant(x, h0, params)
    dhs = np.random.default_rng(4 + (1000 if hidden else 0)).normal(size=hs.shape)
    from lstmcourse.reference import rnn as _given  # the lab gives reference.rnn_forward: allowed here

    fwd = _call("rnn_forward", rnn_forward, x.copy(), h0.copy(), _copy(params), arg_names=("x", "h0", "params"),
                allowed=(_given.rnn_forward,))
    fhs, cache = _unpack("rnn_forward", fwd, 2, ["hs", "cache"])
    if not _close(_array("rnn_forward", fhs, hs.shape, "hs"), hs):
        raise AssertionError("rnn_backward cannot be checked: the rnn_forward given to the check is wrong. Use "
                             "the lab's rnn_forward (from lstmcourse.reference).")
    cache_copy = {k: _snapshot(v) if isinstance(v, np.ndarray) else v for k, v in cache.items()} \
        if isinstance(cache, dict) else cache
    result = _call("rnn_backward", rnn_backward, dhs.copy(), cache_copy, arg_names=("dhs", "cache"),
                   allowed=(_given.rnn_forward,))
    dx, dh0, grads = _unpack("rnn_backward", result, 3, ["dx", "dh0", "grads"])
    if not isinstance(grads, dict):
        raise AssertionError(f"rnn_backward: grads must be a dict with keys {sorted(params)}; got {type(grads).__name__}.")
    missing = sorted(set(params) - set(grads))
    if missing:
        raise AssertionError(f"rnn_backward: grads has no {missing}; it needs one gradient per parameter: {sorted(params)}.")
    exp_dx, exp_dh0, exp_g = _rnn_backward_variant(dhs, x, h0, hs, params)
    outputs = [("dx", dx, exp_dx, 0), ("dh0", dh0, exp_dh0, 1)] + [
        (f"grads[{k!r}]", grads[k], exp_g[k], k) for k in ("kernel", "recurrent_kernel", "bias")]
    # dL/dU first: several mistakes change only it, and its message is the most specific.
    outputs = [outputs[3]] + outputs[:3] + outputs[4:]
    for what, got, expected, key in outputs:
        got = _array("rnn_backward", got, expected.shape, what)

        def pick(out, key=key):
            return out[key] if isinstance(key, int) else out[2][key]

        mistakes = [(m, lambda kw=kw, pick=pick: pick(_rnn_backward_variant(dhs, x, h0, hs, params, **kw)))
                    for m, kw in _RNN_BACKWARD_MISTAKES.items()]
        _diagnose("rnn_backward", got, expected, mistakes, what)
    _ok("rnn_backward", "dx, dh0 and every parameter gradient")


# -- finite differences -------------------------------------------------------------------
def _g(t):  # the test function, entry by entry: f(x) = Σ sin(x)·x²
    return np.sin(t) * t ** 2


def check_numerical_gradient(numerical_gradient, hidden=False):
    """Check ``numerical_gradient(f, x, eps=1e-6) -> array like x`` (central differences)."""
    if hidden:
        x = np.random.default_rng(1010).normal(size=(3, 2, 2))
    else:
        x = np.array([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]])
    original = x.copy()
    calls = []

    def f():
        calls.append(1)
        return float(np.sum(_g(x)))

    result = _call("numerical_gradient", numerical_gradient, f, x, check_inputs=False, allowed=(f,))
    if not np.array_equal(x, original):
        raise AssertionError("numerical_gradient: x is not restored after the call. Put each entry back after "
                             "evaluating f at x+eps and x-eps.")
    got = _array("numerical_gradient", result, x.shape, "the gradient")
    expected = np.cos(x) * x ** 2 + 2 * x * np.sin(x)
    if _close(got, expected, 1e-6, 1e-7):
        if len(calls) < 2 * x.size:
            raise AssertionError(f"numerical_gradient called f only {len(calls)} times for {x.size} entries; "
                                 "central differences need two calls per entry.")
        _ok("numerical_gradient", "central differences, x restored")
        return
    if np.allclose(got, 0.0, atol=1e-12):
        raise AssertionError("numerical_gradient: the gradient is zero everywhere: f() never saw your nudges. "
                             "Change the entries of x itself (x[index] = ...), not of a copy (x.copy(), np.array(x), "
                             "x + eps builds a new array that f does not read).")
    err = got - expected
    for eps in (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0):
        for scheme, estimate in (("one-sided", (_g(x + eps) - _g(x)) / eps),
                                 ("backward", (_g(x) - _g(x - eps)) / eps),
                                 ("central", (_g(x + eps) - _g(x - eps)) / (2 * eps)),
                                 ("central without the 2", (_g(x + eps) - _g(x - eps)) / eps)):
            pred = estimate - expected
            if np.max(np.abs(err - pred)) <= 0.05 * np.max(np.abs(pred)) + 1e-7:
                if scheme in ("one-sided", "backward"):
                    raise AssertionError(f"numerical_gradient: this is a one-sided difference (eps ≈ {eps:g}): "
                                         "(f(x+eps) − f(x)) / eps. Use the central difference (f(x+eps) − f(x−eps)) "
                                         "/ (2·eps): its error is eps² instead of eps.")
                if scheme == "central without the 2":
                    raise AssertionError("numerical_gradient: off by a factor of 2: divide the central difference "
                                         "f(x+eps) − f(x−eps) by 2·eps, the distance between the two points.")
                raise AssertionError(f"numerical_gradient: central differences, but eps ≈ {eps:g} is too large: the "
                                     "error grows like eps². Keep the default eps=1e-6.")
    _diagnose("numerical_gradient", got, expected, [], "the gradient", rtol=1e-6, atol=1e-7)


def _state_gradients(x, p, dhs):
    """∂L/∂h_t for every t, (batch, time, units), for L = Σ dhs ⊙ hs with h0 = 0."""
    h0 = np.zeros((x.shape[0], p["recurrent_kernel"].shape[0]))
    hs = _rnn_forward_variant(x, h0, p)
    out, dh_next = np.zeros_like(hs), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        out[:, t] = dhs[:, t] + dh_next
        dh_next = (out[:, t] * (1 - hs[:, t] ** 2)) @ p["recurrent_kernel"].T
    return out


def check_gradient_norms(gradient_norms, hidden=False):
    """Check ``gradient_norms(x, params) -> (time,)``: mean over the batch of ‖∂(Σh_T)/∂h_t‖."""
    params, x, _, _ = _case(1, seed=5, hidden=hidden)
    params["recurrent_kernel"] *= 0.5
    from lstmcourse.reference import rnn as _given

    result = _call("gradient_norms", gradient_norms, x.copy(), _copy(params), arg_names=("x", "params"),
                   allowed=(_given.rnn_forward,), swap={"rnn_backward": _correct_rnn_backward})
    last = np.zeros((x.shape[0], x.shape[1], params["recurrent_kernel"].shape[0]))
    last[:, -1] = 1.0
    g = _state_gradients(x, params, last)
    expected = np.mean(np.linalg.norm(g, axis=-1), axis=0)
    got = _array("gradient_norms", result, expected.shape, "the norms")
    if not _close(got, expected, 1e-5, 1e-8):
        if _close(got[:-1], expected[:-1], 1e-5, 1e-8):
            raise AssertionError(f"gradient_norms: every entry is right except the last, {got[-1]:.4g}: at h_T the "
                                 f"gradient of Σh_T is (1, …, 1), of norm √units = {expected[-1]:.4g}.")
        if _close(got[1:], expected[:-1], 1e-5, 1e-8) or _close(got[:-1], expected[1:], 1e-5, 1e-8):
            raise AssertionError("gradient_norms: off by one step: entry t must be the gradient at h_t, the state "
                                 "after reading x[:, t] (start the rest of the sequence at x[:, t+1] from h_t).")
    mistakes = [
        ("it is reversed: entry t must be the norm at time step t (the last entry is at h_T).",
         lambda: expected[::-1]),
        ("it sums over the batch; take the mean over the batch of each sequence's norm.",
         lambda: np.sum(np.linalg.norm(g, axis=-1), axis=0)),
        ("it takes one norm over the whole (batch, units) gradient; take each sequence's norm over units, then "
         "the mean over the batch.", lambda: np.linalg.norm(g, axis=(0, 2))),
        ("these are squared norms: take np.linalg.norm (the square root of the sum of squares).",
         lambda: np.mean(np.sum(g ** 2, axis=-1), axis=0)),
        ("it averages over units (or takes mean |g|); the norm is over units: np.linalg.norm(dh, axis=-1).",
         lambda: np.mean(np.abs(g), axis=(0, 2))),
        ("it averages the gradient over the batch before taking the norm; take each sequence's norm first.",
         lambda: np.linalg.norm(np.mean(g, axis=0), axis=-1)),
        ("the loss is the sum of every h_t (dhs = 1 everywhere); here L = Σ h_T: dhs is 1 at the last step only.",
         lambda: np.mean(np.linalg.norm(_state_gradients(x, params, np.ones_like(last)), axis=-1), axis=0)),
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
        elif order == "cfio":
            msg = ("the input gate and the candidate are swapped: either their blocks (gate order c, f, i, o "
                   "instead of i, f, c, o) or their activations (tanh on the input gate, a sigmoid on the "
                   "candidate); i ⊙ c̃ comes out the same either way. i = σ(z[:, 0:u]), c̃ = tanh(z[:, 2u:3u]).")
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


def _correct_lstm_step(x_t, h_prev, c_prev, params):
    return _lstm_step_variant(np.asarray(x_t, np.float64), np.asarray(h_prev, np.float64),
                              np.asarray(c_prev, np.float64), params)


def check_lstm_step(lstm_step, hidden=False):
    """Check ``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t)``."""
    params, x, h, c = _case(4, seed=6, hidden=hidden)
    result = _call("lstm_step", lstm_step, x[:, 0].copy(), h.copy(), c.copy(), _copy(params),
                   arg_names=("x_t", "h_prev", "c_prev", "params"))
    exp_h, exp_c = _lstm_step_variant(x[:, 0], h, c, params)
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


def check_lstm_forward(lstm_forward, hidden=False):
    """Check ``lstm_forward(x, h0, c0, params) -> (hs, cache)``, with a correct ``lstm_step`` in place of yours."""
    params, x, h0, c0 = _case(4, seed=7, hidden=hidden)
    result = _call("lstm_forward", lstm_forward, x.copy(), h0.copy(), c0.copy(), _copy(params),
                   arg_names=("x", "h0", "c0", "params"), swap={"lstm_step": _correct_lstm_step})
    hs, _ = _unpack("lstm_forward", result, 2, ["hs", "cache"])
    expected = _lstm_forward_variant(x, h0, c0, params)
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
                      swap_bias_rows=False, cand_act="tanh", gate_act="sigmoid"):
    b_in, b_rec = (p["bias"][1], p["bias"][0]) if swap_bias_rows else (p["bias"][0], p["bias"][1])
    xw = x_t @ p["kernel"] + b_in
    m = h_prev @ p["recurrent_kernel"] + (b_rec if rec_bias else 0.0)
    xb = dict(zip(order, np.split(xw, 3, axis=1)))
    mb = dict(zip(order, np.split(m, 3, axis=1)))
    act = _ACTIVATIONS[gate_act]
    z, r = act(xb["z"] + mb["z"]), act(xb["r"] + mb["r"])
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
    ("the reset gate is missing from the candidate: h̃ = tanh(x_h + r ⊙ m_h).", dict(reset="none")),
    ("z and 1 − z are swapped: in Keras h_t = z ⊙ h_prev + (1 − z) ⊙ h̃.", dict(swap_z=True)),
    ("the recurrent bias (bias[1]) is missing: it is added to h_prev·U before the gates.", dict(rec_bias=False)),
    ("the two bias rows are swapped: bias[0] goes with the input x·W, bias[1] with h_prev·U.", dict(swap_bias_rows=True)),
    ("the candidate uses a sigmoid; it should be tanh.", dict(cand_act="sigmoid")),
    ("the gates z and r use tanh; gates use a sigmoid.", dict(gate_act="tanh")),
] + [(f"the gates are in the order {', '.join(o)}; Keras's order is z, r, h.", dict(order="".join(o)))
     for o in itertools.permutations("zrh") if "".join(o) != "zrh"]


def check_gru_step(gru_step, hidden=False):
    """Check ``gru_step(x_t, h_prev, params) -> h_t`` in Keras's ``reset_after=True`` form."""
    params, x, h, _ = _case(3, seed=8, reset_after=True, hidden=hidden)
    result = _call("gru_step", gru_step, x[:, 0].copy(), h.copy(), _copy(params),
                   arg_names=("x_t", "h_prev", "params"))
    expected = _gru_step_variant(x[:, 0], h, params)
    got = _array("gru_step", result, expected.shape, "h_t")
    mistakes = [(m, lambda kw=kw: _gru_step_variant(x[:, 0], h, params, **kw)) for m, kw in _GRU_STEP_MISTAKES]
    _diagnose("gru_step", got, expected, mistakes, "h_t")
    _ok("gru_step", f"output shape {got.shape}")


# -- Keras cells ------------------------------------------------------------------------------
_NUMPY_IN_CALL = ("symbolic", "KerasTensor", "__array__", "numpy", "Cannot convert", "convert a symbolic",
                  "Tensor-typed variable initializers")


def _cell_failure(name, stage, err):
    line = _error_line(err)
    if any(s.lower() in str(err).lower() for s in _NUMPY_IN_CALL):
        return AssertionError(f"{name}: {stage} failed: {line} — this is what NumPy (np.*, .numpy(), float(...)) "
                              "inside call() does: in a model, Keras runs call() on symbolic tensors that have "
                              "no values yet. Use keras.ops (ops.matmul, ops.tanh, ops.sigmoid, ops.split).")
    if "leaves" in line or "PyTreeSpec" in line or "structure" in line.lower():
        return AssertionError(f"{name}: {stage} failed with {type(err).__name__}: {line} — call() must return "
                              "(output, new_states) with one new state per entry of state_size: (h, [h]) for the "
                              "RNN, (h, [h, c]) for the LSTM.")
    return AssertionError(f"{name}: {stage} failed with {type(err).__name__}: {line}")


def _check_cell_layer(name, cell_cls, builtin_name, gates, state_sizes, numpy_forward, mistakes, hidden):
    import keras

    batch, time, features, units = _dims(hidden)
    if not isinstance(cell_cls, type):
        raise AssertionError(f"{name}: expected a class, got {type(cell_cls).__name__}. Pass the class itself "
                             f"(MyCell), not an instance (MyCell(4)).")
    guard = _AnswerKeyGuard()
    try:
        with guard:
            cell = cell_cls(units)
    except NotImplementedError:
        raise NotImplementedError(f"{name}: the cell is not written yet (NotImplementedError).") from None
    except Exception as err:
        guard.verdict(name)
        raise AssertionError(f"{name}: creating {cell_cls.__name__}({units}) raised {type(err).__name__}: "
                             f"{_error_line(err)}") from None
    guard.verdict(name)
    sizes = cell.state_size if isinstance(getattr(cell, "state_size", None), (list, tuple)) \
        else [getattr(cell, "state_size", None)]
    if list(sizes) != [units] * len(state_sizes):
        raise AssertionError(f"{name}: state_size is {getattr(cell, 'state_size', None)!r}; for {units} units it "
                             f"should be {[units] * len(state_sizes) if len(state_sizes) > 1 else units} "
                             f"({'[h, c]' if len(state_sizes) > 1 else 'h'}).")
    # 1. symbolically, inside a model: NumPy in call() fails here, as it would in fit().
    inputs = keras.Input((time, features))
    try:
        with guard:
            outputs = keras.layers.RNN(cell, return_sequences=True)(inputs)
    except NotImplementedError:
        raise NotImplementedError(f"{name}: the cell is not written yet (NotImplementedError).") from None
    except Exception as err:
        guard.verdict(name)
        raise _cell_failure(name, "keras.layers.RNN(your cell) inside a model", err) from None
    guard.verdict(name)
    if tuple(outputs.shape[1:]) != (time, units):
        extra = ""
        if outputs.shape[-1] == len(state_sizes) * units and len(state_sizes) > 1 or outputs.shape[-1] == 2 * units:
            extra = " It outputs more than h: call() must return (h, [h, c]) with h alone as the output."
        raise AssertionError(f"{name}: the layer outputs {tuple(outputs.shape)} per batch; expected "
                             f"(None, {time}, {units}) for {units} units.{extra}")
    model = keras.Model(inputs, outputs)
    shapes = [tuple(w.shape) for w in model.get_weights()]
    expected_shapes = [(features, gates * units), (units, gates * units), (gates * units,)]
    if shapes != expected_shapes:
        raise AssertionError(f"{name}: the weights have shapes {shapes}; Keras's layout is {expected_shapes} "
                             "(kernel, recurrent_kernel, bias, created in that order in build()).")
    params, x, _, _ = _case(gates, seed=9, hidden=hidden)
    x32 = x.astype("float32")
    model.set_weights([params[k].astype("float32") for k in ("kernel", "recurrent_kernel", "bias")])
    try:
        got = np.asarray(model.predict(x32, verbose=0, batch_size=batch), dtype=np.float64)
    except Exception as err:
        raise _cell_failure(name, "running the model", err) from None
    h0 = np.zeros((batch, units))
    expected = numpy_forward(x, h0, params)
    _diagnose(name, got, expected,
              [(f"(in call) {m}", lambda kw=kw: numpy_forward(x, h0, params, **kw)) for m, kw in mistakes],
              "the layer output", rtol=1e-4, atol=1e-5)
    builtin = getattr(keras.layers, builtin_name)(units, return_sequences=True)
    builtin(x32)
    builtin.set_weights(model.get_weights())
    diff = float(np.max(np.abs(np.asarray(builtin(x32)) - got)))
    if diff > 1e-4:
        raise AssertionError(f"{name}: the layer differs from keras.layers.{builtin_name} by {diff:.3g}.")
    # 2. one training step: every weight must receive a gradient.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = model.get_weights()
    try:
        with warnings.catch_warnings():  # "Gradients do not exist for variables": reported below, in words
            warnings.simplefilter("ignore")
            model.fit(x32, np.ones_like(got, dtype="float32"), epochs=1, batch_size=batch, verbose=0)
    except Exception as err:
        raise _cell_failure(name, "one training step (model.fit)", err) from None
    for w, old, new in zip(("kernel", "recurrent_kernel", "bias"), before, model.get_weights()):
        if np.array_equal(old, new):
            raise AssertionError(f"{name}: training does not change `{w}`: no gradient reaches it. Compute with "
                                 "keras.ops on the weights themselves (no NumPy copies, no stop_gradient).")
    _ok(name, f"matches keras.layers.{builtin_name} with the same weights, and trains")


def check_rnn_cell_layer(cell_cls, hidden=False):
    """Check a Keras tanh RNN cell class: ``keras.layers.RNN(cell_cls(units))`` equals SimpleRNN."""
    _check_cell_layer("check_rnn_cell_layer", cell_cls, "SimpleRNN", 1, [UNITS],
                      lambda x, h0, p, **kw: _rnn_forward_variant(x, h0, p, **kw), _RNN_STEP_MISTAKES, hidden)


def check_lstm_cell_layer(cell_cls, hidden=False):
    """Check a Keras LSTM cell class: ``keras.layers.RNN(cell_cls(units))`` equals keras.layers.LSTM."""
    _check_cell_layer("check_lstm_cell_layer", cell_cls, "LSTM", 4, [UNITS, UNITS],
                      lambda x, h0, p, **kw: _lstm_forward_variant(x, h0, np.zeros_like(h0), p, **kw),
                      _lstm_mistakes(), hidden)


# -- models (labs 04 and 05) ------------------------------------------------------------------------
def _layers(model):
    """The model's layers without the InputLayer (the functional API lists it, Sequential does not)."""
    import keras

    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _is_model(name, model):
    import keras

    if model is None or not isinstance(model, keras.Model):
        raise AssertionError(f"{name}: expected a Keras model, got {type(model).__name__}. Did you forget "
                             "`return model`?")


def _build(name, builder, *args):
    """Call a model builder inside the check, so a Keras error becomes a message with its useful line."""
    import keras

    if not callable(builder) or isinstance(builder, keras.Model):
        raise AssertionError(f"{name}: expected the function that builds the model, got {type(builder).__name__}. "
                             f"Pass the function itself, without calling it.")
    try:
        model = builder(*args)
    except NotImplementedError:
        raise NotImplementedError(f"{name} is not written yet: replace `raise NotImplementedError()`.") from None
    except Exception as err:
        line = _error_line(err)
        hint = ""
        if "expected ndim=3, found ndim=2" in line:
            hint = (" A recurrent layer received (batch, units) where it needs (batch, time, units): the layer "
                    "before it needs return_sequences=True.")
        raise AssertionError(f"{name} raised {type(err).__name__}: {line}{hint}") from None
    _is_model(name, model)
    return model


def check_model_shapes(model, expected, name="model"):
    """Check each layer's output shape, e.g. ``[(None, None, 16), (None, 8), (None, 3)]``.

    ``None`` matches any size. The InputLayer of a functional model is not counted. A
    recurrent layer that returns (batch, units) where (batch, time, units) is expected
    gets a ``return_sequences`` hint, and vice versa.
    """
    _check_shapes(model, expected, name)
    _ok(name, "every layer has the expected output shape")


def _check_shapes(model, expected, name):
    _is_model(name, model)
    layers = _layers(model)
    shapes = []
    for layer in layers:
        try:
            shapes.append(tuple(layer.output.shape))
        except Exception:
            raise AssertionError(f"{name}: layer {layer.name} has no output yet: start the model with "
                                 "keras.Input(...).") from None
    if len(shapes) != len(expected):
        raise AssertionError(f"{name}: {len(shapes)} layers with output shapes {shapes}; expected {len(expected)}: "
                             f"{expected}.")
    for layer, got, want in zip(layers, shapes, expected):
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


def _expect_layer(name, layer, kind, **want):
    """One layer of a built model: its class and the settings the lab asks for."""
    got_kind = type(layer).__name__
    if got_kind != kind:
        raise AssertionError(f"{name}: layer {layer.name!r} is a {got_kind}; the task asks for keras.layers.{kind}.")
    for attr, value in want.items():
        if attr == "activation":
            got = getattr(getattr(layer, "activation", None), "__name__", None)
        else:
            got = getattr(layer, attr, None)
        if got != value:
            advice = {
                "mask_zero": "without mask_zero=True the padding (token 0) is read as words.",
                "return_sequences": "it decides whether the layer returns every step (True) or only the last (False).",
                "activation": "the tags need a probability distribution: activation=\"softmax\".",
                "merge_mode": "the default \"concat\" keeps both directions side by side (2·units features).",
            }.get(attr, "")
            raise AssertionError(f"{name}: layer {layer.name!r} has {attr}={got!r}; the task asks for "
                                 f"{attr}={value!r}. {advice}".rstrip())


def check_stacked_tagger(build_stacked, vocab, tags):
    """Check lab 05's ``build_stacked()``: Embedding(mask_zero) → LSTM(16) → LSTM(16) → Dense(softmax), per token."""
    name = "build_stacked()"
    model = _build(name, build_stacked)
    _check_shapes(model, [(None, None, 8), (None, None, 16), (None, None, 16), (None, None, tags)], name)
    emb, first, second, dense = _layers(model)
    _expect_layer(name, emb, "Embedding", input_dim=vocab, output_dim=8, mask_zero=True)
    _expect_layer(name, first, "LSTM", units=16, return_sequences=True)
    _expect_layer(name, second, "LSTM", units=16, return_sequences=True)
    _expect_layer(name, dense, "Dense", units=tags, activation="softmax")
    _ok(name, "Embedding with mask, two LSTMs of 16 units returning sequences, softmax per token")


def check_bidirectional_tagger(build_bidirectional, vocab, tags):
    """Check lab 05's ``build_bidirectional()``: Embedding(mask_zero) → Bidirectional(LSTM(16)) → Dense(softmax)."""
    name = "build_bidirectional()"
    model = _build(name, build_bidirectional)
    _check_shapes(model, [(None, None, 8), (None, None, 32), (None, None, tags)], name)
    emb, bi, dense = _layers(model)
    _expect_layer(name, emb, "Embedding", input_dim=vocab, output_dim=8, mask_zero=True)
    _expect_layer(name, bi, "Bidirectional", merge_mode="concat")
    _expect_layer(name, bi.forward_layer, "LSTM", units=16, return_sequences=True)
    _expect_layer(name, dense, "Dense", units=tags, activation="softmax")
    _ok(name, "Embedding with mask, a bidirectional LSTM of 16 units (concat), softmax per token")


_RACE_LAYERS = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


def check_make_model(make_model, length=50, features=2, units=32):
    """Check lab 04's ``make_model(kind)`` for every kind: layer class, sizes, optimizer, loss."""
    import keras

    models = {}
    for kind, layer_name in _RACE_LAYERS.items():
        name = f"make_model({kind!r})"
        model = _build(name, make_model, kind)
        if any(model is other for other in models.values()):
            raise AssertionError(f"{name} returns the same model object as another kind: build a new model on "
                                 "every call.")
        models[kind] = model
        _check_shapes(model, [(None, units), (None, 1)], name)
        if tuple(model.inputs[0].shape) != (None, length, features):
            raise AssertionError(f"{name}: the input has shape {tuple(model.inputs[0].shape)}; expected "
                                 f"(None, {length}, {features}): keras.Input(({length}, {features})).")
        rnn, dense = _layers(model)
        _expect_layer(name, rnn, layer_name, units=units, return_sequences=False)
        _expect_layer(name, dense, "Dense", units=1, activation="linear")
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None or not getattr(model, "compiled", True):
            raise AssertionError(f"{name}: the model is not compiled: call model.compile(optimizer=..., "
                                 "loss=\"mse\") before returning it.")
        if not isinstance(optimizer, keras.optimizers.Adam):
            raise AssertionError(f"{name}: the optimizer is {type(optimizer).__name__}; the task asks for "
                                 "keras.optimizers.Adam(0.01, clipnorm=1.0).")
        lr = float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))
        if not np.isclose(lr, 0.01) or optimizer.clipnorm is None or not np.isclose(float(optimizer.clipnorm), 1.0):
            raise AssertionError(f"{name}: Adam with learning_rate={lr:g} and clipnorm={optimizer.clipnorm}; the task "
                                 "asks for Adam(0.01, clipnorm=1.0) (clipping keeps the SimpleRNN from exploding).")
        loss = model.loss
        loss_name = loss if isinstance(loss, str) else getattr(loss, "name", getattr(loss, "__name__", repr(loss)))
        if str(loss_name).lower() not in ("mse", "mean_squared_error"):
            raise AssertionError(f"{name}: the loss is {loss_name!r}; the adding problem is a regression: "
                                 "loss=\"mse\".")
    _ok("make_model", "SimpleRNN, GRU and LSTM of 32 units, Dense(1), Adam(0.01, clipnorm=1.0), MSE")


def check_accuracy(name, accuracy, target):
    """Check a reported accuracy against a target (ungraded practice cells)."""
    try:
        accuracy = float(np.asarray(accuracy))
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: the accuracy must be a number, got {accuracy!r}.") from None
    if not np.isfinite(accuracy) or not 0.0 <= accuracy <= 1.0:
        raise AssertionError(f"{name}: an accuracy is between 0 and 1, got {accuracy}.")
    if accuracy < target:
        raise AssertionError(f"{name}: accuracy {accuracy:.3f} is below the target {target}.")
    _ok(name, f"accuracy ≥ {target}")


def check_teddy_tagger(model, target=0.95, max_updates=600, max_params=50_000, hidden=False):
    """Check lab 05's trained tagger on sentences it has never seen (a held-out set made here).

    The budget is machine-independent: at most ``max_updates`` optimizer steps
    (``model.optimizer.iterations``) and ``max_params`` weights, instead of seconds that
    depend on the machine that grades.
    """
    from lstmcourse import tasks

    name = "Teddy tagger"
    if model is None:
        raise NotImplementedError(f"{name}: train `model` in the cell above first.")
    _is_model(name, model)
    optimizer = getattr(model, "optimizer", None)
    steps = int(np.asarray(optimizer.iterations)) if optimizer is not None else 0
    if steps == 0:
        raise AssertionError(f"{name}: the model has not been trained (0 optimizer steps): compile it and call "
                             "model.fit on x_train, y_train.")
    if steps > max_updates:
        raise AssertionError(f"{name}: training took {steps} optimizer steps; the budget is {max_updates} "
                             "(epochs × batches per epoch). Use fewer epochs or a larger batch.")
    params = model.count_params()
    if params > max_params:
        raise AssertionError(f"{name}: {params} parameters; the budget is {max_params}. Use fewer units.")
    x, y, pos = tasks.teddy(1000, seed=7001 if hidden else 7000)
    try:
        probs = np.asarray(model.predict(x, verbose=0, batch_size=256))
    except Exception as err:
        raise AssertionError(f"{name}: the model failed on token ids of shape {x.shape}: {_error_line(err)}") from None
    if probs.shape[:2] != x.shape or probs.ndim != 3:
        raise AssertionError(f"{name}: the model outputs {probs.shape} for {x.shape} token ids; a tagger outputs "
                             f"one tag distribution per token: (batch, time, {len(tasks.TEDDY_TAGS)}).")
    rows = np.arange(len(x))
    accuracy = float(np.mean(probs.argmax(-1)[rows, pos] == y[rows, pos]))
    if accuracy < target:
        raise AssertionError(f"{name}: accuracy at \"teddy\" on new sentences is {accuracy:.3f}, below {target}. "
                             "Near 0.5 means the model cannot see the words after 'teddy' (lesson 06).")
    _ok(name, f"accuracy at \"teddy\" on 1000 new sentences ≥ {target}, {steps} optimizer steps, {params} parameters")


def check_adding_comparison(results, baseline=1 / 6):
    """Check a dict {"rnn": best val MSE, "gru": ..., "lstm": ...} from the lab-04 race."""
    if not isinstance(results, dict) or set(results) != {"rnn", "gru", "lstm"}:
        got = sorted(results) if isinstance(results, dict) else type(results).__name__
        raise AssertionError(f"results must be a dict with keys 'rnn', 'gru', 'lstm' (best validation MSE of each); got {got}.")
    clean = {}
    for name, mse in results.items():
        try:
            if isinstance(mse, (str, bytes)):
                raise TypeError
            value = np.asarray(mse, dtype=np.float64)
        except (TypeError, ValueError):
            value = np.asarray(np.nan)
        if value.size != 1 or not np.isfinite(value).all() or float(value.reshape(())) < 0:
            raise AssertionError(f"results[{name!r}] must be a non-negative number (an MSE), got {mse!r}.")
        clean[name] = float(value.reshape(()))
    for name in ("gru", "lstm"):
        if clean[name] >= 0.1 * baseline:
            raise AssertionError(f"the {name.upper()} reached MSE {clean[name]:.4f}, above 10% of chance "
                                 f"({0.1 * baseline:.4f}). Check its cell and the optimizer (Adam(0.01, clipnorm=1.0)).")
    if clean["rnn"] < 0.5 * baseline:
        raise AssertionError(f"the SimpleRNN reached MSE {clean['rnn']:.4f}: suspiciously good at T = 50. Is it "
                             "really a SimpleRNN, trained on the same data?")
    _ok("adding comparison", "both gated cells solve T = 50, the SimpleRNN does not")
