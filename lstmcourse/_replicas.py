"""K copies of one Sequential model trained together: every weight gets a replica axis.

The wide model carries the K replicas in the batch axis: a batch of B examples becomes
K·B rows, replica-major (rows ``r·B … r·B + B − 1`` belong to replica ``r``). Every
weight of the single model, of shape ``s``, becomes a weight of shape ``(K, *s)``;
slice ``r`` is replica ``r``'s own weight. Each layer reshapes its rows to
``(K, B·…, features)`` and multiplies by its ``(K, in, out)`` weights with one batched
matmul, so K replicas cost K times the arithmetic of one (not K², as block-diagonal
weights would), and no replica ever reads another's rows or weights.

What makes K replicas exactly K separate trainings (``tests/test_replicas_matrix.py``):

* the loss is the sum over replicas of *one model's reduced loss* (the loss object is
  called once per replica, with the time mask, ``sample_weight`` and ``class_weight``
  exactly as ``compile`` would use them), so each replica's gradient is its own;
* the optimizer is element-wise (Adam, SGD, RMSprop, ...): an update of one entry
  depends on that entry's gradient history only. ``clipnorm`` and
  ``global_clipnorm`` are computed per replica;
* output activations (a softmax) act on each replica's rows alone;
* a constraint is applied to each replica's slice of the weight;
* dropout layers keep each replica's own random stream (the single model's layer is
  called on that replica's rows).

Anything that would couple the replicas, or whose equality is not proven, is refused
with a ``ValueError`` that names the option (see ``check_optimizer``, ``check_callbacks`` and ``_check_layer``).

Used by ``lstmcourse.experiments.train_seeds``.
"""
from __future__ import annotations

import inspect

import keras
import numpy as np
from keras import ops

from lstmcourse import cells as course_cells


# --------------------------------------------------------------------------------------
# The private Keras hooks this module relies on, checked at import: a Keras upgrade that
# renames or bypasses one of them must fail loudly, not silently couple the replicas.
# --------------------------------------------------------------------------------------
def _check_keras_hooks():
    problems = []
    try:
        from keras.src.backend import get_keras_mask, set_keras_mask   # the time mask Keras attaches to a tensor
        from keras.src.losses.losses import LossFunctionWrapper        # how compile wraps a loss given by name
    except ImportError as error:   # pragma: no cover - depends on the Keras version
        problems.append(f"an import failed: {error}")
    else:
        probe = ops.ones((2, 3))
        set_keras_mask(probe, ops.ones((2,), dtype="bool"))
        if get_keras_mask(probe) is None:
            problems.append("set_keras_mask/get_keras_mask no longer carry a mask on a tensor")
        if not hasattr(LossFunctionWrapper, "call"):
            problems.append("LossFunctionWrapper has no call()")
    opt = keras.optimizers.Optimizer
    if not callable(getattr(opt, "_clip_gradients", None)) or not callable(getattr(opt, "_clip_by_norm", None)):
        problems.append("Optimizer._clip_gradients / _clip_by_norm are gone")
    else:
        # every backend's apply path must clip through _clip_gradients (the per-replica override)
        apply_paths = [keras.optimizers.Adam(), keras.optimizers.SGD()]
        for optimizer in apply_paths:
            source = inspect.getsource(type(optimizer)._backend_apply_gradients)
            if "_clip_gradients" not in source:
                problems.append(f"{type(optimizer).__name__}._backend_apply_gradients no longer calls _clip_gradients")
    if problems:
        raise ImportError("lstmcourse._replicas: this Keras version (" + keras.__version__ + ") changed hooks that "
                          "replicas rely on: " + "; ".join(problems) + ". Use train_seeds(..., replicas=False).")


_check_keras_hooks()
from keras.src.backend import get_keras_mask, set_keras_mask   # noqa: E402  (checked above)
from keras.src.losses.losses import LossFunctionWrapper        # noqa: E402

# Optimizers whose update of each entry depends on that entry's own gradients only, so a
# sum of K independent losses trains K independent replicas. Adafactor (factored second
# moments across a matrix), Lamb (a trust ratio per weight), Muon (orthogonalised
# updates) and LossScaleOptimizer (one finite-check for all) are not element-wise.
ELEMENTWISE_OPTIMIZERS = tuple(getattr(keras.optimizers, name) for name in
                               ("SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta",
                                "Ftrl", "Lion") if hasattr(keras.optimizers, name))

# Callbacks that act the same on every replica and on a single model: the learning rate
# schedule depends on the epoch only. (History and the progress bar are Keras's own.)
REPLICA_SAFE_CALLBACKS = (keras.callbacks.LearningRateScheduler, keras.callbacks.History,
                          keras.callbacks.ProgbarLogger)

_REGULARIZERS = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                 "embeddings_regularizer")
_CONSTRAINTS = ("kernel_constraint", "recurrent_constraint", "bias_constraint", "embeddings_constraint")
# Layers without weights that act on each row (example) alone, so the K·B rows are fine.
_ROW_WISE = (keras.layers.GlobalAveragePooling1D, keras.layers.GlobalMaxPooling1D, keras.layers.Activation,
             keras.layers.Masking, keras.layers.Flatten, keras.layers.Reshape, keras.layers.Permute,
             keras.layers.RepeatVector)
_DROPOUT = (keras.layers.Dropout, keras.layers.SpatialDropout1D)


def _refuse(option, why):
    raise ValueError(f"train_seeds(replicas=True) cannot train {option} exactly as separate models: {why}. "
                     "Use replicas=False.")


# --------------------------------------------------------------------------------------
# Options: what is equal, what is refused
# --------------------------------------------------------------------------------------
def check_optimizer(optimizer):
    """Refuse optimizers that couple the entries of a weight (and hence the replicas)."""
    if type(optimizer) not in ELEMENTWISE_OPTIMIZERS:
        _refuse(f"optimizer={type(optimizer).__name__}",
                "its update of one replica's weights is not proven independent of the others' "
                f"(element-wise optimizers allowed: {', '.join(c.__name__ for c in ELEMENTWISE_OPTIMIZERS)})")


def check_callbacks(callbacks):
    """Refuse callbacks that would act on the wide model as a whole (e.g. stop every replica at once)."""
    for callback in callbacks or ():
        if not isinstance(callback, REPLICA_SAFE_CALLBACKS):
            _refuse(f"callbacks=[{type(callback).__name__}]",
                    "a callback sees the wide model and the replicas' summed loss, so it would act on all "
                    "replicas at once (EarlyStopping would stop every seed together). "
                    "To measure each seed after every epoch, pass per_epoch={name: function(model)}")


def _check_layer(layer):
    """Refuse layer options that are not proven equal in replicas."""
    cell = getattr(layer, "cell", None)
    for owner in (layer, cell):
        if owner is None:
            continue
        for option in _REGULARIZERS:
            if getattr(owner, option, None) is not None:
                _refuse(f"{option} in layer {layer.name!r}",
                        "a penalty would be added to the summed loss and logged for no replica")
    if getattr(layer, "stateful", False):
        _refuse(f"stateful=True in layer {layer.name!r}", "the carried states would need one batch per replica")
    if getattr(layer, "return_state", False):
        _refuse(f"return_state=True in layer {layer.name!r}", "Sequential models cannot use the extra outputs")
    if cell is not None:
        if getattr(cell, "dropout", 0) or getattr(cell, "recurrent_dropout", 0):
            _refuse(f"dropout/recurrent_dropout in the cell of {layer.name!r}",
                    "the cell's masks are drawn for the whole batch at once")
        if getattr(cell, "peephole", False):
            _refuse(f"peephole=True in {layer.name!r}", "replicas implement the plain LSTM equations")


# --------------------------------------------------------------------------------------
# Layers of the wide model
# --------------------------------------------------------------------------------------
class _PerReplicaConstraint(keras.constraints.Constraint):
    """A single model's constraint applied to each replica's slice of a (K, ...) weight."""

    def __init__(self, constraint, k, flat=False):
        self.constraint, self.k, self.flat = constraint, k, flat

    def __call__(self, w):
        by_replica = ops.reshape(w, (self.k, w.shape[0] // self.k, *w.shape[1:])) if self.flat else w
        out = ops.stack([self.constraint(by_replica[r]) for r in range(self.k)])
        return ops.reshape(out, w.shape) if self.flat else out


def _constraint(single, option, k, flat=False):
    """``flat``: the weight is stored (K·n, ...) instead of (K, n, ...)."""
    constraint = getattr(single, option, None)
    return None if constraint is None else _PerReplicaConstraint(constraint, k, flat)


class _Fan(keras.layers.Layer):
    """(B, ...) → (K·B, ...): every replica gets the same batch, replica-major."""

    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def call(self, x):
        return ops.tile(x, (self.k,) + (1,) * (len(x.shape) - 1))

    def compute_output_shape(self, input_shape):
        return (None if input_shape[0] is None else self.k * input_shape[0], *input_shape[1:])


class _Gather(keras.layers.Layer):
    """(K·B, ..., n) → (B, ..., K, n): one column block per replica, for the losses and metrics."""

    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = k
        self.supports_masking = True

    def call(self, x):
        shape = ops.shape(x)
        x = ops.reshape(x, (self.k, -1, *shape[1:]))    # (K, B, ..., n)
        return ops.moveaxis(x, 0, -2)                    # (B, ..., K, n)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.reshape(mask, (self.k, -1, *ops.shape(mask)[1:]))[0]   # the same for every replica

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.k
        return (batch, *input_shape[1:-1], self.k, input_shape[-1])


class _ReplicaDense(keras.layers.Layer):
    """K ``Dense`` layers: kernel (K, in, units), bias (K, units); the activation acts per replica."""

    def __init__(self, k, single, **kwargs):
        super().__init__(name=single.name, **kwargs)
        self.k, self.units, self.use_bias = k, single.units, single.use_bias
        self.activation = single.activation
        self.constraints = {o: _constraint(single, o, k) for o in ("kernel_constraint", "bias_constraint")}
        self.supports_masking = True

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(self.k, input_shape[-1], self.units),
                                      initializer="zeros", constraint=self.constraints["kernel_constraint"])
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.k, self.units), initializer="zeros",
                                        constraint=self.constraints["bias_constraint"])

    def call(self, x):
        shape = ops.shape(x)
        y = ops.matmul(ops.reshape(x, (self.k, -1, shape[-1])), self.kernel)   # (K, B·…, units)
        if self.use_bias:
            y = ops.add(y, ops.expand_dims(self.bias, 1))
        y = ops.reshape(y, (*shape[:-1], self.units))                           # (K·B, ..., units)
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)


class _ReplicaEmbedding(keras.layers.Layer):
    """K ``Embedding`` tables stacked into one (K·vocabulary, dim) table.

    Replica r's rows look up rows ``r·vocabulary + id``. The table is kept flat (not
    (K, vocabulary, dim)) so that, as in a single model, the gradient is a sparse set of
    looked-up rows: on TensorFlow, Adam then updates the moments of those rows only,
    exactly as it does for one model's table.
    """

    def __init__(self, k, single, **kwargs):
        super().__init__(name=single.name, **kwargs)
        self.k, self.input_dim, self.output_dim = k, single.input_dim, single.output_dim
        self.mask_zero = single.mask_zero
        self.supports_masking = single.mask_zero
        self.embeddings_constraint = _constraint(single, "embeddings_constraint", k, flat=True)

    def build(self, input_shape):
        self.embeddings = self.add_weight(name="embeddings", shape=(self.k * self.input_dim, self.output_dim),
                                          initializer="zeros", constraint=self.embeddings_constraint)

    def call(self, ids):
        if ids.dtype not in ("int32", "int64"):
            ids = ops.cast(ids, "int32")
        rows = ops.reshape(ids, (self.k, -1))                                      # (K, B·T)
        offset = ops.expand_dims(ops.arange(self.k, dtype=rows.dtype) * self.input_dim, 1)
        out = ops.take(self.embeddings, rows + offset, axis=0)                     # (K, B·T, dim)
        return ops.reshape(out, (*ops.shape(ids), self.output_dim))                # (K·B, T, dim)

    def compute_mask(self, ids, mask=None):
        return ops.not_equal(ids, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)


class _ReplicaNoise(keras.layers.Layer):
    """Each replica's rows go through that replica's own dropout layer (its own random stream)."""

    def __init__(self, singles, **kwargs):
        super().__init__(name=singles[0].name, **kwargs)
        self.singles = list(singles)
        self.supports_masking = True

    def call(self, x, training=False):
        if not training:
            return x
        parts = ops.split(x, len(self.singles), axis=0)
        return ops.concatenate([layer(part, training=True) for layer, part in zip(self.singles, parts)], axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="lstmcourse.replicas")
class _ReplicaCell(keras.layers.Layer):
    """Base of the replica cells: K cells of one kind, weights (K, ...), states (K·B, units)."""

    GATES = 1
    STATES = 1

    def __init__(self, k, single, **kwargs):
        super().__init__(**kwargs)
        self.k, self.units, self.use_bias = k, single.units, single.use_bias
        self.single_config = keras.saving.serialize_keras_object(single)   # for get_config (Bidirectional)
        self.activation = single.activation
        self.recurrent_activation = getattr(single, "recurrent_activation", None)
        self.single_constraints = {o: _constraint(single, o, k) for o in _CONSTRAINTS[:3]}
        self.state_size = [self.units] * self.STATES if self.STATES > 1 else self.units
        self.output_size = self.units

    def bias_shape(self):
        return (self.GATES * self.units,)

    def get_config(self):
        return {**super().get_config(), "k": self.k, "single": self.single_config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        k, single = config.pop("k"), keras.saving.deserialize_keras_object(config.pop("single"))
        return cls(k, single, **config)

    def build(self, input_shape):
        gates = self.GATES * self.units
        self.kernel = self.add_weight(name="kernel", shape=(self.k, input_shape[-1], gates), initializer="zeros",
                                      constraint=self.single_constraints["kernel_constraint"])
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.k, self.units, gates),
                                                initializer="zeros",
                                                constraint=self.single_constraints["recurrent_constraint"])
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.k, *self.bias_shape()), initializer="zeros",
                                        constraint=self.single_constraints["bias_constraint"])

    def by_replica(self, rows):
        """(K·B, n) → (K, B, n)."""
        return ops.reshape(rows, (self.k, -1, rows.shape[-1]))

    def get_initial_state(self, batch_size=None):
        zeros = [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(self.STATES)]
        return zeros if self.STATES > 1 else zeros[0]


@keras.saving.register_keras_serializable(package="lstmcourse.replicas")
class _ReplicaSimpleRNNCell(_ReplicaCell):
    """h_t = act(x_t W + b + h_{t-1} U), as ``keras.layers.SimpleRNNCell``."""

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        h = ops.matmul(self.by_replica(inputs), self.kernel)                # (K, B, units)
        if self.use_bias:
            h = ops.add(h, ops.expand_dims(self.bias, 1))
        out = h + ops.matmul(self.by_replica(prev), self.recurrent_kernel)
        if self.activation is not None:
            out = self.activation(out)
        out = ops.reshape(out, (-1, self.units))                            # (K·B, units)
        return out, ([out] if isinstance(states, (list, tuple)) else out)


@keras.saving.register_keras_serializable(package="lstmcourse.replicas")
class _ReplicaLSTMCell(_ReplicaCell):
    """Gates i, f, c, o from one fused product, as ``keras.layers.LSTMCell``."""

    GATES, STATES = 4, 2

    def call(self, inputs, states, training=False):
        h_prev, c_prev = self.by_replica(states[0]), self.by_replica(states[1])    # (K, B, units)
        z = ops.matmul(self.by_replica(inputs), self.kernel)
        z = ops.add(z, ops.matmul(h_prev, self.recurrent_kernel))
        if self.use_bias:
            z = ops.add(z, ops.expand_dims(self.bias, 1))
        z0, z1, z2, z3 = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z0)
        f = self.recurrent_activation(z1)
        c = f * c_prev + i * self.activation(z2)
        o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        h, c = ops.reshape(h, (-1, self.units)), ops.reshape(c, (-1, self.units))
        return h, [h, c]


@keras.saving.register_keras_serializable(package="lstmcourse.replicas")
class _ReplicaGRUCell(_ReplicaCell):
    """Gates z, r, h, in both forms (``reset_after``), as ``keras.layers.GRUCell``."""

    GATES = 3

    def __init__(self, k, single, **kwargs):
        super().__init__(k, single, **kwargs)
        self.reset_after = single.reset_after

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_prev = self.by_replica(states[0] if nested else states)                  # (K, B, units)
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            if self.reset_after:
                input_bias, recurrent_bias = self.bias[:, 0], self.bias[:, 1]       # (K, 3u) each
            else:
                input_bias = self.bias
        matrix_x = ops.matmul(self.by_replica(inputs), self.kernel)
        if input_bias is not None:
            matrix_x = ops.add(matrix_x, ops.expand_dims(input_bias, 1))
        x_z, x_r, x_h = ops.split(matrix_x, 3, axis=-1)
        if self.reset_after:
            matrix_inner = ops.matmul(h_prev, self.recurrent_kernel)
            if recurrent_bias is not None:
                matrix_inner = matrix_inner + ops.expand_dims(recurrent_bias, 1)
        else:
            matrix_inner = ops.matmul(h_prev, self.recurrent_kernel[:, :, :2 * u])
        recurrent_z, recurrent_r = matrix_inner[..., :u], matrix_inner[..., u:2 * u]
        z = self.recurrent_activation(x_z + recurrent_z)
        r = self.recurrent_activation(x_r + recurrent_r)
        if self.reset_after:
            recurrent_h = r * matrix_inner[..., 2 * u:]
        else:
            recurrent_h = ops.matmul(r * h_prev, self.recurrent_kernel[:, :, 2 * u:])
        hh = self.activation(x_h + recurrent_h)
        h = ops.reshape(z * h_prev + (1 - z) * hh, (-1, u))                         # (K·B, units)
        return h, ([h] if nested else h)


def _replica_cell_class(cell):
    kinds = ((_ReplicaLSTMCell, (keras.layers.LSTMCell, course_cells.LSTMCell)),
             (_ReplicaGRUCell, (keras.layers.GRUCell, course_cells.GRUCell)),
             (_ReplicaSimpleRNNCell, (keras.layers.SimpleRNNCell, course_cells.SimpleRNNCell)))
    for replica_class, single_classes in kinds:
        if type(cell) in single_classes:
            return replica_class
    return None


# --------------------------------------------------------------------------------------
# Losses and metrics of the wide model
# --------------------------------------------------------------------------------------
def _loss_object(loss):
    """One model's loss as ``compile`` makes it: a name is wrapped in ``LossFunctionWrapper``."""
    if isinstance(loss, keras.losses.Loss):
        return loss
    fn = keras.losses.get(loss)
    if isinstance(fn, keras.losses.Loss):
        return fn
    return LossFunctionWrapper(fn, name=loss if isinstance(loss, str) else getattr(fn, "__name__", None))


def _replica_output(y_pred, index):
    """Replica ``index``'s prediction (..., n), carrying the wide output's time mask."""
    mask = get_keras_mask(y_pred)
    mine = y_pred[..., index, :]
    if mask is not None:
        set_keras_mask(mine, mask)
    return mine


class _WideModel(keras.Sequential):
    """The wide model; its loss is the sum over replicas of one model's *reduced* loss.

    Each replica's loss is the single model's loss object called on that replica's
    output (mask, ``sample_weight``/``class_weight`` and ``ignore_class`` reduced
    exactly as for one model); only the K scalars are added, so each replica's gradient
    is its own. Each replica's value is also logged (``loss@r``, ``val_loss@r``), averaged
    over batches weighted by the batch size, as Keras logs one model's loss.
    """

    def __init__(self, layers, k, loss):
        super().__init__(layers, name="replicas")
        self.replica_loss = _loss_object(loss)
        self.replica_trackers = [keras.metrics.Mean(name=f"loss@{r}") for r in range(k)]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        total = None
        for index, tracker in enumerate(self.replica_trackers):
            value = self.replica_loss(y, _replica_output(y_pred, index), sample_weight=sample_weight)
            tracker.update_state(value, sample_weight=ops.shape(y_pred)[0])
            total = value if total is None else total + value
        return total


class _OneReplica(keras.metrics.Metric):
    """A metric of replica ``index`` alone, weighted by the time mask as Keras would."""

    def __init__(self, base, index, name):
        super().__init__(name=name)
        self.base, self.index = base, index

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        if mask is not None:
            mask = ops.cast(mask, "float32")
            sample_weight = mask if sample_weight is None else sample_weight * mask
        self.base.update_state(y_true, y_pred[..., self.index, :], sample_weight=sample_weight)

    def result(self):
        return self.base.result()

    def reset_state(self):
        self.base.reset_state()


def _values(g):
    """The dense values of a gradient: the tensor itself, or a sparse gradient's rows."""
    return g.values if hasattr(g, "indices") else g


def _with_values(g, values):
    return type(g)(values, g.indices, g.dense_shape) if hasattr(g, "indices") else values


def _replica_optimizer(optimizer, k):
    """The optimizer with gradient clipping computed per replica.

    Every gradient, dense or sparse (an embedding's looked-up rows, on TensorFlow), is
    replica-major: reshaped to (K, -1), row r is replica r's. Norms are taken per row
    with the formulas of Keras's ``_clip_by_norm`` and ``clip_by_global_norm``.
    """
    check_optimizer(optimizer)

    def squares(g):                                             # (K, 1): each replica's sum of squares
        values = ops.reshape(_values(g), (k, -1))
        return ops.sum(ops.square(values), axis=1, keepdims=True)

    def scaled(g, scale):                                       # scale: (K, 1); the result is dense,
        dense = ops.convert_to_tensor(g)                        # as Keras's `v * scale` makes it
        return ops.reshape(ops.reshape(dense, (k, -1)) * scale, ops.shape(dense))

    class PerReplica(type(optimizer)):
        def _clip_gradients(self, grads):
            if self.clipnorm and self.clipnorm > 0:
                out = []
                for g in grads:
                    if g is None:
                        out.append(g)
                        continue
                    values = ops.reshape(_values(g), (k, -1))
                    l2sum = squares(g)
                    pred = l2sum > 0
                    l2norm = ops.where(pred, ops.sqrt(ops.where(pred, l2sum, ops.ones_like(l2sum))), l2sum)
                    clipped = ops.multiply(values, self.clipnorm) / ops.maximum(l2norm, self.clipnorm)
                    out.append(_with_values(g, ops.reshape(clipped, ops.shape(_values(g)))))
                return out
            if self.global_clipnorm and self.global_clipnorm > 0:
                use_norm = ops.sqrt(ops.sum(ops.stack([squares(g) for g in grads if g is not None]), axis=0))
                clip = self.global_clipnorm
                scale = clip * ops.minimum(1.0 / use_norm, 1.0 / clip) + (use_norm - use_norm)   # (K, 1)
                return [None if g is None else scaled(g, scale) for g in grads]
            return super()._clip_gradients(grads)

    PerReplica.__name__ = type(optimizer).__name__
    return PerReplica.from_config(optimizer.get_config())


# --------------------------------------------------------------------------------------
# The wide model
# --------------------------------------------------------------------------------------
class ReplicaModel:
    """The wide model of K single ``Sequential`` models with identical architecture."""

    def __init__(self, singles, loss):
        self.k = len(singles)
        first = singles[0]
        if not isinstance(first, keras.Sequential):
            raise TypeError(f"replicas need a keras.Sequential model; build() returned {type(first).__name__}. "
                            "Use replicas=False for other models.")
        self.singles = singles
        spec = first.inputs[0]
        layers = [keras.Input(spec.shape[1:], dtype=spec.dtype), _Fan(self.k)]
        self.pairs = []      # (wide layer, [the K single layers])
        for index, layer in enumerate(first.layers):
            group = [s.layers[index] for s in singles]
            wide = self._widen(layer, group)
            layers.append(wide)
            self.pairs.append((wide, group))
        layers.append(_Gather(self.k))
        self.model = _WideModel(layers, self.k, loss)
        self.plan = []       # (wide variable, [the K single variables])
        for wide, group in self.pairs:
            for j, wide_var in enumerate(wide.trainable_weights):
                single_vars = [g.trainable_weights[j] for g in group]
                stacked = np.stack([v.numpy() for v in single_vars])         # (K, *single shape)
                if stacked.size != int(np.prod(wide_var.shape)):   # pragma: no cover - a bug guard
                    raise AssertionError(f"{wide_var.path}: {wide_var.shape} vs {single_vars[0].shape}")
                wide_var.assign(stacked.reshape(wide_var.shape))
                self.plan.append((wide_var, single_vars))

    # -- building -------------------------------------------------------------------
    def _widen(self, layer, group):
        """The wide twin of one layer (``group``: that layer in each replica)."""
        k = self.k
        _check_layer(layer)
        if isinstance(layer, keras.layers.Embedding):
            return _ReplicaEmbedding(k, layer)
        if isinstance(layer, keras.layers.Dense):
            return _ReplicaDense(k, layer)
        if isinstance(layer, keras.layers.TimeDistributed) and type(layer.layer) is keras.layers.Dense:
            _check_layer(layer.layer)
            return _ReplicaDense(k, layer.layer)
        if isinstance(layer, keras.layers.Bidirectional):
            if layer.merge_mode not in ("concat", "sum", "ave", "mul"):
                _refuse(f"Bidirectional(merge_mode={layer.merge_mode!r})", "its outputs cannot be split by replica")
            _check_layer(layer.forward_layer)
            _check_layer(layer.backward_layer)
            return keras.layers.Bidirectional(self._widen_rnn(layer.forward_layer),
                                              backward_layer=self._widen_rnn(layer.backward_layer),
                                              merge_mode=layer.merge_mode, name=layer.name)
        if isinstance(layer, keras.layers.RNN):
            return self._widen_rnn(layer)
        if isinstance(layer, _DROPOUT):
            return _ReplicaNoise(group)
        if type(layer) in _ROW_WISE:
            return type(layer).from_config(layer.get_config())
        _refuse(f"the layer {layer.name!r} ({type(layer).__name__})", "it has no replica twin")

    def _widen_rnn(self, layer):
        cell = layer.cell
        replica_class = _replica_cell_class(cell)
        if replica_class is None:
            _refuse(f"the cell {type(cell).__name__} in {layer.name!r}",
                    "replicas know SimpleRNN, LSTM and GRU cells (Keras's and the course's)")
        options = {key: getattr(layer, key) for key in ("return_sequences", "go_backwards", "unroll",
                                                         "zero_output_for_mask")}
        return keras.layers.RNN(replica_class(self.k, cell), name=layer.name, **options)

    # -- weights --------------------------------------------------------------------
    def replica_weights(self, index, model):
        """Trainable weights of replica ``index``, in the order of ``model.get_weights()``."""
        weights = model.get_weights()   # non-trainable ones (e.g. seed states) stay as built
        position = {id(v): i for i, v in enumerate(self.singles[0].weights)}
        for wide_var, single_vars in self.plan:
            by_replica = np.asarray(wide_var.numpy()).reshape(self.k, *single_vars[0].shape)
            weights[position[id(single_vars[0])]] = by_replica[index]
        return weights

    # -- training -------------------------------------------------------------------
    def compile(self, optimizer, metrics=()):
        """Compile the wide model: per-replica clipping and metrics (the loss is the model's own).

        The metrics are unweighted, as ``compile(metrics=...)`` makes them for one model.
        """
        per_replica = []
        for i in range(self.k):
            for make in metrics:
                base = make()
                per_replica.append(_OneReplica(base, i, f"{base.name}@{i}"))
        self.model.compile(optimizer=_replica_optimizer(optimizer, self.k), metrics=per_replica)

    def split_history(self, raw):
        """``{'val_loss@3': [...]}`` → ``{'val_loss': array (K, epochs)}``."""
        history = {}
        for key, values in raw.items():
            if "@" not in key:
                if key not in ("loss", "val_loss"):      # shared by all replicas, e.g. the learning rate
                    history[key] = [values] * self.k
                continue
            name, index = key.rsplit("@", 1)
            history.setdefault(name, [None] * self.k)[int(index)] = values
        return {name: np.array(rows, dtype=float) for name, rows in history.items()}
