"""Train one model recipe under several seeds, and summarise what holds.

An experiment is a distribution, not an anecdote: the same recipe trained from K
random initialisations can solve a task on some seeds and fail on others. This module
trains K seeds and returns every seed's learning curves, so that a notebook can show
the spread and assert on the aggregate ("solves it on >= 4 of 5 seeds").

Two ways to train the K seeds give the same result (to float round-off):

* ``replicas=True`` (default): the K models are trained *together* as one wide model
  that carries the K replicas in its batch axis. Every weight gets a replica axis
  (an ``LSTM(32)`` kernel (in, 128) becomes (K, in, 128)) and each layer multiplies
  replica r's rows by replica r's weights only, with batched matmuls (K times one
  model's arithmetic). The loss is the *sum* of the K replicas' reduced losses, so with
  an element-wise optimizer such as Adam each replica's update depends on its own loss
  only; gradient clipping is computed per replica. Each replica starts from exactly the
  weights ``build()`` draws under its seed, and a dropout layer keeps each replica's own
  random stream. Options whose equality is not proven raise a ``ValueError`` that names
  them (other optimizers, most callbacks, regularizers, cell dropout, stateful layers,
  layers without a replica twin); ``tests/test_replicas_matrix.py`` checks every
  option × layer kind: equal to separate fits, or refused.
* ``replicas=False``: K separate ``fit`` calls, one per seed. Slower, and works for any
  model and option.

In both, all seeds see the same batches in the same order (drawn from the first seed):
the seed varies the initial weights and the dropout masks, not the data order.

Example:

>>> import keras, numpy as np
>>> from lstmcourse import experiments, tasks
>>> x, y = tasks.adding_problem(64, length=5, seed=0)
>>> build = lambda: keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(4), keras.layers.Dense(1)])
>>> runs = experiments.train_seeds(build, x, y, seeds=3, loss="mse", epochs=2, batch_size=32)
>>> runs.history["loss"].shape        # (seeds, epochs)
(3, 2)
>>> runs.model(0).layers[0].units      # each seed's own trained model
4
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from lstmcourse.i18n import gettext
from lstmcourse.i18n import tr

__all__ = ["train_seeds", "SeedRuns", "spread", "plot_curves", "plot_spread"]


# --------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------
def spread(values, digits=3, percent=False):
    """``'median (min–max, K seeds)'`` for an array of per-seed values.

    Args:
        values: One number per seed.
        digits: Decimals to print. Default: 3.
        percent: Print as percentages (``0.9`` → ``90%``). Default: False.

    >>> spread([0.2, 0.1, 0.4])
    '0.200 (0.100–0.400, 3 seeds)'
    >>> spread([0.5, 1.0, 1.0, 1.0], digits=0, percent=True)
    '100% (50%–100%, 4 seeds)'
    """
    values = np.asarray(values, dtype=float)
    scale, unit = (100.0, "%") if percent else (1.0, "")
    lo, med, hi = (scale * np.nanmin(values), scale * np.nanmedian(values), scale * np.nanmax(values))
    return gettext("{median} ({low}–{high}, {n} seeds)").format(
        median=f"{med:.{digits}f}{unit}", low=f"{lo:.{digits}f}{unit}", high=f"{hi:.{digits}f}{unit}", n=len(values))


def _mode_for(name):
    """'max' for accuracies, 'min' for losses and errors."""
    return "max" if "acc" in name else "min"


@dataclass
class SeedRuns:
    """Learning curves of one recipe trained under several seeds.

    Attributes:
        seeds: The seeds, one per replica.
        history: ``{metric: array (seeds, epochs)}``, with Keras's names
            (``"loss"``, ``"val_loss"``, ``"accuracy"``, ``"val_accuracy"`` ...).
        seconds: Wall time of the training.
        method: ``"replicas"`` or ``"separate"``.
        wide_model: With replicas, the wide Keras model that trained them all (its
            output is (batch, ..., seeds, n)); None for separate fits.
    """

    seeds: list
    history: dict
    seconds: float
    method: str
    _models: list = field(default_factory=list, repr=False)
    wide_model: object = field(default=None, repr=False)

    def __len__(self):
        return len(self.seeds)

    def final(self, name):
        """The last epoch's value of ``name`` for every seed, shape (seeds,)."""
        return self.history[name][:, -1]

    def best(self, name, mode=None):
        """The best value of ``name`` over the epochs for every seed, shape (seeds,).

        ``mode`` is ``"min"`` or ``"max"``; by default ``"max"`` for accuracies and
        ``"min"`` otherwise.
        """
        mode = mode or _mode_for(name)
        return (np.max if mode == "max" else np.min)(self.history[name], axis=1)

    def epochs_to(self, name, threshold, mode=None):
        """First epoch (1-based) at which ``name`` reaches ``threshold``, per seed.

        Reaching means ``<= threshold`` for losses and ``>= threshold`` for accuracies
        (``mode`` overrides). Seeds that never reach it get ``nan``.
        """
        mode = mode or _mode_for(name)
        curves = self.history[name]
        reached = curves >= threshold if mode == "max" else curves <= threshold
        first = np.argmax(reached, axis=1).astype(float) + 1
        first[~reached.any(axis=1)] = np.nan
        return first

    def model(self, index):
        """The trained model of seed number ``index`` (a separate Keras model)."""
        return self._models[index]


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------
def _as_seeds(seeds):
    if isinstance(seeds, (int, np.integer)):
        if seeds <= 0:
            raise ValueError(f"seeds must be a positive count or a list of seeds. Received: seeds={seeds}")
        from lstmcourse import _setup

        first = _setup._current_seed or 0   # the notebook's seed: reseeding a notebook reseeds its experiments
        return list(range(first, first + int(seeds)))
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be non-empty and distinct. Received: seeds={seeds}")
    return seeds


def _fresh_optimizer(optimizer):
    """A new optimizer instance from a name, an instance (copied) or a factory."""
    import keras

    if callable(optimizer) and not isinstance(optimizer, keras.optimizers.Optimizer):
        optimizer = optimizer()
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return type(optimizer).from_config(optimizer.get_config())
    return keras.optimizers.get(optimizer)


def _metric_for(name, loss):
    """A fresh Keras metric object (one per replica): from a name, as ``compile`` would
    choose it, from a metric class, or copied from a metric instance."""
    import keras

    if isinstance(name, keras.metrics.Metric):
        return type(name).from_config(name.get_config())
    if isinstance(name, type):
        return name()
    if name in ("accuracy", "acc"):
        loss_name = loss if isinstance(loss, str) else type(loss).__name__
        loss_name = loss_name.lower()
        if "sparse" in loss_name:
            return keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        if "binary" in loss_name:
            return keras.metrics.BinaryAccuracy(name="accuracy")
        return keras.metrics.CategoricalAccuracy(name="accuracy")
    return keras.metrics.get(name)


def train_seeds(build, x, y, *, loss, seeds=5, optimizer="adam", metrics=(), epochs=10, batch_size=32,
                validation_data=None, shuffle=True, replicas=True, callbacks=None, per_epoch=None,
                sample_weight=None, class_weight=None):
    """Train the model that ``build()`` returns once per seed; return every curve.

    Args:
        build: A function with no arguments that returns a new, uncompiled Keras
            ``Sequential`` model. It is called once per seed, right after
            ``keras.utils.set_random_seed(seed)``, so each seed draws its own weights.
        x, y: Training inputs and targets (NumPy arrays), as for ``model.fit``.
        loss: The loss of *one* model, a name (``"mse"``) or a ``keras.losses.Loss``.
        seeds: A number of seeds or a list of seeds. Default: 5. A number K means the
            K seeds that follow the notebook's seed (``setup_notebook(seed=42)``: 42–46;
            0–4 outside a notebook), so that rerunning a notebook under another seed
            also draws other seeds for its experiments.
        optimizer: A name, an optimizer (its config is copied for each model), or a
            function returning a new one. Default: ``"adam"``.
        metrics: Metrics to record besides the loss: names (``["accuracy"]``), metric
            classes, or metric instances (each seed gets its own copy).
        epochs, batch_size, validation_data, sample_weight, class_weight: As for
            ``model.fit``.
        shuffle: Shuffle the training data before each epoch. Default: True. Every seed
            sees the same order (drawn from the first seed), in both modes, so that the
            seeds vary the initial weights and the dropout masks only.
        callbacks: As for ``model.fit``. With ``replicas=True`` only callbacks that act
            alike on every replica are accepted (``LearningRateScheduler``); others
            raise a ``ValueError``: use ``per_epoch`` or ``replicas=False``.
        per_epoch: ``{name: function(model) -> number}``: each function is called after
            every epoch with each seed's own model; the values land in
            ``history[name]`` (seeds, epochs). Default: None.
        replicas: Train the seeds together as replicas in one wide model (default,
            faster), or as separate fits (``False``). Both give the same weights and
            curves (to float round-off); options replicas cannot reproduce exactly raise
            a ``ValueError`` that names them. See the module docstring.

    Returns:
        A ``SeedRuns`` with ``history[name]`` of shape (seeds, epochs).
    """
    import keras

    seeds = _as_seeds(seeds)
    metrics = list(metrics)
    per_epoch = dict(per_epoch or {})
    for name, fn in per_epoch.items():
        if not callable(fn):
            raise TypeError(f"per_epoch must map names to functions of a model. Received: per_epoch[{name!r}]={fn!r}")
    callbacks = list(callbacks or [])
    fit_kwargs = dict(epochs=epochs, batch_size=batch_size, validation_data=validation_data, shuffle=shuffle,
                      verbose=0, sample_weight=sample_weight, class_weight=class_weight)
    start = time.perf_counter()
    if not replicas:
        models, histories = [], []
        for seed in seeds:
            keras.utils.set_random_seed(seed)
            model = build()
            model.compile(optimizer=_fresh_optimizer(optimizer), loss=loss,
                          metrics=[_metric_for(m, loss) for m in metrics])
            hook = _PerEpoch(per_epoch, lambda m=model: [m])
            keras.utils.set_random_seed(seeds[0])   # the shuffling order every seed shares
            history = model.fit(x, y, callbacks=callbacks + [hook], **fit_kwargs).history
            histories.append({**history, **{k: v[0] for k, v in hook.result().items()}})
            models.append(model)
        history = {k: np.array([h[k] for h in histories]) for k in histories[0]}
        return SeedRuns(seeds, history, time.perf_counter() - start, "separate", models)

    from lstmcourse import _replicas

    optimizer = _fresh_optimizer(optimizer)
    _replicas.check_optimizer(optimizer)
    _replicas.check_callbacks(callbacks)
    singles = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        singles.append(build())
    wide = _replicas.ReplicaModel(singles, loss)
    wide.compile(optimizer, metrics=[lambda m=m: _metric_for(m, loss) for m in metrics])

    def trained():
        for index, single in enumerate(singles):
            single.set_weights(wide.replica_weights(index, single))
        return singles

    hook = _PerEpoch(per_epoch, trained)
    keras.utils.set_random_seed(seeds[0])   # the shuffling order every seed shares
    raw = wide.model.fit(x, y, callbacks=callbacks + [hook], **fit_kwargs).history
    history = {**wide.split_history(raw), **hook.result()}
    return SeedRuns(seeds, history, time.perf_counter() - start, "replicas", trained(), wide_model=wide.model)


def _PerEpoch(functions, models):
    """A Keras callback that calls every ``function(model)`` on each seed's model after each
    epoch; ``hook.result()`` is ``{name: array (seeds, epochs)}``."""
    import keras

    class PerEpoch(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.values = {name: [] for name in functions}        # name -> [per-seed values] per epoch

        def on_epoch_end(self, epoch, logs=None):
            if functions:
                current = models()
                for name, fn in functions.items():
                    self.values[name].append([float(fn(m)) for m in current])

        def result(self):
            return {name: np.array(rows, dtype=float).T for name, rows in self.values.items()}

    return PerEpoch()


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------
def plot_curves(runs, name, ax=None, label=None, color=None, log=False):
    """Every seed's curve of ``name`` (thin) and their median (thick) against the epoch.

    Args:
        runs: A ``SeedRuns``.
        name: The metric, e.g. ``"val_loss"``.
        ax: Matplotlib axes; a new figure if None.
        label, color: For the median line (the legend shows the seed count).
        log: Logarithmic y axis. Default: False.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    curves = runs.history[name]
    epochs = np.arange(1, curves.shape[1] + 1)
    line, = ax.plot(epochs, np.median(curves, axis=0), color=color, lw=2.5,
                    label=tr("{label} (median of {n} seeds)", label=label or name, n=len(curves)))
    for curve in curves:
        ax.plot(epochs, curve, color=line.get_color(), lw=0.8, alpha=0.35)
    ax.set_xlabel(gettext("epoch"))
    ax.set_ylabel(gettext(name))
    if log:
        ax.set_yscale("log")
    return ax


def plot_spread(values, ax=None, ylabel=None, reference=None, reference_label=None, log=False):
    """One column of per-seed points for each configuration, with the median marked.

    Args:
        values: ``{configuration name: per-seed values}``.
        ax: Matplotlib axes; a new figure if None.
        ylabel: Label of the y axis.
        reference: Draw a dotted horizontal line here (e.g. chance level).
        reference_label: Its legend label.
        log: Logarithmic y axis. Default: False.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    rng = np.random.default_rng(0)  # fixed horizontal jitter, so the figure is reproducible
    for i, (name, vals) in enumerate(values.items()):
        vals = np.asarray(vals, dtype=float)
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(vals)), vals, s=28, alpha=0.7, zorder=3)
        ax.plot([i - 0.25, i + 0.25], [np.median(vals)] * 2, color="black", lw=2, zorder=4)
    ax.set_xticks(range(len(values)), [gettext(str(k)) for k in values], rotation=15 if len(values) > 3 else 0)
    if reference is not None:
        ax.axhline(reference, color="gray", linestyle=":", label=reference_label)
        if reference_label:
            ax.legend(fontsize=10)
    if ylabel:
        ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="x", visible=False)
    return ax
