"""How far back does the gradient reach? Norms of ∂L/∂h_t for every time step t.

Two twins of the same measurement:

- :func:`state_gradient_norms` for Keras: a recurrent layer (built-in or course cell)
  or a ``Sequential`` model containing one, from one batch.
- :func:`reference_state_gradient_norms` for the NumPy reference, built on the
  hand-written backward passes.

Both return an array of shape (time,): the norm over units of ∂L/∂h_t, averaged over
the batch. Plot it against the distance ``T − 1 − t`` on a log scale
(:func:`lstmcourse.plots.plot_gradient_norms`) to see gradients vanish or explode.

:func:`state_gradient_norms` works on Keras's TensorFlow, JAX and PyTorch backends: a zero
"probe" is added to each h_t, and the backend's own autodiff gives ∂L/∂probe_t = ∂L/∂h_t.
"""
import numpy as np


def _split_sequential(model):
    """(layers before, the recurrent layer, layers after) of a Sequential model."""
    import keras

    if not isinstance(model, keras.Sequential):
        return [], model, []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, keras.layers.RNN):  # SimpleRNN, LSTM, GRU subclass RNN
            return model.layers[:i], layer, model.layers[i + 1:]
    raise TypeError(
        "state_gradient_norms needs a Sequential model with a recurrent layer "
        f"(keras.layers.RNN, LSTM, GRU, SimpleRNN). Received layers: {[type(l).__name__ for l in model.layers]}"
    )


def state_gradient_norms(model_or_layer, x, y=None, loss_fn=None):
    """‖∂L/∂h_t‖ for every t, from one batch, for a Keras recurrent model or layer.

    Args:
        model_or_layer: A recurrent layer (``keras.layers.SimpleRNN``/``LSTM``/``GRU``
            or ``keras.layers.RNN`` with a course cell), or a ``Sequential`` model whose
            first recurrent layer is measured (layers before it compute its inputs,
            layers after it and the compiled loss compute L).
        x: (batch, time, …) inputs of the model (of the layer, for a layer).
        y: Targets, for a model: L = ``model.loss(y, model(x))``.
        loss_fn: Optional callable mapping the recurrent layer's output (after the
            following layers, for a model) to a scalar; overrides ``y``. For a bare
            layer the default is L = Σ h_T, so the result is ‖∂(Σ h_T)/∂h_t‖.

    Returns:
        NumPy array (time,), mean over the batch of the L2 norm over units.
    """
    import keras
    from keras import ops

    from lstmcourse.tracing import _course_cell

    before, layer, after = _split_sequential(model_or_layer)
    inputs = ops.convert_to_tensor(x)
    for prefix_layer in before:
        inputs = prefix_layer(inputs)
    if not layer.built:
        layer(inputs)
    cell = _course_cell(layer)
    if getattr(layer, "go_backwards", False):
        inputs = ops.flip(inputs, axis=1)
    inputs = ops.cast(inputs, cell.compute_dtype)
    if loss_fn is None:
        if after or y is not None:
            if y is None or not hasattr(model_or_layer, "loss") or model_or_layer.loss is None:
                raise ValueError("Pass `y` and compile the model (or pass `loss_fn`) to define the loss L.")
            loss_object = keras.losses.get(model_or_layer.loss)
            loss_fn = lambda out: loss_object(y, out)  # noqa: E731
        else:
            loss_fn = lambda out: ops.sum(out[:, -1] if len(out.shape) == 3 else out)  # noqa: E731

    batch, time = inputs.shape[0], inputs.shape[1]

    def loss_of(probes):
        """L with a zero probe added to each h_t: ∂L/∂probe_t = ∂L/∂h_t (the probes change nothing)."""
        states = [ops.convert_to_tensor(s) for s in cell.get_initial_state(batch)]
        hs = []
        for t in range(time):
            _, states, _ = cell.step(inputs[:, t], states, training=False)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            states[0] = states[0] + probes[t]
            hs.append(states[0])
        out = ops.stack(hs, axis=1) if layer.return_sequences else hs[-1]
        for suffix_layer in after:
            out = suffix_layer(out)
        return loss_fn(out)

    probes = [ops.zeros((batch, cell.units), dtype=cell.compute_dtype) for _ in range(time)]
    grads = _gradients(loss_of, probes)
    norms = [np.zeros(batch) if g is None else np.linalg.norm(ops.convert_to_numpy(g), axis=-1) for g in grads]
    return np.mean(np.stack(norms, axis=1), axis=0)


def _gradients(fn, tensors):
    """Gradients of the scalar ``fn(tensors)`` with respect to a list of tensors, on Keras's backend.

    Keras has no backend-neutral gradient function, so this is the one place that asks the
    backend itself: TensorFlow's ``GradientTape``, ``jax.grad`` or ``torch.autograd.grad``.
    """
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(tensors)
            loss = fn(tensors)
        return tape.gradient(loss, tensors)
    if backend == "jax":
        import jax

        return jax.grad(fn)(tensors)
    if backend == "torch":
        import torch

        tensors = [t.detach().requires_grad_(True) for t in tensors]
        return list(torch.autograd.grad(fn(tensors), tensors))
    raise NotImplementedError(
        "state_gradient_norms needs gradients, which Keras's TensorFlow, JAX and PyTorch backends give. "
        f"Received: keras.backend.backend()={backend!r}"
    )


def reference_state_gradient_norms(kind, x, params, upstream=None, reset_after=True):
    """‖∂L/∂h_t‖ for every t with the NumPy reference and its hand-written BPTT.

    L = Σ upstream ⊙ h_T (default ``upstream``: ones, so L = Σ h_T). The gradient at
    h_t is the ``dh0`` of the backward pass over the rest of the sequence, started
    from h_t (and c_t for the LSTM): exactly ∂L/∂h_t in the unrolled graph.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        x: (batch, time, features) float array.
        params: Keras-layout weights (see :mod:`lstmcourse.reference`).
        upstream: Optional (batch, units) array, ∂L/∂h_T.
        reset_after: GRU formulation.

    Returns:
        NumPy array (time,), mean over the batch of the L2 norm over units.

    >>> import numpy as np
    >>> params = {"kernel": np.zeros((1, 1)), "recurrent_kernel": np.array([[0.5]])}
    >>> x = np.zeros((1, 4, 1))
    >>> reference_state_gradient_norms("rnn", x, params)   # 0.5 per step back (tanh'(0) = 1)
    array([0.125, 0.25 , 0.5  , 1.   ])
    """
    from lstmcourse import reference as ref

    if kind not in ("rnn", "lstm", "gru"):
        raise ValueError(f"`kind` must be 'rnn', 'lstm' or 'gru'. Received: kind={kind!r}")
    x = np.asarray(x, dtype=np.float64)
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    batch, time, _ = x.shape
    if kind == "lstm":
        hs, cache = ref.lstm_forward(x, None, None, params)
        cs = cache["cs"]
    elif kind == "gru":
        hs, _ = ref.gru_forward(x, None, params, reset_after)
    else:
        hs, _ = ref.rnn_forward(x, None, params)
    upstream = np.ones((batch, hs.shape[2])) if upstream is None else np.asarray(upstream, np.float64)
    norms = np.empty(time)
    norms[-1] = np.mean(np.linalg.norm(upstream, axis=-1))
    for t in range(time - 1):  # gradient at h_t = dh0 of the rest of the sequence, started at h_t
        rest = x[:, t + 1:]
        dhs = np.zeros((batch, time - t - 1, hs.shape[2]))
        dhs[:, -1] = upstream
        if kind == "lstm":
            _, c = ref.lstm_forward(rest, hs[:, t], cs[:, t], params)
            _, dh, _, _ = ref.lstm_backward(dhs, c)
        elif kind == "gru":
            _, c = ref.gru_forward(rest, hs[:, t], params, reset_after)
            _, dh, _ = ref.gru_backward(dhs, c)
        else:
            _, c = ref.rnn_forward(rest, hs[:, t], params)
            _, dh, _ = ref.rnn_backward(dhs, c)
        norms[t] = np.mean(np.linalg.norm(dh, axis=-1))
    return norms
