"""Flip risk of lesson 02's claims (BPTT, vanishing gradients): gradient check, norms, the adding problem."""
import numpy as np

from claims import k_of_5, setup


def gradient_check_errors(seeds):
    """§2: the largest relative error of the five gradient checks, drawn as the lesson does with ``default_rng(SEED)``."""
    from lstmcourse.reference import gradient_check, rnn_backward, rnn_forward
    worst = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        batch, T, features, units = 2, 6, 3, 5
        x = rng.normal(size=(batch, T, features))
        h0 = rng.normal(size=(batch, units))
        params = {"kernel": rng.normal(scale=0.5, size=(features, units)),
                  "recurrent_kernel": rng.normal(scale=0.5, size=(units, units)),
                  "bias": rng.normal(scale=0.1, size=units)}
        upstream = rng.normal(size=(batch, T, units))

        def loss():
            hs, _ = rnn_forward(x, h0, params)
            return float(np.sum(upstream * hs))

        hs, cache = rnn_forward(x, h0, params)
        dx, dh0, grads = rnn_backward(upstream, cache)
        checks = {"x": (x, dx), "h0": (h0, dh0), **{k: (params[k], grads[k]) for k in params}}
        worst.append(max(gradient_check(loss, value, analytic) for value, analytic in checks.values()))
    return np.array(worst)


def state_gradient_norms(x, kernel, recurrent_kernel):
    """‖∂L/∂h_t‖ (mean over the batch) for L = Σ h_T, in one backward pass: the same numbers as
    ``lstmcourse.diagnostics.reference_state_gradient_norms("rnn", ...)`` with zero bias, which
    re-runs the backward pass from every t (checked in ``gradient_norms(check=...)``)."""
    batch, T, _ = x.shape
    h, hs = np.zeros((batch, kernel.shape[1])), []
    for t in range(T):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel)
        hs.append(h)
    g, norms = np.ones_like(h), [None] * T
    for t in range(T - 1, -1, -1):
        norms[t] = np.mean(np.linalg.norm(g, axis=1))
        g = (g * (1 - hs[t] ** 2)) @ recurrent_kernel.T
    return np.array(norms)


def gradient_norms(seeds, check=0):
    """§3: ‖∂L/∂h_1‖ for ρ = 0.9 and the ratio first/last for ρ = 3, drawn as the lesson does with
    ``default_rng(SEED + 1)``. The first `check` seeds are compared with the package's reference."""
    from lstmcourse.diagnostics import reference_state_gradient_norms
    first_09, growth_3 = [], []
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed + 1)
        x_long = rng.normal(scale=0.5, size=(4, 60, 3))
        q, _ = np.linalg.qr(rng.normal(size=(32, 32)))
        kernel_long = rng.normal(scale=0.5, size=(3, 32))
        n09, n3 = state_gradient_norms(x_long, kernel_long, 0.9 * q), state_gradient_norms(x_long, kernel_long, 3.0 * q)
        if i < check:
            for radius, ours in ((0.9, n09), (3.0, n3)):
                ref = reference_state_gradient_norms("rnn", x_long, {"kernel": kernel_long,
                                                                     "recurrent_kernel": radius * q,
                                                                     "bias": np.zeros(32)})
                assert np.allclose(ours, ref, rtol=1e-9, atol=0), (seed, radius)
        first_09.append(n09[0])
        growth_3.append(n3[0] / n3[-1])
    return np.array(first_09), np.array(growth_3)


def lesson_02(replicas=24, data_seeds=(42, 1000, 2000), draws=3200):
    """Lesson 02 §3 (NumPy draws that follow the notebook's seed) and §6–7 (training).

    §3's are claims on one random draw each (the notebook draws one with its seed),
    so each is measured on ``draws`` seeds (0, 1, ...; a claim on one draw fails with
    the chance q itself: 3,200 draws without a failure put q below 9.4e-4). ρ = 0.5's
    ``< 1e-12`` holds by a bound.

    §6–7: the 32-unit SimpleRNN on the adding problem, 2,000 sequences, 8 epochs, batch
    64, Adam(0.01, clipnorm=1); T = 30 for three recipes, T = 10 and 40 for the default
    (T = 20 has no assert: its count is the seed's). The data follow the notebook's seed
    (``SEED + 1``, ``SEED + 2``), so the replicas are spread over ``data_seeds``.
    """
    keras = setup()
    from lstmcourse import experiments, tasks
    from lstmcourse.cells import SimpleRNNCell

    claims = []
    draw_seeds = list(range(draws))
    first_09, growth_3 = gradient_norms(draw_seeds, check=5)
    claims.append(k_of_5("§3 ρ = 0.5: |dL/dh_1| < 1e-12", np.zeros(1), lambda v: v < 1, 1, 1e-12, "<", seeds=1,
                         by_construction="each step back multiplies the norm by at most ρ = 0.5 (orthogonal U "
                                         "scaled by ρ, tanh' <= 1): 0.5^59·√32 ≈ 1e-17"))
    claims.append(k_of_5("§3 ρ = 0.9: |dL/dh_1| < 1e-2 (one draw)", first_09, lambda v: v < 1e-2, 1, 1e-2, "<",
                         seeds=1))
    claims.append(k_of_5("§3 ρ = 3: |dL/dh_1| > 1e4 · |dL/dh_60| (one draw)", np.log10(growth_3),
                         lambda v: v > 4, 1, 4.0, ">", seeds=1))

    baseline = tasks.ADDING_BASELINE_MSE
    recipes = {"T = 30, orthogonal": (30, {}), "T = 30, Glorot": (30, {"recurrent_initializer": "glorot_uniform"}),
               "T = 30, IRNN": (30, {"activation": "relu", "recurrent_initializer": "identity"}),
               "T = 10": (10, {}), "T = 40": (40, {})}
    rel = {name: [] for name in recipes}
    for seed in data_seeds:
        for name, (length, cell_kwargs) in recipes.items():
            x_tr, y_tr = tasks.adding_problem(2000, length=length, seed=seed + 1)
            x_va, y_va = tasks.adding_problem(500, length=length, seed=seed + 2)

            def build(length=length, cell_kwargs=cell_kwargs):
                return keras.Sequential([keras.Input((length, 2)), keras.layers.RNN(SimpleRNNCell(32, **cell_kwargs)),
                                         keras.layers.Dense(1)])
            runs = experiments.train_seeds(build, x_tr, y_tr, loss="mse", seeds=list(range(seed, seed + replicas)),
                                           epochs=8, batch_size=64,
                                           optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0),
                                           validation_data=(x_va, y_va))
            rel[name].extend(runs.best("val_loss") / baseline)
    rel = {k: np.array(v) for k, v in rel.items()}
    claims += [
        k_of_5("§6 IRNN learns T = 30 (best val MSE < 0.5 of chance) on >= 4 of 5 seeds", rel["T = 30, IRNN"],
               lambda v: v < 0.5, 4, 0.5, "<", in_lesson=False),
        k_of_5("§6 IRNN: best val MSE < 0.2 of chance on the median seed", rel["T = 30, IRNN"],
               lambda v: v < 0.2, 3, 0.2, "<", in_lesson=False),   # 2 of 72 replicas above 0.2 (0.32 the worst)
        k_of_5("§6 IRNN learns T = 30 (< 0.5 of chance) on the median seed", rel["T = 30, IRNN"],
               lambda v: v < 0.5, 3, 0.5, "<"),
        k_of_5("§6 tanh, orthogonal U: best val MSE > 0.5 of chance on the median seed", rel["T = 30, orthogonal"],
               lambda v: v > 0.5, 3, 0.5, ">", in_lesson=False),   # 1 of 72 replicas learned it (0.415)
        k_of_5("§6-7 tanh, orthogonal U (T = 30): best val MSE > 0.4 of chance on the median seed",
               rel["T = 30, orthogonal"], lambda v: v > 0.4, 3, 0.4, ">"),
        k_of_5("§6 tanh, Glorot U: best val MSE > 0.5 of chance on the median seed", rel["T = 30, Glorot"],
               lambda v: v > 0.5, 3, 0.5, ">"),
        k_of_5("§7 T = 10 learned (< 0.5 of chance) on >= 4 of 5 seeds", rel["T = 10"], lambda v: v < 0.5, 4, 0.5, "<",
               in_lesson=False),
        k_of_5("§7 T = 10 learned (< 0.5 of chance) on the median seed", rel["T = 10"], lambda v: v < 0.5, 3, 0.5, "<"),
        k_of_5("§7 T = 30 not learned (> 0.5 of chance) on >= 4 of 5 seeds", rel["T = 30, orthogonal"],
               lambda v: v > 0.5, 4, 0.5, ">", in_lesson=False),
        k_of_5("§7 T = 40 not learned (> 0.5 of chance) on >= 4 of 5 seeds", rel["T = 40"], lambda v: v > 0.5, 4, 0.5,
               ">", in_lesson=False),
        k_of_5("§7 T = 40 not learned (> 0.5 of chance) on the median seed", rel["T = 40"], lambda v: v > 0.5, 3, 0.5,
               ">"),
    ]
    return {"claims": claims, "data_seeds": list(data_seeds), "replicas_per_data_seed": replicas,
            "draw_seeds": f"0-{draws - 1}",
            "worst": {"rho_0.9_first": float(first_09.max()),
                      "rho_3_log10_growth": float(np.log10(growth_3).min())},
            "relative_mse": {k: [float(np.min(v)), float(np.median(v)), float(np.max(v))] for k, v in rel.items()}}


def lesson_02_gradient_check(draws=3200):
    """Lesson 02 §2: the five gradient checks pass (relative error < 1e-7) on one draw of
    ``default_rng(SEED)``; measured on seeds 0 .. draws - 1 (about 0.15 s each)."""
    errors = gradient_check_errors(range(draws))
    return {"claims": [k_of_5("§2 gradient check: all five relative errors < 1e-7 (one draw)", errors,
                              lambda v: v < 1e-7, 1, 1e-7, "<", seeds=1)],
            "draw_seeds": f"0-{draws - 1}", "worst_error": float(errors.max())}


STUDIES = {"02": lesson_02, "02-gradient-check": lesson_02_gradient_check}
