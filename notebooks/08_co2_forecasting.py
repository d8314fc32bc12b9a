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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/v0.2.0/notebooks/08_co2_forecasting.ipynb)
#
# # 08 · Capstone: forecasting atmospheric CO2
#
# The Mauna Loa record (Keeling et al.; public domain, shipped in `statsmodels`) is a
# rising trend with a yearly wave. We forecast it one month and twelve months ahead
# with an LSTM, and, most importantly, compare with **naive baselines** that any
# forecast must beat. You will
#
# 1. load the series and difference it (an LSTM cannot extrapolate a trend it has never seen);
# 2. cut it into windows, with the shapes spelled out;
# 3. train a one-step LSTM under 5 seeds and compare it with the naive and
#    seasonal-naive forecasts;
# 4. forecast 12 months at once, and say honestly where the LSTM wins and by how much.

# %%
import sys

if "google.colab" in sys.modules:  # on Colab: install the course package and its data
    # %pip install -q "lstmcourse[data] @ git+https://github.com/lstmcourse/lstmcourse@v0.2.0"

# %%
import lstmcourse

keras = lstmcourse.setup_notebook(seed=42)

import matplotlib.pyplot as plt
import numpy as np

from lstmcourse import datasets, experiments
from lstmcourse.i18n import N_, tr

# %% [markdown]
# ## 1. The series, and why we model differences
#
# Monthly means, March 1958 to December 2001 (526 months). We train on everything
# before 1990, validate on 1990–1995† and test on 1996–2001: a forecast is always judged
# on the *future* of what it was trained on. (A † after a number marks a value set by
# hand or a known constant, not one this notebook measures: here the split.)

# %% alt="Line chart of the monthly mean CO2 concentration at Mauna Loa (ppm) against the year, 1958 to 2001, with dotted vertical lines at 1990 and 1996 splitting training, validation and test years. The curve rises steadily with a regular yearly wave on top, so the test years lie above every level seen in training."
co2 = datasets.co2()
levels = co2.values
print(f"{len(co2)} months, {co2.index[0]:%Y-%m} to {co2.index[-1]:%Y-%m}; "
      f"{levels[0]:.1f} ppm -> {levels[-1]:.1f} ppm")
fig, ax = plt.subplots()
ax.plot(co2.index, levels)
for boundary in ("1990", "1996"):
    ax.axvline(np.datetime64(boundary), color="gray", linestyle=":")
ax.set_xlabel(tr("year"))
ax.set_ylabel(tr("CO2 (ppm)"))
ax.set_title(tr("Mauna Loa CO2: train | validation | test"))
plt.show()

# %% [markdown]
# The test years lie entirely above anything seen in training (both ranges are printed
# and checked below). A network that maps past levels to the next level has never
# produced such values, and with saturating tanh units it extrapolates poorly. The
# standard fix is to model the **month-to-month change** $d_t = y_{t+1} - y_t$, which
# stays in the same range over the decades (the yearly wave makes it swing up and down,
# with a spread of about 1.1 ppm, around a small positive mean: the growth), and to add
# the predicted change back to the last known level. We also standardise the changes
# with the *training* mean and spread.
#
# Fitted on all the years instead, the scaler would let the validation and test years
# leak into training;
# [lesson 12, §3](12_when_rnns_fail.ipynb#3-leakage-a-scaler-fitted-before-the-split)
# makes that mistake on purpose and lets the doctor find it.

# %%
changes = np.diff(levels)                                   # d[i] = level[i+1] - level[i]
change_dates = co2.index[1:]                                # the month each change leads to
train_mask = change_dates < "1990"
mean, std = changes[train_mask].mean(), changes[train_mask].std()
z = (changes - mean) / std
print(f"monthly change: mean {mean:+.3f} ppm, spread {std:.3f} ppm (training years)")

# %%
train_years, test_years = co2.index < "1990", co2.index >= "1996"
test_changes = changes[change_dates >= "1996"]
print(f"levels:  training years {levels[train_years].min():.1f} to {levels[train_years].max():.1f} ppm, "
      f"test years {levels[test_years].min():.1f} to {levels[test_years].max():.1f} ppm")
print(f"changes: training years {changes[train_mask].min():+.2f} to {changes[train_mask].max():+.2f} ppm, "
      f"test years {test_changes.min():+.2f} to {test_changes.max():+.2f} ppm")
assert levels[test_years].min() > levels[train_years].max(), "the test levels lie above everything seen in training"
assert changes[train_mask].min() - 0.5 < test_changes.min() and test_changes.max() < changes[train_mask].max() + 0.5, \
    "the changes stay in the training range"

# %% [markdown]
# ## 2. Windows, shape by shape
#
# A window of the last $W = 24$ standardised changes is the input; the next change is
# the target. `datasets.windows(values, window, horizon)` slides over the series:
# inputs (n, W, 1) (batch, time, one feature) and targets (n, horizon).

# %%
W = 24
x, y = datasets.windows(z, window=W, horizon=1)
target_dates = change_dates[W:]                             # date of each target change
split = {
    "train": target_dates < "1990",
    "val": (target_dates >= "1990") & (target_dates < "1996"),
    "test": target_dates >= "1996",
}
print("x", x.shape, " y", y.shape)
for name, mask in split.items():
    print(f"{name:5s}: {mask.sum():3d} windows, targets {target_dates[mask][0]:%Y-%m} to {target_dates[mask][-1]:%Y-%m}")

# %% [markdown]
# ## 3. One month ahead
#
# Two baselines, both free:
#
# - **naive**: next month equals this month (predicted change 0);
# - **seasonal naive**: next month's change equals the change one year earlier (the
#   window's 12th-last value), which already captures the yearly wave.
#
# Errors are mean absolute errors in ppm on the *level* (the predicted change added to
# the last known level), on the test years. The baselines have no weights, so one
# number each; the LSTM is trained under 5 seeds (`experiments.train_seeds`: the
# notebook's seed and the four after it; they vary the initial weights), so it gets 5
# numbers.

# %%
# NBVAL_IGNORE_OUTPUT
SEEDS = 5
build_one_step = lambda: keras.Sequential([
    keras.Input((W, 1)),                    # (batch, 24 months, 1)
    keras.layers.LSTM(32),                  # (batch, 32)
    keras.layers.Dense(1),                  # (batch, 1): next standardised change
])
one_step = experiments.train_seeds(build_one_step, x[split["train"]], y[split["train"]], seeds=SEEDS, loss="mse",
                                   optimizer=keras.optimizers.Adam(0.005), epochs=30, batch_size=32,
                                   validation_data=(x[split["val"]], y[split["val"]]))
print(f"final training loss {experiments.spread(one_step.final('loss'))}\n"
      f"final validation loss {experiments.spread(one_step.final('val_loss'))}; took {one_step.seconds:.1f} s")

# %%
# NBVAL_IGNORE_OUTPUT
test = split["test"]
true_change = y[test, 0] * std + mean
forecasts = {
    N_("naive (no change)"): np.zeros_like(true_change),
    "seasonal naive": x[test, -12, 0] * std + mean,
}
lstm_forecasts = [one_step.model(i).predict(x[test], verbose=0)[:, 0] * std + mean for i in range(SEEDS)]
mae = {name: float(np.mean(np.abs(f - true_change))) for name, f in forecasts.items()}
mae_lstm = np.array([np.mean(np.abs(f - true_change)) for f in lstm_forecasts])       # (seeds,)
for name, value in mae.items():
    print(f"{name:18s} MAE {value:.3f} ppm")
print(f"{'LSTM':18s} MAE {experiments.spread(mae_lstm)} ppm")
vs_naive = 1 - mae_lstm / mae["naive (no change)"]
vs_seasonal = 1 - mae_lstm / mae["seasonal naive"]
print(f"LSTM error lower than naive by {experiments.spread(vs_naive, digits=0, percent=True)}; "
      f"than seasonal naive by {experiments.spread(vs_seasonal, digits=0, percent=True)}")

# %%
assert np.max(mae_lstm) < 0.5 * mae["naive (no change)"], "the LSTM must beat the naive forecast by half on every seed"
assert np.max(mae_lstm) < 0.95 * mae["seasonal naive"], "the LSTM should beat seasonal naive by > 5% on every seed"

# %% [markdown]
# The naive forecast ignores the yearly wave and is off by about 1.1 ppm a month. The
# seasonal-naive forecast is a much stronger opponent, and the LSTM beats it too, on
# every seed: its error is 15% lower (15%–16% over the 5 seeds; the check above asks
# for more than 5% on every seed). Its window holds the last two years of changes, not
# only the one from a year ago. On other series the seasonal-naive forecast can win:
# always run it.
#
# A model can also end up *being* the naive forecast, repeating the last value it saw;
# [lesson 12, §2](12_when_rnns_fail.ipynb#2-the-forecast-repeats-the-last-input-persistence)
# produces that on purpose, shows how the doctor notices it, and fixes it by predicting
# the change, as this lesson does.

# %% alt="Line chart of the CO2 concentration (ppm) one month ahead over the test years 1996 to 2001: the measured values as black dots, the seasonal-naive forecast and the first seed's LSTM forecast as lines. Both forecasts follow the rising yearly wave of the measurements closely."
level_before = levels[1:][W:][test] - true_change            # the last known level for each target
months = target_dates[test]
fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(months, level_before + true_change, "k.", label=tr("measured"))
ax.plot(months, level_before + forecasts["seasonal naive"], label=tr("seasonal naive"), alpha=0.7)
ax.plot(months, level_before + lstm_forecasts[0], label=tr("LSTM (first seed)"), alpha=0.9)
ax.set_xlabel(tr("month"))
ax.set_ylabel(tr("CO2 (ppm)"))
ax.set_title(tr("One month ahead, test years"))
ax.legend()
plt.show()

# %% [markdown]
# ## 4. Twelve months ahead
#
# Now forecast a whole year from each window: 12 outputs, the next 12 changes
# (`horizon=12`, a `Dense(12)` head: the *direct* strategy). The level forecast for
# month $h$ is the last level plus the sum of the first $h$ predicted changes. The
# seasonal-naive year repeats the last 12 changes.

# %%
# NBVAL_IGNORE_OUTPUT
H = 12
x12, y12 = datasets.windows(z, window=W, horizon=H)
dates12 = change_dates[W:W + len(x12)]                       # date of the first target month
# a window's 12 targets must not cross a boundary: train windows end their targets in 1989
split12 = {"train": dates12 < "1989", "val": (dates12 >= "1990") & (dates12 < "1995"), "test": dates12 >= "1996"}
build_twelve = lambda: keras.Sequential([keras.Input((W, 1)), keras.layers.LSTM(32), keras.layers.Dense(H)])
twelve = experiments.train_seeds(build_twelve, x12[split12["train"]], y12[split12["train"]], seeds=SEEDS, loss="mse",
                                 optimizer=keras.optimizers.Adam(0.005), epochs=30, batch_size=32,
                                 validation_data=(x12[split12["val"]], y12[split12["val"]]))
print(f"x12 {x12.shape}, y12 {y12.shape}; took {twelve.seconds:.1f} s")

# %%
# NBVAL_IGNORE_OUTPUT
t12 = split12["test"]
true_path = np.cumsum(y12[t12] * std + mean, axis=1)                  # level change after h months
paths = {
    "naive (no change)": np.zeros_like(true_path),
    "seasonal naive": np.cumsum(x12[t12, -12:, 0] * std + mean, axis=1),
}
mae12 = {name: np.mean(np.abs(p - true_path), axis=0) for name, p in paths.items()}   # (12,): per horizon
mae12_lstm = np.array([np.mean(np.abs(np.cumsum(twelve.model(i).predict(x12[t12], verbose=0) * std + mean, axis=1)
                                      - true_path), axis=0) for i in range(SEEDS)])  # (seeds, 12)
for name, errors in mae12.items():
    print(f"{name:18s} MAE at 1, 6, 12 months: {errors[0]:.2f}, {errors[5]:.2f}, {errors[11]:.2f} ppm; "
          f"mean {errors.mean():.2f}")
median12 = np.median(mae12_lstm, axis=0)
print(f"{'LSTM (median)':18s} MAE at 1, 6, 12 months: {median12[0]:.2f}, {median12[5]:.2f}, {median12[11]:.2f} ppm; "
      f"mean {experiments.spread(mae12_lstm.mean(axis=1), digits=2)}")
below = (mae12_lstm < mae12["seasonal naive"]).sum(axis=1)
print(f"LSTM below seasonal naive at {experiments.spread(below, digits=0)} of the 12 horizons")

# %%
assert np.max(mae12_lstm.mean(axis=1)) < 0.5 * mae12["naive (no change)"].mean(), \
    "the LSTM must beat naive by half over a year, on every seed"
assert np.max(mae12_lstm.mean(axis=1)) < 0.9 * mae12["seasonal naive"].mean(), \
    "the LSTM should beat seasonal naive by > 10% over a year, on every seed"
assert np.min(below) >= 10, "the LSTM should be below seasonal naive at >= 10 of 12 horizons on every seed"
assert mae12["naive (no change)"][5] > 2 * mae12["naive (no change)"][11], "the naive error peaks at half a year"
assert mae12["seasonal naive"][0] < mae12["seasonal naive"][5] < mae12["seasonal naive"][11], \
    "the seasonal-naive error grows with the horizon"
assert median12[0] < median12[5] < median12[11], "the LSTM's error grows with the horizon"
lead = 1 - median12 / mae12["seasonal naive"]                          # (12,): how much lower the LSTM's error is
assert lead[11] > lead[0] + 0.05, "the LSTM's lead over seasonal naive grows from 1 to 12 months"

# %% alt="Line chart of the mean absolute error (ppm) against the forecast horizon, 1 to 12 months ahead, for the naive (no change) forecast, the seasonal-naive forecast and the LSTM (median of 5 seeds, with each seed as a thin line). The naive error rises to a peak around six months ahead and falls back by twelve; the seasonal-naive and LSTM errors are far lower and grow slowly with the horizon, the LSTM below the seasonal-naive forecast almost everywhere."
fig, ax = plt.subplots()
months_ahead = np.arange(1, H + 1)
for name, errors in mae12.items():
    ax.plot(months_ahead, errors, "o-", label=tr(name))
ax.plot(months_ahead, median12, "o-", lw=2.5, label=tr("{name} (median of {n} seeds)", name="LSTM", n=SEEDS))
for errors in mae12_lstm:
    ax.plot(months_ahead, errors, color=ax.lines[-1].get_color(), lw=0.8, alpha=0.35)
ax.set_xlabel(tr("months ahead"))
ax.set_ylabel(tr("MAE (ppm)"))
ax.set_title(tr("Forecast error against the horizon"))
ax.legend()
plt.show()

# %% [markdown]
# Not every error grows with the horizon. The **naive** forecast's error rises to
# 3.65 ppm at six months and falls back to 1.65 ppm at twelve: "no change" is worst
# half a year ahead, when the yearly wave is at its opposite phase, and good again a
# year ahead, when the wave is back where it was (what is left is one year of growth).
# The **seasonal-naive** and **LSTM** errors do grow with the horizon (each month adds
# its own uncertainty): 0.35 → 0.73 → 1.10 ppm for seasonal naive at 1, 6 and 12
# months, 0.27 → 0.54 → 0.66 ppm for the LSTM (median of the seeds). The LSTM is ahead
# of the seasonal-naive forecast at every horizon on every seed here (the check asks
# for at least 10 of the 12), with a mean error of 0.52 against 0.75 ppm. And its lead
# grows with the horizon: its median error is 23 % lower than seasonal naive's at one
# month (0.27 against 0.35 ppm) and 40 % lower at twelve (0.66 against 1.10 ppm).
# Seasonal naive repeats last year's changes, including whatever was unusual about last
# year, and over 12 months those errors add up; the LSTM's forecast, learned from many
# years, drifts less. A simple baseline is the yardstick, not a formality: here it is
# beaten, by a margin that depends on the horizon, and the honest report gives both
# numbers.
#
# ## What to try next
#
# - Train on the raw levels instead of the changes and look at the test forecasts: the
#   network cannot reach levels it never saw (section 1).
#   *Hint:* standardise `levels` with the training months' mean and standard deviation,
#   build the windows with `datasets.windows` as in section 2, and plot the test forecasts
#   against the true levels: watch where the forecasts flatten out.
# - A GRU (lesson 04), a longer window (36† months), or two stacked layers (lesson 05).
#   *Hint:* only `build_one_step` and `W` change; rebuild `x, y` and `split` for a new `W`,
#   and compare the per-seed MAEs (`experiments.spread`) with the LSTM's, not one run with one run.
# - The yearly sunspot numbers in `statsmodels.datasets.sunspots`: a cycle of about 11
#   years with irregular amplitude, much harder for the seasonal-naive forecast.
#   *Hint:* `statsmodels.datasets.sunspots.load_pandas().data` has a `SUNACTIVITY` column
#   (one value per year, offline); the "seasonal" baseline becomes "same as 11 years ago".
# - A bidirectional layer (lesson 06) over the window. This is allowed here: the whole
#   window lies in the past at the forecast origin, so the backward direction reads nothing
#   it should not. It would leak the answer in a model that predicts step $t+1$ from its
#   output at *every* step $t$ (`return_sequences=True`): there the backward direction at
#   step $t$ has already read $t+1$.
#   *Hint:* wrap the `LSTM(32)` of `build_one_step` in `keras.layers.Bidirectional` and
#   compare the per-seed MAEs with the plain LSTM's.
