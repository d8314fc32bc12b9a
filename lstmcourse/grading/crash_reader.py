"""Reading a crash: when a student's answer raises, which expression failed, what its arrays are (which input or
weight, with its shape) and the likely mistake, established without running the student's code again.

:func:`_explain_crash` is the entry point (``harness._call`` asks it); each ``_read_*`` function reads one kind
of error (names, unpacking, indices, axes, broadcasting, matrix products, calls), and says "Likely mistake:" only
when the reading has established it.
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

# -- reading a crash: which expression failed, the shapes in it, the likely mistake ----------------
_LIBRARY_ROOTS = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (np, os)
                       if getattr(m, "__file__", None))
_GRADING_ROOT = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: The package: a crash inside a course function the answer called (e.g. the given rnn_forward) is read
#: at the answer's call, not in the course's code.
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_OPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
        ast.MatMult: np.matmul, ast.Pow: np.power}
_COMPARE = {ast.Lt: np.less, ast.Gt: np.greater, ast.LtE: np.less_equal, ast.GtE: np.greater_equal,
            ast.Eq: np.equal, ast.NotEq: np.not_equal}
_SYMBOL = {ast.Add: "+", ast.Sub: "−", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}
#: Array methods the reader may call again (they compute a new array, nothing else).
_PURE_METHODS = ("reshape", "sum", "mean", "max", "min", "transpose", "squeeze", "copy", "astype", "ravel")
_REDUCTIONS = ("sum", "mean", "max", "min")
#: Built-in functions the reader may call again on numbers and arrays.
_PURE_BUILTINS = {"float": float, "int": int, "len": len, "abs": abs, "round": round}


class _Unknown(Exception):
    """An expression the crash reader does not evaluate (a call of the student's, a method, ...)."""


def _is_library(filename):
    filename = os.path.abspath(filename) if filename and not filename.startswith("<") else (filename or "")
    return filename.startswith(_LIBRARY_ROOTS + (_GRADING_ROOT, _PACKAGE_ROOT)) or "site-packages" in filename


def _student_frames(tb):
    """The traceback entries in the answer's own code, outermost first."""
    found = []
    while tb is not None:
        if not _is_library(tb.tb_frame.f_code.co_filename):
            found.append(tb)
        tb = tb.tb_next
    return found


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
        if isinstance(obj, np.ndarray) and node.attr in ("shape", "ndim", "size", "dtype"):
            return getattr(obj, node.attr)
        if not isinstance(obj, types.ModuleType):  # a number stored on an object (model.units), no property run
            try:
                stored = inspect.getattr_static(obj, node.attr)
            except AttributeError:
                stored = None
            if isinstance(stored, (int, float, np.integer, np.floating)) and not isinstance(stored, bool):
                return stored
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
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        with np.errstate(all="ignore"):
            return _COMPARE[type(node.ops[0])](_value(node.left, frame), _value(node.comparators[0], frame))
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
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _PURE_BUILTINS \
            and not node.keywords and node.func.id not in frame.f_locals and node.func.id not in frame.f_globals:
        args = [_value(a, frame) for a in node.args]
        if all(isinstance(a, (int, float, np.integer, np.floating, np.ndarray, list, tuple)) for a in args):
            return _PURE_BUILTINS[node.func.id](*args)
        raise _Unknown("call")
    if isinstance(node, ast.Call):
        fn = _value(node.func, frame)
        if not (callable(fn) and _is_numpy_function(fn)) or any(k.arg in (None, "out") for k in node.keywords):
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


def _explain_binop(node, frame, known, op=None, left_node=None, right_node=None, tb=None):
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
        if not guess and len(a) >= 2 and len(b) >= 2 and b[-1] == a[-2]:
            guess = gettext("`{code}` would fit: the operands are in the other order (the batch is the first "
                            "axis: an input multiplies its weight from the left, x @ W).").format(code=f"{R} @ {L}")
        sizes = dict(m=a[-1], n=b[-2] if len(b) > 1 else b[0])
        if guess:
            return gettext("in `{expr}`, {left} and {right}: the inner sizes {m} and {n} differ. Likely mistake: "
                           "{guess}").format(**where, **sizes, guess=guess)
        return gettext("in `{expr}`, {left} and {right}: the inner sizes {m} and {n} differ. The columns of the "
                       "left must equal the rows of the right.").format(**where, **sizes)
    if _broadcasts(a, b):
        return None
    guess = _source_keepdims(left_node, right_node, frame, tb, a, b) if tb is not None else ""
    guess = guess or ""
    if not guess and op is ast.Mult and len(a) >= 1 and len(b) == 2 and a[-1] == b[0]:
        guess = gettext("`{code}` would fit: `*` multiplies element by element, and a weight matrix multiplies "
                        "with the matrix product `@`.").format(code=f"{L} @ {R}")
    for text, shape, other in ((L, a, b), (R, b, a)):
        if not guess and 1 in shape:
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
    if not guess:
        guess = _moved_new_axis(left_node, frame, b) or _moved_new_axis(right_node, frame, a) or ""
    if not guess:
        for text, shape, other in ((L, a, b), (R, b, a)):
            if len(shape) == 2 and shape[0] != shape[1] and _broadcasts(shape[::-1], other):
                guess = gettext("`{code}` has its axes in the other order: transposed, shape {shape}, it would "
                                "broadcast.").format(code=text, shape=shape[::-1])
                break
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
    if isinstance(arrays, list) and not arrays and isinstance(node.args[0], ast.Name):
        return gettext("np.{name} of `{code}`, an empty list. Likely mistake: nothing was appended to `{code}`: "
                       "check that the loop appends at every step.").format(name=name, code=node.args[0].id)
    shapes = [_shape_of(np.asarray(x)) for x in arrays]
    parts = ", ".join(f"`{ast.unparse(e)}` {sh}" for e, sh in zip(getattr(node.args[0], "elts", []), shapes))
    if name == "concatenate" and len({sh[:-1] for sh in shapes}) == 1 and axis not in (-1, len(shapes[0]) - 1):
        return gettext("np.{name} on axis {axis} of {arrays}. Likely mistake: they agree on every axis but the last: "
                       "join them on the last axis (axis=-1), side by side, not on axis {axis}.").format(
                           name=name, axis=axis, arrays=parts or shapes)
    return gettext("np.{name} on axis {axis} of {arrays}.").format(name=name, axis=axis, arrays=parts or shapes)


# -- more readings: the student's source around the failing line, names, indices, calls ------------
#: NumPy functions the reader never calls again: they change an argument in place or draw random numbers.
_IN_PLACE = ("copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis", "at")


def _position(tb):
    try:
        return list(tb.tb_frame.f_code.co_positions())[tb.tb_lasti // 2]
    except (AttributeError, IndexError, ValueError, TypeError):
        return None


def _source_tree(tb):
    """The parsed source of the file (or notebook cell) the frame runs in, or None."""
    code = tb.tb_frame.f_code
    lines = linecache.getlines(code.co_filename, tb.tb_frame.f_globals)
    if not lines:
        return None
    try:
        return ast.parse("".join(lines))
    except SyntaxError:
        return None


def _statement(tb, tree=None):
    """The innermost statement that contains the failing position, or None."""
    tree = tree or _source_tree(tb)
    pos = _position(tb)
    if tree is None or pos is None or pos[0] is None:
        return None
    found = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= pos[0] <= (node.end_lineno or node.lineno) \
                and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While,
                                          ast.If, ast.With, ast.Try)):
            if found is None or node.lineno >= found.lineno:
                found = node
    return found


def _function_def(tb, tree=None):
    """The ``def`` of the function the frame runs, or None."""
    tree = tree or _source_tree(tb)
    code = tb.tb_frame.f_code
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name and (
                node.lineno == code.co_firstlineno or any(d.lineno == code.co_firstlineno for d in node.decorator_list)):
            return node
    return None


def _fn_label(tb):
    return tb.tb_frame.f_code.co_name


def _copied(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    return value


def _is_numpy_function(fn):
    module = str(getattr(fn, "__module__", "") or "")
    return (isinstance(fn, np.ufunc) or module.startswith("numpy")) and not module.startswith("numpy.random") \
        and getattr(fn, "__name__", "") not in _IN_PLACE


def _small(values):
    """No argument asks for a large array (the reader tries calls again on other arguments)."""
    for v in values:
        ints = [v] if isinstance(v, (int, np.integer)) else list(v) if isinstance(v, tuple) else []
        if ints and all(isinstance(n, (int, np.integer)) for n in ints) and int(np.prod([abs(int(n)) for n in ints]
                                                                                           or [1])) > 10 ** 6:
            return False
    return True


def _runs(fn, args, kwargs):
    """Whether ``fn(*args, **kwargs)`` runs (on copies of the arrays), and its result."""
    if not _small(list(args) + list(kwargs.values())):
        return False, None
    try:
        with np.errstate(all="ignore"):
            return True, fn(*[_copied(a) for a in args], **{k: _copied(v) for k, v in kwargs.items()})
    except Exception:  # noqa: BLE001 - the candidate does not run either
        return False, None


def _callee(node, frame):
    """The function a call node calls, looked up without running any of the answer's code, or None."""
    target = node.func
    try:
        if isinstance(target, ast.Name):
            return _value(target, frame)
        if isinstance(target, ast.Attribute):
            try:
                owner = _value(target.value, frame)
            except _Unknown:
                if not isinstance(target.value, ast.Name):
                    return None
                owner = frame.f_locals.get(target.value.id, frame.f_globals.get(target.value.id))
            if owner is None:
                return None
            if isinstance(owner, types.ModuleType):
                return getattr(owner, target.attr, None)
            attr = inspect.getattr_static(owner, target.attr, None)
            if isinstance(attr, types.FunctionType):
                return types.MethodType(attr, owner) if not isinstance(owner, type) else attr
            return None
    except (_Unknown, Exception):  # noqa: BLE001 - a name that cannot be looked up is no evidence
        return None
    return None


def _parameter_names(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _swapped_names(node, frame):
    """For a call whose arguments are names of the callee's parameters in other places (``f(b, a)`` of
    ``def f(a, b)``): the reading, else None."""
    if not isinstance(node, ast.Call) or len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    fn = _callee(node, frame)
    params = _parameter_names(fn) if fn is not None else None
    if not params:
        return None
    args = list(node.args)
    names = [_root_name(a) for a in args]
    misplaced = [(i, params.index(n)) for i, n in enumerate(names)
                 if n and n in params and params.index(n) != i and params.index(n) < len(args)]
    if not misplaced:
        return None
    fixed = list(args)
    for _ in range(len(args)):
        wrong = [(i, params.index(_root_name(a))) for i, a in enumerate(fixed) if _root_name(a) in params
                 and params.index(_root_name(a)) != i and params.index(_root_name(a)) < len(fixed)]
        if not wrong:
            break
        i, j = wrong[0]
        fixed[i], fixed[j] = fixed[j], fixed[i]
    i, j = misplaced[0]
    call = ast.unparse(ast.Call(node.func, fixed, node.keywords))
    if call == ast.unparse(node):
        return None
    return gettext("in `{code}`, `{arg}` is passed in the place of the parameter `{param}`. Likely mistake: the "
                   "arguments are in another order; {fn} takes ({params}): `{fixed}`.").format(
                       code=ast.unparse(node), arg=names[i], param=params[i], fn=ast.unparse(node.func),
                       params=", ".join(params), fixed=call)


def _root_name(node):
    """``x`` for ``x``, ``x[:, t]`` and ``x[:, t].T``; None for anything else."""
    while isinstance(node, (ast.Subscript, ast.Attribute)) and not (isinstance(node, ast.Attribute)
                                                                    and node.attr != "T"):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _read_swapped_calls(tbs):
    """A call in the answer (in any of its frames, innermost first) whose arguments are in another order."""
    for tb in reversed(tbs):
        try:
            node = _failing_node(tb)
            stmt = None if isinstance(node, ast.Call) else _statement(tb)
            candidates = [node] if isinstance(node, ast.Call) else []
            if stmt is not None and not isinstance(node, ast.Call) and tb is tbs[-1]:
                candidates += [n for n in ast.walk(stmt) if isinstance(n, ast.Call)]
            for call in candidates:
                read = _swapped_names(call, tb.tb_frame)
                if read:
                    return read
        except Exception:  # noqa: BLE001 - never turn a reading into a crash
            continue
    return None


def _assigned_lines(fn_def, name):
    """The lines of ``fn_def`` that give ``name`` a value (assignments, loops, arguments)."""
    lines = []
    for node in ast.walk(fn_def):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            lines.append(node.lineno)
        elif isinstance(node, ast.arg) and node.arg == name:
            lines.append(node.lineno)
    return sorted(set(lines))


def _read_name_error(err, tb):
    name = getattr(err, "name", None)
    if not name:
        found = re.search(r"'([A-Za-z_][A-Za-z0-9_]*)'", str(err))
        name = found.group(1) if found else None
    if not name:
        return None
    pos = _position(tb)
    line = pos[0] if pos else tb.tb_lineno
    fn_def = _function_def(tb)
    function = _fn_label(tb)
    assigned = _assigned_lines(fn_def, name) if fn_def is not None else []
    if isinstance(err, UnboundLocalError) or assigned:
        earlier = [n for n in assigned if n < line]
        later = [n for n in assigned if n >= line]
        if earlier:
            return gettext("`{name}` is used on line {line} of {function}; it is assigned on line {assigned}, but "
                           "that line had not run. Likely mistake: it is only assigned inside a branch or loop that "
                           "was skipped: give `{name}` its value before.").format(
                               name=name, line=line, function=function, assigned=earlier[-1])
        if later:
            return gettext("`{name}` is used on line {line} of {function} before it has a value. Likely mistake: it "
                           "is assigned only later (line {assigned}): give it its first value before it is used "
                           "(e.g. the initial state before the loop).").format(
                               name=name, line=line, function=function, assigned=later[0])
        return None
    visible = [n for n, v in list(tb.tb_frame.f_locals.items()) + list(tb.tb_frame.f_globals.items())
               if not n.startswith("_") and not isinstance(v, types.ModuleType)]
    close = [c for c in difflib.get_close_matches(name, sorted(set(visible)), n=3, cutoff=0.8)
             if c[0] == name[0] and abs(len(c) - len(name)) <= 1 and c != name]
    if close:
        return gettext("`{name}` (line {line} of {function}) is not defined. Likely mistake: a misspelt name "
                       "(`{close}` exists), or the line that computes `{name}` is missing.").format(
                           name=name, line=line, function=function, close=close[0])
    called = fn_def is not None and any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
                                        for n in ast.walk(fn_def))
    if called:
        return gettext("`{name}` (line {line} of {function}) is not defined. Likely mistake: the function "
                       "`{name}` is defined nowhere it can see: run the cell that defines it first, or define "
                       "it.").format(name=name, line=line, function=function)
    if fn_def is None:
        return None
    return gettext("`{name}` (line {line} of {function}) is not defined. Likely mistake: nothing in {function} "
                   "assigns `{name}` and no global has that name: the line that computes `{name}` is "
                   "missing.").format(name=name, line=line, function=function)


def _gates(known):
    """(gates, units) when a given weight has the shape (units, gates·units), else None."""
    for label, arr in sorted(known.items(), key=lambda kv: "recurrent" not in kv[0]):
        if "recurrent" in label and isinstance(arr, np.ndarray) and arr.ndim == 2 and arr.shape[0] > 0 and arr.shape[1] % arr.shape[0] == 0 \
                and arr.shape[1] // arr.shape[0] >= 2:
            return arr.shape[1] // arr.shape[0], arr.shape[0]
    return None


def _known_part(value, known):
    """``value`` as a given input or one of its rows (``row 0 of bias``), else None."""
    who = _known_name(value, known)
    if who:
        return who
    if isinstance(value, np.ndarray):
        for label, arr in known.items():
            if isinstance(arr, np.ndarray) and arr.ndim == value.ndim + 1 and arr.shape[1:] == value.shape:
                for i in range(min(arr.shape[0], 8)):
                    if np.array_equal(arr[i], value):
                        return gettext("row {i} of {name}").format(i=i, name=label)
    return None


def _read_split(node, frame, known, err):
    fn = _value(node.func, frame)
    if getattr(fn, "__name__", "") not in ("split", "array_split") or len(node.args) < 2:
        return None
    arr, pieces = _value(node.args[0], frame), _value(node.args[1], frame)
    if not isinstance(arr, np.ndarray) or not isinstance(pieces, (int, np.integer)):
        return None
    axis = next((_value(k.value, frame) for k in node.keywords if k.arg == "axis"),
                _value(node.args[2], frame) if len(node.args) > 2 else 0)
    code = ast.unparse(node.args[0])
    where = dict(code=code, shape=arr.shape, ndim=arr.ndim, axis=axis, n=pieces)
    gates = _gates(known)
    if not -arr.ndim <= axis < arr.ndim:
        who = _known_part(arr, known)
        if who:
            return gettext("np.split on axis {axis} of `{code}` (shape {shape}), which has {ndim} axes. Likely "
                           "mistake: `{code}` is {who} alone: nothing with the batch axis was added to it (the "
                           "pre-activation is (batch, gates·units)).").format(**where, who=who)
        if arr.shape and arr.shape[-1] % pieces == 0:
            return gettext("np.split on axis {axis} of `{code}` (shape {shape}), which has {ndim} axes. Likely "
                           "mistake: the axis: `np.split({code}, {n}, axis=-1)` splits the last axis, {size} = "
                           "{n}·{piece}.").format(**where, size=arr.shape[-1], piece=arr.shape[-1] // pieces)
        return None
    size = arr.shape[axis]
    if size % pieces == 0:
        return None
    if arr.shape[-1] % pieces == 0 and axis not in (-1, arr.ndim - 1):
        return gettext("np.split of `{code}` (shape {shape}) into {n} on axis {axis}, of size {size}. Likely "
                       "mistake: the axis: `np.split({code}, {n}, axis=-1)` splits the last axis, {last} = "
                       "{n}·{piece}.").format(**where, size=size, last=arr.shape[-1], piece=arr.shape[-1] // pieces)
    if gates and size == gates[0] * gates[1]:
        return gettext("np.split of `{code}` (shape {shape}) into {n} on axis {axis}, of size {size}. Likely "
                       "mistake: the number of pieces: the weights hold {gates} blocks of {units} units ({size} = "
                       "{gates}·{units}): split into {gates}.").format(**where, size=size, gates=gates[0],
                                                                      units=gates[1])
    return None


def _read_axis_error(node, err, frame):
    found = re.search(r"axis (-?\d+) is out of bounds for array of dimension (\d+)", str(err))
    if not found:
        return None
    axis, ndim = int(found.group(1)), int(found.group(2))
    code = None
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.keyword) and sub.arg == "axis":
            try:
                if _value(sub.value, frame) == axis:
                    code = ast.unparse(sub.value)
                    break
            except Exception:  # noqa: BLE001
                continue
    if ndim == 0:
        return None
    return gettext("axis {axis} does not exist: the array has {ndim} axes, numbered 0 to {last}. Likely mistake: "
                   "axes count from 0: the last axis is `axis={last}` (or `axis=-1`).").format(
                       axis=code if code is not None else axis, ndim=ndim, last=ndim - 1)


def _read_numpy_call(node, frame, known, err):
    """A NumPy call that raised: the subscripts of einsum, np.split's axis and pieces, arguments in another order."""
    try:
        fn = _value(node.func, frame)
    except _Unknown:
        owner = _value(node.func.value, frame) if isinstance(node.func, ast.Attribute) else None
        if not isinstance(owner, np.ufunc):
            return None
        fn = getattr(owner, node.func.attr, None)
    triable = fn is not None and (_is_numpy_function(fn) or isinstance(getattr(fn, "__self__", None), np.ufunc))
    if not triable:
        return None
    name = getattr(fn, "__name__", "")
    if name == "einsum" and node.args and not isinstance(node.args[0], ast.Constant):
        spec = next((a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None)
        if spec is not None:
            fixed = ast.unparse(ast.Call(node.func, [spec] + [a for a in node.args if a is not spec], node.keywords))
            return gettext("in `{code}`, the subscripts string is not the first argument. Likely mistake: "
                           "np.einsum takes the subscripts first: `{fixed}`.").format(code=ast.unparse(node),
                                                                                      fixed=fixed)
    if name == "einsum" and isinstance(err, ValueError) and len(node.args) == 3 \
            and isinstance(node.args[0], ast.Constant):
        args = [_value(a, frame) for a in node.args]
        ok, _ = _runs(fn, [args[0], args[2], args[1]], {})
        if ok:
            fixed = ast.unparse(ast.Call(node.func, [node.args[0], node.args[2], node.args[1]], node.keywords))
            return gettext("in `{code}`, the operands do not match the subscripts. Likely mistake: the operands are "
                           "in another order than the subscripts name them: `{fixed}` runs.").format(
                               code=ast.unparse(node), fixed=fixed)
    if name in ("split", "array_split"):
        read = _read_split(node, frame, known, err)
        if read:
            return read
    for arg in node.args:
        if isinstance(arg, ast.Name):
            value = _value(arg, frame)
            if value is None or isinstance(value, (dict, str)):
                return _not_an_array(arg.id, value, frame, ast.unparse(node))
    if not isinstance(err, (TypeError, IndexError)) or len(node.args) < 2 \
            or any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    args = [_value(a, frame) for a in node.args]
    kwargs = {k.arg: _value(k.value, frame) for k in node.keywords}
    for i, j in ((0, 1), (1, 2), (0, 2)):
        if j >= len(args):
            continue
        trial = list(args)
        trial[i], trial[j] = trial[j], trial[i]
        ok, _ = _runs(fn, trial, kwargs)
        if ok:
            nodes = list(node.args)
            nodes[i], nodes[j] = nodes[j], nodes[i]
            return gettext("in `{code}`, argument {i} and argument {j} are in each other's place. Likely mistake: "
                           "the order of the arguments: `{fixed}` runs.").format(
                               code=ast.unparse(node), i=i + 1, j=j + 1,
                               fixed=ast.unparse(ast.Call(node.func, nodes, node.keywords)))
    return None


def _read_index_error(node, err, frame, known):
    """An index out of range: the indices in another order, an index one past the end, an empty axis, a float."""
    if not isinstance(node, ast.Subscript):
        return None
    base = _value(node.value, frame)
    index = _value(node.slice, frame)
    code = ast.unparse(node.value)
    if not isinstance(base, np.ndarray):
        if isinstance(base, (list, tuple)) and isinstance(index, (int, np.integer)) and index == len(base):
            return gettext("`{code}` has {n} entries, indices 0 to {last}; `{index}` is {value}. Likely mistake: off "
                           "by one: the index is one past the end.").format(
                               code=code, n=len(base), last=len(base) - 1, index=ast.unparse(node.slice), value=index)
        return None
    parts = index if isinstance(index, tuple) else (index,)
    slice_nodes = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    shape = base.shape
    # a float index (e.g. t / 2)
    for part, pnode in zip(parts, slice_nodes):
        if isinstance(part, (float, np.floating)):
            return gettext("in `{code}`, the index `{index}` is {value}, a float. Likely mistake: indices are integers: "
                           "use `//` or int(...).").format(code=ast.unparse(node), index=ast.unparse(pnode),
                                                           value=part)
    found = re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", str(err))
    if found:
        value, axis, size = (int(g) for g in found.groups())
        if size == 0:
            return gettext("`{code}` has shape {shape}: axis {axis} is empty (size 0), so no index fits. Likely "
                           "mistake: the slice or range that made `{code}` selects nothing.").format(
                               code=code, shape=shape, axis=axis)
        culprit = next((n for n, p in zip(slice_nodes, parts) if isinstance(p, (int, np.integer)) and int(p) == value),
                       None)
        computed = culprit is not None and value >= 0 and not isinstance(culprit, (ast.Constant, ast.UnaryOp))
        if len(parts) >= 2 and computed:
            for i, j in itertools.combinations(range(len(parts)), 2):
                trial = list(parts)
                trial[i], trial[j] = trial[j], trial[i]
                try:
                    base[tuple(trial)]
                except Exception:  # noqa: BLE001
                    continue
                nodes = list(slice_nodes)
                nodes[i], nodes[j] = nodes[j], nodes[i]
                fixed = f"{code}[{', '.join(ast.unparse(n) for n in nodes)}]"
                moved = next((k for k in (i, j) if isinstance(trial[k], (int, np.integer))), j)
                return gettext("`{code}` has shape {shape}: index {value} is past the end of axis {axis} (size "
                               "{size}). Likely mistake: the indices are in another order: `{fixed}` fits (axis "
                               "{moved} has size {moved_size}).").format(
                                   code=code, shape=shape, value=value, axis=axis, size=size, fixed=fixed,
                                   moved=moved, moved_size=shape[moved] if moved < len(shape) else "?")
        if value == -size - 1:
            return gettext("`{code}` has shape {shape}: axis {axis} has {size} entries, and `{index}` is {value}, one "
                           "before the first (-1 is the last). Likely mistake: off by one.").format(
                               code=code, shape=shape, axis=axis, size=size,
                               index=ast.unparse(culprit) if culprit is not None else value, value=value)
        if value == size:
            pnode = next((n for n, p in zip(slice_nodes, parts) if isinstance(p, (int, np.integer))
                          and int(p) == value), None)
            return gettext("`{code}` has shape {shape}: axis {axis} has indices 0 to {last}, and `{index}` is "
                           "{value}. Likely mistake: off by one: the index is one past the end (check the range "
                           "of the loop and any ±1).").format(
                               code=code, shape=shape, axis=axis, last=size - 1,
                               index=ast.unparse(pnode) if pnode is not None else value, value=value)
        return None
    found = re.search(r"too many indices for array: array is (\d+)-dimensional, but (\d+) were indexed", str(err))
    if found and base.ndim == 0:
        return gettext("`{code}` is a 0-D array (no axes), indexed with {n} indices. Likely mistake: `{code}` is not "
                       "the array meant here: a 0-D array is made from one number, or from something that is not an "
                       "array.").format(code=code, n=int(found.group(2)))
    if found:
        return gettext("`{code}` has shape {shape} ({ndim} axes), indexed with {n} indices. Likely mistake: one index "
                       "too many, or `{code}` is not the array meant here.").format(
                           code=code, shape=shape, ndim=base.ndim, n=int(found.group(2)))
    return None


def _read_unpacking(err, tb, known):
    """``a, b, c = ...`` with too many or too few values."""
    found = re.search(r"(too many|not enough) values to unpack \(expected (\d+)(?:, got (\d+))?\)", str(err))
    stmt = _statement(tb)
    if not found or not isinstance(stmt, (ast.Assign, ast.For)):
        return None
    frame = tb.tb_frame
    node = _failing_node(tb)
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    value_node = stmt.value if isinstance(stmt, ast.Assign) else None
    expected = int(found.group(2))
    read = _swapped_names(value_node, frame) if isinstance(value_node, ast.Call) else None
    if read:
        return read
    nested = node is not None and isinstance(target, (ast.Tuple, ast.List)) and ast.unparse(node) != ast.unparse(target)
    if value_node is not None and not nested:
        try:
            value = _value(value_node, frame)
        except Exception:  # noqa: BLE001 - not something the reader evaluates
            value = None
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            return gettext("`{value}` has shape {shape}: unpacking it gives its {n} rows (axis 0), but {expected} "
                           "names receive them. Likely mistake: unpacking splits the first axis; split the axis "
                           "meant with np.split.").format(value=ast.unparse(value_node), shape=value.shape,
                                                          n=value.shape[0], expected=expected)
        if isinstance(value, (list, tuple)):
            fn = _value(value_node.func, frame) if isinstance(value_node, ast.Call) else None
            if getattr(fn, "__name__", "") in ("split", "array_split") and len(value_node.args) >= 2:
                gates = _gates(known)
                total = sum(np.shape(v)[-1] for v in value) if value and np.ndim(value[0]) else None
                if gates and total == gates[0] * gates[1] and gates[0] == expected:
                    return gettext("`{value}` gives {n} pieces, but {expected} names receive them. Likely mistake: "
                                   "the number of pieces: {total} = {expected}·{units}, one piece per gate: split "
                                   "into {expected}.").format(value=ast.unparse(value_node), n=len(value),
                                                              expected=expected, total=total, units=gates[1])
            return gettext("`{value}` holds {n} values, but {expected} names receive them. Likely mistake: the "
                           "names on the left do not match what the right side gives.").format(
                               value=ast.unparse(value_node), n=len(value), expected=expected)
    if isinstance(value_node, ast.Call) and not nested and found.group(3):
        return gettext("`{value}` returns {got} values, but {expected} names receive them. Likely mistake: unpack "
                       "it into {got} names, in the order it returns them.").format(
                           value=ast.unparse(value_node)[:80], got=int(found.group(3)), expected=expected)
    if nested and value_node is not None:
        pattern = (N_("in `{stmt}`, the group `{group}` receives a value with more than {expected} entries (an array "
                      "gives one per row). Likely mistake: the names on the left do not match what `{value}` returns: "
                      "check their order and nesting, and the order of the call's arguments.")
                   if found.group(1) == "too many" else
                   N_("in `{stmt}`, the group `{group}` receives a value with fewer than {expected} entries. Likely "
                      "mistake: the names on the left do not match what `{value}` returns: check their order and "
                      "nesting, and the order of the call's arguments."))
        return gettext(pattern).format(stmt=ast.unparse(stmt)[:120], group=ast.unparse(node), expected=expected,
                                       value=ast.unparse(value_node)[:80])
    return None


def _read_aug_assign(stmt, frame, known):
    """``target += value`` whose shapes do not fit (an in-place update keeps the target's shape)."""
    target, value = _value(stmt.target, frame), _value(stmt.value, frame)
    if not isinstance(target, np.ndarray) or _shape_of(value) is None:
        return None
    t_shape, v_shape = target.shape, _shape_of(value)
    if _broadcasts(v_shape, t_shape) and np.broadcast_shapes(v_shape, t_shape) == t_shape:
        return None
    T, V = ast.unparse(stmt.target), ast.unparse(stmt.value)
    where = dict(target=T, tshape=t_shape, value=V, vshape=v_shape)
    guess = ""
    node = stmt.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        left, right = _value(node.left, frame), _value(node.right, frame)
        L, R = ast.unparse(node.left), ast.unparse(node.right)
        strip = (lambda s: s[:-2] if s.endswith(".T") else f"{s}.T")
        for text, a, b in ((f"{R} @ {L}", right, left), (f"{strip(L)} @ {R}", _t(left), right),
                           (f"{L} @ {strip(R)}", left, _t(right))):
            try:
                if a is not None and b is not None and np.shape(a @ b) == t_shape:
                    guess = gettext("`{code}` has the shape {shape} of `{target}`.").format(code=text, shape=t_shape,
                                                                                          target=T)
                    break
            except Exception:  # noqa: BLE001
                continue
    if not guess:
        guess = _reduced_elsewhere(node, frame, t_shape) or ""
    if not guess and isinstance(stmt.target, ast.Subscript) and isinstance(stmt.target.slice, ast.Constant):
        key = str(stmt.target.slice.value)
        if key in known and np.shape(known[key]) == v_shape:
            other = next((k for k, v in known.items() if k != key and np.shape(v) == t_shape), None)
            guess = (gettext("`{target}` has the shape of {other}, not that of {key} {kshape}: it was created from "
                             "the wrong array.").format(target=T, other=other, key=key, kshape=v_shape) if other else
                     gettext("`{target}` should have the shape {kshape} of {key}: it was created with another "
                             "shape.").format(target=T, key=key, kshape=v_shape))
    if guess:
        return gettext("in `{target} += {value}`, `{target}` has shape {tshape} and `{value}` shape {vshape}. Likely "
                       "mistake: {guess}").format(**where, guess=guess)
    return gettext("in `{target} += {value}`, `{target}` has shape {tshape} and `{value}` shape {vshape}: an "
                   "in-place update keeps the shape of its target.").format(**where)


def _t(value):
    return value.T if isinstance(value, np.ndarray) else None


def _read_type_error(node, err, frame):
    """Arithmetic on a tuple (an index from np.ndindex) or on None."""
    if not isinstance(node, ast.BinOp):
        return None
    values = []
    for side in (node.left, node.right):
        try:
            values.append(_value(side, frame))
        except _Unknown:
            values.append(_Unknown)
    for side, value in zip((node.left, node.right), values):
        if isinstance(value, tuple) and value and all(isinstance(v, (int, np.integer)) for v in value):
            return gettext("in `{code}`, `{name}` is the tuple {value}, one index per axis. Likely mistake: "
                           "arithmetic on a multi-index does not move it: index with it as it is (`x[{name}]`) "
                           "and change the value stored there.").format(code=ast.unparse(node), name=ast.unparse(side),
                                                                        value=value)
        if value is None:
            return gettext("in `{code}`, `{name}` is None. Likely mistake: it comes from a function that returns "
                           "nothing (a missing `return`) or from a variable never set.").format(
                               code=ast.unparse(node), name=ast.unparse(side))
    return None


def _read_reversed_twice(node):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "reversed" and node.args \
            and isinstance(node.args[0], ast.Call) and isinstance(node.args[0].func, ast.Name) \
            and node.args[0].func.id == "reversed":
        return gettext("`{code}` reverses twice. Likely mistake: one `reversed` too many: a reversed iterator cannot be "
                       "reversed again, and twice would run forward anyway.").format(code=ast.unparse(node))
    return None


def _read_truth_value(node, frame):
    """``if a == 0`` with an array ``a``: the truth value of an array is ambiguous."""
    names = [n for n in ast.walk(node) if isinstance(n, ast.Name)] if node is not None else []
    for n in names:
        try:
            value = _value(n, frame)
        except Exception:  # noqa: BLE001
            continue
        if isinstance(value, np.ndarray) and value.size > 1:
            return gettext("in `{code}`, `{name}` is an array of shape {shape}, not one number. Likely mistake: "
                           "`{name}` is not the value meant here (check the order of the arguments), or the test "
                           "needs .any() or .all().").format(code=ast.unparse(node), name=n.id, shape=value.shape)
    return None


def _source_keepdims(left_node, right_node, frame, tb, a, b):
    """``e / total`` where ``total = e.sum(axis=k)`` earlier in the function: with keepdims=True it would fit."""
    fn_def = _function_def(tb)
    pos = _position(tb)
    for side, shape, other in ((right_node, b, a), (left_node, a, b)):
        if len(shape) + 1 != len(other):
            continue
        if isinstance(side, ast.Call):
            call, line = side, None
        elif isinstance(side, ast.Name) and fn_def is not None and pos is not None:
            made = [s for s in ast.walk(fn_def) if isinstance(s, ast.Assign) and len(s.targets) == 1
                    and isinstance(s.targets[0], ast.Name) and s.targets[0].id == side.id and s.lineno < pos[0]]
            if not made:
                continue
            call, line = made[-1].value, made[-1].lineno
        else:
            continue
        if not isinstance(call, ast.Call):
            continue
        fname = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        if fname not in _REDUCTIONS + ("max", "min", "sum", "mean", "amax", "amin", "logsumexp") \
                or any(k.arg == "keepdims" and isinstance(k.value, ast.Constant) and k.value.value for k in call.keywords):
            continue
        axis = next((k.value for k in call.keywords if k.arg == "axis"), None)
        try:
            k = _value(axis, frame) if axis is not None else None
        except Exception:  # noqa: BLE001
            continue
        if not isinstance(k, (int, np.integer)):
            continue
        k = k % len(other)
        kept = shape[:k] + (1,) + shape[k:]
        if _broadcasts(kept, other):
            if line is None:
                return gettext("`{source}` drops axis {axis}; with keepdims=True it would have shape {kept} and "
                               "broadcast.").format(source=ast.unparse(call), axis=k, kept=kept)
            return gettext("`{name}` comes from `{source}` (line {line}), which drops axis {axis}; with keepdims=True "
                           "it would have shape {kept} and broadcast.").format(
                               name=side.id, source=ast.unparse(call), line=line, axis=k, kept=kept)
    return None


def _assignment(name, tb, before=None):
    """(line, source) of the last statement of the answer's function that assigns ``name`` before
    line ``before``, or None."""
    fn_def = _function_def(tb) if tb is not None else None
    if fn_def is None:
        return None
    found = None
    for stmt in ast.walk(fn_def):
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.For)) and (before is None or stmt.lineno < before):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
                if found is None or stmt.lineno > found.lineno:
                    found = stmt
    if found is None:
        return None
    text = ast.unparse(found) if not isinstance(found, ast.For) else f"for {ast.unparse(found.target)} in {ast.unparse(found.iter)}"
    return found.lineno, text.splitlines()[0][:100]


def _not_an_array(name, value, frame, code, tb=None):
    """``name`` holds a dict, None, a number or a string where an array is used."""
    kind = "None" if value is None else type(value).__name__
    pos = _position(tb) if tb is not None else None
    made = _assignment(name, tb, pos[0] if pos else None) if tb is not None else None
    if made:
        return gettext("in `{code}`, `{name}` is a {kind}, not an array. Likely mistake: `{name}` gets another value "
                       "than the one meant here, on line {line}: `{source}` (check the order of the names there, "
                       "or of the arguments).").format(code=code, name=name, kind=kind, line=made[0], source=made[1])
    return gettext("in `{code}`, `{name}` is a {kind}, not an array. Likely mistake: `{name}` is not the value meant "
                   "here (check the order of the arguments or of the names it was unpacked into).").format(
                       code=code, name=name, kind=kind)


def _moved_new_axis(node, frame, other):
    """``q[None, :, :]`` that does not broadcast where ``q[:, None, :]`` would: the new axis misplaced."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Tuple):
        return None
    elts = node.slice.elts
    nones = [i for i, e in enumerate(elts) if isinstance(e, ast.Constant) and e.value is None]
    if len(nones) != 1:
        return None
    base = _value(node.value, frame)
    if not isinstance(base, np.ndarray):
        return None
    rest = [e for e in elts if not (isinstance(e, ast.Constant) and e.value is None)]
    for k in range(len(elts)):
        if k == nones[0]:
            continue
        trial = rest[:k] + [ast.Constant(None)] + rest[k:]
        try:
            shape = base[tuple(_value(e, frame) if not (isinstance(e, ast.Constant) and e.value is None) else None
                               for e in trial)].shape
        except Exception:  # noqa: BLE001
            continue
        if _broadcasts(shape, other):
            code = f"{ast.unparse(node.value)}[{', '.join(ast.unparse(e) for e in trial)}]"
            return gettext("the new axis is in the wrong place: `{code}` (shape {shape}) broadcasts.").format(
                code=code, shape=shape)
    return None


def _explain_crash(err, known=None):
    """A sentence naming the expression of the answer that raised, the shapes in it and the likely
    mistake, or None. ``known``: the inputs the answer was given, by name (to say which is which)."""
    try:
        tbs = _student_frames(err.__traceback__)
    except Exception:  # noqa: BLE001 - the reader must never turn a student's crash into the grader's
        return None
    if not tbs:
        return None
    known = {k: v for k, v in (known or {}).items() if isinstance(v, np.ndarray)}
    plain = None
    for reader in (lambda: _read_swapped_calls(tbs), lambda: _read_innermost(err, tbs[-1], known),
                   lambda: _read_outer_calls(tbs, known)):
        try:
            read = reader()
        except Exception:  # noqa: BLE001 - the reader must never turn a student's crash into the grader's
            read = None
        if read and gettext("Likely mistake:") in read:
            return read
        plain = plain or read
    return plain


def _read_innermost(err, tb, known):
    """The reading of the innermost line of the answer that raised."""
    frame = tb.tb_frame
    if isinstance(err, NameError):
        return _read_name_error(err, tb)
    if isinstance(err, ValueError) and "values to unpack" in str(err):
        return _read_unpacking(err, tb, known)
    node = _failing_node(tb)
    if node is None:
        stmt = _statement(tb)
        if isinstance(stmt, ast.AugAssign):
            return _read_aug_assign(stmt, frame, known)
        return None
    if type(err).__name__ == "AxisError":
        read = _read_axis_error(node, err, frame)
        if read:
            return read
    if isinstance(err, AttributeError) and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        value = _value(node.value, frame)
        if not isinstance(value, np.ndarray):
            return _not_an_array(node.value.id, value, frame, ast.unparse(node), tb)
    if isinstance(err, ValueError) and "truth value of an array" in str(err):
        return _read_truth_value(node, frame)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        if isinstance(err, TypeError):
            return _read_type_error(node, err, frame)
        return _explain_binop(node, frame, known, tb=tb)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _explain_binop(node, frame, known, op=type(node.ops[0]), left_node=node.left,
                              right_node=node.comparators[0], tb=tb)
    if isinstance(node, ast.Subscript):
        return _read_index_error(node, err, frame, known)
    if isinstance(node, ast.Call):
        if isinstance(err, TypeError) and re.search(r"positional argument|keyword argument", str(err)):
            read = _read_arguments(node, frame)
            if read:
                return read
        return (_read_reversed_twice(node) or _read_numpy_call(node, frame, known, err)
                or _explain_call(node, frame, known))
    return None


def _read_arguments(node, frame):
    """A call with too many, too few or unknown arguments: the callee's parameters, in order."""
    fn = _callee(node, frame)
    if fn is None or _is_numpy_function(fn):
        return None
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None
    listed = ", ".join(name for name, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    label = ast.unparse(node.func)
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values()):
        return None
    if not listed:
        return gettext("`{call}` passes arguments, but `{fn}` takes none. Likely mistake: call it as `{fn}()`.").format(
            call=ast.unparse(node)[:100], fn=label)
    return gettext("`{call}` passes {n} positional argument(s), but `{fn}` takes ({params}). Likely mistake: call "
                   "it with its parameters, in this order: `{fn}({params})`.").format(
                       call=ast.unparse(node)[:100], n=len(node.args), fn=label, params=listed)


def _read_outer_calls(tbs, known):
    """A call of the answer into the course's code (or another of its functions) that raised there: an
    argument that is empty along an axis."""
    for tb in reversed(tbs):
        node = _failing_node(tb)
        if not isinstance(node, ast.Call):
            continue
        pos = _position(tb)
        for sub in [n for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)]:
            try:
                value = _value(sub, tb.tb_frame)
            except Exception:  # noqa: BLE001
                continue
            if isinstance(value, list) and not value:
                made = _assignment(sub.id, tb, pos[0] if pos else None)
                if made:
                    return gettext("in `{call}`, `{name}` is an empty list. Likely mistake: `{name}` gets another "
                                   "value than the one meant here, on line {line}: `{source}` (check the order of "
                                   "the names there).").format(call=ast.unparse(node)[:100], name=sub.id,
                                                               line=made[0], source=made[1])
        for arg in node.args:
            try:
                value = _value(arg, tb.tb_frame)
            except Exception:  # noqa: BLE001
                continue
            if isinstance(value, np.ndarray) and value.ndim and 0 in value.shape:
                return gettext("in `{call}`, `{arg}` has shape {shape}: it is empty along axis {axis}. Likely "
                               "mistake: the slice that makes it selects nothing (check its start and "
                               "end).").format(call=ast.unparse(node)[:100], arg=ast.unparse(arg), shape=value.shape,
                                               axis=value.shape.index(0))
    return None
