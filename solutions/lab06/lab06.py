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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab06/lab06.ipynb)
#
# # Lab 06 · Find the bug
#
# Goes with lesson 12. About 45 minutes. Points: 10.
#
# Each task gives you a training script that runs without an error and does not learn:
# one failure each, from lesson 12. Run the doctor on it, find the bug, and write the
# fixed script. The check does not read your code: it calls your function on data it
# makes itself, asks `doctor.examine` whether the failure is gone, **trains the model
# itself** for a short budget and measures it on new data. When a fix falls short it
# says what the doctor still finds.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import warnings

import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import numpy as np

from lstmcourse import doctor
from lstmcourse import lab06_checks as checks

L = keras.layers


def show(findings):
    """Print the doctor's problems (not its cuDNN notes)."""
    problems = [f for f in findings if f.severity == "problem"]
    for f in problems:
        print(f"- {f.name}: {f.evidence}\n  fix: {f.fix}")
    if not problems:
        print("- no problem found")


# %% [markdown]
# ## Task 1 · Grams (4 points)
#
# The adding problem of lesson 02, with the targets in grams (`checks.grams_data`). This
# script trains, and its predictions are useless:

# %% nbgrader={"grade": false, "grade_id": "broken_grams", "locked": true, "schema_version": 3, "solution": false, "task": false}
def broken_grams_script(x_train, y_train):
    """Returns the compiled model, the targets to fit it on, and a function from its outputs to grams."""
    model = keras.Sequential([keras.Input((checks.GRAMS_STEPS, 2)), L.LSTM(8), L.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), loss="mse")
    y_fit = y_train
    to_grams = lambda outputs: outputs  # noqa: E731
    return model, y_fit, to_grams


x1, y1 = checks.grams_data(512, seed=1)
model, y_fit, to_grams = broken_grams_script(x1, y1)
show(doctor.examine(model, x1, y_fit))

# %% [markdown]
# Write `grams_script(x_train, y_train)`: the same model, trained (by the check) on
# targets it can reach, and a `to_grams` that turns the model's outputs back into grams.
# Use only `y_train` for any statistic.

# %% nbgrader={"grade": false, "grade_id": "grams_script", "locked": false, "schema_version": 3, "solution": true, "task": false}
def grams_script(x_train, y_train):
    ### BEGIN SOLUTION
    mean, std = float(y_train.mean()), float(y_train.std())
    model = keras.Sequential([keras.Input((checks.GRAMS_STEPS, 2)), L.LSTM(8), L.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), loss="mse")
    y_fit = (y_train - mean) / std
    to_grams = lambda outputs: outputs * std + mean  # noqa: E731
    return model, y_fit, to_grams
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_grams", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_grams(grams_script)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the doctor: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab06").check_grams(grams_script, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · The last word (3 points)
#
# Sequences of 3 to 12 word ids, padded with zeros at the end to 30 steps
# (`checks.last_word_data`); the label says whether the last word is 10 or more. Only
# the last word matters, and this model still does not learn it in a few epochs:

# %% nbgrader={"grade": false, "grade_id": "broken_review", "locked": true, "schema_version": 3, "solution": false, "task": false}
def broken_review_model():
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              L.Embedding(checks.REVIEW_VOCAB, 8),
                              L.LSTM(16),
                              L.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


x2, y2 = checks.last_word_data(512, seed=1)
print("a sequence:", x2[0], " label:", y2[0])
show(doctor.examine(broken_review_model(), x2, y2))

# %% [markdown]
# Write `build_review_model()`, the fixed version. The data are given: the fix is in the
# model.

# %% nbgrader={"grade": false, "grade_id": "build_review_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
def build_review_model():
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              L.Embedding(checks.REVIEW_VOCAB, 8, mask_zero=True),
                              L.LSTM(16),
                              L.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_reviews", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_reviews(build_review_model)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the doctor: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab06").check_reviews(build_review_model, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · Four topics (3 points)
#
# The long-gap task of lesson 03 with 4 classes (`checks.topic_data`). Keras prints a
# warning when this script trains; the doctor says what it means:

# %% nbgrader={"grade": false, "grade_id": "broken_topic", "locked": true, "schema_version": 3, "solution": false, "task": false}
def broken_topic_model():
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              L.Embedding(checks.TOPIC_VOCAB, 8),
                              L.LSTM(16),
                              L.Dense(checks.TOPIC_CLASSES, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


x3, y3 = checks.topic_data(512, seed=1)
with warnings.catch_warnings(record=True) as caught:   # Keras's warning, printed here
    warnings.simplefilter("always")
    show(doctor.examine(broken_topic_model(), x3, y3))
print("Keras warns:", *{str(w.message).split(". ")[0] for w in caught})

# %% [markdown]
# Write `build_topic_model()`, the fixed version: one softmax, wherever you put it.

# %% nbgrader={"grade": false, "grade_id": "build_topic_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
def build_topic_model():
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              L.Embedding(checks.TOPIC_VOCAB, 8),
                              L.LSTM(16),
                              L.Dense(checks.TOPIC_CLASSES)])   # logits
    model.compile(keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_topics", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_topics(build_topic_model)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the doctor: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab06").check_topics(build_topic_model, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Going further
#
# - Break a script of your own on purpose in one of the other ways of lesson 12 (a
#   scaler fitted before the split, `shuffle=True` for a stateful model) and see what
#   the doctor says.
# - In Task 2, pad at the *start* instead (`np.flip` each row's words to the end) without
#   a mask. Does the doctor still find the padding? Does the model learn faster?
