"""The LSTM in NumPy: one step, a whole sequence, and backpropagation through time.

Keras's layout and gate order (i, f, c, o); row vectors:

    z   = x_t · W + h_{t-1} · U + b                     (batch, 4·units)
    i   = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
    c_t = f ⊙ c_{t-1} + i ⊙ g
    h_t = o ⊙ tanh(c_t)

BPTT, one step back, with ``dh`` the total gradient reaching h_t and ``dc`` the
gradient reaching c_t from step t+1:

    do        = dh ⊙ tanh(c_t)
    dc_total  = dc + dh ⊙ o ⊙ (1 − tanh²(c_t))
    di = dc_total ⊙ g      df = dc_total ⊙ c_{t-1}      dg = dc_total ⊙ i
    dc_{t-1}  = dc_total ⊙ f          ← the cell-state path: only a product of forget gates
    dz        = [di·σ', df·σ', dg·tanh', do·σ']         (batch, 4·units)
    ∂L/∂W += x_tᵀ·dz    ∂L/∂U += h_{t-1}ᵀ·dz    ∂L/∂b += Σ dz
    ∂L/∂x_t = dz·Wᵀ     dh_{t-1} = dz·Uᵀ (+ the loss's own ∂L/∂h_{t-1})
"""
import numpy as np

from lstmcourse.reference._activations import dsigmoid_from_output, dtanh_from_output, sigmoid
from lstmcourse.reference._arrays import as_float_array, gate_kernels, get_param, initial_state

GATE_NAMES = ("input_gate", "forget_gate", "candidate", "output_gate")


def _lstm_params(params, features=None):
    kernel, recurrent_kernel, units = gate_kernels(params, 4, "LSTM", "i, f, c, o", features)
    bias = get_param(params, "bias", (4 * units,)) if params.get("bias") is not None else None
    return kernel, recurrent_kernel, bias


def lstm_gates(x_t, h_prev, c_prev, params):
    """One LSTM step that also returns every gate: ``(h_t, c_t, gates)``.

    ``gates`` maps ``input_gate``, ``forget_gate``, ``candidate``, ``output_gate`` to
    (batch, units) arrays.
    """
    x_t = as_float_array("x_t", x_t, 2)
    h_prev = as_float_array("h_prev", h_prev, 2)
    c_prev = as_float_array("c_prev", c_prev, 2)
    kernel, recurrent_kernel, bias = _lstm_params(params, x_t.shape[1])
    z = x_t @ kernel + h_prev @ recurrent_kernel       # (batch, 4·units)
    if bias is not None:
        z = z + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)        # (batch, units) each
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c_t = f * c_prev + i * g
    h_t = o * np.tanh(c_t)
    return h_t, c_t, dict(zip(GATE_NAMES, (i, f, g, o)))


def lstm_step(x_t, h_prev, c_prev, params):
    """One LSTM step.

    Args:
        x_t: (batch, features). h_prev, c_prev: (batch, units).
        params: dict with ``kernel`` (features, 4·units), ``recurrent_kernel``
            (units, 4·units) and ``bias`` (4·units,), gate order i, f, c, o.

    Returns:
        ``(h_t, c_t)``, each (batch, units).
    """
    h_t, c_t, _ = lstm_gates(x_t, h_prev, c_prev, params)
    return h_t, c_t


def lstm_forward(x, h0, c0, params):
    """Run the LSTM over a sequence.

    Args:
        x: (batch, time, features). h0, c0: (batch, units) or None for zeros.
        params: as for :func:`lstm_step`.

    Returns:
        ``(hs, cache)`` with ``hs`` (batch, time, units). ``cache["cs"]`` holds the cell
        states and ``cache["gates"]`` every gate, each (batch, time, units).
    """
    x = as_float_array("x", x, 3)
    kernel, recurrent_kernel, bias = _lstm_params(params, x.shape[2])
    batch, time, _ = x.shape
    units = kernel.shape[1] // 4
    h = initial_state("h0", h0, batch, units, x.dtype)
    c = initial_state("c0", c0, batch, units, x.dtype)
    h0, c0 = h, c
    dtype = np.result_type(x, h, kernel)
    hs, cs = np.empty((batch, time, units), dtype), np.empty((batch, time, units), dtype)
    gates = {name: np.empty((batch, time, units), dtype) for name in GATE_NAMES}
    for t in range(time):
        h, c, step_gates = lstm_gates(x[:, t], h, c, params)
        hs[:, t], cs[:, t] = h, c
        for name, value in step_gates.items():
            gates[name][:, t] = value
    cache = {"x": x, "h0": h0, "c0": c0, "hs": hs, "cs": cs, "gates": gates,
             "kernel": kernel, "recurrent_kernel": recurrent_kernel, "has_bias": bias is not None}
    return hs, cache


def lstm_backward(dhs, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Args:
        dhs: (batch, time, units), the gradient of the loss with respect to each h_t.
        cache: from :func:`lstm_forward`.

    Returns:
        ``(dx, dh0, dc0, grads)`` with ``grads`` keyed like ``params``.
    """
    x, hs, cs, gates = cache["x"], cache["hs"], cache["cs"], cache["gates"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    dhs = as_float_array("dhs", dhs, 3)
    if dhs.shape != hs.shape:
        raise ValueError(f"`dhs` must have the shape of hs, {hs.shape}. Received: dhs.shape={dhs.shape}")
    dx = np.zeros(x.shape, hs.dtype)
    d_kernel, d_recurrent = np.zeros(kernel.shape, hs.dtype), np.zeros(recurrent_kernel.shape, hs.dtype)
    d_bias = np.zeros(kernel.shape[1], hs.dtype)
    dh_next = np.zeros(cache["h0"].shape, hs.dtype)  # from step t+1 into h_t
    dc_next = np.zeros(cache["c0"].shape, hs.dtype)  # from step t+1 into c_t
    for t in reversed(range(x.shape[1])):
        i, f, g, o = (gates[name][:, t] for name in GATE_NAMES)
        c_t = cs[:, t]
        c_prev = cs[:, t - 1] if t > 0 else cache["c0"]
        h_prev = hs[:, t - 1] if t > 0 else cache["h0"]
        tanh_c = np.tanh(c_t)

        dh = dhs[:, t] + dh_next
        do = dh * tanh_c
        dc = dc_next + dh * o * dtanh_from_output(tanh_c)
        di, df, dg = dc * g, dc * c_prev, dc * i
        dc_next = dc * f
        dz = np.concatenate([
            di * dsigmoid_from_output(i),
            df * dsigmoid_from_output(f),
            dg * dtanh_from_output(g),
            do * dsigmoid_from_output(o),
        ], axis=1)                                   # (batch, 4·units)
        d_kernel += x[:, t].T @ dz
        d_recurrent += h_prev.T @ dz
        d_bias += dz.sum(axis=0)
        dx[:, t] = dz @ kernel.T
        dh_next = dz @ recurrent_kernel.T
    grads = {"kernel": d_kernel, "recurrent_kernel": d_recurrent}
    if cache["has_bias"]:
        grads["bias"] = d_bias
    return dx, dh_next, dc_next, grads
