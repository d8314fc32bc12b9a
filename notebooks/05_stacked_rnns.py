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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/05_stacked_rnns.ipynb)
#
# # 05 · Stacked (deep) recurrent networks
#
# A recurrent layer is deep *in time*, but at each step it applies only one non-linear
# transformation between its input and its state. Stacking layers, so that the
# sequence of states of one layer is the input sequence of the next, adds depth *at
# each step*. In this lesson you will
#
# 1. follow the shapes between stacked layers and the `return_sequences` switch;
# 2. see that a stack of cells in one `RNN` is the same as a stack of layers;
# 3. measure, on a task built for it, what depth buys and what it costs;
# 4. add dropout between layers, and read a stacked model's summary.

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
from lstmcourse.cells import LSTMCell, SimpleRNNCell

# %% [markdown]
# ## 1. Shapes between layers: `return_sequences`
#
# A recurrent layer either returns its state at every step, (batch, time, units), with
# `return_sequences=True`, or only the last one, (batch, units). The next recurrent
# layer needs a *sequence*, so every layer of a stack except (often) the last returns
# sequences:
#
# (batch, time, features) → LSTM(32, return_sequences=True) → (batch, time, 32)
# → LSTM(16, return_sequences=True) → (batch, time, 16) → LSTM(8) → (batch, 8)

# %%
x = np.random.default_rng(0).normal(size=(4, 10, 3)).astype("float32")   # (batch, time, features)
stack = [
    keras.layers.RNN(LSTMCell(32), return_sequences=True),
    keras.layers.RNN(LSTMCell(16), return_sequences=True),
    keras.layers.RNN(LSTMCell(8)),
]
h = x
print("input          ", h.shape)
for layer in stack:
    h = layer(h)
    print(f"{layer.cell.__class__.__name__}({layer.cell.units:2d}) seq={layer.return_sequences!s:5s} ->", tuple(h.shape))

# %% [markdown]
# Forgetting `return_sequences=True` on a lower layer is the most common stacking bug:
# the next layer then receives (batch, units), a single vector, not a sequence. The
# course cells say so:

# %%
try:
    keras.Sequential([
        keras.Input((10, 3)),
        keras.layers.RNN(LSTMCell(32)),          # oops: no return_sequences
        keras.layers.RNN(LSTMCell(16)),
    ])
except ValueError as err:
    print(str(err).splitlines()[0])

# %% [markdown]
# ## 2. A stack of cells is a stack of layers
#
# `keras.layers.RNN` also accepts a *list* of cells (it wraps them in
# `keras.layers.StackedRNNCells`): at each time step it runs cell 1, feeds its output
# to cell 2, and so on. Same weights, same result as separate layers, in one loop:

# %%
two_layers = [keras.layers.RNN(SimpleRNNCell(6), return_sequences=True), keras.layers.RNN(SimpleRNNCell(5))]
one_loop = keras.layers.RNN([SimpleRNNCell(6), SimpleRNNCell(5)])
out_layers = two_layers[1](two_layers[0](x))
one_loop(x)
one_loop.set_weights(two_layers[0].get_weights() + two_layers[1].get_weights())
diff = float(np.max(np.abs(one_loop(x) - out_layers)))
print("weights:", [w.shape for w in one_loop.get_weights()])
print("max |stacked cells - stacked layers| =", diff)
assert diff < 1e-6

# %% [markdown]
# ## 3. When does depth help? A task built for it
#
# **Delayed XOR** (`lstmcourse.tasks.delayed_xor`). The input is a random bit per step;
# the target at step $t$ is $x_{t-3} \oplus x_{t-6}$. Remembering two bits is easy for
# an RNN. Combining them is the hard part: XOR is the textbook function that no single
# linear threshold computes, and the read-out (a `Dense` layer with a sigmoid) *is* a
# linear threshold of the top state. So the recurrent layers must produce an XOR-like
# feature themselves, with only one tanh between their memory and their output at each
# step, unless we stack a second layer.
#
# We train 1, 2 and 3 stacked SimpleRNN layers of 8 units each, 10 epochs, and also a
# single *wider* layer of 16 units, which has more parameters than the two-layer stack.
# Chance accuracy is 0.5.

# %%
x_train, y_train = tasks.delayed_xor(3000, length=20, delays=(3, 6), seed=1)
x_val, y_val = tasks.delayed_xor(1000, length=20, delays=(3, 6), seed=2)
print("x", x_train.shape, " y", y_train.shape)
print("input :", x_train[0, :12, 0].astype(int))
print("target:", y_train[0, :12, 0].astype(int), "(scored from step 6)")


def train_stack(depth, units=8, epochs=10):
    keras.utils.set_random_seed(0)
    layers = [keras.Input((None, 1))]
    layers += [keras.layers.RNN(SimpleRNNCell(units), return_sequences=True) for _ in range(depth)]
    layers += [keras.layers.Dense(1, activation="sigmoid")]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    accuracy = float(np.mean((model.predict(x_val, verbose=0)[:, 6:] > 0.5) == (y_val[:, 6:] > 0.5)))
    return model, {"params": model.count_params(), "accuracy": accuracy, "seconds_per_epoch": seconds}


# %%
# NBVAL_IGNORE_OUTPUT
runs = {f"{d} x 8 units": train_stack(d) for d in (1, 2, 3)}
runs["1 x 16 units (wider)"] = train_stack(1, units=16)
print(f"{'model':22s} {'params':>7s} {'val accuracy':>13s} {'s / epoch':>10s}")
for name, (_, r) in runs.items():
    print(f"{name:22s} {r['params']:7d} {r['accuracy']:13.3f} {r['seconds_per_epoch']:10.2f}")

# %%
acc = {name: r["accuracy"] for name, (_, r) in runs.items()}
assert acc["1 x 8 units"] < 0.7, "one layer of 8 units should not learn the XOR"
assert acc["2 x 8 units"] > 0.95 and acc["3 x 8 units"] > 0.95, "two or three layers should"
print("1 layer of 8 units stays below 0.7:", acc["1 x 8 units"] < 0.7)
print("2 and 3 layers of 8 units reach above 0.95:", acc["2 x 8 units"] > 0.95 and acc["3 x 8 units"] > 0.95)

# %%
names = list(runs)
fig, (ax_acc, ax_cost) = plt.subplots(1, 2, figsize=(12, 4))
ax_acc.bar(names, [runs[n][1]["accuracy"] for n in names], color=["C0", "C0", "C0", "C1"])
ax_acc.axhline(0.5, color="gray", linestyle=":", label="chance")
ax_acc.set_ylabel("validation accuracy")
ax_acc.set_title("Delayed XOR after 10 epochs")
ax_acc.tick_params(axis="x", rotation=20)
ax_acc.legend()
ax_cost.bar(names, [runs[n][1]["params"] for n in names], color=["C0", "C0", "C0", "C1"])
ax_cost.set_ylabel("parameters")
ax_cost.set_title("What it costs")
ax_cost.tick_params(axis="x", rotation=20)
plt.show()

# %% [markdown]
# What the table shows:
#
# - With 8 units per layer, one layer stays near chance, and two or three layers
#   solve the task: the second layer computes the non-linear combination of the bits
#   the first layer remembers.
# - Depth costs: every extra layer adds its parameters (its kernel takes the previous
#   layer's units as input) and a full pass over the sequence, so the time per epoch
#   grows with the number of layers (see the table; stacked layers run one after the
#   other).
# - Depth is not the only way: a single layer twice as wide may also solve it (it has
#   more room to build XOR-like features inside its recurrence). Whether depth or width
#   is cheaper is an empirical question per task; in practice 2 to 3 stacked layers are
#   common, more rarely help without residual connections.
#
# ## 4. Dropout between layers
#
# Deeper models overfit more easily. Two kinds of dropout apply to stacks:
#
# - `keras.layers.Dropout(rate)` between recurrent layers drops units of the sequence
#   passed upwards, with a fresh mask at every step;
# - the cells' own `dropout` (on the inputs) and `recurrent_dropout` (on $h_{t-1}$) use
#   **one mask per sequence**, the same at every step (Gal & Ghahramani, 2016), so the
#   memory is not disturbed differently at each step.
#
# Both are active only in training (`model.fit`), not in `predict`:

# %%
keras.utils.set_random_seed(0)
regularised = keras.Sequential([
    keras.Input((None, 1)),
    keras.layers.RNN(SimpleRNNCell(8, recurrent_dropout=0.1, seed=1), return_sequences=True),
    keras.layers.Dropout(0.1),
    keras.layers.RNN(SimpleRNNCell(8), return_sequences=True),
    keras.layers.Dense(1, activation="sigmoid"),
])
sample = x_val[:2]
same_in_inference = np.allclose(regularised(sample, training=False), regularised(sample, training=False))
differs_in_training = not np.allclose(regularised(sample, training=True), regularised(sample, training=False))
print("inference is deterministic:", same_in_inference, "| training differs (dropout active):", differs_in_training)
assert same_in_inference and differs_in_training

# %% [markdown]
# ## 5. Reading a stacked model's summary
#
# Each recurrent layer's parameter count is $g \cdot (\text{in} \cdot u + u \cdot u + u)$
# with $g$ blocks (1 for SimpleRNN, 3 GRU, 4 LSTM), where "in" is the previous layer's
# units. Dropout layers have none.

# %%
regularised.summary()

# %%
expected = [1 * (1 * 8 + 8 * 8 + 8), 0, 1 * (8 * 8 + 8 * 8 + 8), 8 + 1]
counted = [layer.count_params() for layer in regularised.layers]
print("by hand:", expected, " Keras:", counted)
assert counted == expected

# %% [markdown]
# ## What you should take away
#
# - Lower layers of a stack need `return_sequences=True`: shapes go
#   (batch, time, units) → (batch, time, units) → (batch, units).
# - `RNN([cell1, cell2])` is the same computation as two stacked `RNN` layers.
# - Depth adds non-linear processing at every step. On delayed XOR, one 8-unit layer
#   stays near chance while two or three solve it, at a cost in parameters and time.
# - Regularise stacks with dropout between layers and the cells' per-sequence
#   `dropout`/`recurrent_dropout`.
#
# ## Exercises / going further
#
# 1. Replace the SimpleRNN cells by `LSTMCell(8)`. Does one LSTM layer solve delayed XOR?
# 2. Find the narrowest single layer that solves the task in 10 epochs. Compare its
#    parameters and time with the 2 × 8 stack.
# 3. Add a residual connection (`keras.layers.Add`) around the second layer of a
#    3-layer stack (use the functional API).
# 4. Lab 05 (`exercises/lab05`) asks you to build stacked and bidirectional models to
#    given shapes.
#
# **Next:** lesson 06 reads the sequence in both directions.
