"""Would each recurrent layer run on the fused cuDNN kernel on a GPU?

The rules are those of Keras 3 on its TensorFlow backend (``keras/src/layers/rnn/lstm.py``,
``gru.py`` and ``cudnn_ok`` in ``keras/src/backend/tensorflow/rnn.py``): an LSTM or GRU with
``use_cudnn`` "auto" or True, ``activation`` tanh, ``recurrent_activation`` sigmoid,
``recurrent_dropout`` 0, ``unroll`` False, ``use_bias`` True, for the GRU ``reset_after``
True, and a mask (if any) that is right-padded with no fully masked sequence. SimpleRNN
and ``keras.layers.RNN`` with any other cell have no cuDNN kernel. (On the JAX backend any
mask sends the LSTM to the generic loop too.)
"""
import numpy as np

from lstmcourse.doctor._common import (
    Finding, activation_name, fixed_batch_size, kept_states, recurrent_layers, stateful_layers,
)


def _is(function, name, keras_functions):
    """Whether an activation is one Keras's cuDNN check accepts (it compares the functions)."""
    if any(function is f for f in keras_functions):
        return True
    module = getattr(function, "__module__", "") or ""
    return getattr(function, "__name__", None) == name and module.split(".")[0] in ("tensorflow", "jax")


def _layer_masks(model, x):
    """{recurrent layer: mask reaching it (NumPy bool) or None} for a Sequential model, else None."""
    import keras
    from keras import ops

    from lstmcourse.doctor.data import _mask_layers

    if not _mask_layers(model):
        return {}  # no layer makes a mask: no recurrent layer gets one
    if x is None or not isinstance(model, keras.Sequential):
        return None
    if stateful_layers(model):
        x = x[: fixed_batch_size(model) or len(x)]
    masks, h, mask = {}, ops.convert_to_tensor(np.asarray(x)), None
    with kept_states(model):
        for layer in model.layers:
            inner = [layer.forward_layer, layer.backward_layer] if isinstance(layer, keras.layers.Bidirectional) \
                else [layer]
            for rnn in inner:
                masks[id(rnn)] = None if mask is None else ops.convert_to_numpy(mask).astype(bool)
            out = layer(h, training=False)
            mask = layer.compute_mask(h, mask) if layer.supports_masking or mask is None else None
            h = out
    return masks


def _mask_problem(mask):
    """Why cuDNN refuses a mask (not right-padded, or a sequence fully masked), or None."""
    lengths = mask.sum(axis=1)
    right_padded = np.arange(mask.shape[1])[None, :] < lengths[:, None]
    bad = np.sum(np.any(mask != right_padded, axis=1))
    if bad:
        return f"the mask is not right-padded in {bad} of {len(mask)} sequences (left padding or gaps)"
    if np.any(lengths == 0):
        return f"{np.sum(lengths == 0)} sequences are fully masked"
    return None


def cudnn_eligibility(model, x=None):
    """Whether each recurrent layer would run on cuDNN on a GPU, by Keras 3's own rules.

    One ``"cudnn"`` finding of severity ``"info"`` per recurrent layer (both directions of a
    Bidirectional), with ``value`` 1.0 (yes) or 0.0 (no) and the reasons for a no. The mask
    is checked on ``x`` for ``Sequential`` models; for other models, or without ``x``, a layer
    with a mask is said to need right padding (not checked).

    Args:
        model: A Keras model.
        x: Inputs, to check the masks that reach each layer. Default: None.

    Returns:
        A list of findings, one per recurrent layer (empty without recurrent layers).
    """
    import keras
    from keras import activations, ops

    masks = _layer_masks(model, x)
    found = []
    for layer in recurrent_layers(model):
        cell, reasons = layer.cell, []
        is_gru = isinstance(layer, keras.layers.GRU)
        if not isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
            reasons.append(f"Keras has no cuDNN kernel for {type(layer).__name__} with {type(cell).__name__}")
        else:
            if layer.use_cudnn is False:
                reasons.append("use_cudnn=False")
            if not _is(cell.activation, "tanh", (activations.tanh, ops.tanh)):
                reasons.append(f"activation={activation_name(cell.activation)} (cuDNN needs tanh)")
            if not _is(cell.recurrent_activation, "sigmoid", (activations.sigmoid, ops.sigmoid)):
                reasons.append(f"recurrent_activation={activation_name(cell.recurrent_activation)} "
                               "(cuDNN needs sigmoid)")
            if cell.recurrent_dropout:
                reasons.append(f"recurrent_dropout={cell.recurrent_dropout} (cuDNN needs 0)")
            if layer.unroll:
                reasons.append("unroll=True")
            if not cell.use_bias:
                reasons.append("use_bias=False")
            if is_gru and not cell.reset_after:
                reasons.append("reset_after=False (cuDNN's GRU is reset_after=True)")
            mask = None if masks is None else masks.get(id(layer))
            if mask is not None and _mask_problem(mask):
                reasons.append(_mask_problem(mask))
        answer = "yes" if not reasons else "no, because " + "; ".join(reasons)
        note = ""
        if not reasons and masks is None:
            note = " (if its mask is right-padded: not checked)"
        found.append(Finding(
            "cudnn", severity="info", value=float(not reasons), layer=layer.name,
            evidence=f"{type(layer).__name__} '{layer.name}' would run on cuDNN on a GPU: {answer}{note}.",
            fix=("Nothing to change." if not reasons else
                 "Use keras.layers.LSTM or GRU (the course cells are their twins) for the fused kernel, "
                 "or accept the generic loop (several times slower on a GPU)."
                 if not isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)) else
                 "Keep the defaults named above (and right padding) for the fast fused kernel, "
                 "or accept the generic loop (several times slower on a GPU).")))
    return found
