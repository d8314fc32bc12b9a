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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/solutions/lab09/lab09.ipynb)
#
# # Lab 09 · Forecasting without leakage
#
# Goes with lesson 08. About 40 minutes. Points: 10.
#
# Before any network is trained, a forecast needs two things right: windows that keep the
# test months out of training, and baselines to beat. You cut a series into windows
# *after* the split, fit the scaler on the training part only, and measure the naive and
# the seasonal-naive forecasts on the test windows, in NumPy. The data is lesson 08's
# Mauna Loa CO₂ series, one value per month.
#
# **Your variant.** Every student gets their own stretch of the series, split, window and
# horizon, and their own test cases, drawn from a *variant* (a number from 0 to 999).
# Working alone, you get variant 0; to try another, set the environment variable
# `LSTMCOURSE_VARIANT` (e.g. `LSTMCOURSE_VARIANT=7 jupyter lab`) before starting Jupyter.
# In a course graded with nbgrader, your variant comes from your student id. A number or
# an array copied from another notebook belongs to another variant, and the checks say so.

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package first
    # %pip install -q "lstmcourse @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import lstmcourse

keras = lstmcourse.setup_notebook(seed=0)

import numpy as np

from lstmcourse import lab09_checks as checks
from lstmcourse import variants

VARIANT = variants.current()
data = checks.lab_data(VARIANT)
print(variants.describe(VARIANT))
print(f"{len(data.series)} months of CO2, {data.months[0]} to {data.months[-1]}; "
      f"test months from {data.months[data.split]} (index {data.split})")
print(f"window {data.window} months, horizon {data.horizon} months, season {data.season} months")

# %% [markdown]
# ## Task 1 · Windows after the split (3 points)
#
# Write `make_windows(series, split, window, horizon)`. The window that starts at index
# $i$ has the inputs `series[i : i + window]` and the targets
# `series[i + window : i + window + horizon]`. Return `(x_train, y_train, x_test, y_test)`:
#
# - the **training** windows are those whose targets all come *before* `split`;
# - the **test** windows are those whose targets all come *at or after* `split`; their
#   inputs may reach back into the training part, so that the first test target,
#   `series[split]`, is forecast too;
# - windows slide one step at a time; `x` has shape (n, window, 1) (batch, time, one
#   feature, as Keras's recurrent layers take it) and `y` has shape (n, horizon).
#
# A window whose targets straddle the split belongs to neither. Cutting the windows by
# where their *inputs* end lets a training window learn from test months: leakage, as in
# lesson 08's section on windows.

# %% nbgrader={"grade": false, "grade_id": "make_windows", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_windows(series, split, window, horizon):
    ### BEGIN SOLUTION
    series = np.asarray(series, dtype="float64")
    steps, ahead = np.arange(window), np.arange(horizon)

    def cut(starts):
        x = series[starts[:, None] + steps][..., None]         # (n, window, 1)
        y = series[starts[:, None] + window + ahead]           # (n, horizon)
        return x, y

    train = np.arange(0, split - window - horizon + 1)          # last target: series[split - 1]
    test = np.arange(split - window, len(series) - window - horizon + 1)   # first target: series[split]
    return (*cut(train), *cut(test))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_make_windows", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_make_windows(make_windows)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09").check_make_windows(make_windows, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 2 · A scaler fitted on the training part (2 points)
#
# Write `standardise(train, test)`: return both parts standardised with the mean and the
# standard deviation of `train` alone, `(train − m) / s` and `(test − m) / s`. Fitting
# them on the whole series lets the test values leak into training (lesson 12, §3). Do
# not change the inputs.

# %% nbgrader={"grade": false, "grade_id": "standardise", "locked": false, "schema_version": 3, "solution": true, "task": false}
def standardise(train, test):
    ### BEGIN SOLUTION
    mean, std = np.mean(train), np.std(train)                   # the training part only
    return (train - mean) / std, (test - mean) / std
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_standardise", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_standardise(standardise)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09").check_standardise(standardise, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 3 · The naive forecast (1 point)
#
# Write `naive_forecast(x, horizon)`: for windows `x` of shape (n, window, 1), forecast
# every target as the window's last value, repeated over the horizon: shape (n, horizon).

# %% nbgrader={"grade": false, "grade_id": "naive_forecast", "locked": false, "schema_version": 3, "solution": true, "task": false}
def naive_forecast(x, horizon):
    ### BEGIN SOLUTION
    return np.repeat(x[:, -1, :], horizon, axis=1)              # (n, 1) -> (n, horizon)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_naive", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_naive(naive_forecast)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09").check_naive(naive_forecast, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 4 · The seasonal-naive forecast (2 points)
#
# Write `seasonal_naive(x, season, horizon)`: forecast every target as the value one
# season before *that target*. The window covers `x[:, 0]` … `x[:, window − 1]`, and
# target $k$ (counting from 0) comes $k + 1$ steps after the window's last value, so one
# season before it is `x[:, window − season + k]`. Return shape (n, horizon); the horizon
# is at most one season, and the check uses seasons other than 12.

# %% nbgrader={"grade": false, "grade_id": "seasonal_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def seasonal_naive(x, season, horizon):
    ### BEGIN SOLUTION
    window = x.shape[1]
    return x[:, window - season + np.arange(horizon), 0]       # (n, horizon)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_seasonal", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_seasonal(seasonal_naive)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09").check_seasonal(seasonal_naive, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 5 · The mean absolute error (1 point)
#
# Write `mae(y, yhat)`: one number, the mean of $|y - \hat y|$ over every window and
# every step of the horizon.

# %% nbgrader={"grade": false, "grade_id": "mae", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mae(y, yhat):
    ### BEGIN SOLUTION
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(yhat))))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_mae", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_mae(mae)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09").check_mae(mae, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Task 6 · Your baselines (1 point)
#
# Cut your variant's series (`data.series`, `data.split`, `data.window`, `data.horizon`)
# into windows with your `make_windows`, and set `naive_mae` and `seasonal_mae` to the
# test MAE of the two forecasts, in ppm (on the raw series; the season is `data.season`).

# %% nbgrader={"grade": false, "grade_id": "baselines", "locked": false, "schema_version": 3, "solution": true, "task": false} tags=["raises-exception"]
naive_mae = seasonal_mae = None                                # your two numbers replace these
### BEGIN SOLUTION
x_train, y_train, x_test, y_test = make_windows(data.series, data.split, data.window, data.horizon)
naive_mae = mae(y_test, naive_forecast(x_test, data.horizon))
seasonal_mae = mae(y_test, seasonal_naive(x_test, data.season, data.horizon))
### END SOLUTION
print(f"test MAE: naive {naive_mae:.3f} ppm, seasonal naive {seasonal_mae:.3f} ppm")

# %% nbgrader={"grade": true, "grade_id": "check_baselines", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
checks.check_baselines(naive_mae, seasonal_mae)
### BEGIN HIDDEN TESTS
import importlib  # a fresh copy of the checks and the variants: redefinitions above do not reach them
importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09").check_baselines(naive_mae, seasonal_mae)
### END HIDDEN TESTS

# %% [markdown]
# ## Try it
#
# The windows a network would train on: the series standardised with your scaler, cut
# with your `make_windows`. The same function applied to the month indices tells which
# months the targets are: every training target must lie before the split and every test
# target at or after it (the `assert` checks it). The scaled training part has mean 0 and
# standard deviation 1; compare the test part's.

# %% nbgrader={"grade": false, "grade_id": "try_it", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["raises-exception"]
train_z, test_z = standardise(data.series[:data.split], data.series[data.split:])
z = np.concatenate([train_z, test_z])
x_train, y_train, x_test, y_test = make_windows(z, data.split, data.window, data.horizon)
print("x_train", x_train.shape, " y_train", y_train.shape, " x_test", x_test.shape, " y_test", y_test.shape)
_, index_train, _, index_test = make_windows(np.arange(len(z)), data.split, data.window, data.horizon)
last_train, first_test = int(index_train.max()), int(index_test.min())     # the same windows, of month indices
print(f"last training target {data.months[last_train]}, first test target {data.months[first_test]}")
print(f"scaled training part: mean {train_z.mean():.2f}, std {train_z.std():.2f}; "
      f"test part: mean {test_z.mean():.2f}, std {test_z.std():.2f}")
assert last_train < data.split <= first_test

# %% [markdown]
# ## Going further
#
# - Train lesson 08's one-step LSTM on these windows (on the month-to-month changes, as
#   lesson 08 does) and compare its test MAE with your two baselines.
# - Cut the windows by where their inputs end instead, fit a model on both versions, and
#   compare the validation errors with the test errors: how much better does the leaky
#   version look before the test months show it?
