"""The NumPy tasks of labs 01–04: the equations written a third time, with their mistake catalogues.

Each ``_X_variant`` computes the equation with switches that turn one part of it into a
plausible mistake (a missing bias, a gate with the wrong activation, a transposed matrix,
the sequence read backwards, ...); each catalogue pairs a message with the switches, and
:func:`lstmcourse.grading.harness._diagnose` names the first entry the answer equals.

The visible case of every check is fixed (the same for everyone; the labs print its sizes). The
hidden case (``hidden=True``) is the student's own: its sizes, weights and inputs are drawn from
the variant (:mod:`lstmcourse.grading.variants`, ``variants.current()`` unless ``variant=`` is
given), as in labs 07/08 (:func:`hidden_dims`, :func:`hidden_case`); variant 0 keeps the fixed
hidden case the checks always had. On the hidden case an answer that returns the visible case's
result, or another variant's, whatever its inputs, fails with a message saying so (:func:`_copied`).
"""
import itertools

import numpy as np

from lstmcourse.reference import rnn as _given  # the lab gives reference.rnn_forward: allowed where given
from lstmcourse.grading.harness import (  # noqa: F401
    _ACTIVATIONS,
    _array,
    _call,
    _case,
    _draw_case,
    _close,
    _constant_ratio,
    _copy,
    _dims,
    _diagnose,
    _first_wrong_step,
    _ok,
    _probe,
    _snapshot,
    _unpack,
)
from lstmcourse.grading import probes as _probes
from lstmcourse.grading import variants
from lstmcourse.i18n import N_, gettext
from lstmcourse.grading.harness import _message

# -- tanh RNN ---------------------------------------------------------------------------
def _rnn_step_variant(x_t, h_prev, p, act="tanh", bias=True, use_h=True, use_x=True, bias_after=False,
                      transpose_U=False, hx_order=False, stack_swapped=False, bias_times=1, act_twice=False,
                      h_outside=False):
    U = p["recurrent_kernel"].T if transpose_U else p["recurrent_kernel"]
    if hx_order:  # [h, x] multiplied by the stacked [W; U]
        a = np.concatenate([h_prev, x_t], axis=1) @ np.concatenate([p["kernel"], U], axis=0)
    elif stack_swapped:  # [x, h] multiplied by the stacked [U; W]
        a = np.concatenate([x_t, h_prev], axis=1) @ np.concatenate([U, p["kernel"]], axis=0)
    elif h_outside:  # h·U added after the tanh
        a = x_t @ p["kernel"]
    else:
        a = np.zeros((x_t.shape[0], p["kernel"].shape[1]))
        if use_x:
            a = a + x_t @ p["kernel"]
        if use_h:
            a = a + h_prev @ U
    if bias and not bias_after:
        a = a + bias_times * p["bias"]
    out = _ACTIVATIONS[act](a)
    if act_twice:
        out = _ACTIVATIONS[act](out)
    if h_outside:
        out = out + h_prev @ U
    return out + p["bias"] if bias_after else out


_RNN_STEP_MISTAKES = [
    (N_("the bias b is missing: a = x·W + h·U + b."), dict(bias=False)),
    (N_("it uses a sigmoid; the tanh RNN squashes with tanh."), dict(act="sigmoid")),
    (N_("it uses ReLU; the tanh RNN squashes with tanh."), dict(act="relu")),
    (N_("tanh is missing: h_t = tanh(x·W + h·U + b)."), dict(act="no activation (identity)")),
    (N_("the previous state h_prev is ignored: add h_prev @ recurrent_kernel."), dict(use_h=False)),
    (N_("the input x_t is ignored: add x_t @ kernel."), dict(use_x=False)),
    (N_("the bias is added after tanh; add it inside: tanh(x·W + h·U + b)."), dict(bias_after=True)),
    (N_("the recurrent kernel is transposed: use h_prev @ U (U is (units, units), rows indexed by h_prev), "
     "not h_prev @ U.T or U @ h_prev."), dict(transpose_U=True)),
    (N_("[h_prev, x_t] is multiplied by the stacked [W; U]: the order must match. Concatenate [x_t, h_prev] for "
     "[W; U] (the kernel's rows go with x)."), dict(hx_order=True)),
    (N_("[x_t, h_prev] is multiplied by the stacked [U; W]: the stack is swapped. With [x_t, h_prev] first, stack "
     "the kernel on top: np.concatenate([W, U]) (np.vstack([kernel, recurrent_kernel]))."), dict(stack_swapped=True)),
    (N_("the bias is added twice: a = x·W + h·U + b has one b (did you add it to both products?)."), dict(bias_times=2)),
    (N_("tanh is applied twice: h_t = tanh(a), not tanh(tanh(a))."), dict(act_twice=True)),
    (N_("tanh is written as 2σ(a) − 1, which is tanh(a/2): use np.tanh (or 2σ(2a) − 1)."), dict(act="2σ(a) − 1")),
    (N_("h_prev·U is added after tanh; it goes inside: tanh(x·W + h_prev·U + b)."), dict(h_outside=True)),
]


def _correct_rnn_step(x_t, h_prev, params):
    return _rnn_step_variant(np.asarray(x_t, np.float64), np.asarray(h_prev, np.float64), params)


def check_rnn_step(rnn_step, hidden=False, variant=None):
    """Check ``rnn_step(x_t, h_prev, params) -> h_t`` (the hidden case: ``variant``'s, see :func:`hidden_case`)."""
    variant = _variant(hidden, variant)
    params, x, h, _ = _inputs("rnn_step", variant)
    result = _call("rnn_step", rnn_step, x[:, 0].copy(), h.copy(), _copy(params),
                   arg_names=("x_t", "h_prev", "params"))
    expected = _rnn_step_variant(x[:, 0], h, params)
    _copied("rnn_step", result, "h_t", expected, variant)
    got = _array("rnn_step", result, expected.shape)
    mistakes = [(m, lambda kw=kw: _rnn_step_variant(x[:, 0], h, params, **kw)) for m, kw in _RNN_STEP_MISTAKES]
    _diagnose("rnn_step", got, expected, mistakes, locate=lambda: _locate_rnn_step(rnn_step, x[:, 0], h, params))
    _ok("rnn_step", gettext("output shape {shape}").format(shape=got.shape))


def _locate_rnn_step(fn, x_t, h, params):
    """Which part of tanh(x·W + h·U + b) is wrong: probes with x_t = 0, h_prev = 0, b = 0."""
    zero_b = {**params, "bias": np.zeros_like(params["bias"])}

    def right(x_, h_, p_):
        return _probe(fn, _rnn_step_variant(x_, h_, p_), x_, h_, p_)
    no_h, no_x = right(x_t, 0 * h, params), right(0 * x_t, h, params)
    if no_h and not no_x:
        return (gettext("with h_prev = 0 it is right, so the recurrent part is wrong: h_prev @ recurrent_kernel, added "
                "inside the tanh."))
    if no_x and not no_h:
        return gettext("with x_t = 0 it is right, so the input part is wrong: x_t @ kernel, added inside the tanh.")
    if no_x and no_h:
        return (gettext("right with x_t = 0 and right with h_prev = 0, wrong with both: the two products are added inside "
                "one tanh, tanh(x·W + h·U + b)."))
    if right(x_t, h, zero_b):
        return gettext("with b = 0 it is right, so the bias is wrong: add bias once, inside the tanh.")
    if right(0 * x_t, 0 * h, params):
        return (gettext("with x_t = 0 and h_prev = 0 it is right (tanh(b)), so both products enter wrongly: "
                "a = x_t @ kernel + h_prev @ recurrent_kernel + bias."))
    return gettext("even with x_t = 0 and h_prev = 0, where h_t = tanh(b), it is wrong: look at the bias and the tanh.")


def _rnn_forward_variant(x, h0, p, carry=True, from_zeros=False, shift=False, backwards=None, flip=False, **step_kw):
    h = np.zeros_like(h0) if from_zeros else h0
    steps = range(x.shape[1])
    hs = {}
    for k, t in enumerate(reversed(steps) if backwards else steps):
        new_h = _rnn_step_variant(x[:, t], h if carry or k == 0 else (0 * h0 if from_zeros else h0), p, **step_kw)
        hs[t if backwards == "aligned" else k] = h if shift else new_h
        h = new_h
    out = np.stack([hs[t] for t in steps], axis=1)
    return out[:, ::-1] if flip else out


def _backwards_mistakes(forward):
    """The direction of time: read from the last step to the first, or stored in reverse order."""
    return [
        (N_("the sequence is read backwards (t = T−1 down to 0); read it forwards, t = 0, 1, …, T−1, starting from h0."),
         lambda: forward(backwards="aligned")),
        (N_("the sequence is read backwards (t = T−1 down to 0), and the states stored in that order; read it "
         "forwards, t = 0, 1, …, T−1."), lambda: forward(backwards="appended")),
        (N_("hs is in reverse time order: hs[:, t] must be the state after reading x[:, t] (do not reverse the list)."),
         lambda: forward(flip=True)),
    ]


def _locate_step(hs, expected, first):
    """The first wrong time step of a forward pass (the step function itself is the correct one here)."""
    t = _first_wrong_step(hs, expected)
    if t == 0:
        return gettext("hs[:, 0] is already wrong: it is {first}, the first step read from the initial state.").format(first=first)
    return (gettext("hs[:, 0] to hs[:, {previous}] are right and hs[:, {t}] is the first wrong state: look at what step {t} receives (x[:, {t}], and the state after step {previous}) and where it is stored.").format(previous=t - 1, t=t))


def check_rnn_forward(rnn_forward, hidden=False, variant=None):
    """Check ``rnn_forward(x, h0, params) -> (hs, cache)``, with a correct ``rnn_step`` in place of yours."""
    variant = _variant(hidden, variant)
    params, x, h0, _ = _inputs("rnn_forward", variant)
    result = _call("rnn_forward", rnn_forward, x.copy(), h0.copy(), _copy(params),
                   arg_names=("x", "h0", "params"), swap={"rnn_step": _correct_rnn_step})
    hs, _ = _unpack("rnn_forward", result, 2, ["hs", "cache"])
    expected = _rnn_forward_variant(x, h0, params)
    _copied("rnn_forward", hs, "hs", expected, variant)
    if isinstance(hs, np.ndarray) and hs.shape == expected.shape[:1] + expected.shape[2:]:
        raise AssertionError(gettext("rnn_forward: hs has shape {hs_shape}, only the last state; return every step's state, shape {expected_shape} (np.stack(hs, axis=1)).").format(hs_shape=hs.shape, expected_shape=expected.shape))
    hs = _array("rnn_forward", hs, expected.shape, "hs")
    mistakes = [
        (N_("the state is not carried: every step starts from h0 instead of the previous h."),
         lambda: _rnn_forward_variant(x, h0, params, carry=False)),
        (N_("h0 is ignored: the first step must start from h0, not from zeros."),
         lambda: _rnn_forward_variant(x, h0, params, from_zeros=True)),
        (N_("every step starts from zeros: the state must be carried, h0 first, then the previous step's h."),
         lambda: _rnn_forward_variant(x, h0, params, carry=False, from_zeros=True)),
        (N_("off by one step: hs[:, t] must be the state AFTER reading x[:, t] (hs[:, 0] is not h0)."),
         lambda: _rnn_forward_variant(x, h0, params, shift=True)),
    ] + _backwards_mistakes(lambda **kw: _rnn_forward_variant(x, h0, params, **kw)) + [(gettext("(in the step) {message}").format(message=_message(m)), lambda kw=kw: _rnn_forward_variant(x, h0, params, **kw)) for m, kw in _RNN_STEP_MISTAKES]
    _diagnose("rnn_forward", hs, expected, mistakes, "hs", locate=lambda: _locate_step(hs, expected, "rnn_step(x[:, 0], h0, params)"))
    _ok("rnn_forward", gettext("hs shape {shape}").format(shape=hs.shape))


def _rnn_backward_variant(dhs, x, h0, hs, p, deriv="h_t", through_time=True, dU_with="h_prev", batch_mean=False,
                          transpose_U=False, transpose_dU=False, dh0_is_g0=False, accumulate_next=False,
                          forward_in_time=False, overwrite_params=False, dh0_is_delta=False, bias_mean=False,
                          dx_from_dh=False, next_from_dh=False, wrap_h0=False, only_last_dhs=False):
    dx = np.zeros_like(x)
    g = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros_like(h0)
    steps = range(x.shape[1])
    for t in (steps if forward_in_time else reversed(steps)):
        h_prev = hs[:, t - 1] if t > 0 or wrap_h0 else h0
        dh = (dhs[:, t] if t == x.shape[1] - 1 or not only_last_dhs else 0.0) + (dh_next if through_time else 0.0)
        local = {"h_t": 1 - hs[:, t] ** 2, "h_prev": 1 - h_prev ** 2, "none": 1.0,
                 "tanh(h_t)": 1 - np.tanh(hs[:, t]) ** 2}[deriv]
        da = dh * local
        dU = (h_prev if dU_with == "h_prev" else hs[:, t]).T @ da
        step_g = {"kernel": x[:, t].T @ da, "recurrent_kernel": dU.T if transpose_dU else dU,
                  "bias": da.mean(axis=0) if bias_mean else da.sum(axis=0)}
        for k in g:
            g[k] = step_g[k] if overwrite_params else g[k] + step_g[k]
        dx[:, t] = (dh if dx_from_dh else da) @ p["kernel"].T
        back = (dh if next_from_dh else da) @ (p["recurrent_kernel"] if transpose_U else p["recurrent_kernel"].T)
        dh_next = dh_next + back if accumulate_next else back
    if dh0_is_g0:  # g_1 = dhs_1 + δ_2·Uᵀ, the gradient at h_1, returned instead of δ_1·Uᵀ
        dh_next = dh
    if dh0_is_delta:  # δ_1 itself, not sent back through U
        dh_next = da
    if batch_mean:
        dx, dh_next, g = dx / len(x), dh_next / len(x), {k: v / len(x) for k, v in g.items()}
    return dx, dh_next, g


_RNN_BACKWARD_MISTAKES = {
    N_("the tanh derivative (1 − h_t²) is missing."): dict(deriv="none"),
    N_("the tanh derivative uses h_{t-1}; it must use h_t, the output of that tanh: (1 − h_t²)."): dict(deriv="h_prev"),
    N_("the gradient does not flow back through time: add the gradient coming from step t+1 (δ·Uᵀ) to dhs[:, t]."):
        dict(through_time=False),
    N_("dL/dU uses h_t; the recurrent kernel multiplies h_{t-1}, so use h_{t-1}ᵀ·δ."): dict(dU_with="h_t"),
    N_("the gradients are divided by the batch size; the loss is a sum, so sum over the batch."): dict(batch_mean=True),
    N_("the gradient sent back to h_{t-1} uses U; it must use its transpose: δ_t·Uᵀ (δ @ U.T), the way x·W "
    "sends back δ·Wᵀ."): dict(transpose_U=True),
    N_("dL/dU is transposed: it is h_{t-1}ᵀ·δ (units of h_{t-1} along the rows, like U), not δᵀ·h_{t-1}."):
        dict(transpose_dU=True),
    N_("dh0 includes dhs[:, 0], the gradient at h_1; dh0 is only what reaches h0 through U: δ_1·Uᵀ."):
        dict(dh0_is_g0=True),
    N_("dh_next is accumulated across steps (dh_next += δ·Uᵀ); it is replaced at every step: dh_next = δ_t·Uᵀ, "
    "the gradient that step t sends to h_{t-1} only."): dict(accumulate_next=True),
    N_("the BPTT loop runs forward in time; the gradient flows from the last step back: "
    "for t in reversed(range(T))."): dict(forward_in_time=True),
    N_("the parameter gradients are overwritten at every step (= instead of +=); they are sums over time."):
        dict(overwrite_params=True),
    N_("dh0 is δ_1 itself; what reaches h0 goes through U: dh0 = δ_1·Uᵀ."): dict(dh0_is_delta=True),
    N_("the tanh derivative is 1 − tanh(h_t)²; h_t is already tanh of something: use 1 − h_t²."):
        dict(deriv="tanh(h_t)"),
    N_("grads['bias'] averages over the batch; the loss is a sum, so sum δ over the batch: δ.sum(axis=0)."):
        dict(bias_mean=True),
    N_("dx skips the tanh derivative: dx_t = δ_t·Wᵀ with δ_t = dh ⊙ (1 − h_t²), not dh·Wᵀ."): dict(dx_from_dh=True),
    N_("the gradient sent to h_{t-1} skips the tanh derivative: dh_next = δ_t·Uᵀ with δ_t = dh ⊙ (1 − h_t²), "
    "not dh·Uᵀ."): dict(next_from_dh=True),
    N_("at t = 0, h_{t-1} is h0, not hs[:, -1] (index −1 wraps around to the last step): "
    "h_prev = hs[:, t-1] if t > 0 else h0."): dict(wrap_h0=True),
    N_("only the last step's dhs is used; every step's output receives a gradient: dh = dhs[:, t] + dh_next."):
        dict(only_last_dhs=True),
}


def _correct_rnn_backward(dhs, cache):
    p = {"kernel": cache["kernel"], "recurrent_kernel": cache["recurrent_kernel"],
         "bias": np.zeros(np.shape(cache["recurrent_kernel"])[0])}
    return _rnn_backward_variant(np.asarray(dhs, np.float64), cache["x"], cache["h0"], cache["hs"], p)


def check_rnn_backward(rnn_forward, rnn_backward, hidden=False, variant=None):
    """Check ``rnn_backward(dhs, cache) -> (dx, dh0, grads)`` (with the lab's ``rnn_forward`` and its cache)."""
    variant = _variant(hidden, variant)
    params, x, h0, dhs = _inputs("rnn_backward", variant)
    hs = _rnn_forward_variant(x, h0, params)

    fwd = _call("rnn_forward", rnn_forward, x.copy(), h0.copy(), _copy(params), arg_names=("x", "h0", "params"),
                allowed=(_given.rnn_forward,))
    fhs, cache = _unpack("rnn_forward", fwd, 2, ["hs", "cache"])
    if not _close(_array("rnn_forward", fhs, hs.shape, "hs"), hs):
        raise AssertionError(gettext("rnn_backward cannot be checked: the rnn_forward given to the check is wrong. Use "
                             "the lab's rnn_forward (from lstmcourse.reference)."))
    cache_copy = {k: _snapshot(v) if isinstance(v, np.ndarray) else v for k, v in cache.items()} \
        if isinstance(cache, dict) else cache
    result = _call("rnn_backward", rnn_backward, dhs.copy(), cache_copy, arg_names=("dhs", "cache"),
                   allowed=(_given.rnn_forward,))
    dx, dh0, grads = _unpack("rnn_backward", result, 3, ["dx", "dh0", "grads"])
    if not isinstance(grads, dict):
        raise AssertionError(gettext("rnn_backward: grads must be a dict with keys {sorted_params}; got {type_grads_name}.").format(sorted_params=sorted(params), type_grads_name=type(grads).__name__))
    missing = sorted(set(params) - set(grads))
    if missing:
        raise AssertionError(gettext("rnn_backward: grads has no {missing}; it needs one gradient per parameter: {sorted_params}.").format(missing=missing, sorted_params=sorted(params)))
    exp_dx, exp_dh0, exp_g = _rnn_backward_variant(dhs, x, h0, hs, params)
    outputs = [("dx", dx, exp_dx, 0), ("dh0", dh0, exp_dh0, 1)] + [
        (f"grads[{k!r}]", grads[k], exp_g[k], k) for k in ("kernel", "recurrent_kernel", "bias")]
    # dL/dU first: several mistakes change only it, and its message is the most specific.
    outputs = [outputs[3]] + outputs[:3] + outputs[4:]
    for what, got, expected, key in outputs:
        _copied("rnn_backward", got, what, expected, variant)
        got = _array("rnn_backward", got, expected.shape, what)

        def pick(out, key=key):
            return out[key] if isinstance(key, int) else out[2][key]

        mistakes = [(m, lambda kw=kw, pick=pick: pick(_rnn_backward_variant(dhs, x, h0, hs, params, **kw)))
                    for m, kw in _RNN_BACKWARD_MISTAKES.items()]
        _diagnose("rnn_backward", got, expected, mistakes, what,
                  locate=lambda: _locate_rnn_backward(rnn_forward, rnn_backward, x, h0, dhs, params))
    _ok("rnn_backward", gettext("dx, dh0 and every parameter gradient"))


def _locate_rnn_backward(rnn_forward, rnn_backward, x, h0, dhs, params):
    """Probe with a single time step: right there means the gradient through time is wrong."""
    _, cache = rnn_forward(x[:, :1].copy(), h0.copy(), _copy(params))
    hs1 = _rnn_forward_variant(x[:, :1], h0, params)
    exp = _rnn_backward_variant(dhs[:, :1], x[:, :1], h0, hs1, params)
    out = rnn_backward(dhs[:, :1].copy(), cache)
    right = all(_close(np.asarray(o, np.float64), e) for o, e in zip(out[:2], exp[:2])) and all(
        _close(np.asarray(out[2][k], np.float64), exp[2][k]) for k in exp[2])
    if right:
        return (gettext("with one time step every gradient is right; with more it is wrong: the gradient through time is "
                "wrong: dh = dhs[:, t] + dh_next, δ_t = dh ⊙ (1 − h_t²), then dh_next = δ_t·Uᵀ for step t−1."))
    return (gettext("with one time step it is already wrong: the gradient of one step is δ = dh ⊙ (1 − h_t²), then "
            "x_tᵀ·δ, h_{t-1}ᵀ·δ, Σ_batch δ, δ·Wᵀ and δ·Uᵀ."))


# -- finite differences -------------------------------------------------------------------
def _g(t):  # the test function, entry by entry: f(x) = Σ sin(x)·x²
    return np.sin(t) * t ** 2


def check_numerical_gradient(numerical_gradient, hidden=False, variant=None):
    """Check ``numerical_gradient(f, x, eps=1e-6) -> array like x`` (central differences)."""
    variant = _variant(hidden, variant)
    x = _inputs("numerical_gradient", variant)
    original = x.copy()
    calls = []

    def f():
        calls.append(x.copy() if isinstance(x, np.ndarray) else None)  # what f saw, for the probes
        return float(np.sum(_g(x)))

    result = _call("numerical_gradient", numerical_gradient, f, x, check_inputs=False, allowed=(f,))
    if not np.array_equal(x, original):
        raise AssertionError(gettext("numerical_gradient: x is not restored after the call. Put each entry back after "
                             "evaluating f at x+eps and x-eps."))
    expected = _numerical_gradient_answer(x)
    _copied("numerical_gradient", result, "the gradient", expected, variant)
    got = _array("numerical_gradient", result, x.shape, N_("the gradient"))
    if _close(got, expected, 1e-6, 1e-7):
        if len(calls) < 2 * x.size:
            raise AssertionError(gettext("numerical_gradient called f only {len_calls} times for {x_size} entries; central differences need two calls per entry.").format(len_calls=len(calls), x_size=x.size))
        _ok("numerical_gradient", gettext("central differences, x restored"))
        return
    if np.allclose(got, 0.0, atol=1e-12):
        raise AssertionError(gettext("numerical_gradient: the gradient is zero everywhere: f() never saw your nudges. "
                             "Change the entries of x itself (x[index] = ...), not of a copy (x.copy(), np.array(x), "
                             "x + eps builds a new array that f does not read)."))
    err = got - expected
    for eps in (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0):
        for scheme, estimate in (("one-sided", (_g(x + eps) - _g(x)) / eps),
                                 ("backward", (_g(x) - _g(x - eps)) / eps),
                                 ("central", (_g(x + eps) - _g(x - eps)) / (2 * eps)),
                                 ("central without the 2", (_g(x + eps) - _g(x - eps)) / eps),
                                 ("/ 2 * eps", (_g(x + eps) - _g(x - eps)) / 2 * eps)):
            pred = estimate - expected
            if np.max(np.abs(err - pred)) <= 0.05 * np.max(np.abs(pred)) + 1e-7:
                if scheme in ("one-sided", "backward"):
                    raise AssertionError(gettext("numerical_gradient: this is a one-sided difference (eps ≈ {eps:g}): (f(x+eps) − f(x)) / eps. Use the central difference (f(x+eps) − f(x−eps)) / (2·eps): its error is eps² instead of eps.").format(eps=eps))
                if scheme == "/ 2 * eps":
                    raise AssertionError(gettext("numerical_gradient: the difference is multiplied by eps instead of divided: "
                                         "`/ 2 * eps` is (… / 2) * eps in Python; write / (2 * eps)."))
                if scheme == "central without the 2":
                    raise AssertionError(gettext("numerical_gradient: off by a factor of 2: divide the central difference "
                                         "f(x+eps) − f(x−eps) by 2·eps, the distance between the two points."))
                raise AssertionError(gettext("numerical_gradient: central differences, but eps ≈ {eps:g} is too large: the error grows like eps². Keep the default eps=1e-6.").format(eps=eps))
    scale = float(np.sqrt(np.mean(expected ** 2)))
    noise = float(np.sqrt(np.mean(err ** 2)))
    if 1e-6 < noise < 0.05 * scale and _constant_ratio(got, expected) is None:
        # close, but off by an irregular amount no eps above catches: f(x+eps) − f(x−eps) lost its digits
        implied = np.finfo(float).eps * max(abs(float(np.sum(_g(x)))), 1.0) / noise
        raise AssertionError(gettext(
            "numerical_gradient: close to the gradient but off by irregular amounts (up to {worst:.2g}): round-off. "
            "f(x+eps) − f(x−eps) keeps few digits when eps is tiny (these errors fit eps ≈ {implied:.0e}); use the "
            "default eps=1e-6.").format(worst=float(np.max(np.abs(err))), implied=implied))
    per_row = np.broadcast_to(expected.reshape(len(x), -1).sum(axis=1).reshape((len(x),) + (1,) * (x.ndim - 1)),
                              x.shape)
    _diagnose("numerical_gradient", got, expected, [
        (N_("it nudges a whole slice x[i] at once, so each entry gets the sum of its slice's gradient; nudge one entry "
         "at a time: for index in np.ndindex(x.shape)."), lambda: per_row)], N_("the gradient"), rtol=1e-6, atol=1e-7,
        locate=lambda: _probes.numerical_gradient(calls, original))


def _state_gradients(x, p, dhs):
    """∂L/∂h_t for every t, (batch, time, units), for L = Σ dhs ⊙ hs with h0 = 0."""
    h0 = np.zeros((x.shape[0], p["recurrent_kernel"].shape[0]))
    hs = _rnn_forward_variant(x, h0, p)
    out, dh_next = np.zeros_like(hs), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        out[:, t] = dhs[:, t] + dh_next
        dh_next = (out[:, t] * (1 - hs[:, t] ** 2)) @ p["recurrent_kernel"].T
    return out


def check_gradient_norms(gradient_norms, hidden=False, variant=None):
    """Check ``gradient_norms(x, params) -> (time,)``: mean over the batch of ‖∂(Σh_T)/∂h_t‖."""
    variant = _variant(hidden, variant)
    params, x = _inputs("gradient_norms", variant)

    result = _call("gradient_norms", gradient_norms, x.copy(), _copy(params), arg_names=("x", "params"),
                   allowed=(_given.rnn_forward,), swap={"rnn_backward": _correct_rnn_backward})
    last = np.zeros((x.shape[0], x.shape[1], params["recurrent_kernel"].shape[0]))
    last[:, -1] = 1.0
    g = _state_gradients(x, params, last)
    expected = np.mean(np.linalg.norm(g, axis=-1), axis=0)
    _copied("gradient_norms", result, "the norms", expected, variant)
    got = _array("gradient_norms", result, expected.shape, N_("the norms"))
    if not _close(got, expected, 1e-5, 1e-8):
        if _close(got[:-1], expected[:-1], 1e-5, 1e-8):
            raise AssertionError(gettext("gradient_norms: every entry is right except the last, {got_1:.4g}: at h_T the gradient of Σh_T is (1, …, 1), of norm √units = {expected_1:.4g}.").format(got_1=got[-1], expected_1=expected[-1]))
        if _close(got[1:], expected[:-1], 1e-5, 1e-8) or _close(got[:-1], expected[1:], 1e-5, 1e-8):
            raise AssertionError(gettext("gradient_norms: off by one step: entry t must be the gradient at h_t, the state "
                                 "after reading x[:, t] (start the rest of the sequence at x[:, t+1] from h_t)."))
    mistakes = [
        (N_("it is reversed: entry t must be the norm at time step t (the last entry is at h_T)."),
         lambda: expected[::-1]),
        (N_("it sums over the batch; take the mean over the batch of each sequence's norm."),
         lambda: np.sum(np.linalg.norm(g, axis=-1), axis=0)),
        (N_("it takes one norm over the whole (batch, units) gradient; take each sequence's norm over units, then "
         "the mean over the batch."), lambda: np.linalg.norm(g, axis=(0, 2))),
        (N_("these are squared norms: take np.linalg.norm (the square root of the sum of squares)."),
         lambda: np.mean(np.sum(g ** 2, axis=-1), axis=0)),
        (N_("it averages over units (or takes mean |g|); the norm is over units: np.linalg.norm(dh, axis=-1)."),
         lambda: np.mean(np.abs(g), axis=(0, 2))),
        (N_("it averages the gradient over the batch before taking the norm; take each sequence's norm first."),
         lambda: np.linalg.norm(np.mean(g, axis=0), axis=-1)),
        (N_("these are the norms of the states h_t, not of the gradients ∂L/∂h_t."),
         lambda: np.mean(np.linalg.norm(_rnn_forward_variant(x, np.zeros_like(g[:, 0]), params), axis=-1), axis=0)),
        (N_("the norm is taken over the batch axis; take it over units (axis=-1), then the mean over the batch."),
         lambda: np.mean(np.linalg.norm(g, axis=0), axis=-1)),
        (N_("the loss is the sum of every h_t (dhs = 1 everywhere); here L = Σ h_T: dhs is 1 at the last step only."),
         lambda: np.mean(np.linalg.norm(_state_gradients(x, params, np.ones_like(last)), axis=-1), axis=0)),
    ]
    _diagnose("gradient_norms", got, expected, mistakes, N_("the norms"), rtol=1e-5, atol=1e-8)
    _ok("gradient_norms", gettext("{n} time steps").format(n=len(got)))


# -- LSTM -----------------------------------------------------------------------------------
_LSTM_ORDER = "ifco"
_GATE_WORDS = {"i": N_("input"), "f": N_("forget"), "c": N_("candidate"), "o": N_("output")}


def _lstm_step_variant(x_t, h_prev, c_prev, p, order="ifco", acts=None, bias=True, out_tanh=True,
                       input_gate=True, keep_prev=True, h_from_prev_c=False, bias_times=1, stack_swapped=False,
                       forget_plus_one=False, o_inside=False, squash_c=False, coupled=False, c_from_h=False,
                       use_h=True, out_act="tanh"):
    acts = {"i": "sigmoid", "f": "sigmoid", "c": "tanh", "o": "sigmoid", **(acts or {})}
    if stack_swapped:  # [x, h] multiplied by the stacked [U; W]
        z = np.concatenate([x_t, h_prev], axis=1) @ np.concatenate([p["recurrent_kernel"], p["kernel"]], axis=0)
    else:
        z = x_t @ p["kernel"] + (h_prev @ p["recurrent_kernel"] if use_h else 0.0)
    z = z + (bias_times * p["bias"] if bias else 0.0)
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    if forget_plus_one:
        blocks["f"] = blocks["f"] + 1.0
    i, f, g, o = (_ACTIVATIONS[acts[k]](blocks[k]) for k in "ifco")
    c = (f * (h_prev if c_from_h else c_prev) if keep_prev else 0.0) + ((1 - f) * g if coupled else i * g if input_gate else g)
    if squash_c:
        c = np.tanh(c)
    if o_inside:
        return np.tanh(o * c), c
    squash = _ACTIVATIONS[out_act] if out_tanh else _ACTIVATIONS["no activation (identity)"]
    return o * squash(c_prev if h_from_prev_c else c), c


def _lstm_mistakes():
    out = []
    for perm in itertools.permutations(_LSTM_ORDER):
        order = "".join(perm)
        if order == _LSTM_ORDER:
            continue
        if order == "fico":
            msg = gettext("the forget and input gates are swapped; Keras's gate order is i, f, c, o.")
        elif order == "cfio":
            msg = (gettext("the input gate and the candidate are swapped: either their blocks (gate order c, f, i, o "
                   "instead of i, f, c, o) or their activations (tanh on the input gate, a sigmoid on the "
                   "candidate); i ⊙ c̃ comes out the same either way. i = σ(z[:, 0:u]), c̃ = tanh(z[:, 2u:3u])."))
        else:
            msg = gettext("the gates are in the order {order}; Keras's order is i, f, c, o (columns 0:u input, u:2u forget, 2u:3u candidate, 3u:4u output).").format(order=', '.join(order))
        out.append((msg, dict(order=order)))
    for gate in "ifo":
        out.append((gettext("your {gate} gate uses tanh; it should be a sigmoid (a gate is in (0, 1)).").format(gate=gettext(_GATE_WORDS[gate])),
                    dict(acts={gate: "tanh"})))
    out += [
        (N_("the candidate uses a sigmoid; it should be tanh (new content in (−1, 1))."), dict(acts={"c": "sigmoid"})),
        (N_("tanh is missing on the cell output: h = o ⊙ tanh(c), not o ⊙ c."), dict(out_tanh=False)),
        (N_("the bias is missing: z = x·W + h·U + b."), dict(bias=False)),
        (N_("the input gate is not applied: c = f ⊙ c_prev + i ⊙ c̃."), dict(input_gate=False)),
        (N_("c_prev is dropped: the new cell state must keep f ⊙ c_prev."), dict(keep_prev=False)),
        (N_("h uses the previous cell state; use the new one: h = o ⊙ tanh(c_t)."), dict(h_from_prev_c=True)),
        (N_("the bias is added twice: z = x·W + h·U + b has one b."), dict(bias_times=2)),
        (N_("[x_t, h_prev] is multiplied by the stacked [U; W]: the stack is swapped. With [x_t, h_prev] first, "
         "stack the kernel on top: np.concatenate([W, U])."), dict(stack_swapped=True)),
        (N_("1 is added to the forget gate's pre-activation. Keras's unit_forget_bias puts that 1 in the bias when "
         "it initializes it; the step itself is f = σ(z_f)."), dict(forget_plus_one=True)),
        (N_("the output gate is inside the tanh: h = o ⊙ tanh(c), not tanh(o ⊙ c)."), dict(o_inside=True)),
        (N_("the new cell state is squashed with tanh; c = f ⊙ c_prev + i ⊙ c̃ stays unsquashed (tanh only in h)."),
         dict(squash_c=True)),
        (N_("the input gate is replaced by 1 − f (coupled gates); this LSTM has its own input gate: "
         "c = f ⊙ c_prev + i ⊙ c̃."), dict(coupled=True)),
        (N_("the forget gate multiplies h_prev (is h passed as c_prev?); it keeps the old cell state: "
         "c = f ⊙ c_prev + i ⊙ c̃."),
         dict(c_from_h=True)),
        (N_("the recurrent term h_prev·U is missing: z = x·W + h_prev·U + b."), dict(use_h=False)),
        (N_("the cell output uses a sigmoid; it is tanh: h = o ⊙ tanh(c)."), dict(out_act="sigmoid")),
    ]
    return out


def _correct_lstm_step(x_t, h_prev, c_prev, params):
    return _lstm_step_variant(np.asarray(x_t, np.float64), np.asarray(h_prev, np.float64),
                              np.asarray(c_prev, np.float64), params)


def check_lstm_step(lstm_step, hidden=False, variant=None):
    """Check ``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t)``."""
    variant = _variant(hidden, variant)
    params, x, h, c = _inputs("lstm_step", variant)
    result = _call("lstm_step", lstm_step, x[:, 0].copy(), h.copy(), c.copy(), _copy(params),
                   arg_names=("x_t", "h_prev", "c_prev", "params"))
    exp_h, exp_c = _lstm_step_variant(x[:, 0], h, c, params)
    got_h, got_c = _unpack("lstm_step", result, 2, ["h_t", "c_t"])
    _copied("lstm_step", got_h, "h_t", exp_h, variant)
    _copied("lstm_step", got_c, "c_t", exp_c, variant)
    got_h = _array("lstm_step", got_h, exp_h.shape, "h_t")
    got_c = _array("lstm_step", got_c, exp_c.shape, "c_t")
    if _close(got_h, exp_c) and _close(got_c, exp_h):
        raise AssertionError(gettext("lstm_step: it returns (c_t, h_t); return them in the order (h_t, c_t)."))
    mistakes = _lstm_mistakes()
    def locate_c():
        if _probe(lambda *a: lstm_step(*a)[1], _lstm_step_variant(x[:, 0], h, 0 * c, params)[1], x[:, 0], h, 0 * c, params):
            return gettext("with c_prev = 0 it is right, so the forget part is wrong: f ⊙ c_prev, f = σ(z[:, u:2u]).")
        return (gettext("even with c_prev = 0 it is wrong, so the new content is wrong: i ⊙ c̃ = σ(z[:, 0:u]) ⊙ "
                "tanh(z[:, 2u:3u])."))

    _diagnose("lstm_step", got_c, exp_c,
              [(m, lambda kw=kw: _lstm_step_variant(x[:, 0], h, c, params, **kw)[1]) for m, kw in mistakes], "c_t",
              locate=locate_c)
    _diagnose("lstm_step", got_h, exp_h,
              [(m, lambda kw=kw: _lstm_step_variant(x[:, 0], h, c, params, **kw)[0]) for m, kw in mistakes], "h_t",
              locate=lambda: "c_t is right, so the output is wrong: h_t = o ⊙ tanh(c_t), o = σ(z[:, 3u:4u]).")
    _ok("lstm_step", gettext("h_t and c_t of shape {shape}").format(shape=got_h.shape))


def _lstm_forward_variant(x, h0, c0, p, carry_h=True, carry_c=True, return_c=False, backwards=None, flip=False,
                          c_is_h=False, swap_unpack=False, swap_carry=False, **kw):
    h, c, hs, cs = h0, c0, {}, {}
    steps = range(x.shape[1])
    for k, t in enumerate(reversed(steps) if backwards else steps):
        h_in, c_in = h if carry_h else h0, c if carry_c else c0
        h, c = _lstm_step_variant(x[:, t], h_in, h_in if c_is_h else c_in, p, **kw)
        if swap_unpack:  # c, h = lstm_step(...)
            h, c = c, h
        at = t if backwards == "aligned" else k
        hs[at], cs[at] = h, c
        if swap_carry:  # the output is h, the states go on as [c, h]
            h, c = c, h
    out = np.stack([(cs if return_c else hs)[t] for t in steps], axis=1)
    return out[:, ::-1] if flip else out


def _lstm_state_mistakes():
    """Mistakes in how the states travel from step to step (the loop, or a cell's states list)."""
    return [
        (N_("h is passed as both states: the step takes (h_prev, c_prev), two different states; carry c separately "
         "(c_prev is the cell state of the previous step)."), dict(c_is_h=True)),
        (N_("h and c are swapped between steps: the step returns (h_t, c_t) in that order (h, c = lstm_step(...); a "
         "cell returns h, [h, c])."), dict(swap_unpack=True)),
        (N_("the states go on in the order [c, h]; the next step reads them as (h_prev, c_prev): return h, [h, c]."),
         dict(swap_carry=True)),
    ]


def check_lstm_forward(lstm_forward, hidden=False, variant=None):
    """Check ``lstm_forward(x, h0, c0, params) -> (hs, cache)``, with a correct ``lstm_step`` in place of yours."""
    variant = _variant(hidden, variant)
    params, x, h0, c0 = _inputs("lstm_forward", variant)
    result = _call("lstm_forward", lstm_forward, x.copy(), h0.copy(), c0.copy(), _copy(params),
                   arg_names=("x", "h0", "c0", "params"), swap={"lstm_step": _correct_lstm_step})
    hs, _ = _unpack("lstm_forward", result, 2, ["hs", "cache"])
    expected = _lstm_forward_variant(x, h0, c0, params)
    _copied("lstm_forward", hs, "hs", expected, variant)
    hs = _array("lstm_forward", hs, expected.shape, "hs")
    mistakes = [
        (N_("the cell state is not carried: each step must start from the previous step's c, not c0."),
         lambda: _lstm_forward_variant(x, h0, c0, params, carry_c=False)),
        (N_("the hidden state is not carried: each step must start from the previous step's h, not h0."),
         lambda: _lstm_forward_variant(x, h0, c0, params, carry_h=False)),
        (N_("hs holds the cell states; it must hold the hidden states h_t."),
         lambda: _lstm_forward_variant(x, h0, c0, params, return_c=True)),
    ] + [(m, lambda kw=kw: _lstm_forward_variant(x, h0, c0, params, **kw)) for m, kw in _lstm_state_mistakes()] \
      + _backwards_mistakes(lambda **kw: _lstm_forward_variant(x, h0, c0, params, **kw)) + [(gettext("(in the step) {message}").format(message=_message(m)), lambda kw=kw: _lstm_forward_variant(x, h0, c0, params, **kw)) for m, kw in _lstm_mistakes()]
    _diagnose("lstm_forward", hs, expected, mistakes, "hs",
              locate=lambda: _locate_step(hs, expected, "lstm_step(x[:, 0], h0, c0, params)[0]"))
    _ok("lstm_forward", gettext("hs shape {shape}").format(shape=hs.shape))


# -- GRU (Keras's reset_after=True form) -------------------------------------------------------
def _gru_step_variant(x_t, h_prev, p, order="zrh", reset="after", swap_z=False, rec_bias=True,
                      swap_bias_rows=False, cand_act="tanh", gate_act="sigmoid", mix="z", rec_bias_outside=False,
                      same_bias_row=False):
    b_in, b_rec = (p["bias"][1], p["bias"][0]) if swap_bias_rows else (p["bias"][0], p["bias"][1])
    if same_bias_row:
        b_rec = b_in
    xw = x_t @ p["kernel"] + b_in
    m = h_prev @ p["recurrent_kernel"] + (b_rec if rec_bias else 0.0)
    xb = dict(zip(order, np.split(xw, 3, axis=1)))
    mb = dict(zip(order, np.split(m, 3, axis=1)))
    act = _ACTIVATIONS[gate_act]
    z, r = act(xb["z"] + mb["z"]), act(xb["r"] + mb["r"])
    if reset == "after" and rec_bias_outside:  # r ⊙ (h_prev·U_h) + b'_h
        u = p["recurrent_kernel"].shape[0]
        k = order.index("h")
        rec_h = r * (h_prev @ p["recurrent_kernel"][:, k * u:(k + 1) * u]) + b_rec[k * u:(k + 1) * u]
    elif reset == "after":
        rec_h = r * mb["h"]
    elif reset == "before":
        u = p["recurrent_kernel"].shape[0]
        cols = {k: slice(j * u, (j + 1) * u) for j, k in enumerate(order)}
        rec_h = (r * h_prev) @ p["recurrent_kernel"][:, cols["h"]] + (b_rec[cols["h"]] if rec_bias else 0.0)
    elif reset == "input":  # on the input side: r ⊙ (x·W_h + b_h)
        xb["h"], rec_h = r * xb["h"], mb["h"]
    elif reset == "both":
        xb["h"], rec_h = r * xb["h"], r * mb["h"]
    else:  # not applied
        rec_h = mb["h"]
    cand = _ACTIVATIONS[cand_act](xb["h"] + rec_h)
    if mix == "r":
        z = r
    if mix == "no 1-z":
        return z * h_prev + cand
    return (1 - z) * h_prev + z * cand if swap_z else z * h_prev + (1 - z) * cand


_GRU_STEP_MISTAKES = [
    (N_("the reset gate is applied before the matrix product (Cho et al.'s form). This lab uses Keras's "
     "reset_after=True: h̃ = tanh(x·W_h + b_h + r ⊙ (h_prev·U_h + b'_h))."), dict(reset="before")),
    (N_("the reset gate is missing from the candidate: h̃ = tanh(x_h + r ⊙ m_h)."), dict(reset="none")),
    (N_("z and 1 − z are swapped: in Keras h_t = z ⊙ h_prev + (1 − z) ⊙ h̃."), dict(swap_z=True)),
    (N_("the recurrent bias (bias[1]) is missing: it is added to h_prev·U before the gates."), dict(rec_bias=False)),
    (N_("the two bias rows are swapped: bias[0] goes with the input x·W, bias[1] with h_prev·U."), dict(swap_bias_rows=True)),
    (N_("the candidate uses a sigmoid; it should be tanh."), dict(cand_act="sigmoid")),
    (N_("the gates z and r use tanh; gates use a sigmoid."), dict(gate_act="tanh")),
    (N_("the reset gate is applied to the input side (r ⊙ x·W_h); it acts on the recurrent side only: "
     "h̃ = tanh(x·W_h + b_h + r ⊙ (h_prev·U_h + b'_h))."), dict(reset="input")),
    (N_("the reset gate is applied to both sides; only the recurrent part is reset: "
     "h̃ = tanh(x·W_h + b_h + r ⊙ (h_prev·U_h + b'_h))."), dict(reset="both")),
    (N_("the update mixes with r instead of z: h_t = z ⊙ h_prev + (1 − z) ⊙ h̃ (r only resets the candidate)."),
     dict(mix="r")),
    (N_("(1 − z) is missing on the candidate: h_t = z ⊙ h_prev + (1 − z) ⊙ h̃."), dict(mix="no 1-z")),
    (N_("the recurrent bias b'_h is added outside the reset; in Keras's reset_after form it is inside: "
     "r ⊙ (h_prev·U_h + b'_h)."), dict(rec_bias_outside=True)),
    (N_("bias[0] is used for both products; h_prev·U takes the second row, bias[1]."), dict(same_bias_row=True)),
] + [((N_("the gates are in the order {order}; Keras's order is z, r, h."), dict(order=', '.join(o))), dict(order="".join(o)))
     for o in itertools.permutations("zrh") if "".join(o) != "zrh"]


def _locate_gru_step(fn, x_t, h, params):
    """Probes: no input (W = 0, bias[0] = 0), no recurrent input (U = 0, bias[1] = 0), neither."""
    def without(part):
        p = _copy(params)
        if part in ("x", "both"):
            p["kernel"], p["bias"][0] = 0 * p["kernel"], 0.0
        if part in ("h", "both"):
            p["recurrent_kernel"], p["bias"][1] = 0 * p["recurrent_kernel"], 0.0
        return _probe(fn, _gru_step_variant(x_t, h, p), x_t, h, p)
    no_x, no_h = without("x"), without("h")
    if no_h and not no_x:
        return (gettext("without the recurrent input (U = 0, bias[1] = 0) it is right, so the recurrent part is wrong: "
                "h_prev·U + bias[1], split into z, r, h̃, with r ⊙ (…) on the candidate's part."))
    if no_x and not no_h:
        return (gettext("without the input (W = 0, bias[0] = 0) it is right, so the input part is wrong: x·W + bias[0], "
                "split into z, r, h̃ (order z, r, h), each added to its gate."))
    if no_x and no_h:
        return gettext("right without the input and right without the recurrent input: look at how the two combine in each gate.")
    if without("both"):
        return (gettext("with W = U = 0 and no bias (z = r = 0.5, h̃ = 0) it is right, so the mixing h_t = z ⊙ h_prev + "
                "(1 − z) ⊙ h̃ is right: the gates or the candidate are wrong."))
    return (gettext("even with W = U = 0 and no bias, where z = 0.5, h̃ = 0 and h_t = h_prev / 2, it is wrong: look at "
            "h_t = z ⊙ h_prev + (1 − z) ⊙ h̃."))


def check_gru_step(gru_step, hidden=False, variant=None):
    """Check ``gru_step(x_t, h_prev, params) -> h_t`` in Keras's ``reset_after=True`` form."""
    variant = _variant(hidden, variant)
    params, x, h, _ = _inputs("gru_step", variant)
    result = _call("gru_step", gru_step, x[:, 0].copy(), h.copy(), _copy(params),
                   arg_names=("x_t", "h_prev", "params"))
    expected = _gru_step_variant(x[:, 0], h, params)
    _copied("gru_step", result, "h_t", expected, variant)
    got = _array("gru_step", result, expected.shape, "h_t")
    mistakes = [(m, lambda kw=kw: _gru_step_variant(x[:, 0], h, params, **kw)) for m, kw in _GRU_STEP_MISTAKES]
    _diagnose("gru_step", got, expected, mistakes, "h_t", locate=lambda: _locate_gru_step(gru_step, x[:, 0], h, params))
    _ok("gru_step", gettext("output shape {shape}").format(shape=got.shape))


# -- the hidden case: one per student --------------------------------------------------------
#: The lab of each NumPy check: its hidden case is drawn from ``variants.rng(variant, lab, ...)``.
LAB_OF = {"rnn_step": "lab01", "rnn_forward": "lab01", "rnn_backward": "lab02", "numerical_gradient": "lab02",
          "gradient_norms": "lab02", "lstm_step": "lab03", "lstm_forward": "lab03", "gru_step": "lab04"}
#: (gates, seed) of each check's fixed case (:func:`lstmcourse.grading.harness._case`).
_FIXED = {"rnn_step": (1, 1), "rnn_forward": (1, 2), "rnn_backward": (1, 3), "gradient_norms": (1, 5),
          "lstm_step": (4, 6), "lstm_forward": (4, 7), "gru_step": (3, 8)}
_VISIBLE_X = ((0.3, -1.2, 2.0), (0.7, 0.1, -0.4))      # numerical_gradient's visible case


def _variant(hidden, variant):
    """The variant whose hidden case is graded (``variants.current()`` unless one is given); None for the
    visible case, which is the same for every student (the lab's text prints its sizes)."""
    if variant is not None:
        variant = variants.check_variant(variant)
    if not hidden:
        return None
    return variants.current() if variant is None else variant


def hidden_dims(variant, lab):
    """(batch, time, features, units) of ``lab``'s hidden case for ``variant``: four different numbers,
    batch 2–6, time 4–9, features 2–7, units 3–8. Variant 0 (a learner working alone, and the stored
    solutions) keeps the sizes the hidden case always had, (3, 6, 5, 6).

    >>> hidden_dims(0, "lab01"), hidden_dims(1, "lab01") == hidden_dims(1, "lab01")
    ((3, 6, 5, 6), True)
    """
    variant = variants.check_variant(variant)
    if variant == variants.DEFAULT_VARIANT:
        return _dims(True)
    if (lab, variant) not in _DIMS:
        r = variants.rng(variant, lab, "hidden-sizes")
        units = int(r.integers(3, 9))
        features = int(r.choice([n for n in range(2, 8) if n != units]))
        batch = int(r.choice([n for n in range(2, 7) if n not in (units, features)]))
        time = int(r.choice([n for n in range(4, 10) if n not in (units, features, batch)]))
        _DIMS[lab, variant] = (batch, time, features, units)
    return _DIMS[lab, variant]


_DIMS = {}


def hidden_case(task, variant):
    """``(params, x, h, c)`` of ``task``'s hidden case for ``variant``, drawn like the fixed case
    (:func:`~lstmcourse.grading.harness._case`) with the variant's sizes and its own generator;
    variant 0's is the fixed hidden case the checks always had."""
    gates, seed = _FIXED[task]
    variant = variants.check_variant(variant)
    if variant == variants.DEFAULT_VARIANT:
        return _case(gates, seed, reset_after=task == "gru_step", hidden=True)
    dims = hidden_dims(variant, LAB_OF[task])
    units = dims[3]
    rng = variants.rng(variant, LAB_OF[task], task)
    for _ in range(100):
        params, x, h, c = _draw_case(rng, gates, dims, reset_after=task == "gru_step")
        # drawn again (same generator) while a gate's first pre-activation has one sign only: there ReLU equals
        # the identity, and two mistakes would look the same
        z = x[:, 0] @ params["kernel"] + h @ params["recurrent_kernel"] + params["bias"].reshape(-1, gates * units).sum(0)
        if all(np.any(block > 0) and np.any(block < 0) for block in np.split(z, gates, axis=1)):
            break
    return params, x, h, c


def _gradient_shape(variant):
    """The shape of numerical_gradient's hidden ``x``: 3 axes of 2–4 entries ((3, 2, 2) for variant 0)."""
    if variant == variants.DEFAULT_VARIANT:
        return (3, 2, 2)
    if ("numerical_gradient", variant) not in _DIMS:
        r = variants.rng(variant, "lab02", "numerical_gradient-shape")
        _DIMS["numerical_gradient", variant] = tuple(int(n) for n in r.integers(2, 5, size=3))
    return _DIMS["numerical_gradient", variant]


def _inputs(task, variant):
    """What the check of ``task`` passes to the answer: the visible case for ``variant=None``, else that
    variant's hidden case. New arrays at every call."""
    if task == "numerical_gradient":
        if variant is None:
            return np.array(_VISIBLE_X)
        if variant == variants.DEFAULT_VARIANT:
            return np.random.default_rng(1010).normal(size=(3, 2, 2))
        return variants.rng(variant, "lab02", "numerical_gradient").normal(size=_gradient_shape(variant))
    gates, seed = _FIXED[task]
    if variant is None:
        params, x, h, c = _case(gates, seed, reset_after=task == "gru_step")
    else:
        params, x, h, c = hidden_case(task, variant)
    if task == "rnn_backward":  # the upstream gradient dL/dhs, (batch, time, units)
        shape = x.shape[:2] + params["recurrent_kernel"].shape[:1]
        if variant is None or variant == variants.DEFAULT_VARIANT:
            dhs = np.random.default_rng(4 + (0 if variant is None else 1000)).normal(size=shape)
        else:
            dhs = variants.rng(variant, "lab02", "rnn_backward-dhs").normal(size=shape)
        return params, x, h, dhs
    if task == "gradient_norms":
        params["recurrent_kernel"] *= 0.5
        return params, x
    return params, x, h, c


def _numerical_gradient_answer(x):
    return np.cos(x) * x ** 2 + 2 * x * np.sin(x)  # d/dx of Σ sin(x)·x²


def _answers(task, variant):
    """{what: array}: the correct answers of ``task`` on ``variant``'s hidden case (``None``: the visible
    case), remembered; what an answer hard-coded from that case returns."""
    if (task, variant) in _ANSWERS:
        return _ANSWERS[task, variant]
    inputs = _inputs(task, variant)
    if task == "numerical_gradient":
        out = {"the gradient": _numerical_gradient_answer(inputs)}
    elif task == "gradient_norms":
        params, x = inputs
        last = np.zeros(x.shape[:2] + params["recurrent_kernel"].shape[:1])
        last[:, -1] = 1.0
        out = {"the norms": np.mean(np.linalg.norm(_state_gradients(x, params, last), axis=-1), axis=0)}
    elif task == "rnn_backward":
        params, x, h0, dhs = inputs
        dx, dh0, grads = _rnn_backward_variant(dhs, x, h0, _rnn_forward_variant(x, h0, params), params)
        out = {"dx": dx, "dh0": dh0, **{f"grads[{k!r}]": v for k, v in grads.items()}}
    else:
        params, x, h, c = inputs
        out = {"rnn_step": lambda: {"h_t": _rnn_step_variant(x[:, 0], h, params)},
               "rnn_forward": lambda: {"hs": _rnn_forward_variant(x, h, params)},
               "lstm_step": lambda: dict(zip(("h_t", "c_t"), _lstm_step_variant(x[:, 0], h, c, params))),
               "lstm_forward": lambda: {"hs": _lstm_forward_variant(x, h, c, params)},
               "gru_step": lambda: {"h_t": _gru_step_variant(x[:, 0], h, params)}}[task]()
    _ANSWERS[task, variant] = out
    return out


_ANSWERS = {}


def _answer_shape(task, what, variant):
    """The shape of ``what`` in ``variant``'s hidden case of ``task``, from its sizes alone (cheap)."""
    if task == "numerical_gradient":
        return _gradient_shape(variant)
    b, t, f, u = hidden_dims(variant, LAB_OF[task])
    return {"h_t": (b, u), "c_t": (b, u), "dh0": (b, u), "hs": (b, t, u), "dx": (b, t, f), "the norms": (t,),
            "grads['kernel']": (f, u), "grads['recurrent_kernel']": (u, u), "grads['bias']": (u,)}[what]


def _copied(task, value, what, expected, variant):
    """On the hidden case (``variant`` not None): fail when ``value``, not the answer, is the answer of
    the visible case or of another variant's hidden case, returned whatever the inputs (hard-coded)."""
    if variant is None:
        return
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - not an array of numbers: the shape and type checks say so
        return
    if got.ndim == 0 or not np.all(np.isfinite(got)) or (got.shape == np.shape(expected) and _close(got, expected)):
        return
    visible = _answers(task, None)[what]
    if got.shape == visible.shape and np.all(np.abs(got - visible) <= 1e-9 + 1e-7 * np.abs(visible)):
        raise AssertionError(gettext(
            "{name}: {what} is the answer of the visible case (the check without hidden=True), returned whatever the "
            "inputs: it is hard-coded. Compute it from the arguments.").format(name=task, what=gettext(what)))
    candidates = [v for v in range(variants.N_VARIANTS) if _answer_shape(task, what, v) == got.shape]
    other = variants.owner(got, lambda v: _answers(task, v)[what], variant, candidates)
    if other is not None:
        raise AssertionError(gettext(
            "{name}: {what} is variant {other}'s answer, not yours (variant {variant}): it was copied or hard-coded "
            "from another notebook. Compute it from the arguments.").format(name=task, what=gettext(what),
                                                                              other=other, variant=variant))
