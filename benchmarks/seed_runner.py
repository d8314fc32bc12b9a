"""What K seeds cost with `train_seeds`: replicas vs one seed vs separate fits.

Run: ``python benchmarks/seed_runner.py [--epochs 3] [--repeats 3] [--recipes adding tagger language_model]``
(inside the course's .venv). For each recipe of the lessons it times, side by side in
one run, on the same data:

* one seed: a plain ``model.compile`` + ``model.fit`` of the single model;
* K seeds as replicas: ``train_seeds(..., replicas=True)``;
* K seeds as separate fits: ``train_seeds(..., replicas=False)``.

Each configuration is timed ``--repeats`` times, interleaved, and the median is
reported with the ratio to one seed. Wall times include building and compiling (a
learner waits for those too). The README's table comes from this script's output.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstmcourse import experiments, tasks  # noqa: E402
from lstmcourse.cells import LSTMCell  # noqa: E402


def adding():
    """Lessons 02–04: the adding problem, LSTM(32) → Dense(1), MSE, Adam with clipnorm."""
    x, y = tasks.adding_problem(2000, length=30, seed=0)
    build = lambda: keras.Sequential([keras.Input((30, 2)), keras.layers.RNN(LSTMCell(32)), keras.layers.Dense(1)])
    return build, x, y, dict(loss="mse", optimizer=lambda: keras.optimizers.Adam(0.01, clipnorm=1.0), batch_size=64)


def tagger():
    """Lesson 06: token tagger Embedding → LSTM(32) → per-token softmax, masked padding."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, 200, size=(2000, 20))
    lengths = rng.integers(8, 21, size=2000)
    x[np.arange(20)[None, :] >= lengths[:, None]] = 0
    y = (x % 3).astype("int32")
    build = lambda: keras.Sequential([
        keras.Input((None,), dtype="int32"), keras.layers.Embedding(200, 16, mask_zero=True),
        keras.layers.RNN(LSTMCell(32), return_sequences=True), keras.layers.Dense(3, activation="softmax")])
    return build, x, y, dict(loss="sparse_categorical_crossentropy", optimizer=lambda: keras.optimizers.Adam(0.01),
                             batch_size=64)


def language_model():
    """Lesson 10: names with a language token, Embedding → LSTM(48) → logits, ignore_class=0."""
    from lstmcourse import datasets

    data = datasets.surnames(seed=0)
    max_chars, pad, end = 12, 0, 1
    char_to_token = {ch: i + 2 for i, ch in enumerate(data.vocabulary)}
    lang0 = len(data.vocabulary) + 2
    n_tokens = lang0 + len(data.languages)
    keep = [i for i, name in enumerate(data.names_train)
            if len(name) <= max_chars and all(c in char_to_token for c in name)]
    x = np.zeros((len(keep), max_chars + 1), dtype="int32")         # <lang> c1 … cn 0 …
    y = np.zeros_like(x)                                            # c1 … cn . 0 …
    for row, i in enumerate(keep):
        ids = [char_to_token[c] for c in data.names_train[i]]
        x[row, 0] = lang0 + data.y_train[i]
        x[row, 1:len(ids) + 1] = ids
        y[row, :len(ids)] = ids
        y[row, len(ids)] = end
    build = lambda: keras.Sequential([
        keras.Input((None,), dtype="int32"), keras.layers.Embedding(n_tokens, 16),
        keras.layers.RNN(LSTMCell(48), return_sequences=True), keras.layers.Dense(n_tokens)])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=pad)
    return build, x, y, dict(loss=loss, optimizer=lambda: keras.optimizers.Adam(0.02), batch_size=256)


RECIPES = {"adding": adding, "tagger": tagger, "language_model": language_model}


def one_seed(build, x, y, kwargs, epochs):
    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer=kwargs["optimizer"](), loss=kwargs["loss"])
    model.fit(x, y, epochs=epochs, batch_size=kwargs["batch_size"], verbose=0)
    return time.perf_counter() - start


def seeds(build, x, y, kwargs, epochs, k, replicas):
    start = time.perf_counter()
    experiments.train_seeds(build, x, y, seeds=list(range(k)), epochs=epochs, replicas=replicas, **kwargs)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--recipes", nargs="*", default=list(RECIPES))
    args = parser.parse_args(argv)
    print(f"keras {keras.__version__} ({keras.backend.backend()}), {os.cpu_count()} cores, "
          f"{platform.python_version()}; {args.epochs} epochs, median of {args.repeats} interleaved runs")
    print(f"| recipe | samples | 1 seed | {args.seeds} seeds, replicas | {args.seeds} seeds, separate fits |")
    print("|---|---|---|---|---|")
    results = {}
    for name in args.recipes:
        build, x, y, kwargs = RECIPES[name]()
        one_seed(build, x[:64], y[:64], kwargs, 1)                 # warm up TensorFlow once per recipe
        times = {"one": [], "replicas": [], "separate": []}
        for _ in range(args.repeats):
            times["one"].append(one_seed(build, x, y, kwargs, args.epochs))
            times["replicas"].append(seeds(build, x, y, kwargs, args.epochs, args.seeds, True))
            times["separate"].append(seeds(build, x, y, kwargs, args.epochs, args.seeds, False))
        med = {key: statistics.median(v) for key, v in times.items()}
        results[name] = med
        print(f"| {name} | {len(x)} | {med['one']:.1f} s | {med['replicas']:.1f} s "
              f"({med['replicas'] / med['one']:.2f}×) | {med['separate']:.1f} s ({med['separate'] / med['one']:.2f}×) |",
              flush=True)
    return results


if __name__ == "__main__":
    main()
