"""Record every gate of a recurrent layer at every time step.

    >>> import numpy as np, keras
    >>> import lstmcourse
    >>> x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    >>> layer = keras.layers.LSTM(4, return_sequences=True)   # built-in or course cell
    >>> trace = lstmcourse.trace(layer, x)
    >>> sorted(trace)
    ['candidate', 'cell_state', 'forget_gate', 'h', 'input_gate', 'output_gate']
    >>> trace["forget_gate"].shape                            # (batch, time, units)
    (2, 6, 4)
    >>> bool(np.allclose(trace["h"], trace["output_gate"] * np.tanh(trace["cell_state"])))
    True
    >>> float(np.max(np.abs(trace["h"] - layer(x)))) < 1e-6   # the layer's output (bit for bit on TensorFlow)
    True

Tracing runs the cell's own ``step`` method (the one its ``call`` uses) in an eager
Python loop over time, so it sees exactly what the layer computes; training never goes
through this code, so it costs nothing when you are not tracing.
"""
import inspect

import keras
import numpy as np
from keras import ops

from lstmcourse import cells

_TWIN_OF_BUILTIN = {
    keras.layers.SimpleRNNCell: cells.SimpleRNNCell,
    keras.layers.LSTMCell: cells.LSTMCell,
    keras.layers.GRUCell: cells.GRUCell,
}


def _course_cell(layer):
    """The layer's cell as a course cell (a weight-identical twin for built-in cells)."""
    if isinstance(layer, keras.layers.Bidirectional):
        raise TypeError(
            "trace follows one direction at a time: pass `layer.forward_layer` or "
            "`layer.backward_layer` of the Bidirectional layer."
        )
    cell = getattr(layer, "cell", layer)
    if isinstance(cell, keras.layers.StackedRNNCells):
        raise TypeError(
            "trace takes one cell at a time; for a stacked RNN build one RNN layer per cell, "
            "or trace `keras.layers.RNN(layer.cell.cells[i])` on that cell's inputs."
        )
    if isinstance(cell, cells.SimpleRNNCell | cells.LSTMCell | cells.GRUCell):
        return cell
    twin_cls = _TWIN_OF_BUILTIN.get(type(cell))
    if twin_cls is None:
        raise TypeError(
            "trace works for keras.layers.SimpleRNN/LSTM/GRU and for keras.layers.RNN "
            f"wrapping a lstmcourse cell. Received: a layer whose cell is {type(cell).__name__}"
        )
    accepted = set(inspect.signature(twin_cls.__init__).parameters) | set(
        inspect.signature(cells._base.RecurrentCellBase.__init__).parameters)
    config = {k: v for k, v in cell.get_config().items() if k in accepted and k not in ("self", "kwargs")}
    twin = twin_cls(**config, dtype=cell.dtype_policy)  # a float64 layer gets a float64 twin
    twin.build((None, cell.kernel.shape[0]))
    twin.set_weights(cell.get_weights())
    return twin


def trace(layer, x, mask=None, initial_state=None):
    """Run ``layer``'s cell over ``x`` and return every gate at every step.

    Args:
        layer: A built ``keras.layers.LSTM``/``GRU``/``SimpleRNN``, or a
            ``keras.layers.RNN`` wrapping a course cell, or the cell itself. Unbuilt
            layers are built on ``x``. For a ``Bidirectional`` layer pass one direction.
        x: Float array (batch, time, features).
        mask: Optional boolean array (batch, time). At masked steps the states are
            carried over unchanged (as Keras does) and the gates are NaN.
        initial_state: Optional list of (batch, units) arrays.

    Returns:
        A dict of NumPy arrays of shape (batch, time, units), in processing order
        (reversed in time for a ``go_backwards`` layer). LSTM: ``input_gate``,
        ``forget_gate``, ``candidate``, ``output_gate``, ``cell_state``, ``h``. GRU:
        ``update_gate``, ``reset_gate``, ``candidate``, ``h``. SimpleRNN:
        ``pre_activation``, ``h``.
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"`x` must have shape (batch, time, features). Received: x.shape={x.shape}")
    if not getattr(layer, "built", True):
        layer(x)
    cell = _course_cell(layer)
    if getattr(layer, "go_backwards", False):
        x = x[:, ::-1]
        mask = None if mask is None else np.asarray(mask)[:, ::-1]
    x = ops.convert_to_tensor(x, dtype=cell.compute_dtype)
    batch, time = x.shape[0], x.shape[1]
    states = list(initial_state) if initial_state is not None else cell.get_initial_state(batch)
    states = [ops.convert_to_tensor(s, dtype=cell.compute_dtype) for s in states]
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (batch, time):
            raise ValueError(f"`mask` must have shape {(batch, time)}. Received: mask.shape={mask.shape}")

    records = {}
    for t in range(time):
        _, new_states, gates = cell.step(x[:, t], states, training=False)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if mask is not None:
            keep = ops.convert_to_tensor(mask[:, t : t + 1])  # (batch, 1)
            new_states = [ops.where(keep, new, old) for new, old in zip(new_states, states)]
        states = new_states
        step_record = {name: np.array(value) for name, value in gates.items()}
        step_record["h"] = np.array(states[0])
        if "cell_state" in step_record:
            step_record["cell_state"] = np.array(states[1])
        if mask is not None:
            for name in step_record:
                if name not in ("h", "cell_state"):
                    step_record[name][~mask[:, t]] = np.nan
        for name, value in step_record.items():
            records.setdefault(name, []).append(value)
    return {name: np.stack(values, axis=1) for name, values in records.items()}
