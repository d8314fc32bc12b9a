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

#: Set this environment variable to run a notebook under another seed:
#: ``setup_notebook`` then uses it instead of the seed written in the notebook.
#: ``python3 course.py reseed`` does this to check that every claim holds for
#: seeds other than the one the stored outputs were made with.
SEED_ENV = "LSTMCOURSE_SEED"

_current_seed = None

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


def notebook_seed():
    """The seed ``setup_notebook`` was called with (or took from ``LSTMCOURSE_SEED``).

    Notebooks derive every other seed from it (data, the seeds of an experiment), so
    that changing this one number reruns the whole lesson under other random draws.
    Raises ``RuntimeError`` before ``setup_notebook`` has run.
    """
    if _current_seed is None:
        raise RuntimeError("call lstmcourse.setup_notebook() first; it sets the notebook's seed.")
    return _current_seed


def setup_notebook(seed=42, verbose=True, language=None):
    """Prepare a notebook: quiet TensorFlow, seed everything, set the plot style.

    Works on any Keras backend: TensorFlow (the course's), JAX or PyTorch; only with
    TensorFlow are its logs silenced and its ops made deterministic.

    Args:
        seed: Integer seed for Python's ``random``, NumPy and Keras. Default: 42.
            The environment variable ``LSTMCOURSE_SEED``, when set, replaces it.
        verbose: If True (default), print the versions in use.
        language: The language of the package's messages, plots and diagrams: ``"en"`` or
            ``"zh_CN"`` (the Chinese notebooks pass it). Default: ``LSTMCOURSE_LANG``, else
            English. See :mod:`lstmcourse.i18n`.

    Returns:
        The ``keras`` module, ready to use.
    """
    global _current_seed
    from lstmcourse import i18n

    if language is not None:
        i18n.set_language(language)
    from lstmcourse import printed

    printed.sync(i18n.language())  # Chinese: the notebook's printed lines too (lstmcourse/printed.py)
    if os.environ.get(SEED_ENV):
        try:
            seed = int(os.environ[SEED_ENV])
        except ValueError:
            raise ValueError(f"{SEED_ENV} must be an integer. Received: {SEED_ENV}={os.environ[SEED_ENV]!r}") from None
    _current_seed = seed
    for key, value in QUIET_TF_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("PYTHONHASHSEED", str(seed))

    import matplotlib
    import numpy as np
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import absl.logging
        import tensorflow as tf

        absl.logging.set_verbosity(absl.logging.ERROR)
        tf.get_logger().setLevel("ERROR")
        backend_line = f"TensorFlow {tf.__version__}"
    else:  # JAX or PyTorch: no TensorFlow needed; set_random_seed below seeds them too
        module = __import__(backend)  # jax, torch, numpy, openvino
        backend_line = f"Keras backend {backend} {getattr(module, '__version__', '')}".rstrip()
    random.seed(seed)
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend
    if backend == "tensorflow":
        try:
            tf.config.experimental.enable_op_determinism()
        except RuntimeError:  # already enabled, or called too late in a long session
            pass
    matplotlib.rcParams.update(PLOT_STYLE)
    if i18n.language() != "en":  # Chinese text falls back to the shipped CJK subset, glyph by glyph
        matplotlib.rcParams["font.family"] = i18n.cjk_family(matplotlib.rcParams["font.family"])
    i18n.install_figure_twins()  # only under `course.py execute` (LSTMCOURSE_ALSO_DRAW)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)

    if verbose:
        print(
            f"Python {platform.python_version()} · {backend_line} · "
            f"Keras {keras.__version__} · NumPy {np.__version__} · "
            f"Matplotlib {matplotlib.__version__} · " + i18n.gettext("seed {seed}").format(seed=seed)
        )
    return keras
