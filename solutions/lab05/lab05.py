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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab05/lab05.ipynb)
#
# # Lab 05 · Stacked and bidirectional models
#
# Goes with lessons 05 and 06. About 45 minutes. Points: 10.
#
# You will build models to given shapes, then tag "Teddy" as PERSON or TOY in
# sentences such as "He said, Teddy bears are on sale" (`lstmcourse.tasks.teddy`) to a
# target accuracy within a training budget (optimizer updates, not seconds) that the check
# enforces by training your model itself.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import numpy as np

from lstmcourse import checks, tasks

VOCAB, TAGS = len(tasks.TEDDY_VOCAB), len(tasks.TEDDY_TAGS)
x_train, y_train, pos_train = tasks.teddy(3000, seed=1)
x_val, y_val, pos_val = tasks.teddy(1000, seed=2)
print("x_train", x_train.shape, " vocabulary", VOCAB, " tags", tasks.TEDDY_TAGS)

# %% [markdown]
# ## Task 1 · A stacked tagger (3 points)
#
# Write `build_stacked()`: token ids of any length (`keras.Input((None,), dtype="int32")`)
# → `Embedding(VOCAB, 8, mask_zero=True)` → LSTM with 16 units → LSTM with 16 units →
# `Dense(TAGS, activation="softmax")`, giving one tag distribution per token. Layer
# output shapes: (None, None, 8), (None, None, 16), (None, None, 16), (None, None, 3).

# %% nbgrader={"grade": false, "grade_id": "build_stacked", "locked": false, "schema_version": 3, "solution": true, "task": false}
def build_stacked():
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(VOCAB, 8, mask_zero=True),
        keras.layers.LSTM(16, return_sequences=True),
        keras.layers.LSTM(16, return_sequences=True),
        keras.layers.Dense(TAGS, activation="softmax"),
    ])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_stacked", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_stacked_tagger(build_stacked, VOCAB, TAGS)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_stacked_tagger(build_stacked, VOCAB, TAGS)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · A bidirectional tagger (3 points)
#
# Write `build_bidirectional()`: the same embedding, then
# `keras.layers.Bidirectional` around an LSTM of 16 units with the default
# `merge_mode="concat"`, then the softmax. Shapes: (None, None, 8), (None, None, 32),
# (None, None, 3).

# %% nbgrader={"grade": false, "grade_id": "build_bidirectional", "locked": false, "schema_version": 3, "solution": true, "task": false}
def build_bidirectional():
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(VOCAB, 8, mask_zero=True),
        keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True)),
        keras.layers.Dense(TAGS, activation="softmax"),
    ])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_bidirectional", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_bidirectional_tagger(build_bidirectional, VOCAB, TAGS)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_bidirectional_tagger(build_bidirectional, VOCAB, TAGS)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · Tag Teddy (4 points)
#
# Write `build_teddy()`, a model of your choice made of Keras's own layers, and
# `TEDDY_RECIPE`, how to train it: a dict with `epochs`, `batch_size` and `learning_rate`
# (and, if you like, `optimizer`: `"adam"` by default, or `"rmsprop"`, `"sgd"`, ...). The
# check does the training itself: it builds your model with new weights, trains it on
# `x_train, y_train` as your recipe says, then measures the tag it predicts **at the word
# "teddy"** on 1000 *new* sentences it generates itself: at least 95 % must be right. The
# budget does not depend on the machine: at most 600 optimizer updates (epochs × batches
# per epoch; 8 epochs of 3000 sentences in batches of 64 are 376) and at most 50 000
# parameters. To try a recipe before the check, `model, steps =
# checks.train_teddy(build_teddy, TEDDY_RECIPE)` trains it the same way, and
# `teddy_accuracy(model)` measures it on `x_val`. Think about which of your two models can
# see the words that decide (lesson 06).

# %% nbgrader={"grade": false, "grade_id": "teddy_accuracy", "locked": true, "schema_version": 3, "solution": false, "task": false}
def teddy_accuracy(model):
    pred = model.predict(x_val, verbose=0).argmax(-1)
    rows = np.arange(len(x_val))
    return float(np.mean(pred[rows, pos_val] == y_val[rows, pos_val]))


# %% nbgrader={"grade": false, "grade_id": "train_teddy", "locked": false, "schema_version": 3, "solution": true, "task": false} tags=["raises-exception"]
def build_teddy():
    ### BEGIN SOLUTION
    return build_bidirectional()
    ### END SOLUTION


TEDDY_RECIPE = None
### BEGIN SOLUTION
TEDDY_RECIPE = {"epochs": 8, "batch_size": 64, "learning_rate": 0.01}
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "check_teddy", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_teddy_tagger(build_teddy, TEDDY_RECIPE)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_teddy_tagger(build_teddy, TEDDY_RECIPE, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Going further
#
# - Train `build_stacked()` with the same budget. What accuracy at "teddy" does it reach,
#   and why can no unidirectional model do better than a coin flip there?
# - Can a bidirectional model be used to predict the *next* word of a sentence? Why not?
