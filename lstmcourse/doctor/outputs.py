"""Rules about what the model outputs: a constant, the last input, an activation that does
not fit the loss, and targets the output cannot reach."""
import numpy as np

from lstmcourse.doctor._common import Finding, loss_info, output_info

#: Regression: predictions whose spread across samples is below this fraction of the
#: targets' spread are a constant (the model predicts the mean).
CONSTANT_STD_RATIO = 0.05
#: Classification: the output is constant when this share of the predictions (or more)
#: is one class while the targets are more varied than that.
CONSTANT_CLASS_SHARE = 0.99
#: Persistence: correlation of the forecast with the last input step at or above which,
#: when it is also above the forecast's correlation with the targets, the model repeats
#: the last input.
PERSISTENCE_MIN_CORR = 0.95
#: Persistence: a forecast whose mean squared error is below this fraction of the naive
#: forecast's ("next = last") beats persistence, however much it correlates with the last
#: step (a good forecast of a slowly moving series always does).
PERSISTENCE_MAX_MSE_RATIO = 0.9
#: Linear regression outputs: targets whose standard deviation or mean (in absolute
#: value) exceeds this are unscaled.
TARGET_SCALE_LIMIT = 10.0

#: Output activations with a bounded range, and that range.
_BOUNDS = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0), "hard_sigmoid": (0.0, 1.0),
           "relu": (0.0, np.inf), "softplus": (0.0, np.inf), "elu": (-1.0, np.inf), "exponential": (0.0, np.inf)}


def _classes(predictions, y, kind, from_logits, activation):
    """(predicted classes, target classes) as flat int arrays, or None when not a classifier."""
    p, y = np.asarray(predictions), np.asarray(y)
    units = p.shape[-1]
    sparse = kind == "sparse_categorical" or (units > 1 and y.shape in (p.shape[:-1], p.shape[:-1] + (1,)))
    if units > 1 and (sparse or kind == "categorical" or activation == "softmax"):
        if sparse:
            return p.argmax(-1).ravel(), y.reshape(p.shape[:-1]).ravel().astype(int)
        if y.shape == p.shape:
            return p.argmax(-1).ravel(), y.argmax(-1).ravel()
        return None
    binary = kind == "binary" or (activation == "sigmoid" and np.isin(y, (0, 1)).all())
    if units == 1 and binary and y.size == p.size:
        threshold = 0.5 if activation == "sigmoid" else 0.0 if activation == "linear" or from_logits else 0.5
        return (p.ravel() > threshold).astype(int), (y.ravel() > 0.5).astype(int)
    return None


def constant_output(predictions, y, *, loss=None, activation=None):
    """Constant or mean output: the model answers the same whatever the input.

    Classifiers (found from ``loss``, ``activation`` and the shapes): a finding when at
    least ``CONSTANT_CLASS_SHARE`` of the predicted classes are one class while the targets'
    most common class is rarer. Regression: a finding when the standard deviation of the
    predictions across samples is below ``CONSTANT_STD_RATIO`` times that of the targets
    (averaged over the other axes).

    Skipped (no finding) when ``predictions`` and ``y`` have shapes that match neither
    case, when either holds NaN or inf, or when the targets do not vary.

    Args:
        predictions: The model's outputs on some inputs, e.g. ``model.predict(x)``.
        y: The targets of those inputs.
        loss: The loss the model is trained with (name, function or ``keras.losses.Loss``).
            Default: None (the case is found from the shapes and ``activation``).
        activation: Name of the output activation, e.g. ``"softmax"``. Default: None.

    Returns:
        A list with one ``"constant_output"`` finding, or an empty list.
    """
    p, y = np.asarray(predictions, dtype="float64"), np.asarray(y)
    kind, from_logits, _ = loss_info(loss)
    classes = _classes(p, y, kind, from_logits, activation)
    if classes is not None:
        predicted, target = classes
        top = np.bincount(predicted).argmax()
        share, target_share = np.mean(predicted == top), np.bincount(target).max() / target.size
        if share >= CONSTANT_CLASS_SHARE and target_share < share:
            return [Finding(
                "constant_output", value=float(share),
                evidence=(f"{share:.1%} of the {predicted.size} predictions are class {top}, while the targets' "
                          f"most common class is {target_share:.1%} of them."),
                fix=("The model predicts the majority class: train longer or with a higher learning rate, "
                     "mask padding, check the labels, or weight the classes."))]
        return []
    if p.shape != y.shape and p.shape != y.shape + (1,) and p.shape + (1,) != y.shape:
        return []
    p, y = p.reshape(len(p), -1), y.reshape(len(y), -1).astype("float64")
    if len(p) < 2 or not np.all(np.isfinite(p)) or not np.all(np.isfinite(y)):
        return []
    target_std = y.std(axis=0)
    if target_std.mean() == 0:
        return []
    ratio = float(p.std(axis=0).mean() / target_std.mean())
    if ratio >= CONSTANT_STD_RATIO:
        return []
    return [Finding(
        "constant_output", value=ratio,
        evidence=(f"The predictions vary across samples {ratio:.3g} times as much as the targets "
                  f"(std {p.std(axis=0).mean():.3g} vs {target_std.mean():.3g}): the model predicts about "
                  f"the mean, {p.mean():.3g}."),
        fix=("Scale inputs and targets, check that the inputs carry the signal (not only padding), "
             "and train longer or with a higher learning rate."))]


def _corr(a, b):
    if a.std() == 0 or b.std() == 0:
        return np.nan
    return float(np.corrcoef(a, b)[0, 1])


def persistence(predictions, x, y, *, target_feature=None):
    """Persistence: the forecast is (nearly) the last input step, shifted by one.

    A finding when the forecast's correlation with ``x[:, -1, target_feature]`` is at least
    ``PERSISTENCE_MIN_CORR``, higher than its correlation with the targets ``y``, and its mean
    squared error is at least ``PERSISTENCE_MAX_MSE_RATIO`` times that of the naive forecast
    "next = last" (a forecast clearly better than the naive one is not persistence, whatever
    its correlations); the evidence gives both errors.

    Skipped when ``x`` is not a float array (samples, time, features), when the forecast is
    not one number per sample, when ``target_feature`` is not given and ``x`` has more than
    one feature, when any of them holds NaN or inf, or when the forecast or the last input
    step is constant.

    Args:
        predictions: The model's forecasts, shape (samples,) or (samples, 1).
        x: The input windows, shape (samples, time, features).
        y: The targets, shape (samples,) or (samples, 1).
        target_feature: Index of the feature in ``x`` that ``y`` forecasts. Default: None
            (0 when ``x`` has one feature).

    Returns:
        A list with one ``"persistence"`` finding, or an empty list.
    """
    x, p, y = np.asarray(x), np.asarray(predictions, dtype="float64"), np.asarray(y, dtype="float64")
    if x.ndim != 3 or not np.issubdtype(x.dtype, np.floating) or p.size != len(p) or y.size != len(y):
        return []
    if target_feature is None:
        if x.shape[-1] != 1:
            return []
        target_feature = 0
    last, p, y = x[:, -1, target_feature].astype("float64"), p.ravel(), y.ravel()
    if not (np.all(np.isfinite(last)) and np.all(np.isfinite(p)) and np.all(np.isfinite(y))):
        return []
    with_last, with_y = _corr(p, last), _corr(p, y)
    if not with_last >= PERSISTENCE_MIN_CORR or not with_last > with_y:
        return []
    model_mse, naive_mse = np.mean((p - y) ** 2), np.mean((last - y) ** 2)
    if model_mse < PERSISTENCE_MAX_MSE_RATIO * naive_mse:
        return []
    return [Finding(
        "persistence", value=with_last,
        evidence=(f"The forecast correlates {with_last:.3f} with the last input step and {with_y:.3f} with the "
                  f"targets; its MSE is {model_mse:.4g} against {naive_mse:.4g} for the naive forecast "
                  "'next = last'."),
        fix=("Compare with the naive forecast, and predict the change y - x[:, -1] (or difference the series) "
             "so that repeating the last value is no longer the easy answer."))]


def activation_loss_mismatch(model, *, loss=None):
    """Output activation and loss that do not fit each other.

    Findings: a sigmoid or softmax output with a ``from_logits=True`` loss (probabilities
    read as logits); a linear output with a cross-entropy that expects probabilities
    (``from_logits=False``); a sigmoid output with categorical cross-entropy over more than
    one class (needs softmax); a softmax over a single unit (always 1).

    Skipped when the loss or the output activation is unknown (e.g. a custom layer last).

    Args:
        model: A Keras model.
        loss: The loss (name, function or ``keras.losses.Loss``). Default: None (the loss
            the model was compiled with).

    Returns:
        A list with one ``"activation_loss_mismatch"`` finding, or an empty list.
    """
    loss = getattr(model, "loss", None) if loss is None else loss
    kind, from_logits, name = loss_info(loss)
    activation, units = output_info(model)
    problem = None
    if activation == "softmax" and units == 1:
        problem = ("a softmax over 1 unit, which always outputs 1",
                   "Use Dense(1, activation='sigmoid') for two classes, or one unit per class with softmax.")
    elif kind in ("binary", "categorical", "sparse_categorical"):
        if from_logits and activation in ("sigmoid", "softmax"):
            problem = (f"a {activation} output with {name}(from_logits=True), which applies a second {activation}",
                       f"Remove the {activation} from the last layer, or set from_logits=False.")
        elif not from_logits and activation == "linear":
            problem = (f"a linear output (logits) with {name}(from_logits=False), which reads them as "
                       "probabilities and clips them",
                       "Set from_logits=True in the loss, or add the sigmoid/softmax to the last layer.")
        elif activation == "sigmoid" and kind != "binary" and units and units > 1:
            problem = (f"a sigmoid output over {units} classes with {name}, whose probabilities do not sum to 1",
                       "Use activation='softmax' for one class per sample (sigmoid is for multi-label "
                       "binary_crossentropy).")
        elif activation == "sigmoid" and kind == "categorical" and units == 1:
            problem = (f"one sigmoid unit with {name}, which is 0 whatever the model outputs",
                       "Use binary_crossentropy with one sigmoid unit.")
    if problem is None:
        return []
    return [Finding("activation_loss_mismatch", value=float(units or np.nan),
                    evidence=f"The model ends in {problem[0]} ({units} output units).", fix=problem[1])]


def target_range(model, y, *, loss=None):
    """Targets far off the range of the model's output.

    Findings ``"target_range"``: targets outside the range a bounded output activation can
    reach (sigmoid and softmax [0, 1], tanh and recurrent layers (-1, 1), relu and softplus
    [0, ∞)); integer labels of a sparse categorical loss (or, without a loss, labels whose
    shape does not match a softmax output) outside [0, units).
    ``"unscaled_targets"``: a linear output with a regression loss and targets whose
    standard deviation or absolute mean exceeds ``TARGET_SCALE_LIMIT``.

    Skipped when the output activation is unknown, for linear outputs whose loss is not a
    known regression loss, and for ``from_logits=True`` losses (the output is not the
    prediction).

    Args:
        model: A Keras model.
        y: The targets.
        loss: The loss. Default: None (the loss the model was compiled with).

    Returns:
        A list with at most one finding, or an empty list.
    """
    loss = getattr(model, "loss", None) if loss is None else loss
    kind, from_logits, _ = loss_info(loss)
    activation, units = output_info(model)
    y = np.asarray(y, dtype="float64")
    if activation is None or from_logits or not np.all(np.isfinite(y)) or y.size == 0:
        return []
    low, high = float(y.min()), float(y.max())
    labels = kind == "unknown" and activation == "softmax" and units and (y.ndim == 1 or y.shape[-1] != units)
    if kind == "sparse_categorical" or labels:  # integer class labels, not probabilities
        if units and (low < 0 or high >= units or np.any(y != np.round(y))):
            return [Finding("target_range", value=high,
                            evidence=f"The labels run from {low:g} to {high:g}, but the output has {units} classes.",
                            fix=f"Number the classes 0 … {units - 1}, or give the last layer one unit per class.")]
        return []
    if activation in _BOUNDS:
        bottom, top = _BOUNDS[activation]
        if low < bottom or high > top:
            return [Finding(
                "target_range", value=high if high > top else low,
                evidence=(f"The targets run from {low:.4g} to {high:.4g}, but a {activation} output stays in "
                          f"[{bottom:g}, {top:g}]."),
                fix=("Scale the targets into the output's range (fit the scaler on the training part), or use "
                     "a linear output for regression."))]
        return []
    if activation == "linear" and kind == "regression":
        std, mean = float(y.std()), float(y.mean())
        if std > TARGET_SCALE_LIMIT or abs(mean) > TARGET_SCALE_LIMIT:
            return [Finding(
                "unscaled_targets", value=max(std, abs(mean)),
                evidence=f"The targets have mean {mean:.4g} and standard deviation {std:.4g}.",
                fix=("Standardize the targets with the training part's mean and std (and invert it on the "
                     "predictions), so the loss and the gradients start near 1."))]
    return []
