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
# 3. measure over seeds, on a task built for it, what depth buys against width at the
#    same parameter budget, and what it costs;
# 4. add dropout between layers, and read a stacked model's summary.

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
#
# Drawn out for two layers: every state of layer 1 is an input of layer 2 at the same
# step, each layer has its own weights, and only layer 2's last state leaves the stack.

# %% alt="Diagram of two stacked LSTM layers unrolled over four steps. Layer 1 (its own W, U, b) reads the inputs x_1 to x_4, shape (batch, T, features), starting from h_0 of layer 1, and with return_sequences=True passes every state h_1 to h_4 up as the inputs of layer 2, shape (batch, T, units_1). Layer 2 (its own weights) runs along the same steps from its own h_0 with return_sequences=False, and only its last state h_4 leaves the stack, shape (batch, units_2)."
_ = diagrams.stacked_rnn(steps=4, cell="LSTM")
plt.show()

# %% [markdown]
# In code, the stack is a list of layers applied one after the other:

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
# linear threshold of the top state. So the recurrent layers must build an XOR-like
# feature themselves. A second layer gives them an extra non-linear stage at every step;
# a single layer has to store the bits and combine them in the same units, through the
# tanh of its recurrence.
#
# Depth adds parameters, so "two layers beat one" proves little unless the single
# layer gets **as many parameters**. We train, 10 epochs each:
#
# - 1, 2 and 3 stacked SimpleRNN layers of 8 units;
# - one layer of 14 units, which has about as many parameters as the 2 × 8 stack
#   (239 against 225): depth against width at the same budget.
#
# Whether a small recurrent network learns XOR depends on its random start, so each
# model is trained from 8 seeds (`lstmcourse.experiments.train_seeds`), and the single
# 8-unit layer, the cheapest model, from 16 (why, below the results). A seed *solves* the task when its validation accuracy on the scored
# steps exceeds 0.95; chance is 0.5.

# %%
seed = lstmcourse.notebook_seed()            # every random draw below follows the notebook's seed
x_train, y_train = tasks.delayed_xor(3000, length=20, delays=(3, 6), seed=seed + 1)
x_val, y_val = tasks.delayed_xor(1000, length=20, delays=(3, 6), seed=seed + 2)
print("x", x_train.shape, " y", y_train.shape)
print("input :", x_train[0, :12, 0].astype(int))
print("target:", y_train[0, :12, 0].astype(int), "(scored from step 6)")

EPOCHS, SOLVED = 10, 0.95
configs = {"1 x 8": (1, 8, 16), "2 x 8": (2, 8, 8), "3 x 8": (3, 8, 8), N_("1 x 14 (wide)"): (1, 14, 8)}   # depth, units, seeds


def stack_builder(depth, units):
    def build():                                   # called once per seed
        layers = [keras.Input((None, 1))]
        layers += [keras.layers.RNN(SimpleRNNCell(units), return_sequences=True) for _ in range(depth)]
        layers += [keras.layers.Dense(1, activation="sigmoid")]
        return keras.Sequential(layers)
    return build


def scored_accuracy(model):
    """Validation accuracy on the scored steps (t >= 6)."""
    probabilities = keras.ops.convert_to_numpy(model(x_val))    # (1000, 20, 1); one call, quicker than predict here
    return float(np.mean((probabilities[:, 6:] > 0.5) == (y_val[:, 6:] > 0.5)))


# %%
# NBVAL_IGNORE_OUTPUT
results = {}
for name, (depth, units, seeds) in configs.items():
    r = experiments.train_seeds(stack_builder(depth, units), x_train, y_train, loss="binary_crossentropy",
                                seeds=seeds, optimizer=lambda: keras.optimizers.Adam(0.01),
                                epochs=EPOCHS, batch_size=64)
    accuracy = np.array([scored_accuracy(r.model(i)) for i in range(seeds)])
    results[name] = {"params": r.model(0).count_params(), "accuracy": accuracy, "seeds": seeds,
                     "solved": int(np.sum(accuracy > SOLVED)), "seconds_per_epoch": r.seconds / EPOCHS}
print(f"{'model':14s} {'params':>6s}  {'solved':>6s}  val accuracy, median (min–max)       s / epoch (all its seeds)")
for name, res in results.items():
    print(f"{name:14s} {res['params']:6d}  {res['solved']:3d}/{res['seeds']:<2d}  {experiments.spread(res['accuracy'], 3):33s}"
          f"  {res['seconds_per_epoch']:.2f}")
print(f"took {sum(res['seconds_per_epoch'] for res in results.values()) * EPOCHS:.0f} s")

# %%
solved = {name: res["solved"] for name, res in results.items()}
assert solved["3 x 8"] >= 5, "three layers solve it on at least 5 of their 8 seeds"
assert solved["2 x 8"] + solved["1 x 14 (wide)"] >= 6, \
    "at ~230 parameters, deep and wide together solve it on at least 6 of their 16 runs"
assert 1 <= solved["1 x 8"] <= 16 - 1, "one layer of 8 units solves it on some seeds and fails on others"
print(", ".join(f"{name}: {k}/{results[name]['seeds']}" for name, k in solved.items()), "seeds solved")

# %% alt="Two panels for delayed XOR after 10 epochs. Left: validation accuracy on the scored steps, one point per seed and a bar at the median, for 1 x 8, 2 x 8 and 3 x 8 stacked SimpleRNN layers and one wide layer of 14 units, with a dashed 'solved' line at 0.95 and a dotted line at chance (0.5). The single 8-unit layer's seeds split into two groups, some near 1.0 and the others near chance; the other models have most of their seeds near 1.0, with a few near chance. Right: a bar chart of their parameter counts: the single 8-unit layer is the cheapest, three layers the most expensive, and the wide 14-unit layer costs about as much as the 2 x 8 stack."
names = list(results)
fig, (ax_acc, ax_cost) = plt.subplots(1, 2, figsize=(12, 4))
experiments.plot_spread({n: results[n]["accuracy"] for n in names}, ax=ax_acc, ylabel=tr("validation accuracy (scored steps)"),
                        reference=0.5, reference_label=tr("chance"))
ax_acc.axhline(SOLVED, color="black", linestyle="--", lw=1)
ax_acc.set_title(tr("Delayed XOR after {epochs} epochs: one point per seed", epochs=EPOCHS))
ax_cost.bar(range(len(names)), [results[n]["params"] for n in names], color=["C0", "C0", "C0", "C1"])
ax_cost.set_xticks(range(len(names)), [tr(n) for n in names])
ax_cost.set_ylabel(tr("parameters"))
ax_cost.set_title(tr("What it costs"))
ax_cost.tick_params(axis="x", rotation=15)
plt.show()

# %% [markdown]
# What the seeds show:
#
# - **One layer of 8 units is unreliable**, not incapable: it solves delayed XOR from
#   some starts and stays near chance from others (the check above requires both among
#   its 16 seeds; the table prints how many solved in this run, the plot shows the two
#   groups of points). This claim has two sides, which is why this model, the cheapest
#   to train, gets twice the seeds of the others: the more seeds, the less likely a run
#   in which they all happen to land on the same side.
# - **More parameters help, as depth or as width, but not every model becomes
#   reliable.** In this run three layers solved it on 8/8 seeds, the deep 2 × 8 stack
#   on 6/8 and the parameter-matched wide 1 × 14 layer on 5/8. The checks above ask for
#   less, with a margin that another notebook seed almost surely keeps (`studies/` in
#   the repository trains these models for many more seeds): at least 5 of 8 for three
#   layers, and at least 6 of the 16 runs of deep and wide together. At the
#   same budget the deep model solved it on 6 of its 8 seeds and the wide one on 5 of 8,
#   and 8 seeds each cannot tell apart a difference of a seed or two: this run does not
#   show depth beating width. (Which is better is an empirical question per task; the
#   wide layer makes one pass over the sequence instead of two.)
# - A single run would have told you any of these stories, "one layer cannot" included;
#   only the seeds tell which one holds.
#
# - Depth costs: every extra layer adds its parameters (its kernel takes the previous
#   layer's units as input) and a full pass over the sequence, run after the pass of
#   the layer below. The table's last column prints the seconds per epoch measured on
#   your machine for *all* of a model's seeds together, so the 1 × 8 row, with twice
#   the seeds, is not comparable with the others as it stands. Timings also depend on
#   whatever else the machine is doing, and on a busy machine they can come out in an
#   order the structure does not predict: read them as this run's, not as a law.
# - In practice 2 to 3 stacked layers are common; more rarely help without residual
#   connections.
#
# ## 4. Dropout between layers
#
# Deeper models overfit more easily. Three kinds of dropout apply to stacks:
#
# - `keras.layers.Dropout(rate)` between recurrent layers drops entries of the
#   sequence passed upwards, with a **fresh mask at every step**: a unit is on at step 3
#   and off at step 4.
# - **Per-sequence** dropout between layers: `keras.layers.SpatialDropout1D(rate)`, or
#   equivalently `Dropout(rate, noise_shape=(None, 1, units))`, draws one mask per
#   sequence and drops the *same* units at every step (the mask is broadcast over the
#   time axis). The next layer then sees a consistently thinner input, not flickering
#   noise.
# - The cells' own `dropout` (on the inputs) and `recurrent_dropout` (on $h_{t-1}$) also
#   use **one mask per sequence** (Gal & Ghahramani, 2016), so the memory is not
#   disturbed differently at each step.
#
# The price of `recurrent_dropout`: on a GPU, `keras.layers.LSTM` and `GRU` use the
# fused cuDNN kernel only when `recurrent_dropout == 0` (besides tanh/sigmoid
# activations, `use_bias=True`, `unroll=False`, and `reset_after=True` for the GRU).
# Any `recurrent_dropout > 0` sends them to the generic step-by-step loop, which gives
# up the fused kernel's speed (this lesson, run on a CPU, does not measure by how much). Input `dropout` and dropout layers between the recurrent layers
# keep the cuDNN path.
#
# The masks, on a sequence of ones (4 sequences, 20 steps, 8 units), in training mode:

# %%
ones = np.ones((4, 20, 8), dtype="float32")
masks = {
    "Dropout(0.25)": keras.layers.Dropout(0.25, seed=seed),
    "Dropout(0.25, noise_shape=(None, 1, 8))": keras.layers.Dropout(0.25, noise_shape=(None, 1, 8), seed=seed),
    "SpatialDropout1D(0.25)": keras.layers.SpatialDropout1D(0.25, seed=seed),
}
constant = {}
for name, layer in masks.items():
    out = keras.ops.convert_to_numpy(layer(ones, training=True))           # (4, 20, 8): 0 or 1/(1 - 0.25)
    constant[name] = int(np.sum(np.all(out == out[:, :1, :], axis=1)))      # (sequence, unit) pairs unchanged over time
    print(f"{name:40s} kept {np.mean(out > 0):.0%} of entries; units with the same mask at all 20 steps: "
          f"{constant[name]:2d} of 32")
assert constant["SpatialDropout1D(0.25)"] == 32 and constant["Dropout(0.25, noise_shape=(None, 1, 8))"] == 32
assert constant["Dropout(0.25)"] < 8

# %% [markdown]
# A regularised stack: per-sequence `recurrent_dropout` inside the first layer (fine on
# a CPU; on a GPU it would cost the cuDNN path), per-sequence dropout between the
# layers. All of them are active only in training (`model.fit`, or
# `training=True`), not in `predict`:

# %%
keras.utils.set_random_seed(seed)
regularised = keras.Sequential([
    keras.Input((None, 1)),
    keras.layers.RNN(SimpleRNNCell(8, recurrent_dropout=0.1, seed=seed), return_sequences=True),
    keras.layers.SpatialDropout1D(0.1, seed=seed),
    keras.layers.RNN(SimpleRNNCell(8), return_sequences=True),
    keras.layers.Dense(1, activation="sigmoid"),
])
sample = x_val[:16]          # 16 sequences: 256 mask entries per dropout, so some unit is dropped
inference_change = float(np.max(np.abs(regularised(sample, training=False) - regularised(sample, training=False))))
training_change = float(np.max(np.abs(regularised(sample, training=True) - regularised(sample, training=False))))
print(f"two inference passes differ by {inference_change:.1f}; a training pass differs from inference "
      f"by up to {training_change:.2f}")
assert inference_change == 0.0 and training_change > 0.0

# %% [markdown]
# ## 5. Reading a stacked model's summary
#
# Each recurrent layer's parameter count is $g \cdot (\text{in} \cdot u + u \cdot u + u)$
# with $g$ blocks (1 for SimpleRNN, 3 GRU, 4 LSTM), where "in" is the previous layer's
# units. Keras's GRU, with its default `reset_after=True`, has one more bias row, the
# recurrent bias of lesson 04: $3 \cdot (\text{in} \cdot u + u \cdot u + u) + 3u$.
# Dropout layers have none.

# %%
regularised.summary()

# %%
expected = [1 * (1 * 8 + 8 * 8 + 8), 0, 1 * (8 * 8 + 8 * 8 + 8), 8 + 1]
counted = [layer.count_params() for layer in regularised.layers]
print("by hand:", expected, " Keras:", counted)
assert counted == expected
gru_on_top = keras.Sequential([keras.Input((None, 8)), keras.layers.GRU(8)])       # in = 8, u = 8
gru_by_hand = 3 * (8 * 8 + 8 * 8 + 8) + 3 * 8
print(f"GRU(8) on 8 inputs: by hand 3·(8·8 + 8·8 + 8) + 3·8 = {gru_by_hand}, Keras: {gru_on_top.count_params()}")
assert gru_on_top.count_params() == gru_by_hand

# %% [markdown]
# ## What you should take away
#
# - Lower layers of a stack need `return_sequences=True`: shapes go
#   (batch, time, units) → (batch, time, units) → (batch, units).
# - `RNN([cell1, cell2])` is the same computation as two stacked `RNN` layers.
# - Depth adds non-linear processing at every step. On delayed XOR, one 8-unit layer
#   solves it on only some seeds; three layers on all 8 in this run; two layers, or one
#   wider layer with as many parameters, on a good share of them but not reliably. At the
#   same budget, this run does not tell depth and width apart.
# - Regularise stacks with per-sequence dropout between layers (`SpatialDropout1D`, or
#   `Dropout` with `noise_shape=(None, 1, units)`) and the cells' per-sequence
#   `dropout`/`recurrent_dropout`; on a GPU, `recurrent_dropout > 0` costs the cuDNN kernel.
#
# ## Exercises / going further
#
# 1. Replace the SimpleRNN cells by `LSTMCell(8)`. Does one LSTM layer solve delayed XOR?
# 2. Find the narrowest single layer that solves the task on at least 7 of 8† seeds in
#    10 epochs. Compare its parameters and time with the 2 × 8 stack.
# 3. Add a residual connection (`keras.layers.Add`) around the second layer of a
#    3-layer stack (use the functional API). *Hint:* the functional API calls layers
#    on tensors and then names the model's inputs and outputs; a skip connection is
#    just a tensor used twice:
#
#    ```python
#    inputs = keras.Input((None, 1))
#    h1 = keras.layers.RNN(SimpleRNNCell(8), return_sequences=True)(inputs)
#    h2 = keras.layers.RNN(SimpleRNNCell(8), return_sequences=True)(h1)
#    h2 = keras.layers.Add()([h1, h2])                  # the residual: h1 + layer2(h1)
#    h3 = keras.layers.RNN(SimpleRNNCell(8), return_sequences=True)(h2)
#    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h3))
#    ```
# 4. Lab 05 (`exercises/lab05`) asks you to build stacked and bidirectional models to
#    given shapes.
#
# **Next:** lesson 06 reads the sequence in both directions.
