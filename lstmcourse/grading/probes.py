"""Probes that locate a mistake no catalogue entry names.

A catalogue names the mistakes someone thought of; the probes below say something specific and
true about any wrong answer, from two kinds of evidence:

- **relations to the right answer** (:func:`relation`): the answer is the right one plus a
  constant, transposed, reversed or shifted by one along an axis, or right on some entries
  (which time steps, which rows) and wrong on the others, maybe by a constant factor there;
- **metamorphic probes**: the answer run again on inputs where one part is switched off or made
  trivial (a query of zeros, a mask with every position real, a distribution with all its mass on
  one token, no data at all), where the right answer is known; the part whose removal makes it
  right is the wrong one, and a property every right answer has (rows that sum to 1, weights that
  do not change when a constant is added to a row of logits) that the answer breaks is named.

Every message states only what the probe observed. A probe that cannot run on an answer (it
raises, returns a wrong shape or NaN) is no evidence and says nothing; the probes only run after
an answer has failed, so they never turn a wrong answer into a pass.
"""
import numpy as np

from lstmcourse.i18n import N_, gettext


def _quiet(fn, *args):
    """``fn(*args)`` as a float64 array (or a tuple of them), or None if it fails or is not finite."""
    try:
        with np.errstate(all="ignore"):
            out = fn(*args)
            if isinstance(out, tuple):
                return tuple(np.asarray(o, dtype="float64") for o in out)
            return np.asarray(out, dtype="float64")
    except Exception:  # noqa: BLE001 - a probe the answer cannot run is no evidence
        return None


def _close(a, b, rtol=1e-5, atol=1e-6):
    if a is None or b is None:
        return False
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _ranges(indices):
    """[0, 1, 2, 5] -> '0–2, 5'."""
    out, start = [], None
    for k, i in enumerate(indices):
        if start is None:
            start = i
        if k + 1 == len(indices) or indices[k + 1] != i + 1:
            out.append(str(start) if start == i else f"{start}–{i}")
            start = None
    return ", ".join(out)


def _ratio(got, expected):
    mask = np.abs(expected) > 1e-8
    if not mask.any():
        return None
    r = got[mask] / expected[mask]
    if np.allclose(r, r.flat[0], rtol=1e-4) and not np.isclose(r.flat[0], 1.0):
        return float(r.flat[0])
    return None


def relation(got, expected, what, axis_names=None):
    """A sentence on how ``got`` relates to ``expected`` (same shape), or None.

    ``axis_names``: {axis: name} of the axes to localise on, e.g. {1: "time step", 0: "batch row"}
    (default: the entries of a 1-D result, or the rows of a 2-D one)."""
    got, expected = np.asarray(got, dtype="float64"), np.asarray(expected, dtype="float64")
    if got.shape != expected.shape or got.size == 0 or not np.all(np.isfinite(got)):
        return None
    diff = got - expected
    if got.size > 1 and np.allclose(diff, diff.flat[0], rtol=0, atol=1e-6) and abs(diff.flat[0]) > 1e-6:
        return gettext("it is the right value plus the same constant, {offset:.4g}, in every entry: look for a "
                       "constant added or subtracted where it does not belong (an extra term, a bias, a 1).").format(
            offset=float(diff.flat[0]))
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 and _close(got, expected.T):
        return gettext("it is the transpose of the right one: its two axes are swapped (a .T too many or too "
                       "few, or the indices in the wrong order).")
    for axis in range(got.ndim):
        n = got.shape[axis]
        if n < 2:
            continue
        if _close(got, np.flip(expected, axis)):
            return gettext("it is the right one in reverse order along axis {axis}: something runs, or is "
                           "stored, backwards along that axis.").format(axis=axis)
        if n >= 3:
            for shift, sentence in ((1, N_("it is shifted by one along axis {axis}: entry k holds the right value "
                                           "of entry k + 1. Look for an index off by one (t + 1 for t).")),
                                    (-1, N_("it is shifted by one along axis {axis}: entry k holds the right value "
                                            "of entry k − 1. Look for an index off by one (t − 1 for t)."))):
                a = np.take(got, range(0, n - 1) if shift == 1 else range(1, n), axis=axis)
                b = np.take(expected, range(1, n) if shift == 1 else range(0, n - 1), axis=axis)
                if _close(a, b):
                    return gettext(sentence).format(axis=axis)
    wrong = ~np.isclose(got, expected, rtol=1e-5, atol=1e-6)
    names = axis_names or ({0: gettext("entries")} if got.ndim == 1 else {0: gettext("rows")} if got.ndim == 2 else
                           {1: gettext("time steps"), 0: gettext("batch rows")})
    for axis, label in names.items():
        if axis >= got.ndim:
            continue
        bad = [int(i) for i in np.flatnonzero(np.moveaxis(wrong, axis, 0).reshape(got.shape[axis], -1).any(1))]
        if 0 < len(bad) < got.shape[axis]:
            good = [i for i in range(got.shape[axis]) if i not in bad]
            sentence = gettext("it is wrong at the {label} {bad} and right at {good} (counting from 0, along axis "
                               "{axis}).").format(label=label, bad=_ranges(bad), good=_ranges(good), axis=axis)
            sub = np.take(got, bad, axis=axis), np.take(expected, bad, axis=axis)
            r = _ratio(*sub)
            if r is not None:
                sentence += " " + gettext("There it is {ratio:.4g} times the right value.").format(ratio=r)
            elif np.allclose(sub[0], 0, atol=1e-12):
                sentence += " " + gettext("There it is 0: never computed, or overwritten.")
            return sentence
    return None


def probability_rows(got, what, mask=None):
    """A property of distributions the answer breaks (rows in [0, 1] summing to 1 over ``mask``), or None."""
    got = np.asarray(got, dtype="float64")
    if got.ndim != 2 or not np.all(np.isfinite(got)):
        return None
    real = np.ones(got.shape, bool) if mask is None else np.asarray(mask, bool)
    if mask is not None and np.any(np.abs(got[~real]) > 1e-9):
        row, pos = (int(i) for i in np.argwhere((np.abs(got) > 1e-9) & ~real)[0])
        return gettext("{what}: padded positions (mask False) get weight, e.g. row {row}, position {pos}: {value:.3g}; "
                       "they must get exactly 0.").format(what=what, row=row, pos=pos, value=got[row, pos])
    bad = np.flatnonzero((got < -1e-9).any(1) | (got > 1 + 1e-9).any(1))
    if len(bad):
        row = int(bad[0])
        col = int(np.flatnonzero((got[row] < -1e-9) | (got[row] > 1 + 1e-9))[0])
        return gettext("{what}: row {row} has the value {value:.4g} at position {col}; a probability lies between 0 "
                       "and 1.").format(what=what, row=row, col=col, value=got[row, col])
    sums = np.where(real, got, 0).sum(1)
    full = real.any(1)
    bad = np.flatnonzero(full & ~np.isclose(sums, 1.0, atol=1e-6))
    if len(bad):
        row = int(bad[0])
        return gettext("{what}: row {row} sums to {total:.4g}, not 1: divide each row by its own sum, over the last "
                       "axis (axis=-1, keepdims=True).").format(what=what, row=row, total=sums[row])
    return None


def shift_invariance(fn, z, got, what, *rest):
    """softmax(z + c) = softmax(z) for a constant c per row: a sentence if the answer changes, else None."""
    z = np.asarray(z, dtype="float64")
    offsets = np.linspace(-3.0, 4.0, z.shape[0])[:, None]
    moved = _quiet(fn, z + offsets, *rest)
    if moved is None or moved.shape != np.shape(got) or _close(moved, got, 1e-6, 1e-8):
        return None
    row = int(np.flatnonzero(~np.isclose(moved, got, rtol=1e-6, atol=1e-8).all(-1))[0])
    return gettext("{what}: adding the same constant to every score of a row changes your result (row {row}), but "
                   "softmax(z + c) = softmax(z): the result may depend on a row's scores only through their "
                   "differences (exp of each score minus the row's own maximum, divided by the row's sum, over the "
                   "last axis).").format(what=what, row=row)


def rows_alone(fn, z, expected, what, *rest):
    """Each row right when the function is given that row alone (a (1, n) batch): a sentence, else None."""
    z = np.asarray(z)
    if z.shape[0] < 2:
        return None
    for i in range(z.shape[0]):
        one = _quiet(fn, z[i:i + 1].copy(), *[r[i:i + 1].copy() if isinstance(r, np.ndarray) else r for r in rest])
        if not _close(one, expected[i:i + 1]):
            return None
    return gettext("{what}: each row given alone (a batch of one) is right, the rows together are not: something "
                   "mixes the rows (a max, a sum or a softmax over axis 0, the batch); use the last axis.").format(
        what=what)


# -- lab 02: numerical_gradient, from where f was evaluated -----------------------------------------
def numerical_gradient(seen, original):
    """What f saw: ``seen`` is a copy of x at every call of f, ``original`` x before the call."""
    if not seen:
        return None
    eps_seen, changed_many, replaced, signs = [], None, None, {}
    for k, x in enumerate(seen):
        if np.shape(x) != original.shape:
            return None
        moved = np.argwhere(~np.isclose(x, original, rtol=0, atol=0))
        if len(moved) > 1 and changed_many is None:
            changed_many = (k, len(moved))
        if len(moved) == 1:
            index = tuple(int(i) for i in moved[0])
            d = float(x[index] - original[index])
            signs.setdefault(index, set()).add(np.sign(d))
            if abs(d) > 1e-2 and replaced is None:
                replaced = (index, float(x[index]), float(original[index]))
            eps_seen.append(abs(d))
    if changed_many:
        return gettext("f was called with {n} entries of x changed at once (call {k} of f): nudge one entry at a time "
                       "and put it back before the next.").format(n=changed_many[1], k=changed_many[0] + 1)
    if replaced:
        index, value, old = replaced
        return gettext("f was called with x{index} = {value:.6g}, which is not x{index} ± eps (x{index} is "
                       "{old:.6g}): nudge the entry, x[index] = saved + eps and saved − eps, do not replace it.").format(
            index=list(index), value=value, old=old)
    one_sided = [i for i, s in signs.items() if len(s) < 2]
    if one_sided:
        index = list(one_sided[0])
        return gettext("f was never called with x{index} on both sides of its value: central differences need "
                       "f(x + eps) and f(x − eps) for every entry.").format(index=index)
    if len(signs) == original.size and eps_seen:
        return gettext("f was evaluated at x ± eps for every entry (eps ≈ {eps:.2g}), as it should be; the mistake "
                       "is in how the two values are combined: (f(x + eps) − f(x − eps)) / (2·eps), stored at that "
                       "entry.").format(eps=float(np.median(eps_seen)))
    missing = original.size - len(signs)
    if missing > 0:
        return gettext("f was evaluated with only {n} of the {size} entries of x nudged: visit every entry "
                       "(for index in np.ndindex(x.shape)).").format(n=len(signs), size=original.size)
    return None


# -- lab 07 ------------------------------------------------------------------------------------------
def temperature(fn, z, T, got, expected, softmax):
    what = gettext("the probabilities")
    return (probability_rows(got, what) or shift_invariance(fn, z, got, what, T)
            or (gettext("{what}: at T = 1 it is right and at T = {T} it is not, so the temperature is applied "
                        "wrongly: divide the logits by T before the softmax.").format(what=what, T=T)
                if _close(_quiet(fn, z.copy(), 1.0), softmax(z)) else None)
            or rows_alone(fn, z, expected, what, T))


def sampling(fn, vocab, rng_factory):
    """Rows with all their probability on one token (logits one-hot × 100, T = 1): each must give that token."""
    logits = np.eye(vocab) * 100.0
    got = _quiet(fn, logits.copy(), 1.0, rng_factory())
    if got is None or got.shape != (vocab,):
        return None
    for k in range(vocab):
        if got[k] != k:
            return gettext("with all the probability on token {k} (its logit 100 above the others), it returns token "
                           "{j}: the draw must follow each row's own probabilities (u < np.cumsum(p, axis=-1), the "
                           "first index where it holds).").format(k=k, j=int(got[k]) if np.isfinite(got[k]) else got[k])
    return None


def bigram(fn, x, y, V, a, got):
    what = gettext("the table")
    if np.shape(got) == (V, V) and np.all(np.isfinite(got)):
        sums = (2.0 ** np.asarray(got)).sum(1)
        bad = np.flatnonzero(~np.isclose(sums, 1.0, atol=1e-6))
        if len(bad):
            return gettext("{what}: the probabilities 2 ** table of row {row} sum to {total:.4g}, not 1: each row (one "
                           "previous token) is a distribution over the next token; divide the counts by their row "
                           "sums (axis=1, keepdims=True).").format(what=what, row=int(bad[0]), total=sums[bad[0]])
    empty = _quiet(fn, x.copy(), np.zeros_like(y), V, a)
    uniform = np.full((V, V), np.log2(1.0 / V))
    if _close(empty, uniform):
        return gettext("{what}: with no pairs (every target PAD) it is right, log2(1/{n}) everywhere, so the counting "
                       "is wrong: each pair (x[n, t], y[n, t]) whose y is not PAD adds 1 to counts[x, y], on top of "
                       "alpha.").format(what=what, n=V)
    if empty is not None:
        return gettext("{what}: with no pairs (every target PAD) every entry must be log2(1/{n}) = {value:.4g}, alpha "
                       "alone counted; yours is not, so alpha or the normalisation is wrong.").format(
            what=what, n=V, value=np.log2(1.0 / V))
    return None


def generate(got, calls, sampler, first, steps, w, lstm_step, noise):
    """From what the model and the sampler were given, the first step where the loop goes wrong."""
    cells = [c for c in calls if c[0] == "cell"]
    embeds = [c for c in calls if c[0] == "embed"]
    if len(cells) != steps:
        return gettext("the cell was called {n} times for {steps} steps: call model.cell once per step and carry "
                       "the [h, c] it returns.").format(n=len(cells), steps=steps)
    if len(sampler.seen) != steps:
        return gettext("sample was called {n} times for {steps} steps: draw one token per step, "
                       "sample(model.head(h)).").format(n=len(sampler.seen), steps=steps)
    sampled = [np.argmax(s + noise[k % len(noise)][: len(s)], axis=-1) for k, s in enumerate(sampler.seen)]
    h = c = None
    for k, cell in enumerate(cells):
        fed = embeds[k][1] if k < len(embeds) else None
        want = np.asarray(first) if k == 0 else sampled[k - 1]
        if fed is None or np.shape(fed) != np.shape(want) or not np.array_equal(fed, want):
            return gettext("at step {k} the model is fed the tokens {fed}, not {want} ({which}): feed the first "
                           "token, then the token sampled at the step before.").format(
                k=k, fed=None if fed is None else np.asarray(fed).tolist(), want=np.asarray(want).tolist(),
                which=gettext("the first tokens") if k == 0 else gettext("sampled at step {prev}").format(prev=k - 1))
        if k == 0:
            if np.any(cell[1]) or np.any(cell[2]):
                return gettext("the first step's states are not zeros: start from h = c = zeros((batch, units)).")
        elif not (_close(cell[1], h, 1e-6, 1e-7) and _close(cell[2], c, 1e-6, 1e-7)):
            return gettext("at step {k} the cell is given states that are not the [h, c] it returned at step {prev}: "
                           "pass back the new states, in the order [h, c].").format(k=k, prev=k - 1)
        x = w["embeddings"][np.asarray(fed).astype("int64")]
        h, [_, c] = lstm_step(w, x, cell[1], cell[2])
        logits = h @ w["head_kernel"] + w["head_bias"]
        if not _close(sampler.seen[k], logits, 1e-6, 1e-7):
            return gettext("at step {k} sample is given something other than model.head(h), h the cell's new output "
                           "at that step.").format(k=k)
    tokens = np.stack(sampled, axis=1)
    if np.shape(got) == tokens.shape and not np.array_equal(got, tokens):
        k = int(np.flatnonzero((np.asarray(got) != tokens).any(0))[0])
        return gettext("the loop is right, but the tokens returned at step {k} are not the ones sample returned "
                       "there: collect each step's sampled tokens, shape (batch, steps).").format(k=k)
    return None


# -- lab 08 ------------------------------------------------------------------------------------------
def scores(fn, q, v, p, expected_of):
    """Parts switched off one at a time: the query, the values, the bias."""
    zero = {**p, "bias": np.zeros_like(p["bias"])}
    for label, args in ((gettext("with the query set to 0 it is right, so the query's part is wrong: "
                                 "(query @ query_kernel)[:, None, :], added inside tanh."), (0 * q, v, p)),
                        (gettext("with the values set to 0 it is right, so the values' part is wrong: "
                                 "values @ value_kernel, added inside tanh."), (q, 0 * v, p)),
                        (gettext("with bias = 0 it is right, so the bias is wrong: add it once, inside tanh."),
                         (q, v, zero))):
        copies = tuple({k: a.copy() for k, a in x.items()} if isinstance(x, dict) else x.copy() for x in args)
        if _close(_quiet(fn, *copies), expected_of(*args)):
            return label
    return None


def masked_softmax(fn, z, m, got, reference):
    what = gettext("the weights")
    full = np.ones_like(m)
    return (probability_rows(got, what, m)
            or shift_invariance(fn, np.where(m, z, 0.0), _quiet(fn, np.where(m, z, 0.0), m.copy()), what, m.copy())
            or (gettext("{what}: with every position real (mask all True) it is right, so the masking is wrong: keep "
                        "the scores where the mask is True, exclude the others (−inf before exp, or weight 0), then "
                        "normalise over the real positions.").format(what=what)
                if _close(_quiet(fn, z.copy(), full), reference(z, full)) else None)
            or rows_alone(fn, z, reference(z, m), what, m))


def decoder(got, expected, context):
    """Which returned parts are wrong, and what a wrong part equals instead (another part, the context)."""
    names = ("logits", "h", "c", "weights")
    right = [n for n, g, e in zip(names, got, expected) if _close(g, e)]
    for n, g in zip(names, got):
        if n in right:
            continue
        for other, e in list(zip(names, expected)) + [("context", context)]:
            if other != n and _close(g, e):
                if other == "context":
                    return gettext("what you return as {part} is the attention's context: model.attention returns "
                                   "(context, weights), in that order.").format(part=n)
                return gettext("what you return as {part} is the right {other}: return (logits, [h, c], weights), in "
                               "that order.").format(part=n, other=other)
    wrong = [n for n in names if n not in right]
    if right and wrong:
        if set(wrong) == {"logits"}:
            return gettext("the new states and the weights are right and the logits are not, so what goes into "
                           "model.head is wrong: [output, context] on the last axis.")
        return gettext("these returned parts are wrong: {wrong}; these are right: {right}.").format(
            wrong=", ".join(wrong), right=", ".join(right))
    return None
