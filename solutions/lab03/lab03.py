# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab03/lab03.ipynb)
#
# # Lab 03 · The LSTM cell, gate by gate
#
# Goes with lesson 03. About 60 minutes. Points: 12.
#
# You will write one LSTM step in NumPy, gate by gate, run it over a sequence, and
# write an LSTM cell for Keras that matches `keras.layers.LSTM` exactly when given the
# same weights. Keras's layout: `kernel` (features, 4·units), `recurrent_kernel`
# (units, 4·units), `bias` (4·units,), with the four gate blocks in the order
# **i, f, c, o**: columns `0:u` input gate, `u:2u` forget gate, `2u:3u` candidate,
# `3u:4u` output gate.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import numpy as np
from keras import ops

from lstmcourse import checks


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# %% [markdown]
# ## Task 1 · One LSTM step (5 points)
#
# Write `lstm_step(x_t, h_prev, c_prev, params)` returning `(h_t, c_t)`:
#
# $$z = x_t W + h_{t-1} U + b,\quad i = \sigma(z_i),\ f = \sigma(z_f),\ \tilde c = \tanh(z_c),\ o = \sigma(z_o),$$
# $$c_t = f \odot c_{t-1} + i \odot \tilde c,\qquad h_t = o \odot \tanh(c_t).$$
#
# Compute $z$ with one product per weight matrix, then split it into four blocks
# (`np.split(z, 4, axis=1)`), or slice the weights per gate: both are fine.

# %% nbgrader={"grade": false, "grade_id": "lstm_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_step(x_t, h_prev, c_prev, params):
    ### BEGIN SOLUTION
    z = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]   # (batch, 4·units)
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, c_tilde, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c_t = f * c_prev + i * c_tilde
    h_t = o * np.tanh(c_t)
    return h_t, c_t
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_lstm_step", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_lstm_step(lstm_step)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_lstm_step(lstm_step, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# Try it on lesson 03's example: should the boss give a raise? With
# $C = [0.7, 0.3]$, $h = [1, 1]$, $x = [1, -1, 1]$ and weights that make every
# pre-activation large (forget gate very negative, the others very positive), you
# should get $c_t \approx [1, 1]$ and $h_t \approx [0.76, 0.76]$.

# %% nbgrader={"grade": false, "grade_id": "boss_example", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
signs = np.repeat([1.0, -1.0, 1.0, 1.0], 2)        # blocks i, f, c, o of 2 units: the forget gate is negative
boss = {"kernel": np.array([[2.0], [-2.0], [2.0]]) * signs,    # (3, 8)
        "recurrent_kernel": np.ones((2, 1)) * signs,           # (2, 8)
        "bias": np.zeros(8)}
h_t, c_t = lstm_step(np.array([[1.0, -1.0, 1.0]]), np.array([[1.0, 1.0]]), np.array([[0.7, 0.3]]), boss)
print("c_t =", c_t.round(2), " h_t =", h_t.round(2))

# %% [markdown]
# ## Task 2 · A sequence (3 points)
#
# Write `lstm_forward(x, h0, c0, params)` returning `(hs, cache)` with `hs` of shape
# (batch, time, units): the hidden states after each step. Carry **both** states. `cache` is
# whatever the backward pass would need (e.g. every `h_t` and `c_t`); nothing in this lab uses
# it, so `None` is fine. The check runs your loop with a correct `lstm_step`, so a mistake in
# Task 1 costs Task 1's points only.

# %% nbgrader={"grade": false, "grade_id": "lstm_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_forward(x, h0, c0, params):
    ### BEGIN SOLUTION
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, params)
        hs.append(h)
    return np.stack(hs, axis=1), None
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_lstm_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_lstm_forward(lstm_forward)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_lstm_forward(lstm_forward, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · An LSTM cell for Keras (4 points)
#
# Write `MyLSTMCell(units)`: `state_size = [units, units]` (the states are `[h, c]`),
# `build` creating `kernel`, `recurrent_kernel` and `bias` in Keras's layout (in that
# order), and `call(inputs, states)` returning `(h, [h, c])`, using `keras.ops`
# (`ops.matmul`, `ops.add`, `ops.split`, `ops.sigmoid`, `ops.tanh`). The check copies
# weights into your cell and compares it with `keras.layers.LSTM`.

# %% nbgrader={"grade": false, "grade_id": "my_lstm_cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyLSTMCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        ### BEGIN SOLUTION
        u = self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], 4 * u), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(u, 4 * u), name="recurrent_kernel", initializer="orthogonal")
        self.bias = self.add_weight(shape=(4 * u,), name="bias", initializer="zeros")
        ### END SOLUTION

    def call(self, inputs, states):
        ### BEGIN SOLUTION
        h_prev, c_prev = states
        z = ops.add(ops.matmul(inputs, self.kernel), ops.matmul(h_prev, self.recurrent_kernel))
        z = ops.add(z, self.bias)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=1)
        c = ops.sigmoid(z_f) * c_prev + ops.sigmoid(z_i) * ops.tanh(z_c)
        h = ops.sigmoid(z_o) * ops.tanh(c)
        return h, [h, c]
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_my_lstm_cell", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_lstm_cell_layer(MyLSTMCell)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_lstm_cell_layer(MyLSTMCell, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Going further
#
# - Initialise the forget slice of the bias to 1 in `build` (Keras's
#   `unit_forget_bias=True`) and train `MyLSTMCell(32)` on the adding problem
#   (`lstmcourse.tasks.adding_problem`) at $T = 50$.
# - Add peephole connections (lesson 03, section 9) to `MyLSTMCell`.
