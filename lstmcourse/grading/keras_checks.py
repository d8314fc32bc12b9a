"""The Keras tasks of labs 01–05: cells checked inside a model against Keras's own layers, and
models checked layer by layer (class, sizes, settings), accepting the equivalent forms.
"""
import importlib.machinery
import os
import types
import warnings

import keras
import keras.src.models.functional
import numpy as np

from lstmcourse.grading.harness import (  # noqa: F401
    _ENTRY_CODES,
    UNITS,
    _AnswerKeyGuard,
    _case,
    _diagnose,
    _dims,
    _error_line,
    _ok,
)
from lstmcourse.grading.numpy_checks import (  # noqa: F401
    _RNN_STEP_MISTAKES,
    _lstm_forward_variant,
    _lstm_mistakes,
    _lstm_state_mistakes,
    _rnn_forward_variant,
)
from lstmcourse.i18n import N_, gettext  # noqa: F401
from lstmcourse.grading.harness import _message  # noqa: F401

# -- Keras cells ------------------------------------------------------------------------------
_NUMPY_IN_CALL = ("symbolic", "KerasTensor", "__array__", "numpy", "Cannot convert", "convert a symbolic",
                  "Tensor-typed variable initializers")


def _cell_failure(name, stage, err):
    stage = gettext(stage)   # marked N_() where it is written
    line = _error_line(err)
    if any(s.lower() in str(err).lower() for s in _NUMPY_IN_CALL):
        return AssertionError(gettext("{name}: {stage} failed: {line} — this is what NumPy (np.*, .numpy(), float(...)) inside call() does: in a model, Keras runs call() on symbolic tensors that have no values yet. Use keras.ops (ops.matmul, ops.tanh, ops.sigmoid, ops.split).").format(name=name, stage=stage, line=line))
    if "leaves" in line or "PyTreeSpec" in line or "structure" in line.lower():
        return AssertionError(gettext("{name}: {stage} failed with {type_err_name}: {line} — call() must return (output, new_states) with one new state per entry of state_size: (h, [h]) for the RNN, (h, [h, c]) for the LSTM.").format(name=name, stage=stage, type_err_name=type(err).__name__, line=line))
    return AssertionError(gettext("{name}: {stage} failed with {type_err_name}: {line}").format(name=name, stage=stage, type_err_name=type(err).__name__, line=line))


def _check_cell_layer(name, cell_cls, builtin_name, gates, state_sizes, numpy_forward, mistakes, hidden):
    batch, time, features, units = _dims(hidden)
    if not isinstance(cell_cls, type):
        raise AssertionError(gettext("{name}: expected a class, got {type_cell_cls_name}. Pass the class itself (MyCell), not an instance (MyCell(4)).").format(name=name, type_cell_cls_name=type(cell_cls).__name__))
    guard = _AnswerKeyGuard()
    try:
        with guard:
            cell = cell_cls(units)
    except NotImplementedError:
        raise NotImplementedError(gettext("{name}: the cell is not written yet (NotImplementedError).").format(name=name)) from None
    except Exception as err:
        guard.verdict(name)
        raise AssertionError(gettext("{name}: creating {cell_cls_name}({units}) raised {type_err_name}: {error_line_err}").format(name=name, cell_cls_name=cell_cls.__name__, units=units, type_err_name=type(err).__name__, error_line_err=_error_line(err))) from None
    guard.verdict(name)
    sizes = cell.state_size if isinstance(getattr(cell, "state_size", None), (list, tuple)) \
        else [getattr(cell, "state_size", None)]
    if list(sizes) != [units] * len(state_sizes):
        raise AssertionError(gettext("{name}: state_size is {getattr_cell_state_size!r}; for {units} units it should be {units_len_state_sizes_if} ({h_c_if_len_state_sizes_1}).").format(name=name, getattr_cell_state_size=getattr(cell, 'state_size', None), units=units, units_len_state_sizes_if=[units] * len(state_sizes) if len(state_sizes) > 1 else units, h_c_if_len_state_sizes_1='[h, c]' if len(state_sizes) > 1 else 'h'))
    # 1. symbolically, inside a model: NumPy in call() fails here, as it would in fit().
    inputs = keras.Input((time, features))
    try:
        with guard:
            outputs = keras.layers.RNN(cell, return_sequences=True)(inputs)
    except NotImplementedError:
        raise NotImplementedError(gettext("{name}: the cell is not written yet (NotImplementedError).").format(name=name)) from None
    except Exception as err:
        guard.verdict(name)
        raise _cell_failure(name, N_("keras.layers.RNN(your cell) inside a model"), err) from None
    guard.verdict(name)
    if tuple(outputs.shape[1:]) != (time, units):
        extra = ""
        if outputs.shape[-1] == len(state_sizes) * units and len(state_sizes) > 1 or outputs.shape[-1] == 2 * units:
            extra = " It outputs more than h: call() must return (h, [h, c]) with h alone as the output."
        raise AssertionError(gettext("{name}: the layer outputs {tuple_outputs_shape} per batch; expected (None, {time}, {units}) for {units} units.{extra}").format(name=name, tuple_outputs_shape=tuple(outputs.shape), time=time, units=units, extra=extra))
    model = keras.Model(inputs, outputs)
    shapes = [tuple(w.shape) for w in model.get_weights()]
    expected_shapes = [(features, gates * units), (units, gates * units), (gates * units,)]
    if shapes != expected_shapes:
        raise AssertionError(gettext("{name}: the weights have shapes {shapes}; Keras's layout is {expected_shapes} (kernel, recurrent_kernel, bias, created in that order in build()).").format(name=name, shapes=shapes, expected_shapes=expected_shapes))
    params, x, _, _ = _case(gates, seed=9, hidden=hidden)
    x32 = x.astype("float32")
    model.set_weights([params[k].astype("float32") for k in ("kernel", "recurrent_kernel", "bias")])
    try:
        got = np.asarray(model.predict(x32, verbose=0, batch_size=batch), dtype=np.float64)
    except Exception as err:
        raise _cell_failure(name, N_("running the model"), err) from None
    h0 = np.zeros((batch, units))
    expected = numpy_forward(x, h0, params)
    _diagnose(name, got, expected,
              [(gettext("(in call) {message}").format(message=_message(m)), lambda kw=kw: numpy_forward(x, h0, params, **kw)) for m, kw in mistakes],
              "the layer output", rtol=1e-4, atol=1e-5)
    builtin = getattr(keras.layers, builtin_name)(units, return_sequences=True)
    builtin(x32)
    builtin.set_weights(model.get_weights())
    diff = float(np.max(np.abs(np.asarray(builtin(x32)) - got)))
    if diff > 1e-4:
        raise AssertionError(gettext("{name}: the layer differs from keras.layers.{builtin_name} by {diff:.3g}.").format(name=name, builtin_name=builtin_name, diff=diff))
    # 2. one training step: every weight must receive a gradient.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = model.get_weights()
    try:
        with warnings.catch_warnings():  # "Gradients do not exist for variables": reported below, in words
            warnings.simplefilter("ignore")
            model.fit(x32, np.ones_like(got, dtype="float32"), epochs=1, batch_size=batch, verbose=0)
    except Exception as err:
        raise _cell_failure(name, N_("one training step (model.fit)"), err) from None
    for w, old, new in zip(("kernel", "recurrent_kernel", "bias"), before, model.get_weights()):
        if np.array_equal(old, new):
            raise AssertionError(gettext("{name}: training does not change `{w}`: no gradient reaches it. Compute with keras.ops on the weights themselves (no NumPy copies, no stop_gradient).").format(name=name, w=w))
    _ok(name, gettext("matches keras.layers.{builtin_name} with the same weights, and trains").format(builtin_name=builtin_name))


def check_rnn_cell_layer(cell_cls, hidden=False):
    """Check a Keras tanh RNN cell class: ``keras.layers.RNN(cell_cls(units))`` equals SimpleRNN."""
    _check_cell_layer("check_rnn_cell_layer", cell_cls, "SimpleRNN", 1, [UNITS],
                      lambda x, h0, p, **kw: _rnn_forward_variant(x, h0, p, **kw), _RNN_STEP_MISTAKES, hidden)


def check_lstm_cell_layer(cell_cls, hidden=False):
    """Check a Keras LSTM cell class: ``keras.layers.RNN(cell_cls(units))`` equals keras.layers.LSTM."""
    _check_cell_layer("check_lstm_cell_layer", cell_cls, "LSTM", 4, [UNITS, UNITS],
                      lambda x, h0, p, **kw: _lstm_forward_variant(x, h0, np.zeros_like(h0), p, **kw),
                      _lstm_state_mistakes() + _lstm_mistakes(), hidden)


# -- models (labs 04 and 05) ------------------------------------------------------------------------
def _layers(model):
    """The model's layers without the InputLayer (the functional API lists it, Sequential does not).

    An ``Activation`` or ``Softmax`` layer right after a Dense layer with no activation of its
    own is folded into it (``Dense(3)`` then ``Activation("softmax")`` is ``Dense(3,
    activation="softmax")``): the returned Dense layer is the same object, with the folded
    activation recorded in ``_FOLDED``.
    """
    out = []
    _FOLDED.clear()  # ids are reused once a model is gone: only this model's layers count
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        previous = out[-1] if out else None
        dense = getattr(previous, "layer", previous)  # TimeDistributed(Dense) too
        if isinstance(layer, (keras.layers.Activation, keras.layers.Softmax)) and isinstance(dense, keras.layers.Dense) \
                and getattr(dense.activation, "__name__", None) == "linear" and id(dense) not in _FOLDED:
            _FOLDED[id(dense)] = "softmax" if isinstance(layer, keras.layers.Softmax) \
                else getattr(layer.activation, "__name__", None)
            continue
        out.append(layer)
    return out


#: id(Dense layer) -> the name of the activation of the Activation/Softmax layer folded into it.
_FOLDED = {}


def _is_model(name, model):
    if model is None or not isinstance(model, keras.Model):
        raise AssertionError(gettext("{name}: expected a Keras model, got {type_model_name}. Did you forget `return model`?").format(name=name, type_model_name=type(model).__name__))


def _build(name, builder, *args):
    """Call a model builder inside the check, so a Keras error becomes a message with its useful line."""
    if not callable(builder) or isinstance(builder, keras.Model):
        raise AssertionError(gettext("{name}: expected the function that builds the model, got {type_builder_name}. Pass the function itself, without calling it.").format(name=name, type_builder_name=type(builder).__name__))
    try:
        model = builder(*args)
    except NotImplementedError:
        raise NotImplementedError(gettext("{name} is not written yet: replace `raise NotImplementedError()`.").format(name=name)) from None
    except Exception as err:
        line = _error_line(err)
        hint = ""
        if "expected ndim=3, found ndim=2" in line:
            hint = (gettext(" A recurrent layer received (batch, units) where it needs (batch, time, units): the layer "
                    "before it needs return_sequences=True."))
        raise AssertionError(gettext("{name} raised {type_err_name}: {line}{hint}").format(name=name, type_err_name=type(err).__name__, line=line, hint=hint)) from None
    _is_model(name, model)
    return model


def check_model_shapes(model, expected, name="model"):
    """Check each layer's output shape, e.g. ``[(None, None, 16), (None, 8), (None, 3)]``.

    ``None`` matches any size. The InputLayer of a functional model is not counted. A
    recurrent layer that returns (batch, units) where (batch, time, units) is expected
    gets a ``return_sequences`` hint, and vice versa.
    """
    _check_shapes(model, expected, name)
    _ok(name, gettext("every layer has the expected output shape"))


def _check_shapes(model, expected, name):
    _is_model(name, model)
    layers = _layers(model)
    shapes = []
    for layer in layers:
        try:
            shapes.append(tuple(layer.output.shape))
        except Exception:
            raise AssertionError(gettext("{name}: layer {layer_name} has no output yet: start the model with keras.Input(...).").format(name=name, layer=layer.name)) from None
    if len(shapes) != len(expected):
        raise AssertionError(gettext("{name}: {len_shapes} layers with output shapes {shapes}; expected {len_expected}: {expected}.").format(name=name, len_shapes=len(shapes), shapes=shapes, len_expected=len(expected), expected=expected))
    for layer, got, want in zip(layers, shapes, expected):
        want = tuple(want)
        if len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want)):
            continue
        hint = ""
        if len(got) == 2 and len(want) == 3:
            hint = gettext(" It returns only the last step: add return_sequences=True.")
        elif len(got) == 3 and len(want) == 2:
            hint = gettext(" It returns the whole sequence: this layer should have return_sequences=False.")
        elif got[-1] != want[-1] and len(got) == len(want):
            hint = gettext(" The last axis differs: check the number of units (and merge_mode for Bidirectional: concat doubles it).")
        raise AssertionError(gettext("{name}: layer {layer!r} outputs {got}, expected {want}.{hint}").format(name=name, layer=layer.name, got=got, want=want, hint=hint))


_CELL_OF = {"SimpleRNN": "SimpleRNNCell", "LSTM": "LSTMCell", "GRU": "GRUCell"}
_RNN_LAYER_ATTRS = ("return_sequences", "return_state", "go_backwards", "stateful")


def _equivalent(name, layer, kind):
    """``(getter, what)``: how to read the settings of ``layer`` as a ``kind``, accepting the
    forms that compute the same thing: ``RNN(LSTMCell(u))`` for ``LSTM(u)`` (likewise SimpleRNN,
    GRU) and ``TimeDistributed(Dense(...))`` for ``Dense(...)`` on a sequence."""
    got_kind = type(layer).__name__
    if got_kind == kind:
        return (lambda attr: getattr(layer, attr, None)), kind
    if kind in _CELL_OF and got_kind == "RNN":
        cell = getattr(layer, "cell", None)
        if type(cell).__name__ == _CELL_OF[kind]:
            if layer.go_backwards:
                raise AssertionError(gettext("{name}: layer {layer!r} runs backwards (go_backwards=True); the task asks for keras.layers.{kind}, which reads the sequence forwards.").format(name=name, layer=layer.name, kind=kind))
            return (lambda attr: getattr(layer if attr in _RNN_LAYER_ATTRS else cell, attr, None)), \
                f"RNN({_CELL_OF[kind]})"
        raise AssertionError(gettext("{name}: layer {layer!r} is an RNN around a {cell}; the task asks for keras.layers.{kind} (or RNN({standard_cell}(...)), the same computation).").format(name=name, layer=layer.name, cell=type(cell).__name__, kind=kind, standard_cell=_CELL_OF[kind]))
    if kind == "Dense" and got_kind == "TimeDistributed" and type(getattr(layer, "layer", None)).__name__ == "Dense":
        return (lambda attr: getattr(layer.layer, attr, None)), "TimeDistributed(Dense)"
    inner = type(getattr(layer, "layer", None) or getattr(layer, "cell", None)).__name__
    inside = gettext(" around a {inner}").format(inner=inner) if got_kind in ("TimeDistributed", "RNN") else ""
    raise AssertionError(gettext("{name}: layer {layer!r} is a {got_kind}{inside}; the task asks for keras.layers.{kind}.").format(name=name, layer=layer.name, got_kind=got_kind, inside=inside, kind=kind))


def _expect_layer(name, layer, kind, **want):
    """One layer of a built model: its class (or an equivalent form) and the settings the lab asks for."""
    get, _ = _equivalent(name, layer, kind)
    if kind in _CELL_OF:  # the standard cell: what the task's layer computes by default
        want = {"activation": "tanh", **({} if kind == "SimpleRNN" else {"recurrent_activation": "sigmoid"}),
                "go_backwards": False, **want}
    for attr, value in want.items():
        if attr in ("activation", "recurrent_activation"):
            got = getattr(get(attr), "__name__", None)
            if attr == "activation" and got == "linear" and kind == "Dense":
                got = _FOLDED.get(id(getattr(layer, "layer", layer)), got)
        else:
            got = get(attr)
        if attr == "input_dim" and isinstance(got, int) and got > value:
            continue  # an Embedding with unused rows (e.g. VOCAB + 1) computes the same for ids < VOCAB
        if got != value:
            advice = {
                "mask_zero": gettext("without mask_zero=True the padding (token 0) is read as words."),
                "return_sequences": gettext("it decides whether the layer returns every step (True) or only the last "
                                            "(False)."),
                "activation": gettext("the tags need a probability distribution: activation=\"softmax\".")
                if kind == "Dense"
                else gettext("keras.layers.{kind} computes with tanh; keep the default activation.").format(kind=kind),
                "recurrent_activation": gettext("the gates are sigmoids; keep the default recurrent_activation."),
                "merge_mode": gettext("the default \"concat\" keeps both directions side by side (2·units features)."),
                "go_backwards": gettext("the layer reads the sequence backwards, and returns its outputs in reverse "
                                        "time order; the task's layer reads it forwards (only Bidirectional adds a "
                                        "backward copy, itself)."),
                "input_dim": gettext("the token ids go up to {value}−1: input_dim must be at least the vocabulary "
                                     "size, {value}.").format(value=value),
            }.get(attr, "")
            raise AssertionError(gettext("{name}: layer {layer!r} has {attr}={got!r}; the task asks for "
                                         "{attr}={value!r}. {advice}").format(
                name=name, layer=layer.name, attr=attr, got=got, value=value, advice=advice).rstrip())


def check_stacked_tagger(build_stacked, vocab, tags):
    """Check lab 05's ``build_stacked()``: Embedding(mask_zero) → LSTM(16) → LSTM(16) → Dense(softmax), per token."""
    name = "build_stacked()"
    model = _build(name, build_stacked)
    _check_shapes(model, [(None, None, 8), (None, None, 16), (None, None, 16), (None, None, tags)], name)
    emb, first, second, dense = _layers(model)
    _expect_layer(name, emb, "Embedding", input_dim=vocab, output_dim=8, mask_zero=True)
    _expect_layer(name, first, "LSTM", units=16, return_sequences=True)
    _expect_layer(name, second, "LSTM", units=16, return_sequences=True)
    _expect_layer(name, dense, "Dense", units=tags, activation="softmax")
    _ok(name, gettext("Embedding with mask, two LSTMs of 16 units returning sequences, softmax per token"))


def check_bidirectional_tagger(build_bidirectional, vocab, tags):
    """Check lab 05's ``build_bidirectional()``: Embedding(mask_zero) → Bidirectional(LSTM(16)) → Dense(softmax)."""
    name = "build_bidirectional()"
    model = _build(name, build_bidirectional)
    _check_shapes(model, [(None, None, 8), (None, None, 32), (None, None, tags)], name)
    emb, bi, dense = _layers(model)
    _expect_layer(name, emb, "Embedding", input_dim=vocab, output_dim=8, mask_zero=True)
    _expect_layer(name, bi, "Bidirectional", merge_mode="concat")
    _expect_layer(name, bi.forward_layer, "LSTM", units=16, return_sequences=True)
    _expect_layer(name, dense, "Dense", units=tags, activation="softmax")
    _ok(name, gettext("Embedding with mask, a bidirectional LSTM of 16 units (concat), softmax per token"))


_RACE_LAYERS = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


#: Where Keras's own code lives (and the libraries its training path runs through): a function of a
#: model, layer or optimizer of the race must come from a file under one of these folders.
def _library_dir(name):
    spec = importlib.machinery.PathFinder.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(list(spec.submodule_search_locations)[0]) + os.sep


_OWN_ROOTS = tuple(d for d in (_library_dir("keras"), _library_dir("tensorflow"), _library_dir("optree"),
                               _library_dir("numpy"), os.path.realpath(os.path.dirname(os.__file__)) + os.sep) if d)
_FUNCTIONAL = keras.src.models.functional.Functional   # what keras.Model(inputs, outputs) builds
_RACE_INITIALIZERS = {"GlorotUniform", "GlorotNormal", "Orthogonal", "Zeros", "Ones", "RandomUniform", "RandomNormal",
                      "TruncatedNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "VarianceScaling"}


def _own_file(filename):
    path = os.path.realpath(filename)
    return any(path.startswith(root) for root in _OWN_ROOTS)


def _function_of(value):
    """The Python function behind an attribute (function, method, property, tf.function, partial), or None."""
    for attr in ("__func__", "python_function", "func", "fget"):
        value = getattr(value, attr, None) or value
    return value if isinstance(value, types.FunctionType) else None


def _foreign_code(obj):
    """Where ``obj`` runs code that is not Keras's (or TensorFlow's, NumPy's, Python's): a function of
    its class or of any base class, or one set on the object itself (``model.fit = ...``); or None."""
    for klass in type(obj).__mro__:
        for key, value in vars(klass).items():
            for fn in (value, getattr(value, "__func__", None), getattr(value, "fget", None),
                       getattr(value, "fset", None)):
                if isinstance(fn, types.FunctionType) and not _own_file(fn.__code__.co_filename):
                    return f"{klass.__name__}.{key}"
    for key, value in list(vars(obj).items()):
        if key == "loss":   # compile's loss is read by name and never trained with: the race compiles with "mse"
            continue
        fn = _function_of(value)
        if fn is not None and not _own_file(fn.__code__.co_filename):
            return f"{type(obj).__name__}.{key} (set on the object)"
    return None


def _sublayers(model):
    """Every layer of the model, wrapped layers and RNN cells included."""
    seen, todo = [], list(model.layers)
    while todo:
        layer = todo.pop(0)
        seen.append(layer)
        todo += [getattr(layer, a) for a in ("forward_layer", "backward_layer", "layer", "cell")
                 if isinstance(getattr(layer, a, None), keras.layers.Layer)]
    return seen


def _keras_own(name, model):
    """The model, its layers and its optimizer are Keras's own classes running Keras's own code, so the
    race can rebuild them from their configs and train them with Keras's ``fit``."""
    if type(model) not in (keras.Sequential, _FUNCTIONAL):
        raise AssertionError(gettext("{name}: the model is {kind} from {module}; build it with keras.Sequential or the functional API (keras.Model(inputs, outputs)): the race rebuilds your model from Keras's own classes and trains it with Keras's own fit.").format(name=name, kind=type(model).__name__, module=type(model).__module__))
    parts = [(gettext("the model"), model)] + [(gettext("layer {layer!r}").format(layer=layer.name), layer)
                                               for layer in _sublayers(model)]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        if type(optimizer) is not keras.optimizers.Adam and isinstance(optimizer, keras.optimizers.Adam):
            raise AssertionError(gettext("{name}: the optimizer is {kind} from {module}, a subclass of Adam; use keras.optimizers.Adam itself: the race rebuilds it from its config.").format(name=name, kind=type(optimizer).__name__, module=type(optimizer).__module__))
        parts.append((gettext("the optimizer"), optimizer))
    for what, part in parts:
        if isinstance(part, keras.layers.Layer) and part is not model:
            kind = type(part)
            if getattr(keras.layers, kind.__name__, None) is not kind:
                raise AssertionError(gettext("{name}: {what} is {kind} from {module}, not one of Keras's own layers; use keras.layers.SimpleRNN, GRU, LSTM (or RNN around their cells) and Dense: the race rebuilds your model from Keras's own classes and trains it itself.").format(name=name, what=what, kind=kind.__name__, module=kind.__module__))
            for key, value in part.get_config().items():
                if key.endswith("initializer") and isinstance(value, dict) and value.get("class_name") not in _RACE_INITIALIZERS:
                    raise AssertionError(gettext("{name}: {what} has {key}={initializer}; keep Keras's standard initializers (the race trains the model from new weights).").format(name=name, what=what, key=key, initializer=value.get("class_name")))
        where = _foreign_code(part)
        if where:
            raise AssertionError(gettext("{name}: {what} runs code written outside Keras ({where}); the race trains with Keras's own fit, train_step and layers. Build the model from Keras's classes without overriding their methods.").format(name=name, what=what, where=where))


def _check_race_model(name, model, length=50, features=2, units=32, kind="rnn"):
    """One model of lab 04's race: Keras's own classes and code, the layers, sizes, optimizer and loss the
    task asks for. Raises AssertionError naming the first difference."""
    _keras_own(name, model)
    _check_shapes(model, [(None, units), (None, 1)], name)
    if tuple(model.inputs[0].shape) != (None, length, features):
        raise AssertionError(gettext("{name}: the input has shape {tuple_model_inputs_0_sha}; expected (None, {length}, {features}): keras.Input(({length}, {features})).").format(name=name, tuple_model_inputs_0_sha=tuple(model.inputs[0].shape), length=length, features=features))
    rnn, dense = _layers(model)
    _expect_layer(name, rnn, _RACE_LAYERS[kind], units=units, return_sequences=False)
    _expect_layer(name, dense, "Dense", units=1, activation="linear")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(model, "compiled", True):
        raise AssertionError(gettext('{name}: the model is not compiled: call model.compile(optimizer=..., loss="mse") before returning it.').format(name=name))
    if not isinstance(optimizer, keras.optimizers.Adam):
        raise AssertionError(gettext("{name}: the optimizer is {type_optimizer_name}; the task asks for keras.optimizers.Adam(0.01, clipnorm=1.0).").format(name=name, type_optimizer_name=type(optimizer).__name__))
    lr = float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))
    if not np.isclose(lr, 0.01) or optimizer.clipnorm is None or not np.isclose(float(optimizer.clipnorm), 1.0):
        raise AssertionError(gettext("{name}: Adam with learning_rate={lr:g} and clipnorm={optimizer_clipnorm}; the task asks for Adam(0.01, clipnorm=1.0) (clipping keeps the SimpleRNN from exploding).").format(name=name, lr=lr, optimizer_clipnorm=optimizer.clipnorm))
    loss = model.loss
    loss_name = loss if isinstance(loss, str) else getattr(loss, "name", getattr(loss, "__name__", repr(loss)))
    if str(loss_name).lower() not in ("mse", "mean_squared_error"):
        raise AssertionError(gettext('{name}: the loss is {loss_name!r}; the adding problem is a regression: loss="mse".').format(name=name, loss_name=loss_name))


def check_make_model(make_model, length=50, features=2, units=32):
    """Check lab 04's ``make_model(kind)`` for every kind: Keras's own classes and code, layer class,
    sizes, optimizer, loss."""
    models = {}
    for kind in _RACE_LAYERS:
        name = f"make_model({kind!r})"
        model = _build(name, make_model, kind)
        if any(model is other for other in models.values()):
            raise AssertionError(gettext("{name} returns the same model object as another kind: build a new model on every call.").format(name=name))
        models[kind] = model
        _check_race_model(name, model, length, features, units, kind)
    _ok("make_model", gettext("SimpleRNN, GRU and LSTM of 32 units, Dense(1), Adam(0.01, clipnorm=1.0), MSE"))

_ENTRY_CODES.add(_check_cell_layer.__code__)
