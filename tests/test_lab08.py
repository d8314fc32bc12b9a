"""Lab 08, encoder–decoder attention: the solution passes on many variants, each plausible
wrong answer is named, an answer copied from another variant is named as such, and the
hidden grade ignores rebound modules (lstmcourse.attention, the checks, NumPy)."""
import importlib

import keras
import numpy as np
import pytest
from keras import ops

import lstmcourse.attention
from lstmcourse import _grading
from lstmcourse import lab08_checks as checks


def scores(q, v, p):
    return np.tanh((q @ p["query_kernel"])[:, None, :] + v @ p["value_kernel"] + p["bias"]) @ p["score_kernel"]


def msoftmax(s, m):
    top = np.max(np.where(m, s, -np.inf), -1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.where(m, np.exp(np.where(m, s - top, 0.0)), 0.0)
    t = e.sum(-1, keepdims=True)
    return e / np.where(t > 0, t, 1.0)


def context(a, v):
    return (a[..., None] * v).sum(1)


def sm(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


class Layer(keras.layers.Layer):
    def __init__(self, units, mistake=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.mistake = units, mistake

    def build(self, query_shape, value_shape):
        qs, vs = query_shape, value_shape
        self.query_kernel = self.add_weight(shape=(qs[-1], self.units), name="query_kernel")
        self.value_kernel = self.add_weight(shape=(vs[-1], self.units), name="value_kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias" if self.mistake != "name" else "b")
        self.score_kernel = self.add_weight(shape=(self.units, 1), name="score_kernel")

    def call(self, query, value, value_mask=None):
        pre = ops.matmul(query, self.query_kernel)[:, None, :] + ops.matmul(value, self.value_kernel) + self.bias
        s = ops.squeeze(ops.matmul(pre if self.mistake == "no_tanh" else ops.tanh(pre), self.score_kernel), -1)
        if value_mask is None or self.mistake == "no_mask":
            a = ops.softmax(s, axis=-1)
        else:
            keep = ops.cast(value_mask, "bool")
            a = ops.softmax(ops.where(keep, s, -1e9), axis=-1) * ops.cast(keep, s.dtype)
        if self.mistake == "mean":
            return ops.mean(value, axis=1), a
        return ops.sum(a[..., None] * value, axis=1), a


def layer_with(mistake):
    return type(f"Layer_{mistake}", (Layer,), {"__init__": lambda self, units, **k: Layer.__init__(self, units, mistake, **k)})


class NumpyLayer(Layer):
    def call(self, query, value, value_mask=None):
        q = np.asarray(query) @ np.asarray(self.query_kernel)
        return q, q


class KeyLayer(lstmcourse.attention.AdditiveAttention):
    pass


def step(model, symbol, states, values, mask):
    out, (h, c) = model.cell(model.embed(symbol), states)
    ctx, a = model.attention(out, values, mask)
    return model.head(np.concatenate([out, ctx], -1)), [h, c], a


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("variant", [0, 2, 999])
def test_solution_passes(variant, hidden, capsys):
    checks.check_scores(scores, hidden=hidden, variant=variant)
    checks.check_masked_softmax(msoftmax, hidden=hidden, variant=variant)
    checks.check_context(context, hidden=hidden, variant=variant)
    checks.check_decoder_step(step, hidden=hidden, variant=variant)
    assert capsys.readouterr().out.count("✔") == 4


def test_layer_passes_and_mistakes_are_named(capsys):
    checks.check_layer(Layer, hidden=True, variant=4)
    assert "✔ MyAdditiveAttention" in capsys.readouterr().out
    for cls, message in [(layer_with("no_tanh"), "tanh is missing"), (layer_with("no_mask"), "the mask is ignored"),
                         (layer_with("mean"), "plain mean of the values"), (layer_with("name"), "missing: bias"),
                         (NumpyLayer, "keras.ops"), (KeyLayer, "part of the course's answer key"),
                         (int, "expected a subclass of keras.layers.Layer")]:
        with pytest.raises(AssertionError, match=message):
            checks.check_layer(cls, variant=4)


def pre(q, v, p):
    return (q @ p["query_kernel"])[:, None, :] + v @ p["value_kernel"] + p["bias"]


SCORES = [
    (lambda q, v, p: pre(q, v, p) @ p["score_kernel"], "tanh is missing"),
    (lambda q, v, p: (1 / (1 + np.exp(-pre(q, v, p)))) @ p["score_kernel"], "a sigmoid"),
    (lambda q, v, p: np.tanh(pre(q, v, p) @ p["score_kernel"]), "tanh is applied after w"),
    (lambda q, v, p: np.tanh(pre(q, v, p) - p["bias"]) @ p["score_kernel"], "the bias b is missing"),
    (lambda q, v, p: np.tanh(pre(q, v, p) + p["bias"]) @ p["score_kernel"], "added twice"),
    (lambda q, v, p: np.tanh(pre(q, v, p)).sum(-1), "the units are summed"),
    (lambda q, v, p: np.tanh(pre(q, v, p)).mean(-1), "the units are averaged"),
    (lambda q, v, p: np.einsum("bu,btu->bt", q @ p["query_kernel"], v @ p["value_kernel"]), "multiplicative score"),
    (lambda q, v, p: np.tanh((q[:1] @ p["query_kernel"])[:, None, :] + v @ p["value_kernel"] + p["bias"])
     @ p["score_kernel"], "the first sample's query"),
    (lambda q, v, p: sm(scores(q, v, p)), "these are attention weights"),
    (lambda q, v, p: scores(q, v, p)[..., None], "trailing axis of 1"),
    (lambda q, v, p: np.tanh(pre(q, v, p)), "multiply by score_kernel (w) to get one score per position"),
    (lambda q, v, p: np.repeat((np.tanh(q @ p["query_kernel"] + p["bias"]) @ p["score_kernel"])[:, None],
                               v.shape[1], 1), "scored against itself"),
]


@pytest.mark.parametrize("answer, message", SCORES)
def test_score_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        checks.check_scores(answer, hidden=True, variant=6)


SOFTMAX = [
    (lambda s, m: sm(s), "the mask is ignored"),
    (lambda s, m: msoftmax(s, ~m), "the mask is inverted"),
    (lambda s, m: sm(np.where(m, s, 0.0)), "set to 0, not to −inf"),
    (lambda s, m: sm(s * m), "set to 0, not to −inf"),
    (lambda s, m: sm(s) * m, "not renormalised"),
    (lambda s, m: msoftmax(s.T, m.T).T, "over the batch"),
    (lambda s, m: np.where(m, np.log(np.where(m, msoftmax(s, m), 1.0)), 0.0), "log-weights"),
    (lambda s, m: sm(np.where(m, s, -1e9)), "gets uniform weights"),
    (lambda s, m: sm(np.where(m, s, -np.inf)), "gets NaN"),
    (lambda s, m: (lambda e: e / e.sum(-1, keepdims=True))(np.where(m, np.exp(s), 0.0)), "exp overflowed"),
]


@pytest.mark.parametrize("answer, message", SOFTMAX)
def test_softmax_mistakes_are_named(answer, message):
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match=message):
        checks.check_masked_softmax(answer, hidden=True, variant=6)


CONTEXT = [
    (lambda a, v: v.mean(1), "plain mean"), (lambda a, v: a[..., None] * v, "not summed"),
    (lambda a, v: (a[..., None] * v).mean(1), "averaged over the positions"),
    (lambda a, v: np.einsum("t,btd->bd", a[0], v), "first sample's weights"),
    (lambda a, v: a @ v[0], "first sample's values"), (lambda a, v: v.sum(1), "without the weights"),
]


@pytest.mark.parametrize("answer, message", CONTEXT)
def test_context_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_context(answer, hidden=True, variant=6)


def step_with(query_before=False, no_mask=False, stale=False, swap=False, query_c=False, swap_concat=False,
              mean=False):
    def f(model, symbol, states, values, mask):
        h0, c0 = states
        out, (h, c) = model.cell(model.embed(symbol), [c0, h0] if swap else states)
        q = h0 if query_before else (c if query_c else out)
        if mean:
            ctx, a = values.mean(1), np.full(mask.shape, 1 / mask.shape[1])
        else:
            ctx, a = model.attention(q, values, None if no_mask else mask)
        feats = np.concatenate([ctx, out] if swap_concat else [out, ctx], -1)
        new = states if stale else ([c, h] if swap else [h, c])
        return model.head(feats), new, a
    return f


DECODER = [
    (step_with(query_before=True), "queried with the previous h"), (step_with(no_mask=True), "value_mask is not passed"),
    (step_with(stale=True), "the ones you were given"), (step_with(swap=True), "passed as [c, h]"),
    (step_with(query_c=True), "queried with the cell state c"), (step_with(swap_concat=True), "[context, output]"),
    (step_with(mean=True), "mean of the values"),
    (lambda model, s, st, v, m: (model.head(model.cell(model.embed(s), st)[0]), st, None), "head takes [output, context]"),
    (lambda model, s, st, v, m: (None, None), "return (logits, [h, c], weights)"),
    (lambda model, s, st, v, m: step(model, s, st, v, m)[0], "return (logits, [h, c], weights)"),
    (lambda model, s, st, v, m: model.cell(np.concatenate([model.embed(s), v.mean(1)], -1), st), "the cell takes"),
]


@pytest.mark.parametrize("answer, message", DECODER)
def test_decoder_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError) as info:
        checks.check_decoder_step(answer, hidden=True, variant=6)
    assert message in str(info.value), str(info.value)


def test_one_hundred_variants_both_directions():
    def constant(value):
        return lambda *args: value.copy()

    def decoder_copy(u):
        logits = checks._decoder_reference(*checks._decoder_case(u, False))[0]
        return lambda model, s, st, v, m: (logits.copy(), st, np.zeros(m.shape))

    copied = {
        checks.check_scores: (scores, lambda u: constant((lambda k: scores(k.query, k.values, k.params))(
            checks.lab_case(u)))),
        checks.check_masked_softmax: (msoftmax, lambda u: constant(checks.lab_case(u).weights)),
        checks.check_context: (context, lambda u: constant((lambda k: context(k.weights, k.values))(
            checks.lab_case(u)))),
        checks.check_decoder_step: (step, decoder_copy),
    }
    for v in range(100):
        u = (v + 1) % 100
        for check, (solution, from_other) in copied.items():
            check(solution, variant=v)
            check(solution, hidden=True, variant=v)
            with pytest.raises(AssertionError, match=f"variant {u}'s, not yours"):
                check(from_other(u), variant=v)


def test_hidden_grade_ignores_rebound_attention_and_checks(monkeypatch):
    wrong = lambda s, m: sm(s)  # noqa: E731 - the mask ignored
    monkeypatch.setattr(checks, "_masked_softmax", wrong)
    monkeypatch.setattr(checks, "check_masked_softmax", lambda *a, **k: None)
    monkeypatch.setattr(lstmcourse.attention, "AdditiveAttention", Layer)
    fresh = importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab08")
    with pytest.raises(AssertionError, match="the mask is ignored"):
        fresh.check_masked_softmax(wrong, hidden=True)


def test_fresh_refuses_patched_numpy(monkeypatch):
    monkeypatch.setattr(np, "abs", lambda a, *args, **kwargs: np.zeros(np.shape(a)))
    with pytest.raises(RuntimeError, match="integrity check failed"):
        _grading.fresh("lab08")
