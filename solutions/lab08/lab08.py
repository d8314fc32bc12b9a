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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab08/lab08.ipynb)
#
# # Lab 08 · Encoder–decoder attention
#
# Goes with lesson 11. About 50 minutes. Points: 10.
#
# You write additive (Bahdanau) attention three times: in NumPy (the score, the masked
# softmax, the context), as a Keras layer checked against NumPy, and inside one step of
# lesson 11's decoder. There is no training: every weight is given.
#
# **Your variant.** Every student gets their own sizes and test cases, drawn from a
# *variant* (a number from 0 to 999). Working alone, you get variant 0; to try another, set
# the environment variable `LSTMCOURSE_VARIANT` (e.g. `LSTMCOURSE_VARIANT=7 jupyter lab`) before
# starting Jupyter. In a course graded with nbgrader, your variant comes from your student
# id. A number or an array copied from another notebook belongs to another variant, and
# the checks say so.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import numpy as np
from keras import ops

from lstmcourse import lab08_checks as checks
from lstmcourse import variants

VARIANT = variants.current()
case = checks.lab_case(VARIANT)
print(variants.describe(VARIANT))
print("query", case.query.shape, "values", case.values.shape, "mask", case.mask.shape,
      {k: v.shape for k, v in case.params.items()})

# %% [markdown]
# ## Task 1 · The additive score (2 points)
#
# For a query $q$ (a decoder state) and the values $v_1 \dots v_T$ (the encoder's outputs),
#
# $$e_j = w^\top \tanh(W_q q + W_v v_j + b).$$
#
# Write `additive_scores(query, values, params)`: query (batch, query_dim), values
# (batch, Tv, value_dim), `params` with `query_kernel` $W_q$ (query_dim, units),
# `value_kernel` $W_v$ (value_dim, units), `bias` $b$ (units,) and `score_kernel` $w$
# (units,); return the scores, shape (batch, Tv).

# %% nbgrader={"grade": false, "grade_id": "additive_scores", "locked": false, "schema_version": 3, "solution": true, "task": false}
def additive_scores(query, values, params):
    ### BEGIN SOLUTION
    q = query @ params["query_kernel"]                        # (batch, units)
    v = values @ params["value_kernel"]                       # (batch, Tv, units)
    hidden = np.tanh(q[:, None, :] + v + params["bias"])      # (batch, Tv, units)
    return hidden @ params["score_kernel"]                    # (batch, Tv)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_scores", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_scores(additive_scores)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab08").check_scores(additive_scores, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · The masked softmax (2 points)
#
# Padded input positions must get weight exactly 0. Write `masked_softmax(scores, mask)`:
# `mask` (batch, Tv) is True at real positions; return the softmax of each row over its
# real positions, 0 elsewhere. Subtract each row's maximum over its *real* positions first
# (the check has scores near 800, and padded positions whose scores are far above the real
# ones), and give a row with no real position all zeros (not NaN).

# %% nbgrader={"grade": false, "grade_id": "masked_softmax", "locked": false, "schema_version": 3, "solution": true, "task": false}
def masked_softmax(scores, mask):
    ### BEGIN SOLUTION
    top = np.max(np.where(mask, scores, -np.inf), axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)                # an empty row has no maximum
    e = np.where(mask, np.exp(np.where(mask, scores - top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)                # an empty row stays 0
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_masked_softmax", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_masked_softmax(masked_softmax)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab08").check_masked_softmax(masked_softmax, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · The context (1 point)
#
# Write `attention_context(weights, values)`: $\text{context} = \sum_j a_j v_j$ for each
# sample, shape (batch, value_dim).

# %% nbgrader={"grade": false, "grade_id": "attention_context", "locked": false, "schema_version": 3, "solution": true, "task": false}
def attention_context(weights, values):
    ### BEGIN SOLUTION
    return np.einsum("bt,btd->bd", weights, values)           # (batch, value_dim)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_context", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_context(attention_context)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab08").check_context(attention_context, hidden=True)
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "show_weights", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
weights = masked_softmax(additive_scores(case.query, case.values, case.params), case.mask)
print("weights of sample 1 (its padding at 0):", np.round(weights[1], 3))

# %% [markdown]
# ## Task 4 · As a Keras layer (3 points)
#
# Write `MyAdditiveAttention(units)`, a `keras.layers.Layer` with four weights made by
# `add_weight(name=...)` in `build(query_shape, value_shape)`: `query_kernel`
# (query_dim, units), `value_kernel` (value_dim, units), `bias` (units,) and `score_kernel`
# (units,). `call(query, value, value_mask=None)` returns `(context, weights)` as in tasks
# 1–3, with `keras.ops` only (inside a model the inputs are symbolic, and NumPy cannot
# compute on them). Without a mask every position counts. The check builds it in a
# `keras.Model`, sets its weights to its case's, compares it with its own NumPy version and
# takes a training step in which every weight must move.

# %% nbgrader={"grade": false, "grade_id": "my_additive_attention", "locked": false, "schema_version": 3, "solution": true, "task": false} tags=["raises-exception"]
class MyAdditiveAttention(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, query_shape, value_shape):
        ### BEGIN SOLUTION
        self.query_kernel = self.add_weight(shape=(query_shape[-1], self.units), name="query_kernel")
        self.value_kernel = self.add_weight(shape=(value_shape[-1], self.units), name="value_kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")
        self.score_kernel = self.add_weight(shape=(self.units,), name="score_kernel")
        ### END SOLUTION

    def call(self, query, value, value_mask=None):
        ### BEGIN SOLUTION
        q = ops.matmul(query, self.query_kernel)[:, None, :]              # (batch, 1, units)
        v = ops.matmul(value, self.value_kernel)                          # (batch, Tv, units)
        scores = ops.sum(ops.tanh(q + v + self.bias) * self.score_kernel, axis=-1)   # (batch, Tv)
        if value_mask is None:
            weights = ops.softmax(scores, axis=-1)
        else:
            keep = ops.cast(value_mask, "bool")
            weights = ops.softmax(ops.where(keep, scores, -1e9), axis=-1) * ops.cast(keep, scores.dtype)
        return ops.sum(weights[..., None] * value, axis=1), weights       # (batch, value_dim), (batch, Tv)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_layer", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_layer(MyAdditiveAttention)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab08").check_layer(MyAdditiveAttention, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 5 · One decoder step (2 points)
#
# Lesson 11's decoder, one step at a time. Write `decoder_step(model, symbol, states,
# values, value_mask)`: embed the previous symbol (`model.embed(symbol)`), run the cell from
# the carried state (`out, [h, c] = model.cell(x, states)`), query the attention with the
# cell's new output (`context, weights = model.attention(out, values, value_mask)`), and
# read the logits from both, `model.head([out, context] concatenated on the last axis)`.
# Return `(logits, [h, c], weights)`. The check passes a model of its own.

# %% nbgrader={"grade": false, "grade_id": "decoder_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def decoder_step(model, symbol, states, values, value_mask):
    ### BEGIN SOLUTION
    out, (h, c) = model.cell(model.embed(symbol), states)              # (batch, units), new [h, c]
    context, weights = model.attention(out, values, value_mask)        # (batch, value_dim), (batch, Tv)
    logits = model.head(np.concatenate([np.asarray(out), np.asarray(context)], axis=-1))
    return logits, [h, c], weights
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_decoder_step", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_decoder_step(decoder_step)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab08").check_decoder_step(decoder_step, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Going further
#
# - Replace the course's `AdditiveAttention` in lesson 11's `seq2seq` by your
#   `MyAdditiveAttention` and train it: do the exact-match scores change?
# - Feed the context into the cell's input as well (Bahdanau's "input feeding"): which
#   shapes change in `decoder_step`?
