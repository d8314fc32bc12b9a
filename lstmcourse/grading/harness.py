"""The harness every check shares: call an answer, refuse the answer key, compare, name the mistake.

- :func:`_call` runs a student's function: it turns stubs and crashes into messages,
  refuses calls into the course's answer key (:class:`_AnswerKeyGuard`, a profiler hook)
  and inputs changed in place;
- :func:`_array` turns a return value into a float array of the expected shape, or a
  message saying why not;
- :func:`_diagnose` passes a result equal to the expected one, or names the first entry of
  a catalogue of plausible mistakes that it equals.

The fixed test cases (:func:`_case`) live here too: the NumPy checks and the Keras cell
checks draw the same weights.
"""
import ast
import builtins
import difflib
import importlib.util
import inspect
import itertools
import linecache
import os
import re
import sys
import types

import numpy as np

from lstmcourse.i18n import N_, gettext
from lstmcourse.grading import probes as _probes

RTOL, ATOL = 1e-5, 1e-6


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda a: np.maximum(a, 0.0),
    "no activation (identity)": lambda a: a,
    "2σ(a) − 1": lambda a: 2.0 / (1.0 + np.exp(-a)) - 1.0,
}


# -- the answer key may not be called from an answer ------------------------------------
def _answer_key_paths():
    """Files whose functions and classes are the answer key (answers may not call them)."""
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [os.path.join(pkg, "reference") + os.sep, os.path.join(pkg, "cells") + os.sep,
             os.path.join(pkg, "grading") + os.sep, os.path.join(pkg, "diagnostics.py"),
             os.path.join(pkg, "tracing.py"), os.path.join(pkg, "checks.py"), os.path.join(pkg, "_grading.py")]
    try:
        spec = importlib.util.find_spec("keras")
        rnn_dir = os.path.join(list(spec.submodule_search_locations)[0], "src", "layers", "rnn")
        paths += [os.path.join(rnn_dir, f) for f in ("simple_rnn.py", "lstm.py", "gru.py")]
    except Exception:  # keras not installed: nothing of it to guard
        pass
    return tuple(paths)


_KEY_PATHS = _answer_key_paths()


def _is_key(filename):
    filename = os.path.abspath(filename) if filename and not filename.startswith("<") else (filename or "")
    return filename.startswith(_KEY_PATHS) or filename in _KEY_PATHS


def _key_name(code):
    path = os.path.abspath(code.co_filename)
    for marker in ("lstmcourse", "keras"):
        parts = path.split(os.sep)
        if marker in parts:
            i = len(parts) - 1 - parts[::-1].index(marker)
            module = ".".join(parts[i:])[: -len(".py")]
            return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"
    return code.co_name


def _where(code):
    return (os.path.abspath(code.co_filename), code.co_firstlineno, code.co_name)


class _AnswerKeyGuard:
    """Records every call into the answer key that comes from outside it (from the answer)."""

    def __init__(self, allowed=()):
        # by place in the source, not by code object: a fresh copy of the checks compiles the
        # given functions (e.g. reference.rnn_forward) again, and the notebook passes its own copy
        self.allowed = {_where(getattr(f, "__code__", f)) for f in allowed}
        self.hits = []

    def _profile(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if code is _AnswerKeyGuard.__exit__.__code__ or not _is_key(code.co_filename) or _where(code) in self.allowed:
            return
        caller = frame.f_back
        if caller is None:
            return
        if _is_key(caller.f_code.co_filename) and caller.f_code not in _ENTRY_CODES:
            return  # the answer key calling itself (e.g. the given rnn_forward calling rnn_step)
        self.hits.append(_key_name(code))

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False

    def verdict(self, name):
        if self.hits:
            raise AssertionError(gettext("{name} calls {key}, part of the course's answer key. Write the computation yourself (NumPy for the step functions, keras.ops for the cells).").format(name=name, key=self.hits[0]))


class _Swapped:
    """Temporarily replace names in a function's globals (e.g. grade rnn_forward with a correct rnn_step)."""

    def __init__(self, fn, replacements):
        self.namespace = getattr(fn, "__globals__", None)
        self.replacements = {k: v for k, v in (replacements or {}).items()
                             if self.namespace is not None and callable(self.namespace.get(k))}

    def __enter__(self):
        self.saved = {k: self.namespace[k] for k in self.replacements}
        self.namespace.update(self.replacements)
        return self

    def __exit__(self, *exc):
        if self.namespace is not None:
            self.namespace.update(self.saved)
        return False


# -- plumbing -----------------------------------------------------------------------
def _ok(name, detail=""):
    if detail:
        print(gettext("✔ {name}: correct ({detail}).").format(name=name, detail=detail))
    else:
        print(gettext("✔ {name}: correct.").format(name=name))


def _message(message):
    """A mistake's message in the learner's language: a string marked with ``N_`` where it was
    written (a catalogue built at import time), or ``(N_(pattern), fields)`` for one with fields."""
    if isinstance(message, tuple):
        pattern, fields = message
        return gettext(pattern).format(**fields)
    return gettext(message)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _error_line(err):
    """The useful line of an error (Keras wraps errors in 'Exception encountered when calling X.call()')."""
    text = _ANSI.sub("", str(err))
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("Exception encountered when calling")]
    kept = []
    for ln in lines:
        if ln.startswith("Arguments received by") or ln.startswith("Call arguments received by"):
            break
        kept.append(ln)
    return " ".join(kept)[:400] or type(err).__name__


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return None


def _changed(before, after):
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(after, before, equal_nan=True))
    if isinstance(before, dict):
        return any(k not in after or _changed(v, after[k]) for k, v in before.items() if v is not None)
    return False


from lstmcourse.grading.crash_reader import (  # noqa: E402,F401 (the crash reader, re-exported)
    _COMPARE,
    _GRADING_ROOT,
    _IN_PLACE,
    _LIBRARY_ROOTS,
    _OPS,
    _PACKAGE_ROOT,
    _PURE_BUILTINS,
    _PURE_METHODS,
    _REDUCTIONS,
    _SYMBOL,
    _Unknown,
    _assigned_lines,
    _assignment,
    _broadcasts,
    _callee,
    _copied,
    _explain_binop,
    _explain_call,
    _explain_crash,
    _failing_node,
    _fn_label,
    _function_def,
    _gates,
    _index_for,
    _is_library,
    _is_numpy_function,
    _known_name,
    _known_part,
    _moved_new_axis,
    _not_an_array,
    _parameter_names,
    _position,
    _read_arguments,
    _read_aug_assign,
    _read_axis_error,
    _read_index_error,
    _read_innermost,
    _read_name_error,
    _read_numpy_call,
    _read_outer_calls,
    _read_reversed_twice,
    _read_split,
    _read_swapped_calls,
    _read_truth_value,
    _read_type_error,
    _read_unpacking,
    _reduced_elsewhere,
    _root_name,
    _runs,
    _shape_of,
    _small,
    _source_keepdims,
    _source_tree,
    _statement,
    _student_frame,
    _student_frames,
    _swapped_names,
    _t,
    _value,
)


def _sentence(text):
    """``text`` with a capital first letter, unless it starts with code (``np.``, a backquote)."""
    return text if text.startswith(("np.", "`")) else text[:1].upper() + text[1:]


def _inputs_by_name(args, arg_names):
    """{name: array} of the arguments an answer was given, a dict's entries under their keys."""
    known = {}
    for i, arg in enumerate(args):
        label = arg_names[i] if i < len(arg_names) else gettext("argument {n}").format(n=i + 1)
        if isinstance(arg, np.ndarray):
            known[label] = arg
        elif isinstance(arg, dict):
            known.update({str(k): v for k, v in arg.items() if isinstance(v, np.ndarray)})
    return known


def _call(name, fn, *args, arg_names=(), allowed=(), swap=None, check_inputs=True):
    """Call the student's function; refuse the answer key; turn stubs and crashes into clear messages."""
    if not callable(fn):
        raise AssertionError(gettext("{name}: expected a function, got {type}. Pass the function itself, without calling it: check_{name}({name}), not check_{name}({name}(...)).").format(name=name, type=type(fn).__name__))
    before = [_snapshot(a) for a in args]
    swapped = _Swapped(fn, swap)
    guard = _AnswerKeyGuard(allowed=tuple(allowed) + tuple(swapped.replacements.values()))
    try:
        with swapped, guard:
            result = fn(*args)
    except NotImplementedError:
        raise NotImplementedError(gettext("{name} is not written yet: replace `raise NotImplementedError()` with your code, then run this check again.").format(name=name)) from None
    except Exception as err:  # the student's code crashed: say where, in their terms
        guard.verdict(name)
        hint = gettext("Check the shapes of the matrices you multiply; print them with .shape.")
        read = _explain_crash(err, _inputs_by_name(before, arg_names))
        if read and gettext("Likely mistake:") in read:  # every pattern with a guess says it, in either language
            raise AssertionError(gettext("{name} raised {error}: {detail}. {hint}").format(
                name=name, error=type(err).__name__, detail=_error_line(err), hint=_sentence(read))) from None
        if name.endswith("_forward") and isinstance(err, (IndexError, ValueError)):
            hint = gettext("x is (batch, time, features): the input of step t is x[:, t], not x[t] (a sequence of "
                           "the batch). {hint}").format(hint=hint)
        if read:
            hint = gettext("{reading} {hint}").format(reading=_sentence(read), hint=hint)
        raise AssertionError(gettext("{name} raised {error}: {detail}. {hint}").format(name=name, error=type(err).__name__, detail=_error_line(err), hint=hint)) from None
    guard.verdict(name)
    if check_inputs:
        for i, (b, a) in enumerate(zip(before, args)):
            if b is not None and _changed(b, a):
                arg = arg_names[i] if i < len(arg_names) else gettext("argument {n}").format(n=i + 1)
                raise AssertionError(gettext("{name} changes its input `{arg}` in place (e.g. `{arg} += ...`, `{arg}[...] = ...` or `*=`). The caller still needs the old values: compute a new array instead (`a = a + ...`).").format(name=name, arg=arg))
    return result


#: Functions of the checks whose calls into the answer key come from the answer (the check
#: calls the student's code from there): :func:`_call` and the Keras cell check.
_ENTRY_CODES = {_call.__code__}


def _array(name, value, shape, what=N_("the result")):
    """``value`` as a float array of ``shape``, or an AssertionError explaining why not."""
    what = gettext(what)
    if value is None:
        raise AssertionError(gettext("{name} returned None as {what}. Did you forget a `return` statement?").format(name=name, what=what))
    if isinstance(value, (list, tuple)):
        raise AssertionError(gettext("{name} returned a {type} as {what}; return a NumPy array (np.asarray(...) or np.stack(...)).").format(name=name, type=type(value).__name__, what=what))
    if not hasattr(value, "shape"):
        raise AssertionError(gettext("{name} returned {type} as {what}; expected a NumPy array of shape {shape}.").format(name=name, type=type(value).__name__, what=what, shape=tuple(shape)))
    try:
        arr = np.asarray(value)
    except Exception as err:
        raise AssertionError(gettext("{name} returned a {type} as {what} that is not a NumPy array ({detail}). Use NumPy in this task.").format(name=name, type=type(value).__name__, what=what, detail=_error_line(err))) from None
    if not np.issubdtype(arr.dtype, np.floating):
        raise AssertionError(gettext("{name} returned {what} of dtype {dtype}; expected floats. Did you create it with np.zeros(..., dtype=int) or round it?").format(name=name, what=what, dtype=arr.dtype))
    _same_shape(name, arr.shape, shape, what)
    if not np.all(np.isfinite(arr)):
        raise AssertionError(gettext("{name}: {what} contains NaN or inf. Did you use np.empty without filling every entry, or let values overflow?").format(name=name, what=what))
    return arr.astype(np.float64)


def _same_shape(name, got, shape, what):
    what = gettext(what)
    got, shape = tuple(got), tuple(shape)
    if got == shape:
        return
    hint = ""
    if sorted(got) == sorted(shape):
        hint = gettext(" The same numbers in another order: did you transpose, or swap batch and time?")
    elif len(got) == len(shape) + 1 or len(got) + 1 == len(shape):
        hint = gettext(" One axis too many or too few: check what you index, stack or sum over.")
    elif len(got) == len(shape) and got[-1] in (2 * shape[-1], 3 * shape[-1], 4 * shape[-1]):
        hint = gettext(" The last axis is a multiple of the units: did you return concatenated gates or states?")
    elif len(got) == len(shape) and len(got) >= 2 and got[1] == shape[1] + 1:
        hint = gettext(" One step too many: leave h0 out of the result.")
    elif len(got) == len(shape) and got[0] == 1 and shape[0] > 1 and got[1:] == shape[1:]:
        hint = gettext(" The batch axis has size 1: did you average or sum over the batch (axis 0)?")
    elif len(got) == len(shape) and len(got) >= 2 and got[1] == shape[1] - 1:
        hint = gettext(" One step too few: the loop must visit every step, for t in range(T).")
    raise AssertionError(gettext("{name}: {what} has shape {got}, expected {shape}.{hint}").format(name=name, what=what, got=got, shape=shape, hint=hint))


def _close(a, b, rtol=RTOL, atol=ATOL):
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _diagnose(name, got, expected, mistakes, what=N_("the result"), rtol=RTOL, atol=ATOL, locate=None):
    """Pass if ``got`` matches ``expected``; otherwise name the matching mistake.

    When no entry of the catalogue matches, ``locate()`` (if given) may say where the mistake
    is, from probes: the answer run again on inputs that switch parts of the equation off
    (e.g. ``h_prev = 0``): the part whose removal makes the answer right is the wrong one.
    """
    got = np.asarray(got, dtype=np.float64)
    _same_shape(name, got.shape, np.shape(expected), what)
    what = gettext(what)
    if _close(got, expected, rtol, atol):
        return
    for message, make_wrong in mistakes:
        try:
            wrong = make_wrong()
        except Exception:  # a mistake that cannot be built for this case
            continue
        if _close(got, wrong, 1e-4, 1e-5):
            raise AssertionError(gettext("{name}: {what} is wrong: {message}").format(name=name, what=what, message=_message(message)))
    if np.allclose(got, 0.0, atol=1e-12):
        raise AssertionError(gettext("{name}: {what} is zero everywhere. Is something never added to, or overwritten with zeros at the end?").format(name=name, what=what))
    ratio = _constant_ratio(got, expected)
    if ratio is not None:
        raise AssertionError(gettext("{name}: {what} is off by a factor of {ratio:.4g} (every entry). Look for a missing or extra scale factor, e.g. dividing by the batch size or a doubled sum.").format(name=name, what=what, ratio=ratio))
    where = _quietly(locate) if locate is not None else None
    where = where or _quietly(lambda: _probes.relation(got, expected, what))
    if where:
        raise AssertionError(gettext("{name}: {what} is wrong: {where}").format(name=name, what=what, where=where))
    diff = float(np.max(np.abs(got - expected)))
    raise AssertionError(gettext("{name}: {what} differs from the expected values by up to {diff:.3g}. It matches none of the usual mistakes; compare your code with the equations line by line.").format(name=name, what=what, diff=diff))


def _quietly(fn):
    """``fn()``, or None if it raises (a probe the answer cannot run is no evidence)."""
    try:
        return fn()
    except Exception:
        return None


def _probe(fn, expected, *args):
    """Whether ``fn(*args)`` (on copies) equals ``expected``; False if it fails."""
    copies = [_snapshot(a) if _snapshot(a) is not None else a for a in args]
    try:
        out = fn(*copies)
        if isinstance(expected, tuple):
            return isinstance(out, (tuple, list)) and len(out) == len(expected) and all(
                _close(np.asarray(o, np.float64), e) for o, e in zip(out, expected))
        return _close(np.asarray(out, np.float64), expected)
    except Exception:
        return False


def _first_wrong_step(got, expected):
    """The index of the first time step (axis 1) where ``got`` differs from ``expected``."""
    for t in range(expected.shape[1]):
        if not _close(got[:, t], expected[:, t]):
            return t
    return None


def _constant_ratio(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return None
    mask = np.abs(expected) > 1e-8
    if not mask.any():
        return None
    ratios = got[mask] / expected[mask]
    if np.allclose(ratios, ratios.flat[0], rtol=1e-4) and not np.isclose(ratios.flat[0], 1.0) \
            and not np.isclose(ratios.flat[0], 0.0):
        return float(ratios.flat[0])
    return None


def _unpack(name, result, n, names):
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = type(result).__name__ if not isinstance(result, (tuple, list)) else gettext("{n} values").format(n=len(result))
        raise AssertionError(gettext("{name} must return {n} values ({names}); it returned {got}.").format(name=name, n=n, names=', '.join(names), got=got))
    return result


# -- fixed test cases ---------------------------------------------------------------------
BATCH, TIME, FEATURES, UNITS = 2, 5, 3, 4          # the visible case
_HIDDEN_DIMS = (3, 6, 5, 6)                         # the hidden case: other sizes, other seeds


def _dims(hidden):
    return _HIDDEN_DIMS if hidden else (BATCH, TIME, FEATURES, UNITS)


def _case(gates, seed, reset_after=False, hidden=False):
    rng = np.random.default_rng(seed + (1000 if hidden else 0))
    return _draw_case(rng, gates, _dims(hidden), reset_after)


def _draw_case(rng, gates, dims, reset_after=False):
    """``(params, x, h, c)`` drawn from ``rng`` for a cell of ``gates`` gates and sizes ``dims`` =
    (batch, time, features, units), in this order (the fixed cases and the variants' depend on it)."""
    batch, time, features, units = dims
    bias_shape = (2, gates * units) if reset_after else (gates * units,)
    params = {
        "kernel": rng.normal(scale=0.6, size=(features, gates * units)),
        "recurrent_kernel": rng.normal(scale=0.6, size=(units, gates * units)),
        "bias": rng.normal(scale=0.5, size=bias_shape),
    }
    x = rng.normal(size=(batch, time, features))
    h = rng.normal(scale=0.6, size=(batch, units))
    c = rng.normal(scale=0.6, size=(batch, units))
    return params, x, h, c


def _copy(params):
    return {k: np.array(v, copy=True) for k, v in params.items()}
