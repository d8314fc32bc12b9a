"""Train the course cells and Keras's built-in layers side by side; print step times.

    python3 course.py lab   # (or any env with the package installed), then:
    .venv/bin/python benchmarks/cells_vs_builtin.py [--rounds 3 --steps 20]

Model: Input(time=100, features=32) -> recurrent layer (64 units) -> Dense(1), Adam,
`train_on_batch` on a batch of 64. Course cell and built-in run in interleaved rounds
on the same data so that machine noise hits both alike. Reports the median step time
and the ratio course / built-in, with jit_compile off and on. Not a timed test: the
numbers depend on the machine; the README records the ones measured for the course.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstmcourse.cells import GRUCell, LSTMCell  # noqa: E402

BATCH, TIME, FEATURES, UNITS = 64, 100, 32, 64

LAYERS = {
    "LSTM": (lambda: keras.layers.RNN(LSTMCell(UNITS)), lambda: keras.layers.LSTM(UNITS)),
    "GRU": (lambda: keras.layers.RNN(GRUCell(UNITS)), lambda: keras.layers.GRU(UNITS)),
}


def make_model(make_layer, jit_compile):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((TIME, FEATURES)), make_layer(), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)
    return model


def time_steps(model, x, y, steps):
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per round and model")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH, 1)).astype("float32")
    print(f"batch {BATCH}, time {TIME}, features {FEATURES}, units {UNITS}; "
          f"{args.rounds} rounds x {args.steps} steps; keras {keras.__version__}")
    print(f"{'layer':6s} {'jit':5s} {'course ms':>10s} {'built-in ms':>12s} {'ratio':>7s}")
    for name, (make_ours, make_builtin) in LAYERS.items():
        for jit in (False, True):
            ours, builtin = make_model(make_ours, jit), make_model(make_builtin, jit)
            for model in (ours, builtin):
                time_steps(model, x, y, args.warmup)
            t_ours, t_builtin = [], []
            for _ in range(args.rounds):
                t_ours += time_steps(ours, x, y, args.steps)
                t_builtin += time_steps(builtin, x, y, args.steps)
            m_ours, m_builtin = statistics.median(t_ours) * 1e3, statistics.median(t_builtin) * 1e3
            print(f"{name:6s} {str(jit):5s} {m_ours:10.1f} {m_builtin:12.1f} {m_ours / m_builtin:7.3f}", flush=True)


if __name__ == "__main__":
    main()
