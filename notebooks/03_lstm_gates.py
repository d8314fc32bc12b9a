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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/03_lstm_gates.ipynb)
#
# # 03 · The LSTM: a memory with gates
#
# Lesson 02 ended with a tanh RNN that could not learn the adding problem at $T = 30$
# (it stayed near chance):
# its gradient is a *product* of Jacobians and fades with distance. Think of "She grew
# up in France. … Now she has been in China for a few months only. She speaks fluent
# ___": the answer depends on a word many steps back, and a later country must not
# overwrite it (section 8 runs this example). The long short-term memory (Hochreiter
# & Schmidhuber, 1997; the forget gate is from Gers et al., 2000) keeps a
# second state, the **cell state** $C_t$, which is changed only by *adding* and
# *scaling*. In this lesson you will
#
# 1. meet the cell state and the three gates, one at a time, in NumPy;
# 2. work through the "should the boss give a raise?" example with every number printed;
# 3. see the three gates and the candidate computed as one matrix product, shape by shape;
# 4. check that the course's `LSTMCell` is exactly `keras.layers.LSTM`;
# 5. measure the gradient flow of an LSTM next to an RNN, and solve the task the RNN failed;
# 6. read gate heatmaps of the trained model, and see why the forget bias starts at 1;
# 7. run the France example: an RNN and an LSTM asked for the language of the first
#    country named, many words back, with other countries in between.

# %%
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %%
import time

import lstmcourse

keras = lstmcourse.setup_notebook(seed=42)
SEED = lstmcourse.notebook_seed()   # every random draw below derives from it

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import diagrams, experiments, tasks
from lstmcourse.i18n import N_, tr
from lstmcourse.cells import LSTMCell, SimpleRNNCell
from lstmcourse.diagnostics import state_gradient_norms
from lstmcourse.plots import plot_gate_heatmaps
from lstmcourse.reference import lstm_gates, lstm_step, params_from_layer

sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731

# %% [markdown]
# ## 1. The cell state: an additive conveyor belt
#
# An LSTM carries two states: the **hidden state** $h_t$ (short-term memory, also the
# output) and the **cell state** $C_t$ (long-term memory). At each step three gates,
# each a sigmoid with values in $(0, 1)$, decide what happens to the memory:
#
# $$
# \begin{aligned}
# f_t &= \sigma(x_t W_f + h_{t-1} U_f + b_f) && \text{forget gate: how much of } C_{t-1} \text{ to keep}\\
# i_t &= \sigma(x_t W_i + h_{t-1} U_i + b_i) && \text{input gate: how much new content to write}\\
# \tilde C_t &= \tanh(x_t W_c + h_{t-1} U_c + b_c) && \text{candidate content}\\
# C_t &= f_t \odot C_{t-1} + i_t \odot \tilde C_t && \text{the update: scale, then add}\\
# o_t &= \sigma(x_t W_o + h_{t-1} U_o + b_o) && \text{output gate: how much of the memory to show}\\
# h_t &= o_t \odot \tanh(C_t)
# \end{aligned}
# $$
#
# The key line is the update of $C$: no matrix multiplies $C_{t-1}$ on its way to
# $C_t$. Differentiate it. The gates and the candidate of step $t$ are computed from
# $x_t$ and $h_{t-1}$ only, so with those held fixed,
# $\partial C_t / \partial C_{t-1} = \operatorname{diag}(f_t)$: each component of
# $C_{t-1}$ reaches $C_t$ scaled by its own forget gate, and by nothing else. Carried
# back $d$ steps along the cell state, the gradient is multiplied by
# $\operatorname{diag}(f_t)\operatorname{diag}(f_{t-1})\cdots$, component $j$ by
# $f_{t,j}\,f_{t-1,j}\cdots$: still a **product**, as in lesson 02, but a product of
# forget gates instead of matrices $\operatorname{diag}(1-h^2)U^\top$. (The full
# Jacobian has more terms: $h_{t-1} = o_{t-1} \odot \tanh(C_{t-1})$ depends on
# $C_{t-1}$ too, and the gates of step $t$ read $h_{t-1}$ through $U$; those paths are
# like the RNN's and fade as in lesson 02. The cell-state path is the one that can
# last.) When the network keeps $f \approx 1$, the memory and its gradient survive for
# a long time. Section 2 checks $\operatorname{diag}(f_t)$ with numbers. (The
# [notation page](notation.md) recalls $\odot$, $\sigma$, $\operatorname{diag}$ and
# Jacobians.)
#
# The figure draws these equations in the style of Christopher Olah's well-known
# diagram: the cell state runs along the top and meets only a $\odot$ and a $+$; the four
# boxes below are the three gates and the candidate, each computed from $[x_t, h_{t-1}]$
# (the figure's title, like many texts, counts all four boxes as "gates").

# %% alt="Diagram of the LSTM cell. The cell state runs as a conveyor belt along the top from C_{t-1} to C_t and meets only an elementwise product with the forget gate f_t and an addition of i_t * C~_t, with no weight matrix. Below it four boxes take [x_t, h_{t-1}]: the forget, input and output gates (sigmoid) and the candidate (tanh). On the right, C_t passes through a tanh and is multiplied by the output gate o_t to give h_t, the output and next state. Footnotes: each box computes sigmoid or tanh of x_t W_g + h_{t-1} U_g + b_g; Keras stores the blocks in the order i, f, c, o."
_ = diagrams.lstm_cell()
plt.show()

# %% [markdown]
# ## 2. The gates one by one: should the boss give a raise?
#
# You are the boss and an employee asks for a raise. Your long-term state is
# $C = [0.7, 0.3]$: you are in a good mood 70 % of the time and have 30 % of the budget
# left. Recently everything went well: $h = [1, 1]$. Today three things happened: your
# child got good grades (+1), your own boss gave you a bad review (−1), and you found
# you still have time to finish your work (+1): $x = [1, -1, 1]$.
#
# The weights below are chosen by hand for illustration (training would learn them).
# Keras's layout keeps one block of columns per gate, in the order **i, f, c, o**:
# `kernel` $W$ is (input 3, 4·hidden = 8), `recurrent_kernel` $U$ is (hidden 2, 8).

# %%
C_prev = np.array([[0.7, 0.3]])     # (batch 1, hidden 2)
h_prev = np.array([[1.0, 1.0]])     # (batch 1, hidden 2)
x_today = np.array([[1.0, -1.0, 1.0]])  # (batch 1, input 3)


def gate_block(w_x, w_h, bias=0.0, hidden=2):
    """Columns of one gate: the same weights for both hidden units, for readability."""
    return np.tile(np.array(w_x)[:, None], hidden), np.tile(np.array(w_h)[:, None], hidden), np.full(hidden, bias)


blocks = {  #            weights on x = [grades, review, time]   weights on h   bias
    "i": gate_block([2.0, -2.0, 2.0], [1.0, 1.0]),
    "f": gate_block([-2.0, 2.0, -2.0], [-1.0, -1.0]),
    "c": gate_block([1.0, -1.0, 1.0], [0.5, 0.5]),
    "o": gate_block([1.0, -1.0, 1.0], [1.0, 1.0]),
}
raise_params = {
    "kernel": np.concatenate([blocks[g][0] for g in "ifco"], axis=1),            # (3, 8)
    "recurrent_kernel": np.concatenate([blocks[g][1] for g in "ifco"], axis=1),  # (2, 8)
    "bias": np.concatenate([blocks[g][2] for g in "ifco"]),                      # (8,)
}
for name, value in raise_params.items():
    print(f"{name:17s} {value.shape}")

# %% [markdown]
# **Forget gate.** How much of the long-term memory should influence today's decision?

# %%
W_f, U_f, b_f = blocks["f"]
z_f = x_today @ W_f + h_prev @ U_f + b_f
f_t = sigmoid(z_f)
print("z_f =", z_f, "  f_t = sigmoid(z_f) =", f_t.round(4))
print("f_t * C_prev =", (f_t * C_prev).round(4), " -> the old memory is (almost) wiped")

# %% [markdown]
# $f_t \approx [0, 0]$: forget the long-term memory, do not let it weigh on today.
#
# **Input gate and candidate.** What from today and the recent past should be written
# into the long-term memory? The candidate $\tilde C_t$ (tanh, in $(-1, 1)$) proposes
# content; the input gate $i_t$ (sigmoid, in $(0, 1)$) decides how much of it to write.

# %%
W_i, U_i, b_i = blocks["i"]
W_c, U_c, b_c = blocks["c"]
i_t = sigmoid(x_today @ W_i + h_prev @ U_i + b_i)
C_tilde = np.tanh(x_today @ W_c + h_prev @ U_c + b_c)
print("i_t =", i_t.round(4), "  C_tilde =", C_tilde.round(4), "  i_t * C_tilde =", (i_t * C_tilde).round(4))

# %% [markdown]
# **Update the cell state** by adding the two parts, $C_t = f_t \odot C_{t-1} + i_t \odot \tilde C_t$:

# %%
C_t = f_t * C_prev + i_t * C_tilde
print("C_t =", C_t.round(4))

# %% [markdown]
# $C_t \approx [1, 1]$: overall, a good mood and money available. Finally the **output
# gate** decides how much of the (squashed) memory becomes the new short-term state
# $h_t$, which is also what the cell outputs:

# %%
W_o, U_o, b_o = blocks["o"]
o_t = sigmoid(x_today @ W_o + h_prev @ U_o + b_o)
h_t = o_t * np.tanh(C_t)
print("o_t =", o_t.round(4), "  tanh(C_t) =", np.tanh(C_t).round(4), "  h_t =", h_t.round(4))

# %% [markdown]
# $h_t \approx [0.76, 0.76]$: a good chance of the raise. (Some lecture versions of this
# story give a larger $h_t$ here; with $C_t \approx 1$ that is not possible, since
# $o_t \le 1$ and $\tanh(1) \approx 0.76$. Checking numbers with code catches such
# slips.)
#
# The reference implementation gives the same numbers:

# %%
h_ref, C_ref = lstm_step(x_today, h_prev, C_prev, raise_params)
print("lstm_step -> h_t", h_ref.round(4), " C_t", C_ref.round(4))
assert np.allclose(h_ref, h_t) and np.allclose(C_ref, C_t)

# %% [markdown]
# The same step checks the derivative of section 1. Nudge one component of $C_{t-1}$
# by $\pm\varepsilon$, keep $x_t$ and $h_{t-1}$ fixed, and see how $C_t$ moves: the
# matrix of these changes, $\partial C_t / \partial C_{t-1}$, should be
# $\operatorname{diag}(f_t)$, the forget gate on the diagonal and nothing elsewhere.
# (The boss's forget gate is almost zero, so the old memory, and the gradient that
# would flow back through it, are almost wiped.)

# %%
eps = 1e-6
dC = np.stack([(lstm_step(x_today, h_prev, C_prev + eps * e, raise_params)[1]
                - lstm_step(x_today, h_prev, C_prev - eps * e, raise_params)[1])[0] / (2 * eps)
               for e in np.eye(2)])                 # row j: how C_t moves with C_{t-1}[j], (2, 2)
print("dC_t/dC_{t-1} by finite differences:\n", dC.round(6), "\nf_t:", f_t.round(6))
assert np.allclose(dC, np.diag(f_t[0]), atol=1e-9)

# %% [markdown]
# ## 3. Three gates and a candidate, one matrix product
#
# Computing the gates one by one costs eight small matrix products per step: for each
# of the four blocks (three gates and the candidate), one with $x_t$ and one with $h_{t-1}$. In practice all of them are
# computed at once: concatenate $[x_t, h_{t-1}]$ and multiply by
# one matrix holding all gate blocks:
#
# $$[\text{batch},\ \text{input}+\text{hidden}] \cdot [\text{input}+\text{hidden},\ 4\cdot\text{hidden}] = [\text{batch},\ 4\cdot\text{hidden}],$$
#
# then split the result into four [batch, hidden] pieces. Keras stores the top rows
# (acting on $x$) as `kernel` and the bottom rows (acting on $h$) as
# `recurrent_kernel`.

# %%
xh = np.concatenate([x_today, h_prev], axis=1)                       # (batch, input + hidden)
W_full = np.concatenate([raise_params["kernel"], raise_params["recurrent_kernel"]], axis=0)
z = xh @ W_full + raise_params["bias"]                                # (batch, 4 * hidden)
z_i, z_f2, z_c, z_o = np.split(z, 4, axis=1)                          # 4 x (batch, hidden)
print("[x, h]", xh.shape, "·", "W_full", W_full.shape, "=", z.shape, "-> split into", z_i.shape, "x 4")
assert np.allclose(z_f2, z_f) and np.allclose(sigmoid(z_o), o_t)

# %% [markdown]
# ## 4. The course cell is `keras.layers.LSTM`
#
# `lstmcourse.cells.LSTMCell` is these equations in `keras.ops`, with Keras's weight
# layout and operation order. Copy its weights into the built-in layer and the outputs
# are identical, bit for bit. This also means a model trained with the course cell can
# be deployed with the built-in layer, which uses the fast cuDNN kernel on a GPU.

# %%
x_rand = np.random.default_rng(SEED).normal(size=(8, 15, 3)).astype("float32")   # (batch, time, features)
ours = keras.layers.RNN(LSTMCell(16), return_sequences=True)
builtin = keras.layers.LSTM(16, return_sequences=True)
ours_out = ours(x_rand)
builtin(x_rand)
builtin.set_weights(ours.get_weights())
print([w.shape for w in ours.get_weights()], "->", tuple(ours_out.shape))
print("max |ours - keras.layers.LSTM| =", float(np.max(np.abs(ours(x_rand) - builtin(x_rand)))))
assert np.array_equal(ours(x_rand), builtin(x_rand))

# %% [markdown]
# And Keras, given the boss's hand-made weights, reaches the same decision. Two layer
# options appear here for the first time: `return_state=True` makes the layer return
# its final states as well as its output, here `[output, h_T, c_T]` (for the LSTM the
# output is $h_T$ itself), and `initial_state=[h_0, c_0]`, passed when calling the
# layer, starts the recurrence from given states instead of zeros. Lesson 11 uses the
# pair to hand an encoder's final state to a decoder.

# %%
raise_layer = keras.layers.RNN(LSTMCell(2), return_state=True)
raise_layer(x_today[:, None].astype("float32"))
raise_layer.set_weights([raise_params[k].astype("float32") for k in ("kernel", "recurrent_kernel", "bias")])
h_keras, h_state, c_state = raise_layer(
    x_today[:, None].astype("float32"),
    initial_state=[h_prev.astype("float32"), C_prev.astype("float32")],
)
print("Keras: h_t =", np.asarray(h_keras).round(4), " C_t =", np.asarray(c_state).round(4))
assert np.allclose(h_keras, h_t, atol=1e-6)

# %% [markdown]
# ## 5. Gradient flow and the task the RNN failed
#
# Back to the adding problem at $T = 30$, where the tanh RNN of lesson 02 stayed near
# chance. We train a SimpleRNN and an LSTM with the same size,
# optimiser and budget, each under **5 seeds** (different initial weights, same data),
# and measure $\lVert\partial L/\partial h_t\rVert$ for every $t$ on one validation
# batch, at the initial weights and after training
# (`lstmcourse.diagnostics.state_gradient_norms`). A seed *solves* the task when its
# best validation MSE is below 10 % of chance.

# %%
T = 30
x_train, y_train = tasks.adding_problem(2000, length=T, seed=SEED + 1)   # (2000, T, 2), (2000, 1)
x_val, y_val = tasks.adding_problem(500, length=T, seed=SEED + 2)
baseline = tasks.ADDING_BASELINE_MSE
recipes = {"SimpleRNN": lambda: SimpleRNNCell(32), "LSTM": lambda: LSTMCell(32)}


def builder(make_cell):
    return lambda: keras.Sequential([
        keras.Input((T, 2)),
        keras.layers.RNN(make_cell()),   # (batch, 32): the last hidden state
        keras.layers.Dense(1),           # (batch, 1): the predicted sum
    ])


def train(make_cell, seeds=5, epochs=10):
    """Train the recipe on the adding problem under `seeds` seeds (a SeedRuns)."""
    return experiments.train_seeds(
        builder(make_cell), x_train, y_train, loss="mse", seeds=seeds, epochs=epochs, batch_size=32,
        optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0), validation_data=(x_val, y_val))


def gradient_norms(make_cell, runs, trained=True):
    """‖∂L/∂h_t‖ for t = 0..T-1 of every seed's model (trained, or at its initial weights): (seeds, T)."""
    norms = []
    for i, seed in enumerate(runs.seeds):
        if trained:
            model = runs.model(i)
        else:                                  # the very weights train_seeds started this seed from
            keras.utils.set_random_seed(seed)
            model = builder(make_cell)()
        model.compile(loss="mse")
        norms.append(state_gradient_norms(model, x_val[:128], y_val[:128]))
    return np.array(norms)


def relative_mse(runs):
    """Best validation MSE of each seed as a fraction of chance (1 = chance, 0 = perfect)."""
    return runs.best("val_loss") / baseline


def orders(values):
    """'median (min–max)' in scientific notation, for numbers spanning orders of magnitude."""
    return f"{np.median(values):.1e} ({np.min(values):.1e}–{np.max(values):.1e}, {len(values)} seeds)"


# %%
# NBVAL_IGNORE_OUTPUT
start = time.perf_counter()
runs = {name: train(make) for name, make in recipes.items()}
grads_before = {name: gradient_norms(recipes[name], r, trained=False) for name, r in runs.items()}
grads_after = {name: gradient_norms(recipes[name], r) for name, r in runs.items()}
rel = {name: relative_mse(r) for name, r in runs.items()}
for name in runs:
    print(f"{name:9s} best val MSE / chance {experiments.spread(rel[name], 2)}; solved on {np.sum(rel[name] < 0.1)}/5 seeds")
    print(f"{'':9s} |dL/dh| {T - 1} steps back: before training {orders(grads_before[name][:, 0])}, "
          f"after {orders(grads_after[name][:, 0])}")
gain = {name: grads_after[name][:, 0] / grads_before[name][:, 0] for name in runs}   # what training did, per seed
ratio = grads_after["LSTM"][:, 0] / grads_after["SimpleRNN"][:, 0]                  # seed by seed
for name in runs:
    print(f"training multiplied the {name}'s gradient {T - 1} steps back by {orders(gain[name])}")
print(f"after training, LSTM / SimpleRNN gradient {T - 1} steps back: {orders(ratio)}; LSTM larger on {np.sum(ratio > 1)}/5 seeds")
print(f"took {time.perf_counter() - start:.1f} s")

# %%
assert np.sum(rel["LSTM"] < 0.1) >= 3, "the LSTM should solve T = 30 on at least 3 of the 5 seeds"
assert np.median(rel["SimpleRNN"]) > 0.5, "the RNN should stay near chance (above half of it on the median seed)"
assert np.median(gain["LSTM"]) > 1, "training should raise the LSTM's gradient far back (median seed)"
assert np.median(gain["LSTM"]) > 5 * np.median(gain["SimpleRNN"]), "... far more than the RNN's"
assert np.median(grads_before["SimpleRNN"][:, 0] / grads_before["LSTM"][:, 0]) > 10, "a fresh RNN's gradient reaches further"


# %% alt="Three panels for the adding problem with T = 30, SimpleRNN in blue and LSTM in orange, a thin line or point per seed and a thick line for the median. Left, before training: the gradient norm ||dL/dh_t|| on a log scale against the distance from the last step; the LSTM's falls much faster than the SimpleRNN's. Middle, after 10 epochs of training: the LSTM's gradient stays roughly level over the whole distance. Right: each seed's best validation MSE as a fraction of chance: the SimpleRNN seeds sit near chance, the LSTM seeds near 0."
def plot_norms_over_seeds(norms, ax, title):
    """Gradient norm vs distance: every seed (thin) and the median (thick), per model."""
    distance = np.arange(T)[::-1]
    for k, (name, per_seed) in enumerate(norms.items()):
        for row in per_seed:
            ax.semilogy(distance, row, color=f"C{k}", lw=0.7, alpha=0.35)
        ax.semilogy(distance, np.median(per_seed, axis=0), color=f"C{k}", lw=2.5,
                    label=tr("{name} (median of {n} seeds)", name=name, n=len(per_seed)))
    ax.set_xlabel(tr("distance from the last step, T − 1 − t"))
    ax.set_title(title)
    ax.legend(fontsize=9)


fig, axes = plt.subplots(1, 3, figsize=(15, 4))
plot_norms_over_seeds(grads_before, axes[0], tr("before training"))
plot_norms_over_seeds(grads_after, axes[1], tr("after training (10 epochs)"))
axes[0].set_ylabel(tr(r"$\|\partial L / \partial h_t\|$ (log scale)"))
experiments.plot_spread(rel, ax=axes[2], ylabel=tr("best validation MSE / chance"), reference=1.0,
                        reference_label=tr("chance"))
axes[2].set_title(tr("one point per seed"))
plt.show()

# %% [markdown]
# Before training, the picture is the opposite of what you might expect: on all five
# seeds of this run the RNN's gradient reaches further (its $U$ is orthogonal and its activations
# are small), while a fresh LSTM forgets fast, because its forget gates sit near
# $\sigma(1) \approx 0.73$ (see section 7) and $0.73^{29} \approx 10^{-4}$. The LSTM is
# not born with a long memory. What differs is what training can do: the LSTM can
# *learn* to hold $f \approx 1$ and $i \approx 0$ between the two marked steps, which
# turns the cell-state path into an almost perfect copy, and the gradient from the
# loss then reaches the first marker. The RNN would have to make a product of 29
# Jacobians $\operatorname{diag}(1-h^2)U^\top$ stay near the identity, which gradient
# descent does not find.
#
# What holds over the 5 seeds of this run (the numbers are the stored run's). The
# asserts above check the first three points, with a margin, on the median seed or on 3
# of the 5 seeds, not on every seed: that is what a rerun under a seed nobody chose
# almost surely keeps (`studies/flip_risk.py` in the repository trains this section for
# many more seeds to check it).
#
# - the LSTM solves the task on 5/5 seeds (best MSE 0.01 of chance), the RNN on 0/5
#   (0.81–0.94 of chance: near chance, though not exactly at it);
# - before training, the RNN's gradient 29 steps back is larger than the LSTM's on all
#   five seeds ($1.0\times10^{-1}$ to $3.2\times10^{-1}$ against $7.9\times10^{-4}$ to
#   $2.7\times10^{-3}$);
# - training raises the LSTM's gradient 29 steps back on all five seeds, by ×4.9 to ×15
#   (median ×11), and it ends in a narrow band, $1.1\times10^{-2}$ to
#   $2.0\times10^{-2}$; the RNN's it *shrinks* in the median (×0.074), though not on
#   every seed: the factors run from $2.3\times10^{-5}$ to 2.1 (the assert asks only
#   for the LSTM's median factor to be more than five times the RNN's);
# - the raw comparison "the LSTM's gradient far back is larger than the RNN's" holds
#   after training on only 2/5 seeds (the ratio runs from $3.9\times10^{-2}$ to
#   $1.9\times10^{3}$): an
#   RNN stuck near chance can end with a sizeable gradient far back. A gradient norm says the loss is *sensitive* to $h_t$, not that
#   the network has learned to use it. The reliable signal is the task, and what
#   training does to the gradient.

# %% [markdown]
# ## 6. Reading the gates of the trained LSTMs
#
# `lstmcourse.trace` records every gate at every step for a batch (it runs the cell's
# own step function, so it is exactly what the layer computes). Does one unit hold the
# first number? A rule, applied to every seed's model: correlate each unit's cell state
# just before the second marker with the first marked value, over 256 validation
# sequences, and take the unit with the largest $|r|$. For that unit we then measure
# its forget gate between the two markers and its input gate at the marked steps
# against elsewhere.

# %%
batch_idx = np.arange(256)
markers = x_val[:256, :, 1] == 1                                   # (batch, time)
first = np.argmax(markers, axis=1)                                 # step of the 1st marker, (batch,)
second = T // 2 + np.argmax(markers[:, T // 2:], axis=1)           # step of the 2nd marker
first_value = x_val[batch_idx, first, 0]                           # the number to remember, (batch,)


def memory_unit(model):
    """The unit whose C (just before the 2nd marker) best tracks the 1st marked value, and its gates."""
    gate_trace = lstmcourse.trace(model.layers[0], x_val[:256])
    assert np.allclose(gate_trace["h"][:, -1], model.layers[0](x_val[:256]), atol=1e-5)   # the trace is the layer
    c_before_second = gate_trace["cell_state"][batch_idx, second - 1]                  # (batch, units)
    r = np.array([np.corrcoef(c_before_second[:, u], first_value)[0, 1] for u in range(c_before_second.shape[1])])
    unit = int(np.nanargmax(np.abs(r)))
    steps = np.arange(T)[None]
    between = (steps > first[:, None]) & (steps < second[:, None])             # (batch, time)
    forget, inp = gate_trace["forget_gate"][:, :, unit], gate_trace["input_gate"][:, :, unit]
    return {"unit": unit, "r": r[unit], "forget_between": forget[between].mean(),
            "input_ratio": inp[markers].mean() / inp[~markers].mean(), "trace": gate_trace}


def textbook(m):
    """A textbook memory cell: tracks the number, keeps it (f > 0.9), writes only at the markers (> 5x)."""
    return abs(m["r"]) > 0.9 and m["forget_between"] > 0.9 and m["input_ratio"] > 5


# %%
# NBVAL_IGNORE_OUTPUT
units = [memory_unit(runs["LSTM"].model(i)) for i in range(len(runs["LSTM"]))]
for seed, m, mse in zip(runs["LSTM"].seeds, units, rel["LSTM"]):
    print(f"seed {seed}: val MSE / chance {mse:.3f} | unit {m['unit']:2d}: r = {m['r']:+.3f}, "
          f"forget gate between markers {m['forget_between']:.3f}, input gate at markers / elsewhere {m['input_ratio']:.1f}x")
solved = rel["LSTM"] < 0.1
abs_r = np.abs([m["r"] for m in units])[solved]
forget_between = np.array([m["forget_between"] for m in units])[solved]
input_ratio = np.array([m["input_ratio"] for m in units])[solved]
n_textbook = sum(textbook(m) for m, ok in zip(units, solved) if ok)
print(f"over the {solved.sum()} seeds that solved it: |r| {experiments.spread(abs_r, 3)}; "
      f"forget gate between markers {experiments.spread(forget_between, 2)}; "
      f"input gate ratio {experiments.spread(input_ratio, 1)}; textbook memory cell on {n_textbook}/{solved.sum()}")

# %%
tracks = solved & (np.abs([m["r"] for m in units]) > 0.7)   # solved, with one unit's C tracking the first number
assert tracks.sum() >= 3, "on at least 3 of the 5 seeds the LSTM solves it with one unit's C tracking the first number"
# The textbook memory cell (n_textbook) is described for this run, not asserted: see the text below.

# %% [markdown]
# To *look* at gates we need one model. The rule: the first seed whose unit is a
# textbook memory cell (the highest $|r|$ if none is), and the validation sequence with
# the largest first marked number, so that remembering it shows.

# %% alt="Three heatmaps of one trained LSTM on one validation sequence of the adding problem, the 32 units against the time steps, with the two marked steps shown as dots under the time axis: the input gate and the forget gate (colour scale 0 to 1) and the cell state. Vertical stripes at the two marked steps show many units reacting to the markers."
# NBVAL_IGNORE_OUTPUT
shown = next((i for i, m in enumerate(units) if textbook(m)), int(np.argmax(np.abs([m["r"] for m in units]))))
m = units[shown]
sample = int(np.argmax(first_value))                               # the largest number to remember
ticks = ["●" if marked else "" for marked in markers[sample]]
print(f"illustrated model: seed {runs['LSTM'].seeds[shown]}, unit {m['unit']}; "
      f"sample {sample}, first marked value {first_value[sample]:.2f}")
axes = plot_gate_heatmaps(m["trace"], names=["input_gate", "forget_gate", "cell_state"], sample=sample, tokens=ticks)
axes[0].set_title(tr("all 32 units: input gate (● = marked step)"), fontsize=11, loc="left")
plt.show()

# %% alt="Two panels for the unit chosen above. Left: a heatmap of that unit's cell state over the time steps of the same sequence, the marked steps shown as dots; its colour changes at the marked steps. Right: a scatter plot of the unit's cell state just before the second marker against the first marked value, one point per validation sequence (256) with the shown sequence highlighted; the points lie close to a straight line, and the title gives their correlation r."
fig, axes = plt.subplots(1, 2, figsize=(14, 3.6), gridspec_kw={"width_ratios": [2, 1]})
plot_gate_heatmaps(m["trace"], names=["cell_state"], sample=sample, units=[m["unit"]], tokens=ticks, axes=[axes[0]])
axes[0].set_title(tr("unit {unit}: cell state of sample {sample} (first marked value {value:.2f})",
                     unit=m["unit"], sample=sample, value=first_value[sample]), fontsize=11, loc="left")
c_unit = m["trace"]["cell_state"][batch_idx, second - 1, m["unit"]]
axes[1].scatter(first_value, c_unit, s=10, alpha=0.6)
axes[1].scatter(first_value[sample], c_unit[sample], s=60, color="C3", label=tr("sample {sample}", sample=sample))
axes[1].set_xlabel(tr("first marked value"))
axes[1].set_ylabel(tr("C just before the 2nd marker"))
axes[1].set_title(tr("256 sequences: r = {r:+.2f}", r=m["r"]), fontsize=11)
axes[1].legend(fontsize=9)
plt.show()

# %% [markdown]
# The trained networks have found the algorithm, and the measurements say how. Many
# units react to the markers (the vertical stripes in the heatmaps). On each of the 5
# seeds of this run, all of which solved the task, the rule finds a unit whose cell
# state just before the second marker tracks the first marked number almost linearly
# ($|r|$ from 0.867 to 0.988, median 0.968; the assert asks for more than 0.7 on at
# least 3 of the 5 seeds). On 3 of the 5
# seeds that unit is a **textbook memory cell**: its forget gate stays close to 1
# between the markers (0.963–0.985) and its input gate opens at the marked steps, 8.7 to
# 31.0 times wider than elsewhere. On the other two the number is still carried, but
# the chosen unit's forget gate sits at 0.67 and 0.76 and its input gate is not
# selective (0.9× and 1.3×): the network solved the task another way, which we do not
# dissect here. The textbook cell is common but not guaranteed: a rerun under another
# seed can find it on fewer of its five seeds, rarely on none, so that count is not
# asserted (`studies/flip_risk.py` in the repository measured how often).
#
# The heatmaps and the scatter show one such model: each dot is a sequence, and the unit's
# memory is a straight function of the number it has to remember. (We read $C$ *just
# before* the second marker: after it, the cell also takes in the second number, and
# no longer holds the first alone.) This is what "the LSTM
# decides what to remember" means, measured.
#
# ## 7. Why the forget-gate bias starts at 1
#
# Keras initialises the forget slice of the bias to 1 (`unit_forget_bias=True`,
# following Jozefowicz et al., 2015). With a bias of 0 the forget gate starts at
# $\sigma(0) = 0.5$, so the memory halves at every step and gradients along the cell
# state shrink like $0.5^d$; with a bias of 1 it starts at $\sigma(1) \approx 0.73$.
# Does that matter for learning? Training LSTMs with bias 0 on the adding problem of
# section 5 answers it, but costs more time than this lesson has left, so it is measured
# here where it starts: at the initial weights, which are exactly the weights section 5's
# runs started from, except for this one bias. Same 5 seeds, same validation batch; we
# read the mean forget gate (`trace`) and the gradient that reaches back to the first
# state the layer returns, $h_1$ (array index 0), $T - 1 = 29$ steps before $h_T$
# (`state_gradient_norms`, as in section 5; the [notation page](notation.md) has the
# counting):

# %%
# NBVAL_IGNORE_OUTPUT
start = time.perf_counter()
bias0 = lambda: LSTMCell(32, unit_forget_bias=False)
init_grads = {N_("forget bias 1"): grads_before["LSTM"],              # N_: words of the Chinese figures' catalogue
              N_("forget bias 0"): gradient_norms(bias0, runs["LSTM"], trained=False)}
init_gate = {}
for label, make_cell in (("forget bias 1", recipes["LSTM"]), ("forget bias 0", bias0)):
    gates = []
    for seed in runs["LSTM"].seeds:               # the initial weights of each seed, as in gradient_norms
        keras.utils.set_random_seed(seed)
        gates.append(lstmcourse.trace(builder(make_cell)().layers[0], x_val[:256])["forget_gate"].mean())
    init_gate[label] = np.array(gates)
    print(f"{label}: mean forget gate at the start {experiments.spread(init_gate[label], 3)}; "
          f"|dL/dh| {T - 1} steps back {orders(init_grads[label][:, 0])}")
bias_gain = init_grads["forget bias 1"][:, 0] / init_grads["forget bias 0"][:, 0]   # seed by seed
print(f"bias 1 / bias 0, gradient {T - 1} steps back, same seed: {orders(bias_gain)}")
print(f"took {time.perf_counter() - start:.1f} s")

# %%
assert np.median(abs(init_gate["forget bias 1"] - sigmoid(1.0))) < 0.03, "bias 1: the forget gate starts near sigma(1)"
assert np.median(abs(init_gate["forget bias 0"] - 0.5)) < 0.03, "bias 0: the forget gate starts near one half"
assert np.median(bias_gain) > 100, "on the median seed, bias 1 lets far more gradient reach the start"
gate_only = (init_gate["forget bias 1"] / init_gate["forget bias 0"]) ** (T - 1)   # the mean gates alone
assert np.sum(bias_gain < gate_only) >= 3, "on at least 3 of the 5 seeds, the measured factor is below the gates' one"

# %% alt="Line chart of the gradient norm ||dL/dh_t|| at the initial weights, on a log scale, against the number of steps back from the end (0 to 29), for LSTMs with forget-gate bias 1 and bias 0, a thin line per seed and a thick line for the median of 5 seeds. Both fall, but with bias 0 the gradient falls much faster, ending orders of magnitude below the bias-1 curve on every seed."
fig, ax = plt.subplots()
steps_back = np.arange(T - 1, -1, -1)                  # index 0 (h_1) is T - 1 steps before the last step
for (label, g), color in zip(init_grads.items(), ("C1", "C3")):
    ax.semilogy(steps_back, g.T, color=color, alpha=0.3, linewidth=0.8)
    ax.semilogy(steps_back, np.median(g, axis=0), color=color, linewidth=2.5, label=tr("{label} (median of {n} seeds)", label=label, n=5))
ax.set_xlabel(tr("steps back from the end"))
ax.set_ylabel(tr(r"$\|\partial L / \partial h_t\|$ at the initial weights"))
ax.set_title(tr("T = {T}: what reaches back before any training", T=T))
ax.legend(fontsize=9)
plt.show()
print(f"initial forget gate: sigma(0) = {sigmoid(0.0):.2f}, sigma(1) = {sigmoid(1.0):.2f}; "
      f"memory left after 15 steps: {0.5 ** 15:.0e} vs {sigmoid(1.0) ** 15:.0e}")

# %% [markdown]
# At the start, the gradient that reaches the first state is thousands of times
# smaller with bias 0 than with bias 1, on all five seeds of this run ($7.1\times10^3$
# in the median, $6.5\times10^3$ to $8.6\times10^3$; the assert asks for more than 100
# on the median seed). The forget
# gates are the main cause, but not the whole story: their means, 0.728 against 0.497,
# would alone predict a factor of $(0.728/0.497)^{29}$, and the measured factor is
# smaller on all five seeds here (the assert cell above checks at least 3 of the 5). The gradient does not
# travel along the cell state alone, nor at the mean gate's rate: units whose forget
# gates are above the mean carry more of it, and part of it passes through the output
# gate and $h_{t-1}$. Still, with bias 0 the learning signal that says "remember the
# first marked number" arrives thousands of times weaker, and the LSTM must first grow
# its forget gates from other, weaker signals. What that does to training, this lesson
# does not measure (it has no time left to train bias-0 LSTMs); exercise 7 does. What
# to expect: a later start, and with a fixed budget a later start can become the
# difference between solved and not solved.


# %% [markdown]
# ## 8. The France example, run
#
# Back to the sentence of the introduction, with a twist that real text has: "She grew
# up in **France**. … She visited Spain … She moved to China … She speaks fluent ___".
# The answer depends on the *first* country, and later countries compete for the same
# memory. `tasks.long_gap` builds this with token ids: 4 countries, 20 filler words, and
# a query token ("speaks fluent") at the end; the label is the first country.
# `n_distractors=2` puts two more countries, drawn at random, in the gap, and
# `min_gap=2` moves the first country, so that one data set holds every gap from 2 to
# $G = 20$ and we can read the accuracy against the gap from one training
# (`tasks.long_gap_distance` recovers each sequence's gap). Chance, for a model that
# lost the first country, is 1/4†; a model that knew which countries were mentioned but
# not which came first, and guessed among them, would score about 47 %† (worked out
# from how `tasks.long_gap` draws the countries; here and below, † marks a number set
# by hand or worked out, not measured by the notebook). The tokens
# enter through an `Embedding` layer, which maps each id to a learned vector (here of
# size 8).

# %%
G, N_CLASSES, N_FILLERS = 20, 4, 20
countries = ["France", "Spain", "China", "Italy"]
languages = ["French", "Spanish", "Chinese", "Italian"]
fillers = ["she", "was", "born", "and", "grew", "up", "in", "then", "moved", "to",
           "for", "a", "few", "years", "now", "has", "been", "there", "months", "only"]
words = ["<pad>"] + countries + fillers + ["speaks fluent"]          # token id -> word
x_gap, y_gap = tasks.long_gap(1000, gap=G, n_distractors=2, min_gap=2, seed=SEED + 3)   # (1000, G + 2), (1000,)
xv_gap, yv_gap = tasks.long_gap(1000, gap=G, n_distractors=2, min_gap=2, seed=SEED + 4)
distance = tasks.long_gap_distance(xv_gap)          # (1000,): tokens between the first country and the query
print(f"the first validation sequence, with a gap of {distance[0]} tokens, and its answer:")
print(" ".join(words[t] for t in xv_gap[0]), "->", languages[yv_gap[0]])

# %% [markdown]
# The filler words are drawn at random, so the "sentence" is word salad; what matters
# is where the countries are. We train a SimpleRNN and an LSTM of 32 units, with the
# same embedding, read-out, optimiser and budget, under 5 seeds each, and score every
# seed's model on the validation sequences grouped by gap.

# %%
# NBVAL_IGNORE_OUTPUT
vocab = tasks.long_gap_vocab_size(N_CLASSES, N_FILLERS)
bins = [(2, 8), (9, 14), (15, 20)]


def gap_builder(layer):
    return lambda: keras.Sequential([
        keras.Input((G + 2,), dtype="int32"),
        keras.layers.Embedding(vocab, 8),                     # (batch, time, 8): one vector per token id
        layer(32),                                            # (batch, 32): the state at the query
        keras.layers.Dense(N_CLASSES, activation="softmax"),  # (batch, 4): the language
    ])


start = time.perf_counter()
gap_runs, gap_acc = {}, {}
for name, layer in {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM}.items():
    gap_runs[name] = experiments.train_seeds(
        gap_builder(layer), x_gap, y_gap, loss="sparse_categorical_crossentropy", seeds=5, epochs=8,
        batch_size=32, optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0))
    right = np.stack([keras.ops.convert_to_numpy(gap_runs[name].model(i)(xv_gap)).argmax(-1) == yv_gap
                      for i in range(5)])                                     # (seeds, 1000)
    gap_acc[name] = np.stack([right[:, (distance >= a) & (distance <= b)].mean(axis=1) for a, b in bins], 1)
    for (a, b), per_seed in zip(bins, gap_acc[name].T):                       # gap_acc: (seeds, bins)
        print(f"{name:9s} gap {a:2d}-{b:2d}: accuracy {experiments.spread(per_seed, 0, percent=True)}")
print(f"took {time.perf_counter() - start:.1f} s")

# %%
lstm_worst = gap_acc["LSTM"].min(axis=1)               # each seed's worst gap bin
rnn_best = gap_acc["SimpleRNN"].max(axis=1)           # each seed's best gap bin
assert np.median(rnn_best) < 0.55, "the RNN stays far from solving, in every gap bin (median seed)"
assert np.median(lstm_worst) > 0.65, "the LSTM keeps France in every gap bin (median seed)"
lead = gap_acc["LSTM"].mean(axis=1) - gap_acc["SimpleRNN"].mean(axis=1)   # seed by seed
assert np.median(lead) > 0.2, "the LSTM ahead of the RNN (median seed)"

# %% alt="Line chart of validation accuracy against the gap between the first country and the query (bins 2-8, 9-14 and 15-20 tokens), for SimpleRNN and LSTM, a thin line per seed and a thick line for the median of 5 seeds, with a dotted line at chance. The LSTM stays near 1.0 at every gap; the SimpleRNN stays low, not far above the chance line, at every gap."
fig, ax = plt.subplots(figsize=(7, 4))
centres = [(a + b) / 2 for a, b in bins]
for k, (name, acc) in enumerate(gap_acc.items()):
    for row in acc:
        ax.plot(centres, row, color=f"C{k}", lw=0.8, alpha=0.4, marker="o", ms=3)
    ax.plot(centres, np.median(acc, axis=0), color=f"C{k}", lw=2.5, label=tr("{name} (median of {n} seeds)", name=name, n=5))
ax.axhline(1 / N_CLASSES, color="gray", linestyle=":", label=tr("chance"))
ax.set_xticks(centres, [f"{a}–{b}" for a, b in bins])
ax.set_xlabel(tr("gap: tokens between the first country and the query"))
ax.set_ylabel(tr("validation accuracy"))
ax.set_ylim(0, 1.05)
ax.set_title(tr("Which language? Every seed (thin) and the median (thick)"))
ax.legend(fontsize=9)
plt.show()

# %% [markdown]
# Why does the RNN forget France, even two steps back? The task asks for a *selective*
# write: store the first country, then refuse the two that follow. A tanh RNN has no
# way to refuse: every input enters $h_t = \tanh(x_t W + h_{t-1} U + b)$ through the
# same $W$, so a later country overwrites the earlier one as surely as it was written.
# Its median accuracy per gap bin, 31 % to 34 %, lies between chance (25 %†) and the
# 47 %† of a guess among the countries mentioned: it keeps at best a blur of the
# countries it has seen. The
# LSTM can learn exactly what is needed: the input gate $i_t$ open at the first country
# and closed at the later ones, and the forget gate $f_t \approx 1$ to carry the first
# one to the query.
#
# Is it also the vanishing gradient of lesson 02? Measure it. For each trained model we
# take sequences with the country at the very start (gap $G$) and compute
# $\lVert\partial L/\partial e_t\rVert$, the gradient of the loss with respect to the
# embedding vector $e_t$ of every token: how much the loss at the query depends on the
# country, $G + 1$ steps back, relative to how much it depends on the query token
# itself. `tf.GradientTape` records the forward pass and returns the gradient.

# %%
# NBVAL_IGNORE_OUTPUT
import tensorflow as tf

x_fixed, y_fixed = tasks.long_gap(256, gap=G, n_distractors=2, seed=SEED + 5)   # the country at step 0


def embedding_gradients(model):
    """||dL/de_t|| for every token t, mean over the batch: (G + 2,)."""
    embed, rest = model.layers[0], model.layers[1:]
    with tf.GradientTape() as tape:
        e = embed(x_fixed)                                   # (batch, G + 2, 8)
        tape.watch(e)
        out = e
        for layer in rest:
            out = layer(out)                                 # (batch, 4) at the end
        loss = keras.losses.sparse_categorical_crossentropy(y_fixed, out)
    return np.linalg.norm(tape.gradient(loss, e), axis=-1).mean(axis=0)


cue_grad = {}
for name, r in gap_runs.items():
    norms = np.array([embedding_gradients(r.model(i)) for i in range(len(r))])   # (seeds, G + 2)
    cue_grad[name] = norms[:, 0] / norms[:, -1]      # at the country, relative to the query token
    print(f"{name:9s} |dL/de| at the country / at the query: {orders(cue_grad[name])}")

# %%
assert np.median(cue_grad["SimpleRNN"]) > 0.02, "in the trained RNN the gradient still reaches the country"

# %% [markdown]
# The answer is no, not at this gap: in the trained RNN the gradient reaches the country
# with a sizeable share of its strength at the query, and in this run about as strongly
# as in the trained LSTM (the two ratios have the same order of magnitude: medians 0.40
# and 0.35, ranges 0.17–1.6 and 0.031–0.54). The assert asks only for the RNN's median
# to be above 0.02. The comparison with the LSTM is this run's, not checked: the LSTM's
# ratio varies so much from seed to seed that another five seeds can put its median
# far above the RNN's (`studies/flip_risk.py` in the repository measured how often, over
# many more seeds). So a gradient does tell
# the RNN that the first country matters; what it lacks is a way to act on it, to keep
# that country while the next ones arrive. Vanishing gradients are one reason a plain
# RNN forgets (section 5, at $T = 30$); having no gate to refuse a write is another,
# and here it is the one that bites.
#
# What holds over the 5 seeds of this run (the numbers are the stored run's; the
# asserts above check the accuracies' direction with a margin, on the median seed): the
# SimpleRNN gets 20 % to 46 % right in a gap bin (medians 31 % to 34 %, chance 25 %†),
# at short gaps as at long ones, on all five seeds; the LSTM gets 100 % right (as
# printed, rounded) in every gap bin on all five seeds. In every bin, the LSTM's worst
# seed is ahead of the RNN's best. The gradient ratios above vary by an order of
# magnitude or more from seed to seed, and in this run their medians are close (0.40
# for the RNN, 0.35 for the LSTM).
#
# Exercise 6 asks what happens when the country does not move.

# %% [markdown]
# ## 9. Peepholes, briefly
#
# In the LSTM above the gates see $x_t$ and $h_{t-1}$ but not the cell state itself.
# Gers & Schmidhuber (2000) added **peephole connections**, element-wise weights from
# the cell to the gates: $i_t = \sigma(\dots + p_i \odot C_{t-1})$,
# $f_t = \sigma(\dots + p_f \odot C_{t-1})$, $o_t = \sigma(\dots + p_o \odot C_t)$. They
# help on tasks that need precise timing; on most tasks they make little difference,
# and neither Keras nor cuDNN has them. The course cell has them as an option, with an
# extra weight of shape (3, units):

# %%
peephole = keras.layers.RNN(LSTMCell(16, peephole=True))
peephole(x_rand)
print([(w.path.split("/")[-1], tuple(w.shape)) for w in peephole.weights])

# %% [markdown]
# ## What you should take away
#
# - The LSTM adds a cell state updated by $C_t = f_t \odot C_{t-1} + i_t \odot \tilde C_t$:
#   scaling and adding, no matrix on the memory path.
# - Forget, input and output gates are sigmoids in $(0, 1)$ deciding what to erase,
#   what to write and what to show; $\tilde C_t$ proposes new content.
# - The three gates and the candidate come from one product $[\text{batch}, \text{in}+\text{hid}]\cdot[\text{in}+\text{hid}, 4\,\text{hid}]$,
#   split in Keras's order i, f, c, o.
# - On the adding problem at $T = 30$, over the 5 seeds here, the LSTM solved it on
#   5/5 and the RNN on 0/5 (its best MSE 0.81–0.94 of chance). Training raised the
#   LSTM's gradient 29 steps back on all five seeds (×4.9 to ×15); a fresh LSTM's gradient
#   far back is *smaller* than a fresh RNN's: the gates make the long memory
#   *learnable*.
# - On 3 of the 5 seeds one unit became a textbook memory cell (forget gate ≈ 1, input
#   gate open at the markers); on the other two the network found another solution.
# - A forget bias of 1 lets thousands of times more gradient reach the first state at
#   the start, on all five seeds here (the forget gates start near 0.73 instead of 0.5).
#   What bias 0 does to training, this lesson does not measure: exercise 7 does.
# - In the France example (the first of three countries decides the language), the
#   SimpleRNN stays far from solving it at every gap, even two words back, on all five
#   seeds here, although the gradient does reach the country: it cannot refuse the later
#   countries. The LSTM kept the first country at every gap on all 5 seeds here (100 %
#   in every gap bin, as printed): its input
#   gate can refuse, and its forget gate can carry.
# - Claims about training are claims about a distribution: run several seeds, report
#   the spread, and prefer the measurement that holds seed by seed. What one run shows
#   on all five seeds, another seed may break; the asserts of this lesson check the
#   median seed (or 3 of the 5), which a rerun almost surely keeps.
#
# ## Exercises / going further
#
# 1. Change the boss's weights so that the forget gate keeps the old memory
#    ($f \approx 1$). What is $C_t$ now, and why can it exceed 1? *Hint:* a large
#    positive forget bias makes $\sigma \approx 1$; then $C_t = C_{t-1} + i_t \odot \tilde C_t$.
# 2. Train the LSTM on the adding problem at $T = 100$ over 5 seeds. How many epochs
#    does it need (`runs.epochs_to`)? Do all seeds get there? *Hint:* raise `epochs`
#    and keep an eye on `runs.seconds`; a longer $T$ also makes every epoch slower.
# 3. In section 6, plot the output gate of the memory unit too. When does the cell
#    *show* its memory? Is it the same on every seed? *Hint:* `lstmcourse.trace`
#    returns the gates as a dict; the output gate is under `"output_gate"`.
# 4. Train `LSTMCell(32, peephole=True)` on the adding problem over 5 seeds; compare
#    the success rate and the epochs to solve with section 5.
# 5. Lab 03 (`exercises/lab03`) asks you to write `lstm_step` and an LSTM Keras cell.
# 6. The France example with the country *not* moving: drop `min_gap` (every gap is
#    $G = 20$) and train the LSTM over 5 seeds. Does it still learn? Then try
#    `keras.layers.GRU` (lesson 04) in section 8. *Hint:* a fresh LSTM's forget gates sit
#    near $\sigma(1) \approx 0.73$, and $0.73^{20} \approx 2\cdot10^{-3}$: how much
#    gradient reaches the country at the start, and what could the network learn from at
#    first? With a moving country, the short gaps give it a first foothold.
# 7. Train the bias-0 LSTM of section 7 on the adding problem and compare it, seed by
#    seed, with section 5's LSTM. Does it learn later? Within six epochs, on how many of
#    the 5 seeds does each solve it? *Hint:* `train(bias0, epochs=n)` trains it for `n`
#    epochs; compare `runs["LSTM"].history["val_loss"][:, :n] / baseline` with the new
#    runs'.
#
# **Next:** lesson 04, the GRU: the same idea with two gates and one state.
