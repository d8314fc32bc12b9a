"""Argument and input checks shared by the course cells.

Every message names the argument and echoes what was received, in the style of
Keras's own errors ("Received: units=0").
"""
import numbers

from keras import backend


def check_units(cell_name, units):
    """Return ``units`` as an int, or raise a TypeError/ValueError naming it."""
    if isinstance(units, bool) or not isinstance(units, numbers.Integral):
        raise TypeError(
            f"{cell_name}: `units` must be a positive integer (the size of the "
            f"hidden state). Received: units={units!r} of type {type(units).__name__}"
        )
    if units <= 0:
        raise ValueError(
            f"{cell_name}: `units` must be a positive integer (the size of the "
            f"hidden state). Received: units={units}"
        )
    return int(units)


def check_rate(cell_name, name, value):
    """Return a dropout rate as a float in [0, 1), or raise naming the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{cell_name}: `{name}` must be a float in [0, 1). "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    if not 0.0 <= value < 1.0:
        raise ValueError(
            f"{cell_name}: `{name}` must be a float in [0, 1) (the fraction of "
            f"units to drop). Received: {name}={value}"
        )
    return float(value)


def check_build_shape(cell_name, input_shape):
    """A cell is built on one time step: shape (batch, features)."""
    input_shape = tuple(input_shape)
    if len(input_shape) != 2:
        raise ValueError(
            f"{cell_name} processes one time step of shape (batch, features), so "
            f"the RNN layer around it needs inputs of rank 3 (batch, time, features). "
            f"Received: input_shape={input_shape} for one step "
            f"(rank {len(input_shape) + 1} inputs to the RNN layer)"
        )
    if input_shape[-1] is None:
        raise ValueError(
            f"{cell_name} needs to know the number of input features to create its "
            f"kernel, but the last axis is undefined. Received: input_shape={input_shape}"
        )
    return input_shape


def check_step_inputs(cell_name, inputs, input_dim):
    """Check the dtype, rank and feature size of one time step of inputs."""
    dtype = backend.standardize_dtype(inputs.dtype)
    if "float" not in dtype:
        raise TypeError(
            f"{cell_name} expects floating-point inputs. Received: inputs.dtype={dtype}. "
            f"Integer token ids must go through a keras.layers.Embedding layer first "
            f"(or be cast with keras.ops.cast(x, 'float32') if they really are numbers)."
        )
    shape = tuple(inputs.shape)
    if len(shape) != 2:
        raise ValueError(
            f"{cell_name}.call takes one time step of shape (batch, features); wrap the "
            f"cell in keras.layers.RNN to process whole sequences. "
            f"Received: inputs.shape={shape}"
        )
    if shape[-1] is not None and shape[-1] != input_dim:
        raise ValueError(
            f"{cell_name} was built for {input_dim} input features, but the inputs have "
            f"{shape[-1]}. Received: inputs.shape={shape}"
        )
