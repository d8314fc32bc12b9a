"""NumPy reference implementations of the course's recurrent cells.

This subpackage imports NumPy only (no TensorFlow, no Keras), so it is fast to import
and easy to read next to the equations. Every array is batch-first:

    x   (batch, time, features)     an input sequence
    h0  (batch, units)              the initial hidden state
    hs  (batch, time, units)        the hidden state at every time step

Parameters are dicts with Keras's names and layouts (``kernel``, ``recurrent_kernel``,
``bias``), so ``params_from_layer(keras_layer)`` gives weights that plug straight in.
"""
from lstmcourse.reference.gru import gru_backward, gru_forward, gru_gates, gru_step
from lstmcourse.reference.lstm import lstm_backward, lstm_forward, lstm_gates, lstm_step
from lstmcourse.reference.gradcheck import gradient_check, numerical_gradient, relative_error
from lstmcourse.reference.params import params_from_layer
from lstmcourse.reference.rnn import rnn_backward, rnn_forward, rnn_step

__all__ = [
    "gradient_check",
    "gru_backward",
    "gru_forward",
    "gru_gates",
    "gru_step",
    "lstm_backward",
    "lstm_forward",
    "lstm_gates",
    "lstm_step",
    "numerical_gradient",
    "params_from_layer",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
]
