"""Finite-difference gradients: the trusted twin of every hand-written backward pass."""
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` with respect to ``x``.

    ``x`` is a float array that ``f`` reads; it is perturbed in place, one entry at a
    time, and restored. Use float64: in float32 the rounding error of ``f`` swamps the
    difference quotient.

    Args:
        f: Callable with no arguments returning a float (the loss).
        x: NumPy float array, modified in place during the call.
        eps: Step size. Default: 1e-6.

    Returns:
        An array shaped like ``x`` with ∂f/∂x.

    >>> import numpy as np
    >>> w = np.array([1.0, -2.0])
    >>> np.round(numerical_gradient(lambda: float(np.sum(w ** 2)), w), 6)
    array([ 2., -4.])
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            "`x` must be a NumPy float array that `f` reads (it is perturbed in place). "
            f"Received: x of type {type(x).__name__}"
        )
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + eps
        f_plus = f()
        flat_x[i] = saved - eps
        f_minus = f()
        flat_x[i] = saved
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """``‖a − b‖ / (‖a‖ + ‖b‖)``: 0 when equal, about 1 when unrelated, 0 for two zeros."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradient_check(f, x, analytic, eps=1e-6):
    """Relative error between an analytic gradient and finite differences.

    Returns a float; below about 1e-7 in float64 means the analytic gradient is right.

    >>> import numpy as np
    >>> w = np.array([0.5, 1.5])
    >>> gradient_check(lambda: float(np.sum(np.sin(w))), w, np.cos(w)) < 1e-9
    True
    """
    analytic = np.asarray(analytic)
    if analytic.shape != x.shape:
        raise ValueError(
            f"`analytic` must have the shape of `x`, {x.shape}. Received: analytic.shape={analytic.shape}"
        )
    return relative_error(analytic, numerical_gradient(f, x, eps))
