"""The tanh RNN in NumPy: one step, a whole sequence, and backpropagation through time.

Equations (Keras's layout; row vectors, so inputs multiply weights from the left):

    a_t = x_t · W + h_{t-1} · U + b          (batch, units)
    h_t = tanh(a_t)                          (batch, units)

BPTT walks back from the last step. With ``g_t`` the total gradient reaching h_t
(from the loss at step t plus from step t+1):

    da_t     = g_t ⊙ (1 − h_t²)              tanh'(a) = 1 − tanh(a)²
    ∂L/∂W   += x_tᵀ · da_t
    ∂L/∂U   += h_{t-1}ᵀ · da_t
    ∂L/∂b   += Σ_batch da_t
    ∂L/∂x_t  = da_t · Wᵀ
    g_{t-1}  = dhs_{t-1} + da_t · Uᵀ         the recurrence that vanishes or explodes
"""
import numpy as np

from lstmcourse.reference._arrays import as_float_array, get_param, initial_state


def _rnn_params(params, features=None):
    kernel = get_param(params, "kernel", (features, None))
    units = kernel.shape[1]
    recurrent_kernel = get_param(params, "recurrent_kernel", (units, units))
    bias = get_param(params, "bias", (units,)) if params.get("bias") is not None else None
    return kernel, recurrent_kernel, bias


def rnn_step(x_t, h_prev, params):
    """One step of the tanh RNN.

    Args:
        x_t: (batch, features) inputs at this step.
        h_prev: (batch, units) hidden state of the previous step.
        params: dict with ``kernel`` (features, units), ``recurrent_kernel``
            (units, units) and ``bias`` (units,) (``bias`` may be missing or None).

    Returns:
        h_t: (batch, units).

    >>> import numpy as np
    >>> params = {"kernel": np.eye(2), "recurrent_kernel": np.zeros((2, 2)), "bias": np.zeros(2)}
    >>> rnn_step(np.array([[0.0, 100.0]]), np.zeros((1, 2)), params)
    array([[0., 1.]])
    """
    x_t = as_float_array("x_t", x_t, 2)
    h_prev = as_float_array("h_prev", h_prev, 2)
    kernel, recurrent_kernel, bias = _rnn_params(params, x_t.shape[1])
    a_t = x_t @ kernel + h_prev @ recurrent_kernel  # (batch, units)
    if bias is not None:
        a_t = a_t + bias
    return np.tanh(a_t)


def rnn_forward(x, h0, params):
    """Run the tanh RNN over a whole sequence.

    Args:
        x: (batch, time, features) input sequence.
        h0: (batch, units) initial state, or None for zeros.
        params: as for :func:`rnn_step`.

    Returns:
        ``(hs, cache)``: ``hs`` is (batch, time, units), the state after every step;
        ``cache`` holds what :func:`rnn_backward` needs.
    """
    x = as_float_array("x", x, 3)
    kernel, recurrent_kernel, bias = _rnn_params(params, x.shape[2])
    batch, time, _ = x.shape
    units = kernel.shape[1]
    h0 = initial_state("h0", h0, batch, units, x.dtype)
    hs = np.empty((batch, time, units), dtype=np.result_type(x, h0, kernel))
    h = h0
    for t in range(time):
        h = rnn_step(x[:, t], h, params)
        hs[:, t] = h
    cache = {"x": x, "h0": h0, "hs": hs, "kernel": kernel,
             "recurrent_kernel": recurrent_kernel, "has_bias": bias is not None}
    return hs, cache


def rnn_backward(dhs, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    Args:
        dhs: (batch, time, units), ∂L/∂h_t for every t: the gradient that reaches each
            hidden state directly from the loss (zeros where the loss ignores h_t).
        cache: the second value returned by :func:`rnn_forward`.

    Returns:
        ``(dx, dh0, grads)``: ``dx`` (batch, time, features), ``dh0`` (batch, units) and
        ``grads``, a dict with the same keys and shapes as ``params``.
    """
    x, h0, hs = cache["x"], cache["h0"], cache["hs"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    dhs = as_float_array("dhs", dhs, 3)
    if dhs.shape != hs.shape:
        raise ValueError(f"`dhs` must have the shape of hs, {hs.shape}. Received: dhs.shape={dhs.shape}")
    time = x.shape[1]
    dx = np.zeros_like(x, dtype=hs.dtype)
    d_kernel = np.zeros_like(kernel, dtype=hs.dtype)
    d_recurrent = np.zeros_like(recurrent_kernel, dtype=hs.dtype)
    d_bias = np.zeros(kernel.shape[1], dtype=hs.dtype)
    dh_from_future = np.zeros_like(h0, dtype=hs.dtype)  # g_{t} minus the direct part
    for t in reversed(range(time)):
        h_t = hs[:, t]
        h_prev = hs[:, t - 1] if t > 0 else h0
        g_t = dhs[:, t] + dh_from_future   # total gradient reaching h_t
        da = g_t * (1.0 - h_t**2)          # through tanh
        d_kernel += x[:, t].T @ da
        d_recurrent += h_prev.T @ da
        d_bias += da.sum(axis=0)
        dx[:, t] = da @ kernel.T
        dh_from_future = da @ recurrent_kernel.T
    grads = {"kernel": d_kernel, "recurrent_kernel": d_recurrent}
    if cache["has_bias"]:
        grads["bias"] = d_bias
    return dx, dh_from_future, grads
