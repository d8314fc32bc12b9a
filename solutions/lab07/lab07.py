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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab07/lab07.ipynb)
#
# # Lab 07 · Generating sequences
#
# Goes with lesson 10. About 45 minutes. Points: 10.
#
# You write the pieces of a character-level generator in NumPy: probabilities with a
# temperature, a sampler, bits per character and a counted bigram baseline, and the loop
# that generates one character at a time while carrying the LSTM's state [h, c]. There is
# no training: the language model has fixed weights.
#
# **Your variant.** Every student gets their own data, sizes and test cases, drawn from a
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

from lstmcourse import lab07_checks as checks
from lstmcourse import variants
from lstmcourse.cells import LSTMCell

VARIANT = variants.current()
data = checks.lab_data(VARIANT)
PAD, END, START = checks.PAD, checks.END, checks.START
print(variants.describe(VARIANT))
print(f"{len(data.x_train)} training names, {len(data.x_test)} test names, {data.n_tokens} tokens: "
      f"{data.tokens!r} after PAD")


def show(row):
    """Token ids -> the characters ('^' start, '.' end)."""
    return "".join(data.tokens[k - 1] for k in row if k != PAD)


print("a training name, as input x and target y:", show(data.x_train[0]), "→", show(data.y_train[0]))

# %% [markdown]
# ## Task 1 · Temperature (2 points)
#
# Write `temperature_probabilities(logits, temperature)`: for logits of shape
# (batch, vocab), the probabilities $p_k = \exp(z_k / T) / \sum_j \exp(z_j / T)$ of each
# row. Subtract each row's maximum before `exp` (the check includes logits near 800), and
# at $T = 0$ return a one-hot row at the argmax (greedy). Do not change `logits`.

# %% nbgrader={"grade": false, "grade_id": "temperature_probabilities", "locked": false, "schema_version": 3, "solution": true, "task": false}
def temperature_probabilities(logits, temperature):
    ### BEGIN SOLUTION
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)     # exp never overflows
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)  # (batch, vocab), rows sum to 1
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_temperature", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_temperature(temperature_probabilities)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07").check_temperature(temperature_probabilities, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · Sampling (2 points)
#
# Write `sample_tokens(logits, temperature, rng)`: one token id per row, drawn from
# `temperature_probabilities(logits, temperature)` with the NumPy generator `rng` (use
# `rng.random` or `rng.choice`, not `np.random`'s global functions), and the argmax at
# $T = 0$. One draw proves nothing, so the check draws thousands and compares the
# frequencies with the probabilities.

# %% nbgrader={"grade": false, "grade_id": "sample_tokens", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_tokens(logits, temperature, rng):
    ### BEGIN SOLUTION
    p = temperature_probabilities(logits, temperature)
    if temperature == 0:
        return np.argmax(p, axis=-1)
    u = rng.random((len(p), 1))                            # one uniform number per row
    return np.argmax(u < np.cumsum(p, axis=-1), axis=-1)   # inverse CDF: (batch,)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_sampling", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_sampling(sample_tokens)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07").check_sampling(sample_tokens, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · Bits per character (1 point)
#
# A model that gives the true next character probability $p$ pays $-\log_2 p$ bits. Write
# `bits_per_char(log2_p, targets)`: the mean of $-\log_2 p$ over the targets that are not
# `PAD` (`log2_p` has one entry per target, padding included; ignore those).

# %% nbgrader={"grade": false, "grade_id": "bits_per_char", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bits_per_char(log2_p, targets):
    ### BEGIN SOLUTION
    real = targets != PAD
    return float(-log2_p[real].mean())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_bits", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_bits(bits_per_char)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07").check_bits(bits_per_char, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 4 · A counted bigram (2 points)
#
# Write `bigram_table(x, y, n_tokens, alpha)`: the table of $\log_2 P(y = j \mid x = i)$
# (the next token $y$ given the previous one $x$), shape (n_tokens, n_tokens), counted over the pairs
# `(x[n, t], y[n, t])` whose target is not `PAD`, with `alpha` added to every count so
# that no pair gets probability 0. (`counts[x, y] += 1` counts a repeated pair once: use
# `np.add.at`.)

# %% nbgrader={"grade": false, "grade_id": "bigram_table", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bigram_table(x, y, n_tokens, alpha):
    ### BEGIN SOLUTION
    counts = np.full((n_tokens, n_tokens), float(alpha))
    real = y != PAD
    np.add.at(counts, (x[real], y[real]), 1.0)
    return np.log2(counts / counts.sum(axis=1, keepdims=True))   # each row sums to 1
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_bigram", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_bigram(bigram_table)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07").check_bigram(bigram_table, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 5 · Your baselines (1 point)
#
# With the lab's `data.alpha`, count on the training names and measure on the test names:
# set `unigram_bits` (the unigram below) and `bigram_bits` (your table) to the bits per
# character of your variant.

# %% nbgrader={"grade": false, "grade_id": "baselines", "locked": false, "schema_version": 3, "solution": true, "task": false} tags=["raises-exception"]
unigram = np.full(data.n_tokens, data.alpha)
np.add.at(unigram, data.y_train[data.y_train != PAD], 1.0)
unigram = np.log2(unigram / unigram.sum())                     # (n_tokens,) log2 P(next = j)
unigram_bits = bigram_bits = None                              # your two numbers replace these
### BEGIN SOLUTION
bigram = bigram_table(data.x_train, data.y_train, data.n_tokens, data.alpha)
unigram_bits = bits_per_char(unigram[data.y_test], data.y_test)
bigram_bits = bits_per_char(bigram[data.x_test, data.y_test], data.y_test)
### END SOLUTION
print(f"unigram {unigram_bits:.3f}, bigram {bigram_bits:.3f} bits per character")

# %% nbgrader={"grade": true, "grade_id": "check_baselines", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_baselines(unigram_bits, bigram_bits)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07").check_baselines(unigram_bits, bigram_bits)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 6 · The generation loop (2 points)
#
# Write `generate(model, first, steps, sample)`: start from zero states of width
# `model.units`; at every step embed the current token (`model.embed(tokens)`), run one
# cell step `out, [h, c] = model.cell(x, [h, c])`, turn h into logits (`model.head(h)`), draw
# the next tokens with `sample(logits)` and feed them back in. Return the `steps` drawn
# tokens, shape (batch, steps), without the first token. The check passes a model and a
# `sample` of its own.

# %% nbgrader={"grade": false, "grade_id": "generate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def generate(model, first, steps, sample):
    ### BEGIN SOLUTION
    h = np.zeros((len(first), model.units), "float32")
    c = np.zeros((len(first), model.units), "float32")
    token, out = np.asarray(first), []
    for _ in range(steps):
        _, (h, c) = model.cell(model.embed(token), [h, c])     # one LSTM step, states carried
        token = np.asarray(sample(model.head(h)))             # (batch,)
        out.append(token)
    return np.stack(out, axis=1)                               # (batch, steps)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_generate", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_generate(generate)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07").check_generate(generate, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Try it
#
# The variant's language model with the course's `LSTMCell` and fixed (untrained) weights,
# in Keras layers: generate a few names at two temperatures, and measure its bits per
# character against your baselines. An untrained model is worse than counting.

# %% nbgrader={"grade": false, "grade_id": "try_it", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
class LanguageModel:
    """embed → course LSTMCell → head, with the variant's fixed weights (no training)."""

    def __init__(self, weights):
        self.units = weights["recurrent_kernel"].shape[0]
        self.embedding = keras.layers.Embedding(data.n_tokens, weights["embeddings"].shape[1])
        self.lstm = keras.layers.RNN(LSTMCell(self.units), return_sequences=True)
        self.dense = keras.layers.Dense(data.n_tokens)
        self.dense(self.lstm(self.embedding(np.zeros((1, 1), "int32"))))       # build
        self.embedding.set_weights([weights["embeddings"]])
        self.lstm.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
        self.dense.set_weights([weights["head_kernel"], weights["head_bias"]])

    def embed(self, tokens):
        return self.embedding(np.asarray(tokens, "int32"))

    def cell(self, x, states):
        return self.lstm.cell(x, states)

    def head(self, h):
        return np.asarray(self.dense(h), dtype="float64")

    def log2_probs(self, x):
        logits = np.asarray(self.dense(self.lstm(self.embedding(x))), dtype="float64")
        return (logits - np.log(np.exp(logits).sum(-1, keepdims=True))) / np.log(2)   # (n, T, vocab)


lm = LanguageModel(data.weights)
rng = np.random.default_rng(VARIANT)
first = np.full(4, START)
never = np.isin(np.arange(data.n_tokens), [PAD, START])              # never a next character
for T in (0.5, 1.0):
    tokens = generate(lm, first, 8, lambda logits: sample_tokens(np.where(never, -np.inf, logits), T, rng))
    print(f"T = {T}:", [show(row).split(".")[0] for row in tokens])
log2_p = np.take_along_axis(lm.log2_probs(data.x_test), data.y_test[..., None], -1)[..., 0]
print(f"untrained LSTM {bits_per_char(log2_p, data.y_test):.2f} bits per character "
      f"(unigram {unigram_bits:.2f}, bigram {bigram_bits:.2f})")

# %% [markdown]
# ## Going further
#
# - Train the `LanguageModel`'s layers on `data.x_train` for a few epochs (lesson 10) and
#   measure again: how close does it get to the bigram, which is the model that made this
#   data?
# - Plot the bits per character of the bigram against `alpha` on the test names.
