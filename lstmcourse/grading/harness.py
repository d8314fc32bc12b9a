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
import importlib.util
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


# -- reading a crash: which expression failed, the shapes in it, the likely mistake ----------------
_LIBRARY_ROOTS = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (np, os)
                       if getattr(m, "__file__", None))
_GRADING_ROOT = os.path.dirname(os.path.abspath(__file__)) + os.sep
_OPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
        ast.MatMult: np.matmul, ast.Pow: np.power}
_SYMBOL = {ast.Add: "+", ast.Sub: "−", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}
#: Array methods the reader may call again (they compute a new array, nothing else).
_PURE_METHODS = ("reshape", "sum", "mean", "max", "min", "transpose", "squeeze", "copy", "astype", "ravel")
_REDUCTIONS = ("sum", "mean", "max", "min")


class _Unknown(Exception):
    """An expression the crash reader does not evaluate (a call of the student's, a method, ...)."""


def _is_library(filename):
    filename = os.path.abspath(filename) if filename and not filename.startswith("<") else (filename or "")
    return filename.startswith(_LIBRARY_ROOTS + (_GRADING_ROOT,)) or "site-packages" in filename


def _student_frame(tb):
    """The innermost traceback entry in the answer's own code (not NumPy's, not the checks')."""
    found = None
    while tb is not None:
        if not _is_library(tb.tb_frame.f_code.co_filename):
            found = tb
        tb = tb.tb_next
    return found


def _failing_node(tb):
    """The expression that raised (Python 3.11+ records its columns), parsed, or None."""
    code = tb.tb_frame.f_code
    try:
        lineno, end_lineno, col, end_col = list(code.co_positions())[tb.tb_lasti // 2]
    except (AttributeError, IndexError, ValueError, TypeError):
        return None
    if lineno is None or col is None or end_col is None:
        return None
    lines = [linecache.getline(code.co_filename, n, tb.tb_frame.f_globals).encode("utf-8")
             for n in range(lineno, (end_lineno or lineno) + 1)]
    if not lines or not lines[0]:
        return None
    text = lines[0][col:end_col] if len(lines) == 1 else lines[0][col:] + b"".join(lines[1:-1]) + lines[-1][:end_col]
    try:
        return ast.parse(text.decode("utf-8", "ignore").strip(), mode="eval").body
    except SyntaxError:
        return None


def _value(node, frame):
    """``node`` evaluated in the answer's frame without calling its code: names, constants, ``.T``,
    indexing, arithmetic, and NumPy functions."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        for space in (frame.f_locals, frame.f_globals, vars(__builtins__) if isinstance(__builtins__, types.ModuleType)
                      else __builtins__):
            if node.id in space:
                return space[node.id]
        raise _Unknown(node.id)
    if isinstance(node, ast.Attribute):
        obj = _value(node.value, frame)
        if node.attr == "T" and isinstance(obj, np.ndarray):
            return obj.T
        if isinstance(obj, types.ModuleType) and obj.__name__.split(".")[0] == "numpy":
            return getattr(obj, node.attr)
        raise _Unknown(node.attr)
    if isinstance(node, ast.Subscript):
        obj = _value(node.value, frame)
        if not isinstance(obj, (np.ndarray, dict, list, tuple)):
            raise _Unknown("subscript")
        return obj[_value(node.slice, frame)]
    if isinstance(node, ast.Slice):
        return slice(*(None if part is None else _value(part, frame) for part in (node.lower, node.upper, node.step)))
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_value(e, frame) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, frame)
    if isinstance(node, ast.IfExp):
        return _value(node.body if _value(node.test, frame) else node.orelse, frame)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        with np.errstate(all="ignore"):
            return _OPS[type(node.op)](_value(node.left, frame), _value(node.right, frame))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PURE_METHODS:
        obj = _value(node.func.value, frame)
        if isinstance(obj, np.ndarray) and not any(k.arg in (None, "out") for k in node.keywords):
            return getattr(obj, node.func.attr)(*[_value(a, frame) for a in node.args],
                                                **{k.arg: _value(k.value, frame) for k in node.keywords})
    if isinstance(node, ast.Call):
        fn = _value(node.func, frame)
        if not (callable(fn) and str(getattr(fn, "__module__", "") or "").startswith("numpy")
                or isinstance(fn, np.ufunc)) or any(k.arg in (None, "out") for k in node.keywords):
            raise _Unknown("call")
        with np.errstate(all="ignore"):
            return fn(*[_value(a, frame) for a in node.args], **{k.arg: _value(k.value, frame) for k in node.keywords})
    raise _Unknown(type(node).__name__)


def _shape_of(value):
    return tuple(np.shape(value)) if isinstance(value, (np.ndarray, np.generic, float, int)) else None


def _known_name(value, known):
    """Which given input ``value`` is (``kernel``, ``x_t``, ...), or its transpose, else None."""
    if not isinstance(value, np.ndarray):
        return None
    for label, arr in known.items():
        arr = np.asarray(arr) if isinstance(arr, np.ndarray) else None
        if arr is None:
            continue
        if arr.shape == value.shape and np.array_equal(arr, value):
            return label
        if arr.ndim == 2 and arr.T.shape == value.shape and arr.shape != value.shape and np.array_equal(arr.T, value):
            return f"{label}.T"
    return None


def _broadcasts(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _index_for(shape, axis):
    """The indexing that inserts a new axis at ``axis``: ``[:, None, :]``."""
    parts = [":"] * len(shape)
    parts.insert(axis, "None")
    return "[" + ", ".join(parts) + "]"


def _reduced_elsewhere(node, frame, other):
    """For ``a.sum(k)`` (mean, max, min) that does not fit ``other``: the axis whose reduction would."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _REDUCTIONS):
        return None
    base = _value(node.func.value, frame)
    if not isinstance(base, np.ndarray):
        return None
    for axis in range(base.ndim):
        reduced = getattr(base, node.func.attr)(axis)
        if reduced.shape == tuple(other) or (reduced.ndim == len(other) and _broadcasts(reduced.shape, other)
                                             and reduced.shape[-1] == other[-1]):
            pattern = (gettext("`{base}.{fn}({axis})` would fit: {fn} over axis {axis} (the batch).") if axis == 0
                       else gettext("`{base}.{fn}({axis})` would fit: {fn} over axis {axis}."))
            return pattern.format(base=ast.unparse(node.func.value), fn=node.func.attr, axis=axis)
    return None


def _explain_binop(node, frame, known, op=None, left_node=None, right_node=None):
    op = op or type(node.op)
    left_node, right_node = left_node or node.left, right_node or node.right
    left, right = _value(left_node, frame), _value(right_node, frame)
    a, b = _shape_of(left), _shape_of(right)
    if a is None or b is None:
        return None
    L, R = (f"({ast.unparse(n)})" if isinstance(n, (ast.IfExp, ast.BinOp, ast.Lambda)) else ast.unparse(n)
            for n in (left_node, right_node))

    def named(text, value):
        who = _known_name(value, known)
        return gettext("`{code}` ({who}, shape {shape})").format(code=text, who=who, shape=_shape_of(value)) \
            if who and who != text else gettext("`{code}` (shape {shape})").format(code=text, shape=_shape_of(value))
    where = dict(expr=f"{L} {_SYMBOL[op]} {R}" if op in _SYMBOL else ast.unparse(node),
                 left=named(L, left), right=named(R, right))
    if op is ast.MatMult:
        if len(a) < 1 or len(b) < 1 or a[-1] == (b[-2] if len(b) > 1 else b[0]):
            return None
        guess = ""
        if R.endswith(".T") and len(a) == 2 and len(b) == 2 and b[0] == a[0]:
            guess = gettext("`{code}` would fit: the batch is the first axis, so an input multiplies its weight from "
                            "the left (x @ W), not W @ xᵀ.").format(code=f"{R[:-2]} @ {L}")
        elif len(a) == 1 and len(b) >= 2 and b[-1] == a[0]:
            guess = gettext("`{code}` would fit: put the vector last, so it contracts the last axis of "
                            "`{matrix}`.").format(code=f"{R} @ {L}", matrix=R)
        elif len(b) == 2 and a[-1] == b[1]:
            guess = (gettext("`{code}` without .T would fit: it is transposed once too often.").format(code=R[:-2])
                     if R.endswith(".T") else
                     gettext("`{code}.T` would fit: the transpose of `{code}` is meant here.").format(code=R))
        elif len(a) >= 2 and a[-2] == b[0]:
            guess = (gettext("`{left} @ {right}` would fit: drop the .T (the rows of `{left}` are the "
                             "batch).").format(left=L[:-2], right=R)
                     if L.endswith(".T") else
                     gettext("`{left}.T @ {right}` would fit (as in a weight's gradient, inputᵀ·δ, which sums over "
                             "the batch).").format(left=L, right=R))
        if not guess:
            fits = [label for label, arr in known.items() if isinstance(arr, np.ndarray) and arr.ndim == 2
                    and arr.shape[0] == a[-1] and not np.array_equal(arr, right)]
            if fits:
                guess = gettext("{weight} (shape {shape}) would fit where `{code}` is: are two weights "
                                "swapped?").format(weight=fits[0], shape=np.shape(known[fits[0]]), code=R)
        sizes = dict(m=a[-1], n=b[-2] if len(b) > 1 else b[0])
        if guess:
            return gettext("in `{expr}`, {left} and {right}: the inner sizes {m} and {n} differ. Likely mistake: "
                           "{guess}").format(**where, **sizes, guess=guess)
        return gettext("in `{expr}`, {left} and {right}: the inner sizes {m} and {n} differ. The columns of the "
                       "left must equal the rows of the right.").format(**where, **sizes)
    if _broadcasts(a, b):
        return None
    guess = ""
    for text, shape, other in ((L, a, b), (R, b, a)):
        if 1 in shape:
            squeezed = tuple(n for n in shape if n != 1)
            if _broadcasts(squeezed, other):
                guess = gettext("`{code}` has an extra axis of size 1; as a {ndim}-D array of shape {shape} it would "
                                "broadcast (a bias of shape (units,) is added to (batch, units) as it is, no "
                                "[:, None]).").format(code=text, ndim=len(squeezed), shape=squeezed)
                break
    if not guess:
        for text, shape, other in ((L, a, b), (R, b, a)):
            if len(shape) + 1 == len(other):
                fits = [axis for axis in range(len(shape) + 1) if _broadcasts(shape[:axis] + (1,) + shape[axis:], other)]
                if len(fits) == 1:
                    guess = gettext("`{code}` needs an axis for the other's size {size}: `{code}{index}` broadcasts "
                                    "over it.").format(code=text, size=other[fits[0]],
                                                       index=_index_for(shape, fits[0]))
                elif fits:
                    options = [f"`{text}{_index_for(shape, ax)}`" for ax in fits]
                    while len(options) > 1:  # "`a` or `b` or `c`", one pattern at a time
                        options[:2] = [gettext("{first} or {second}").format(first=options[0], second=options[1])]
                    guess = gettext("`{code}` needs a new axis where it has none of the other's: {options} (which one "
                                    "depends on what its axes mean).").format(code=text, options=options[0])
            if guess:
                break
    if not guess:
        guess = _reduced_elsewhere(left_node, frame, b) or _reduced_elsewhere(right_node, frame, a) or ""
    if not guess and sorted(a) == sorted(b) and a != b:
        guess = gettext("The same sizes in another order: one of them is transposed.")
    if guess:
        return gettext("in `{expr}`, {left} and {right} do not broadcast together. Likely mistake: "
                       "{guess}").format(**where, guess=guess)
    return gettext("in `{expr}`, {left} and {right} do not broadcast together.").format(**where)


def _explain_call(node, frame, known):
    fn = _value(node.func, frame)
    name = getattr(fn, "__name__", "")
    if name in ("dot", "matmul") and len(node.args) == 2:
        return _explain_binop(node, frame, known, ast.MatMult, node.args[0], node.args[1])
    if name not in ("concatenate", "stack", "hstack", "vstack") or not node.args:
        return None
    arrays = _value(node.args[0], frame)
    axis = next((_value(k.value, frame) for k in node.keywords if k.arg == "axis"),
                _value(node.args[1], frame) if len(node.args) > 1 else {"hstack": 1, "vstack": 0}.get(name, 0))
    shapes = [_shape_of(np.asarray(x)) for x in arrays]
    parts = ", ".join(f"`{ast.unparse(e)}` {sh}" for e, sh in zip(getattr(node.args[0], "elts", []), shapes))
    if name == "concatenate" and len({sh[:-1] for sh in shapes}) == 1 and axis not in (-1, len(shapes[0]) - 1):
        return gettext("np.{name} on axis {axis} of {arrays}. Likely mistake: they agree on every axis but the last: "
                       "join them on the last axis (axis=-1), side by side, not on axis {axis}.").format(
                           name=name, axis=axis, arrays=parts or shapes)
    return gettext("np.{name} on axis {axis} of {arrays}.").format(name=name, axis=axis, arrays=parts or shapes)


def _explain_crash(err, known=None):
    """A sentence naming the expression of the answer that raised, the shapes in it and the likely
    mistake, or None. ``known``: the inputs the answer was given, by name (to say which is which)."""
    tb = _student_frame(err.__traceback__)
    if tb is None:
        return None
    node = _failing_node(tb)
    if node is None:
        return None
    known = {k: v for k, v in (known or {}).items() if isinstance(v, np.ndarray)}
    try:
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _explain_binop(node, tb.tb_frame, known)
        if isinstance(node, ast.Call):
            return _explain_call(node, tb.tb_frame, known)
    except Exception:  # noqa: BLE001 - the reader must never turn a student's crash into the grader's
        return None
    return None


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
    batch, time, features, units = _dims(hidden)
    rng = np.random.default_rng(seed + (1000 if hidden else 0))
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
