"""Keras 3 recurrent cells written with ``keras.ops`` only.

Each cell uses the same weight layout, gate order and operation order as its Keras
built-in twin, so weights can be copied in both directions and the outputs agree
bit for bit on CPU. Use them inside ``keras.layers.RNN``.

    SimpleRNNCell  <->  keras.layers.SimpleRNN   weights [kernel, recurrent_kernel, bias]
    LSTMCell       <->  keras.layers.LSTM        gate order i, f, c, o
    GRUCell        <->  keras.layers.GRU         gate order z, r, h; reset_after True/False
"""
from lstmcourse.cells.gru import GRUCell
from lstmcourse.cells.lstm import LSTMCell
from lstmcourse.cells.simple_rnn import SimpleRNNCell

__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell"]
