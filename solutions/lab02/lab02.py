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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab02/lab02.ipynb)
#
# # Lab 02 · Backpropagation through time, checked
#
# Goes with lesson 02. About 60 minutes. Points: 13.
#
# You will write BPTT for the tanh RNN, write the finite-difference gradient that
# proves it right, and use your backward pass to measure how far back the gradient
# reaches. The forward pass is given: `lstmcourse.reference.rnn_forward` returns
# `(hs, cache)` with `cache` a dict holding `"x"` (batch, time, features), `"h0"`
# (batch, units), `"hs"` (batch, time, units), `"kernel"` and `"recurrent_kernel"`.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import checks
from lstmcourse.i18n import tr
from lstmcourse.reference import rnn_forward

# %% [markdown]
# ## Task 1 · BPTT (5 points)
#
# Write `rnn_backward(dhs, cache)`. `dhs` (batch, time, units) is $\partial L/\partial h_t$
# coming *directly* from the loss at every step. Walk backwards through time carrying
# the gradient that reaches $h_t$ from step $t+1$, and return `(dx, dh0, grads)` with
# `grads = {"kernel": ..., "recurrent_kernel": ..., "bias": ...}`:
#
# $$g_t = \texttt{dhs}_t + \delta_{t+1} U^\top,\quad \delta_t = g_t \odot (1 - h_t^2),\quad
# \partial W \mathrel{+}= x_t^\top \delta_t,\ \ \partial U \mathrel{+}= h_{t-1}^\top \delta_t,\ \ \partial b \mathrel{+}= \textstyle\sum_{\text{batch}}\delta_t,\ \ \partial x_t = \delta_t W^\top$$
#
# with $h_{t-1} = h_0$ at the first step, and `dh0` the gradient that reaches $h_0$.

# %% nbgrader={"grade": false, "grade_id": "rnn_backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_backward(dhs, cache):
    ### BEGIN SOLUTION
    x, h0, hs = cache["x"], cache["h0"], cache["hs"]
    W, U = cache["kernel"], cache["recurrent_kernel"]
    dx = np.zeros_like(x)
    grads = {"kernel": np.zeros_like(W), "recurrent_kernel": np.zeros_like(U), "bias": np.zeros(U.shape[0])}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        delta = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)   # through tanh
        grads["kernel"] += x[:, t].T @ delta
        grads["recurrent_kernel"] += h_prev.T @ delta
        grads["bias"] += delta.sum(axis=0)
        dx[:, t] = delta @ W.T
        dh_next = delta @ U.T
    return dx, dh_next, grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_rnn_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_rnn_backward(rnn_forward, rnn_backward)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_rnn_backward(rnn_forward, rnn_backward, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · Your own gradient check (3 points)
#
# Write `numerical_gradient(f, x, eps=1e-6)`: `f()` takes no argument and returns the
# loss, reading the array `x`. For every entry of `x`, nudge it by $+\varepsilon$ and
# $-\varepsilon$, evaluate `f`, **put the entry back**, and store the central difference
# $(f_+ - f_-)/(2\varepsilon)$. Hint: `np.ndindex(x.shape)` walks over every index.

# %% nbgrader={"grade": false, "grade_id": "numerical_gradient", "locked": false, "schema_version": 3, "solution": true, "task": false}
def numerical_gradient(f, x, eps=1e-6):
    ### BEGIN SOLUTION
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved - eps
        f_minus = f()
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_numerical_gradient", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_numerical_gradient(numerical_gradient)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_numerical_gradient(numerical_gradient, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# Now use it to check *your* BPTT on a fresh case, in float64. The relative error
# $\lVert a-n\rVert/(\lVert a\rVert+\lVert n\rVert)$ should be below $10^{-7}$ for every array.

# %% nbgrader={"grade": false, "grade_id": "your_gradient_check", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
rng = np.random.default_rng(1)
x = rng.normal(size=(2, 6, 3))
h0 = rng.normal(size=(2, 4))
params = {"kernel": rng.normal(size=(3, 4)), "recurrent_kernel": rng.normal(scale=0.5, size=(4, 4)),
          "bias": rng.normal(size=4)}
upstream = rng.normal(size=(2, 6, 4))


def loss():
    return float(np.sum(upstream * rnn_forward(x, h0, params)[0]))


dx, dh0, grads = rnn_backward(upstream, rnn_forward(x, h0, params)[1])
for name, value, analytic in [("x", x, dx), ("h0", h0, dh0)] + [(k, params[k], grads[k]) for k in params]:
    numeric = numerical_gradient(loss, value)
    error = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    print(f"{name:17s} relative error below 1e-7: {error < 1e-7}")

# %% [markdown]
# ## Task 3 · How far back does the gradient reach? (3 points)
#
# Write `gradient_norms(x, params)` returning an array of shape (time,): entry $t$ is
# $\lVert\partial L/\partial h_t\rVert$ for $L = \sum h_T$ (the sum of the last state), the
# norm taken over units and averaged over the batch, for a run that starts from $h_0 = 0$
# (`rnn_forward(x, None, params)`). Use your BPTT: with `dhs` zero
# everywhere except `dhs[:, -1] = 1`, the gradient reaching $h_t$ is what your loop
# carries into step $t$. One simple way: for each $t$, run `rnn_forward` on `x[:, t+1:]`
# starting from $h_t$, and take the `dh0` of your `rnn_backward`. (The last entry is
# $\lVert(1, \dots, 1)\rVert = \sqrt{\text{units}}$.)

# %% nbgrader={"grade": false, "grade_id": "gradient_norms", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gradient_norms(x, params):
    ### BEGIN SOLUTION
    hs, _ = rnn_forward(x, None, params)
    batch, time, units = hs.shape
    norms = np.empty(time)
    norms[-1] = np.sqrt(units)
    for t in range(time - 1):
        rest_hs, cache = rnn_forward(x[:, t + 1:], hs[:, t], params)
        dhs = np.zeros_like(rest_hs)
        dhs[:, -1] = 1.0
        _, dh, _ = rnn_backward(dhs, cache)
        norms[t] = np.mean(np.linalg.norm(dh, axis=-1))
    return norms
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_gradient_norms", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_gradient_norms(gradient_norms)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks, on a case with other sizes: redefinitions above do not reach it
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_gradient_norms(gradient_norms, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 4 · The experiment, and what it means (2 points, graded by hand)
#
# The cell below measures the norms over 40 steps for recurrent kernels of spectral
# radius 0.5, 0.9 and 1.5 and plots them against the distance. Run it, then answer in
# the cell after it, in 3–5 sentences: how does the gradient depend on the distance for
# each radius, why (refer to the product of Jacobians $\operatorname{diag}(1-h^2)U^\top$),
# and what does it mean for learning a dependency 30 steps long?

# %% nbgrader={"grade": false, "grade_id": "experiment", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(16, 16)))
x_long = np.random.default_rng(3).normal(scale=0.5, size=(4, 40, 3))
fig, ax = plt.subplots()
for radius in (0.5, 0.9, 1.5):
    p = {"kernel": np.random.default_rng(4).normal(scale=0.5, size=(3, 16)), "recurrent_kernel": radius * q,
         "bias": np.zeros(16)}
    norms = gradient_norms(x_long, p)
    ax.semilogy(np.arange(40)[::-1], norms, label=f"ρ = {radius}")
    print(f"ρ = {radius}: norm at distance 30 / norm at distance 0 below 1e-2: {norms[-31] / norms[-1] < 1e-2}")
ax.set_xlabel(tr("distance from the last step, T − 1 − t"))
ax.set_ylabel(tr("$\\|\\partial L / \\partial h_t\\|$ (log scale)"))
ax.legend()
plt.show()

# %% [markdown] nbgrader={"grade": true, "grade_id": "interpretation", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# For ρ = 0.5 and 0.9 the norm falls exponentially with the distance (a straight line on
# the log plot), much faster for 0.5: each step back multiplies the gradient by a
# Jacobian diag(1−h²)Uᵀ whose norm is at most ρ, and the tanh derivative shrinks it
# further. For ρ = 1.5 the growth from U and the shrinkage from the saturated tanh
# roughly balance, so the norm does not fall. A dependency 30 steps long therefore
# contributes a gradient that is orders of magnitude too small to learn from when the
# Jacobians are contracting, which is the vanishing-gradient problem; with larger ρ the
# gradient survives but training risks exploding gradients instead.
# ### END SOLUTION
