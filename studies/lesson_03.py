"""Flip risk of lesson 03's claims (LSTM gates): the adding problem (§5–7) and the France example (§8).

Sections 2–4 assert that implementations agree (reference step vs cell vs ``keras.layers.LSTM``,
``dC_t/dC_{t-1} = diag(f_t)``): identities, true for any weights, so they are left out.
Every other assert depends on the notebook's seed: the replica seeds (initial weights) and the
data (drawn from ``SEED + 1`` … ``SEED + 5``), so both vary here (``data_seeds``), as in lesson 04.
"""
import sys
import time

import numpy as np

from claims import k_of_5, resampled, setup

sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
_T0 = time.perf_counter()


def _progress(what):
    print(f"[{time.perf_counter() - _T0:6.0f} s] {what}", file=sys.stderr, flush=True)


def lesson_03(replicas=27, data_seeds=(42, 1000, 2000), epochs=10):
    """Lesson 03 §5–7: SimpleRNN vs LSTM (course cells, 32 units) on the adding problem, T = 30, 10 epochs;
    the gradient 29 steps back before and after training; the memory unit; forget bias 1 vs 0 at the start."""
    keras = setup()
    import lstmcourse
    from lstmcourse import experiments, tasks
    from lstmcourse.cells import LSTMCell, SimpleRNNCell
    from lstmcourse.diagnostics import state_gradient_norms

    T = 30
    baseline = tasks.ADDING_BASELINE_MSE
    recipes = {"SimpleRNN": lambda: SimpleRNNCell(32), "LSTM": lambda: LSTMCell(32)}
    bias0 = lambda: LSTMCell(32, unit_forget_bias=False)  # noqa: E731
    keys = ("rel_rnn", "rel_lstm", "gain_rnn", "gain_lstm", "before_ratio", "after_ratio", "r_solved",
            "textbook", "forget_between", "input_ratio", "abs_r", "gate1_dev", "gate0_dev", "bias_gain",
            "bias_gain_over_gates")
    s = {k: [] for k in keys}
    for seed in data_seeds:
        x_train, y_train = tasks.adding_problem(2000, length=T, seed=seed + 1)
        x_val, y_val = tasks.adding_problem(500, length=T, seed=seed + 2)

        def builder(make_cell):
            return lambda: keras.Sequential([keras.Input((T, 2)), keras.layers.RNN(make_cell()),
                                             keras.layers.Dense(1)])

        seeds = list(range(seed, seed + replicas))

        def initial(make_cell, s_):
            keras.utils.set_random_seed(s_)
            return builder(make_cell)()

        def grad_far(model):
            model.compile(loss="mse")
            return float(state_gradient_norms(model, x_val[:128], y_val[:128])[0])

        runs = {name: experiments.train_seeds(
            builder(make), x_train, y_train, loss="mse", seeds=seeds, epochs=epochs, batch_size=32,
            optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0), validation_data=(x_val, y_val))
            for name, make in recipes.items()}
        _progress(f"§5 data seed {seed}: trained")
        before = {name: np.array([grad_far(initial(recipes[name], s_)) for s_ in seeds]) for name in recipes}
        after = {name: np.array([grad_far(runs[name].model(i)) for i in range(replicas)]) for name in recipes}
        rel = {name: runs[name].best("val_loss") / baseline for name in recipes}
        s["rel_rnn"].extend(rel["SimpleRNN"])
        s["rel_lstm"].extend(rel["LSTM"])
        s["gain_rnn"].extend(after["SimpleRNN"] / before["SimpleRNN"])
        s["gain_lstm"].extend(after["LSTM"] / before["LSTM"])
        s["before_ratio"].extend(before["SimpleRNN"] / before["LSTM"])
        s["after_ratio"].extend(after["LSTM"] / after["SimpleRNN"])

        _progress(f"§5 data seed {seed}: gradients")
        # §6 the memory unit, as memory_unit() in the lesson
        batch_idx = np.arange(256)
        markers = x_val[:256, :, 1] == 1
        first = np.argmax(markers, axis=1)
        second = T // 2 + np.argmax(markers[:, T // 2:], axis=1)
        first_value = x_val[batch_idx, first, 0]
        steps = np.arange(T)[None]
        between = (steps > first[:, None]) & (steps < second[:, None])
        for i in range(replicas):
            trace = lstmcourse.trace(runs["LSTM"].model(i).layers[0], x_val[:256])
            c = trace["cell_state"][batch_idx, second - 1]
            r = np.array([np.corrcoef(c[:, u], first_value)[0, 1] for u in range(c.shape[1])])
            unit = int(np.nanargmax(np.abs(r)))
            forget, inp = trace["forget_gate"][:, :, unit], trace["input_gate"][:, :, unit]
            fb, ir = float(forget[between].mean()), float(inp[markers].mean() / inp[~markers].mean())
            ok = rel["LSTM"][i] < 0.1
            s["abs_r"].append(abs(r[unit]))
            s["forget_between"].append(fb)
            s["input_ratio"].append(ir)
            s["r_solved"].append(float(ok and abs(r[unit]) > 0.7))
            s["textbook"].append(float(ok and abs(r[unit]) > 0.9 and fb > 0.9 and ir > 5))

        _progress(f"§6 data seed {seed}: memory units")
        # §7 forget bias 1 vs 0 at the initial weights
        g0 = np.array([grad_far(initial(bias0, s_)) for s_ in seeds])
        gates = {}
        for label, make in (("1", recipes["LSTM"]), ("0", bias0)):
            gates[label] = np.array([float(lstmcourse.trace(initial(make, s_).layers[0], x_val[:256])
                                           ["forget_gate"].mean()) for s_ in seeds])
        gain = before["LSTM"] / g0
        s["gate1_dev"].extend(np.abs(gates["1"] - sigmoid(1.0)))
        s["gate0_dev"].extend(np.abs(gates["0"] - 0.5))
        s["bias_gain"].extend(gain)
        s["bias_gain_over_gates"].extend(gain / (gates["1"] / gates["0"]) ** (T - 1))
    s = {k: np.array(v, dtype=float) for k, v in s.items()}
    claims = adding_claims(s)
    return {"claims": claims, "data_seeds": list(data_seeds), "replicas_per_data_seed": replicas,
            "statistics": {k: [round(float(x), 6) for x in v] for k, v in s.items()}}


def adding_claims(s):
    """Lesson 03 §5–7's claims from the per-replica statistics ``s`` ({name: array (n,)})."""
    return [
        k_of_5("§5 LSTM solves T = 30 (best val MSE < 10 % of chance) on >= 4 of 5 seeds", s["rel_lstm"],
               lambda v: v < 0.1, 4, 0.1, "<", in_lesson=False),
        k_of_5("§5 LSTM solves T = 30 on >= 3 of 5 seeds", s["rel_lstm"], lambda v: v < 0.1, 3, 0.1, "<"),
        k_of_5("§5 SimpleRNN best val MSE > half of chance on >= 4 of 5 seeds", s["rel_rnn"], lambda v: v > 0.5, 4,
               0.5, ">", in_lesson=False),
        k_of_5("§5 SimpleRNN best val MSE > 0.8 of chance on the median seed", s["rel_rnn"], lambda v: v > 0.8, 3,
               0.8, ">", in_lesson=False),
        k_of_5("§5 SimpleRNN best val MSE > half of chance on the median seed", s["rel_rnn"], lambda v: v > 0.5, 3,
               0.5, ">"),
        k_of_5("§5 training raises the LSTM's gradient 29 steps back on >= 4 of 5 seeds", s["gain_lstm"],
               lambda v: v > 1, 4, 1.0, ">", in_lesson=False),
        k_of_5("§5 training raises the LSTM's gradient 29 steps back (median)", s["gain_lstm"],
               lambda v: v > 1, 3, 1.0, ">"),
        resampled("§5 LSTM's median gain > 10 × the RNN's median gain",
                  {"rnn": s["gain_rnn"], "lstm": s["gain_lstm"]},
                  lambda d: np.median(d["lstm"]) > 10 * np.median(d["rnn"]), in_lesson=False),
        resampled("§5 LSTM's median gain > 5 × the RNN's median gain",
                  {"rnn": s["gain_rnn"], "lstm": s["gain_lstm"]},
                  lambda d: np.median(d["lstm"]) > 5 * np.median(d["rnn"])),
        k_of_5("§5 fresh RNN's gradient 29 steps back > 10 × the fresh LSTM's, every seed", s["before_ratio"],
               lambda v: v > 10, 5, 10.0, ">", in_lesson=False),
        k_of_5("§5 fresh RNN's gradient 29 steps back > 10 × the fresh LSTM's (median)", s["before_ratio"],
               lambda v: v > 10, 3, 10.0, ">"),
        k_of_5("§6 solved with a unit whose C tracks the first number (|r| > 0.7) on >= 4 of 5 seeds",
               s["r_solved"], lambda v: v == 1, 4, 0.5, ">", in_lesson=False),
        k_of_5("§6 solved with a unit whose C tracks the first number (|r| > 0.7) on >= 3 of 5 seeds",
               s["r_solved"], lambda v: v == 1, 3, 0.5, ">"),
        k_of_5("§6 a textbook memory cell on >= 1 of 5 seeds", s["textbook"], lambda v: v == 1, 1, 0.5, ">",
               in_lesson=False),   # about 1 seed in 3 has none (bimodal): not asserted, described for the run
        k_of_5("§7 bias 1: mean forget gate within 0.03 of sigma(1), every seed", s["gate1_dev"],
               lambda v: v < 0.03, 5, 0.03, "<", in_lesson=False),
        k_of_5("§7 bias 1: mean forget gate within 0.03 of sigma(1) (median)", s["gate1_dev"],
               lambda v: v < 0.03, 3, 0.03, "<"),
        k_of_5("§7 bias 0: mean forget gate within 0.03 of 0.5 (median)", s["gate0_dev"],
               lambda v: v < 0.03, 3, 0.03, "<"),
        k_of_5("§7 bias 1 / bias 0 gradient 29 steps back > 100, every seed", s["bias_gain"],
               lambda v: v > 100, 5, 100.0, ">", in_lesson=False),
        k_of_5("§7 bias 1 / bias 0 gradient 29 steps back > 100 (median)", s["bias_gain"],
               lambda v: v > 100, 3, 100.0, ">"),
        k_of_5("§7 measured factor < the mean gates' prediction (median)", s["bias_gain_over_gates"],
               lambda v: v < 1, 3, 1.0, "<"),
    ]


def lesson_03_france(replicas=27, data_seeds=(42, 1000, 2000), epochs=8):
    """Lesson 03 §8: SimpleRNN vs LSTM (Keras layers, 32 units) on tasks.long_gap, G = 20, 8 epochs;
    accuracy per gap bin, and |dL/de| at the country relative to the query token."""
    keras = setup()
    import tensorflow as tf

    from lstmcourse import experiments, tasks

    G, N_CLASSES, N_FILLERS = 20, 4, 20
    vocab = tasks.long_gap_vocab_size(N_CLASSES, N_FILLERS)
    bins = [(2, 8), (9, 14), (15, 20)]
    layers = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM}
    acc = {n: [] for n in layers}
    cue = {n: [] for n in layers}
    for seed in data_seeds:
        x_gap, y_gap = tasks.long_gap(1000, gap=G, n_distractors=2, min_gap=2, seed=seed + 3)
        xv_gap, yv_gap = tasks.long_gap(1000, gap=G, n_distractors=2, min_gap=2, seed=seed + 4)
        distance = tasks.long_gap_distance(xv_gap)
        x_fixed, y_fixed = tasks.long_gap(256, gap=G, n_distractors=2, seed=seed + 5)

        def gap_builder(layer):
            return lambda: keras.Sequential([keras.Input((G + 2,), dtype="int32"), keras.layers.Embedding(vocab, 8),
                                             layer(32), keras.layers.Dense(N_CLASSES, activation="softmax")])

        def embedding_gradients(model):
            embed, rest = model.layers[0], model.layers[1:]
            with tf.GradientTape() as tape:
                e = embed(x_fixed)
                tape.watch(e)
                out = e
                for layer in rest:
                    out = layer(out)
                loss = keras.losses.sparse_categorical_crossentropy(y_fixed, out)
            return np.linalg.norm(tape.gradient(loss, e), axis=-1).mean(axis=0)

        for name, layer in layers.items():
            r = experiments.train_seeds(
                gap_builder(layer), x_gap, y_gap, loss="sparse_categorical_crossentropy",
                seeds=list(range(seed, seed + replicas)), epochs=epochs, batch_size=32,
                optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0))
            right = np.stack([keras.ops.convert_to_numpy(r.model(i)(xv_gap)).argmax(-1) == yv_gap
                              for i in range(replicas)])
            acc[name].extend(np.stack([right[:, (distance >= a) & (distance <= b)].mean(axis=1) for a, b in bins], 1))
            norms = np.array([embedding_gradients(r.model(i)) for i in range(replicas)])
            cue[name].extend(norms[:, 0] / norms[:, -1])
            _progress(f"§8 data seed {seed}: {name}")
    acc = {n: np.array(v) for n, v in acc.items()}      # (replicas, bins)
    stats = {"rnn_best_bin": acc["SimpleRNN"].max(axis=1), "lstm_worst_bin": acc["LSTM"].min(axis=1),
             "lead": acc["LSTM"].mean(axis=1) - acc["SimpleRNN"].mean(axis=1),      # same seed, paired
             "cue_rnn": np.array(cue["SimpleRNN"]), "cue_lstm": np.array(cue["LSTM"])}
    return {"claims": france_claims(stats), "data_seeds": list(data_seeds), "replicas_per_data_seed": replicas,
            "statistics": {**{k: np.round(v, 5).tolist() for k, v in stats.items()},
                           "rnn_median_bin": np.median(acc["SimpleRNN"], axis=0).round(4).tolist()}}


def france_claims(s):
    """Lesson 03 §8's claims from the per-replica statistics ``s`` ({name: array (n,)}).

    The LSTM's |dL/de| ratio has a heavy tail (one replica in 20 above 10, the largest near 300,
    against a median near 0.4), so the median of five LSTM seeds can land far above the RNN's:
    the lesson compares the two medians for its own run only and asserts the RNN's alone.
    """
    s = {k: np.asarray(v, dtype=float) for k, v in s.items()}
    cue = {"SimpleRNN": s["cue_rnn"], "LSTM": s["cue_lstm"]}
    return [
        k_of_5("§8 RNN below 0.6 in every gap bin, every seed", s["rnn_best_bin"], lambda v: v < 0.6, 5, 0.6, "<",
               in_lesson=False),
        k_of_5("§8 RNN's best gap bin below 0.5 (median seed)", s["rnn_best_bin"], lambda v: v < 0.5, 3, 0.5, "<",
               in_lesson=False),
        k_of_5("§8 RNN's best gap bin below 0.55 (median seed)", s["rnn_best_bin"], lambda v: v < 0.55, 3, 0.55,
               "<"),
        k_of_5("§8 LSTM's worst gap bin above 0.8 on >= 3 of 5 seeds", s["lstm_worst_bin"], lambda v: v > 0.8, 3,
               0.8, ">", in_lesson=False),
        k_of_5("§8 LSTM's worst gap bin above 0.9 (median seed)", s["lstm_worst_bin"], lambda v: v > 0.9, 3, 0.9,
               ">", in_lesson=False),
        k_of_5("§8 LSTM's worst gap bin above 0.65 (median seed)", s["lstm_worst_bin"], lambda v: v > 0.65, 3,
               0.65, ">"),
        k_of_5("§8 LSTM ahead of the RNN by 0.2 (mean over bins), every seed", s["lead"], lambda v: v > 0.2, 5, 0.2,
               ">", in_lesson=False),
        k_of_5("§8 LSTM ahead of the RNN by 0.2 (mean over bins, median seed)", s["lead"], lambda v: v > 0.2, 3, 0.2,
               ">"),
        k_of_5("§8 RNN: |dL/de| at the country / at the query > 0.05 (median)", s["cue_rnn"], lambda v: v > 0.05, 3,
               0.05, ">", in_lesson=False),
        k_of_5("§8 RNN: |dL/de| at the country / at the query > 0.02 (median)", s["cue_rnn"], lambda v: v > 0.02, 3,
               0.02, ">"),
        resampled("§8 RNN's median cue gradient > LSTM's median / 5", cue,
                  lambda d: np.median(d["SimpleRNN"]) > np.median(d["LSTM"]) / 5, in_lesson=False),
        resampled("§8 RNN's median cue gradient > LSTM's median / 10", cue,
                  lambda d: np.median(d["SimpleRNN"]) > np.median(d["LSTM"]) / 10, in_lesson=False),
    ]

STUDIES = {"03": lesson_03, "03-france": lesson_03_france}


def recompute(name):
    """Rewrite ``results/flip_risk_<name>.json``'s claims from its recorded per-replica statistics.

    The thresholds were set after the run, with a margin below the worst replica (as for the other
    lessons); this states the claims again without retraining. The run's date, versions and seconds
    stay; ``claims_recomputed`` records when the claims were restated.
    """
    import datetime
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent / "results" / f"flip_risk_{name}.json"
    result = json.loads(path.read_text())
    result["claims"] = {"03": adding_claims, "03-france": france_claims}[name](
        {k: np.asarray(v, dtype=float) for k, v in result["statistics"].items()})
    result["claims_recomputed"] = datetime.date.today().isoformat()
    path.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":   # python studies/lesson_03.py --recompute 03-france
    if sys.argv[1:2] == ["--recompute"]:
        for study in sys.argv[2:]:
            recompute(study)
