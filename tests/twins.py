"""Pairs of (course cell, Keras built-in) used by the equivalence tests.

Each twin knows how to build the course layer and the built-in layer with the same
options; ``copy_weights`` makes the built-in use exactly the course layer's weights.
"""
from dataclasses import dataclass, field

import keras
import numpy as np

from lstmcourse import cells


@dataclass(frozen=True)
class Twin:
    name: str
    our_cell: type
    builtin_cell: type
    builtin_layer: type
    cell_kwargs: dict = field(default_factory=dict)

    def ours(self, units, **layer_kwargs):
        cell_kwargs = {**self.cell_kwargs, **layer_kwargs.pop("cell_kwargs", {})}
        return keras.layers.RNN(self.our_cell(units, **cell_kwargs), **layer_kwargs)

    def builtin(self, units, **layer_kwargs):
        cell_kwargs = {**self.cell_kwargs, **layer_kwargs.pop("cell_kwargs", {})}
        return self.builtin_layer(units, **cell_kwargs, **layer_kwargs)

    def __str__(self):
        return self.name


TWINS = [
    Twin("SimpleRNN", cells.SimpleRNNCell, keras.layers.SimpleRNNCell, keras.layers.SimpleRNN),
    Twin("LSTM", cells.LSTMCell, keras.layers.LSTMCell, keras.layers.LSTM),
    Twin("GRU-reset_after", cells.GRUCell, keras.layers.GRUCell, keras.layers.GRU, {"reset_after": True}),
    Twin("GRU-reset_before", cells.GRUCell, keras.layers.GRUCell, keras.layers.GRU, {"reset_after": False}),
]


def random_inputs(batch=3, time=7, features=5, seed=0, dtype="float32"):
    return np.random.default_rng(seed).normal(size=(batch, time, features)).astype(dtype)


def copy_weights(src, dst, x, **call_kwargs):
    """Build both layers on ``x`` and give ``dst`` the weights of ``src``."""
    src(x, **call_kwargs)
    dst(x, **call_kwargs)
    dst.set_weights(src.get_weights())
