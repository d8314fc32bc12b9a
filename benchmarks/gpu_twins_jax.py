"""On a GPU machine without TensorFlow: the course cells vs the built-ins, Keras's JAX backend.

    KERAS_BACKEND=jax python benchmarks/gpu_twins_jax.py

The cells use only ``keras.ops``, so they run on any Keras backend. This script checks,
on whatever device JAX uses (a GPU if present), that each course cell matches its
built-in twin (forward outputs, and weights after 5 SGD steps from the same start) and
times a training step of each. Not part of the tests: CI has no GPU.
"""
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell  # noqa: E402

PAIRS = {
    "SimpleRNN": (SimpleRNNCell, keras.layers.SimpleRNN, {}),
    "LSTM": (LSTMCell, keras.layers.LSTM, {}),
    "GRU": (GRUCell, keras.layers.GRU, {}),
    "GRU(reset_after=False)": (GRUCell, keras.layers.GRU, {"reset_after": False}),
}


def model_with(layer, time_steps, features):
    model = keras.Sequential([keras.Input((time_steps, features)), layer, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def main():
    print("backend", keras.backend.backend(), "| keras", keras.__version__, "| jax", jax.__version__,
          "| devices", [str(d) for d in jax.devices()])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 100, 32)).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")
    for name, (cell_cls, builtin_cls, kw) in PAIRS.items():
        keras.utils.set_random_seed(0)
        ours = model_with(keras.layers.RNN(cell_cls(64, **kw)), 100, 32)
        theirs = model_with(builtin_cls(64, **kw), 100, 32)
        theirs.set_weights(ours.get_weights())
        forward = float(np.max(np.abs(np.asarray(ours(x)) - np.asarray(theirs(x)))))
        for _ in range(5):
            ours.train_on_batch(x, y)
            theirs.train_on_batch(x, y)
        after = max(float(np.max(np.abs(a - b))) for a, b in zip(ours.get_weights(), theirs.get_weights()))
        times = {}
        for label, model in (("course", ours), ("built-in", theirs)):
            steps = []
            for _ in range(30):
                start = time.perf_counter()
                model.train_on_batch(x, y)
                steps.append(time.perf_counter() - start)
            times[label] = statistics.median(steps[5:]) * 1e3
        print(f"{name:24s} max|Δ| forward {forward:.1e}, weights after 5 steps {after:.1e}; "
              f"ms/step course {times['course']:.2f}, built-in {times['built-in']:.2f}, "
              f"ratio {times['course'] / times['built-in']:.3f}", flush=True)


if __name__ == "__main__":
    main()
