"""Checks for lab 08, encoder–decoder attention: the additive (Bahdanau) score, the masked
softmax and the context in NumPy, the same as a Keras layer, and one decoder step.

Every case is drawn from the student's variant (:mod:`lstmcourse.grading.variants`); the
references are written here in NumPy, so nothing in :mod:`lstmcourse.attention` (the
answer key of task 4) is used, and an answer that calls it fails. Wrong answers are
compared with a catalogue of the usual mistakes and then with the other variants'
answers. The shared machinery (calling an answer, the answer-key guard, naming a
mistake) is :mod:`lstmcourse.grading.variant_harness`, shared with lab 07. The hidden tests
grade with ``lstmcourse._grading.fresh("lab08")`` (the grading package executed again from
disk in the sandbox).

    >>> from lstmcourse import lab08_checks
    >>> case = lab08_checks.lab_case(0)
    >>> case.values.shape[:2] == case.mask.shape
    True
"""
import types

import keras
import numpy as np

from lstmcourse.grading import probes as _probes
from lstmcourse.grading import variant_harness as _common
from lstmcourse.grading import variants
from lstmcourse.grading.variant_harness import _ok, _softmax, _variant
from lstmcourse.i18n import N_, gettext

LAB = "lab08"
#: The files an answer may not call: the answer key of task 4, these checks and their shared harness.
_ANSWER_KEY = _common.answer_key(__file__, "lstmcourse.lab08_checks", "attention.py", "lstmcourse.attention")
_ALLOWED = {"embed", "cell", "head", "attention", "__call__"}
WEIGHT_NAMES = ("query_kernel", "value_kernel", "bias", "score_kernel")


def _sizes(variant):
    r = variants.rng(variant, LAB, "sizes")
    return dict(batch=int(r.integers(3, 5)), steps=int(r.integers(4, 10)), query_dim=int(r.integers(3, 7)),
                value_dim=int(r.integers(3, 8)), units=int(r.integers(2, 7)), embed_dim=int(r.integers(2, 5)),
                vocab=int(r.integers(6, 12)))


def _case(variant, hidden):
    """query (B, q), values (B, T, v), mask (B, T) (row 0 full, row 1 short, the last row empty when
    hidden), the scoring weights, and scores with a row near 800 for the softmax."""
    s = _sizes(variant)
    r = variants.rng(variant, LAB, "hidden" if hidden else "visible")
    B, T = s["batch"] + int(hidden), s["steps"] + int(hidden)
    lengths = r.integers(1, T + 1, size=B)
    lengths[0], lengths[1] = T, max(1, T // 2)
    if hidden:
        lengths[-1] = 0
    mask = np.arange(T) < lengths[:, None]
    params = {"query_kernel": r.normal(0, 0.7, (s["query_dim"], s["units"])),
              "value_kernel": r.normal(0, 0.7, (s["value_dim"], s["units"])),
              "bias": r.normal(0, 0.5, s["units"]), "score_kernel": r.normal(0, 1.0, s["units"])}
    scores = r.normal(0, 2.0, (B, T))
    scores[1] += 800.0
    return types.SimpleNamespace(query=r.normal(0, 1, (B, s["query_dim"])), values=r.normal(0, 1, (B, T, s["value_dim"])),
                                 mask=mask, params=params, scores=scores, weights=_masked_softmax(scores, mask))


def lab_case(variant):
    """The visible case of ``variant``: ``query``, ``values``, ``mask``, ``params`` (query_kernel,
    value_kernel, bias, score_kernel), ``scores`` and ``weights`` (arrays, copies)."""
    c = _case(variants.check_variant(variant), False)
    c.params = {k: v.copy() for k, v in c.params.items()}
    return c


# -- references ---------------------------------------------------------------------------------
def _scores(q, v, p):
    hidden = np.tanh((q @ p["query_kernel"])[:, None, :] + v @ p["value_kernel"] + p["bias"])   # (B, T, units)
    return hidden @ p["score_kernel"]                                                            # (B, T)


def _masked_softmax(scores, mask):
    z = np.where(mask, scores, -np.inf)
    top = np.max(np.where(mask, scores, -1e300), axis=-1, keepdims=True)
    e = np.where(mask, np.exp(np.where(mask, z - top, 0.0)), 0.0)
    total = e.sum(-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def _context(weights, values):
    return np.einsum("bt,btd->bd", weights, values)


def _call(name, fn, *args, allowed=(), arg_names=(), raised="function"):
    return _common._call(name, fn, *args, allowed=allowed, answer_key=_ANSWER_KEY, arg_names=arg_names, raised=raised)


def _memo(task, fn):
    return _common._memo(f"{LAB}:{task}", fn)


# -- Task 1: scores ---------------------------------------------------------------------------------
def _score_mistakes(q, v, p):
    qk, vk, b, w = p["query_kernel"], p["value_kernel"], p["bias"], p["score_kernel"]
    pre = (q @ qk)[:, None, :] + v @ vk + b
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    return [
        (N_("tanh is missing: e_j = w·tanh(W_q q + W_v v_j + b)."), lambda: pre @ w),
        (N_("a sigmoid in place of tanh."), lambda: sig(pre) @ w),
        (N_("tanh is applied after w: it goes inside, on W_q q + W_v v_j + b."), lambda: np.tanh(pre @ w)),
        (N_("the bias b is missing."), lambda: np.tanh(pre - b) @ w),
        (N_("the bias is added twice (once with the query, once with the values)."), lambda: np.tanh(pre + b) @ w),
        (N_("the bias is added after tanh (summed, outside w·tanh(...)); it goes inside: tanh(W_q q + W_v v_j + b)."),
         lambda: np.tanh(pre - b) @ w + b.sum()),
        (N_("the bias is added after tanh; it goes inside: w·tanh(W_q q + W_v v_j + b)."),
         lambda: (np.tanh(pre - b) + b) @ w),
        (N_("w is not applied: the units are summed; multiply by score_kernel (w)."), lambda: np.tanh(pre).sum(-1)),
        (N_("w is not applied: the units are averaged; multiply by score_kernel (w)."), lambda: np.tanh(pre).mean(-1)),
        (N_("query_kernel and value_kernel are swapped: W_q multiplies the query, W_v the values."),
         lambda: np.tanh((q @ vk)[:, None, :] + v @ qk + b) @ w),
        (N_("this is a multiplicative score (W_q q)·(W_v v_j); the additive score adds them inside tanh."),
         lambda: np.einsum("bu,btu->bt", q @ qk, v @ vk)),
        (N_("this is a dot-product score q·v_j; the additive score has W_q, W_v, b, tanh and w."),
         lambda: np.einsum("bd,btd->bt", q, v)),
        (N_("every sample uses the first sample's query: broadcast q over its own values."),
         lambda: np.tanh((q[:1] @ qk)[:, None, :] + v @ vk + b) @ w),
        (N_("these are attention weights (a softmax of the scores); return the scores themselves."),
         lambda: _softmax(np.tanh(pre) @ w)),
        (N_("the scores have a trailing axis of 1: return shape (batch, Tv)."), lambda: (np.tanh(pre) @ w)[..., None]),
        (N_("the query is scored against itself, not against the values: W_v multiplies v_j."),
         lambda: np.repeat((np.tanh(q @ qk + b) @ w)[:, None], v.shape[1], 1)),
    ]


def check_scores(fn, hidden=False, variant=None):
    """Task 1: ``fn(query, values, params)`` -> (batch, Tv) scores e_j = w·tanh(W_q q + W_v v_j + b)."""
    name = "additive_scores"
    variant = _variant(variant)
    c = _case(variant, hidden)
    args = (c.query.copy(), c.values.copy(), {k: x.copy() for k, x in c.params.items()})
    got = _common._as_array(name, _call(name, fn, *args, arg_names=("query", "values", "params")))
    if not all(np.array_equal(a, b) for a, b in zip(args[:2], (c.query, c.values))):
        raise AssertionError(gettext("{name}: your function changed its inputs in place; compute on new "
                                     "arrays.").format(name=name))
    expected = _scores(c.query, c.values, c.params)
    if got.shape == expected.shape + (c.params["bias"].shape[0],):
        raise AssertionError(gettext("{name}: the result has shape {shape}: that is tanh(...) for every unit; "
                                     "multiply by score_kernel (w) to get one score per position, (batch, "
                                     "Tv).").format(name=name, shape=got.shape))
    if not _common._close(got, expected):
        _common._fail(name, got, expected, _score_mistakes(c.query, c.values, c.params),
                      _memo("scores", lambda v: (lambda k: _scores(k.query, k.values, k.params))(_case(v, False))),
                      variant, N_("scores"), locate=lambda: _probes.scores(fn, c.query, c.values, c.params, _scores))
    _ok(name, gettext("{batch} samples × {steps} positions, {units} units").format(
        batch=expected.shape[0], steps=expected.shape[1], units=c.params["bias"].shape[0]))


# -- Task 2: masked softmax ------------------------------------------------------------------------
def _softmax_mistakes(z, m):
    filled = np.where(m, z, -1e9)
    return [
        (N_("the mask is ignored: padded positions must get weight 0."), lambda: _softmax(z)),
        (N_("the mask is inverted: True marks real positions, which keep their scores."),
         lambda: _masked_softmax(z, ~m)),
        (N_("padded scores are set to 0, not to −inf, before the softmax: exp(0) = 1 still gives them weight."),
         lambda: _softmax(np.where(m, z, 0.0))),
        (N_("the softmax is multiplied by the mask but not renormalised: the real weights must sum to 1."),
         lambda: _softmax(z) * m),
        (N_("the softmax runs over the batch (axis 0); it runs over the positions of each sample (axis -1)."),
         lambda: _masked_softmax(z.T, m.T).T),
        (N_("these are log-weights (a log-softmax); return the weights."),
         lambda: np.where(m, np.log(np.where(m, _masked_softmax(z, m), 1.0)), 0.0)),
        (N_("a sample with no real position gets uniform weights (a −1e9 fill); it must get all zeros."),
         lambda: _softmax(filled)),
        (N_("a sample with no real position gets NaN (0 / 0 after a −inf fill); give it all zeros."),
         lambda: _softmax(np.where(m, z, -np.inf))),
        (N_("the whole batch is normalised at once; normalise each sample's row."),
         lambda: (lambda e: e / e.sum())(np.where(m, np.exp(z - np.max(np.where(m, z, -1e300))), 0.0))),
    ]


def check_masked_softmax(fn, hidden=False, variant=None):
    """Task 2: ``fn(scores, mask)`` -> weights: softmax over the True positions of each row, 0 where the
    mask is False, and a row with no True position all zeros."""
    name = "masked_softmax"
    variant = _variant(variant)
    c = _case(variant, hidden)
    z, m = c.scores, c.mask
    got = _common._as_array(name, _call(name, fn, z.copy(), m.copy()))
    expected = _masked_softmax(z, m)
    if got.shape == expected.shape and not np.all(np.isfinite(got[1])):
        raise AssertionError(gettext("{name}: the sample with scores near 800 gives NaN/inf: exp overflowed. Subtract "
                                     "each row's maximum (over its real positions) before exp.").format(name=name))
    if not _common._close(got, expected):
        named = _common._diagnose(name, got, _softmax_mistakes(z, m),
                                  _memo("softmax", lambda v: _case(v, False).weights), variant)
        if named is None and got.shape == expected.shape:
            empty = ~m.any(-1)
            rest = ~empty
            if np.all(np.isnan(got[empty])) and _common._close(got[rest], expected[rest]):
                named = _common._named(name, N_("a sample with no real position gets NaN (0 / 0 after a −inf fill); "
                                                "give it all zeros."))
        if named:
            raise AssertionError(named)
        _common._fail(name, got, expected, [], lambda v: None, variant, N_("weights"),
                      locate=lambda: _probes.masked_softmax(fn, z, m, got, _masked_softmax))
    # padded scores must not count: raise them far above the real ones (the max and the sum ignore them)
    rows = m.any(-1) & ~m.all(-1)
    if rows.any():
        high = z.copy()
        high[rows[:, None] & ~m] = z.max() + 1000.0
        with np.errstate(all="ignore"):
            moved = _common._as_array(name, _call(name, fn, high, m.copy()))
        if moved.shape != expected.shape or not _common._close(moved, expected):
            raise AssertionError(gettext("{name}: the weights change when the scores at padded positions grow (by "
                                         "1000 above the rest): padded scores must not enter the maximum or the sum. "
                                         "Take the maximum over the real positions only (fill the padding with -inf "
                                         "first, or use np.where(mask, scores, -np.inf)).").format(name=name))
    if m.all(-1).any() and not (~m.any(-1)).any():  # no empty row in this case: ask for one on its own
        z1, m1 = np.concatenate([z, z[:1]]), np.concatenate([m, np.zeros_like(m[:1])])
        last = _common._as_array(name, _call(name, fn, z1.copy(), m1.copy()))
        if last.shape != z1.shape or not np.array_equal(last[-1], np.zeros(z.shape[1])):
            row = last[-1] if last.shape == z1.shape else last
            message = (N_("{name}: a sample with no real position (mask all False) gets NaN (0 / 0); it must get "
                          "all zeros (no position to attend to).") if np.any(np.isnan(row)) else
                       N_("{name}: a sample with no real position (mask all False) gets uniform weights (a −1e9 "
                          "fill); it must get all zeros (no position to attend to).")
                       if np.allclose(row, 1 / z.shape[1]) else
                       N_("{name}: a sample with no real position (mask all False) gets {row}; it must get all zeros "
                          "(no position to attend to)."))
            raise AssertionError(gettext(message).format(name=name, row=np.round(row, 3)))
    _ok(name, gettext("rows sum to 1 over the real positions, 0 on padding, an empty row all 0, scores near 800 "
                      "included") if hidden else
        gettext("rows sum to 1 over the real positions, 0 on padding, scores near 800 included"))


# -- Task 3: context -------------------------------------------------------------------------------
def _context_mistakes(a, v):
    return [
        (N_("the weights are ignored: this is the plain mean of the values."), lambda: v.mean(1)),
        (N_("the weighted values are not summed over the positions: sum over axis 1."), lambda: a[..., None] * v),
        (N_("the weighted values are averaged over the positions; sum them (the weights already sum to 1)."),
         lambda: (a[..., None] * v).mean(1)),
        (N_("every sample uses the first sample's weights."), lambda: np.einsum("t,btd->bd", a[0], v)),
        (N_("the weighted values are summed over value_dim, not over the positions."),
         lambda: (a[..., None] * v).sum(2)),
        (N_("every sample uses the first sample's values."), lambda: a @ v[0]),
        (N_("the values are summed without the weights."), lambda: v.sum(1)),
    ]


def check_context(fn, hidden=False, variant=None):
    """Task 3: ``fn(weights, values)`` -> (batch, value_dim), the weighted sum of the values."""
    name = "attention_context"
    variant = _variant(variant)
    c = _case(variant, hidden)
    got = _common._as_array(name, _call(name, fn, c.weights.copy(), c.values.copy()))
    expected = _context(c.weights, c.values)
    if not _common._close(got, expected):
        _common._fail(name, got, expected, _context_mistakes(c.weights, c.values),
                      _memo("context", lambda v: (lambda k: _context(k.weights, k.values))(_case(v, False))),
                      variant, N_("a context"))
    _ok(name, gettext("{batch} contexts of size {size}").format(batch=expected.shape[0], size=expected.shape[1]))


# -- Task 4: the Keras layer -------------------------------------------------------------------------
def _layer_weights(name, layer, c):
    found = {}
    for w in layer.weights:
        short = w.name.split("/")[-1].split(":")[0]
        if short in WEIGHT_NAMES:
            found[short] = w
    missing = [n for n in WEIGHT_NAMES if n not in found]
    if missing:
        have = ", ".join(f"{w.name} {tuple(w.shape)}" for w in layer.weights)
        message = (N_("{name}: the layer needs the weights {needed} (add_weight(name=...)); missing: {missing}. "
                      "Found: {found}.") if have else
                   N_("{name}: the layer needs the weights {needed} (add_weight(name=...)); missing: {missing}. "
                      "Found: none."))
        raise AssertionError(gettext(message).format(name=name, needed=", ".join(WEIGHT_NAMES),
                                                     missing=", ".join(missing), found=have))
    for key, w in found.items():
        want = c.params[key].shape
        if tuple(w.shape) not in (want, want + (1,)):
            message = (N_("{name}: `{key}` has shape {shape}; expected {want} or {alternative}.")
                       if key == "score_kernel" else N_("{name}: `{key}` has shape {shape}; expected {want}."))
            raise AssertionError(gettext(message).format(name=name, key=key, shape=tuple(w.shape), want=want,
                                                         alternative=want + (1,)))
        w.assign(c.params[key].reshape(tuple(w.shape)).astype("float32"))
    return found


def check_layer(cls, hidden=False, variant=None):
    """Task 4: ``cls(units)`` is a Keras layer whose ``call(query, value, value_mask=None)`` returns
    ``(context, weights)`` like tasks 1–3. The check builds it in a ``keras.Model``, sets its four
    weights to the case's, compares with its own NumPy reference (with and without a mask) and
    takes one training step, in which every weight must receive a gradient."""
    name = "MyAdditiveAttention"
    variant = _variant(variant)
    c = _case(variant, hidden)
    if not isinstance(cls, type) or not issubclass(cls, keras.layers.Layer):
        raise AssertionError(gettext("{name}: expected a subclass of keras.layers.Layer, got {cls!r}.").format(
            name=name, cls=cls))
    if any(k.__module__ == "lstmcourse.attention" for k in cls.__mro__):
        raise AssertionError(gettext("{name}: your layer subclasses lstmcourse.attention.AdditiveAttention, part of "
                                     "the course's answer key. Write it yourself with keras.ops.").format(name=name))
    B, T, qd = c.values.shape[0], c.values.shape[1], c.query.shape[1]
    units = c.params["bias"].shape[0]

    def build():
        keras.utils.set_random_seed(0)
        layer = cls(units)
        q_in = keras.Input((qd,))
        v_in = keras.Input((T, c.values.shape[2]))
        m_in = keras.Input((T,), dtype="bool")
        out = layer(q_in, v_in, value_mask=m_in)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise ValueError(gettext("call must return (context, weights); it returned {type}").format(
                type=type(out).__name__))
        return layer, keras.Model([q_in, v_in, m_in], list(out))

    try:
        try:
            layer, model = _call(name, build, allowed=_ALLOWED, raised="model")
        except NotImplementedError as err:   # Keras's, when call() cannot run on symbolic tensors
            if not str(err).strip():          # the exercise's stub, `raise NotImplementedError()`: not written yet
                raise NotImplementedError(gettext("{name}: not written yet (its stub raises "
                                                  "NotImplementedError).").format(name=name)) from None
            raise AssertionError(gettext("{name}: building it in a keras.Model raised {error}").format(
                name=name, error=_common._first_line(err))) from None
    except AssertionError as err:
        text = str(err)
        if "numpy" in text.lower() or "symbolic" in text.lower() or "__array__" in text:
            text = gettext("{message} In call, use keras.ops (ops.tanh, ops.matmul, ops.softmax, ops.where), not "
                           "NumPy: inside a model the inputs are symbolic tensors.").format(message=text)
        raise AssertionError(text) from None
    _layer_weights(name, layer, c)
    inputs = [c.query.astype("float32"), c.values.astype("float32"), c.mask]
    context, weights = (np.asarray(a, dtype="float64") for a in _call(
        name, lambda: model.predict(inputs, verbose=0, batch_size=len(c.query)), allowed=_ALLOWED))
    expected_w = _masked_softmax(_scores(c.query, c.values, c.params), c.mask)
    expected_c = _context(expected_w, c.values)
    tol = 2e-5
    if weights.shape != expected_w.shape or not _common._close(weights, expected_w, tol):
        s = _scores(c.query, c.values, c.params)
        catalogue = [((N_("the scores: {message}"), {"message": gettext(m)}),
                      (lambda f=f: _masked_softmax(f(), c.mask)))
                     for m, f in _score_mistakes(c.query, c.values, c.params)]
        catalogue += [((N_("the masked softmax: {message}"), {"message": gettext(m)}), f)
                      for m, f in _softmax_mistakes(s, c.mask)]
        catalogue += [(N_("the weights are the raw scores: apply the masked softmax."), lambda: s)]
        named = None
        for message, wrong in catalogue:
            try:
                with np.errstate(all="ignore"):
                    candidate = wrong()
            except Exception:  # noqa: BLE001
                continue
            if _common._close(weights, candidate, tol):
                named = _common._named(name, message)
                break
        if named:
            raise AssertionError(named)
        raise AssertionError(gettext("{name}: the attention weights differ from the NumPy reference of tasks 1–2 "
                                     "(shape {shape}, expected {expected}); this matches none of the usual "
                                     "mistakes.").format(name=name, shape=weights.shape, expected=expected_w.shape))
    if not _common._close(context, expected_c, tol):
        catalogue = [((N_("the context: {message}"), {"message": gettext(m)}), f)
                     for m, f in _context_mistakes(expected_w, c.values)]
        for message, wrong in catalogue:
            if _common._close(context, wrong(), tol):
                raise AssertionError(_common._named(name, message))
        raise AssertionError(gettext("{name}: the weights are right and the context is not (shape {shape}, expected "
                                     "{expected}): context = Σ_j a_j v_j.").format(name=name, shape=context.shape,
                                                                                    expected=expected_c.shape))
    unmasked = _call(name, lambda: layer(c.query.astype("float32"), c.values.astype("float32")), allowed=_ALLOWED)
    w_free = np.asarray(unmasked[1], dtype="float64")
    if not _common._close(w_free, _softmax(_scores(c.query, c.values, c.params)), tol):
        raise AssertionError(gettext("{name}: without a value_mask every position must count (value_mask=None means "
                                     "no padding); your layer gives other weights.").format(name=name))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=["mse", None])
    before = {k: np.array(w) for k, w in _layer_weights(name, layer, c).items()}
    target = np.random.default_rng(0).normal(size=expected_c.shape).astype("float32")
    try:
        model.train_on_batch(inputs, [target])
    except Exception as err:  # noqa: BLE001
        raise AssertionError(gettext("{name}: one training step failed: {error}").format(
            name=name, error=_common._first_line(err))) from None
    frozen = [k for k, w in _layer_weights_no_assign(layer).items() if np.allclose(np.array(w), before[k])]
    if frozen:
        raise AssertionError(gettext("{name}: {weights} received no gradient in a training step: compute with "
                                     "keras.ops on the layer's own weights (no NumPy copies, no .numpy()).").format(
                                         name=name, weights=", ".join(frozen)))
    _ok(name, gettext("equals the NumPy reference with and without a mask ({batch} samples × {steps} positions); "
                      "every weight trains").format(batch=B, steps=T))


def _layer_weights_no_assign(layer):
    return {w.name.split("/")[-1].split(":")[0]: w for w in layer.weights
            if w.name.split("/")[-1].split(":")[0] in WEIGHT_NAMES}


# -- Task 5: the decoder step -------------------------------------------------------------------------
class _Decoder:
    """The check's own decoder in NumPy, with the lab's interface."""

    def __init__(self, w, log):
        self.w, self.log, self.units = w, log, w["recurrent_kernel"].shape[0]

    def embed(self, symbol):
        symbol = np.asarray(symbol)
        if symbol.ndim != 1:
            raise ValueError(gettext("embed takes one symbol per sample, shape (batch,). Received: "
                                     "symbol.shape={shape}").format(shape=symbol.shape))
        return self.w["embeddings"][symbol.astype("int64")]

    def cell(self, x, states):
        x = np.asarray(x, dtype="float64")
        if x.ndim != 2 or x.shape[1] != self.w["kernel"].shape[0]:
            raise ValueError(gettext("the cell takes the embedded symbol, shape (batch, {size}). Received: "
                                     "x.shape={shape}").format(size=self.w["kernel"].shape[0], shape=x.shape))
        h, c = (np.asarray(s, dtype="float64") for s in states)
        self.log.append(("cell", h.copy(), c.copy()))
        return _common._lstm_step(self.w, x, h, c)

    def attention(self, query, values, value_mask=None):
        query = np.asarray(query, dtype="float64")
        self.log.append(("attention", query.copy(), None if value_mask is None else np.asarray(value_mask).copy()))
        s = _scores(query, np.asarray(values, dtype="float64"), self.w["att"])
        a = _softmax(s) if value_mask is None else _masked_softmax(s, np.asarray(value_mask, dtype=bool))
        return _context(a, values), a

    def head(self, features):
        features = np.asarray(features, dtype="float64")
        if features.ndim != 2 or features.shape[1] != self.w["head_kernel"].shape[0]:
            raise ValueError(gettext("head takes [output, context] concatenated, shape (batch, {size}). Received: "
                                     "features.shape={shape}").format(size=self.w["head_kernel"].shape[0],
                                                                      shape=features.shape))
        return features @ self.w["head_kernel"] + self.w["head_bias"]


def _decoder_case(variant, hidden):
    s = _sizes(variant)
    c = _case(variant, hidden)
    r = variants.rng(variant, LAB, "decoder-hidden" if hidden else "decoder")
    U, E, V, vd = s["query_dim"], s["embed_dim"], s["vocab"], s["value_dim"]
    w = {"embeddings": r.normal(0, 1, (V, E)), "kernel": r.normal(0, 0.6, (E, 4 * U)),
         "recurrent_kernel": r.normal(0, 0.6, (U, 4 * U)), "bias": r.normal(0, 0.3, 4 * U),
         "head_kernel": r.normal(0, 1, (U + vd, V)), "head_bias": r.normal(0, 0.3, V), "att": c.params}
    B = len(c.query)
    mask = c.mask.copy()
    mask[~mask.any(-1), 0] = True                       # every input has at least one real position here
    states = [r.normal(0, 0.5, (B, U)), r.normal(0, 0.5, (B, U))]
    return w, r.integers(0, V, size=B), states, c.values, mask


def _decoder_reference(w, symbol, states, values, mask, query_before=False, no_context=False, swap_concat=False,
                       no_mask=False, stale=False, swap_states=False, query_c=False, context_only=False,
                       mean_context=False, invert_mask=False):
    model = _Decoder(w, [])
    h0, c0 = states
    out, (h, c) = model.cell(model.embed(symbol), [c0, h0] if swap_states else [h0, c0])
    query = h0 if query_before else (c if query_c else out)
    if mean_context:
        context, weights = values.mean(1), np.full(mask.shape, 1 / mask.shape[1])
    else:
        context, weights = model.attention(query, values, None if no_mask else (~mask if invert_mask else mask))
    if no_context:
        features = out
    elif context_only:
        features = context
    else:
        features = np.concatenate([context, out] if swap_concat else [out, context], -1)
    logits = model.head(features) if features.shape[1] == w["head_kernel"].shape[0] else None
    new = [h0, c0] if stale else ([c, h] if swap_states else [h, c])
    return logits, new, weights


def check_decoder_step(fn, hidden=False, variant=None):
    """Task 5: ``fn(model, symbol, states, values, value_mask)`` -> ``(logits, [h, c], weights)``: one step of
    lesson 11's decoder: embed → cell from [h, c] → attention queried with the cell's output →
    head on [output, context]."""
    name = "decoder_step"
    variant = _variant(variant)
    w, symbol, states, values, mask = _decoder_case(variant, hidden)
    log = []
    model = _Decoder(w, log)
    out = _call(name, fn, model, symbol.copy(), [s.copy() for s in states], values.copy(), mask.copy(),
                allowed=_ALLOWED)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        message = (N_("{name}: return (logits, [h, c], weights); got {type} of length {n}.")
                   if isinstance(out, (tuple, list)) else N_("{name}: return (logits, [h, c], weights); got {type}."))
        raise AssertionError(gettext(message).format(name=name, type=type(out).__name__,
                                                     n=len(out) if isinstance(out, (tuple, list)) else None))
    logits, new_states, weights = out
    try:
        got = [np.asarray(logits, dtype="float64"), np.asarray(new_states[0], dtype="float64"),
               np.asarray(new_states[1], dtype="float64"), np.asarray(weights, dtype="float64")]
    except (TypeError, ValueError, IndexError):
        raise AssertionError(gettext("{name}: return (logits, [h, c], weights) as arrays.").format(name=name)) from None
    ref = _decoder_reference(w, symbol, states, values, mask)
    if all(_common._close(g, e) for g, e in zip(got, [ref[0], ref[1][0], ref[1][1], ref[2]])):
        _ok(name, gettext("{batch} samples: states carried, attention queried with the new output, head on "
                          "[output, context]").format(batch=len(symbol)))
        return
    flags = [
        (N_("the attention is queried with the previous h; lesson 11 queries it with the cell's new output."),
         dict(query_before=True)),
        (N_("the head reads the cell's output only: concatenate the context, [output, context]."),
         dict(no_context=True)),
        (N_("the head reads [context, output]; the lab's order is [output, context]."), dict(swap_concat=True)),
        (N_("the value_mask is not passed to the attention: padded positions get weight."), dict(no_mask=True)),
        (N_("the returned states are the ones you were given: return the cell's new [h, c]."), dict(stale=True)),
        (N_("the states are passed as [c, h]: the cell takes and returns [h, c], in that order."),
         dict(swap_states=True)),
        (N_("the attention is queried with the cell state c; query it with the output h."), dict(query_c=True)),
        (N_("the head reads the context only: concatenate the cell's output first."), dict(context_only=True)),
        (N_("the context is the mean of the values: call model.attention."), dict(mean_context=True)),
        (N_("the value_mask is inverted (~value_mask): True marks the real positions; pass it as it is."),
         dict(invert_mask=True)),
    ]
    for message, f in flags:
        try:
            with np.errstate(all="ignore"):
                wrong = _decoder_reference(w, symbol, states, values, mask, **f)
        except Exception:  # noqa: BLE001
            continue
        parts = [wrong[0], wrong[1][0], wrong[1][1], wrong[2]]
        if all(p is not None and _common._close(g, p) for g, p in zip(got, parts)):
            raise AssertionError(_common._named(name, message))
    queries = [entry for entry in log if entry[0] == "attention"]
    if queries and queries[0][2] is None:
        raise AssertionError(_common._named(name, N_("the value_mask is not passed to the attention: padded positions "
                                                     "get weight.")))
    other = variants.owner(got[0], _memo("decoder", lambda v: _decoder_reference(*_decoder_case(v, False))[0]),
                           variant)
    if other is not None:
        raise AssertionError(gettext("{name}: these logits are variant {other}'s, not yours (variant {variant}): "
                                     "copied or hard-coded from another notebook.").format(name=name, other=other,
                                                                                           variant=variant))
    where = _common._probe_quietly(lambda: _probes.decoder(got, [ref[0], ref[1][0], ref[1][1], ref[2]],
                                                            _context(ref[2], values)))
    if where:
        raise AssertionError(gettext("{name}: {message}").format(name=name, message=where))
    wrong = [label for label, g, e in zip(("logits", "h", "c", "weights"), got, [ref[0], ref[1][0], ref[1][1], ref[2]])
             if not _common._close(g, e)]
    raise AssertionError(gettext("{name}: {wrong} differ from the step's; this matches none of the usual mistakes: "
                                 "embed → cell([h, c]) → attention(output, values, mask) → head([output, "
                                 "context]).").format(name=name, wrong=", ".join(wrong)))
