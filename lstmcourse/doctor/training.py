"""Rules about training: gradients that vanish or explode through time, a loss that is NaN
or infinite, and stateful layers used in a way that breaks their state."""
import numpy as np

from lstmcourse.doctor._common import (
    MAX_SAMPLES, Finding, fixed_batch_size, loss_object, predict, stateful_layers,
)

#: Vanishing gradients: ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ below this (over the whole sequence).
VANISHING_RATIO = 1e-4
#: Exploding gradients: ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ above this (or not finite).
EXPLODING_RATIO = 1e4


def gradient_flow(model, x, y, *, loss=None):
    """Vanishing or exploding gradients through time.

    Measures ‖∂L/∂h_t‖ at every step of the model's first recurrent layer with
    :func:`lstmcourse.diagnostics.state_gradient_norms` on the first ``MAX_SAMPLES`` samples,
    and compares the first step with the last: a ``"vanishing_gradient"`` finding when the
    ratio is below ``VANISHING_RATIO``, an ``"exploding_gradient"`` one when it is above
    ``EXPLODING_RATIO`` or not finite.

    Skipped when the model is not a ``Sequential`` with a ``keras.layers.RNN`` layer (e.g.
    a Bidirectional or functional model), when there is no loss, or with fewer than 2 steps.
    A model that masks its padding (``Embedding(mask_zero=True)`` or ``Masking``) gets no
    gradient at padded steps by design, so only the samples without padding are measured;
    when every sample has padding the rule cannot decide and gives no finding.

    Args:
        model: A Keras model.
        x: Inputs, (samples, time, …).
        y: Targets.
        loss: The loss. Default: None (the loss the model was compiled with).

    Returns:
        A list with at most one finding, or an empty list.
    """
    import keras
    from keras import ops

    from lstmcourse import diagnostics

    loss = getattr(model, "loss", None) if loss is None else loss
    if (loss is None or not isinstance(model, keras.Sequential) or np.ndim(x) < 2 or np.shape(x)[1] < 2
            or not any(isinstance(layer, keras.layers.RNN) for layer in model.layers)):
        return []
    xb, yb = np.asarray(x), np.asarray(y)
    unpadded = _unpadded_rows(model, xb)
    if unpadded is not None:
        if not unpadded.any():
            return []
        xb, yb = xb[unpadded], yb[unpadded]
    fn, xb, yb = loss_object(loss), xb[:MAX_SAMPLES], yb[:MAX_SAMPLES]
    norms = diagnostics.state_gradient_norms(model, xb, loss_fn=lambda out: ops.mean(fn(yb, out)))
    layer = next(layer for layer in model.layers if isinstance(layer, keras.layers.RNN))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(norms[0] / norms[-1])
    where = f"‖∂L/∂h‖ at the first of {len(norms)} steps is {ratio:.3g} times that at the last"
    if np.isfinite(ratio) and ratio < VANISHING_RATIO:
        return [Finding("vanishing_gradient", value=ratio, layer=layer.name,
                        evidence=f"{where}: the early steps get almost no training signal.",
                        fix=("Use an LSTM or GRU instead of a SimpleRNN, shorten the sequences, or check for "
                             "saturated gates (a very large or small forget-gate bias)."))]
    if not np.isfinite(ratio) and norms[-1] > 0 or ratio > EXPLODING_RATIO:
        return [Finding("exploding_gradient", value=ratio, layer=layer.name,
                        evidence=f"{where}: the gradient grows back through time.",
                        fix=("Clip gradients (e.g. optimizer clipnorm=1.0), lower the learning rate, or use "
                             "an orthogonal recurrent initializer / an LSTM or GRU."))]
    return []


def _unpadded_rows(model, x):
    """For a model that masks its padding: which samples have none (None: no mask in the model)."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding) and layer.mask_zero:
            return np.all(x != 0, axis=tuple(range(1, x.ndim)))
        if isinstance(layer, keras.layers.Masking):
            steps = np.all(x == layer.mask_value, axis=tuple(range(2, x.ndim)))          # (samples, time)
            return ~steps.any(axis=1)
    return None


def _nonfinite(array):
    array = np.asarray(array)
    return int(np.size(array) - np.isfinite(array).sum()) if np.issubdtype(array.dtype, np.number) else 0


def nonfinite_loss(model, x, y, *, loss=None, predictions=None):
    """NaN or infinite loss, evaluated on a batch (the first ``MAX_SAMPLES`` samples).

    A ``"nonfinite_loss"`` finding when the loss on the batch is NaN or infinite; the
    evidence counts the non-finite values in the inputs, the targets, the weights and the
    predictions, and the fix follows the first place they appear.

    Skipped when there is no loss, or when a stateful model cannot run on the batch.

    Args:
        model: A Keras model.
        x: Inputs.
        y: Targets.
        loss: The loss. Default: None (the loss the model was compiled with).
        predictions: The model's outputs on ``x`` if already computed. Default: None.

    Returns:
        A list with one finding, or an empty list.
    """
    from keras import ops

    loss = getattr(model, "loss", None) if loss is None else loss
    if loss is None:
        return []
    xb, yb = np.asarray(x)[:MAX_SAMPLES], np.asarray(y)[:MAX_SAMPLES]
    p = predict(model, xb) if predictions is None else np.asarray(predictions)[:MAX_SAMPLES]
    if p is None:
        return []
    value = float(ops.convert_to_numpy(ops.mean(loss_object(loss)(yb[: len(p)], p))))
    if np.isfinite(value):
        return []
    counts = {"inputs": _nonfinite(xb), "targets": _nonfinite(yb),
              "weights": sum(_nonfinite(w) for w in model.get_weights()), "predictions": _nonfinite(p)}
    fixes = {"inputs": "Remove or fill the NaN/inf in the inputs (e.g. gaps in the series) before windowing.",
             "targets": "Remove or fill the NaN/inf in the targets.",
             "weights": ("Training diverged: lower the learning rate, clip gradients (clipnorm=1.0), and scale "
                         "inputs and targets."),
             "predictions": "The forward pass overflows: scale the inputs and lower the learning rate."}
    cause = next((k for k, n in counts.items() if n), None)
    found = ", ".join(f"{n} in the {k}" for k, n in counts.items())
    return [Finding("nonfinite_loss", value=value,
                    evidence=f"The loss on {len(p)} samples is {value}; non-finite values: {found}.",
                    fix=fixes.get(cause, "The loss itself overflows (e.g. log 0): check the targets' range "
                                         "against the loss, and use from_logits=True with a linear output."))]


def stateful_misuse(model, n_samples, *, batch_size=None, shuffle=None):
    """Stateful recurrent layers used in a way that breaks the state between batches.

    Findings (only for models with a ``stateful=True`` recurrent layer):
    ``"stateful_batch_size"`` when ``batch_size`` does not divide ``n_samples`` or differs
    from the batch size the model was built for; ``"stateful_shuffle"`` when
    ``shuffle=True`` (batches must follow each other in order); ``"stateful_carried_state"``
    (info) when the layer holds a non-zero state from earlier calls, which a new
    sequence would continue from unless ``reset_state()`` is called first.

    The batch-size and shuffle checks are skipped when ``batch_size`` or ``shuffle`` is
    not given.

    Args:
        model: A Keras model.
        n_samples: Number of samples passed to ``fit``.
        batch_size: The ``batch_size`` passed to ``fit``. Default: None.
        shuffle: The ``shuffle`` passed to ``fit`` (Keras's default is True). Default: None.

    Returns:
        A list of findings, possibly empty.
    """
    from keras import ops

    layers = stateful_layers(model)
    if not layers:
        return []
    found, built_for = [], fixed_batch_size(model)
    if batch_size is not None and (n_samples % batch_size or (built_for and batch_size != built_for)):
        built = f"; the model was built for batches of {built_for}" if built_for else ""
        found.append(Finding(
            "stateful_batch_size", value=float(n_samples % batch_size), layer=layers[0].name,
            evidence=f"{n_samples} samples in batches of {batch_size} leave {n_samples % batch_size} over{built}.",
            fix=("Use the batch size the model was built for (Input(batch_shape=...)), and cut the data to a "
                 "multiple of it, so that row i of every batch continues row i of the batch before.")))
    if shuffle:
        found.append(Finding(
            "stateful_shuffle", value=1.0, layer=layers[0].name,
            evidence="fit(shuffle=True) reorders the batches, so a stateful layer continues the wrong sequence.",
            fix=("Pass shuffle=False to fit, and call reset_state() on each stateful layer between epochs and "
                 "independent series.")))
    for layer in layers:
        norm = float(np.sqrt(sum(np.sum(ops.convert_to_numpy(v) ** 2) for v in (layer.states or []))))
        if norm > 0:
            found.append(Finding(
                "stateful_carried_state", severity="info", value=norm, layer=layer.name,
                evidence=f"The layer holds a state of norm {norm:.3g} from earlier calls.",
                fix=("Call layer.reset_state() on each stateful layer before a new, independent sequence (a Keras 3 "
                     "model has no reset_states()).")))
    return found
