"""The shared first cell of every notebook.

``setup_notebook()`` must run before TensorFlow is imported anywhere, because the
environment variables that silence TensorFlow's start-up messages are read only once,
at import time.
"""
import os
import platform
import random

#: Environment variables read by TensorFlow at import time.
#: ``TF_ENABLE_ONEDNN_OPTS=0`` also removes the oneDNN notice that
#: ``TF_CPP_MIN_LOG_LEVEL`` alone does not silence, and makes CPU float results
#: independent of oneDNN's blocking choices.
QUIET_TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}

#: Matplotlib settings shared by all notebooks: readable on a projector.
PLOT_STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
}


def setup_notebook(seed=42, verbose=True):
    """Prepare a notebook: quiet TensorFlow, seed everything, set the plot style.

    Args:
        seed: Integer seed for Python's ``random``, NumPy and Keras. Default: 42.
        verbose: If True (default), print the versions in use.

    Returns:
        The ``keras`` module, ready to use.
    """
    for key, value in QUIET_TF_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("PYTHONHASHSEED", str(seed))

    import absl.logging
    import matplotlib
    import numpy as np
    import tensorflow as tf
    import keras

    absl.logging.set_verbosity(absl.logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    random.seed(seed)
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend
    try:
        tf.config.experimental.enable_op_determinism()
    except RuntimeError:  # already enabled, or called too late in a long session
        pass
    matplotlib.rcParams.update(PLOT_STYLE)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)

    if verbose:
        print(
            f"Python {platform.python_version()} · TensorFlow {tf.__version__} · "
            f"Keras {keras.__version__} · NumPy {np.__version__} · "
            f"Matplotlib {matplotlib.__version__} · seed {seed}"
        )
    return keras
