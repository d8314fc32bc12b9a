"""K copies of one Sequential model trained as a single block-diagonal model.

Every layer of the wide model holds the K replicas' features side by side. A
``FeatureMap`` records, for each feature of a tensor of the wide model, which replica
owns it (``-1``: shared, as the inputs are) and which feature of that replica's own
model it is. The maps tell how to assemble the wide weights from the K small models,
which entries must stay zero (a constraint re-applies the zeros after every update),
how to clip gradients per replica, and how to cut the trained weights apart again.

Used by ``lstmcourse.experiments.train_seeds``; see there for what is and is not
equivalent to separate trainings.
"""
from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops
from keras.src.backend import get_keras_mask, set_keras_mask  # the time mask Keras attaches to a tensor
from keras.src.losses.losses import LossFunctionWrapper       # how compile wraps a loss given by name


@dataclass
class FeatureMap:
    owner: np.ndarray   # (features,) replica index, -1 for shared
    local: np.ndarray   # (features,) feature index in the replica's own model

    @classmethod
    def shared(cls, width):
        return cls(np.full(width, -1), np.arange(width))

    @classmethod
    def replicas(cls, k, width, gates=1):
        """Gate-major layout of Keras kernels: [gate][replica][unit]."""
        owner = np.tile(np.repeat(np.arange(k), width), gates)
        local = np.concatenate([g * width + np.tile(np.arange(width), k) for g in range(gates)])
        return cls(owner, local)

    def concat(self, other, offset):
        return FeatureMap(np.concatenate([self.owner, other.owner]), np.concatenate([self.local, other.local + offset]))


class _BlockMask(keras.constraints.Constraint):
    """Keeps the off-block entries of a wide weight at exactly zero."""

    def __init__(self, mask):
        self.mask = mask

    def __call__(self, w):
        return ops.multiply(w, ops.cast(self.mask, w.dtype))


class _SplitReplicas(keras.layers.Layer):
    """(..., K·n) → (..., K, n), replica-major, passing the time mask through."""

    def __init__(self, k, order, **kwargs):
        super().__init__(**kwargs)
        self.k, self.order = k, order
        self.identity = bool(np.array_equal(order, np.arange(len(order))))
        self.supports_masking = True

    def call(self, x):
        if not self.identity:
            x = ops.take(x, self.order, axis=-1)
        return ops.reshape(x, (*ops.shape(x)[:-1], self.k, ops.shape(x)[-1] // self.k))

    def compute_mask(self, inputs, mask=None):
        return mask


def _loss_fn(loss):
    """One model's unreduced loss function, from a name or a ``keras.losses.Loss``.

    A name is wrapped as ``compile`` wraps it (``LossFunctionWrapper``), so targets of
    shape (n,) meet outputs of shape (n, 1) exactly as they do in a single model.
    """
    if isinstance(loss, keras.losses.Loss):
        return loss.call
    return LossFunctionWrapper(keras.losses.get(loss)).call


class _SummedLoss(keras.losses.Loss):
    """The sum over replicas of one model's loss (masks handled by ``Loss.__call__``)."""

    def __init__(self, loss, k):
        super().__init__(name="replica_sum")
        self.k = k
        self.fn = _loss_fn(loss)

    def call(self, y_true, y_pred):
        return sum(self.fn(y_true, y_pred[..., i, :]) for i in range(self.k))


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


class _OneReplicaLoss(keras.metrics.Metric):
    """Replica ``index``'s loss, averaged over batches exactly like Keras's ``loss``."""

    def __init__(self, loss, index, name):
        super().__init__(name=name)
        self.loss, self.index = _SummedLoss(loss, 1), index
        self.mean = keras.metrics.Mean()

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        mine = y_pred[..., self.index:self.index + 1, :]                # (..., 1, n)
        if mask is not None:
            set_keras_mask(mine, mask)
        value = self.loss(y_true, mine, sample_weight=sample_weight)   # the batch's loss
        self.mean.update_state(value, sample_weight=ops.shape(y_pred)[0])

    def result(self):
        return self.mean.result()

    def reset_state(self):
        self.mean.reset_state()


def _replica_optimizer(optimizer, onehots, masks):
    """The optimizer, made to see each replica's gradients as that replica alone would.

    The gradients of off-block entries are dropped (they are zero in every replica's
    own model), and ``clipnorm`` acts on each replica's part of each weight.
    """
    if optimizer.global_clipnorm:
        raise ValueError("global_clipnorm couples the replicas; use clipnorm, or replicas=False.")
    clipnorm = optimizer.clipnorm

    class PerReplica(type(optimizer)):
        def _backend_apply_gradients(self, grads, trainable_variables):
            adjusted = []
            for g, v in zip(grads, trainable_variables):
                g = ops.convert_to_tensor(g)
                if id(v) in masks:
                    g = ops.multiply(g, ops.cast(masks[id(v)], g.dtype))
                if clipnorm:
                    onehot = onehots[id(v)]                                        # (columns, K)
                    sq = ops.sum(ops.reshape(ops.square(g), (-1, onehot.shape[0])), axis=0)   # (columns,)
                    l2sum = ops.matmul(sq[None, :], onehot)[0]                     # (K,)
                    pred = l2sum > 0                                               # as Keras's _clip_by_norm
                    l2norm = ops.where(pred, ops.sqrt(ops.where(pred, l2sum, ops.ones_like(l2sum))), l2sum)
                    denominator = ops.matmul(onehot, ops.maximum(l2norm, clipnorm)[:, None])[:, 0]   # (columns,)
                    g = ops.multiply(g, clipnorm) / denominator
                adjusted.append(g)
            return super()._backend_apply_gradients(adjusted, trainable_variables)

    config = optimizer.get_config()
    config["clipnorm"] = None
    return PerReplica.from_config(config)


_PASS_THROUGH = (keras.layers.Dropout, keras.layers.SpatialDropout1D, keras.layers.GlobalAveragePooling1D,
                 keras.layers.GlobalMaxPooling1D, keras.layers.Activation)


class ReplicaModel:
    """The wide model of K single ``Sequential`` models with identical architecture."""

    def __init__(self, singles):
        self.k = len(singles)
        first = singles[0]
        if not isinstance(first, keras.Sequential):
            raise TypeError(f"replicas need a keras.Sequential model; build() returned {type(first).__name__}. "
                            "Use replicas=False for other models.")
        self.singles = singles
        self.plan = []        # (wide variable, [single variables], axis maps)
        spec = first.inputs[0]
        feature_map = None if len(spec.shape) == 2 and "int" in str(spec.dtype) else FeatureMap.shared(spec.shape[-1])
        wide_layers = [keras.Input(spec.shape[1:], dtype=spec.dtype)]
        pending = []          # (wide layer, single layers, maps builder) until the model is built
        for index, layer in enumerate(first.layers):
            group = [s.layers[index] for s in singles]
            wide_layer, feature_map, weight_maps = self._widen(layer, feature_map)
            wide_layers.append(wide_layer)
            pending.append((wide_layer, group, weight_maps))
        order = np.lexsort((feature_map.local, feature_map.owner))
        if np.any(feature_map.owner < 0):
            raise ValueError("the model's last layer must have replicated outputs (e.g. a Dense head).")
        wide_layers.append(_SplitReplicas(self.k, order))
        self.model = keras.Sequential(wide_layers)
        for wide_layer, group, weight_maps in pending:
            wide_vars = wide_layer.trainable_weights
            for j, wide_var in enumerate(wide_vars):
                self.plan.append((wide_var, [g.trainable_weights[j] for g in group], weight_maps(wide_var, j)))
        self.masks = {}
        for wide_var, single_vars, maps in self.plan:
            wide_var.assign(self._assemble([v.numpy() for v in single_vars], maps))
            mask = self._assemble([np.ones(v.shape, "float32") for v in single_vars], maps)
            if not mask.all():
                wide_var.constraint = _BlockMask(mask)
                self.masks[id(wide_var)] = mask
        self.onehots = {id(v): np.eye(self.k, dtype="float32")[maps[-1].owner] for v, _, maps in self.plan}

    # -- building -------------------------------------------------------------------
    def _widen(self, layer, feature_map):
        """The wide twin of one layer, the map of its outputs, and its weights' maps."""
        k = self.k
        if isinstance(layer, keras.layers.Embedding):
            d = layer.output_dim
            out = FeatureMap.replicas(k, d)
            wide = type(layer).from_config({**layer.get_config(), "output_dim": k * d})
            return wide, out, lambda var, j: (None, out)
        if isinstance(layer, keras.layers.Bidirectional):
            if layer.merge_mode not in ("concat", "sum", "ave", "mul"):
                raise ValueError(f"Bidirectional merge_mode={layer.merge_mode!r} is not supported by replicas.")
            fwd, fwd_out, fwd_maps = self._widen_rnn(layer.forward_layer, feature_map)
            wide = keras.layers.Bidirectional(fwd, merge_mode=layer.merge_mode)
            _, _, bwd_maps = self._widen_rnn(layer.backward_layer, feature_map)
            n_fwd = len(layer.forward_layer.trainable_weights)
            u = layer.forward_layer.cell.units
            out = fwd_out.concat(fwd_out, u) if layer.merge_mode == "concat" else fwd_out
            return wide, out, lambda var, j: fwd_maps(var, j) if j < n_fwd else bwd_maps(var, j - n_fwd)
        if isinstance(layer, keras.layers.RNN):
            return self._widen_rnn(layer, feature_map)
        if isinstance(layer, keras.layers.Dense):
            self._need_features(layer, feature_map)
            out = FeatureMap.replicas(k, layer.units)
            wide = type(layer).from_config({**layer.get_config(), "units": k * layer.units})
            return wide, out, lambda var, j: (feature_map, out) if len(var.shape) == 2 else (out,)
        if isinstance(layer, keras.layers.Masking) and (feature_map is None or np.all(feature_map.owner < 0)):
            return type(layer).from_config(layer.get_config()), feature_map, None
        if isinstance(layer, _PASS_THROUGH):
            return type(layer).from_config(layer.get_config()), feature_map, None
        raise ValueError(f"replicas do not support the layer {layer.name!r} ({type(layer).__name__}). "
                         "Use replicas=False.")

    def _need_features(self, layer, feature_map):
        if feature_map is None:
            raise ValueError(f"layer {layer.name!r} needs float features; put an Embedding before it.")

    def _widen_rnn(self, layer, feature_map):
        self._need_features(layer, feature_map)
        if isinstance(layer.cell, keras.layers.StackedRNNCells) or layer.return_state:
            raise ValueError(f"replicas do not support stacked cells or return_state in {layer.name!r}.")
        k, cell = self.k, layer.cell
        u = cell.units
        gates = layer.trainable_weights[0].shape[-1] // u
        wide_cell_config = {**cell.get_config(), "units": k * u}
        if type(layer) is keras.layers.RNN:   # a course cell inside keras.layers.RNN
            wide = keras.layers.RNN(type(cell).from_config(wide_cell_config),
                                    **{key: layer.get_config()[key] for key in
                                       ("return_sequences", "go_backwards", "stateful", "unroll", "zero_output_for_mask")})
        else:                                 # keras.layers.SimpleRNN / LSTM / GRU
            wide = type(layer).from_config({**layer.get_config(), "units": k * u})
        units_map = FeatureMap.replicas(k, u)
        gates_map = FeatureMap.replicas(k, u, gates)

        def maps(var, j):
            name = var.name
            if name == "kernel":
                return (feature_map, gates_map)
            if name == "recurrent_kernel":
                return (units_map, gates_map)
            if name == "bias":
                return (gates_map,) if len(var.shape) == 1 else (None, gates_map)
            if name == "peephole_kernel":
                return (None, units_map)
            raise ValueError(f"unknown weight {var.path!r} in {layer.name!r}")

        return wide, units_map, maps

    # -- weights --------------------------------------------------------------------
    def _indices(self, maps, shape, replica):
        wide_idx, local_idx = [], []
        for axis, fmap in enumerate(maps):
            if fmap is None:
                wide_idx.append(np.arange(shape[axis]))
                local_idx.append(np.arange(shape[axis]))
            else:
                sel = np.flatnonzero((fmap.owner == replica) | (fmap.owner == -1))
                wide_idx.append(sel)
                local_idx.append(fmap.local[sel])
        return np.ix_(*wide_idx), np.ix_(*local_idx)

    def _assemble(self, singles, maps):
        shape = tuple(singles[0].shape[a] if m is None else len(m.owner) for a, m in enumerate(maps))
        wide = np.zeros(shape, dtype=singles[0].dtype)
        for r, single in enumerate(singles):
            wide_idx, local_idx = self._indices(maps, shape, r)
            wide[wide_idx] = single[local_idx]
        return wide

    def replica_weights(self, index, model):
        """Trainable weights of replica ``index``, in the order of ``model.get_weights()``."""
        weights = model.get_weights()   # non-trainable ones (e.g. seed states) stay as built
        position = {id(v): i for i, v in enumerate(self.singles[0].weights)}
        for wide_var, single_vars, maps in self.plan:
            full = wide_var.numpy()
            part = np.zeros(single_vars[index].shape, dtype=full.dtype)
            wide_idx, local_idx = self._indices(maps, full.shape, index)
            part[local_idx] = full[wide_idx]
            weights[position[id(single_vars[0])]] = part
        return weights

    # -- training -------------------------------------------------------------------
    def compile(self, optimizer, loss, metrics=()):
        """Compile the wide model: summed loss, per-replica clipping and metrics."""
        per_replica = []
        for i in range(self.k):
            per_replica.append(_OneReplicaLoss(loss, i, f"loss@{i}"))
            for make in metrics:
                base = make()
                per_replica.append(_OneReplica(base, i, f"{base.name}@{i}"))
        self.model.compile(optimizer=_replica_optimizer(optimizer, self.onehots, self.masks), loss=_SummedLoss(loss, self.k),
                           metrics=per_replica)

    def split_history(self, raw):
        """``{'val_loss@3': [...]}`` → ``{'val_loss': array (K, epochs)}``."""
        history = {}
        for key, values in raw.items():
            if "@" not in key:
                continue
            name, index = key.rsplit("@", 1)
            history.setdefault(name, [None] * self.k)[int(index)] = values
        return {name: np.array(rows, dtype=float) for name, rows in history.items()}
