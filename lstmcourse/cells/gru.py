"""The GRU cell (Cho et al. 2014), both formulations, in ``keras.ops``."""
import keras
from keras import ops

from lstmcourse.cells._base import RecurrentCellBase


@keras.saving.register_keras_serializable(package="lstmcourse")
class GRUCell(RecurrentCellBase):
    """One step of a GRU, exactly as ``keras.layers.GRUCell`` computes it.

    Gate order in the weights: **z, r, h** (update, reset, candidate). The new state
    mixes the old state and the candidate: ``h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃_t``.

    ``reset_after=True`` (Keras's default, the form cuDNN implements)::

        z = σ(x·W_z + b_z + h_{t-1}·U_z + b'_z)
        r = σ(x·W_r + b_r + h_{t-1}·U_r + b'_r)
        h̃ = tanh(x·W_h + b_h + r ⊙ (h_{t-1}·U_h + b'_h))    reset after the matmul

      bias has shape (2, 3·units): row 0 the input bias b, row 1 the recurrent bias b'.

    ``reset_after=False`` (the original Cho et al. form)::

        z = σ(x·W_z + b_z + h_{t-1}·U_z)
        r = σ(x·W_r + b_r + h_{t-1}·U_r)
        h̃ = tanh(x·W_h + b_h + (r ⊙ h_{t-1})·U_h)           reset before the matmul

      bias has shape (3·units,).

    ``kernel`` is (features, 3·units), ``recurrent_kernel`` (units, 3·units).

    Args:
        units: Positive integer, size of the state ``h``.
        activation: Activation of the candidate. Default: ``"tanh"``.
        recurrent_activation: Activation of the gates. Default: ``"sigmoid"``.
        use_bias: Whether to use biases. Default: ``True``.
        reset_after: Which formulation (see above). Default: ``True``.
        kernel_initializer, recurrent_initializer, bias_initializer: Default
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: Default ``None``.
        dropout: Fraction of the inputs to drop, in [0, 1). Default: 0.
        recurrent_dropout: Fraction of ``h_{t-1}`` to drop, in [0, 1). Default: 0.
        seed: Random seed for the dropout masks. Default: ``None``.
        implementation: ``2`` (default): one fused matrix product for all gates;
            ``1``: one product per gate. Same numbers up to rounding; accepted so the
            cell is a drop-in for Keras's cell. Recurrent dropout forces ``1``, as in Keras.

    Example:

    >>> import numpy as np, keras
    >>> from lstmcourse.cells import GRUCell
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    >>> ours = keras.layers.RNN(GRUCell(4, reset_after=False))
    >>> builtin = keras.layers.GRU(4, reset_after=False)
    >>> _ = ours(x), builtin(x)
    >>> [w.shape for w in ours.get_weights()]            # 3 gate blocks of 4 units
    [(3, 12), (4, 12), (12,)]
    >>> builtin.set_weights(ours.get_weights())
    >>> float(np.max(np.abs(ours(x) - builtin(x))))
    0.0
    """

    GATES = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after = bool(reset_after)
        self.state_size = self.units

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_recurrent_weights(input_shape, bias_shape=bias_shape)

    def step(self, inputs, states, training=False):
        self._check_inputs(inputs)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states  # (batch, units)
        dp_mask, rec_dp_mask = self._masks(inputs, h_prev, training)
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            if self.reset_after:
                input_bias, recurrent_bias = (ops.squeeze(b, axis=0) for b in ops.split(self.bias, 2, axis=0))
            else:
                input_bias = self.bias

        if self.implementation == 2:
            if dp_mask is not None:
                inputs = inputs * dp_mask
            matrix_x = ops.matmul(inputs, self.kernel)                   # (batch, 3·units)
            if input_bias is not None:
                matrix_x = ops.add(matrix_x, input_bias)                 # bias_add, as in Keras
            x_z, x_r, x_h = ops.split(matrix_x, 3, axis=-1)
            if self.reset_after:
                matrix_inner = ops.matmul(h_prev, self.recurrent_kernel)  # (batch, 3·units)
                if recurrent_bias is not None:
                    matrix_inner += recurrent_bias
            else:
                matrix_inner = ops.matmul(h_prev, self.recurrent_kernel[:, : 2 * u])
            rec_z, rec_r = matrix_inner[:, :u], matrix_inner[:, u: 2 * u]
            z = self.recurrent_activation(x_z + rec_z)
            r = self.recurrent_activation(x_r + rec_r)
            if self.reset_after:
                rec_h = r * matrix_inner[:, 2 * u:]
            else:
                rec_h = ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * u:])
        else:  # recurrent dropout: one mask per gate (Keras's implementation 1)
            x_parts = [inputs * m for m in dp_mask] if dp_mask is not None else [inputs] * 3
            h_z, h_r, h_h = [h_prev * m for m in rec_dp_mask] if rec_dp_mask is not None else [h_prev] * 3
            x_z, x_r, x_h = (ops.matmul(x_g, self.kernel[:, g * u:(g + 1) * u]) for g, x_g in enumerate(x_parts))
            if input_bias is not None:
                x_z, x_r, x_h = x_z + input_bias[:u], x_r + input_bias[u: 2 * u], x_h + input_bias[2 * u:]
            rec_z = ops.matmul(h_z, self.recurrent_kernel[:, :u])
            rec_r = ops.matmul(h_r, self.recurrent_kernel[:, u: 2 * u])
            if self.reset_after and recurrent_bias is not None:
                rec_z, rec_r = rec_z + recurrent_bias[:u], rec_r + recurrent_bias[u: 2 * u]
            z = self.recurrent_activation(x_z + rec_z)
            r = self.recurrent_activation(x_r + rec_r)
            if self.reset_after:
                rec_h = ops.matmul(h_h, self.recurrent_kernel[:, 2 * u:])
                if recurrent_bias is not None:
                    rec_h += recurrent_bias[2 * u:]
                rec_h = r * rec_h
            else:
                rec_h = ops.matmul(r * h_h, self.recurrent_kernel[:, 2 * u:])

        candidate = self.activation(x_h + rec_h)
        h = z * h_prev + (1 - z) * candidate
        new_states = [h] if isinstance(states, (list, tuple)) else h
        return h, new_states, {"update_gate": z, "reset_gate": r, "candidate": candidate, "h": h}

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}
