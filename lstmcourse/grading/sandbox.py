"""Fresh copies of the grading package for nbgrader's graded cells.

A student's notebook runs in the same Python process as the graded cells, so a solution
cell can rebind names the checks use: ``checks.check_rnn_step``, ``lstmcourse.tasks.teddy``
(to relabel the held-out data), ``np.allclose``, ``keras.Model.predict``, an entry of
``sys.modules``. The hidden part of every graded cell therefore runs

    import importlib
    importlib.reload(importlib.import_module("lstmcourse._grading")).fresh().check_rnn_step(rnn_step, hidden=True)

``reload`` re-executes ``_grading.py`` from disk, and :func:`fresh`

1. checks that the NumPy, Keras and ``sys`` functions the checks use are the libraries' own
   (:func:`integrity`): each must come from the library's files under its own name, so
   ``np.tanh = np.positive``, ``np.allclose = lambda *a, **k: True`` or a ``predict``
   written in the notebook make the grade refuse to run (0 points, and a message);
2. executes the whole of ``lstmcourse`` that the checks import (this package, ``tasks``,
   ``datasets``, ``reference``, ``doctor``) again from the files next to this one, while the
   notebook's modules are set aside from ``sys.modules`` and a finder for this folder comes
   first on ``sys.meta_path``; then it puts the notebook's modules back. The fresh modules
   keep references to each other only, because every grading module imports at module level;
3. self-tests the fresh copy: a correct answer must pass and a wrong one fail, and Keras's
   ``predict`` must equal NumPy on a model with known weights.

This protects the grade against redefinition, not against arbitrary code: a notebook can
still replace ``importlib`` itself or reach into C extensions. nbgrader runs submissions as
code; run autograde in a container, as nbgrader's documentation advises.

    >>> from lstmcourse import checks
    >>> copy = fresh()
    >>> copy.check_gru_step is checks.check_gru_step
    False
"""
import contextlib
import glob
import importlib
import importlib.abc
import importlib.machinery
import io
import os
import re
import sys
import types

import numpy as np

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # .../lstmcourse
_GRADING_DIR = os.path.join(_PKG_DIR, "grading")


# -- 1. the libraries are their own ----------------------------------------------------------
def _library_dir(name):
    """Where a library is installed, found on sys.path (not from the module object a notebook can edit)."""
    spec = importlib.machinery.PathFinder.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(list(spec.submodule_search_locations)[0]) + os.sep


def _used_names(prefix):
    """Every dotted name the grading modules use after ``np.`` or ``keras.`` (read from their source)."""
    pattern = re.compile(r"(?<![\w.])" + prefix + r"\.([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)")
    names = set()
    for path in glob.glob(os.path.join(_GRADING_DIR, "*.py")):
        with open(path, encoding="utf-8") as f:
            names |= set(pattern.findall(f.read()))
    return names


_KERAS_CLASSES = ("Model", "Sequential", "Input", "layers.Layer", "layers.RNN", "layers.SimpleRNN", "layers.LSTM",
                  "layers.GRU", "layers.SimpleRNNCell", "layers.LSTMCell", "layers.GRUCell", "layers.Embedding",
                  "layers.Dense", "layers.Bidirectional", "layers.TimeDistributed", "layers.Dropout",
                  "layers.InputLayer", "optimizers.Optimizer", "optimizers.Adam", "optimizers.AdamW",
                  "optimizers.RMSprop", "optimizers.SGD", "optimizers.Nadam", "losses.SparseCategoricalCrossentropy",
                  "callbacks.Callback", "ops.convert_to_numpy", "utils.set_random_seed")
#: Public NumPy names bound to an object of another name in NumPy itself.
_ALIASES = {("abs", "absolute"), ("max", "amax"), ("min", "amin"), ("round", "around"), ("conj", "conjugate"),
            ("mod", "remainder")}


def _resolve(module, dotted):
    obj = module
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _under(filename, root):
    return root is not None and os.path.realpath(filename).startswith(root)


def _functions_of(cls):
    """The Python functions a class defines itself (methods, static/class methods, properties)."""
    for key, value in vars(cls).items():
        for fn in (value, getattr(value, "__func__", None), getattr(value, "fget", None), getattr(value, "fset", None)):
            if isinstance(fn, types.FunctionType):
                yield key, fn


def _stranger(obj, name, root, library):
    """Why ``obj`` (found at ``library.name``) is not the library's own, or None."""
    short = name.rsplit(".", 1)[-1]
    if isinstance(obj, type):
        for klass in obj.__mro__:
            for key, fn in _functions_of(klass):
                if not (_under(fn.__code__.co_filename, root) or _under(fn.__code__.co_filename, _STDLIB)
                        or any(_under(fn.__code__.co_filename, r) for r in _FRIENDS)):
                    return f"{library}.{name}: {klass.__name__}.{key} is defined in {fn.__code__.co_filename}"
        return None
    owner = getattr(obj, "__self__", None)
    if isinstance(owner, np.ufunc) and "." in name:  # a ufunc's method, e.g. np.add.at: the ufunc must be NumPy's
        parent = name.rsplit(".", 1)[0]
        return _stranger(owner, parent, root, library) if getattr(obj, "__name__", None) == short else \
            f"{library}.{name} is {getattr(obj, '__name__', type(obj).__name__)}"
    if isinstance(obj, float):
        want = {"nan": np.isnan, "inf": np.isposinf}.get(short)
        return None if want is None or want(obj) else f"{library}.{name} is {obj!r}"
    code = getattr(obj, "__code__", None)
    own = getattr(obj, "__name__", None)
    if own != short and (short, own) not in _ALIASES:
        return f"{library}.{name} is {own or type(obj).__name__}"
    if isinstance(obj, types.FunctionType):  # Python code: from the library's files (Cython functions are not)
        return None if _under(code.co_filename, root) else f"{library}.{name} is defined in {code.co_filename}"
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return None if str(module).split(".")[0] in (library.split(".")[0], "numpy") else \
        f"{library}.{name} comes from {module}"


_STDLIB = os.path.realpath(os.path.dirname(os.__file__)) + os.sep
_FRIENDS = tuple(d for d in (_library_dir("tensorflow"), _library_dir("optree"), _library_dir("numpy")) if d)


def integrity():
    """Refuse to grade when a NumPy, Keras or ``sys`` function the checks use is not the library's own."""
    import keras

    problems = []
    for library, module, names in (("np", np, _used_names("np")),
                                   ("keras", keras, _used_names("keras") | set(_KERAS_CLASSES))):
        # where sys.path says the library is; an unusual install (zip, vendored) falls back to the module's own
        # folder, so that an honest notebook is never refused because of where the library lives
        root = _library_dir(module.__name__) or (
            os.path.dirname(os.path.realpath(module.__file__)) + os.sep if getattr(module, "__file__", None) else None)
        if sys.modules.get(module.__name__) is not module or not _under(getattr(module, "__file__", "") or "", root):
            problems.append(f"sys.modules[{module.__name__!r}] is not {module.__name__}")
            continue
        for name in sorted(names):
            try:
                obj = _resolve(module, name)
            except AttributeError:
                continue  # a module path used as a prefix, e.g. keras.layers.
            if isinstance(obj, type(np)):
                continue
            why = _stranger(obj, name, root, library)
            if why:
                problems.append(why)
    for name in ("setprofile", "getprofile"):
        fn = getattr(sys, name)
        if getattr(fn, "__self__", None) is not sys or fn.__name__ != name:
            problems.append(f"sys.{name} is not Python's")
    if problems:
        raise RuntimeError("The grader's integrity check failed: " + "; ".join(problems[:3]) + ". Something in this "
                           "notebook replaced a function the checks use; grade a clean copy.")


# -- 2. the package, executed again from disk ---------------------------------------------------
def _ours(name):
    return name == "lstmcourse" or name.startswith("lstmcourse.")


class _ThisFolder(importlib.abc.MetaPathFinder):
    """Finds ``lstmcourse`` and its submodules in the folder this file is in, before any other finder."""

    def find_spec(self, name, path=None, target=None):
        if not _ours(name):
            return None
        if name == "lstmcourse":
            return importlib.machinery.PathFinder.find_spec(name, [os.path.dirname(_PKG_DIR)])
        return importlib.machinery.PathFinder.find_spec(name, path)


def _same_language(notebook_i18n, fresh_i18n):
    """The fresh copy speaks the notebook's language (a Chinese lab's setup asked for zh_CN): only the
    words of the messages follow it, never what is compared; anything odd there means English."""
    if notebook_i18n is None or fresh_i18n is None:
        return
    try:
        fresh_i18n.set_language(notebook_i18n.language())
    except Exception:  # a notebook that broke its own i18n module gets the English messages
        fresh_i18n.set_language("en")


def load(lab=None):
    """The grading package and the modules of ``lab`` (see ``LAB_MODULES``, read from the fresh
    copy), and everything they import from ``lstmcourse``, executed again from disk; the
    notebook's own modules are put back after. Returns (package, {name: module})."""
    saved = {name: module for name, module in sys.modules.items() if _ours(name)}
    for name in saved:
        del sys.modules[name]
    finder = _ThisFolder()
    sys.meta_path.insert(0, finder)
    try:
        package = importlib.import_module("lstmcourse.grading")
        if lab not in package.LAB_MODULES:
            known = ", ".join(repr(k) for k in package.LAB_MODULES if k)
            raise ValueError(f"`lab` must be None (labs 01-05) or one of {known}. Received: lab={lab!r}")
        modules = tuple(package.LAB_MODULES[None]) + (tuple(package.LAB_MODULES[lab]) if lab else ())
        loaded = {m: importlib.import_module(f"lstmcourse.grading.{m}") for m in modules}
        _same_language(saved.get("lstmcourse.i18n"), sys.modules.get("lstmcourse.i18n"))
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if _ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
    return package, loaded


# -- 3. self-tests ----------------------------------------------------------------------------
# Compiled under a name outside the grading folder: the answer-key guard refuses answers
# that call into this folder.
_SELF_TEST_SOURCE = """
def good_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])


def bad_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"])
"""
_self_test_answers = {"np": np}
exec(compile(_SELF_TEST_SOURCE, "<grader self-test>", "exec"), _self_test_answers)
_good_step, _bad_step = _self_test_answers["good_step"], _self_test_answers["bad_step"]


def _self_test_steps(package):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            package.check_rnn_step(_good_step, hidden=True)
        except AssertionError as err:
            raise RuntimeError(f"The grader's self-test failed: a correct answer was rejected ({err}). Something "
                               "in this notebook changed NumPy or the checks; grade a clean copy.") from None
        try:
            package.check_rnn_step(_bad_step, hidden=True)
        except AssertionError:
            pass
        else:
            raise RuntimeError("The grader's self-test failed: a wrong answer was accepted. Something in this "
                               "notebook changed NumPy or the checks; grade a clean copy.")


def _self_test_keras():
    """``predict`` and ``fit`` of a one-layer model agree with NumPy (catches a patched Keras or TensorFlow)."""
    import keras

    rng = np.random.default_rng(0)
    kernel, bias, x = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(5, 3))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([kernel.astype("float32"), bias.astype("float32")])
    got = np.asarray(model.predict(x.astype("float32"), verbose=0), dtype=np.float64)
    if got.shape != (5, 2) or not np.allclose(got, x @ kernel + bias, rtol=1e-4, atol=1e-4):
        raise RuntimeError("The grader's self-test failed: keras.Model.predict does not compute what the model's "
                           "weights say. Something in this notebook changed Keras; grade a clean copy.")


def _self_test_lab06(module):
    """The doctor must find unscaled targets, and nothing about the targets once they are scaled."""
    import keras

    model = keras.Sequential([keras.Input((module.GRAMS_STEPS, 2)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    x, y = module.grams_data(64, seed=0)
    found = {f.name for f in module.doctor.examine(model, x, y, loss="mse")}
    scaled = {f.name for f in module.doctor.examine(model, x, (y - y.mean()) / y.std(), loss="mse")}
    if "unscaled_targets" not in found or "unscaled_targets" in scaled:
        raise RuntimeError("The grader's self-test failed: the doctor does not tell scaled from unscaled targets. "
                           "Something in this notebook changed Keras, NumPy or the doctor; grade a clean copy.")


_VARIANT_SELF_TEST_SOURCE = """
def good_probabilities(logits, temperature):
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def bad_probabilities(logits, temperature):
    return good_probabilities(logits, 1.0 if temperature else 0)


def good_masked_softmax(scores, mask):
    top = np.max(np.where(mask, scores, -1e300), axis=-1, keepdims=True)
    e = np.where(mask, np.exp(np.where(mask, scores - top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def bad_masked_softmax(scores, mask):
    return good_masked_softmax(scores, np.ones_like(mask))


def good_standardise(train, test):
    return (train - train.mean()) / train.std(), (test - train.mean()) / train.std()


def bad_standardise(train, test):
    whole = np.concatenate([train, test])
    return (train - whole.mean()) / whole.std(), (test - whole.mean()) / whole.std()
"""
_variant_answers = {"np": np}
exec(compile(_VARIANT_SELF_TEST_SOURCE, "<grader self-test>", "exec"), _variant_answers)


def _self_test_answers(check, good, bad):
    """``check`` (hidden case, variant 0) passes ``good`` and fails ``bad``, or RuntimeError."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            check(good, hidden=True, variant=0)
        except AssertionError as err:
            raise RuntimeError(f"The grader's self-test failed: a correct answer was rejected ({err}). Something "
                               "in this notebook changed NumPy or the checks; grade a clean copy.") from None
        try:
            check(bad, hidden=True, variant=0)
        except AssertionError:
            return
    raise RuntimeError("The grader's self-test failed: a wrong answer was accepted. Something in this notebook "
                       "changed NumPy or the checks; grade a clean copy.")


def _self_test_lab07(module):
    _self_test_answers(module.check_temperature, _variant_answers["good_probabilities"],
                       _variant_answers["bad_probabilities"])


def _self_test_lab08(module):
    _self_test_answers(module.check_masked_softmax, _variant_answers["good_masked_softmax"],
                       _variant_answers["bad_masked_softmax"])


def _self_test_lab09(module):
    _self_test_answers(module.check_standardise, _variant_answers["good_standardise"],
                       _variant_answers["bad_standardise"])


#: Extra self-tests of a lab's own module (takes the fresh module, raises RuntimeError).
_SELF_TESTS = {"lab06": _self_test_lab06, "lab07": _self_test_lab07, "lab08": _self_test_lab08,
               "lab09": _self_test_lab09}


def fresh(lab=None):
    """A fresh, checked copy of the grading package: for labs 01–05 (``lab=None``) the package
    (its ``check_*`` functions), for ``lab="labNN"`` that lab's module."""
    integrity()
    package, loaded = load(lab)
    _self_test_steps(package)
    _self_test_keras()
    if lab is None:
        return package
    module = loaded[package.LAB_MODULES[lab][0]]
    if lab in _SELF_TESTS:
        _SELF_TESTS[lab](module)
    return module
