"""Rules about the data: train/validation leakage (overlapping windows, a scaler fitted on
everything) and padding that no mask hides."""
import numpy as np

from lstmcourse.doctor._common import Finding

#: Padding: at least this share of the sequences must start or end with a run of zeros.
PADDING_MIN_SEQUENCES = 0.1
#: Padding: zeros must be (almost) absent inside the sequences, at most this share of the
#: steps between the runs, so that 0 is padding and not a token (copy_memory's blank).
PADDING_MAX_INTERIOR_ZEROS = 0.01
#: Scaler: relative tolerance with which the scaled series must match a scaler's formula.
SCALER_RTOL = 1e-4


def _spans(starts, window):
    """Sorted unique series steps covered by windows starting at ``starts``."""
    starts = np.asarray(starts, dtype="int64").ravel()
    return np.unique(starts[:, None] + np.arange(window)[None, :])


def window_overlap(train, val, window=1, horizon=None):
    """Overlapping windows: validation samples that share series steps with training samples.

    Each sample is the window ``series[start : start + window]`` (inputs and target). With
    ``window=1`` the indices are plain sample (or row) indices and the rule finds samples
    present in both sets. When ``horizon`` says which steps are targets (the last ``horizon``
    of each window), a validation window leaks only when one of its target steps lies in a
    training window (as input or target): its inputs may reach back into the training
    period, which is known when forecasting (lesson 08's split by time).

    Args:
        train: Start indices of the training windows.
        val: Start indices of the validation windows.
        window: Steps each window covers, its inputs and its target(s). Default: 1.
        horizon: Target steps at the end of each window. Default: None (unknown: every
            step of a validation window counts).

    Returns:
        A list with one ``"window_overlap"`` finding, or an empty list.

    >>> [f.name for f in window_overlap(range(0, 80), range(70, 90), window=12)]
    ['window_overlap']
    >>> window_overlap(range(0, 80), range(91, 100), window=12)
    []
    >>> window_overlap(range(0, 80), range(80, 100), window=12, horizon=1)  # inputs back into training
    []
    """
    train_steps = _spans(train, window)
    val = np.asarray(val, dtype="int64").ravel()
    checked = np.arange(0 if horizon is None else window - horizon, window)
    leaking = np.isin(val[:, None] + checked[None, :], train_steps).any(axis=1)
    if not leaking.any():
        return []
    shared = np.intersect1d(train_steps, _spans(val, window)).size
    what = "series steps" if horizon is None else "target steps"
    gap = (f"leave a gap of at least window - 1 = {window - 1} steps between the parts" if horizon is None else
           "start the validation targets after the last training step")
    return [Finding(
        "window_overlap", value=float(leaking.mean()),
        evidence=(f"{leaking.sum()} of the {val.size} validation windows ({leaking.mean():.0%}) share {what} "
                  f"with training windows ({shared} steps in common)."),
        fix=f"Split the series by time first, then make windows inside each part; {gap}.")]


def _candidates(raw, fitted_on):
    """Scaled series a standard (std with ddof 0 or 1) or min-max scaler fitted on ``fitted_on`` gives."""
    mean, low, high = fitted_on.mean(axis=0), fitted_on.min(axis=0), fitted_on.max(axis=0)
    out = [("standard", (raw - mean) / fitted_on.std(axis=0, ddof=d)) for d in (0, 1) if len(fitted_on) > d]
    return out + [("min-max", (raw - low) / (high - low))]


def scaler_leakage(series, scaled, train, val=None, window=1):
    """A scaler (standard or min-max) fitted on more than the training part of the series.

    The rule recomputes the scaled series from ``series`` with each scaler fitted on the
    training steps, on the training and validation steps, and on the whole series, and
    says which one ``scaled`` matches (within ``SCALER_RTOL``). A finding when it matches a
    fit on more than the training steps and not the fit on the training steps.

    Skipped when ``scaled`` matches no candidate (another scaler: the rule cannot tell), or
    when the training steps are the whole series.

    Args:
        series: The raw series, shape (time,) or (time, features).
        scaled: The same series after scaling, same shape.
        train: Start indices of the training windows (or training rows, with ``window=1``).
        val: Start indices of the validation windows. Default: None.
        window: Steps each window covers. Default: 1.

    Returns:
        A list with one ``"scaler_leakage"`` finding, or an empty list.
    """
    raw = np.asarray(series, dtype="float64").reshape(len(series), -1)
    scaled = np.asarray(scaled, dtype="float64").reshape(len(scaled), -1)
    train_steps = _spans(train, window)
    train_steps = train_steps[train_steps < len(raw)]
    if len(train_steps) in (0, len(raw)):
        return []
    fits = {"the training steps": train_steps}
    if val is not None:
        fits["the training and validation steps"] = np.union1d(train_steps, _spans(val, window))
    fits["the whole series"] = np.arange(len(raw))
    tolerance = SCALER_RTOL * (1.0 + np.abs(scaled).max())
    for where, steps in fits.items():
        for kind, candidate in _candidates(raw, raw[steps[steps < len(raw)]]):
            if np.all(np.isfinite(candidate)) and np.abs(candidate - scaled).max() <= tolerance:
                if where == "the training steps":
                    return []
                part = scaled[train_steps]
                stats = (f"mean {part.mean():.3f} and std {part.std():.3f} instead of 0 and 1" if kind == "standard"
                         else f"min {part.min():.3f} and max {part.max():.3f} instead of 0 and 1")
                return [Finding(
                    "scaler_leakage", value=float(part.mean() if kind == "standard" else part.max()),
                    evidence=(f"The series was scaled by a {kind} scaler fitted on {where}: its training part "
                              f"has {stats}, so the statistics of later steps leak into training."),
                    fix="Fit the scaler on the training steps only, then apply it to the whole series.")]
    return []


def leakage(split):
    """Train/validation leakage given the split: overlapping windows and the scaler.

    Args:
        split: Either a pair ``(train, val)`` of sample indices, or a dict with
            ``"train"`` and ``"val"`` (start indices of the windows in the raw series),
            and optionally ``"window"`` (steps per window, inputs and targets; default 1),
            ``"horizon"`` (target steps at the end of each window; default None, see
            :func:`window_overlap`),
            ``"series"`` (the raw series) and ``"scaled"`` (the series after scaling, as the
            windows were cut from it). The scaler check runs only when both ``"series"``
            and ``"scaled"`` are given.

    Returns:
        The findings of :func:`window_overlap` and :func:`scaler_leakage`.
    """
    if not isinstance(split, dict):
        split = {"train": split[0], "val": split[1]}
    window = split.get("window", 1)
    found = window_overlap(split["train"], split["val"], window, split.get("horizon"))
    if split.get("series") is not None and split.get("scaled") is not None:
        found += scaler_leakage(split["series"], split["scaled"], split["train"], split["val"], window)
    return found


def _mask_layers(model):
    """Layers of the model that make a mask from zero padding."""
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding) and layer.mask_zero:
            found.append(layer)
        elif isinstance(layer, keras.layers.Masking) and float(layer.mask_value) == 0.0:
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += _mask_layers(layer)
    return found


def padding_runs(x):
    """``(leading, trailing, interior_zero_share)``: zero runs at each end of every sequence.

    A step is zero when the token is 0 (integer input, shape (samples, time)) or when all
    its features are 0 (shape (samples, time, features)).
    """
    x = np.asarray(x)
    zero = x == 0 if x.ndim == 2 else np.all(x == 0, axis=tuple(range(2, x.ndim)))
    time = zero.shape[1]
    leading = np.where(zero.all(axis=1), time, np.argmin(zero, axis=1))
    trailing = np.where(zero.all(axis=1), 0, np.argmin(zero[:, ::-1], axis=1))
    inside = time - leading - trailing
    interior = zero.sum(axis=1) - leading - trailing
    return leading, trailing, float(interior.sum() / max(inside.sum(), 1))


#: Layers that work step by step (nothing mixes the time steps), for the causal exemption of
#: :func:`unmasked_padding`; recurrent layers are checked apart (forward, one output per step).
_PER_STEP_LAYERS = ("Embedding", "Dense", "Dropout", "Activation", "Softmax", "TimeDistributed", "InputLayer")


def _ignored_trailing_padding(model, x, y, loss, trailing):
    """Whether trailing padding cannot change what the loss sees: a causal per-step model.

    True when every layer works step by step or is a forward recurrent layer with
    ``return_sequences=True`` (so a padded step only reaches the outputs at and after it),
    the output has one prediction per input step, and the loss's ``ignore_class`` is the
    target at every padded step (lesson 10's language model).
    """
    import keras

    config = loss.get_config() if hasattr(loss, "get_config") else {}
    ignore = (config or {}).get("ignore_class")
    if ignore is None or y is None or not getattr(model, "outputs", None):
        return False
    y = np.asarray(y)
    if y.shape[:2] != x.shape[:2] or len(model.outputs[0].shape) < 3:
        return False
    for layer in model.layers:
        if isinstance(layer, keras.layers.RNN):
            if getattr(layer, "go_backwards", False) or not getattr(layer, "return_sequences", False):
                return False
        elif type(layer).__name__ not in _PER_STEP_LAYERS:
            return False
    padded = np.arange(x.shape[1])[None, :] >= x.shape[1] - trailing[:, None]
    return bool(np.all(y.reshape(y.shape[:2] + (-1,))[padded] == ignore))


def unmasked_padding(model, x, y=None, *, loss=None):
    """Padding without a mask: zero-padded sequences and no layer that makes a mask.

    ``x`` looks padded when at least ``PADDING_MIN_SEQUENCES`` of the sequences start or end
    with a run of zero steps, the runs have different lengths (the sequences had different
    lengths), and zeros are rare elsewhere (at most ``PADDING_MAX_INTERIOR_ZEROS`` of the
    inner steps): then 0 is padding, not a token. A finding when no ``Embedding(mask_zero=True)``
    or ``Masking(mask_value=0.0)`` is in the model.

    Also skipped for padding at the end read by a causal model whose loss ignores it: every
    layer works step by step or is a forward recurrent layer with ``return_sequences=True``,
    and the loss's ``ignore_class`` is the target at every padded step (given ``y`` and
    ``loss``). The padding then comes after every real step and counts in no loss, so it
    changes nothing (lesson 10's language model).

    Skipped for inputs of another rank than (samples, time) tokens or (samples, time,
    features).

    Args:
        model: A Keras model.
        x: Its inputs.
        y: Its targets, for the causal exemption. Default: None.
        loss: The loss, for the causal exemption. Default: None (the loss the model was
            compiled with).

    Returns:
        A list with one ``"unmasked_padding"`` finding, or an empty list.
    """
    x = np.asarray(x)
    if x.ndim not in (2, 3) or x.shape[1] < 2:
        return []
    leading, trailing, interior = padding_runs(x)
    side, runs = ("end", trailing) if (trailing > 0).sum() >= (leading > 0).sum() else ("start", leading)
    padded = runs > 0
    if (padded.mean() < PADDING_MIN_SEQUENCES or np.unique(runs).size < 2
            or interior > PADDING_MAX_INTERIOR_ZEROS or _mask_layers(model)):
        return []
    loss = getattr(model, "loss", None) if loss is None else loss
    if side == "end" and not leading.any() and _ignored_trailing_padding(model, x, y, loss, trailing):
        return []
    share = float(runs.sum() / runs.size / x.shape[1])
    return [Finding(
        "unmasked_padding", value=share,
        evidence=(f"{share:.0%} of the input steps are zero padding, at the {side} of {padded.sum()} of the "
                  f"{len(x)} sequences, and no layer of the model makes a mask: the recurrent layers read "
                  "the padding as data."),
        fix="Use Embedding(..., mask_zero=True) for token ids, or a Masking() layer first for features.")]
