"""Sampling the next token from a model's scores, with a temperature, reproducibly.

A language model outputs one score (logit) per token of the vocabulary; generating
text means turning them into probabilities and drawing one token, step after step::

    p_k = exp(z_k / T) / Σ_j exp(z_j / T)       T = temperature

``T = 1`` samples from the model's own distribution, ``T < 1`` sharpens it (safer,
more repetitive), ``T > 1`` flattens it (more varied, more mistakes), and ``T → 0``
always picks the most likely token (greedy decoding, ``argmax``).

Everything here is NumPy: the draws come from a ``numpy.random.Generator``, so a seed
makes a whole generated sequence reproducible, independently of Keras's random state.

Example:

>>> import numpy as np
>>> from lstmcourse.generation import sample, temperature_probabilities
>>> logits = np.array([[2.0, 1.0, 0.0]])              # (batch, vocab)
>>> temperature_probabilities(logits, 1.0).round(3)   # softmax
array([[0.665, 0.245, 0.09 ]])
>>> temperature_probabilities(logits, 0.0)            # T -> 0: all mass on the argmax
array([[1., 0., 0.]])
>>> rng = np.random.default_rng(0)
>>> sample(np.zeros((6, 3)), temperature=1.0, seed=rng)   # six draws from a uniform
array([1, 0, 0, 0, 2, 2])
>>> sample(logits, temperature=0.0)                   # greedy: no randomness at all
array([0])
"""
import numbers

import numpy as np

__all__ = ["temperature_probabilities", "sample"]


def _check_temperature(temperature):
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise TypeError(
            "`temperature` must be a non-negative number (0 = always the most likely token). "
            f"Received: temperature={temperature!r} of type {type(temperature).__name__}"
        )
    if not np.isfinite(temperature) or temperature < 0:
        raise ValueError(
            "`temperature` must be a finite number >= 0 (0 = always the most likely token, "
            f"1 = the model's own distribution). Received: temperature={temperature}"
        )
    return float(temperature)


def _check_logits(logits):
    logits = np.asarray(logits, dtype="float64")
    if logits.ndim not in (1, 2) or logits.shape[-1] == 0:
        raise ValueError(
            "`logits` must have shape (vocab,) or (batch, vocab), one score per token. "
            f"Received: logits.shape={logits.shape}"
        )
    if np.isnan(logits).any() or np.isposinf(logits).any():
        raise ValueError(
            "`logits` must not contain NaN or +inf (use -inf to forbid a token). "
            f"Received: logits with {int(np.isnan(logits).sum())} NaN and "
            f"{int(np.isposinf(logits).sum())} +inf values"
        )
    if np.isneginf(logits).all(axis=-1).any():
        raise ValueError("`logits`: every token of a row is -inf, so no token can be drawn. "
                         f"Received: logits.shape={logits.shape}")
    return logits


def _rng(seed):
    if seed is None or isinstance(seed, (numbers.Integral, np.random.SeedSequence)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    raise TypeError(
        "`seed` must be an integer, a numpy.random.Generator (advanced by each call, so that "
        f"successive steps differ) or None. Received: seed={seed!r} of type {type(seed).__name__}"
    )


def temperature_probabilities(logits, temperature=1.0):
    """Probabilities ``softmax(logits / temperature)`` along the last axis, in float64.

    Args:
        logits: Scores of shape (vocab,) or (batch, vocab) (NumPy array or tensor).
            ``-inf`` forbids a token.
        temperature: A number >= 0. ``0`` puts all the probability on the most likely
            token (the first one if several tie). Default: 1.0.

    Returns:
        A float64 array of the shape of ``logits`` whose rows sum to 1.

    >>> temperature_probabilities([0.0, 1.0], temperature=1e6).round(3)   # T large: uniform
    array([0.5, 0.5])
    """
    temperature = _check_temperature(temperature)
    logits = _check_logits(logits)
    if temperature == 0.0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    z = z - np.max(z, axis=-1, keepdims=True)       # exp never overflows; -inf stays -inf
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def sample(logits, temperature=1.0, seed=None):
    """Draw one token per row from ``softmax(logits / temperature)``.

    Args:
        logits: Scores of shape (vocab,) or (batch, vocab) (NumPy array or tensor).
        temperature: A number >= 0; ``0`` returns the argmax (greedy decoding) and
            draws nothing. Default: 1.0.
        seed: An integer (a fresh generator: the same seed gives the same tokens), a
            ``numpy.random.Generator`` (advanced by the call: pass the same generator at
            every step of a generation loop, and seed it once), or None (unseeded).

    Returns:
        int64 token ids: a scalar for logits of shape (vocab,), else shape (batch,).

    >>> sample([[0.0, 5.0, 0.0]], temperature=0.0)
    array([1])
    >>> bool((sample(np.zeros((4, 10)), seed=1) == sample(np.zeros((4, 10)), seed=1)).all())
    True
    """
    rng = _rng(seed)
    probabilities = temperature_probabilities(logits, temperature)
    single = probabilities.ndim == 1
    probabilities = np.atleast_2d(probabilities)
    if temperature == 0.0:
        tokens = np.argmax(probabilities, axis=-1)
    else:
        # Inverse CDF: the first token whose cumulative probability exceeds u ~ U[0, 1).
        cdf = np.cumsum(probabilities, axis=-1)
        u = rng.random((len(probabilities), 1)) * cdf[:, -1:]
        tokens = np.argmax(u < cdf, axis=-1)
    tokens = tokens.astype("int64")
    return tokens[0] if single else tokens
