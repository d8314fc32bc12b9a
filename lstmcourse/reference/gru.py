"""The GRU in NumPy, both formulations, with backpropagation through time.

Keras's gate order z, r, h (update, reset, candidate); row vectors.

reset_after=True (Keras's default; bias (2, 3·units) = [input bias; recurrent bias]):

    [x_z, x_r, x_h] = x_t · W + b_in          [m_z, m_r, m_h] = h_{t-1} · U + b_rec
    z = σ(x_z + m_z)     r = σ(x_r + m_r)     h̃ = tanh(x_h + r ⊙ m_h)

reset_after=False (Cho et al. 2014; bias (3·units,)):

    [x_z, x_r, x_h] = x_t · W + b
    z = σ(x_z + h_{t-1}·U_z)   r = σ(x_r + h_{t-1}·U_r)   h̃ = tanh(x_h + (r ⊙ h_{t-1})·U_h)

Both:   h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃

BPTT, one step back, with ``dh`` the total gradient reaching h_t:

    dz = dh ⊙ (h_{t-1} − h̃)     dh̃ = dh ⊙ (1 − z)     dh_{t-1} = dh ⊙ z + (terms through U)
    da_h = dh̃ ⊙ (1 − h̃²)       da_z = dz ⊙ σ'       da_r = dr ⊙ σ'
    reset_after=True:  dr = da_h ⊙ m_h,  and m_h receives da_h ⊙ r
    reset_after=False: d(r⊙h) = da_h · U_hᵀ,  dr = d(r⊙h) ⊙ h_{t-1}
"""
import numpy as np

from lstmcourse.reference._activations import dsigmoid_from_output, dtanh_from_output, sigmoid
from lstmcourse.reference._arrays import as_float_array, gate_kernels, get_param, initial_state

GATE_NAMES = ("update_gate", "reset_gate", "candidate")


def _gru_params(params, reset_after, features=None):
    kernel, recurrent_kernel, units = gate_kernels(params, 3, "GRU", "z, r, h", features)
    bias_in = bias_rec = None
    if params.get("bias") is not None:
        if reset_after:
            bias = get_param(params, "bias", (2, 3 * units))
            bias_in, bias_rec = bias[0], bias[1]
        else:
            bias_in = get_param(params, "bias", (3 * units,))
    return kernel, recurrent_kernel, bias_in, bias_rec


def gru_gates(x_t, h_prev, params, reset_after=True):
    """One GRU step that also returns the gates and the pre-reset recurrent part.

    Returns ``(h_t, gates)`` where ``gates`` maps ``update_gate``, ``reset_gate``,
    ``candidate`` (and ``recurrent_candidate`` = h_{t-1}·U_h + b'_h when
    ``reset_after``) to (batch, units) arrays.
    """
    x_t = as_float_array("x_t", x_t, 2)
    h_prev = as_float_array("h_prev", h_prev, 2)
    kernel, recurrent_kernel, bias_in, bias_rec = _gru_params(params, reset_after, x_t.shape[1])
    units = recurrent_kernel.shape[0]
    x_proj = x_t @ kernel                               # (batch, 3·units)
    if bias_in is not None:
        x_proj = x_proj + bias_in
    x_z, x_r, x_h = np.split(x_proj, 3, axis=1)
    gates = {}
    if reset_after:
        m = h_prev @ recurrent_kernel                   # (batch, 3·units)
        if bias_rec is not None:
            m = m + bias_rec
        m_z, m_r, m_h = np.split(m, 3, axis=1)
        z, r = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
        candidate = np.tanh(x_h + r * m_h)
        gates["recurrent_candidate"] = m_h
    else:
        m_zr = h_prev @ recurrent_kernel[:, : 2 * units]
        z = sigmoid(x_z + m_zr[:, :units])
        r = sigmoid(x_r + m_zr[:, units:])
        candidate = np.tanh(x_h + (r * h_prev) @ recurrent_kernel[:, 2 * units:])
    h_t = z * h_prev + (1.0 - z) * candidate
    gates.update(update_gate=z, reset_gate=r, candidate=candidate)
    return h_t, gates


def gru_step(x_t, h_prev, params, reset_after=True):
    """One GRU step: returns h_t (batch, units). See the module docstring."""
    return gru_gates(x_t, h_prev, params, reset_after)[0]


def gru_forward(x, h0, params, reset_after=True):
    """Run the GRU over a sequence: returns ``(hs, cache)``, ``hs`` (batch, time, units)."""
    x = as_float_array("x", x, 3)
    kernel, recurrent_kernel, bias_in, _ = _gru_params(params, reset_after, x.shape[2])
    batch, time, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = h0 = initial_state("h0", h0, batch, units, x.dtype)
    dtype = np.result_type(x, h, kernel)
    hs = np.empty((batch, time, units), dtype)
    steps = []
    for t in range(time):
        h, gates = gru_gates(x[:, t], h, params, reset_after)
        hs[:, t] = h
        steps.append(gates)
    gates = {name: np.stack([g[name] for g in steps], axis=1) for name in steps[0]} if steps else {}
    cache = {"x": x, "h0": h0, "hs": hs, "gates": gates, "kernel": kernel,
             "recurrent_kernel": recurrent_kernel, "has_bias": bias_in is not None,
             "reset_after": reset_after}
    return hs, cache


def gru_backward(dhs, cache):
    """Backpropagation through time for :func:`gru_forward`: ``(dx, dh0, grads)``."""
    x, hs, gates = cache["x"], cache["hs"], cache["gates"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    reset_after, units = cache["reset_after"], recurrent_kernel.shape[0]
    dhs = as_float_array("dhs", dhs, 3)
    if dhs.shape != hs.shape:
        raise ValueError(f"`dhs` must have the shape of hs, {hs.shape}. Received: dhs.shape={dhs.shape}")
    dx = np.zeros(x.shape, hs.dtype)
    d_kernel, d_recurrent = np.zeros(kernel.shape, hs.dtype), np.zeros(recurrent_kernel.shape, hs.dtype)
    d_bias_in, d_bias_rec = np.zeros(3 * units, hs.dtype), np.zeros(3 * units, hs.dtype)
    dh_next = np.zeros(cache["h0"].shape, hs.dtype)
    U_h = recurrent_kernel[:, 2 * units:]
    for t in reversed(range(x.shape[1])):
        z, r, cand = (gates[name][:, t] for name in GATE_NAMES)
        h_prev = hs[:, t - 1] if t > 0 else cache["h0"]
        dh = dhs[:, t] + dh_next

        dz = dh * (h_prev - cand)
        dcand = dh * (1.0 - z)
        dh_prev = dh * z                                   # the direct, gated path
        da_h = dcand * dtanh_from_output(cand)
        if reset_after:
            m_h = gates["recurrent_candidate"][:, t]
            dr = da_h * m_h
            dm_h = da_h * r
        else:
            d_rh = da_h @ U_h.T                            # gradient reaching r ⊙ h_{t-1}
            dr = d_rh * h_prev
            dh_prev = dh_prev + d_rh * r
            d_recurrent[:, 2 * units:] += (r * h_prev).T @ da_h
        da_z = dz * dsigmoid_from_output(z)
        da_r = dr * dsigmoid_from_output(r)

        dx_proj = np.concatenate([da_z, da_r, da_h], axis=1)   # (batch, 3·units)
        d_kernel += x[:, t].T @ dx_proj
        d_bias_in += dx_proj.sum(axis=0)
        dx[:, t] = dx_proj @ kernel.T
        if reset_after:
            dm = np.concatenate([da_z, da_r, dm_h], axis=1)    # into h_{t-1}·U + b_rec
            d_recurrent += h_prev.T @ dm
            d_bias_rec += dm.sum(axis=0)
            dh_prev = dh_prev + dm @ recurrent_kernel.T
        else:
            dm_zr = np.concatenate([da_z, da_r], axis=1)
            d_recurrent[:, : 2 * units] += h_prev.T @ dm_zr
            dh_prev = dh_prev + dm_zr @ recurrent_kernel[:, : 2 * units].T
        dh_next = dh_prev
    grads = {"kernel": d_kernel, "recurrent_kernel": d_recurrent}
    if cache["has_bias"]:
        grads["bias"] = np.stack([d_bias_in, d_bias_rec]) if reset_after else d_bias_in
    return dx, dh_next, grads
