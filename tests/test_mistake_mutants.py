"""How well the checks name mistakes nobody wrote a catalogue entry for: mutants of the solutions.

Each graded NumPy task of labs 01–04, 07 and 08 has its solution in ``solutions/labNN/labNN.py``.
This test takes that function's source and applies systematic AST mutations, one at a time
(swap the operands of @, −, /, * and +; + ↔ −, * ↔ /; drop one term of a sum or product; add a
term twice; add or remove ``.T``; change ``axis``; drop ``keepdims``; tanh ↔ sigmoid; swap two
arguments of a call; swap two elements of a tuple or list (returned tuples, ``[h, c]``, the
targets of an unpacking such as a gate split); reverse a ``range``; shift an index by one
(``t ± 1``); a constant + 1; ``+=`` → ``=``; drop a statement). It keeps the mutants whose
outputs differ from the solution's on the visible case (the rest are equivalent mutants: same
output, nothing to name), grades each with the task's check, and prints per task: mutants
tried, named (``is_named`` of the corpus test: not "matches none of the usual mistakes"), false
passes (a wrong mutant graded as correct), crashes of the checks.

A mutant that itself raises on the visible case (a shape error, an index out of range) is
counted in its own columns: what the check can say about it is the crash reader's job
(which expression failed, with which shapes), not the probes'. The test lists every raising
mutant with its message and asserts that ≥ 90 % of them are named ("Likely mistake:"), with
0 crashes (53 of 209 before the crash reader read names, indices, unpacking, calls and axes).
"""
import ast
import contextlib
import copy
import io
import itertools
import linecache
import os
import re
import time

import numpy as np
import pytest

from lstmcourse import checks, lab07_checks as lab07, lab08_checks as lab08
from lstmcourse import reference as ref
from lstmcourse.grading import harness as H
from tests.test_mistake_corpus import is_named

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# -- the solutions' functions, from their source ------------------------------------------------
def solution_functions(lab):
    """{name: source} of the top-level functions of ``solutions/labNN/labNN.py``."""
    with open(os.path.join(ROOT, "solutions", lab, f"{lab}.py"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    out, current = {}, None
    for line in lines:
        if line.startswith("def "):
            current = line[4:line.index("(")]
            out[current] = [line]
        elif current and (line.startswith(("# %%", "class ")) or (line and not line[0].isspace())):
            current = None
        elif current:
            out[current].append(line)
    return {k: "\n".join(v).rstrip() + "\n" for k, v in out.items()}


def namespace(lab):
    """What a lab's functions see: NumPy, the lab's sigmoid and PAD, and its other solved functions."""
    ns = {"np": np, "sigmoid": sigmoid, "PAD": lab07.PAD, "rnn_forward": ref.rnn_forward}
    for name, src in solution_functions(lab).items():
        if name in ("show", "loss"):
            continue
        exec(compile(src, f"<solution {lab}>", "exec"), ns)  # noqa: S102 - the course's own solutions
    if lab == "lab02":
        ns["rnn_forward"] = ref.rnn_forward
    return ns


#: task -> (lab, function, check(fn, hidden))
TASKS = {
    "rnn_step": ("lab01", "rnn_step", checks.check_rnn_step),
    "rnn_forward": ("lab01", "rnn_forward", checks.check_rnn_forward),
    "rnn_backward": ("lab02", "rnn_backward", lambda fn, hidden=False: checks.check_rnn_backward(
        ref.rnn_forward, fn, hidden=hidden)),
    "numerical_gradient": ("lab02", "numerical_gradient", checks.check_numerical_gradient),
    "gradient_norms": ("lab02", "gradient_norms", checks.check_gradient_norms),
    "lstm_step": ("lab03", "lstm_step", checks.check_lstm_step),
    "lstm_forward": ("lab03", "lstm_forward", checks.check_lstm_forward),
    "gru_step": ("lab04", "gru_step", checks.check_gru_step),
    "lab07 temperature": ("lab07", "temperature_probabilities", lab07.check_temperature),
    "lab07 sampling": ("lab07", "sample_tokens", lab07.check_sampling),
    "lab07 bits": ("lab07", "bits_per_char", lab07.check_bits),
    "lab07 bigram": ("lab07", "bigram_table", lab07.check_bigram),
    "lab07 generate": ("lab07", "generate", lab07.check_generate),
    "lab08 scores": ("lab08", "additive_scores", lab08.check_scores),
    "lab08 softmax": ("lab08", "masked_softmax", lab08.check_masked_softmax),
    "lab08 context": ("lab08", "attention_context", lab08.check_context),
    "lab08 decoder": ("lab08", "decoder_step", lab08.check_decoder_step),
}


# -- the visible case of each task: what a function returns on it (to drop equivalent mutants) ----------
def visible_output(task, fn):
    """``fn`` run on the task's visible case (fresh copies of every input); what it returns."""
    if task == "rnn_step":
        p, x, h, _ = H._case(1, seed=1)
        return fn(x[:, 0].copy(), h.copy(), H._copy(p))
    if task == "rnn_forward":
        p, x, h0, _ = H._case(1, seed=2)
        return fn(x.copy(), h0.copy(), H._copy(p))[0]
    if task == "rnn_backward":
        p, x, h0, _ = H._case(1, seed=3)
        hs, cache = ref.rnn_forward(x, h0, p)
        dhs = np.random.default_rng(4).normal(size=hs.shape)
        return fn(dhs, cache)
    if task == "numerical_gradient":
        x = np.array([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]])
        return fn(lambda: float(np.sum(np.sin(x) * x ** 2)), x), x
    if task == "gradient_norms":
        p, x, _, _ = H._case(1, seed=5)
        p["recurrent_kernel"] *= 0.5
        return fn(x.copy(), p)
    if task == "lstm_step":
        p, x, h, c = H._case(4, seed=6)
        return fn(x[:, 0].copy(), h.copy(), c.copy(), H._copy(p))
    if task == "lstm_forward":
        p, x, h0, c0 = H._case(4, seed=7)
        return fn(x.copy(), h0.copy(), c0.copy(), H._copy(p))[0]
    if task == "gru_step":
        p, x, h, _ = H._case(3, seed=8, reset_after=True)
        return fn(x[:, 0].copy(), h.copy(), H._copy(p))
    if task == "lab07 temperature":
        z, T = lab07._logits_case(0, False)
        return fn(z.copy(), T), fn(z.copy(), 0.0)
    if task == "lab07 sampling":
        z, T = lab07._logits_case(0, False)
        batch = np.repeat(z[[0, 2]], 50, axis=0)
        return (fn(batch, T, np.random.default_rng(5)), fn(z.copy(), 0.0, np.random.default_rng(5)),
                fn(batch, 1.5, np.random.default_rng(5)))
    if task == "lab07 bits":
        return fn(*lab07._bits_case(0, False))
    if task == "lab07 bigram":
        x, y, V, a = lab07._bigram_case(0, False)
        return fn(x.copy(), y.copy(), V, a)
    if task == "lab07 generate":
        w, first, steps, noise = lab07._generate_case(0, False)
        calls = []
        tokens = fn(lab07._Model(w, calls), first.copy(), steps, lab07._Sampler(noise, w["head_bias"].shape[0]))
        return tokens, lab07._trace(calls)
    c = lab08._case(0, False)
    if task == "lab08 scores":
        return fn(c.query.copy(), c.values.copy(), {k: v.copy() for k, v in c.params.items()})
    if task == "lab08 softmax":
        return fn(c.scores.copy(), c.mask.copy())
    if task == "lab08 context":
        return fn(c.weights.copy(), c.values.copy())
    if task == "lab08 decoder":
        w, symbol, states, values, mask = lab08._decoder_case(0, False)
        return fn(lab08._Decoder(w, []), symbol.copy(), [s.copy() for s in states], values.copy(), mask.copy())
    raise KeyError(task)


def same(a, b):
    """Equal outputs (nested tuples, lists and dicts of arrays; NaN equals NaN)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b) and all(
            same(x, y) for x, y in zip(a, b))
    try:
        a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-8, equal_nan=True))


# -- mutations ----------------------------------------------------------------------------------------
_FLIP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


def _mutations(node, parent):
    """(label, make) pairs: each ``make()`` returns the node replacing ``node`` (a deep copy is passed)."""
    out = []
    if isinstance(node, ast.BinOp):
        sym = ast.unparse(node)[:40]
        out.append((f"swap operands of {sym}", lambda n: ast.BinOp(n.right, n.op, n.left)))
        if type(node.op) in _FLIP:
            out.append((f"{type(node.op).__name__}→{_FLIP[type(node.op)].__name__} in {sym}",
                        lambda n: ast.BinOp(n.left, _FLIP[type(n.op)](), n.right)))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            out.append((f"drop right term of {sym}", lambda n: n.left))
            out.append((f"drop left term of {sym}", lambda n: n.right))
        if isinstance(node.op, (ast.Add, ast.Sub)):
            out.append((f"right term twice in {sym}", lambda n: ast.BinOp(n, n.op, copy.deepcopy(n.right))))
        if isinstance(node.op, ast.MatMult):
            for side in ("left", "right"):
                out.append((f".T on the {side} of {sym}", lambda n, side=side: ast.BinOp(
                    *(lambda l, r: (l, n.op, r))(
                        ast.Attribute(n.left, "T", ast.Load()) if side == "left" else n.left,
                        ast.Attribute(n.right, "T", ast.Load()) if side == "right" else n.right))))
    if isinstance(node, ast.Attribute) and node.attr == "T":
        out.append((f"remove .T from {ast.unparse(node)[:40]}", lambda n: n.value))
    if isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, (ast.Constant, ast.UnaryOp)):
        try:
            k = ast.literal_eval(node.value)
        except ValueError:
            k = None
        for new in (0, 1, -1, 2):
            if isinstance(k, int) and new != k:
                out.append((f"axis={k}→{new}", lambda n, new=new: ast.keyword("axis", ast.Constant(new))))
    if isinstance(node, ast.keyword) and node.arg == "keepdims":
        out.append(("keepdims dropped", lambda n: ast.keyword("keepdims", ast.Constant(False))))
    if isinstance(node, ast.Call):
        f = ast.unparse(node.func)
        if f in ("np.tanh", "sigmoid"):
            other = "sigmoid" if f == "np.tanh" else "np.tanh"
            out.append((f"{f}→{other}", lambda n, other=other: ast.Call(ast.parse(other, mode="eval").body, n.args,
                                                                        n.keywords)))
        if f == "range":
            out.append(("range reversed", lambda n: ast.Call(ast.Name("reversed", ast.Load()), [n], [])))
        if f == "reversed" and node.args:
            out.append(("reversed dropped", lambda n: n.args[0]))
        if len(node.args) >= 2:
            for i, j in itertools.combinations(range(min(len(node.args), 3)), 2):
                def swap_args(n, i=i, j=j):
                    args = list(n.args)
                    args[i], args[j] = args[j], args[i]
                    return ast.Call(n.func, args, n.keywords)
                out.append((f"swap arguments {i},{j} of {f}", swap_args))
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) >= 2 and len(node.elts) <= 4:
        for i, j in itertools.combinations(range(len(node.elts)), 2):
            def swap_elts(n, i=i, j=j):
                elts = list(n.elts)
                elts[i], elts[j] = elts[j], elts[i]
                return type(n)(elts, n.ctx)
            out.append((f"swap elements {i},{j} of {ast.unparse(node)[:40]}", swap_elts))
    if isinstance(node, ast.Subscript):
        for sub in ast.walk(node.slice):
            if isinstance(sub, ast.Name) and sub.id in ("t", "i", "index", "k"):
                for d, op in ((1, ast.Add), (-1, ast.Sub)):
                    def shift(n, name=sub.id, op=op):
                        n = copy.deepcopy(n)
                        for s in ast.walk(n.slice):
                            for field, value in ast.iter_fields(s):
                                if isinstance(value, ast.Name) and value.id == name:
                                    setattr(s, field, ast.BinOp(ast.Name(name, ast.Load()), op(), ast.Constant(1)))
                        if isinstance(n.slice, ast.Name) and n.slice.id == name:
                            n.slice = ast.BinOp(ast.Name(name, ast.Load()), op(), ast.Constant(1))
                        return n
                    out.append((f"{sub.id}{'+' if d > 0 else '-'}1 in {ast.unparse(node)[:40]}", shift))
                break
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) and not isinstance(parent, ast.keyword):
        out.append((f"constant {node.value}→{node.value + 1}", lambda n: ast.Constant(n.value + 1)))
    if isinstance(node, ast.AugAssign):
        out.append((f"+= → = in {ast.unparse(node)[:40]}", lambda n: ast.Assign([n.target], n.value)))
    return out


def mutants(src):
    """(label, source) of every single mutation of the function in ``src`` (one site, one operator)."""
    tree = ast.parse(src)
    fn = tree.body[0]
    sites = []
    parents = {}
    for node in ast.walk(fn):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    nodes = [n for n in ast.walk(fn) if n is not fn and not isinstance(n, (ast.arguments, ast.arg))]
    for index, node in enumerate(nodes):
        for label, make in _mutations(node, parents.get(node)):
            sites.append((index, label, make))
    # statement deletion (not the function's last statement: the return)
    for body_owner in [n for n in ast.walk(fn) if hasattr(n, "body") and isinstance(n.body, list)]:
        for k, stmt in enumerate(body_owner.body):
            if len(body_owner.body) > 1 and not isinstance(stmt, (ast.Return, ast.For, ast.If)) \
                    and not (body_owner is fn and k == len(fn.body) - 1):
                sites.append((nodes.index(stmt), f"drop `{ast.unparse(stmt)[:40]}`", None))
    out = []
    for index, label, make in sites:
        tree2 = copy.deepcopy(tree)
        nodes2 = [n for n in ast.walk(tree2.body[0]) if n is not tree2.body[0]
                  and not isinstance(n, (ast.arguments, ast.arg))]
        target = nodes2[index]
        if make is None:
            for owner in ast.walk(tree2):
                if hasattr(owner, "body") and isinstance(owner.body, list) and target in owner.body:
                    owner.body.remove(target)
                    break
        else:
            replacement = make(copy.deepcopy(target))
            for owner in ast.walk(tree2):
                for field, value in ast.iter_fields(owner):
                    if value is target:
                        setattr(owner, field, replacement)
                    elif isinstance(value, list) and any(v is target for v in value):
                        value[[v is target for v in value].index(True)] = replacement
        try:
            text = ast.unparse(ast.fix_missing_locations(tree2))
            compile(text, "<mutant>", "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        out.append((label, text))
    seen, unique = set(), []
    for label, text in out:
        if text not in seen and text != ast.unparse(tree):
            seen.add(text)
            unique.append((label, text))
    return unique


def build(src, ns, name, tag):
    """The function ``name`` compiled from ``src`` in a copy of ``ns``, its source registered with
    linecache (as a notebook's cell is, so the crash reader can read the failing line)."""
    filename = f"<mutant {tag}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    space = dict(ns)
    exec(compile(src, filename, "exec"), space)  # noqa: S102 - mutants of the course's own solutions
    return space[name]


def grade(check, fn, hidden):
    """'pass', the AssertionError's message, or the exception the check itself raised (a crash)."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            with np.errstate(all="ignore"):
                check(fn, hidden=hidden)
        except AssertionError as err:
            return str(err)
        except Exception as err:  # noqa: BLE001 - a crash of the check, counted
            return err
    return "pass"


def run_task(task):
    lab, name, check = TASKS[task]
    ns = namespace(lab)
    src = solution_functions(lab)[name]
    reference = visible_output(task, ns[name])
    row = dict(tried=0, named=0, false_pass=0, crash=0, raising=0, raising_named=0, equivalent=0, unnamed=[], raising_unnamed=[], raising_list=[],
               false_passes=[], crashes=[], seconds=0.0)
    for k, (label, text) in enumerate(mutants(src)):
        fn = build(text, ns, name, f"{task} {k}")
        try:
            with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
                out = visible_output(task, fn)
            raises = False
        except Exception:  # noqa: BLE001 - the mutant itself raises on the visible case
            raises = True
        if not raises and same(out, reference):
            row["equivalent"] += 1
            continue
        start = time.perf_counter()
        got = grade(check, build(text, ns, name, f"{task} {k}"), False)
        hidden = grade(check, build(text, ns, name, f"{task} {k} hidden"), True)
        row["seconds"] += time.perf_counter() - start
        if not isinstance(got, str) or not isinstance(hidden, (str,)):
            row["crash"] += 1
            row["crashes"].append(f"{label}: {got if not isinstance(got, str) else hidden!r}")
            continue
        if raises:
            row["raising"] += 1
            row["raising_named"] += is_named(got)
            row["raising_list"].append(f"{'named' if is_named(got) else 'UNNAMED'}: {label}: {got}")
            if not is_named(got):
                row["raising_unnamed"].append(f"{label}: {got[:300]}")
            continue
        row["tried"] += 1
        if got == "pass":
            row["false_pass"] += 1
            row["false_passes"].append(label)
        elif is_named(got):
            row["named"] += 1
        else:
            row["unnamed"].append(f"{label}: {got[:150]}")
    return row


@pytest.fixture(scope="module")
def table():
    return {task: run_task(task) for task in TASKS}


def test_mutant_table(table, capsys):
    total = {k: sum(r[k] for r in table.values()) for k in
             ("tried", "named", "false_pass", "crash", "raising", "raising_named", "equivalent", "seconds")}
    with capsys.disabled():
        print("\n| task | mutants tried | named | false passes | crashes | raising (named by the crash reader) "
              "| equivalent (dropped) | grading time per mutant |")
        print("|---|---|---|---|---|---|---|---|")
        for task, r in list(table.items()) + [("**all**", total)]:
            n = r["tried"] + r["raising"]
            print(f"| {task} | {r['tried']} | {r['named']} ({100 * r['named'] / max(r['tried'], 1):.0f} %) | "
                  f"{r['false_pass']} | {r['crash']} | {r['raising']} ({r['raising_named']}) | {r['equivalent']} | "
                  f"{1000 * r['seconds'] / max(n, 1) / 2:.1f} ms |")
        for task, r in table.items():
            for line in r["unnamed"]:
                print(f"  unnamed: {task}: {line}")
            for line in r["false_passes"]:
                print(f"  FALSE PASS: {task}: {line}")
            for line in r["crashes"]:
                print(f"  CRASH: {task}: {line}")
        for task, r in table.items():
            for line in r["raising_list"]:
                print(f"  raising, {task}: {line[:400]}")
        print(f"named: {total['named']} / {total['tried']} = {100 * total['named'] / total['tried']:.1f} %")
        print(f"raising mutants named by the crash reader: {total['raising_named']} / {total['raising']} = "
              f"{100 * total['raising_named'] / max(total['raising'], 1):.1f} % (53 / 209 = 25.4 % before issue 23's "
              f"crash readings: names, indices, unpacking, calls, axes)")
    assert total["tried"] >= 250
    assert total["crash"] == 0
    assert total["false_pass"] == 0
    assert total["named"] >= 0.9 * total["tried"]
    assert total["raising"] >= 200
    assert total["raising_named"] >= 0.9 * total["raising"]


#: Raising mutants and what the crash reader must say about them (one per kind of reading).
READINGS = {
    ("rnn_step", "drop `a_t = "): r"Likely mistake: nothing in rnn_step assigns `a_t`",
    ("rnn_forward", "drop `h, hs = "): r"`h` is used on line \d+ of rnn_forward before it has a value\. Likely "
                                      r"mistake: it is assigned only later",
    ("lab07 sampling", "swap arguments 0,1 of temperature_probabilities"):
        r"Likely mistake: the arguments are in another order; temperature_probabilities takes \(logits, "
        r"temperature\): `temperature_probabilities\(logits, temperature\)`",
    ("lstm_step", "axis=1→0"): r"Likely mistake: the axis: `np\.split\(z, 4, axis=-1\)` splits the last axis, (\d+) = 4·\d+",
    ("lstm_step", "constant 4→5"): r"Likely mistake: the number of pieces: the weights hold 4 blocks of \d+ units",
    ("gru_step", "constant 3→4"): r"Likely mistake: the number of pieces: .*split into 3\.",
    ("rnn_backward", "swap elements 0,1 of (:, t - 1)"): r"Likely mistake: the indices are in another order: "
                                                         r"`hs\[:, t - 1\]` fits",
    ("rnn_backward", "Sub→Add in t - 1"): r"Likely mistake: off by one: the index is one past the end",
    ("rnn_backward", "swap elements 0,1 of (W, U)"): r"`grads\['kernel'\]` has the shape of recurrent_kernel, not "
                                                     r"that of kernel \(\d, \d\)",
    ("lab08 softmax", "axis=-1→2"): r"Likely mistake: axes count from 0: the last axis is `axis=1`",
    ("lab08 context", "swap arguments 0,1 of np.einsum"): r"np\.einsum takes the subscripts first",
    ("numerical_gradient", "index+1 in x[index]"): r"`index` is the tuple \(0, 0(, 0)?\), one index per axis",
    ("lab07 temperature", "keepdims dropped"): r"with keepdims=True it would have shape \(\d+, 1\) and broadcast",
    ("lab08 scores", "swap elements 0,1 of (:, None, :)"): r"the new axis is in the wrong place: `q\[:, None, :\]`",
}


@pytest.mark.parametrize("key", list(READINGS), ids=[f"{t}: {lbl}" for t, lbl in READINGS])
def test_crash_reader_reads_a_raising_mutant(key):
    task, wanted = key
    lab, name, check = TASKS[task]
    ns = namespace(lab)
    label, text = next((lbl, txt) for lbl, txt in mutants(solution_functions(lab)[name]) if lbl.startswith(wanted)
                       and _raises(task, build(txt, ns, name, f"{task} reading")))
    for hidden in (False, True):
        got = grade(check, build(text, ns, name, f"{task} reading {hidden}"), hidden)
        assert isinstance(got, str) and is_named(got) and re.search(READINGS[key], got), (label, got)


def _raises(task, fn):
    try:
        with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
            visible_output(task, fn)
    except Exception:  # noqa: BLE001 - the mutant raises, as wanted
        return True
    return False
