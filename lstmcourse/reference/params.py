"""Read the weights of a Keras recurrent layer into a NumPy params dict."""
import numpy as np


def params_from_layer(layer):
    """Return ``{"kernel", "recurrent_kernel", "bias"}`` as NumPy arrays.

    Works for ``keras.layers.SimpleRNN``/``LSTM``/``GRU``, for ``keras.layers.RNN``
    wrapping one of the course cells, and for a cell itself. The layouts are Keras's
    (e.g. kernel (features, 4·units) for an LSTM, gate order i, f, c, o), which is
    what the functions in :mod:`lstmcourse.reference` expect. ``bias`` is absent
    when the layer has ``use_bias=False``.
    """
    if hasattr(layer, "forward_layer"):
        raise TypeError(
            "params_from_layer takes one direction at a time; for a Bidirectional layer "
            "pass `layer.forward_layer` or `layer.backward_layer`. "
            f"Received: {type(layer).__name__}"
        )
    cell = getattr(layer, "cell", layer)
    if hasattr(cell, "cells"):
        raise TypeError(
            "params_from_layer takes one cell at a time; for stacked cells pass "
            f"`layer.cell.cells[i]`. Received: a {type(cell).__name__}"
        )
    if not all(hasattr(cell, attr) for attr in ("kernel", "recurrent_kernel")):
        raise TypeError(
            "params_from_layer needs a built recurrent layer or cell with `kernel` and "
            f"`recurrent_kernel` weights. Received: {type(layer).__name__} "
            "(call the layer on some data first if it is not built yet)"
        )
    params = {
        "kernel": np.asarray(cell.kernel),
        "recurrent_kernel": np.asarray(cell.recurrent_kernel),
    }
    if getattr(cell, "bias", None) is not None:
        params["bias"] = np.asarray(cell.bias)
    return params
