"""Checks for lab 06, "find the bug": each check verifies a fix by its behaviour.

Every task of the lab hands the student a training script with one failure (lesson 12)
and asks for the fixed version. A check

1. calls the student's function on data the check generates itself (another seed and
   size for ``hidden=True``), with the Keras seed set, so the weights are reproducible;
2. runs :func:`lstmcourse.doctor.examine` on the model and the data it will be trained
   on: the failure's finding must be gone, and any other problem the doctor finds is
   named in the message;
3. trains the model itself for a short, fixed budget and measures it on held-out data it
   generates: the score must pass a threshold. If it does not, the message says what
   the doctor finds on the *trained* model, so the student sees what is still wrong.

They live in a module of their own, because they share nothing with the
cell and step checks of labs 01–05 (no answer key to guard, no plausible-mistake
catalogue). The hidden tests of lab 06 grade with
``lstmcourse._grading.fresh("lab06")``: a copy of this module executed from disk, with
a copy of :mod:`lstmcourse.doctor` executed from disk too, self-tested before use, so a
notebook that rebinds ``checks``, ``doctor.examine`` or anything in them does not reach
the grade.

    >>> from lstmcourse.grading import lab06_checks
    >>> x, y = lab06_checks.grams_data(4, seed=0)
    >>> x.shape, y.shape
    ((4, 8, 2), (4, 1))
"""
import keras
import numpy as np

from lstmcourse import doctor, tasks
from lstmcourse.i18n import N_, gettext  # noqa: F401

GRAMS_STEPS = 8
REVIEW_VOCAB, REVIEW_LEN, REVIEW_MAX_WORDS = 20, 30, 12
TOPIC_CLASSES, TOPIC_GAP = 4, 3
TOPIC_VOCAB = tasks.long_gap_vocab_size(n_classes=TOPIC_CLASSES)

#: (training seed, held-out seed, training samples, Keras seed) of the visible and the hidden case.
_CASES = {False: (100, 101, 512, 0), True: (200, 201, 640, 1)}


# -- the lab's data sets ------------------------------------------------------------------
def grams_data(n, seed):
    """Task 1: the adding problem (lesson 02) with its targets in grams: 1000 × the sum."""
    x, y = tasks.adding_problem(n, length=GRAMS_STEPS, seed=seed)
    return x, (1000.0 * y).astype("float32")


def last_word_data(n, seed):
    """Task 2: token ids 1 … 19, 3 to 12 of them, padded with 0 at the end to 30 steps.

    The label is 1 when the last word (before the padding) is 10 or more.
    """
    r = np.random.default_rng(seed)
    lengths = r.integers(3, REVIEW_MAX_WORDS + 1, size=n)
    x = np.zeros((n, REVIEW_LEN), dtype="int32")
    for i, length in enumerate(lengths):
        x[i, :length] = r.integers(1, REVIEW_VOCAB, size=length)
    y = (x[np.arange(n), lengths - 1] >= REVIEW_VOCAB // 2).astype("float32")
    return x, y


def topic_data(n, seed):
    """Task 3: the long-gap task of lesson 03 with 4 classes and a gap of 3 tokens."""
    return tasks.long_gap(n, gap=TOPIC_GAP, n_classes=TOPIC_CLASSES, seed=seed)


# -- shared machinery -----------------------------------------------------------------------
def _ok(name, detail):
    print(gettext("✔ {name}: fixed ({detail}).").format(name=name, detail=detail))


def _first_line(err):
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"


def _call(name, fn, *args):
    """Call the student's function; NotImplementedError passes (a stub), any other error is named."""
    if not callable(fn):
        raise AssertionError(gettext("{name}: expected a function, got {type_fn_name}.").format(name=name, type_fn_name=type(fn).__name__))
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 - a student's error, reported in one line
        raise AssertionError(gettext("{name}: your function raised {error}").format(name=name, error=_first_line(err))) from None


def _compiled_model(name, model):
    if not isinstance(model, keras.Model):
        raise AssertionError(gettext("{name}: expected a Keras model, got {type_model_name}. Did you forget `return model`?").format(name=name, type_model_name=type(model).__name__))
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise AssertionError(gettext("{name}: the model is not compiled: call model.compile(optimizer, loss) in your function, as the broken script does.").format(name=name))
    if int(np.asarray(model.optimizer.iterations)) != 0:
        raise AssertionError(gettext("{name}: the model has been trained already; return it untrained, the check trains it.").format(name=name))
    return model


def _problems(model, x, y):
    try:
        found = doctor.examine(model, x, y)
    except Exception as err:  # noqa: BLE001
        raise AssertionError(gettext("the model failed on inputs of shape {np_shape_x}: {error}").format(np_shape_x=np.shape(x), error=_first_line(err))) from None
    return [f for f in found if f.severity == "problem"]


def _describe(findings):
    return " ".join(f"[{f.name}] {f.evidence} Fix: {f.fix}" for f in findings)


#: Findings that describe a trained model's answers: on an untrained model they are expected.
_AFTER_TRAINING = {"constant_output", "persistence"}


def _doctor_clear(name, model, x, y, target):
    """Fail when the doctor finds the task's failure (``target``) or another problem in the
    untrained model (except those only a trained model can be blamed for)."""
    found = [f for f in _problems(model, x, y) if f.name not in _AFTER_TRAINING]
    if any(f.name in target for f in found):
        raise AssertionError(gettext("{name}: still broken, the doctor finds: {describe_found}").format(name=name, describe_found=_describe(found)))
    if found:
        raise AssertionError(gettext("{name}: the doctor finds another problem: {describe_found}").format(name=name, describe_found=_describe(found)))


def _fit(name, model, x, y, epochs, batch_size):
    try:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    except Exception as err:  # noqa: BLE001
        raise AssertionError(gettext("{name}: training failed: {error}").format(name=name, error=_first_line(err))) from None
    loss = history.history.get("loss", [np.nan])[-1]
    if not np.isfinite(loss):
        raise AssertionError(gettext("{name}: the training loss became {loss}. {describe_problems_model}").format(name=name, loss=loss, describe_problems_model=_describe(_problems(model, x, y))))


def _still_wrong(model, x, y):
    found = _problems(model, x, y)
    return (" After training, the doctor finds: " + _describe(found)) if found else \
        " After training, the doctor finds no problem: look at what differs from lesson 12's fix."


# -- Task 1: targets in grams -----------------------------------------------------------------
def check_grams(script, hidden=False, threshold=0.8, epochs=10):
    """Task 1: ``script(x_train, y_train)`` returns ``(model, y_fit, to_grams)``.

    The check trains ``model`` on ``(x_train, y_fit)`` for ``epochs`` epochs and needs R² ≥
    ``threshold`` on new data, with the predictions turned back into grams by ``to_grams``.
    """
    name = "grams_script"
    train_seed, test_seed, n, keras_seed = _CASES[hidden]
    x, y = grams_data(n, train_seed)
    x_test, y_test = grams_data(256, test_seed)
    keras.utils.set_random_seed(keras_seed)
    out = _call(name, script, x.copy(), y.copy())
    if not isinstance(out, tuple) or len(out) != 3:
        raise AssertionError(gettext("{name}: return a tuple (model, y_fit, to_grams), as the broken script does; got {type_out_name}{f_of_length_len_out_if_i}.").format(name=name, type_out_name=type(out).__name__, f_of_length_len_out_if_i=f' of length {len(out)}' if isinstance(out, tuple) else ''))
    model, y_fit, to_grams = out
    model = _compiled_model(name, model)
    y_fit = np.asarray(y_fit, dtype="float32").reshape(len(y), -1) if np.size(y_fit) == len(y) else y_fit
    if np.shape(y_fit) != y.shape or not np.all(np.isfinite(y_fit)):
        raise AssertionError(gettext("{name}: y_fit must hold one finite target per sample, shape {y_shape}; got shape {np_shape_y_fit}.").format(name=name, y_shape=y.shape, np_shape_y_fit=np.shape(y_fit)))
    if not callable(to_grams):
        raise AssertionError(gettext("{name}: to_grams must be a function from the model's outputs to grams.").format(name=name))
    _doctor_clear(name, model, x, y_fit, {"unscaled_targets", "target_range"})
    _fit(name, model, x, y_fit, epochs, 32)
    raw = np.asarray(model.predict(x_test, verbose=0), dtype="float64").reshape(len(x_test), -1)
    try:
        grams = np.asarray(to_grams(raw), dtype="float64").reshape(len(x_test), -1)
    except Exception as err:  # noqa: BLE001
        raise AssertionError(gettext("{name}: to_grams failed on the model's outputs: {error}").format(name=name, error=_first_line(err))) from None
    truth = y_test.astype("float64")
    r2 = float(1 - np.mean((grams - truth) ** 2) / truth.var())
    if not r2 >= threshold:
        aligned = float(np.corrcoef(raw.ravel(), truth.ravel())[0, 1] ** 2) if raw.std() > 0 else 0.0
        hint = (gettext(" The raw outputs explain {aligned:.2f} of the variance after an affine map: to_grams does "
                        "not undo your scaling of y (it must invert it exactly, with the training part's mean and "
                        "std).").format(aligned=aligned)
                if aligned >= threshold else _still_wrong(model, x, y_fit))
        raise AssertionError(gettext("{name}: after {epochs} epochs R² on new data, in grams, is {r2:.3f}, below {threshold}.{hint}").format(name=name, epochs=epochs, r2=r2, threshold=threshold, hint=hint))
    _ok(name, gettext("no unscaled targets; R² {r2:.2f} ≥ {threshold} on new data after {epochs} epochs").format(r2=r2, threshold=threshold, epochs=epochs))


# -- Task 2: padding ----------------------------------------------------------------------
def check_reviews(build, hidden=False, threshold=0.9, epochs=4):
    """Task 2: ``build()`` returns a compiled model for :func:`last_word_data`; trained
    ``epochs`` epochs, it needs accuracy ≥ ``threshold`` on new sequences."""
    name = "build_review_model"
    train_seed, test_seed, n, keras_seed = _CASES[hidden]
    x, y = last_word_data(n, train_seed)
    x_test, y_test = last_word_data(512, test_seed)
    keras.utils.set_random_seed(keras_seed)
    model = _compiled_model(name, _call(name, build))
    _doctor_clear(name, model, x, y, {"unmasked_padding"})
    _fit(name, model, x, y, epochs, 64)
    accuracy = _binary_accuracy(name, model, x_test, y_test)
    if not accuracy >= threshold:
        raise AssertionError(gettext("{name}: after {epochs} epochs the accuracy on new sequences is {accuracy:.3f}, below {threshold}.{still_wrong_model_x_y}").format(name=name, epochs=epochs, accuracy=accuracy, threshold=threshold, still_wrong_model_x_y=_still_wrong(model, x, y)))
    _ok(name, gettext("padding masked; accuracy {accuracy:.2f} ≥ {threshold} on new sequences after {epochs} epochs").format(accuracy=accuracy, threshold=threshold, epochs=epochs))


def _binary_accuracy(name, model, x, y):
    p = np.asarray(model.predict(x, verbose=0), dtype="float64")
    if p.shape not in ((len(x), 1), (len(x),)):
        raise AssertionError(gettext("{name}: the model outputs {p_shape} for {x_shape} inputs; it should give one probability per sequence, (batch, 1).").format(name=name, p_shape=p.shape, x_shape=x.shape))
    return float(np.mean((p.ravel() > 0.5) == (y > 0.5)))


# -- Task 3: one softmax ----------------------------------------------------------------------
def check_topics(build, hidden=False, threshold=0.95, epochs=5):
    """Task 3: ``build()`` returns a compiled classifier for :func:`topic_data`; trained
    ``epochs`` epochs, it needs accuracy ≥ ``threshold`` on new sequences."""
    name = "build_topic_model"
    train_seed, test_seed, n, keras_seed = _CASES[hidden]
    x, y = topic_data(n, train_seed)
    x_test, y_test = topic_data(512, test_seed)
    keras.utils.set_random_seed(keras_seed)
    model = _compiled_model(name, _call(name, build))
    _doctor_clear(name, model, x, y, {"activation_loss_mismatch"})
    _fit(name, model, x, y, epochs, 32)
    p = np.asarray(model.predict(x_test, verbose=0), dtype="float64")
    if p.shape != (len(x_test), TOPIC_CLASSES):
        raise AssertionError(gettext("{name}: the model outputs {p_shape}; it should give one score per class, (batch, {TOPIC_CLASSES}).").format(name=name, p_shape=p.shape, TOPIC_CLASSES=TOPIC_CLASSES))
    accuracy = float(np.mean(p.argmax(-1) == y_test))
    if not accuracy >= threshold:
        raise AssertionError(gettext("{name}: after {epochs} epochs the accuracy on new sequences is {accuracy:.3f}, below {threshold}.{still_wrong_model_x_y}").format(name=name, epochs=epochs, accuracy=accuracy, threshold=threshold, still_wrong_model_x_y=_still_wrong(model, x, y)))
    _ok(name, gettext("one softmax; accuracy {accuracy:.2f} ≥ {threshold} on new sequences after {epochs} epochs").format(accuracy=accuracy, threshold=threshold, epochs=epochs))
