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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/04_gru.ipynb)
#
# # 04 · The GRU: two gates, one state
#
# The gated recurrent unit (Cho et al., 2014) simplifies the LSTM: it merges the cell
# state and the hidden state into one vector $h_t$, and lets **one** gate play the parts
# of the forget and input gates. In this lesson you will
#
# 1. write the update and reset gates in NumPy;
# 2. compare the two formulations, Cho et al.'s and Keras's `reset_after=True`, and see
#    why Keras prefers the second;
# 3. check the course's `GRUCell` against `keras.layers.GRU`, in both forms;
# 4. count parameters: RNN : GRU : LSTM = 1 : 3 : 4 blocks;
# 5. race RNN, GRU and LSTM on the same task with the same budget, over 5 seeds.

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
from lstmcourse.i18n import tr
from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell
from lstmcourse.reference import gru_gates, gru_step, params_from_layer

# %% [markdown]
# ## 1. Update gate and reset gate
#
# With Keras's gate order **z, r, h**:
#
# $$
# \begin{aligned}
# z_t &= \sigma(x_t W_z + h_{t-1} U_z + b_z) && \text{update gate}\\
# r_t &= \sigma(x_t W_r + h_{t-1} U_r + b_r) && \text{reset gate}\\
# \tilde h_t &= \tanh\big(x_t W_h + (r_t \odot h_{t-1})\, U_h + b_h\big) && \text{candidate (Cho et al.)}\\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
# \end{aligned}
# $$
#
# The last line is the LSTM's cell update with the two gates tied together: $z_t$ plays
# the forget gate and $1 - z_t$ the input gate. Whenever something new is written, the
# same amount of the old content is erased. When $z_t = 1$ the state is copied
# unchanged, the GRU's version of the conveyor belt: $\partial h_t/\partial h_{t-1}$
# contains the term $\operatorname{diag}(z_t)$, with no matrix on it. The reset gate
# decides how much of the past the candidate may look at; there is no output gate, so
# the whole state is the output. (Papers differ in whether $z$ or $1-z$ weighs the old
# state; we follow Keras.)
#
# The figure draws the cell: the state line along the top, the two gates, the
# candidate, and the mix of old state and candidate. (It shows the candidate in Cho et
# al.'s form, as the equations above; section 2 explains Keras's default variant.)

# %% alt="Diagram of the GRU cell. A single state line runs along the top from h_{t-1} to h_t. Below it two sigmoid boxes take h_{t-1} and x_t: the reset gate r_t, which multiplies h_{t-1} before it enters the tanh candidate h~_t together with x_t, and the update gate z_t. On the right the old state is multiplied by z_t, the candidate by 1 - z_t, and the two are added to give h_t. Footnotes: h_t = z_t * h_{t-1} + (1 - z_t) * h~_t (z = 1 keeps the old state, z = 0 overwrites it); the candidate is drawn as in Cho et al., while Keras's default reset_after=True applies r_t after the product; Keras stores the blocks in the order z, r, h."
_ = diagrams.gru_cell()
plt.show()

# %% [markdown]
# Let us compute one step by hand, gate by gate, and compare with the reference
# implementation. The weights have Keras's layout: `kernel` (features, 3·units),
# `recurrent_kernel` (units, 3·units).

# %%
rng = np.random.default_rng(0)
batch, features, units = 2, 3, 4
x_t = rng.normal(size=(batch, features))
h_prev = rng.normal(scale=0.5, size=(batch, units))
W = rng.normal(scale=0.5, size=(features, 3 * units))
U = rng.normal(scale=0.5, size=(units, 3 * units))
b = rng.normal(scale=0.1, size=3 * units)
sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731

W_z, W_r, W_h = np.split(W, 3, axis=1)        # (features, units) each
U_z, U_r, U_h = np.split(U, 3, axis=1)        # (units, units) each
b_z, b_r, b_h = np.split(b, 3)

z = sigmoid(x_t @ W_z + h_prev @ U_z + b_z)                      # (batch, units)
r = sigmoid(x_t @ W_r + h_prev @ U_r + b_r)                      # (batch, units)
h_cand = np.tanh(x_t @ W_h + (r * h_prev) @ U_h + b_h)           # reset BEFORE the matmul
h_t = z * h_prev + (1 - z) * h_cand
print("z", z.shape, " r", r.shape, " h_cand", h_cand.shape, " h_t", h_t.shape)

params_cho = {"kernel": W, "recurrent_kernel": U, "bias": b}
assert np.allclose(gru_step(x_t, h_prev, params_cho, reset_after=False), h_t)
print("gru_step(reset_after=False) agrees with the hand computation")

# %% [markdown]
# ## 2. Two formulations: reset before or after the matrix product
#
# Keras's default, `reset_after=True`, moves the reset gate *outside* the product and
# gives the recurrent part its own bias $b'$:
#
# $$\tilde h_t = \tanh\big(x_t W_h + b_h + r_t \odot (h_{t-1} U_h + b'_h)\big).$$
#
# Why? In Cho et al.'s form, $r_t$ must be known before $h_{t-1}$ can be multiplied by
# $U_h$: two matrix products one after the other at every step. With the reset after,
# $h_{t-1} U$ for **all three gates** is one product of shape
# [batch, units]·[units, 3·units], computed at once, which is the form NVIDIA's cuDNN
# kernel implements; `keras.layers.GRU` can use cuDNN on a GPU only with
# `reset_after=True`. The bias becomes a (2, 3·units) matrix: input biases and
# recurrent biases.
#
# [lesson 12, §6](12_when_rnns_fail.ipynb#6-why-is-my-lstm-slow-cudnn-eligibility)
# checks this condition and Keras's others on any model: for each LSTM or GRU layer, the
# doctor says whether it would run on cuDNN on a GPU, and if not, why.

# %%
b_rec = rng.normal(scale=0.1, size=3 * units)
params_keras = {"kernel": W, "recurrent_kernel": U, "bias": np.stack([b, b_rec])}   # bias (2, 3·units)
m = h_prev @ U + b_rec                                     # ONE product for z, r and h: (batch, 3·units)
m_z, m_r, m_h = np.split(m, 3, axis=1)
z2 = sigmoid(x_t @ W_z + b_z + m_z)
r2 = sigmoid(x_t @ W_r + b_r + m_r)
h_cand2 = np.tanh(x_t @ W_h + b_h + r2 * m_h)              # reset AFTER the matmul
h_t2 = z2 * h_prev + (1 - z2) * h_cand2
print("h_prev @ U:", h_prev.shape, "·", U.shape, "=", m.shape)
assert np.allclose(gru_step(x_t, h_prev, params_keras, reset_after=True), h_t2)
print("gru_step(reset_after=True) agrees; the two forms differ by",
      f"{np.max(np.abs(h_t2 - h_t)):.2f} on these weights (different functions, same idea)")

# %% [markdown]
# ## 3. The course cell is `keras.layers.GRU`, in both forms

# %%
x_rand = rng.normal(size=(8, 15, features)).astype("float32")       # (batch, time, features)
for reset_after in (True, False):
    ours = keras.layers.RNN(GRUCell(units, reset_after=reset_after), return_sequences=True)
    builtin = keras.layers.GRU(units, reset_after=reset_after, return_sequences=True)
    ours(x_rand)
    builtin(x_rand)
    builtin.set_weights(ours.get_weights())
    diff = float(np.max(np.abs(ours(x_rand) - builtin(x_rand))))
    print(f"reset_after={reset_after!s:5s} weights {[w.shape for w in ours.get_weights()]}  max |ours - keras| = {diff}")
    assert diff == 0.0

# %% [markdown]
# ## 4. Counting parameters
#
# Each gate (or candidate) is one *block*: a kernel (features × units), a recurrent
# kernel (units × units) and a bias (units). A SimpleRNN has 1 block, a GRU 3 (z, r, h)
# and an LSTM 4 (i, f, c, o), so for the same sizes they have parameters in the ratio
# 1 : 3 : 4, plus the GRU's extra recurrent bias ($3 \cdot$ units) with `reset_after=True`.

# %%
F, H = 2, 32
block = F * H + H * H + H
layers = {
    "SimpleRNN": (keras.layers.SimpleRNN(H), 1 * block),
    "GRU (reset_after=False)": (keras.layers.GRU(H, reset_after=False), 3 * block),
    "GRU (reset_after=True)": (keras.layers.GRU(H), 3 * block + 3 * H),
    "LSTM": (keras.layers.LSTM(H), 4 * block),
}
print(f"one block = {F}·{H} + {H}·{H} + {H} = {block}")
for name, (layer, formula) in layers.items():
    model = keras.Sequential([keras.Input((None, F)), layer])
    print(f"{name:24s} count_params() = {model.count_params():5d}   formula = {formula:5d}   "
          f"= {model.count_params() / block:.2f} blocks")
    assert model.count_params() == formula

# %% [markdown]
# ## 5. Same task, same budget: RNN vs GRU vs LSTM, over 5 seeds
#
# The adding problem (lesson 02: chance MSE is $1/6$†; lesson 03: the SimpleRNN fails,
# the LSTM succeeds), here at $T = 30$ to keep five seeds of three models short. (A †
# after a number marks a value set by hand or a known constant, not one this notebook
# measures.) Each model gets the same width, 32 units (so the
# parameters are in the ratio 1 : 3 : 4, as counted above), the same 2,000 training
# sequences in batches of 32, Adam with `clipnorm=1.0`, and 10 epochs.
#
# One training run is an anecdote: the same recipe can solve a task from one random
# initialisation and not from another. So each model is trained from **5 seeds**
# (`lstmcourse.experiments.train_seeds`; the seeds vary the initial weights, all runs
# see the same batches). For every seed we record the best validation MSE and the first
# epoch at which it drops below 10 % of chance, which we call *solved*.

# %%
seed = lstmcourse.notebook_seed()            # every random draw below follows the notebook's seed
T, EPOCHS = 30, 10
x_train, y_train = tasks.adding_problem(2000, length=T, seed=seed + 1)
x_val, y_val = tasks.adding_problem(500, length=T, seed=seed + 2)
baseline = tasks.ADDING_BASELINE_MSE
solved_below = 0.1 * baseline
cells = {"SimpleRNN": SimpleRNNCell, "GRU": GRUCell, "LSTM": LSTMCell}


def race(cell_class, seeds=5):
    def build():                                   # called once per seed
        return keras.Sequential([keras.Input((T, 2)), keras.layers.RNN(cell_class(32)), keras.layers.Dense(1)])
    return experiments.train_seeds(build, x_train, y_train, loss="mse", seeds=seeds,
                                   optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0),
                                   epochs=EPOCHS, batch_size=32, validation_data=(x_val, y_val))


def solved_epochs(r):
    """First epoch below 10 % of chance, per seed (nan: not within the budget)."""
    return r.epochs_to("val_loss", solved_below)


def solved_summary(r):
    epochs = solved_epochs(r)
    done = epochs[~np.isnan(epochs)]
    where = f", at epoch {experiments.spread(done, 0)}" if len(done) else ""
    return f"solved on {len(done)}/{len(epochs)}{where}"


# %%
# NBVAL_IGNORE_OUTPUT
runs = {name: race(cell) for name, cell in cells.items()}
for name, r in runs.items():
    params = r.model(0).count_params()
    print(f"{name:9s} {params:5d} params | best val MSE {experiments.spread(r.best('val_loss'), 4)} | "
          f"{solved_summary(r)} | {r.seconds / EPOCHS:.1f} s per epoch for the 5 seeds")
print(f"took {sum(r.seconds for r in runs.values()):.0f} s")

# %% [markdown]
# What holds over the seeds, checked (chance is $1/6$† $\approx 0.167$; "first" compares
# the median epoch at which each cell solved the task, a seed that never solves it
# counting as one more than the budget):

# %%
best = {name: r.best("val_loss") for name, r in runs.items()}
solved_at = {name: solved_epochs(r) for name, r in runs.items()}
n_solved = {name: int(np.sum(~np.isnan(s))) for name, s in solved_at.items()}
median_epoch = {name: float(np.median(np.nan_to_num(s, nan=EPOCHS + 1))) for name, s in solved_at.items()}
assert n_solved["SimpleRNN"] <= 2, "the RNN fails on most seeds"
assert np.median(best["SimpleRNN"]) > 0.5 * baseline, "on the median seed its best stays above half of chance"
assert n_solved["GRU"] >= 3 and n_solved["LSTM"] >= 3, "both gated cells solve it on most seeds"
assert median_epoch["GRU"] + 1 <= median_epoch["LSTM"], "the GRU gets there first"
print(f"SimpleRNN: best val MSE {np.min(best['SimpleRNN']) / baseline:.0%}–{np.max(best['SimpleRNN']) / baseline:.0%} "
      f"of chance on the 5 seeds (median {np.median(best['SimpleRNN']) / baseline:.0%}): "
      f"solved on {n_solved['SimpleRNN']}/5")
for name in ("GRU", "LSTM"):
    print(f"{name:9s}: solved on {n_solved[name]}/5 seeds, median epoch {median_epoch[name]:.0f}")

# %% alt="Three panels for the adding problem with T = 30, SimpleRNN in blue, GRU in orange and LSTM in green. Left: MSE per epoch on a log scale, validation for every seed (thin) and the median (thick), training medians dashed, with lines at chance and at the 'solved' level (10 % of chance): the SimpleRNN stays at chance, while the GRU and the LSTM fall below the solved line, the GRU earlier. Middle: each seed's best validation MSE on a log scale: the SimpleRNN's points sit at chance, the gated cells' far below it. Right: the first epoch at which each seed of the GRU and the LSTM fell below 10 % of chance (the SimpleRNN never does); the GRU's median is lower than the LSTM's."
colors = {"SimpleRNN": "C0", "GRU": "C1", "LSTM": "C2"}
fig, (ax_curves, ax_best, ax_epochs) = plt.subplots(1, 3, figsize=(16, 4.5))
for name, r in runs.items():
    experiments.plot_curves(r, "val_loss", ax=ax_curves, label=tr("{name} validation", name=name), color=colors[name],
                            log=True)
    ax_curves.plot(np.arange(1, EPOCHS + 1), np.median(r.history["loss"], axis=0), "--", color=colors[name],
                   alpha=0.7, label=tr("{name} training (median)", name=name))
ax_curves.axhline(baseline, color="gray", linestyle=":", label=tr("chance"))
ax_curves.axhline(solved_below, color="black", linestyle=":", lw=1, label=tr("solved (10 % of chance)"))
ax_curves.set_ylabel(tr("MSE (log scale)"))
ax_curves.set_title(tr("Adding problem, T = {T}: every seed (thin) and the median", T=T))
ax_curves.legend(fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.15))
experiments.plot_spread(best, ax=ax_best, ylabel=tr("best validation MSE (log scale)"), log=True,
                        reference=baseline, reference_label=tr("chance"))
ax_best.set_title(tr("Best validation MSE, one point per seed"))
experiments.plot_spread({name: solved_at[name] for name in ("GRU", "LSTM")}, ax=ax_epochs,
                        ylabel=tr("first epoch below 10 % of chance"))
for points, name in zip(ax_epochs.collections, ("GRU", "LSTM")):   # same colours as the curves
    points.set_color(colors[name])
for points, name in zip(ax_best.collections, runs):
    points.set_color(colors[name])
ax_epochs.set_ylim(0, EPOCHS + 1)
ax_epochs.set_title(tr("Epochs to solve (SimpleRNN: never)"))
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. When to prefer which
#
# First the three cells side by side: what each carries from step to step, its gates,
# its weight blocks in Keras's order, and how the GRU's gates relate to the LSTM's.

# %% alt="Table comparing SimpleRNN, LSTM and GRU. States carried: h_t; h_t and C_t; h_t alone, playing both roles. Gates: none; input i, forget f and output o; update z and reset r. Candidate: the step itself (tanh); C~_t (tanh); h~_t (tanh). State update: h_t = tanh(x_t W + h_{t-1} U + b); C_t = f_t * C_{t-1} + i_t * C~_t and h_t = o_t * tanh(C_t); h_t = z_t * h_{t-1} + (1 - z_t) * h~_t. Weight blocks in Keras's order: h; i, f, c, o; z, r, h. Parameters for n inputs and u units: u(n + u + 1); 4u(n + u + 1); 3u(n + u + 1) + 3u with reset_after=True. From LSTM to GRU: f and i are tied into one gate and C and h become one state; z plays f, 1 - z plays i, and there is no output gate. Footnotes: 1 : 3 : 4 blocks, so about 1 : 3 : 4 times the parameters; blocks of the same colour do the same job."
_ = diagrams.cell_comparison()
plt.show()

# %% [markdown]
# The usual advice (including three of the five Chinese articles this course was written
# from, listed in the repository's `docs/sources.md`) is that the GRU is a simpler LSTM,
# "a little faster, with comparable results". Section 5's race checks the results; for
# size and speed, here is what holds:
#
# - **Results:** on this task both gated cells solve what the SimpleRNN cannot, and
#   the GRU gets there first: over the five seeds of section 5, each gated cell solves
#   it on most seeds, the SimpleRNN on few or none (on the median seed its best stays
#   above half of chance), and the GRU's median epoch is at least one below the LSTM's.
#   Those are the checks under section 5's table, which prints the counts and epochs of
#   this run; `studies/flip_risk.py` in the repository trains the race for many more seeds
#   to check that another run of the notebook would almost surely pass them. That is
#   one task at one size. Larger comparisons found no consistent winner: Chung et al.
#   (2014) compared LSTM, GRU and tanh units on polyphonic music and speech signals,
#   and found both gated units clearly better than the tanh RNN but could not say
#   which of the two is better, the answer depending on the data set; Jozefowicz et al.
#   (2015) searched over ten thousand architectures and found the GRU ahead of the LSTM
#   on most of their tasks (not on language modelling), a gap that largely closed once
#   the LSTM's forget-gate bias was set to 1. (Greff et al., 2017, compared LSTM
#   *variants*, not the GRU; among them, coupling the input and forget gates, as the
#   GRU does, did not significantly hurt.)
# - **Size:** the GRU has 3 blocks to the LSTM's 4: exactly a quarter fewer parameters
#   at the same width with `reset_after=False`, a little less than a quarter with
#   Keras's default `reset_after=True`, which adds a recurrent bias (section 4's table):
#   useful when data or memory are scarce.
# - **Speed:** fewer parameters do *not* automatically mean proportionally less time:
#   with small layers, every step also pays costs that do not grow with the number of
#   blocks (running the loop, launching many small operations). Section 5's table prints
#   the seconds per epoch of each cell on your machine; they depend on the machine and
#   its load, so read the order from your own run. On a GPU, both built-in layers use
#   cuDNN (the GRU only with `reset_after=True`); the course's cells, used in the race,
#   do not.
# - **Plain RNN:** fine, and cheapest, when dependencies are short (lesson 01's delayed
#   echo).
#
# Rule of thumb: start with an LSTM or GRU; if it matters, try both, over a few seeds,
# because the difference is task-dependent and, on other tasks, can be smaller than
# the spread between seeds of one model.
#
# ## What you should take away
#
# - The GRU keeps one state; the update gate $z$ interpolates between keeping
#   ($z = 1$) and overwriting ($z = 0$), tying the LSTM's forget and input gates.
# - The reset gate controls how much of the past the candidate sees. Keras applies it
#   after the recurrent product (`reset_after=True`), which allows one fused product and cuDNN.
# - Parameters: RNN : GRU : LSTM = 1 : 3 : 4 blocks (+3·units for `reset_after=True`).
# - With the same width and training budget, over 5 seeds, the GRU and the LSTM solve the
#   adding problem at $T = 30$ on most seeds and the SimpleRNN on few or none;
#   here the GRU needs fewer epochs (its median epoch is at least one below the LSTM's,
#   checked in section 5). Judge such comparisons on several seeds, never on one run.
#
# ## Exercises / going further
#
# 1. Repeat the race at $T = 100$† with 20† epochs. Which gated cell solves it first now,
#    and on how many seeds?
# 2. Give the SimpleRNN as many parameters as the LSTM (how many units?). Does it help?
#    *Hint:* section 4's formulas with 2 input features: the recurrent layer has
#    $u^2 + 3u$ parameters (1 block), the LSTM $4(u_0^2 + 3u_0)$ (4 blocks), and each
#    model's Dense head adds its own $u + 1$, which is not multiplied by 4. Solve
#    $u^2 + 3u + (u + 1) \approx 4(u_0^2 + 3u_0) + (u_0 + 1)$ for $u$ with $u_0 = 32$.
# 3. Give the GRU as many parameters as the LSTM (how many units?). Does it still solve
#    the task first?
# 4. Use `lstmcourse.trace` on a trained GRU (`runs["GRU"].model(0)`): does it have a
#    unit whose update gate stays near 1 between the markers, like the LSTM's memory
#    unit in lesson 03?
# 5. Lab 04 (`exercises/lab04`) asks you to write `gru_step` in Keras's `reset_after` form.
#
# **Next:** lesson 05 stacks recurrent layers.
