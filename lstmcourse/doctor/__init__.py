"""The doctor: why does my RNN run but not learn?

:func:`examine` runs every rule on a model and some of its data and returns the
:class:`Finding` objects, each with a stable ``name``, the ``evidence`` (a sentence with
the measured number, also in ``value``) and the ``fix``. Each rule is also a function of
its own, with its threshold as a named constant; a rule that cannot decide gives no
finding (its docstring says when it is skipped).

==========================  ==============================  =========================================
finding (severity)          rule function                   threshold (named constant)
==========================  ==============================  =========================================
constant_output             :func:`constant_output`         prediction std < 0.05 × target std
                                                            (``CONSTANT_STD_RATIO``), or ≥ 99 % one
                                                            class (``CONSTANT_CLASS_SHARE``)
persistence                 :func:`persistence`             corr(forecast, last input) ≥ 0.95
                                                            (``PERSISTENCE_MIN_CORR``) and > corr
                                                            with the targets, and MSE ≥ 0.9 × the
                                                            naive forecast's
                                                            (``PERSISTENCE_MAX_MSE_RATIO``)
window_overlap              :func:`window_overlap`          any series step in both sets
                                                            (given a horizon: a validation target
                                                            step in a training window)
scaler_leakage              :func:`scaler_leakage`          matches a scaler fitted beyond the
                                                            training steps (``SCALER_RTOL``)
unmasked_padding            :func:`unmasked_padding`        ≥ 10 % of sequences padded
                                                            (``PADDING_MIN_SEQUENCES``), ≤ 1 % zeros
                                                            inside (``PADDING_MAX_INTERIOR_ZEROS``)
                                                            (not for a causal per-step model whose
                                                            loss ignores the padded targets)
vanishing_gradient,         :func:`gradient_flow`           ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ < 1e-4 or > 1e4
exploding_gradient                                          (``VANISHING_RATIO``, ``EXPLODING_RATIO``)
nonfinite_loss              :func:`nonfinite_loss`          loss NaN or ±inf on a batch
activation_loss_mismatch    :func:`activation_loss_mismatch` (pairs that never fit)
target_range,               :func:`target_range`            outside the activation's range; for a
unscaled_targets                                            linear output std or |mean| > 10
                                                            (``TARGET_SCALE_LIMIT``)
cudnn (info)                :func:`cudnn_eligibility`       Keras 3's own conditions
stateful_batch_size,        :func:`stateful_misuse`         batch size not dividing the data or not
stateful_shuffle,                                           the built one; shuffle=True; a state
stateful_carried_state                                      left from earlier calls
(info)
==========================  ==============================  =========================================

    >>> import keras, numpy as np
    >>> from lstmcourse import doctor
    >>> keras.utils.set_random_seed(0)
    >>> x = np.random.default_rng(0).normal(size=(32, 5, 1)).astype("float32")
    >>> y = (x.sum(axis=1) > 0).astype("float32")
    >>> model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(4, name="lstm"),
    ...                           keras.layers.Dense(1, activation="sigmoid")])
    >>> findings = doctor.examine(model, x, y, loss=keras.losses.BinaryCrossentropy(from_logits=True))
    >>> [f.name for f in findings if f.severity == "problem"]
    ['activation_loss_mismatch']
    >>> print(findings[0].fix)
    Remove the sigmoid from the last layer, or set from_logits=False.
    >>> [f.evidence for f in findings if f.name == "cudnn"]
    ["LSTM 'lstm' would run on cuDNN on a GPU: yes."]
"""
import numbers

import numpy as np

from lstmcourse.doctor._common import MAX_SAMPLES, Finding, output_info, predict
from lstmcourse.doctor.cudnn import cudnn_eligibility
from lstmcourse.doctor.data import (
    PADDING_MAX_INTERIOR_ZEROS, PADDING_MIN_SEQUENCES, SCALER_RTOL, leakage, scaler_leakage, unmasked_padding,
    window_overlap,
)
from lstmcourse.doctor.outputs import (
    CONSTANT_CLASS_SHARE, CONSTANT_STD_RATIO, PERSISTENCE_MAX_MSE_RATIO, PERSISTENCE_MIN_CORR, TARGET_SCALE_LIMIT,
    activation_loss_mismatch, constant_output, persistence, target_range,
)
from lstmcourse.doctor.training import (
    EXPLODING_RATIO, VANISHING_RATIO, gradient_flow, nonfinite_loss, stateful_misuse,
)

__all__ = [
    "Finding", "examine", "constant_output", "persistence", "leakage", "window_overlap", "scaler_leakage",
    "unmasked_padding", "gradient_flow", "nonfinite_loss", "activation_loss_mismatch", "target_range",
    "cudnn_eligibility", "stateful_misuse", "CONSTANT_STD_RATIO", "CONSTANT_CLASS_SHARE", "PERSISTENCE_MIN_CORR",
    "PERSISTENCE_MAX_MSE_RATIO", "TARGET_SCALE_LIMIT", "PADDING_MIN_SEQUENCES", "PADDING_MAX_INTERIOR_ZEROS",
    "SCALER_RTOL", "VANISHING_RATIO", "EXPLODING_RATIO", "MAX_SAMPLES",
]


def _check_arguments(model, x, y, loss, split, target_feature, batch_size, shuffle):
    """Raise a TypeError/ValueError naming the first bad argument; return x and y as arrays."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model. Received: model={model!r} of type {type(model).__name__}")
    try:
        x, y = np.asarray(x), np.asarray(y)
    except (TypeError, ValueError) as error:
        raise TypeError(f"`x` and `y` must be arrays (or nested lists of numbers). Received: {error}") from None
    if x.ndim < 2 or not np.issubdtype(x.dtype, np.number):
        raise ValueError("`x` must be a numeric array of shape (samples, time) or (samples, time, features). "
                         f"Received: x.shape={x.shape}, x.dtype={x.dtype}")
    if y.ndim < 1 or len(y) != len(x):
        raise ValueError(f"`y` must hold one target per sample of `x`. Received: x.shape={x.shape}, y.shape={y.shape}")
    if len(x) < 2:
        raise ValueError(f"`x` must hold at least 2 samples. Received: x.shape={x.shape}")
    if loss is not None and not (isinstance(loss, str) or callable(loss)):
        raise TypeError("`loss` must be a loss name, a function or a keras.losses.Loss. "
                        f"Received: loss={loss!r} of type {type(loss).__name__}")
    if split is not None:
        pair = isinstance(split, (tuple, list)) and len(split) == 2
        if not pair and not (isinstance(split, dict) and {"train", "val"} <= set(split)):
            raise ValueError("`split` must be a pair (train, val) of indices or a dict with keys 'train' and "
                             f"'val' (and optionally 'window', 'horizon', 'series', 'scaled'). Received: split={split!r}")
        parts = dict(zip(("train", "val"), split)) if pair else split
        for key in ("train", "val"):
            index = np.asarray(parts[key])
            if index.ndim != 1 or not np.issubdtype(index.dtype, np.integer) or (index < 0).any():
                raise ValueError(f"`split['{key}']` must be a 1-D array of non-negative integer indices. "
                                 f"Received: split['{key}'] of shape {index.shape} and dtype {index.dtype}")
        window = parts.get("window", 1)
        if isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1:
            raise ValueError(f"`split['window']` must be a positive integer. Received: split['window']={window!r}")
        horizon = parts.get("horizon")
        if horizon is not None and (isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral)
                                    or not 1 <= horizon <= window):
            raise ValueError("`split['horizon']` must be None or an integer from 1 to split['window']. "
                             f"Received: split['horizon']={horizon!r}, split['window']={window!r}")
        series, scaled = parts.get("series"), parts.get("scaled")
        if (series is None) != (scaled is None) or (series is not None and np.shape(series) != np.shape(scaled)):
            raise ValueError("`split['series']` and `split['scaled']` must be given together, with the same shape. "
                             f"Received: series shape {np.shape(series) if series is not None else None}, "
                             f"scaled shape {np.shape(scaled) if scaled is not None else None}")
    for name, value in (("target_feature", target_feature), ("batch_size", batch_size)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
            raise TypeError(f"`{name}` must be an integer or None. Received: {name}={value!r}")
    if batch_size is not None and batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
    if target_feature is not None and not (x.ndim == 3 and 0 <= target_feature < x.shape[-1]):
        raise ValueError("`target_feature` must index a feature of `x` (samples, time, features). "
                         f"Received: target_feature={target_feature}, x.shape={x.shape}")
    if shuffle is not None and not isinstance(shuffle, bool):
        raise TypeError(f"`shuffle` must be True, False or None. Received: shuffle={shuffle!r}")
    return x, y


def examine(model, x, y, *, loss=None, split=None, target_feature=None, batch_size=None, shuffle=None):
    """Run every rule of the doctor on a model and (some of) its data.

    The model is run in inference mode on the first ``MAX_SAMPLES`` samples (for a stateful
    model, on whole batches of its fixed batch size, and its states are put back after).
    Nothing is trained and no weight changes.

    Args:
        model: A built Keras model (compiled or not).
        x: Inputs, a NumPy array (samples, time) of token ids or (samples, time, features).
        y: Targets, one per sample.
        loss: The training loss: a name, a function or a ``keras.losses.Loss``. Default:
            None (the loss the model was compiled with; rules that need a loss are
            skipped if there is none).
        split: The train/validation split, for the leakage rules: a pair ``(train, val)`` of
            sample indices or a dict, see :func:`leakage`. Default: None (skipped).
        target_feature: Index of the feature of ``x`` that ``y`` forecasts, for
            :func:`persistence`. Default: None (0 when ``x`` has one feature).
        batch_size: The ``batch_size`` given to ``fit``, for :func:`stateful_misuse`.
            Default: None (skipped).
        shuffle: The ``shuffle`` given to ``fit``, for :func:`stateful_misuse`. Default: None
            (skipped).

    Returns:
        A list of :class:`Finding`, problems first, then infos.

    Raises:
        TypeError, ValueError: For a bad argument, naming it and what was received.
    """
    x, y = _check_arguments(model, x, y, loss, split, target_feature, batch_size, shuffle)
    loss = getattr(model, "loss", None) if loss is None else loss
    xs, ys = x[:MAX_SAMPLES], y[:MAX_SAMPLES]
    predictions = predict(model, xs)  # first, so that the model is built
    activation, _ = output_info(model)
    found = []
    if split is not None:
        found += leakage(split)
    found += unmasked_padding(model, x, y, loss=loss)
    found += activation_loss_mismatch(model, loss=loss)
    found += target_range(model, y, loss=loss)
    if predictions is not None:
        used = len(predictions)
        found += nonfinite_loss(model, xs[:used], ys[:used], loss=loss, predictions=predictions)
        if np.all(np.isfinite(predictions)):
            found += constant_output(predictions, ys[:used], loss=loss, activation=activation)
            found += persistence(predictions, xs[:used], ys[:used], target_feature=target_feature)
            found += gradient_flow(model, xs, ys, loss=loss)
    found += stateful_misuse(model, len(x), batch_size=batch_size, shuffle=shuffle)
    found += cudnn_eligibility(model, xs)
    return sorted(found, key=lambda f: f.severity != "problem")
