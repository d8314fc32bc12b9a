"""Activations and their derivatives, written in terms of the activation's output."""
import numpy as np


def sigmoid(a):
    """σ(a) = 1 / (1 + e^{−a}), computed without overflow for large |a|."""
    out = np.empty_like(a, dtype=np.result_type(a, np.float32))
    positive = a >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-a[positive]))
    exp_a = np.exp(a[~positive])
    out[~positive] = exp_a / (1.0 + exp_a)
    return out


def dsigmoid_from_output(s):
    """σ'(a) = σ(a)·(1 − σ(a)), given s = σ(a)."""
    return s * (1.0 - s)


def dtanh_from_output(t):
    """tanh'(a) = 1 − tanh(a)², given t = tanh(a)."""
    return 1.0 - t**2
