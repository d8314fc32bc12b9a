"""The LSTM cell (Hochreiter & Schmidhuber 1997, with a forget gate), in ``keras.ops``."""
import keras
from keras import initializers, ops

from lstmcourse.cells._base import RecurrentCellBase


@keras.saving.register_keras_serializable(package="lstmcourse")
class LSTMCell(RecurrentCellBase):
    """One step of an LSTM, exactly as ``keras.layers.LSTMCell`` computes it.

    With ``z = x_t·W + h_{t-1}·U + b`` of shape (batch, 4·units) split into four
    (batch, units) blocks in Keras's gate order **i, f, c, o**::

        i_t = σ(z_i)                      input gate: how much new content to write
        f_t = σ(z_f)                      forget gate: how much of c_{t-1} to keep
        c̃_t = tanh(z_c)                   candidate content
        o_t = σ(z_o)                      output gate: how much of the cell to show
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t    the cell state, an additive "conveyor belt"
        h_t = o_t ⊙ tanh(c_t)

    Weights (Keras layout): ``kernel`` (features, 4·units), ``recurrent_kernel``
    (units, 4·units), ``bias`` (4·units,). States are ``[h, c]``.

    With ``peephole=True`` the gates also look at the cell state (Gers & Schmidhuber
    2000): ``i = σ(z_i + p_i ⊙ c_{t-1})``, ``f = σ(z_f + p_f ⊙ c_{t-1})``,
    ``o = σ(z_o + p_o ⊙ c_t)``, with an extra weight ``peephole_kernel`` of shape
    (3, units) (rows i, f, o; initialised to zeros). That cell has four weights, so it
    is **not** weight-compatible with ``keras.layers.LSTM``.

    Args:
        units: Positive integer, size of ``h`` and ``c``.
        activation: Activation of the candidate and of the cell output.
            Default: ``"tanh"``.
        recurrent_activation: Activation of the gates. Default: ``"sigmoid"``.
        use_bias: Whether the gates have a bias. Default: ``True``.
        unit_forget_bias: If True (default), the forget-gate slice of the bias
            starts at 1 (Jozefowicz et al. 2015), so the cell remembers by default.
        peephole: Add peephole connections (see above). Default: ``False``.
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

    Example: train with the course cell, deploy with the fast built-in layer (cuDNN on a
    GPU) by copying the weights, and back again.

    >>> import numpy as np, keras
    >>> from lstmcourse.cells import LSTMCell
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    >>> ours = keras.layers.RNN(LSTMCell(4), return_sequences=True)
    >>> tuple(ours(x).shape)                             # (batch, time, units)
    (2, 5, 4)
    >>> [w.shape for w in ours.get_weights()]            # 4 gate blocks of 4 units
    [(3, 16), (4, 16), (16,)]
    >>> builtin = keras.layers.LSTM(4, return_sequences=True)
    >>> _ = builtin(x)
    >>> builtin.set_weights(ours.get_weights())          # course cell -> built-in
    >>> float(np.max(np.abs(ours(x) - builtin(x))))
    0.0
    >>> ours.set_weights(builtin.get_weights())          # and back
    """

    GATES = 4

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        unit_forget_bias=True,
        peephole=False,
        **kwargs,
    ):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.peephole = bool(peephole)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        bias_initializer = None
        if self.use_bias and self.unit_forget_bias:
            def bias_initializer(_, *args, **kwargs):  # [b_i, ones (forget), b_c, b_o]
                return ops.concatenate([
                    self.bias_initializer((self.units,), *args, **kwargs),
                    initializers.get("ones")((self.units,), *args, **kwargs),
                    self.bias_initializer((self.units * 2,), *args, **kwargs),
                ])
        self._add_recurrent_weights(input_shape, bias_initializer=bias_initializer)
        if self.peephole:
            self.peephole_kernel = self.add_weight(
                shape=(3, self.units), name="peephole_kernel", initializer="zeros"
            )

    def step(self, inputs, states, training=False):
        self._check_inputs(inputs)
        h_prev, c_prev = states[0], states[1]  # (batch, units) each
        dp_mask, rec_dp_mask = self._masks(inputs, h_prev, training)
        act, gate_act = self.activation, self.recurrent_activation

        if self.implementation == 2:
            if dp_mask is not None:
                inputs = inputs * dp_mask
            z = ops.matmul(inputs, self.kernel)                       # (batch, 4·units)
            z = ops.add(z, ops.matmul(h_prev, self.recurrent_kernel))
            if self.use_bias:
                z = ops.add(z, self.bias)                             # bias_add, as in Keras
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=1)              # (batch, units) each
        else:  # recurrent dropout: one mask per gate, per-gate matmuls (Keras's implementation 1)
            x_parts = [inputs * m for m in dp_mask] if dp_mask is not None else [inputs] * 4
            h_parts = [h_prev * m for m in rec_dp_mask] if rec_dp_mask is not None else [h_prev] * 4
            kernels = ops.split(self.kernel, 4, axis=1)
            x_z = [ops.matmul(x_g, k_g) for x_g, k_g in zip(x_parts, kernels)]
            if self.use_bias:
                x_z = [x_g + b_g for x_g, b_g in zip(x_z, ops.split(self.bias, 4, axis=0))]
            u = self.units
            z_i, z_f, z_c, z_o = (
                x_z[g] + ops.matmul(h_parts[g], self.recurrent_kernel[:, g * u:(g + 1) * u])
                for g in range(4)
            )

        if self.peephole:
            z_i = z_i + self.peephole_kernel[0] * c_prev
            z_f = z_f + self.peephole_kernel[1] * c_prev
        i = gate_act(z_i)
        f = gate_act(z_f)
        candidate = act(z_c)
        c = f * c_prev + i * candidate
        if self.peephole:
            z_o = z_o + self.peephole_kernel[2] * c
        o = gate_act(z_o)
        h = o * act(c)
        gates = {"input_gate": i, "forget_gate": f, "candidate": candidate, "output_gate": o,
                 "cell_state": c, "h": h}
        return h, [h, c], gates

    def get_config(self):
        config = {"unit_forget_bias": self.unit_forget_bias}
        if self.peephole:  # absent otherwise, so that keras.layers.LSTMCell can load the config
            config["peephole"] = True
        return {**super().get_config(), **config}
