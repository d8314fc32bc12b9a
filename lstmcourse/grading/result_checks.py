"""Checks of results: reported accuracies and MSEs; lab 04's race, whose models the check rebuilds
from Keras's own classes and trains itself; lab 05's Teddy tagger, which the check trains itself
(the student supplies the builder and the recipe, within a budget).
"""
import contextlib
import io

import keras
import numpy as np

from lstmcourse import tasks
from lstmcourse.grading.harness import (  # noqa: F401
    _error_line,
    _ok,
)
from lstmcourse.grading.keras_checks import (  # noqa: F401
    _RACE_LAYERS,
    _build,
    _check_race_model,
    _is_model,
)
from lstmcourse.i18n import N_, gettext  # noqa: F401

def check_accuracy(name, accuracy, target):
    """Check a reported accuracy against a target (ungraded practice cells)."""
    try:
        accuracy = float(np.asarray(accuracy))
    except (TypeError, ValueError):
        raise AssertionError(gettext("{name}: the accuracy must be a number, got {accuracy!r}.").format(name=name, accuracy=accuracy)) from None
    if not np.isfinite(accuracy) or not 0.0 <= accuracy <= 1.0:
        raise AssertionError(gettext("{name}: an accuracy is between 0 and 1, got {accuracy}.").format(name=name, accuracy=accuracy))
    if accuracy < target:
        raise AssertionError(gettext("{name}: accuracy {accuracy:.3f} is below the target {target}.").format(name=name, accuracy=accuracy, target=target))
    _ok(name, gettext("accuracy ≥ {target}").format(target=target))


#: The layers a Teddy model may be built from: Keras's own, so the check can rebuild the model
#: with new weights from its config (a custom layer could carry weights trained elsewhere).
_TEDDY_LAYERS = ("InputLayer", "Embedding", "SimpleRNN", "GRU", "LSTM", "RNN", "SimpleRNNCell", "GRUCell", "LSTMCell",
                 "Bidirectional", "TimeDistributed", "Dense", "Dropout", "SpatialDropout1D", "LayerNormalization",
                 "Activation", "Masking", "Concatenate", "Add", "Average")
_TEDDY_OPTIMIZERS = {"adam": "Adam", "adamw": "AdamW", "nadam": "Nadam", "rmsprop": "RMSprop", "sgd": "SGD"}
_TEDDY_RECIPE_KEYS = {"epochs", "batch_size", "learning_rate", "optimizer", "from_logits"}
_TEDDY_TRAIN = (3000, 1)          # the training set: tasks.teddy(3000, seed=1), as in the lab
_INITIALIZERS = {"GlorotUniform", "GlorotNormal", "Orthogonal", "Zeros", "Ones", "RandomUniform", "RandomNormal",
                 "TruncatedNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "VarianceScaling"}


def _teddy_recipe(name, recipe):
    """The recipe as (epochs, batch_size, learning_rate, optimizer class name, from_logits), or a message."""
    if not isinstance(recipe, dict):
        raise AssertionError(gettext("{name}: the recipe must be a dict such as {{'epochs': 8, 'batch_size': 64, 'learning_rate': 0.01}}; got {type_recipe_name}.").format(name=name, type_recipe_name=type(recipe).__name__))
    unknown = sorted(set(recipe) - _TEDDY_RECIPE_KEYS)
    if unknown:
        raise AssertionError(gettext("{name}: the recipe has keys {unknown} the check does not know; it takes {sorted_teddy_recipe_keys}.").format(name=name, unknown=unknown, sorted_teddy_recipe_keys=sorted(_TEDDY_RECIPE_KEYS)))
    out = []
    for key, kind in (("epochs", int), ("batch_size", int), ("learning_rate", float)):
        value = recipe.get(key)
        ok = isinstance(value, (int, np.integer)) if kind is int else isinstance(value, (int, float, np.floating))
        if not ok or isinstance(value, bool) or not value > 0:
            raise AssertionError(gettext("{name}: recipe[{key!r}] must be a positive {kind_name}; got {value!r}.").format(name=name, key=key, kind_name=kind.__name__, value=value))
        out.append(kind(value))
    optimizer = recipe.get("optimizer", "adam")
    if not isinstance(optimizer, str) or optimizer.lower() not in _TEDDY_OPTIMIZERS:
        raise AssertionError(gettext("{name}: recipe['optimizer'] must be one of {sorted_teddy_optimizers}; got {optimizer!r}.").format(name=name, sorted_teddy_optimizers=sorted(_TEDDY_OPTIMIZERS), optimizer=optimizer))
    return (*out, _TEDDY_OPTIMIZERS[optimizer.lower()], bool(recipe.get("from_logits", False)))


def _teddy_layers(name, model):
    """Every layer (wrapped ones and cells included) must be one of Keras's own, with standard initializers."""
    seen, todo = [], list(model.layers)
    while todo:
        layer = todo.pop()
        seen.append(layer)
        todo += [getattr(layer, a) for a in ("forward_layer", "backward_layer", "layer", "cell")
                 if isinstance(getattr(layer, a, None), keras.layers.Layer)]
    for layer in seen:
        kind = type(layer)
        if kind.__name__ not in _TEDDY_LAYERS or getattr(keras.layers, kind.__name__, None) is not kind:
            raise AssertionError(gettext("{name}: layer {layer_name!r} is a {kind_name}; build the model from Keras's own layers ({join_teddy_layers_1_11}, ...): the check rebuilds it with new weights from its config and trains it itself.").format(name=name, layer_name=layer.name, kind_name=kind.__name__, join_teddy_layers_1_11=', '.join(_TEDDY_LAYERS[1:11])))
        for key, value in layer.get_config().items():
            if key.endswith("initializer") and isinstance(value, dict) and value.get("class_name") not in _INITIALIZERS:
                raise AssertionError(gettext("{name}: layer {layer_name!r} has {key}={value_get_class_name}; keep Keras's standard initializers (the check trains the model from scratch).").format(name=name, layer_name=layer.name, key=key, value_get_class_name=value.get('class_name')))


def train_teddy(build_teddy, recipe, max_updates=600, max_params=50_000, seed=0, name=None):
    """Build the model with ``build_teddy()`` and train it on lab 05's training set as ``recipe`` says.

    The check does the training: it rebuilds the model from its config (new weights, Keras
    seed ``seed``), compiles it with a new optimizer and sparse categorical cross-entropy,
    and calls ``fit`` with the recipe's epochs and batch size, after checking the budget:
    ``epochs × ceil(3000 / batch_size)`` optimizer steps and ``count_params()`` weights.
    Returns the trained model and the number of steps.
    """
    name = gettext("Teddy tagger") if name is None else name
    epochs, batch_size, learning_rate, optimizer_name, from_logits = _teddy_recipe(name, recipe)
    per_epoch = -(-_TEDDY_TRAIN[0] // batch_size)
    steps = epochs * per_epoch
    if steps > max_updates:
        raise AssertionError(gettext("{name}: the recipe takes {epochs} epochs × {per_epoch} batches = {steps} optimizer steps; the budget is {max_updates}. Use fewer epochs or a larger batch.").format(name=name, epochs=epochs, per_epoch=per_epoch, steps=steps, max_updates=max_updates))
    keras.utils.set_random_seed(seed)
    model = _build(name, build_teddy)
    _teddy_layers(name, model)
    try:
        model = keras.models.clone_model(model)   # new weights: nothing trained before the check counts
    except Exception as err:
        raise AssertionError(gettext("{name}: the model cannot be rebuilt from its config: {error_line_err}").format(name=name, error_line_err=_error_line(err))) from None
    params = model.count_params()
    if params > max_params:
        raise AssertionError(gettext("{name}: {params} parameters; the budget is {max_params}. Use fewer units.").format(name=name, params=params, max_params=max_params))
    x, y, _ = tasks.teddy(_TEDDY_TRAIN[0], seed=_TEDDY_TRAIN[1])
    optimizer = getattr(keras.optimizers, optimizer_name)(learning_rate)
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
    try:
        model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    except Exception as err:
        raise AssertionError(gettext("{name}: training failed on token ids of shape {x_shape} and tags of shape {y_shape}: {error_line_err}").format(name=name, x_shape=x.shape, y_shape=y.shape, error_line_err=_error_line(err))) from None
    if int(keras.ops.convert_to_numpy(optimizer.iterations)) != steps:
        raise AssertionError(gettext("{name}: training took {int_keras_ops_convert_to} steps where the recipe says {steps}.").format(name=name, int_keras_ops_convert_to=int(keras.ops.convert_to_numpy(optimizer.iterations)), steps=steps))
    return model, steps


def check_teddy_tagger(build_teddy, recipe, target=0.95, max_updates=600, max_params=50_000, hidden=False):
    """Check lab 05's Teddy tagger: the check trains ``build_teddy()`` as ``recipe`` says (see
    :func:`train_teddy`) and measures the tag at "teddy" on 1000 sentences it makes itself.

    The budget cannot be edited by the student's code: the check counts the steps from the
    recipe and owns the optimizer, the weights start new, and the data come from the
    grader's own copy of :mod:`lstmcourse.tasks` in the hidden test.
    """
    name = gettext("Teddy tagger")
    if build_teddy is None or recipe is None:
        raise NotImplementedError(gettext("{name}: write build_teddy() and TEDDY_RECIPE in the cell above first.").format(name=name))
    model, steps = train_teddy(build_teddy, recipe, max_updates, max_params, seed=1 if hidden else 0, name=name)
    x, y, pos = tasks.teddy(1000, seed=7001 if hidden else 7000)
    try:
        probs = np.asarray(model.predict(x, verbose=0, batch_size=256))
    except Exception as err:
        raise AssertionError(gettext("{name}: the model failed on token ids of shape {x_shape}: {error_line_err}").format(name=name, x_shape=x.shape, error_line_err=_error_line(err))) from None
    if probs.shape[:2] != x.shape or probs.ndim != 3:
        raise AssertionError(gettext("{name}: the model outputs {probs_shape} for {x_shape} token ids; a tagger outputs one tag distribution per token: (batch, time, {len_tasks_teddy_tags}).").format(name=name, probs_shape=probs.shape, x_shape=x.shape, len_tasks_teddy_tags=len(tasks.TEDDY_TAGS)))
    rows = np.arange(len(x))
    accuracy = float(np.mean(probs.argmax(-1)[rows, pos] == y[rows, pos]))
    if accuracy < target:
        raise AssertionError(gettext("{name}: accuracy at \"teddy\" on new sentences is {accuracy:.3f}, below {target}. Near 0.5 means the model cannot see the words after 'teddy' (lesson 06).").format(name=name, accuracy=accuracy, target=target))
    _ok(name, gettext('accuracy at "teddy" on 1000 new sentences {accuracy:.3f} ≥ {target}, {steps} optimizer steps, {model_count_params} parameters').format(accuracy=accuracy, target=target, steps=steps, model_count_params=model.count_params()))


#: Lab 04's race: the data (n, seed) and the training, as the lab's race cell runs them.
RACE = {"train": (4000, 1), "val": (1000, 2), "length": 50, "epochs": 10, "batch_size": 64, "seed": 0}


def race_model(make_model, kind, seed=0, length=50, features=2, units=32):
    """The model of lab 04's race for ``kind``: ``make_model(kind)`` checked (Keras's own classes and
    code, the layers, sizes, optimizer and loss of the task), then rebuilt from its configuration with
    Keras's own classes and new weights drawn from ``seed``, compiled with a new Adam made from the
    student's Adam's configuration and the MSE loss. Nothing of the student's objects is trained: not
    their weights, their ``fit`` or ``train_step``, their optimizer or their loss.
    """
    name = f"make_model({kind!r})"
    if kind not in _RACE_LAYERS:
        raise ValueError(f"`kind` must be one of {sorted(_RACE_LAYERS)}. Received: kind={kind!r}")
    model = _build(name, make_model, kind)
    _check_race_model(name, model, length, features, units, kind)
    try:
        keras.utils.set_random_seed(seed)
        rebuilt = keras.models.clone_model(model)   # Keras's classes, from the layers' configs, new weights
        optimizer = keras.optimizers.Adam.from_config(model.optimizer.get_config())
    except Exception as err:
        raise AssertionError(gettext("{name}: the model cannot be rebuilt from its config: {error_line_err}").format(name=name, error_line_err=_error_line(err))) from None
    rebuilt.compile(optimizer=optimizer, loss="mse")
    return rebuilt


def check_race(make_model, hidden=False, baseline=tasks.ADDING_BASELINE_MSE):
    """Lab 04's race, run by the check itself: for each kind, :func:`race_model` (the student's model
    rebuilt from Keras's own classes, new weights from seed 0), trained 10 epochs on the adding problem
    at T = 50 with Keras's ``fit``; the best validation MSE of each, checked as
    :func:`check_adding_comparison` does. The step count and the last epoch's validation MSE are
    checked against the optimizer and a NumPy MSE of ``predict``. The lab's ``results`` are not read:
    the hidden test grades its own race. ``hidden`` runs the same race, on the same data and seed, as the
    lab's visible cell (the grade is the race the student saw). All three models are checked before any
    training, and the gated ones are trained first, so a refused or failing answer costs little time.
    """
    # every model checked before any training, as in the lab's cell: a refused one costs no time
    models = {kind: race_model(make_model, kind, seed=RACE["seed"], length=RACE["length"]) for kind in _RACE_LAYERS}
    x, y = tasks.adding_problem(RACE["train"][0], length=RACE["length"], seed=RACE["train"][1])
    x_val, y_val = tasks.adding_problem(RACE["val"][0], length=RACE["length"], seed=RACE["val"][1])
    steps = RACE["epochs"] * -(-len(x) // RACE["batch_size"])
    results = {}
    for kind in ("gru", "lstm", "rnn"):   # the gated cells first: a wrong one fails without the other trainings
        model = models[kind]
        keras.utils.set_random_seed(RACE["seed"])   # as in the lab's cell: the order of the trainings does not matter
        try:
            history = model.fit(x, y, validation_data=(x_val, y_val), epochs=RACE["epochs"],
                                batch_size=RACE["batch_size"], verbose=0)
            last = float(np.mean((np.asarray(model.predict(x_val, verbose=0, batch_size=250), dtype=np.float64)
                                  - y_val) ** 2))
        except Exception as err:
            raise AssertionError(gettext("make_model({kind!r}): training failed: {error_line_err}").format(kind=kind, error_line_err=_error_line(err))) from None
        val = [float(v) for v in history.history.get("val_loss", [])]
        iterations = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        if iterations != steps or len(val) != RACE["epochs"] or not np.isclose(val[-1], last, rtol=1e-3, atol=1e-6):
            raise RuntimeError("The grader's race does not add up (optimizer steps, epochs, validation MSE): "
                               "something in this notebook changed Keras's training; grade a clean copy.")
        results[kind] = min(val)
        if kind != "rnn":
            _gated_solved(kind, results[kind], baseline)
    with contextlib.redirect_stdout(io.StringIO()):
        check_adding_comparison(results, baseline=baseline)
    # no numbers in the line: the lab's stored output is compared by nbval, the MSEs are printed by the lab itself
    _ok(gettext("race"), gettext("the check trained your models itself: both gated cells solve T = 50, the SimpleRNN does not"))


def _gated_solved(name, mse, baseline):
    if mse >= 0.1 * baseline:
        raise AssertionError(gettext("the {name_upper} reached MSE {clean_name:.4f}, above 10% of chance ({v_0_1_baseline:.4f}). Check its cell and the optimizer (Adam(0.01, clipnorm=1.0)).").format(name_upper=name.upper(), clean_name=mse, v_0_1_baseline=0.1 * baseline))


def check_adding_comparison(results, baseline=1 / 6):
    """Check a dict {"rnn": best val MSE, "gru": ..., "lstm": ...} from the lab-04 race."""
    if not isinstance(results, dict) or set(results) != {"rnn", "gru", "lstm"}:
        got = sorted(results) if isinstance(results, dict) else type(results).__name__
        raise AssertionError(gettext("results must be a dict with keys 'rnn', 'gru', 'lstm' (best validation MSE of each); got {got}.").format(got=got))
    clean = {}
    for name, mse in results.items():
        try:
            if isinstance(mse, (str, bytes)):
                raise TypeError
            value = np.asarray(mse, dtype=np.float64)
        except (TypeError, ValueError):
            value = np.asarray(np.nan)
        if value.size != 1 or not np.isfinite(value).all() or float(value.reshape(())) < 0:
            raise AssertionError(gettext("results[{name!r}] must be a non-negative number (an MSE), got {mse!r}.").format(name=name, mse=mse))
        clean[name] = float(value.reshape(()))
    for name in ("gru", "lstm"):
        _gated_solved(name, clean[name], baseline)
    if clean["rnn"] < 0.5 * baseline:
        raise AssertionError(gettext("the SimpleRNN reached MSE {clean_rnn:.4f}: suspiciously good at T = 50. Is it really a SimpleRNN, trained on the same data?").format(clean_rnn=clean['rnn']))
    _ok(gettext("adding comparison"), gettext("both gated cells solve T = 50, the SimpleRNN does not"))
