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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/06_bidirectional_rnns.ipynb)
#
# # 06 · Bidirectional recurrent networks
#
# Read these two sentences only up to the word "Teddy":
#
# - "He said, Teddy **bears are on sale**." (a toy)
# - "He said, Teddy **Roosevelt was a great president**." (a person)
#
# Up to "Teddy" they are identical. A left-to-right RNN that must label "Teddy" when it
# reaches it can only guess; the words that decide come *after* it. A bidirectional
# RNN runs a second RNN from the end of the sentence backwards and combines both. In
# this lesson you will
#
# 1. build the forward and backward passes and the merge modes, with their shapes;
# 2. check that `Bidirectional` really is "one RNN forwards, one backwards";
# 3. measure a unidirectional and a bidirectional tagger on the Teddy task;
# 4. see why a bidirectional model cannot be used for streaming or next-step prediction.

# %%
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %%
import time

import lstmcourse

keras = lstmcourse.setup_notebook(seed=42)

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import tasks
from lstmcourse.cells import LSTMCell
from lstmcourse.plots import plot_histories

# %% [markdown]
# ## 1. Two passes and a merge
#
# $$\overrightarrow{h}_t = \text{RNN}_{\rightarrow}(x_t, \overrightarrow{h}_{t-1}), \qquad
# \overleftarrow{h}_t = \text{RNN}_{\leftarrow}(x_t, \overleftarrow{h}_{t+1}), \qquad
# y_t = \text{merge}(\overrightarrow{h}_t, \overleftarrow{h}_t).$$
#
# The two RNNs have separate weights. $\overrightarrow{h}_t$ summarises $x_1 \dots x_t$ and
# $\overleftarrow{h}_t$ summarises $x_t \dots x_T$, so $y_t$ sees the whole sequence. Keras's
# `Bidirectional` wrapper builds both from one layer; `merge_mode` decides how they meet:

# %%
x = np.random.default_rng(0).normal(size=(4, 7, 3)).astype("float32")   # (batch, time, features)
units = 5
for merge_mode in ("concat", "sum", "mul", "ave"):
    bi = keras.layers.Bidirectional(keras.layers.RNN(LSTMCell(units), return_sequences=True), merge_mode=merge_mode)
    print(f"merge_mode={merge_mode!r:9s} -> {tuple(bi(x).shape)}")
bi_last = keras.layers.Bidirectional(keras.layers.RNN(LSTMCell(units)))
print("return_sequences=False, concat ->", tuple(bi_last(x).shape), " (forward's last step + backward's last step)")

# %% [markdown]
# `concat` gives 2·units features per step, the others keep `units`.
#
# ## 2. `Bidirectional` is one RNN forwards and one backwards
#
# The backward half is a copy of the layer with `go_backwards=True`: it reads the
# sequence from the end, and its outputs are flipped back so that position $t$ of both
# halves refers to the same input step. Let us rebuild a `concat` bidirectional layer
# by hand from its two halves:

# %%
bi = keras.layers.Bidirectional(keras.layers.RNN(LSTMCell(units), return_sequences=True))
y_bi = np.asarray(bi(x))                                                   # (batch, time, 2·units)
forward = keras.layers.RNN(LSTMCell(units), return_sequences=True)
backward = keras.layers.RNN(LSTMCell(units), return_sequences=True)
forward(x), backward(x)
forward.set_weights(bi.forward_layer.get_weights())
backward.set_weights(bi.backward_layer.get_weights())
h_fwd = np.asarray(forward(x))                                             # reads x_1 ... x_T
h_bwd = np.asarray(backward(x[:, ::-1]))[:, ::-1]                          # reads x_T ... x_1, flipped back
by_hand = np.concatenate([h_fwd, h_bwd], axis=-1)
print("forward", h_fwd.shape, "+ backward", h_bwd.shape, "->", by_hand.shape)
print("max |Bidirectional - by hand| below 1e-6:", float(np.max(np.abs(by_hand - y_bi))) < 1e-6)
assert np.allclose(by_hand, y_bi, atol=1e-6)

# %% [markdown]
# ## 3. The Teddy task
#
# `lstmcourse.tasks.teddy` makes short sentences and tags every token: `O` (not an
# entity), or, on the word "teddy", `PERSON` or `TOY`. Everything before "teddy" is
# drawn from the same prefixes for both tags, so the left context carries no
# information; the word right after it decides. Sentences have different lengths and
# are padded with 0, so the embedding uses `mask_zero=True` and the padding is ignored
# by the RNNs and by the loss.

# %%
x_train, y_train, pos_train = tasks.teddy(3000, seed=1)
x_val, y_val, pos_val = tasks.teddy(1000, seed=2)
print("x", x_train.shape, " y", y_train.shape)
for i in range(4):
    words = [tasks.TEDDY_VOCAB[t] for t in x_train[i] if t]
    tags = [tasks.TEDDY_TAGS[t] for t in y_train[i][: len(words)]]
    print(" ".join(f"{w}/{t}" if t != "O" else w for w, t in zip(words, tags)))


# %%
def tagger(bidirectional):
    keras.utils.set_random_seed(0)
    rnn = keras.layers.RNN(LSTMCell(16), return_sequences=True)
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=True),  # (batch, time, 8)
        keras.layers.Bidirectional(rnn) if bidirectional else rnn,          # (batch, time, 32 or 16)
        keras.layers.Dense(len(tasks.TEDDY_TAGS), activation="softmax"),   # (batch, time, 3)
    ])


def teddy_accuracy(model):
    """Accuracy of the tag predicted for the word 'teddy' (chance: 0.5)."""
    pred = model.predict(x_val, verbose=0).argmax(-1)
    rows = np.arange(len(x_val))
    return float(np.mean(pred[rows, pos_val] == y_val[rows, pos_val]))


# %%
# NBVAL_IGNORE_OUTPUT
histories, scores = {}, {}
for name, bidirectional in (("unidirectional LSTM", False), ("bidirectional LSTM", True)):
    model = tagger(bidirectional)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    start = time.perf_counter()
    histories[name] = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                                epochs=8, batch_size=64, verbose=0)
    scores[name] = teddy_accuracy(model)
    print(f"{name:20s} accuracy on 'teddy': {scores[name]:.3f}  params {model.count_params()}  "
          f"took {time.perf_counter() - start:.1f} s")
    if bidirectional:
        bi_model = model
    else:
        uni_model = model

# %%
assert scores["unidirectional LSTM"] < 0.65, "a left-to-right tagger cannot see the deciding words"
assert scores["bidirectional LSTM"] > 0.95, "the bidirectional tagger reads them"
print("unidirectional near chance (< 0.65):", scores["unidirectional LSTM"] < 0.65)
print("bidirectional above 0.95:", scores["bidirectional LSTM"] > 0.95)

# %%
plot_histories(histories, title="Teddy tagging: validation loss")
plt.show()

# %% [markdown]
# The unidirectional tagger labels every other token correctly (they are all `O`), so
# its loss is low, but on the word that matters it is stuck at a coin flip: at
# position $t$ it has seen only $x_1 \dots x_t$, and those are the same for both tags.
# The bidirectional tagger's backward half has already read "bears" or "Roosevelt"
# when it reaches "teddy", and tags it almost perfectly.
#
# ## 4. Why bidirectional models cannot stream
#
# The price of looking ahead: the output at step $t$ depends on inputs that have not
# arrived yet. Change only the **last** word of a sentence and compare the predictions
# *at "teddy"*:

# %%
sentence = x_val[:1].copy()
changed = sentence.copy()
last = int(np.sum(sentence > 0)) - 1
changed[0, last] = tasks.TEDDY_VOCAB.index("today")      # edit the final token only
p = int(pos_val[0])
for name, model in (("unidirectional", uni_model), ("bidirectional", bi_model)):
    before = model.predict(sentence, verbose=0)[0, p]
    after = model.predict(changed, verbose=0)[0, p]
    moved = float(np.max(np.abs(before - after)))
    print(f"{name:15s} prediction at 'teddy' changes when the last word changes: {moved > 0}")
    if name == "unidirectional":
        assert moved == 0.0
    else:
        assert moved > 0.0

# %% [markdown]
# The unidirectional prediction at "teddy" is untouched by the future, exactly (it
# has not read it); the bidirectional one moves. So a bidirectional model must wait
# for the *whole* sequence before it can emit anything:
#
# - fine for tagging, classifying or translating a complete sentence;
# - impossible for **next-step prediction** (language modelling, forecasting): the
#   backward pass would read the very answer it is asked to predict;
# - impossible for **streaming** (live speech, sensor data): the output for step $t$
#   would have to wait for the end of the stream.
#
# ## What you should take away
#
# - A bidirectional RNN runs one RNN forwards and one backwards (separate weights) and
#   merges them per step: `concat` → 2·units, `sum`/`mul`/`ave` → units.
# - `Bidirectional(layer)` equals the forward layer plus a `go_backwards` copy whose
#   outputs are flipped back; we rebuilt it by hand.
# - When the label depends on what comes later (Teddy bears vs Teddy Roosevelt), a
#   left-to-right model stays at chance and a bidirectional one solves it.
# - Looking ahead rules out streaming and next-step prediction.
#
# ## Exercises / going further
#
# 1. Use `merge_mode="sum"`. Does the tagger still solve the task with half the features?
# 2. Give the unidirectional tagger a delay: predict the tag of token $t$ at step $t+1$
#    (shift the targets). Does it solve the task now? What does this say about streaming
#    with a small latency?
# 3. Stack two bidirectional layers (lesson 05). What is the shape between them?
# 4. Lab 05 (`exercises/lab05`) asks you to reach a target accuracy on this task within
#    a time budget.
