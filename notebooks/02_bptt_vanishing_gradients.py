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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/02_bptt_vanishing_gradients.ipynb)
#
# # 02 · Backpropagation through time and vanishing gradients
#
# Lesson 01 trained a tanh RNN to remember an input for three steps. Here we look at
# *how* it is trained, and why the same recipe breaks down when the memory has to
# last longer. You will
#
# 1. unroll the RNN and apply the chain rule: **backpropagation through time** (BPTT);
# 2. run a hand-written BPTT and check it against finite differences;
# 3. measure how the gradient shrinks (or grows) with the distance it travels back;
# 4. see what gradient clipping and truncated BPTT do, and what they do not do;
# 5. try the classic remedies on a task, and find the sequence length at which a
#    SimpleRNN stops learning it.

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
from lstmcourse.cells import SimpleRNNCell
from lstmcourse.diagnostics import reference_state_gradient_norms
from lstmcourse.plots import plot_gradient_norms
from lstmcourse.reference import gradient_check, rnn_backward, rnn_forward

# %% [markdown]
# ## 1. Unrolling and the chain rule
#
# Unrolled over $T$ steps, the RNN is a deep network whose layers share $W$, $U$, $b$:
#
# $$a_t = x_t W + h_{t-1} U + b, \qquad h_t = \tanh(a_t), \qquad t = 1, \dots, T.$$
#
# Suppose the loss $L$ looks only at the last state $h_T$ (as when we classify a whole
# sequence). Then $h_t$ affects $L$ only through $h_{t+1}, h_{t+2}, \dots, h_T$, and the
# chain rule multiplies one Jacobian per step:
#
# $$\frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial h_T}\,
#   \prod_{k=t+1}^{T} \frac{\partial h_k}{\partial h_{k-1}},
# \qquad
# \frac{\partial h_k}{\partial h_{k-1}} = \operatorname{diag}(1 - h_k^2)\, U^\top .$$
#
# (With Keras's row-vector layout, $h_k = \tanh(\dots + h_{k-1}U)$, so the Jacobian
# carries $U^\top$; $1 - h_k^2$ is $\tanh'(a_k)$.) Every factor has the *same* $U$.
# That product of $T - t$ matrices is the whole story of this lesson.
#
# ## 2. BPTT by hand, checked against finite differences
#
# Backpropagation walks the unrolled graph backwards, carrying $g_t$, the total
# gradient reaching $h_t$ (from the loss at step $t$ plus from step $t+1$):
#
# $$\delta_t = g_t \odot (1 - h_t^2), \quad
# \frac{\partial L}{\partial W} \mathrel{+}= x_t^\top \delta_t, \quad
# \frac{\partial L}{\partial U} \mathrel{+}= h_{t-1}^\top \delta_t, \quad
# \frac{\partial L}{\partial b} \mathrel{+}= \textstyle\sum_{\text{batch}} \delta_t, \quad
# g_{t-1} = \frac{\partial L}{\partial h_{t-1}}\Big|_{\text{direct}} + \delta_t U^\top .$$
#
# Because $W$, $U$ and $b$ are shared, their gradients are **sums over time**.
# `lstmcourse.reference.rnn_backward` is exactly these lines. Is it right? Compare it
# with the slow but trustworthy central difference
# $\frac{\partial L}{\partial \theta} \approx \frac{L(\theta+\varepsilon) - L(\theta-\varepsilon)}{2\varepsilon}$,
# in float64.

# %%
rng = np.random.default_rng(0)
batch, T, features, units = 2, 6, 3, 5
x = rng.normal(size=(batch, T, features))
h0 = rng.normal(size=(batch, units))
params = {
    "kernel": rng.normal(scale=0.5, size=(features, units)),
    "recurrent_kernel": rng.normal(scale=0.5, size=(units, units)),
    "bias": rng.normal(scale=0.1, size=units),
}
upstream = rng.normal(size=(batch, T, units))   # L = sum(upstream * hs): a loss at every step


def loss():
    hs, _ = rnn_forward(x, h0, params)
    return float(np.sum(upstream * hs))


hs, cache = rnn_forward(x, h0, params)
dx, dh0, grads = rnn_backward(upstream, cache)       # dL/dhs = upstream

checks = {"x": (x, dx), "h0": (h0, dh0), **{k: (params[k], grads[k]) for k in params}}
for name, (value, analytic) in checks.items():
    err = gradient_check(loss, value, analytic)
    print(f"{name:17s} shape {str(value.shape):10s} relative error < 1e-7: {err < 1e-7}")
    assert err < 1e-7, name

# %% [markdown]
# All six gradients agree with finite differences to better than $10^{-7}$. (The
# relative error is $\lVert a - n\rVert / (\lVert a\rVert + \lVert n\rVert)$: about 1
# for an unrelated answer, about $10^{-10}$ here.)
#
# ## 3. How far back does the gradient reach?
#
# Now the measurement. Take an RNN with 32 units over $T = 60$ steps, set $U$ to an
# orthogonal matrix scaled to spectral radius $\rho$, and compute
# $\lVert \partial L / \partial h_t\rVert$ for $L = \sum h_T$ at every $t$, with the
# hand-written BPTT (`reference_state_gradient_norms`).
#
# Each Jacobian factor has norm at most $\rho \cdot \max_j (1 - h_{k,j}^2) \le \rho$, so
# for $\rho < 1$ the gradient must shrink at least like $\rho^{T-t}$.

# %%
T_long, units_long = 60, 32
x_long = np.random.default_rng(1).normal(scale=0.5, size=(4, T_long, 3))
q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(units_long, units_long)))   # orthogonal


def rnn_params(radius):
    return {"kernel": np.random.default_rng(3).normal(scale=0.5, size=(3, units_long)),
            "recurrent_kernel": radius * q, "bias": np.zeros(units_long)}


norms = {f"ρ = {r}": reference_state_gradient_norms("rnn", x_long, rnn_params(r)) for r in (0.5, 0.9, 1.0, 1.5, 3.0)}
for label, n in norms.items():
    print(f"{label:8s}  |dL/dh_t| at distance 0: {n[-1]:.1e}   10: {n[-11]:.1e}   30: {n[-31]:.1e}   59: {n[0]:.1e}")

# %%
plot_gradient_norms(norms, title="tanh RNN: gradient norm vs distance, for several spectral radii")
plt.show()

# %%
assert norms["ρ = 0.5"][0] < 1e-12 and norms["ρ = 0.9"][0] < 1e-2, "small radius: the gradient vanishes"
assert norms["ρ = 3.0"][0] > 1e4 * norms["ρ = 3.0"][-1], "large radius: the gradient explodes"

# %% [markdown]
# What the numbers say:
#
# - **ρ = 0.5**: the gradient falls by a factor of about 2 per step; 59 steps back it
#   is below $10^{-12}$ of its size at the end. No update of $W$ can be driven by what
#   happened 59 steps ago: the **vanishing gradient**.
# - **ρ = 0.9 and 1.0**: slower, but still a steady exponential decay, because the
#   $\tanh'$ factors $(1-h^2) < 1$ shrink it further at every step.
# - **ρ = 1.5**: growth by $U$ and shrinkage by the saturating tanh ($h \to \pm1$, so
#   $1-h^2 \to 0$) roughly cancel: the norm wanders around its starting value.
# - **ρ = 3.0**: the gradient **explodes**, by about seven orders of magnitude over 59
#   steps. Exploding gradients make training unstable: one huge step can throw the
#   weights far away.
#
# There is no good setting: keeping the product of Jacobians near 1 over many steps
# is a knife edge. This is the problem the LSTM (lesson 03) was invented to solve.

# %% [markdown]
# ## 4. Gradient clipping: a fix for exploding, not for vanishing
#
# Clipping by norm rescales the whole gradient when its norm exceeds a threshold $c$:
# $g \leftarrow g \cdot \min(1, c / \lVert g\rVert)$. In Keras it is an optimizer
# argument, `keras.optimizers.Adam(clipnorm=1.0)`. It keeps the *size* of a step
# bounded, so one exploding batch cannot wreck the weights. But it multiplies every
# component by the same number, so the balance between the contributions of near and
# far time steps is unchanged. Let us split the gradient with respect to $U$ into the
# contributions of the last 10 steps and of the first 50:

# %%
def u_gradient_from(params_, first, last):
    """dL/dU for L = sum(h_T), counting only the terms of steps first..last-1."""
    hs_, _ = rnn_forward(x_long, None, params_)
    total = np.zeros((units_long, units_long))
    g = np.ones_like(hs_[:, -1])                 # dL/dh_T
    for t in reversed(range(T_long)):            # the BPTT loop, keeping per-step terms
        delta = g * (1 - hs_[:, t] ** 2)
        h_prev = hs_[:, t - 1] if t > 0 else np.zeros_like(hs_[:, 0])
        if first <= t < last:
            total += h_prev.T @ delta
        g = delta @ params_["recurrent_kernel"].T
    return total


def clip_by_norm(g, c):
    return g * min(1.0, c / np.linalg.norm(g))


for radius, c in ((3.0, 1.0), (0.9, 0.1)):
    p = rnn_params(radius)
    near, far = u_gradient_from(p, 50, 60), u_gradient_from(p, 0, 50)
    full, scale = near + far, min(1.0, c / np.linalg.norm(near + far))
    print(f"ρ = {radius}: |dL/dU| = {np.linalg.norm(full):.3g} -> clipped to {np.linalg.norm(clip_by_norm(full, c)):.3g}; "
          f"share of the first 50 steps: {np.linalg.norm(far) / np.linalg.norm(full):.4f} before, "
          f"{np.linalg.norm(far * scale) / np.linalg.norm(full * scale):.4f} after")
    assert np.isclose(np.linalg.norm(clip_by_norm(full, c)), c)

# %% [markdown]
# For ρ = 3.0 clipping turns a gradient of norm $10^8$ into a usable step of norm 1.
# For ρ = 0.9 the first 50 steps contribute a tiny share of the gradient, and after
# clipping they contribute exactly the same tiny share. Clipping makes training with
# exploding gradients *safe*; it does not make distant steps *heard*.
#
# ## 5. Truncated BPTT
#
# Backpropagating through all $T$ steps costs time and memory proportional to $T$.
# **Truncated BPTT** runs the forward pass over the whole sequence but backpropagates
# only the last $k$ steps (in practice: split a long sequence into chunks, carry the
# state forward, and stop the gradient at chunk boundaries; Keras's `stateful=True`
# layers work this way). Since gradients from far away have mostly vanished anyway,
# little is lost, and dependencies longer than $k$ can never be learned. Measured for
# ρ = 0.9:

# %%
p09 = rnn_params(0.9)
full_grad = u_gradient_from(p09, 0, T_long)
for k in (5, 10, 20, 40):
    truncated = u_gradient_from(p09, T_long - k, T_long)
    err = np.linalg.norm(truncated - full_grad) / np.linalg.norm(full_grad)
    print(f"k = {k:2d} steps: relative difference from full BPTT = {err:.3f}")

# %% [markdown]
# With ρ = 0.9, keeping the last 20 of 60 steps already recovers almost the whole
# gradient: the missing 40 steps contributed almost nothing, because their gradient
# had vanished. Truncation is cheap precisely where the RNN could not learn long
# dependencies anyway.
#
# ## 6. The remedies, tried on a real task
#
# **The adding problem** (Hochreiter & Schmidhuber, 1997). Each step carries a random
# number in [0, 1) and a marker; exactly two steps are marked, one in each half of the
# sequence. The target is the sum of the two marked numbers. Always answering 1.0
# gives a mean squared error of $1/6 \approx 0.167$: that is chance level. To beat it,
# the network must remember the first marked number for up to $T$ steps.

# %%
x_demo, y_demo = tasks.adding_problem(1, length=10, seed=0)
print("values :", np.round(x_demo[0, :, 0], 2))
print("markers:", x_demo[0, :, 1])
print("target :", np.round(y_demo[0], 3))
print(f"chance-level MSE: {tasks.ADDING_BASELINE_MSE:.3f}")


# %%
def train_adding(length, epochs=10, **cell_kwargs):
    """Train a 32-unit SimpleRNN on the adding problem; return the best validation MSE."""
    keras.utils.set_random_seed(0)
    x_tr, y_tr = tasks.adding_problem(4000, length=length, seed=1)
    x_va, y_va = tasks.adding_problem(1000, length=length, seed=2)
    model = keras.Sequential([
        keras.Input((length, 2)),
        keras.layers.RNN(SimpleRNNCell(32, **cell_kwargs)),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse")
    history = model.fit(x_tr, y_tr, validation_data=(x_va, y_va), epochs=epochs, batch_size=64, verbose=0)
    return min(history.history["val_loss"])


# %% [markdown]
# Three recipes from the literature for $T = 30$, all with gradient clipping:
#
# - the Keras default: tanh with an **orthogonal** $U$ (all singular values 1, a
#   careful initialisation);
# - tanh with a Glorot-uniform $U$ (a careless one);
# - **ReLU with $U$ initialised to the identity** (the "IRNN" of Le, Jaitly & Hinton,
#   2015): at the start, $h_t = \mathrm{relu}(h_{t-1} + \dots)$ copies the state forward
#   and the Jacobian is the identity wherever the unit is active.

# %%
# NBVAL_IGNORE_OUTPUT
start = time.perf_counter()
remedies = {
    "tanh, orthogonal U (default)": train_adding(30),
    "tanh, Glorot-uniform U": train_adding(30, recurrent_initializer="glorot_uniform"),
    "ReLU, identity U (IRNN)": train_adding(30, activation="relu", recurrent_initializer="identity"),
}
for name, mse in remedies.items():
    print(f"{name:30s} best validation MSE {mse:.4f}")
print(f"took {time.perf_counter() - start:.1f} s")

# %%
baseline = tasks.ADDING_BASELINE_MSE
assert remedies["ReLU, identity U (IRNN)"] < 0.1 * baseline, "the IRNN should solve T = 30"
assert remedies["tanh, Glorot-uniform U"] > 0.8 * baseline, "careless init stays at chance"
print("IRNN solves T = 30:", remedies["ReLU, identity U (IRNN)"] < 0.1 * baseline)
print("tanh RNNs stay near chance (MSE > 0.8 x baseline):",
      all(remedies[k] > 0.8 * baseline for k in list(remedies)[:2]))

# %% [markdown]
# With the same budget, the two tanh RNNs are stuck near chance while the IRNN solves
# the task. Initialisation matters because it sets the Jacobians at the start of
# training, when the gradient must first find the dependency. (ReLU RNNs bring their
# own trouble: nothing bounds the state, which is why clipping is on.)
#
# ## 7. Where does the plain RNN break?
#
# Finally the measurement this lesson has been building up to: the Keras-default tanh
# RNN on the adding problem for growing $T$, each with the same budget. We call the
# task *learned* when the validation MSE is below half of chance level.

# %%
# NBVAL_IGNORE_OUTPUT
start = time.perf_counter()
lengths = [10, 20, 30, 40]
sweep = {length: train_adding(length) for length in lengths}
learned = {length: mse < 0.5 * baseline for length, mse in sweep.items()}
for length, mse in sweep.items():
    print(f"T = {length:3d}: best validation MSE {mse:.4f} ({mse / baseline:.0%} of chance), learned: {learned[length]}")
breaks_at = min((length for length, ok in learned.items() if not ok), default=None)
print("the SimpleRNN first fails at T =", breaks_at)
print(f"took {time.perf_counter() - start:.1f} s")

# %%
assert learned[10] and not learned[40], "short sequences are learned, long ones are not"
print("T = 10 learned:", learned[10], "  T = 40 learned:", learned[40])

# %%
fig, ax = plt.subplots()
ax.plot(lengths, [sweep[n] for n in lengths], "o-", label="SimpleRNN (32 units, 10 epochs)")
ax.axhline(baseline, color="gray", linestyle=":", label="chance (always predict 1.0)")
ax.axhline(0.5 * baseline, color="gray", linestyle="--", alpha=0.5, label="'learned' threshold")
ax.set_xlabel("sequence length T")
ax.set_ylabel("best validation MSE")
ax.set_title("The adding problem: the tanh RNN breaks as T grows")
ax.legend(fontsize=10)
plt.show()

# %% [markdown]
# ## What you should take away
#
# - BPTT is ordinary backpropagation on the unrolled graph; gradients of shared weights
#   are sums over time. A hand-written BPTT is checkable against finite differences.
# - $\partial L/\partial h_t$ is a product of $T - t$ Jacobians $\operatorname{diag}(1-h^2)U^\top$.
#   It vanishes exponentially when they are small and explodes when they are large.
# - Clipping bounds the step size (exploding gradients) but does not restore the
#   signal from far away (vanishing gradients). Truncated BPTT saves compute by giving
#   up exactly those far dependencies.
# - Careful initialisation (orthogonal, identity + ReLU) helps; still, a plain tanh RNN
#   stops learning the adding problem somewhere between $T = 10$ and $T = 40$ here
#   (at $T = 30$ when this notebook was written).
#
# ## Exercises / going further
#
# 1. Repeat section 3 with $\rho = 1.0$ and inputs of scale 2 instead of 0.5. Why does
#    the gradient now vanish faster? (Hint: $1 - h^2$.)
# 2. In section 7, give the RNN 30 epochs instead of 10. Does the breaking point move?
#    By how much, and at what cost in time?
# 3. Write truncated BPTT for the *training* of a long sequence: split it into chunks of
#    20 steps and use `keras.layers.RNN(..., stateful=True)`.
# 4. Lab 02 (`exercises/lab02`) has you write `rnn_backward` and a gradient check yourself.
#
# **Next:** lesson 03 replaces the product of Jacobians by a sum: the LSTM cell state.
