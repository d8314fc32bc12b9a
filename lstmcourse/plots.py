"""The plots the notebooks repeat, readable on a projector.

Each function draws on a given Matplotlib ``ax`` (or a new figure), labels its axes,
and returns the axes so a notebook can adjust it.
"""
import matplotlib.pyplot as plt
import numpy as np

from lstmcourse.i18n import N_
from lstmcourse.i18n import gettext
from lstmcourse.i18n import tr


#: The traced quantities' names as the heatmaps title them, and the usual metrics (for the catalogue).
_DRAWN_NAMES = (N_("input gate"), N_("forget gate"), N_("output gate"), N_("update gate"), N_("reset gate"),
                N_("cell state"), N_("candidate"), N_("loss"), N_("accuracy"), N_("val_loss"), N_("val_accuracy"))


def plot_gradient_norms(norms, ax=None, title=None):
    """Gradient norm against distance from the last step, log scale.

    Args:
        norms: dict label -> array (time,) from :mod:`lstmcourse.diagnostics`
            (index t; plotted at distance T − 1 − t).
        ax: Optional axes.
        title: Default: "How far back does the gradient reach?" (translated).
    """
    ax = ax or plt.subplots()[1]
    for label, values in norms.items():
        values = np.asarray(values, dtype=float)
        distance = np.arange(len(values))[::-1]
        positive = values > 0
        ax.semilogy(distance[positive], values[positive], label=gettext(label))
    ax.set_xlabel(gettext("distance from the last step, T − 1 − t"))
    ax.set_ylabel(gettext(r"$\|\partial L / \partial h_t\|$ (log scale)"))
    ax.set_title(title if title is not None else gettext("How far back does the gradient reach?"))
    ax.legend(fontsize=10)
    return ax


def plot_gate_heatmaps(trace, names=None, sample=0, tokens=None, units=None, axes=None):
    """Heatmaps (units × time) of traced gates for one sequence.

    Args:
        trace: dict from :func:`lstmcourse.trace`.
        names: Which entries to draw. Default: every gate in the trace except ``h``.
        sample: Which sequence of the batch.
        tokens: Optional labels for the time axis (e.g. the words).
        units: Optional list of unit indices to show.
        axes: Optional sequence of axes, one per name.
    """
    names = list(names or [k for k in trace if k not in ("h", "pre_activation")])
    if axes is None:
        fig, axes = plt.subplots(len(names), 1, figsize=(9, 1.9 * len(names) + 0.6), sharex=True, squeeze=False)
        axes = axes[:, 0]
    for ax, name in zip(axes, names):
        values = np.asarray(trace[name][sample]).T  # (units, time)
        if units is not None:
            values = values[list(units)]
        bounded = name.endswith("_gate")
        image = ax.imshow(values, aspect="auto", interpolation="nearest", cmap="viridis" if bounded else "coolwarm",
                          vmin=0 if bounded else -np.nanmax(np.abs(values)), vmax=1 if bounded else np.nanmax(np.abs(values)))
        ax.set_ylabel(gettext("unit"))
        ax.set_title(gettext(name.replace("_", " ")), fontsize=11, loc="left")
        ax.grid(False)
        plt.colorbar(image, ax=ax, pad=0.01)
    axes[-1].set_xlabel(gettext("time step"))
    if tokens is not None:
        axes[-1].set_xticks(range(len(tokens)))
        axes[-1].set_xticklabels(tokens, rotation=45, ha="right")
    return axes


def plot_histories(histories, metric="loss", ax=None, title=None, baseline=None):
    """Training curves of several models on one axis.

    Args:
        histories: dict label -> ``keras.callbacks.History`` or a ``history.history``
            dict. Validation curves (``val_<metric>``) are drawn solid when present,
            training curves dashed.
        metric: Which metric. Default: ``"loss"``.
        baseline: Optional horizontal line (e.g. chance level), labelled.
    """
    ax = ax or plt.subplots()[1]
    for label, history in histories.items():
        logs = getattr(history, "history", history)
        line = None
        if f"val_{metric}" in logs:
            (line,) = ax.plot(np.arange(1, len(logs[f"val_{metric}"]) + 1), logs[f"val_{metric}"], label=tr("{label} (validation)", label=label))
        if metric in logs:
            ax.plot(np.arange(1, len(logs[metric]) + 1), logs[metric], "--", alpha=0.6,
                    color=None if line is None else line.get_color(), label=None if line is not None else gettext(label))
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle=":", label=gettext("chance"))
    ax.set_xlabel(gettext("epoch"))
    ax.set_ylabel(gettext(metric))
    if title:
        ax.set_title(title)
    ax.legend(fontsize=10)
    return ax
