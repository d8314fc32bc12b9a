"""Flip risk of lesson 08's claims (CO2 forecasting): the LSTM against the naive forecasts."""
import numpy as np

from claims import k_of_5, resampled, setup


def lesson_08(replicas=80):
    """Lesson 08 §3–§4: one-step and twelve-step LSTM(32) forecasters, 30 epochs, 5 seeds.

    The series and its split are fixed (they do not follow the notebook's seed), so only
    the replica seeds vary: seeds 0 to replicas - 1. The baselines have no weights, and
    §1's and §4's asserts on the data and the baselines alone (test levels above the
    training range, changes within it, the naive error's peak at six months, the
    seasonal-naive error growing with the horizon) are deterministic: left out.
    """
    keras = setup()
    from lstmcourse import datasets, experiments

    co2 = datasets.co2()
    levels = co2.values
    changes = np.diff(levels)
    change_dates = co2.index[1:]
    train_mask = change_dates < "1990"
    mean, std = changes[train_mask].mean(), changes[train_mask].std()
    z = (changes - mean) / std
    seeds = list(range(replicas))

    W = 24
    x, y = datasets.windows(z, window=W, horizon=1)
    target_dates = change_dates[W:]
    split = {"train": target_dates < "1990", "val": (target_dates >= "1990") & (target_dates < "1996"),
             "test": target_dates >= "1996"}
    build_one_step = lambda: keras.Sequential([keras.Input((W, 1)), keras.layers.LSTM(32), keras.layers.Dense(1)])
    one_step = experiments.train_seeds(build_one_step, x[split["train"]], y[split["train"]], seeds=seeds, loss="mse",
                                       optimizer=lambda: keras.optimizers.Adam(0.005), epochs=30, batch_size=32,
                                       validation_data=(x[split["val"]], y[split["val"]]))
    print(f"one step: {one_step.seconds:.1f} s", flush=True)
    test = split["test"]
    true_change = y[test, 0] * std + mean
    mae_naive = float(np.mean(np.abs(true_change)))
    mae_seasonal = float(np.mean(np.abs(x[test, -12, 0] * std + mean - true_change)))
    mae_lstm = np.array([np.mean(np.abs(one_step.model(i).predict(x[test], verbose=0)[:, 0] * std + mean
                                        - true_change)) for i in range(replicas)])

    H = 12
    x12, y12 = datasets.windows(z, window=W, horizon=H)
    dates12 = change_dates[W:W + len(x12)]
    split12 = {"train": dates12 < "1989", "val": (dates12 >= "1990") & (dates12 < "1995"), "test": dates12 >= "1996"}
    build_twelve = lambda: keras.Sequential([keras.Input((W, 1)), keras.layers.LSTM(32), keras.layers.Dense(H)])
    twelve = experiments.train_seeds(build_twelve, x12[split12["train"]], y12[split12["train"]], seeds=seeds,
                                     loss="mse", optimizer=lambda: keras.optimizers.Adam(0.005), epochs=30,
                                     batch_size=32, validation_data=(x12[split12["val"]], y12[split12["val"]]))
    print(f"twelve steps: {twelve.seconds:.1f} s", flush=True)
    t12 = split12["test"]
    true_path = np.cumsum(y12[t12] * std + mean, axis=1)
    naive12 = np.mean(np.abs(true_path), axis=0)
    seasonal12 = np.mean(np.abs(np.cumsum(x12[t12, -12:, 0] * std + mean, axis=1) - true_path), axis=0)
    mae12_lstm = np.array([np.mean(np.abs(np.cumsum(twelve.model(i).predict(x12[t12], verbose=0) * std + mean, axis=1)
                                          - true_path), axis=0) for i in range(replicas)])      # (replicas, 12)
    below = (mae12_lstm < seasonal12).sum(axis=1)
    yearly = mae12_lstm.mean(axis=1)

    claims = [
        k_of_5("§3 LSTM MAE < half the naive MAE on every seed", mae_lstm / mae_naive, lambda v: v < 0.5, 5, 0.5, "<",
               in_lesson=False),
        k_of_5("§3 LSTM MAE < half the naive MAE on the median seed", mae_lstm / mae_naive, lambda v: v < 0.5, 3,
               0.5, "<"),
        k_of_5("§3 LSTM MAE < 0.95 × seasonal naive on every seed", mae_lstm / mae_seasonal, lambda v: v < 0.95, 5,
               0.95, "<", in_lesson=False),
        k_of_5("§3 LSTM MAE < 0.95 × seasonal naive on the median seed", mae_lstm / mae_seasonal,
               lambda v: v < 0.95, 3, 0.95, "<"),
        k_of_5("§4 LSTM's mean 12-month MAE < half the naive's on every seed", yearly / naive12.mean(),
               lambda v: v < 0.5, 5, 0.5, "<", in_lesson=False),
        k_of_5("§4 LSTM's mean 12-month MAE < half the naive's on the median seed", yearly / naive12.mean(),
               lambda v: v < 0.5, 3, 0.5, "<"),
        k_of_5("§4 LSTM's mean 12-month MAE < 0.9 × seasonal naive's on every seed", yearly / seasonal12.mean(),
               lambda v: v < 0.9, 5, 0.9, "<", in_lesson=False),
        k_of_5("§4 LSTM's mean 12-month MAE < 0.9 × seasonal naive's on the median seed", yearly / seasonal12.mean(),
               lambda v: v < 0.9, 3, 0.9, "<"),
        k_of_5("§4 LSTM below seasonal naive at >= 10 of 12 horizons on every seed", below, lambda v: v >= 10, 5,
               9.5, ">", in_lesson=False),
        k_of_5("§4 LSTM below seasonal naive at >= 10 of 12 horizons on the median seed", below, lambda v: v >= 10,
               3, 9.5, ">"),
        resampled("§4 the LSTM's median error grows with the horizon (1 < 6 < 12 months)",
                  {"h1": mae12_lstm[:, 0], "h6": mae12_lstm[:, 5], "h12": mae12_lstm[:, 11]},
                  lambda d: np.median(d["h1"]) < np.median(d["h6"]) < np.median(d["h12"])),
        resampled("§4 the LSTM's lead over seasonal naive grows by > 0.05 from 1 to 12 months (medians)",
                  {"h1": mae12_lstm[:, 0], "h12": mae12_lstm[:, 11]},
                  lambda d: 1 - np.median(d["h12"]) / seasonal12[11] > 1 - np.median(d["h1"]) / seasonal12[0] + 0.05),
    ]
    return {"claims": claims, "replica_seeds": f"0-{replicas - 1}",
            "baselines": {"naive_1_step": mae_naive, "seasonal_1_step": mae_seasonal,
                          "naive_12": naive12.round(3).tolist(), "seasonal_12": seasonal12.round(3).tolist()},
            "lstm_1_step_mae": {"median": float(np.median(mae_lstm)), "min": float(mae_lstm.min()),
                                "max": float(mae_lstm.max())},
            "lstm_12_mean_mae": {"median": float(np.median(yearly)), "min": float(yearly.min()),
                                 "max": float(yearly.max())},
            "below_seasonal_horizons": np.bincount(below, minlength=13).tolist()}


STUDIES = {"08": lesson_08}
