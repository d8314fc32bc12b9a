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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab04/lab04.ipynb)
#
# # Lab 04 · The GRU, and a race on a long gap
#
# Goes with lesson 04. About 45 minutes (plus about a minute of training). Points: 10.
#
# You will write one GRU step in Keras's `reset_after=True` form, then build and train
# SimpleRNN, GRU and LSTM models on the adding problem at $T = 50$ and compare them.
# Keras's layout: `kernel` (features, 3·units), `recurrent_kernel` (units, 3·units),
# `bias` (2, 3·units) with row 0 the input bias and row 1 the recurrent bias; gate
# blocks in the order **z, r, h**.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import numpy as np

from lstmcourse import checks, tasks


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# %% [markdown]
# ## Task 1 · One GRU step, Keras's form (4 points)
#
# Write `gru_step(x_t, h_prev, params)`:
#
# $$[x_z, x_r, x_h] = x_t W + b_{\text{in}},\qquad [m_z, m_r, m_h] = h_{t-1} U + b_{\text{rec}},$$
# $$z = \sigma(x_z + m_z),\quad r = \sigma(x_r + m_r),\quad \tilde h = \tanh(x_h + r \odot m_h),\quad
# h_t = z \odot h_{t-1} + (1 - z) \odot \tilde h.$$

# %% nbgrader={"grade": false, "grade_id": "gru_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gru_step(x_t, h_prev, params):
    ### BEGIN SOLUTION
    b_in, b_rec = params["bias"]
    x_z, x_r, x_h = np.split(x_t @ params["kernel"] + b_in, 3, axis=1)
    m_z, m_r, m_h = np.split(h_prev @ params["recurrent_kernel"] + b_rec, 3, axis=1)
    z, r = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
    h_tilde = np.tanh(x_h + r * m_h)
    return z * h_prev + (1 - z) * h_tilde
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_gru_step", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_gru_step(gru_step)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_gru_step(gru_step, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · Three models, one budget (4 points)
#
# Write `make_model(kind)` for `kind` in `"rnn"`, `"gru"`, `"lstm"`: an input of shape
# (50, 2), one recurrent layer of 32 units (`keras.layers.SimpleRNN`, `GRU` or `LSTM`)
# returning its last state, and `Dense(1)`; compile it with
# `keras.optimizers.Adam(0.01, clipnorm=1.0)` and the MSE loss. The check looks at the layer
# class for each kind, the sizes, the optimizer and the loss. The next cell does not train
# your objects: `checks.race_model` rebuilds each model from its configuration with Keras's own
# classes and new weights (so build it from Keras's layers and Adam, without overriding
# their methods), then trains each for 10 epochs and collects the best validation MSE in
# `results`. The hidden test runs the same race again in its own copy of the checks.

# %% nbgrader={"grade": false, "grade_id": "make_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_model(kind):
    ### BEGIN SOLUTION
    layer = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[kind](32)
    model = keras.Sequential([keras.Input((50, 2)), layer, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse")
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_make_model", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_make_model(make_model)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_make_model(make_model)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "check_race", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
x_train, y_train = tasks.adding_problem(4000, length=50, seed=1)
x_val, y_val = tasks.adding_problem(1000, length=50, seed=2)
models = {kind: checks.race_model(make_model, kind, seed=0) for kind in ("rnn", "gru", "lstm")}  # rebuilt by Keras
results = {}
for kind, model in models.items():
    keras.utils.set_random_seed(0)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=64, verbose=0)
    results[kind] = min(history.history["val_loss"])
checks.check_adding_comparison(results, baseline=tasks.ADDING_BASELINE_MSE)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks runs the race itself: `results` and redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_race(make_model, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · Which would you use? (2 points, graded by hand)
#
# The cell below prints `results` and the parameter count of each model. In 3–5
# sentences: which models learned the task, why the SimpleRNN did not (lesson 02), and
# what you would choose for a new sequence task and why.

# %% nbgrader={"grade": false, "grade_id": "print_results", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
# NBVAL_IGNORE_OUTPUT
for kind in ("rnn", "gru", "lstm"):
    params = make_model(kind).count_params()
    print(f"{kind:5s} best validation MSE {results[kind]:.4f}   parameters {params}")

# %% [markdown] nbgrader={"grade": true, "grade_id": "which_cell", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The GRU and the LSTM both drive the MSE far below chance (1/6), while the SimpleRNN
# stays near it: its gradient from the second marker back to the first is a product of
# about 25 to 50 Jacobians diag(1−h²)Uᵀ, which vanishes, so it never learns to keep the
# first number. The gated cells can learn to copy their state (z ≈ 1, or f ≈ 1 and
# i ≈ 0) between the markers. For a new task I would start with an LSTM (forget bias 1)
# or a GRU, which has 25 % fewer parameters, and try both, since which one wins is
# task-dependent; a SimpleRNN only when the dependencies are short.
# ### END SOLUTION
