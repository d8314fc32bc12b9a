"""What every rule of the doctor shares: the :class:`Finding`, and how a model's output
activation, its loss and its recurrent layers are read."""
import contextlib
import dataclasses
import math

import numpy as np

#: Severities of a finding: something to fix, or a fact worth knowing.
SEVERITIES = ("problem", "info")

#: Samples used by the rules that run the model (predictions, loss, gradients).
MAX_SAMPLES = 256


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing the doctor found.

    Attributes:
        name: Stable identifier of the rule's finding, e.g. ``"constant_output"``.
        evidence: A sentence with the measured number.
        fix: One sentence: what to change.
        value: The measured number itself (NaN where there is none).
        severity: ``"problem"`` (something to fix) or ``"info"`` (a fact, e.g. cuDNN
            eligibility). Default: ``"problem"``.
        layer: Name of the layer the finding is about, if any. Default: None.
    """

    name: str
    evidence: str
    fix: str
    value: float = math.nan
    severity: str = "problem"
    layer: str | None = None

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"`severity` must be one of {SEVERITIES}. Received: severity={self.severity!r}")

    def __str__(self):
        where = f" [{self.layer}]" if self.layer else ""
        return f"{self.severity}: {self.name}{where}: {self.evidence} Fix: {self.fix}"


# -- losses and output activations -----------------------------------------------------
_LOSS_KINDS = (  # first match wins: (substring of the loss name, kind)
    ("sparse_categorical", "sparse_categorical"), ("categorical", "categorical"), ("binary", "binary"),
    ("squared", "regression"), ("absolute", "regression"), ("huber", "regression"),
    ("log_cosh", "regression"), ("logcosh", "regression"), ("mse", "regression"), ("mae", "regression"),
)


def loss_info(loss):
    """``(kind, from_logits, name)`` of a Keras loss given as a name, a function or a ``Loss``.

    ``kind`` is ``"binary"``, ``"categorical"``, ``"sparse_categorical"``, ``"regression"``
    or ``"unknown"`` (also for ``loss=None``).

    >>> loss_info("sparse_categorical_crossentropy")
    ('sparse_categorical', False, 'sparse_categorical_crossentropy')
    """
    if loss is None:
        return "unknown", False, None
    from_logits = False
    if isinstance(loss, str):
        name = loss
    elif hasattr(loss, "get_config"):  # a keras.losses.Loss
        config = loss.get_config() or {}
        from_logits = bool(config.get("from_logits", False))
        fn = getattr(loss, "fn", None)
        name = config.get("name") or getattr(fn, "__name__", None) or type(loss).__name__
    else:
        name = getattr(loss, "__name__", type(loss).__name__)
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    kind = next((k for key, k in _LOSS_KINDS if key in snake), "unknown")
    return kind, from_logits, name


def loss_object(loss):
    """A callable ``(y_true, y_pred) -> loss`` for a loss name, function or object.

    A ``keras.losses.Loss`` is returned as it is; a name or a function is wrapped so that,
    like ``Loss.__call__`` and ``fit``, it accepts targets (samples,) for outputs (samples, 1).
    """
    import keras
    from keras import ops

    fn = keras.losses.get(loss) if isinstance(loss, str) else loss
    if isinstance(fn, keras.losses.Loss):
        return fn

    def call(y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
        if len(y_true.shape) == len(y_pred.shape) - 1 and y_pred.shape[-1] == 1:
            y_true = ops.expand_dims(y_true, -1)
        elif len(y_true.shape) == len(y_pred.shape) + 1 and y_true.shape[-1] == 1:
            y_true = ops.squeeze(y_true, -1)
        return fn(y_true, y_pred)

    return call


def activation_name(activation):
    """Name of an activation function: ``"linear"`` for None, else its ``__name__``."""
    if activation is None:
        return "linear"
    return getattr(activation, "__name__", type(activation).__name__)


def output_info(model):
    """``(activation name, units)`` of the model's last layer, or ``(None, None)`` when unknown.

    Recurrent layers count as ``"tanh"``: their output h is bounded by (-1, 1) for SimpleRNN,
    LSTM and GRU with the default activation.
    """
    import keras

    if not model.layers:
        return None, None
    layer = model.layers[-1]
    while isinstance(layer, (keras.layers.TimeDistributed, keras.layers.Bidirectional)):
        layer = getattr(layer, "layer", None) or layer.forward_layer
    units = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
    if isinstance(layer, keras.layers.Softmax):
        return "softmax", units
    if not hasattr(layer, "activation"):
        return None, units
    return activation_name(layer.activation), units


# -- recurrent layers ------------------------------------------------------------------
def recurrent_layers(model):
    """Every recurrent layer of the model, depth first; a Bidirectional gives both directions."""
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            found += [layer.forward_layer, layer.backward_layer]
        elif isinstance(layer, keras.layers.RNN):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += recurrent_layers(layer)
    return found


def stateful_layers(model):
    return [layer for layer in recurrent_layers(model) if getattr(layer, "stateful", False)]


def fixed_batch_size(model):
    """The batch size a stateful model was built for, or None."""
    for layer in stateful_layers(model):
        if layer.states is not None:
            return int(layer.states[0].shape[0])
    inputs = getattr(model, "inputs", None)
    if inputs and inputs[0].shape[0] is not None:
        return int(inputs[0].shape[0])
    return None


@contextlib.contextmanager
def kept_states(model):
    """Run a block, then put every stateful layer's states back as they were."""
    from keras import ops

    saved = [(v, ops.convert_to_numpy(v)) for layer in stateful_layers(model) for v in (layer.states or [])]
    try:
        yield
    finally:
        for variable, value in saved:
            variable.assign(value)


def predict(model, x, batch=64):
    """The model's outputs on ``x`` (inference mode) as NumPy, leaving stateful states unchanged.

    A stateful model runs in its fixed batch size on the largest multiple of it, so the
    result may hold fewer rows than ``x`` (None when ``x`` holds less than one batch).
    """
    from keras import ops

    if stateful_layers(model):
        batch = fixed_batch_size(model) or len(x)
        x = x[: len(x) - len(x) % batch]
        if not len(x):
            return None
    with kept_states(model):
        outs = [ops.convert_to_numpy(model(x[i:i + batch], training=False)) for i in range(0, len(x), batch)]
    return np.concatenate(outs)
