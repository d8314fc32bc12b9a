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
# 5. race RNN, GRU and LSTM on the same task with the same budget.

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
from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell
from lstmcourse.plots import plot_histories
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
# ## 5. Same task, same budget: RNN vs GRU vs LSTM
#
# The adding problem at $T = 50$ (lesson 02: chance MSE is $1/6$; lesson 03: the
# SimpleRNN fails, the LSTM succeeds). Each model gets 32 units, Adam with
# `clipnorm=1.0`, and 10 epochs. We record the best validation MSE, the first epoch at
# which it drops below 10 % of chance, the parameters and the time per epoch.

# %%
T = 50
x_train, y_train = tasks.adding_problem(4000, length=T, seed=1)
x_val, y_val = tasks.adding_problem(1000, length=T, seed=2)
baseline = tasks.ADDING_BASELINE_MSE


def race(cell, epochs=10):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((T, 2)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs, batch_size=64, verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    val = history.history["val_loss"]
    solved_at = next((epoch + 1 for epoch, v in enumerate(val) if v < 0.1 * baseline), None)
    return {"history": history, "best": min(val), "solved_at": solved_at,
            "params": model.count_params(), "seconds_per_epoch": seconds}


# %%
# NBVAL_IGNORE_OUTPUT
runs = {"SimpleRNN": race(SimpleRNNCell(32)), "GRU": race(GRUCell(32)), "LSTM": race(LSTMCell(32))}
print(f"{'model':10s} {'params':>7s} {'best val MSE':>13s} {'solved at epoch':>16s} {'s / epoch':>10s}")
for name, r in runs.items():
    print(f"{name:10s} {r['params']:7d} {r['best']:13.4f} {str(r['solved_at']):>16s} {r['seconds_per_epoch']:10.2f}")
print(f"took {sum(r['seconds_per_epoch'] for r in runs.values()) * 10:.0f} s")

# %%
assert runs["SimpleRNN"]["best"] > 0.8 * baseline, "the RNN stays near chance"
assert runs["GRU"]["best"] < 0.1 * baseline and runs["LSTM"]["best"] < 0.1 * baseline, "both gated cells solve it"
print("SimpleRNN near chance:", runs["SimpleRNN"]["best"] > 0.8 * baseline)
print("GRU and LSTM below 10% of chance:", runs["GRU"]["best"] < 0.1 * baseline and runs["LSTM"]["best"] < 0.1 * baseline)
print("GRU has fewer parameters than the LSTM:", runs["GRU"]["params"] < runs["LSTM"]["params"])

# %%
plot_histories({name: r["history"] for name, r in runs.items()}, metric="loss",
               title=f"Adding problem, T = {T}: same size, same budget", baseline=baseline)
plt.yscale("log")
plt.ylabel("MSE (log scale)")
plt.show()

# %% [markdown]
# ## 6. When to prefer which
#
# The usual advice (including the articles this course is based on) is that the GRU is
# a simpler LSTM, "a little faster, with comparable results". Our race tests that:
#
# - **Results:** on this task both gated cells solve what the SimpleRNN cannot; in
#   this run the GRU got there in fewer epochs than the LSTM (see the table). On other
#   tasks the order flips; large comparisons (Chung et al., 2014; Jozefowicz et al.,
#   2015; Greff et al., 2017) found no consistent winner, except that an LSTM with a
#   forget bias of 1 is a strong default.
# - **Size:** the GRU has 3 blocks to the LSTM's 4, 25 % fewer parameters at the same
#   width: useful when data or memory are scarce.
# - **Speed:** fewer parameters do *not* automatically mean faster. On this CPU, with
#   32 units, the time per epoch is dominated by the per-step overhead of the loop, not
#   by the matrix products, and the GRU is not faster (see the table). On a GPU, both
#   built-in layers use cuDNN (the GRU only with `reset_after=True`).
# - **Plain RNN:** fine, and cheapest, when dependencies are short (lesson 01's delayed
#   echo).
#
# Rule of thumb: start with an LSTM or GRU; if it matters, try both, because the
# difference is task-dependent and usually small.
#
# ## What you should take away
#
# - The GRU keeps one state; the update gate $z$ interpolates between keeping
#   ($z = 1$) and overwriting ($z = 0$), tying the LSTM's forget and input gates.
# - The reset gate controls how much of the past the candidate sees. Keras applies it
#   after the recurrent product (`reset_after=True`), which allows one fused product and cuDNN.
# - Parameters: RNN : GRU : LSTM = 1 : 3 : 4 blocks (+3·units for `reset_after=True`).
# - With the same budget, GRU and LSTM both solve the adding problem at $T = 50$; the
#   SimpleRNN does not.
#
# ## Exercises / going further
#
# 1. Repeat the race at $T = 100$ with 20 epochs. Which gated cell wins now?
# 2. Give the SimpleRNN as many parameters as the LSTM (how many units?). Does it help?
# 3. Use `lstmcourse.trace` on the trained GRU: does it have a unit whose update gate
#    stays near 1 between the markers, like the LSTM's memory unit in lesson 03?
# 4. Lab 04 (`exercises/lab04`) asks you to write `gru_step` in Keras's `reset_after` form.
#
# **Next:** lesson 05 stacks recurrent layers.
