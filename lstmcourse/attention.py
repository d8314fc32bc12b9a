"""Additive (Bahdanau) attention, as a small Keras layer written with ``keras.ops``.

An encoder reads the input into one vector per position, ``v_1 … v_T`` (the *values*).
Instead of squeezing them into its final state, a decoder looks back at all of them at
every output step: with its current state ``q`` (the *query*) it scores each position,
turns the scores into weights that sum to 1, and reads their weighted average, the
*context* (Bahdanau, Cho & Bengio 2015)::

    e_j = wᵀ · tanh(W_q·q + W_v·v_j + b)       one score per input position j
    a_j = exp(e_j) / Σ_k exp(e_k)              attention weights, Σ_j a_j = 1
    context = Σ_j a_j · v_j                    a (value_dim,) summary for this step

Padded input positions get a weight of exactly 0 when a ``value_mask`` is given (or
when ``value`` carries a Keras mask, e.g. from ``Embedding(mask_zero=True)``).
"""
import numbers

import keras
from keras import ops

__all__ = ["AdditiveAttention"]


@keras.saving.register_keras_serializable(package="lstmcourse")
class AdditiveAttention(keras.layers.Layer):
    """Additive (Bahdanau) attention: score every value position, average the values.

    For a query ``q`` (batch, query_dim), or a sequence of queries (batch, Tq, query_dim)
    such as a decoder's outputs under teacher forcing, and values ``v`` (batch, Tv,
    value_dim) such as an encoder's outputs::

        e = tanh(q·W_q + v·W_v + b)·w        (batch, [Tq,] Tv)      scores
        a = softmax(e) over Tv               (batch, [Tq,] Tv)      weights, rows sum to 1
        context = a·v                        (batch, [Tq,] value_dim)

    Weights: ``query_kernel`` W_q (query_dim, units), ``value_kernel`` W_v (value_dim,
    units), ``bias`` b (units,) and ``score_kernel`` w (units,). (Keras's built-in
    ``keras.layers.AdditiveAttention`` has no W_q and W_v: it adds query and key
    directly and needs them of the same size.)

    Args:
        units: Positive integer, size of the hidden layer that scores a
            (query, value) pair.
        kernel_initializer: Initialiser of W_q, W_v and w. Default: ``"glorot_uniform"``.

    Call arguments:
        query: (batch, query_dim) or (batch, Tq, query_dim).
        value: (batch, Tv, value_dim).
        value_mask: Optional boolean (batch, Tv), True where ``value`` is real input.
            Positions where it is False get weight 0. Taken from ``value``'s Keras mask
            when not given. A row with no True position gets all-zero weights.

    Returns:
        ``(context, weights)``: (batch, [Tq,] value_dim) and (batch, [Tq,] Tv).

    Example:

    >>> import numpy as np
    >>> from lstmcourse.attention import AdditiveAttention
    >>> rng = np.random.default_rng(0)
    >>> query = rng.normal(size=(2, 8)).astype("float32")         # one decoder state
    >>> value = rng.normal(size=(2, 5, 6)).astype("float32")      # 5 encoder outputs
    >>> mask = np.array([[True] * 5, [True] * 3 + [False] * 2])   # 2nd input: length 3
    >>> context, weights = AdditiveAttention(units=4)(query, value, value_mask=mask)
    >>> tuple(context.shape), tuple(weights.shape)
    ((2, 6), (2, 5))
    >>> np.asarray(weights).sum(axis=-1).round(6)                 # each row sums to 1
    array([1., 1.], dtype=float32)
    >>> np.asarray(weights)[1, 3:]                                # padding: weight 0
    array([0., 0.], dtype=float32)
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", **kwargs):
        if isinstance(units, bool) or not isinstance(units, numbers.Integral):
            raise TypeError(
                "AdditiveAttention: `units` must be a positive integer (the size of the "
                f"scoring layer). Received: units={units!r} of type {type(units).__name__}"
            )
        if units <= 0:
            raise ValueError(
                "AdditiveAttention: `units` must be a positive integer (the size of the "
                f"scoring layer). Received: units={units}"
            )
        super().__init__(**kwargs)
        self.units = int(units)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, query_shape, value_shape):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        if len(query_shape) not in (2, 3) or query_shape[-1] is None:
            raise ValueError(
                "AdditiveAttention: `query` must have shape (batch, query_dim) or "
                f"(batch, Tq, query_dim) with a known query_dim. Received: query.shape={query_shape}"
            )
        if len(value_shape) != 3 or value_shape[-1] is None:
            raise ValueError(
                "AdditiveAttention: `value` must have shape (batch, Tv, value_dim) with a "
                f"known value_dim. Received: value.shape={value_shape}"
            )
        self.query_kernel = self.add_weight(
            shape=(query_shape[-1], self.units), name="query_kernel", initializer=self.kernel_initializer)
        self.value_kernel = self.add_weight(
            shape=(value_shape[-1], self.units), name="value_kernel", initializer=self.kernel_initializer)
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")
        # w as a (units, 1) matrix, so that scores = tanh(...)·w is one matmul
        self.score_kernel = self.add_weight(
            shape=(self.units, 1), name="score_kernel", initializer=self.kernel_initializer)

    def call(self, query, value, value_mask=None):
        single = len(query.shape) == 2
        if single:
            query = ops.expand_dims(query, 1)                          # (batch, 1, query_dim)
        if len(value.shape) != 3:
            raise ValueError(
                "AdditiveAttention: `value` must have shape (batch, Tv, value_dim). "
                f"Received: value.shape={tuple(value.shape)}")
        q = ops.matmul(query, self.query_kernel)                       # (batch, Tq, units)
        v = ops.add(ops.matmul(value, self.value_kernel), self.bias)   # (batch, Tv, units)
        hidden = ops.tanh(q[:, :, None, :] + v[:, None, :, :])         # (batch, Tq, Tv, units)
        scores = ops.squeeze(ops.matmul(hidden, self.score_kernel), -1)   # (batch, Tq, Tv)
        if value_mask is not None:
            mask_shape = tuple(value_mask.shape)
            if len(mask_shape) != 2 or any(
                    m is not None and s is not None and m != s for m, s in zip(mask_shape, value.shape[:2])):
                raise ValueError(
                    "AdditiveAttention: `value_mask` must have shape (batch, Tv), the first two "
                    f"axes of `value` {tuple(value.shape)}. Received: value_mask.shape={mask_shape}")
            keep = ops.cast(value_mask, "bool")[:, None, :]              # (batch, 1, Tv)
            scores = ops.where(keep, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)                          # Σ over Tv = 1
        if value_mask is not None:
            weights = weights * ops.cast(keep, weights.dtype)          # exact zeros (all-masked rows too)
        context = ops.matmul(weights, value)                           # (batch, Tq, value_dim)
        if single:
            context, weights = ops.squeeze(context, 1), ops.squeeze(weights, 1)
        return context, weights

    def get_config(self):
        config = {"units": self.units, "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
        return {**super().get_config(), **config}
