"""What the course cells share: argument handling, weight creation and config.

The cells differ only in their equations (``call``) and in how many gate blocks their
weights hold; everything else lives here so that each cell file reads like its maths.
"""
import keras
from keras import activations, constraints, initializers, ops, regularizers

# Keras's RNN layer creates one dropout mask per sequence (and resets it after the
# sequence) only for cells that inherit this mixin. It is not exported publicly, but
# inheriting it is the only way to get the built-in cells' exact dropout behaviour.
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from lstmcourse.cells._checks import check_build_shape, check_rate, check_step_inputs, check_units

_WEIGHT_OPTIONS = ("initializer", "regularizer", "constraint")
_SERIALIZERS = {"initializer": initializers, "regularizer": regularizers, "constraint": constraints}


class RecurrentCellBase(keras.layers.Layer, DropoutRNNCell):
    """Base of the course cells (not a cell itself).

    Subclasses set ``GATES`` (number of ``units``-wide blocks in the kernels) and
    implement ``call``. ``seed_generator_first`` mirrors the creation order of the
    Keras twin, so that under the same ``keras.utils.set_random_seed`` both draw the
    same initial weights.
    """

    GATES = 1
    seed_generator_first = False

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        implementation=2,
        **kwargs,
    ):
        name = type(self).__name__
        if implementation not in (1, 2) or isinstance(implementation, bool):
            raise ValueError(f"{name}: implementation must be 1 (one matrix product per gate) or 2 "
                             f"(one fused product). Received: implementation={implementation!r}")
        units = check_units(name, units)
        dropout = check_rate(name, "dropout", dropout)
        recurrent_dropout = check_rate(name, "recurrent_dropout", recurrent_dropout)
        super().__init__(**kwargs)
        self.seed = seed
        if self.seed_generator_first:
            self.seed_generator = keras.random.SeedGenerator(seed)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = (
            None if recurrent_activation is None else activations.get(recurrent_activation)
        )
        self.use_bias = use_bias
        weight_args = {
            "kernel_initializer": kernel_initializer,
            "recurrent_initializer": recurrent_initializer,
            "bias_initializer": bias_initializer,
            "kernel_regularizer": kernel_regularizer,
            "recurrent_regularizer": recurrent_regularizer,
            "bias_regularizer": bias_regularizer,
            "kernel_constraint": kernel_constraint,
            "recurrent_constraint": recurrent_constraint,
            "bias_constraint": bias_constraint,
        }
        for option in _WEIGHT_OPTIONS:  # same creation order as the Keras cells
            for weight in ("kernel", "recurrent", "bias"):
                key = f"{weight}_{option}"
                setattr(self, key, _SERIALIZERS[option].get(weight_args[key]))
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        # Keras computes per-gate (its "implementation 1") when asked to or when recurrent
        # dropout is on, with one dropout mask per gate; the twins do the same to stay exact.
        # A one-gate cell has nothing to split, so it ignores the argument (as Keras's
        # SimpleRNN does by not having it).
        self.implementation = 1 if (implementation == 1 or recurrent_dropout) and self.GATES > 1 else 2
        if self.implementation == 1:
            self.dropout_mask_count = self.GATES
        if not self.seed_generator_first:
            self.seed_generator = keras.random.SeedGenerator(seed)
        self.output_size = self.units

    # -- weights -----------------------------------------------------------------
    def _add_recurrent_weights(self, input_shape, bias_shape=None, bias_initializer=None):
        """Create kernel (features, G·units), recurrent_kernel (units, G·units), bias."""
        input_shape = check_build_shape(type(self).__name__, input_shape)
        width = self.GATES * self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], width), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), name="recurrent_kernel", initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=bias_shape or (width,), name="bias",
                initializer=bias_initializer or self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        else:
            self.bias = None

    def _check_inputs(self, inputs):
        check_step_inputs(type(self).__name__, inputs, self.kernel.shape[0])

    def _masks(self, inputs, h_prev, training):
        """The per-sequence dropout masks for this call (None when not training)."""
        if not training:  # no draw from the seed generator outside training
            return None, None
        return self.get_dropout_mask(inputs), self.get_recurrent_dropout_mask(h_prev)

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    # -- tracing -----------------------------------------------------------------
    def call(self, inputs, states, training=False):
        output, new_states, _ = self.step(inputs, states, training=training)
        return output, new_states

    def step(self, inputs, states, training=False):
        """One step that also returns the gate activations: ``(h, new_states, gates)``.

        ``gates`` is a dict of (batch, units) tensors. ``call`` uses the same code, so
        tracing sees exactly what the layer computes.
        """
        raise NotImplementedError

    # -- config ------------------------------------------------------------------
    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        for option in _WEIGHT_OPTIONS:
            for weight in ("kernel", "recurrent", "bias"):
                key = f"{weight}_{option}"
                config[key] = _SERIALIZERS[option].serialize(getattr(self, key))
        config.update(dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed)
        base_config = super().get_config()
        return {**base_config, **config}
