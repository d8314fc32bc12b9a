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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab01/lab01.ipynb)
#
# # Lab 01 · The tanh RNN, by hand and as a Keras cell
#
# Goes with lesson 01. About 45 minutes. Points: 10.
#
# You will write one step of the tanh RNN in NumPy, run it over a sequence, and then
# write the same cell as a Keras layer that `keras.layers.RNN` can drive. After each
# task a check runs your code on a fixed case and compares it with the course's
# reference implementation. If something is wrong, it tells you *what* looks wrong
# (a missing bias, the wrong activation, a transposed result, …).
#
# Replace each `raise NotImplementedError()` with your code, then run the check below it.

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
from lstmcourse.i18n import tr

# %% [markdown]
# ## Task 1 · One step (3 points)
#
# Write `rnn_step(x_t, h_prev, params)` returning
# $h_t = \tanh(x_t W + h_{t-1} U + b)$, where `params` holds Keras's names:
# `params["kernel"]` $W$ (features, units), `params["recurrent_kernel"]` $U$ (units, units)
# and `params["bias"]` $b$ (units,). Shapes: `x_t` (batch, features), `h_prev` and the
# result (batch, units).

# %% nbgrader={"grade": false, "grade_id": "rnn_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_step(x_t, h_prev, params):
    ### BEGIN SOLUTION
    a_t = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]  # (batch, units)
    return np.tanh(a_t)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_rnn_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_rnn_step(rnn_step)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_rnn_step(rnn_step, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · A whole sequence (3 points)
#
# Write `rnn_forward(x, h0, params)` for `x` of shape (batch, time, features). Start
# from `h0`, apply `rnn_step` at every time step with the **same** `params`, and return
# `(hs, cache)`: `hs` of shape (batch, time, units) holds the state *after* each step;
# `cache` can be anything (return `None` for now; lab 02 uses it). The check grades this
# task with a correct `rnn_step` in place of yours, so a mistake in Task 1 costs its points only.

# %% nbgrader={"grade": false, "grade_id": "rnn_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_forward(x, h0, params):
    ### BEGIN SOLUTION
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, params)     # same params at every step
        hs.append(h)
    return np.stack(hs, axis=1), None        # (batch, time, units)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_rnn_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_rnn_forward(rnn_forward)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_rnn_forward(rnn_forward, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · The same cell in Keras (4 points)
#
# Write a Keras cell, `MyRNNCell(units)`, that `keras.layers.RNN` can run. A cell needs:
#
# - `self.state_size = units` (and `self.output_size = units`) in `__init__`;
# - `build(input_shape)`, where `input_shape` is (batch, features), creating **in this
#   order** `self.kernel` (features, units), `self.recurrent_kernel` (units, units) and
#   `self.bias` (units,) with `self.add_weight(shape=..., name=...)`;
# - `call(inputs, states)` returning `(h, [h])`, where `states[0]` is $h_{t-1}$.
#
# Use `keras.ops` (`ops.matmul`, `ops.tanh`, `ops.add`), not NumPy: Keras must be able
# to differentiate it. The check copies weights into your layer and compares it with
# `keras.layers.SimpleRNN`.

# %% nbgrader={"grade": false, "grade_id": "my_rnn_cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyRNNCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        ### BEGIN SOLUTION
        features = input_shape[-1]
        self.kernel = self.add_weight(shape=(features, self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel",
                                                initializer="orthogonal")
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")
        ### END SOLUTION

    def call(self, inputs, states):
        ### BEGIN SOLUTION
        h_prev = states[0]                                               # (batch, units)
        a = ops.add(ops.matmul(inputs, self.kernel), self.bias) + ops.matmul(h_prev, self.recurrent_kernel)
        h = ops.tanh(a)
        return h, [h]
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_my_rnn_cell", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_rnn_cell_layer(MyRNNCell)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_rnn_cell_layer(MyRNNCell, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Try it: train your cell
#
# Your cell now trains like any Keras layer. Here it learns lesson 01's delayed echo
# (the target is the input from two steps earlier). No points; it should reach an
# accuracy close to 1 in a few seconds.

# %% nbgrader={"grade": false, "grade_id": "try_echo", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
rng = np.random.default_rng(0)
x_echo = rng.choice([-1.0, 1.0], size=(1500, 15, 1)).astype("float32")
y_echo = np.zeros_like(x_echo)
y_echo[:, 2:] = x_echo[:, :-2]
model = keras.Sequential([keras.Input((None, 1)), keras.layers.RNN(MyRNNCell(16), return_sequences=True),
                          keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
model.fit(x_echo[:1000], y_echo[:1000], epochs=10, batch_size=64, verbose=0)
echo_accuracy = float(np.mean(np.sign(model.predict(x_echo[1000:], verbose=0)[:, 2:]) == y_echo[1000:, 2:]))
checks.check_accuracy(tr("delayed echo with MyRNNCell"), echo_accuracy, 0.9)

# %% [markdown]
# ## Going further
#
# - Add `dropout` to `MyRNNCell` (drop the inputs with one mask per sequence). How does
#   `lstmcourse.cells.SimpleRNNCell` do it?
# - Make `MyRNNCell` serializable: `@keras.saving.register_keras_serializable()` and a
#   `get_config` returning `{"units": self.units, **super().get_config()}`; save and
#   load a model that uses it.
