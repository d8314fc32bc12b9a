"""The tanh RNN cell (Elman network), written with ``keras.ops``."""
import keras
from keras import ops

from lstmcourse.cells._base import RecurrentCellBase


@keras.saving.register_keras_serializable(package="lstmcourse")
class SimpleRNNCell(RecurrentCellBase):
    """One step of a tanh RNN: ``h_t = tanh(x_t·W + b + h_{t-1}·U)``.

    Shapes: ``x_t`` is (batch, features), ``h_{t-1}`` and ``h_t`` are (batch, units).
    The weights have Keras's layout, so they can be copied to and from
    ``keras.layers.SimpleRNN`` with ``get_weights``/``set_weights``:
    ``kernel`` W (features, units), ``recurrent_kernel`` U (units, units),
    ``bias`` b (units,).

    Args:
        units: Positive integer, size of the hidden state ``h``.
        activation: Activation applied to the pre-activation. Default: ``"tanh"``.
        use_bias: Whether to add a bias vector. Default: ``True``.
        kernel_initializer: Initializer for W. Default: ``"glorot_uniform"``.
        recurrent_initializer: Initializer for U. Default: ``"orthogonal"``.
        bias_initializer: Initializer for b. Default: ``"zeros"``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Optional
            regularizers for W, U and b. Default: ``None``.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional
            constraints for W, U and b. Default: ``None``.
        dropout: Fraction of the inputs to drop, in [0, 1). One mask per sequence,
            as in Keras. Default: 0.
        recurrent_dropout: Fraction of ``h_{t-1}`` to drop, in [0, 1). Default: 0.
        seed: Random seed for the dropout masks. Default: ``None``.

    Example:

    >>> import numpy as np, keras
    >>> from lstmcourse.cells import SimpleRNNCell
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    >>> ours = keras.layers.RNN(SimpleRNNCell(4))
    >>> builtin = keras.layers.SimpleRNN(4)
    >>> tuple(ours(x).shape), tuple(builtin(x).shape)    # (batch, units)
    ((2, 4), (2, 4))
    >>> builtin.set_weights(ours.get_weights())          # same layout, same maths
    >>> float(np.max(np.abs(ours(x) - builtin(x))))
    0.0
    """

    GATES = 1
    seed_generator_first = True  # keras.layers.SimpleRNNCell creates it first too

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.state_size = self.units

    def build(self, input_shape):
        self._add_recurrent_weights(input_shape)

    def step(self, inputs, states, training=False):
        self._check_inputs(inputs)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states  # (batch, units)
        dp_mask, rec_dp_mask = self._masks(inputs, h_prev, training)
        if dp_mask is not None:
            inputs = inputs * dp_mask

        # The op order matters for bit-for-bit equality with keras.layers.SimpleRNN:
        # ops.add(matrix, vector) is TensorFlow's bias_add, "+" is a plain AddV2.
        x_proj = ops.matmul(inputs, self.kernel)  # (batch, units)
        if self.bias is not None:
            x_proj = ops.add(x_proj, self.bias)
        if rec_dp_mask is not None:
            h_prev = h_prev * rec_dp_mask
        pre_activation = x_proj + ops.matmul(h_prev, self.recurrent_kernel)  # (batch, units)
        h = self.activation(pre_activation)

        new_states = [h] if isinstance(states, (list, tuple)) else h
        return h, new_states, {"pre_activation": pre_activation, "h": h}
