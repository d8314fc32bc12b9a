"""What the checks of the variant labs (07, 08) share: calling an answer, refusing the answer
key, comparing, naming a mistake or the other variant an answer belongs to, and saying what a
crash or a wrong shape most likely means.

Each lab's module passes its own answer key (the files an answer may not call) to :func:`_call`.
"""
import os
import sys

import numpy as np

from lstmcourse.grading import variants
from lstmcourse.grading import probes as _probes
from lstmcourse.grading.harness import _explain_crash, _inputs_by_name, _message, _sentence
from lstmcourse.grading.harness import _quietly as _probe_quietly
from lstmcourse.i18n import N_, gettext

_SELF = os.path.normcase(os.path.abspath(__file__))
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Course modules an answer may not call, but whose functions call each other freely.
_LIBRARY = {os.path.normcase(os.path.join(_PKG, f)) for f in ("generation.py", "attention.py")}


def answer_key(lab_file, lab_module, key_file, key_module):
    """{file: module name} of what an answer may not call: the course module ``key_file`` (the lab's
    answer key, e.g. ``generation.py``), the lab's checks (``lab_file``) and this harness."""
    return {os.path.normcase(os.path.join(_PKG, key_file)): key_module,
            os.path.normcase(os.path.abspath(lab_file)): lab_module, _SELF: lab_module}


def _lstm_step(w, x, h, c):
    """One step of the checks' own NumPy LSTM (Keras's gate order i, f, c, o): ``(h, [h, c])``."""
    z = x @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"]
    i, f, g, o = np.split(z, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    return h, [h, c]


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _variant(variant):
    """The variant to grade: the notebook's (:func:`variants.current`) unless one is given."""
    return variants.current() if variant is None else variants.check_variant(variant)


def _softmax(z, axis=-1):
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


_EXPECTED = {}


def _memo(task, fn):
    """``fn(variant)`` remembered per task (``"lab07:bits"``): the other variants' answers, for
    :func:`variants.owner`."""
    def expected_of(variant):
        if (task, variant) not in _EXPECTED:
            _EXPECTED[task, variant] = np.asarray(fn(variant), dtype="float64")
        return _EXPECTED[task, variant]
    return expected_of


def _ok(name, detail):
    print(gettext("✔ {name}: correct ({detail}).").format(name=name, detail=detail))


def _first_line(err):
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"


#: What a crash says, by who ran the code that raised: the answer itself, or a check building a
#: Keras model around it (lab 08's layer). Whole sentences, so each language keeps its word order.
_RAISED = {
    "function": (N_("{name}: your function raised AssertionError: {error}"),
                 N_("{name}: your function raised {error}"),
                 N_("{name}: your function raised {error}. {reading}")),
    "model": (N_("{name}: building it in a keras.Model raised AssertionError: {error}"),
              N_("{name}: building it in a keras.Model raised {error}"),
              N_("{name}: building it in a keras.Model raised {error}. {reading}")),
}


def _call(name, fn, *args, answer_key, allowed=(), arg_names=(), raised="function"):
    """Call the student's function; a stub's NotImplementedError passes through, any other error is
    named, and a call into ``answer_key`` ({file: module name}) from the answer fails. ``raised``:
    ``"model"`` when ``fn`` builds a Keras model around the answer (the message says so)."""
    if not callable(fn):
        raise AssertionError(gettext("{name}: expected a function, got {type}.").format(name=name,
                                                                                        type=type(fn).__name__))
    asserted, crashed, crashed_read = _RAISED[raised]
    used = []

    def hook(frame, event, arg):
        if event == "call":
            callee = os.path.normcase(frame.f_code.co_filename)
            key = answer_key.get(callee)
            caller = frame.f_back
            caller = os.path.normcase(caller.f_code.co_filename) if caller is not None else ""
            # a call from inside the answer key itself; or the checks calling their own helpers
            inside = caller == callee or (caller in answer_key or caller == _SELF) and callee not in _LIBRARY
            if key and not inside and frame.f_code.co_name not in allowed and (key, frame.f_code.co_name) not in used:
                used.append((key, frame.f_code.co_name))

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        out = fn(*args)
    except NotImplementedError:
        raise
    except AssertionError as err:
        raise AssertionError(gettext(asserted).format(name=name, error=err)) from None
    except Exception as err:  # noqa: BLE001 - a student's error, reported in one line
        sys.setprofile(previous)
        read = _explain_crash(err, _inputs_by_name(args, arg_names))
        if read:
            raise AssertionError(gettext(crashed_read).format(name=name, error=_first_line(err),
                                                              reading=_sentence(read))) from None
        raise AssertionError(gettext(crashed).format(name=name, error=_first_line(err))) from None
    finally:
        sys.setprofile(previous)
    if used:
        module, function = used[0]
        raise AssertionError(gettext("{name}: your code calls {module}.{function}, part of the course's answer key. "
                                     "Write it yourself.").format(name=name, module=module, function=function))
    return out


def _as_numbers(name, labelled):
    """Each ``(label, value)`` of a task whose answer is numbers, as a float; an AssertionError names the
    value that is not a number."""
    got = []
    for label, value in labelled:
        try:
            got.append(float(value))
        except (TypeError, ValueError):
            raise AssertionError(gettext("{name}: {label} must be a number, got {type}.").format(
                name=name, label=label, type=type(value).__name__)) from None
    return got


def _close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape != b.shape:
        return False
    same = (np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore"):
        diff = np.where(same, 0.0, np.abs(a - b))
        return bool(np.all(diff <= tol + tol * np.abs(np.where(same, 0.0, b))))


def _as_array(name, out):
    try:
        return np.asarray(out, dtype="float64")
    except (TypeError, ValueError):
        raise AssertionError(gettext("{name}: expected an array of numbers, got {type}.").format(
            name=name, type=type(out).__name__)) from None


def _diagnose(name, got, mistakes, expected_of, variant, tol=1e-6):
    """A wrong answer: the named mistake it matches, or the other variant it belongs to.

    ``mistakes``: (message, make_wrong) pairs; a message is marked with ``N_`` where it is written
    (or is ``(N_(pattern), fields)``) and translated here, when it names the answer's mistake."""
    for message, wrong in mistakes:
        try:
            with np.errstate(all="ignore"):
                candidate = wrong()
        except Exception:  # noqa: BLE001 - a mistake that cannot be computed on this case
            continue
        if candidate is not None and _close(got, candidate, tol):
            return _named(name, message)
    other = variants.owner(got, expected_of, variant)
    if other is not None:
        return gettext("{name}: this answer is variant {other}'s, not yours (variant {variant}): it was copied or "
                       "hard-coded from another notebook. Compute it from your own data.").format(
                           name=name, other=other, variant=variant)
    return None


def _named(name, message):
    """``name: message``, the mistake ``message`` (marked with ``N_``, see :func:`_diagnose`) translated."""
    return gettext("{name}: {message}").format(name=name, message=_message(message))


def _fail(name, got, expected, mistakes, expected_of, variant, what, locate=None):
    named = _diagnose(name, got, mistakes, expected_of, variant)
    if named:
        raise AssertionError(named)
    if np.shape(got) != np.shape(expected):
        raise AssertionError(gettext("{name}: expected {what} of shape {expected}, got shape {got}.").format(
            name=name, what=gettext(what), expected=np.shape(expected), got=np.shape(got)))
    where = _probe_quietly(locate) or _probe_quietly(lambda: _probes.relation(got, expected, gettext("the result")))
    if where:
        raise AssertionError(gettext("{name}: {message}").format(name=name, message=where))
    with np.errstate(invalid="ignore"):
        worst = float(np.nanmax(np.abs(np.asarray(got) - expected))) if np.size(got) else 0.0
    raise AssertionError(gettext("{name}: wrong values (largest difference {worst:.3g}); this matches none of the "
                                 "usual mistakes: compare with the formula line by line.").format(name=name,
                                                                                                 worst=worst))
