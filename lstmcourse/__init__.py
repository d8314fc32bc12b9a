"""lstmcourse: the companion package of the lstmcourse notebooks.

Submodules:
    lstmcourse.reference   NumPy-only RNN maths with hand-written BPTT (no TensorFlow needed).
    lstmcourse.cells       Keras 3 cells written with ``keras.ops`` that are exact twins
                           of Keras's built-in SimpleRNN/LSTM/GRU cells.
    lstmcourse.trace(layer, x)
                           every gate of a recurrent layer at every time step.
    lstmcourse.experiments one model recipe trained under several seeds: per-seed
                           curves, spread summaries, plots.
    lstmcourse.diagrams    the course's figures drawn by code.
    lstmcourse.generation  temperature sampling for language models.
    lstmcourse.attention   additive (Bahdanau) attention as a Keras layer.
    lstmcourse.doctor      why an RNN runs but does not learn: examine(model, x, y) returns
                           named findings, each with its evidence and its fix.
    lstmcourse.grading     the labs' checks, one module per job (the labs import them as
                           lstmcourse.checks and lstmcourse.lab06_checks).
    lstmcourse.setup_notebook()
                           the first call of every notebook: quiet TensorFlow, seeds,
                           determinism, plot style, versions.

Keras and TensorFlow are imported lazily, so ``import lstmcourse.reference`` stays fast
and works without them.
"""
from importlib import import_module

from lstmcourse._setup import notebook_seed, setup_notebook

__version__ = "0.2.0"
__all__ = ["setup_notebook", "notebook_seed", "trace", "cells", "reference", "experiments", "diagrams",
           "generation", "attention", "doctor", "__version__"]

_LAZY_SUBMODULES = {"cells", "reference", "experiments", "diagrams", "generation", "attention", "doctor"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return import_module(f"lstmcourse.{name}")
    if name == "trace":
        return import_module("lstmcourse.tracing").trace
    raise AttributeError(f"module 'lstmcourse' has no attribute {name!r}")
