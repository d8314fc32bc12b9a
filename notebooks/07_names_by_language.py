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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/07_names_by_language.ipynb)
#
# # 07 · Capstone: which language is this surname from?
#
# Real data now. About 14,000 surnames in 16 languages, read character by character
# by a GRU (lesson 04) that outputs a language. "Kowalski" is Polish, "Nakamura"
# Japanese, "Ó Súilleabháin" Irish: the evidence is in letter patterns such as
# *-ski*, *-nen*, *Mac*, *van*, which a recurrent network can pick up in any position.
# The data ships inside the `faker` package (MIT licence), so this runs offline.
#
# You will load and encode the names with Keras's `StringLookup`, see why padding must
# be **masked**, train the classifier, read its confusion matrix and try your own names.

# %%
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package and its data
    # %pip install -q "lstmcourse[data] @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %%
import time

import lstmcourse

keras = lstmcourse.setup_notebook(seed=42)

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import datasets
from lstmcourse.plots import plot_histories

# %% [markdown]
# ## 1. The data
#
# `datasets.surnames()` collects the surnames of 16 faker locales (lower-cased, Latin
# script; names found in two languages are dropped), splits each language 70/15/15 into
# train/validation/test with a fixed seed, and encodes every name as a row of character
# ids of length 16, padded with 0.

# %%
data = datasets.surnames()
n_classes, vocab_size = len(data.languages), len(data.vocabulary) + 2   # + padding and unknown
print(f"{len(data.names_train)} train / {len(data.names_val)} validation / {len(data.names_test)} test names, "
      f"{n_classes} languages, {len(data.vocabulary)} characters")
print("x_train", data.x_train.shape, " y_train", data.y_train.shape)
for name, label, ids in zip(data.names_train[:4], data.y_train[:4], data.x_train[:4]):
    print(f"{name:18s} {data.languages[label]:10s} {ids}")

# %%
counts = np.bincount(data.y_train, minlength=n_classes)
majority = float(np.mean(data.y_test == counts.argmax()))
print("names per language (train):", dict(zip(data.languages, counts.tolist())))
print(f"always answering {data.languages[counts.argmax()]!r} scores {majority:.3f} on the test set")

# %% [markdown]
# The classes are unbalanced (Polish and Irish have thousands of names, Japanese a few
# dozen), so accuracy must be compared with the **majority baseline** above, not with
# 1/16.
#
# ## 2. Padding must be masked
#
# Names have different lengths, so they are padded with 0 to a common length. Without a
# mask the GRU keeps reading after the name ends: the padding steps change its state,
# and the prediction depends on *how much* padding there is, which has nothing to do
# with the name. `Embedding(..., mask_zero=True)` marks id 0 as padding; the recurrent
# layer then skips those steps (it carries its state over, as in lesson 01's
# `keras.layers.RNN` mask semantics). Let us build both and check the effect of padding
# on an untrained model:

# %%
def classifier(mask_zero):
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),                                # (batch, chars)
        keras.layers.Embedding(vocab_size, 16, mask_zero=mask_zero),         # (batch, chars, 16)
        keras.layers.GRU(64),                                                # (batch, 64)
        keras.layers.Dense(n_classes, activation="softmax"),                # (batch, 16)
    ])


short = data.encode(["kowalski"])                          # padded to 16
longer = np.pad(short, ((0, 0), (0, 14)))                  # the same name padded to 30
for mask_zero in (True, False):
    model = classifier(mask_zero)
    change = float(np.max(np.abs(model(short) - model(longer))))
    print(f"mask_zero={mask_zero!s:5s}: output changes with the padding length: {change > 1e-6}")
    assert (change < 1e-6) == mask_zero

# %% [markdown]
# With the mask, extra padding changes nothing; without it, the output moves. (A model
# can partly learn to ignore padding by itself, but it wastes capacity and
# training time on it, and its predictions still shift with the padding length.)
#
# ## 3. Training, with and without the mask

# %%
# NBVAL_IGNORE_OUTPUT
histories, models = {}, {}
for mask_zero in (True, False):
    label = "masked" if mask_zero else "not masked"
    model = classifier(mask_zero)
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    histories[label] = model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                                 epochs=10, batch_size=64, verbose=0)
    models[label] = model
    print(f"{label:11s} validation accuracy per epoch:",
          [round(a, 3) for a in histories[label].history["val_accuracy"]], f"took {time.perf_counter() - start:.1f} s")

# %%
plot_histories(histories, metric="accuracy", title="Surnames: GRU(64), 10 epochs", baseline=majority)
plt.show()

# %%
model = models["masked"]
test_accuracy = float(np.mean(model.predict(data.x_test, verbose=0).argmax(-1) == data.y_test))
first_epoch = {k: h.history["val_accuracy"][0] for k, h in histories.items()}
assert test_accuracy > majority + 0.35, "the GRU should beat the majority baseline by a wide margin"
assert first_epoch["masked"] > first_epoch["not masked"], "masking should speed up the start of training"
print(f"test accuracy above {majority + 0.35:.2f} (majority baseline + 0.35):", test_accuracy > majority + 0.35)
print("after one epoch the masked model is ahead:", first_epoch["masked"] > first_epoch["not masked"])

# %% [markdown]
# ## 4. Where does it go wrong? The confusion matrix
#
# Row = true language, column = predicted language, each row normalised to 1.

# %%
pred_test = model.predict(data.x_test, verbose=0).argmax(-1)
confusion = np.zeros((n_classes, n_classes))
np.add.at(confusion, (data.y_test, pred_test), 1)
confusion /= confusion.sum(axis=1, keepdims=True)
fig, ax = plt.subplots(figsize=(8, 7))
image = ax.imshow(confusion, cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(n_classes), data.languages, rotation=90)
ax.set_yticks(range(n_classes), data.languages)
ax.set_xlabel("predicted language")
ax.set_ylabel("true language")
ax.set_title("Surnames: test-set confusion matrix (row-normalised)")
ax.grid(False)
plt.colorbar(image, ax=ax)
plt.show()

# %%
# NBVAL_IGNORE_OUTPUT
pairs = [(confusion[i, j], data.languages[i], data.languages[j])
         for i in range(n_classes) for j in range(n_classes) if i != j]
for share, true, predicted in sorted(pairs, reverse=True)[:5]:
    print(f"{share:.0%} of {true} names are taken for {predicted}")
per_language = np.diag(confusion)
print("best recognised:", [data.languages[i] for i in np.argsort(per_language)[::-1][:4]])

# %% [markdown]
# When this notebook was written, the largest confusions were Czech names taken for
# Slovak (the two languages share spelling and many surnames) and the small classes
# (Japanese, Portuguese and Chinese have a few dozen training names each) taken for
# large ones, while languages with distinctive patterns and many examples (Irish with
# *ó*/*mac*, Finnish with *-nen*, Italian, Polish with *-ski*/*-cz*) were recognised
# best. Exact numbers vary from run to run; the pattern does not.
#
# ## 5. Try your own names

# %%
# NBVAL_IGNORE_OUTPUT
my_names = ["Nakamura", "Kowalczyk", "O'Brien", "Rossi", "Van der Berg", "Virtanen", "Dubois", "Schmidt"]
probabilities = model.predict(data.encode(my_names), verbose=0)
for name, p in zip(my_names, probabilities):
    top = np.argsort(p)[::-1][:3]
    print(f"{name:14s} " + ", ".join(f"{data.languages[i]} {p[i]:.2f}" for i in top))

# %% [markdown]
# ## What to try next
#
# - An LSTM instead of the GRU (lesson 03), or a `Bidirectional` GRU (lesson 06: the
#   ending of a name is as telling as its beginning). Is it better, and slower?
# - Two stacked GRU layers (lesson 05).
# - Class weights (`class_weight=` in `fit`) for the small languages: does the
#   confusion matrix become more even, and what happens to overall accuracy?
# - `lstmcourse.trace` on the GRU for a few names: which characters move the update gate?
