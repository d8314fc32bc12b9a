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
# 3. measure a unidirectional and a bidirectional tagger on the Teddy task, over five
#    seeds;
# 4. see why a bidirectional model cannot be used for streaming or next-step prediction.

# %%
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %%
import lstmcourse

keras = lstmcourse.setup_notebook(seed=42)

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import diagrams, experiments, tasks
from lstmcourse.i18n import N_, tr
from lstmcourse.cells import LSTMCell

seed = lstmcourse.notebook_seed()   # every random draw below derives from it

# %% [markdown]
# ## 1. Two passes and a merge
#
# $$\overrightarrow{h}_t = \text{RNN}_{\rightarrow}(x_t, \overrightarrow{h}_{t-1}), \qquad
# \overleftarrow{h}_t = \text{RNN}_{\leftarrow}(x_t, \overleftarrow{h}_{t+1}), \qquad
# y_t = \text{merge}(\overrightarrow{h}_t, \overleftarrow{h}_t).$$
#
# The two RNNs have separate weights. $\overrightarrow{h}_t$ summarises $x_1 \dots x_t$ and
# $\overleftarrow{h}_t$ summarises $x_t \dots x_T$, so $y_t$ sees the whole sequence:

# %% alt="Diagram of a bidirectional layer over three steps. The forward chain (blue) reads x_1 to x_T, from its initial state to its states forward h_1, forward h_2, forward h_3; the backward chain (orange) reads x_T to x_1, from its own initial state backward h_4 back to backward h_1. At every step both states enter a merge box that gives y_t. A legend on the right: merge_mode='concat' (the default) gives y_t = [forward h_t, backward h_t] of shape (batch, T, 2*units); merge_mode='sum' gives y_t = forward h_t + backward h_t of shape (batch, T, units). Keras flips the backward outputs back in time, so both halves of y_t belong to x_t."
_ = diagrams.bidirectional_rnn(steps=3)
plt.show()

# %% [markdown]
# Keras's `Bidirectional` wrapper builds both from one layer; `merge_mode` decides how
# they meet:

# %%
x = np.random.default_rng(seed).normal(size=(4, 7, 3)).astype("float32")   # (batch, time, features)
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
x_train, y_train, pos_train = tasks.teddy(2000, seed=seed)
x_val, y_val, pos_val = tasks.teddy(1000, seed=seed + 1)
print("x", x_train.shape, " y", y_train.shape)
for i in range(4):
    words = [tasks.TEDDY_VOCAB[t] for t in x_train[i] if t]
    tags = [tasks.TEDDY_TAGS[t] for t in y_train[i][: len(words)]]
    print(" ".join(f"{w}/{t}" if t != "O" else w for w, t in zip(words, tags)))

# %% [markdown]
# Every token gets a tag, so the overall accuracy is dominated by the many easy `O`
# tokens. What we care about is the accuracy **at "teddy"**, the one tagged token of each
# sentence. A metric that scores only the tagged tokens (weight 1 where the true tag is
# not `O`, 0 elsewhere) tracks it during training. Guessing there scores the share of
# the more frequent of the two tags in the validation set, about 0.5:

# %%
class TeddyAccuracy(keras.metrics.SparseCategoricalAccuracy):
    """Accuracy on the tagged tokens only (true tag ≠ O): the word "teddy"."""

    def __init__(self, name="teddy_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        on_teddy = keras.ops.cast(keras.ops.not_equal(y_true, 0), "float32")   # (batch, time): 1 at "teddy"
        return super().update_state(y_true, y_pred, sample_weight=on_teddy)


teddy_tags = y_val[np.arange(len(y_val)), pos_val]                 # PERSON (1) or TOY (2), one per sentence
chance = float(max(np.mean(teddy_tags == 1), np.mean(teddy_tags == 2)))
print(f"guessing the more frequent tag at 'teddy' scores {chance:.3f} on the validation set")


# %% [markdown]
# The tagger reads token ids, so its first layer is a `keras.layers.Embedding`: a
# trainable table with one vector of 8 numbers per word id, looked up for every token
# (batch, time) → (batch, time, 8). `mask_zero=True` declares id 0 as padding: the layer
# also emits a mask, `False` at padded steps, which the recurrent layer and the loss
# respect. The RNN returns its state at every step (`return_sequences=True`), and a
# `Dense` layer with a softmax turns each state into three probabilities (O, PERSON,
# TOY), one distribution per token. The targets are integer tags, not one-hot vectors,
# so the loss is `sparse_categorical_crossentropy`: minus the log of the probability
# given to the true tag, averaged over the unmasked tokens.

# %%
def tagger(bidirectional):
    rnn = keras.layers.RNN(LSTMCell(16), return_sequences=True)
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=True),  # (batch, time, 8)
        keras.layers.Bidirectional(rnn) if bidirectional else rnn,          # (batch, time, 32 or 16)
        keras.layers.Dense(len(tasks.TEDDY_TAGS), activation="softmax"),   # (batch, time, 3)
    ])


# %% [markdown]
# Each tagger is trained under five seeds (the seeds set the initial weights; the
# five replicas see the same batches, see `lstmcourse.experiments`):

# %%
# NBVAL_IGNORE_OUTPUT
runs, teddy_final, other_final = {}, {}, {}
n_tokens = int(np.sum(x_val > 0))                                  # validation tokens, padding excluded
for name, bidirectional in ((N_("unidirectional LSTM"), False), (N_("bidirectional LSTM"), True)):
    runs[name] = experiments.train_seeds(
        lambda: tagger(bidirectional), x_train, y_train, seeds=5, loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy", TeddyAccuracy],
        epochs=4, batch_size=64, validation_data=(x_val, y_val))
    teddy_final[name] = runs[name].final("val_teddy_accuracy")
    # the other tokens (all "O"): (correct tokens - correct at "teddy") / (tokens - sentences)
    correct = runs[name].final("val_accuracy") * n_tokens
    other_final[name] = (correct - teddy_final[name] * len(x_val)) / (n_tokens - len(x_val))
    print(f"{name:20s} accuracy at 'teddy' {experiments.spread(teddy_final[name])}, "
          f"on the other tokens {experiments.spread(other_final[name])}, "
          f"params {runs[name].model(0).count_params()}, took {runs[name].seconds:.1f} s")

# %%
# NBVAL_IGNORE_OUTPUT
uni, bi = teddy_final["unidirectional LSTM"], teddy_final["bidirectional LSTM"]
assert np.max(uni) < chance + 0.05, "a left-to-right tagger cannot see the deciding words: it stays at chance"
assert np.min(bi) > 0.95, "the bidirectional tagger reads them, on every seed"
assert np.min(other_final["unidirectional LSTM"]) > 0.99, "the O tokens are easy for both"
print(f"unidirectional: best seed {np.max(uni):.2f} at 'teddy' (chance {chance:.2f}); "
      f"bidirectional: worst seed {np.min(bi):.2f}")

# %% alt="Two panels for the teddy-tagging task, unidirectional LSTM in blue and bidirectional LSTM in orange, trained under five seeds. Left: accuracy at the word 'teddy' per epoch (1 to 4), validation for every seed (thin) and the median (thick), training medians dashed, with a dotted line at chance: the bidirectional tagger reaches 1.0, the unidirectional one ends at the chance line. Right: validation accuracy at 'teddy' after 4 epochs, one point per seed: the unidirectional seeds all sit on the chance line, the bidirectional seeds all at 1.0."
fig, (ax_curves, ax_final) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
for name, color in (("unidirectional LSTM", "C0"), ("bidirectional LSTM", "C1")):
    experiments.plot_curves(runs[name], "val_teddy_accuracy", ax=ax_curves, label=tr("{name}, validation", name=name), color=color)
    train_curves = runs[name].history["teddy_accuracy"]
    ax_curves.plot(np.arange(1, train_curves.shape[1] + 1), np.median(train_curves, axis=0), "--", color=color,
                   alpha=0.7, label=tr("{name}, training (median)", name=name))
ax_curves.axhline(chance, color="gray", linestyle=":", label=tr("chance"))
ax_curves.set_xticks(range(1, 5))
ax_curves.set_ylabel(tr("accuracy at 'teddy'"))
ax_curves.set_title(tr("Teddy tagging: accuracy at 'teddy' per epoch"))
ax_curves.legend(fontsize=8)
experiments.plot_spread(teddy_final, ax=ax_final, ylabel=tr("validation accuracy at 'teddy'"),
                        reference=chance, reference_label=tr("chance"))
ax_final.set_title(tr("after 4 epochs, 5 seeds"))
plt.tight_layout()
plt.show()

# %% [markdown]
# On every seed the unidirectional tagger gets all the other tokens right (they are all
# `O`, so its accuracy over all tokens looks high), but on the word that matters it ends
# at chance: its accuracy at "teddy" is exactly the share of the more frequent tag in the
# validation set, as if it gave every "teddy" that one tag. At
# position $t$ it has seen only $x_1 \dots x_t$, and those are the same for both tags.
# The bidirectional tagger's backward half has already read "bears" or "Roosevelt"
# when it reaches "teddy", and tags it correctly on every seed. (In the left plot,
# after the first epoch the unidirectional tagger is not even at chance at "teddy": it
# gets none right in the median, so it still gives "teddy" the tag of every other
# token, `O`. The training curves start lower because an epoch's training accuracy
# averages over the whole epoch, including its first, untrained batches; and a tagger
# at chance scores the chance level of the *training* sentences there, which need not
# equal the validation set's.)
#
# ## 4. Why bidirectional models cannot stream
#
# The price of looking ahead: the output at step $t$ depends on inputs that have not
# arrived yet. Take 200 validation sentences, change only the **last**
# word of each (to "today", or to "cute" where it already was "today"), and compare the
# predicted probabilities *at "teddy"* (one trained model of each kind):

# %%
sentences = x_val[:200]
changed = sentences.copy()
rows, last = np.arange(len(sentences)), np.sum(sentences > 0, axis=1) - 1
today, cute = tasks.TEDDY_VOCAB.index("today"), tasks.TEDDY_VOCAB.index("cute")
changed[rows, last] = np.where(sentences[rows, last] == today, cute, today)   # edit the final token only
moved = {}
for name in runs:
    model = runs[name].model(0)
    before = model.predict(sentences, verbose=0)[rows, pos_val[:200]]     # (200, 3) probabilities at "teddy"
    after = model.predict(changed, verbose=0)[rows, pos_val[:200]]
    moved[name] = int(np.sum(np.any(before != after, axis=1)))
    print(f"{name:20s} prediction at 'teddy' moved in {moved[name]:3d} of {len(sentences)} sentences")
assert moved["unidirectional LSTM"] == 0, "a left-to-right model has not read the last word yet"
assert moved["bidirectional LSTM"] == len(sentences), "the backward half read it first"

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
# A forecaster whose backward half reads the future is one kind of leakage, information
# from what it must predict;
# [lesson 12, §3](12_when_rnns_fail.ipynb#3-leakage-a-scaler-fitted-before-the-split)
# shows another kind, a scaler fitted before the split, and how the doctor finds it.
#
# ## What you should take away
#
# - A bidirectional RNN runs one RNN forwards and one backwards (separate weights) and
#   merges them per step: `concat` → 2·units, `sum`/`mul`/`ave` → units.
# - `Bidirectional(layer)` equals the forward layer plus a `go_backwards` copy whose
#   outputs are flipped back; we rebuilt it by hand.
# - When the label depends on what comes later (Teddy bears vs Teddy Roosevelt), a
#   left-to-right model stays at chance at "teddy" on every seed (while getting the easy
#   `O` tokens right), and a bidirectional one solves it on every seed.
# - Measure the accuracy where the question is, not the average over all tokens.
# - Looking ahead rules out streaming and next-step prediction.
#
# ## Exercises / going further
#
# 1. Use `merge_mode="sum"`. Does the tagger still solve the task with half the features,
#    on all five seeds?
# 2. Give the unidirectional tagger a delay: predict the tag of token $t$ at step $t+1$
#    (shift the targets). Does it solve the task now? What does this say about streaming
#    with a small latency? *Hint:* `y_shifted = np.roll(y_train, 1, axis=1)` with the
#    first column set to 0 (tag O), and the same for validation.
# 3. Stack two bidirectional layers (lesson 05). What is the shape between them?
# 4. Lab 05 (`exercises/lab05`) asks you to reach a target accuracy on this task within
#    a time budget.
