"""Input checks for the NumPy reference: clear messages that echo what was received."""
import numpy as np


def as_float_array(name, value, ndim):
    """Convert ``value`` to a floating NumPy array of rank ``ndim`` or raise."""
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(
            f"`{name}` must hold floating-point numbers. Received: {name}.dtype={arr.dtype}"
        )
    if arr.ndim != ndim:
        raise ValueError(
            f"`{name}` must have rank {ndim}. Received: {name}.shape={arr.shape}"
        )
    return arr


def get_param(params, key, shape):
    """Fetch ``params[key]`` and check its shape (None in ``shape`` matches anything)."""
    if not isinstance(params, dict):
        raise TypeError(
            f"`params` must be a dict with keys 'kernel', 'recurrent_kernel' and 'bias'. "
            f"Received: params of type {type(params).__name__}"
        )
    if key not in params:
        raise ValueError(f"`params` has no {key!r}. Received: keys={sorted(params)}")
    arr = np.asarray(params[key])
    if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
        wanted = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(
            f"params[{key!r}] must have shape {wanted}. Received: params[{key!r}].shape={arr.shape}"
        )
    return arr


def initial_state(name, value, batch, units, dtype):
    """``value`` checked to be (batch, units), or zeros when it is None."""
    if value is None:
        return np.zeros((batch, units), dtype=dtype)
    value = as_float_array(name, value, 2)
    if value.shape != (batch, units):
        raise ValueError(f"`{name}` must have shape {(batch, units)}. Received: {name}.shape={value.shape}")
    return value


def gate_kernels(params, gates, name, order, features=None):
    """``(kernel, recurrent_kernel, units)`` of a gated cell with ``gates`` blocks, checked."""
    kernel = get_param(params, "kernel", (features, None))
    if kernel.shape[1] % gates:
        raise ValueError(
            f"The {name} kernel has {gates}·units columns (gates {order}). "
            f"Received: params['kernel'].shape={kernel.shape}"
        )
    units = kernel.shape[1] // gates
    recurrent_kernel = get_param(params, "recurrent_kernel", (units, gates * units))
    return kernel, recurrent_kernel, units
