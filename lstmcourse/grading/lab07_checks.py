"""Checks for lab 07, generating sequences: temperature sampling, bits per character
against counted baselines, and the generation loop that carries [h, c].

Everything a check uses is computed here, in NumPy, from the student's variant
(:mod:`lstmcourse.grading.variants`): the data, the sizes, the visible and the hidden case. The
module does not use :mod:`lstmcourse.generation` (the answer key of task 1): an answer
that calls it, or this module's own references, fails. A wrong answer is compared with a
catalogue of the usual mistakes, and then with the answers of the other variants, so a
number or an array copied from another student's notebook is named as such.

The hidden tests grade with ``lstmcourse._grading.fresh("lab07")``: the whole grading package
(this module, :mod:`~lstmcourse.grading.variant_harness`, :mod:`~lstmcourse.grading.variants`)
executed again from disk in the sandbox, integrity-checked and self-tested before use.

    >>> from lstmcourse import lab07_checks
    >>> data = lab07_checks.lab_data(0)
    >>> data.x_train.shape == data.y_train.shape, int(data.x_train[0, 0]) == lab07_checks.START
    (True, True)
"""
import types

import numpy as np

from lstmcourse.grading import variants
from lstmcourse.grading.variant_harness import (  # noqa: F401
    _as_array,
    _close,
    _diagnose,
    _fail,
    _first_line,
    _memo as _shared_memo,
    _ok,
    _softmax,
    _variant,
)
from lstmcourse.grading import probes as _probes
from lstmcourse.grading import variant_harness as _harness
from lstmcourse.i18n import N_, gettext

LAB = "lab07"
PAD, END, START = 0, 1, 2
MAX_LETTERS = 8
_LETTERS = "abcdefghiklmnoprstuvz"
#: The files an answer may not call: the answer key of task 1, these checks and their shared harness.
_ANSWER_KEY = _harness.answer_key(__file__, "lstmcourse.lab07_checks", "generation.py", "lstmcourse.generation")
#: Methods of the check's own model and sampler, which an answer is meant to call.
_ALLOWED = {"embed", "cell", "head", "__call__", "_lstm"}


# -- the variant's data -------------------------------------------------------------------------
def _names(r, chain, n):
    """n names from a first-order chain over START + letters -> letters + END; (x, y) padded to 9 steps."""
    n_letters = chain.shape[1] - 1
    lengths = r.integers(3, MAX_LETTERS + 1, size=n)
    x = np.zeros((n, MAX_LETTERS + 1), dtype="int32")
    y = np.zeros_like(x)
    prev = np.zeros(n, dtype="int64")                    # row 0 of the chain: START
    x[:, 0] = START
    for t in range(MAX_LETTERS + 1):
        cdf = np.cumsum(chain[prev, :n_letters], axis=1)
        letter = np.argmax(r.random((n, 1)) * cdf[:, -1:] < cdf, axis=1)
        token = np.where(t < lengths, 3 + letter, END)
        token = np.where(t <= lengths, token, PAD)
        y[:, t] = token
        if t + 1 <= MAX_LETTERS:
            x[:, t + 1] = np.where(t + 1 <= lengths, token, PAD)
        prev = letter + 1
    return x, y


def _sizes(variant):
    """The variant's sizes and settings (cheap: no names are drawn)."""
    r = variants.rng(variant, LAB, "sizes")
    n_letters = int(r.integers(6, 11))
    return dict(n_letters=n_letters, n_tokens=3 + n_letters, alpha=float(r.choice([0.1, 0.2, 0.5, 1.0])),
                temperature=float(r.choice([0.4, 0.5, 2.0, 2.5])), embed_dim=int(r.integers(3, 6)),
                units=int(r.integers(3, 7)), n_train=int(r.integers(300, 501)), n_test=int(r.integers(100, 201)))


def _weights(variant):
    """The fixed weights of the variant's LSTM language model (no training)."""
    s = _sizes(variant)
    r = variants.rng(variant, LAB, "weights")
    V, E, U = s["n_tokens"], s["embed_dim"], s["units"]
    w = {"embeddings": r.normal(0, 1.0, (V, E)), "kernel": r.normal(0, 0.6, (E, 4 * U)),
         "recurrent_kernel": r.normal(0, 0.6, (U, 4 * U)), "bias": r.normal(0, 0.3, 4 * U),
         "head_kernel": r.normal(0, 1.0, (U, V)), "head_bias": r.normal(0, 0.3, V)}
    return {k: v.astype("float32") for k, v in w.items()}


def _data(variant):
    s = _sizes(variant)
    r = variants.rng(variant, LAB, "data")
    letters = "".join(sorted(r.choice(list(_LETTERS), s["n_letters"], replace=False)))
    chain = r.dirichlet(np.full(s["n_letters"] + 1, 0.35), size=s["n_letters"] + 1)     # rows: START, letters
    x_train, y_train = _names(r, chain, s["n_train"])
    x_test, y_test = _names(r, chain, s["n_test"])
    return dict(letters=letters, tokens=".^" + letters, n_tokens=s["n_tokens"], alpha=s["alpha"],
                temperature=s["temperature"], x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
                units=s["units"], embed_dim=s["embed_dim"], weights=_weights(variant))


_CACHE = {}


def _cached(variant):
    variant = variants.check_variant(variant)
    if variant not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[variant] = _data(variant)
    return _CACHE[variant]


def lab_data(variant):
    """The lab's data for ``variant``, as a namespace of copies: ``x_train``, ``y_train``,
    ``x_test``, ``y_test`` (n, 9) int32 token ids (``PAD`` 0, ``END`` 1 '.', ``START`` 2 '^',
    letters from 3), ``tokens`` (the characters, index = id, PAD not printable), ``n_tokens``,
    ``alpha`` (smoothing), ``temperature``, the fixed LSTM language model's ``weights``
    (embeddings, kernel, recurrent_kernel, bias, head_kernel, head_bias), ``units``."""
    d = _cached(variant)
    copy = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in d.items() if k != "weights"}
    copy["weights"] = {k: v.copy() for k, v in d["weights"].items()}
    return types.SimpleNamespace(variant=variants.check_variant(variant), **copy)


def _memo(task, fn):
    return _shared_memo(f"{LAB}:{task}", fn)


def _call(name, fn, *args, allowed=(), arg_names=()):
    return _harness._call(name, fn, *args, answer_key=_ANSWER_KEY, allowed=allowed, arg_names=arg_names)


# -- references -------------------------------------------------------------------------------
def _probabilities(logits, temperature):
    logits = np.asarray(logits, dtype="float64")
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    return _softmax(logits / temperature)


def _bits(log2_p, targets, pad=PAD):
    real = targets != pad
    return float(-np.sum(np.where(real, log2_p, 0.0)) / np.sum(real))


def _bigram(x, y, n_tokens, alpha):
    counts = np.full((n_tokens, n_tokens), float(alpha))
    real = y != PAD
    np.add.at(counts, (x[real], y[real]), 1.0)
    return np.log2(counts / counts.sum(axis=1, keepdims=True))


def _unigram(y, n_tokens, alpha):
    counts = np.full(n_tokens, float(alpha))
    np.add.at(counts, y[y != PAD], 1.0)
    return np.log2(counts / counts.sum())


def _baselines(variant):
    d = _cached(variant)
    uni = _unigram(d["y_train"], d["n_tokens"], d["alpha"])
    bi = _bigram(d["x_train"], d["y_train"], d["n_tokens"], d["alpha"])
    return _bits(uni[d["y_test"]], d["y_test"]), _bits(bi[d["x_test"], d["y_test"]], d["y_test"])


# -- Task 1: temperature ------------------------------------------------------------------------
def _logits_case(variant, hidden):
    r = variants.rng(variant, LAB, "logits-hidden" if hidden else "logits")
    batch, vocab = int(r.integers(3, 6)), _sizes(variant)["n_tokens"]
    logits = r.normal(0, 2.0, (batch, vocab))
    logits[1] += 800.0                                   # a row whose exp overflows without the max
    temperature = float(r.choice([0.3, 0.5, 0.7])) if hidden else _sizes(variant)["temperature"]
    return logits, temperature


def _temperature_mistakes(z, T):
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    return [
        (N_("the logits are multiplied by the temperature; divide them: softmax(logits / T)."),
         lambda: _softmax(z * T)),
        (N_("the temperature is ignored: these are softmax(logits), the T = 1 probabilities."), lambda: _softmax(z)),
        (N_("the softmax is taken over the batch (axis 0); each row is one distribution: use axis=-1."),
         lambda: _softmax(z / T, axis=0)),
        (N_("the probabilities are divided by T after the softmax; divide the logits before it."),
         lambda: _softmax(z) / T),
        (N_("softmax(logits) ** (1 / T) is not renormalised: divide each row by its sum."),
         lambda: _softmax(z) ** (1 / T)),
        (N_("these are exp(logits / T) without the division by their sum: rows must sum to 1."),
         lambda: np.exp(z / T - np.max(z / T, axis=-1, keepdims=True))),
        (N_("these are log-probabilities (log-softmax); return the probabilities themselves."),
         lambda: np.log(_softmax(z / T))),
        (N_("the whole batch is normalised at once; normalise each row over the vocabulary."),
         lambda: np.exp(z / T - np.max(z / T)) / np.exp(z / T - np.max(z / T)).sum()),
        (N_("a sigmoid per token is not a distribution over the vocabulary: use the softmax."), lambda: sig(z / T)),
        (N_("2 ** (logits / T) is a softmax of logits·ln 2 / T: use exp, not a power of 2."),
         lambda: _softmax(z * np.log(2) / T)),
        (N_("every row is one-hot at its argmax: that is T = 0 only."), lambda: np.eye(z.shape[-1])[np.argmax(z, -1)]),
        (N_("the logits are divided by T twice."), lambda: _softmax(z / T / T)),
    ]


def check_temperature(fn, hidden=False, variant=None):
    """Task 1: ``fn(logits, temperature)`` -> softmax(logits / T) per row; T = 0: one-hot argmax."""
    name = "temperature_probabilities"
    variant = _variant(variant)
    z, T = _logits_case(variant, hidden)
    given = z.copy()
    got = _as_array(name, _call(name, fn, given, T))
    if not np.array_equal(given, z):
        raise AssertionError(gettext("{name}: your function changed `logits` in place; compute on a copy "
                                     "(z = logits / temperature, not logits /= temperature).").format(name=name))
    expected = _probabilities(z, T)
    if got.shape == expected.shape and not np.all(np.isfinite(got[1])) and np.all(np.isfinite(np.delete(got, 1, 0))):
        raise AssertionError(gettext("{name}: row 1 (counting from 0; its logits are near 800) gives {row}...: exp overflowed. Subtract each "
                                     "row's maximum from logits / T before exp (the softmax does not change).").format(
                                         name=name, row=got[1][:3]))
    if not _close(got, expected):
        _fail(name, got, expected, _temperature_mistakes(z, T), _memo("temperature", lambda v: _probabilities(*_logits_case(v, False))),
              variant, N_("probabilities"), locate=lambda: _probes.temperature(fn, z, T, got, expected, _softmax))
    # each row is its own distribution: growing one row's logits must leave the other rows as they are (a max or
    # sum over the whole batch passes while the rows are close, then underflows at a lower T or a larger gap)
    far = z.copy()
    far[1] += 2000.0
    with np.errstate(all="ignore"):
        moved = _as_array(name, _call(name, fn, far, T))
    others = np.delete(np.arange(z.shape[0]), 1)
    if moved.shape != expected.shape or not _close(moved[others], expected[others]):
        raise AssertionError(gettext("{name}: when row 1's logits (counting from 0) grow by 2000 the other rows change (or become "
                                     "NaN): something mixes the rows, such as a maximum or a sum over the whole "
                                     "batch. Take each row's own: axis=-1, keepdims=True.").format(name=name))
    zero = _as_array(name, _call(name, fn, z.copy(), 0.0))
    if not _close(zero, _probabilities(z, 0.0)):
        message = (N_("{name}: at temperature 0 each row must be one-hot at the argmax (greedy), and it is NaN/inf: "
                      "dividing by T = 0. Handle T == 0 on its own.") if not np.all(np.isfinite(zero)) else
                   N_("{name}: at temperature 0 each row must be one-hot at the argmax (greedy), and it is uniform. "
                      "Handle T == 0 on its own.")
                   if zero.shape == z.shape and _close(zero, np.full_like(z, 1 / z.shape[1])) else
                   N_("{name}: at temperature 0 each row must be one-hot at the argmax (greedy), and it is not "
                      "one-hot. Handle T == 0 on its own."))
        raise AssertionError(gettext(message).format(name=name))
    _ok(name, gettext("{rows} rows of {tokens} tokens at T = {T} and at T = 0, including logits near 800").format(
        rows=z.shape[0], tokens=z.shape[1], T=T))


# -- Task 2: sampling -------------------------------------------------------------------------------
def _tv(p, q):
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def check_sampling(fn, hidden=False, variant=None, draws=8000):
    """Task 2: ``fn(logits, temperature, rng)`` -> one token id per row drawn from
    softmax(logits / T) with the NumPy generator ``rng``. Checked on the distribution of
    ``draws`` draws per row (total variation ≤ 0.04), not on one draw."""
    name = "sample_tokens"
    variant = _variant(variant)
    z, T = _logits_case(variant, hidden)
    rows = z[[0, 2]]                                                  # two different distributions
    batch = np.repeat(rows, draws, axis=0)
    seed = int(variants.rng(variant, LAB, "sampling-seed").integers(1 << 30)) + int(hidden)
    tokens = _call(name, fn, batch.copy(), T, np.random.default_rng(seed))
    arr = np.asarray(tokens)
    if arr.ndim == 2 and arr.shape == batch.shape:
        raise AssertionError(gettext("{name}: you returned an array of shape {shape}, like the probabilities; return "
                                     "one token id per row, shape ({n},).").format(name=name, shape=arr.shape,
                                                                                   n=len(batch)))
    if arr.shape != (len(batch),):
        raise AssertionError(gettext("{name}: expected one token id per row, shape ({n},); got shape {shape}.").format(
            name=name, n=len(batch), shape=arr.shape))
    if not np.issubdtype(arr.dtype, np.integer):
        if np.all(np.mod(arr, 1) == 0):
            arr = arr.astype("int64")
        else:
            raise AssertionError(gettext("{name}: expected integer token ids, got {dtype} values such as "
                                         "{values}.").format(name=name, dtype=arr.dtype, values=arr[:3]))
    vocab = z.shape[1]
    if arr.min() < 0 or arr.max() >= vocab:
        message = (N_("{name}: token ids must lie in 0 … {last}; got {low} … {high} (one too high: an off-by-one "
                      "after searchsorted/cumsum?)") if arr.max() == vocab else
                   N_("{name}: token ids must lie in 0 … {last}; got {low} … {high}."))
        raise AssertionError(gettext(message).format(name=name, last=vocab - 1, low=arr.min(), high=arr.max()))
    freq = [np.bincount(arr[i * draws:(i + 1) * draws], minlength=vocab) / draws for i in range(2)]
    expected = [_probabilities(row, T) for row in rows]
    tolerance = 0.04
    bad = [i for i in range(2) if _tv(freq[i], expected[i]) > tolerance]
    if bad:
        i = bad[0]
        candidates = [
            (N_("the temperature is ignored: the draws follow softmax(logits), T = 1."), _probabilities(rows[i], 1.0)),
            (N_("the temperature is inverted: the draws follow softmax(logits · T)."), _softmax(rows[i] * T)),
            (N_("every draw is the argmax: that is greedy decoding (T = 0), not sampling."),
             _probabilities(rows[i], 0)),
            (N_("the draws are uniform over the vocabulary: pass the probabilities to the draw (p=...)."),
             np.full(vocab, 1 / vocab)),
            (N_("the token ids are shifted by one (an off-by-one after cumsum/searchsorted)."),
             np.roll(expected[i], 1)),
            (N_("the token ids are shifted by one (an off-by-one after cumsum/searchsorted)."),
             np.roll(expected[i], -1)),
            (N_("every row is drawn from the first row's distribution: draw each row from its own probabilities."),
             expected[0]),
        ]
        for message, q in candidates:
            if _tv(freq[i], q) <= tolerance:
                raise AssertionError(_harness._named(name, message))
        where = _harness._probe_quietly(lambda: _probes.sampling(fn, vocab, lambda: np.random.default_rng(seed)))
        if where:
            raise AssertionError(gettext("{name}: {message}").format(name=name, message=where))
        raise AssertionError(gettext("{name}: over {draws} draws of row {i} the frequencies {freq} are {tv:.3f} "
                                     "(total variation) away from softmax(logits / T) = {expected}; this matches none "
                                     "of the usual mistakes.").format(name=name, draws=draws, i=i,
                                                                      freq=np.round(freq[i], 3),
                                                                      tv=_tv(freq[i], expected[i]),
                                                                      expected=np.round(expected[i], 3)))
    # the seed test at T >= 1, where draws differ often (at T = 0.3 two unseeded runs can agree by chance)
    T_seed, probe = max(T, 1.0), np.repeat(rows, 200, axis=0)
    again = np.asarray(_call(name, fn, probe.copy(), T_seed, np.random.default_rng(seed)))
    twice = np.asarray(_call(name, fn, probe.copy(), T_seed, np.random.default_rng(seed)))
    if not np.array_equal(again, twice):
        raise AssertionError(gettext("{name}: two generators with the same seed gave different tokens: draw with the "
                                     "`rng` you are given (rng.random, rng.choice), not np.random's global "
                                     "functions.").format(name=name))
    other = np.asarray(_call(name, fn, probe.copy(), T_seed, np.random.default_rng(seed + 1)))
    if np.array_equal(again, other):
        raise AssertionError(gettext("{name}: generators with different seeds gave the same tokens: use the `rng` you "
                                     "are given, not a generator of your own with a fixed seed.").format(name=name))
    greedy = np.asarray(_call(name, fn, z.copy(), 0.0, np.random.default_rng(seed)))
    if greedy.shape != (len(z),) or not np.array_equal(greedy, np.argmax(z, axis=-1)):
        raise AssertionError(gettext("{name}: at temperature 0 every row must give its argmax (greedy decoding); got "
                                     "{got} for argmax {argmax}.").format(name=name, got=greedy,
                                                                          argmax=np.argmax(z, axis=-1)))
    _ok(name, gettext("{draws} draws per row within {tolerance} of softmax(logits / {T}); seeded by rng; greedy at "
                      "T = 0").format(draws=draws, tolerance=tolerance, T=T))


# -- Task 3: bits per character -------------------------------------------------------------------
def _bits_case(variant, hidden):
    r = variants.rng(variant, LAB, "bits-hidden" if hidden else "bits")
    n, V = int(r.integers(20, 40)), _sizes(variant)["n_tokens"]
    lengths = r.integers(2, MAX_LETTERS + 2, size=n)
    y = np.where(np.arange(MAX_LETTERS + 1) < lengths[:, None], r.integers(3, V, (n, MAX_LETTERS + 1)), PAD)
    y[np.arange(n), lengths - 1] = END
    log2_p = np.log2(r.uniform(0.02, 0.9, y.shape))     # a model's output at padding too: it must be ignored
    return log2_p, y


def _bits_mistakes(lp, y):
    real = y != PAD
    n = real.sum()
    return [
        (N_("the log-probabilities are already in base 2; you converted them to nats (× ln 2)."),
         lambda: _bits(lp, y) * np.log(2)),
        (N_("the log-probabilities are already in base 2; dividing by ln 2 converts them again."),
         lambda: _bits(lp, y) / np.log(2)),
        (N_("the sign is missing: bits are −log2 p, a positive number."), lambda: -_bits(lp, y)),
        (N_("the padding positions are counted: average over the targets that are not PAD."),
         lambda: float(-lp.mean())),
        (N_("the padding positions are in the denominator: divide by the number of real targets only."),
         lambda: float(-np.sum(lp * real) / y.size)),
        (N_("this is the total, not the mean: divide by the number of real targets."),
         lambda: float(-np.sum(lp * real))),
        (N_("this is the mean of each name's mean: weigh every character equally, not every name."),
         lambda: float(np.mean(-np.sum(lp * real, 1) / real.sum(1)))),
        (N_("this is the bits per name (each name's total, averaged), not per character."),
         lambda: float(np.mean(-np.sum(lp * real, 1)))),
        (N_("this is −log2 of the mean probability; average −log2 p instead (the log comes first)."),
         lambda: float(-np.log2(np.sum(2.0 ** lp * real) / n))),
        (N_("this is the mean probability, not bits: average −log2 p."), lambda: float(np.sum(2.0 ** lp * real) / n)),
        (N_("the END targets are dropped from the mean as if they were padding: END is a character the model must "
            "predict (it ends the name); drop only the PAD targets."),
         lambda: _bits(lp, np.where(y == END, PAD, y))),
    ]


def check_bits(fn, hidden=False, variant=None):
    """Task 3: ``fn(log2_p, targets)`` -> mean of −log2 p over the targets that are not PAD."""
    name = "bits_per_char"
    variant = _variant(variant)
    lp, y = _bits_case(variant, hidden)
    out = _call(name, fn, lp.copy(), y.copy())
    got = _as_array(name, out)
    if got.size != 1:
        raise AssertionError(gettext("{name}: expected one number, got an array of shape {shape}.").format(
            name=name, shape=got.shape))
    got = got.reshape(())
    expected = _bits(lp, y)
    if not _close(got, expected):
        _fail(name, got, expected, _bits_mistakes(lp, y), _memo("bits", lambda v: _bits(*_bits_case(v, False))), variant, N_("a number"))
    _ok(name, gettext("{bits:.3f} bits per character over {n} targets").format(bits=expected, n=(y != PAD).sum()))


# -- Task 4: the bigram table ----------------------------------------------------------------------
def _bigram_case(variant, hidden):
    d = _cached(variant)
    if not hidden:
        return d["x_train"], d["y_train"], d["n_tokens"], d["alpha"]
    r = variants.rng(variant, LAB, "bigram-hidden")
    n = int(r.integers(40, 80))
    return d["x_test"][:n], d["y_test"][:n], d["n_tokens"], float(r.choice([0.05, 0.3, 2.0]))


def _bigram_mistakes(x, y, V, a):
    real = y != PAD

    def counts(with_pad=False, alpha=a, fancy=False, pairs=None):
        c = np.full((V, V), float(alpha))
        xs, ys = pairs if pairs is not None else ((x, y) if with_pad else (x[real], y[real]))
        if fancy:
            c[xs, ys] += 1.0
        else:
            np.add.at(c, (xs, ys), 1.0)
        return c

    c = counts()
    shifted = (y[:, :-1][real[:, 1:]], y[:, 1:][real[:, 1:]])
    early = (x[:, 1:][real[:, :-1]], y[:, :-1][real[:, :-1]])        # (x[t + 1], y[t]): one step apart
    swapped = (y[real], x[real])
    uni = _unigram(y, V, a)
    return [
        (N_("the table is transposed: row = the previous token x, column = the next token y."),
         lambda: _bigram(x, y, V, a).T),
        (N_("each column is normalised; each row (one previous token) must sum to 1."),
         lambda: np.log2(c / c.sum(0, keepdims=True))),
        (N_("these are probabilities; the task asks for log2 probabilities."), lambda: c / c.sum(1, keepdims=True)),
        (N_("natural log; the task asks for log2."), lambda: np.log(c / c.sum(1, keepdims=True))),
        (N_("log10; the task asks for log2."), lambda: np.log10(c / c.sum(1, keepdims=True))),
        (N_("no smoothing: alpha must be added to every count (unseen pairs get -inf bits otherwise)."),
         lambda: np.log2(counts(alpha=0) / counts(alpha=0).sum(1, keepdims=True))),
        (N_("the padding positions are counted: use only pairs whose target y is not PAD."),
         lambda: np.log2(counts(True) / counts(True).sum(1, keepdims=True))),
        (N_("counts[x, y] += 1 counts a repeated pair only once; use np.add.at (or np.bincount)."),
         lambda: np.log2(counts(fancy=True) / counts(fancy=True).sum(1, keepdims=True))),
        (N_("the pairs are (y[t], y[t+1]): the previous token of y[t] is x[t], which includes START."),
         lambda: np.log2(counts(pairs=shifted) / counts(pairs=shifted).sum(1, keepdims=True))),
        (N_("every row is the unigram: the count must depend on the previous token."), lambda: np.tile(uni, (V, 1))),
        (N_("the pairs are counted as counts[y, x] (row = the next token): count counts[x, y], row = the previous "
         "token x[n, t], column = the next token y[n, t]."),
         lambda: np.log2(counts(pairs=swapped) / counts(pairs=swapped).sum(1, keepdims=True))),
        (N_("the pairs are (x[t + 1], y[t]), one step apart: pair each target y[n, t] with the input at the same "
         "step, x[n, t] (x is y shifted right by one already)."),
         lambda: np.log2(counts(pairs=early) / counts(pairs=early).sum(1, keepdims=True))),
        (N_("alpha is added after normalising: add it to the counts, then normalise."),
         lambda: np.log2((counts(alpha=0) / np.maximum(counts(alpha=0).sum(1, keepdims=True), 1)) + a)),
        (N_("alpha is split over the row (alpha / n_tokens per entry); add alpha to every count."),
         lambda: np.log2(counts(alpha=a / V) / counts(alpha=a / V).sum(1, keepdims=True))),
    ]


def check_bigram(fn, hidden=False, variant=None):
    """Task 4: ``fn(x, y, n_tokens, alpha)`` -> (n_tokens, n_tokens) log2 P(next = j | previous = i),
    counted over the pairs (x[n, t], y[n, t]) whose y is not PAD, with alpha added to every count."""
    name = "bigram_table"
    variant = _variant(variant)
    x, y, V, a = _bigram_case(variant, hidden)
    got = _as_array(name, _call(name, fn, x.copy(), y.copy(), V, a))
    expected = _bigram(x, y, V, a)
    if not _close(got, expected):
        _fail(name, got, expected, _bigram_mistakes(x, y, V, a), _memo("bigram", lambda v: _bigram(*_bigram_case(v, False))), variant,
              N_("a table"), locate=lambda: _probes.bigram(fn, x, y, V, a, got))
    _ok(name, gettext("{V} × {V} log2 table from {n} pairs, alpha = {alpha}").format(V=V, n=(y != PAD).sum(), alpha=a))


# -- Task 5: the two baselines, as numbers -------------------------------------------------------------
def check_baselines(unigram_bits, bigram_bits, variant=None):
    """Task 5: the test bits per character of the counted unigram and bigram of your variant."""
    name = "unigram_bits, bigram_bits"
    if unigram_bits is None or bigram_bits is None:
        raise NotImplementedError(gettext("{name}: Task 5 is not done yet (still None).").format(name=name))
    variant = _variant(variant)
    got = _harness._as_numbers(name, (("unigram_bits", unigram_bits), ("bigram_bits", bigram_bits)))
    uni, bi = _baselines(variant)
    if _close(got, [uni, bi], 1e-4):
        _ok(name, gettext("unigram {unigram:.3f}, bigram {bigram:.3f} bits per character on the test names").format(
            unigram=uni, bigram=bi))
        return
    d = _cached(variant)
    tr_uni = _bits(_unigram(d["y_train"], d["n_tokens"], d["alpha"])[d["y_train"]], d["y_train"])
    tr_bi = _bits(_bigram(d["x_train"], d["y_train"], d["n_tokens"], d["alpha"])[d["x_train"], d["y_train"]],
                  d["y_train"])
    mistakes = [
        (N_("the two numbers are swapped."), lambda: [bi, uni]),
        (N_("these are in nats: multiply by 1 / ln 2 (or compute with log2)."),
         lambda: [uni * np.log(2), bi * np.log(2)]),
        (N_("these are measured on the training names; measure on the test names (x_test, y_test)."),
         lambda: [tr_uni, tr_bi]),
        (N_("the unigram is measured on the training names; measure it on the test names."), lambda: [tr_uni, bi]),
        (N_("the bigram is measured on the training names; measure it on the test names."), lambda: [uni, tr_bi]),
    ]
    named = _diagnose(name, np.array(got), mistakes, _memo("baselines", _baselines), variant, tol=1e-4)
    if named:
        raise AssertionError(named)
    wrong = [label for label, g, e in (("unigram_bits", got[0], uni), ("bigram_bits", got[1], bi))
             if not _close(g, e, 1e-4)]
    message = (N_("{name}: {label} is not your variant's value; compute with your bits_per_char and bigram_table on "
                  "the test names, with the lab's alpha.") if len(wrong) == 1 else
               N_("{name}: {label} and {other} are not your variant's value; compute with your bits_per_char and "
                  "bigram_table on the test names, with the lab's alpha."))
    raise AssertionError(gettext(message).format(name=name, label=wrong[0], other=wrong[-1]))


# -- Task 6: the generation loop -------------------------------------------------------------------
class _Model:
    """The check's own LSTM language model in NumPy (the interface of the lab's Keras model)."""

    def __init__(self, w, calls):
        self.w, self.units, self.calls = w, w["recurrent_kernel"].shape[0], calls

    def embed(self, tokens):
        tokens = np.asarray(tokens)
        if tokens.ndim != 1:
            raise ValueError(gettext("embed takes one token id per sample, shape (batch,). Received: "
                                     "tokens.shape={shape}").format(shape=tokens.shape))
        self.calls.append(("embed", tokens.copy()))
        return self.w["embeddings"][tokens.astype("int64")]

    def cell(self, x, states):
        h, c = (np.asarray(s, dtype="float64") for s in states)
        self.calls.append(("cell", h.copy(), c.copy()))
        return self._lstm(np.asarray(x, dtype="float64"), h, c)

    def _lstm(self, x, h, c):
        return _harness._lstm_step(self.w, x, h, c)

    def head(self, h):
        return np.asarray(h, dtype="float64") @ self.w["head_kernel"] + self.w["head_bias"]


class _Sampler:
    """A deterministic stand-in for sample: the argmax of logits + a fixed noise per call."""

    def __init__(self, noise, vocab):
        self.noise, self.vocab, self.seen = noise, vocab, []

    def __call__(self, logits):
        logits = np.asarray(logits, dtype="float64")
        if logits.ndim != 2 or logits.shape[1] != self.vocab:
            raise ValueError(gettext("sample takes logits of shape (batch, {vocab}), one row per sample. Received: "
                                     "logits.shape={shape}").format(vocab=self.vocab, shape=logits.shape))
        self.seen.append(logits.copy())
        noise = self.noise[(len(self.seen) - 1) % len(self.noise)][: len(logits)]
        return np.argmax(logits + noise, axis=-1).astype("int64")


def _generate_case(variant, hidden):
    V = _sizes(variant)["n_tokens"]
    r = variants.rng(variant, LAB, "generate-hidden" if hidden else "generate")
    batch, steps = int(r.integers(3, 7)), int(r.integers(5, 10))
    first = r.integers(3, V, size=batch)
    noise = r.gumbel(size=(steps + 2, batch, V)) * 0.5
    return _weights(variant), first, steps, noise


def _trace(calls):
    """The states the cell was given, one number list: two loops that pass the same states agree."""
    parts = [np.concatenate([c[1].ravel(), c[2].ravel()]) for c in calls if c[0] == "cell"]
    return np.concatenate(parts) if parts else np.zeros(0)


def _reference_loop(w, first, steps, noise, reset="", swap=False, feed_first=False, greedy=False, use_c=False,
                    probs=False, include_first=False, drop_last=False, transpose=False, init=0.0, calls=None,
                    h_twice=False, unpack_ch=False):
    """The loop and its usual mistakes (flags), with the check's model and sampler."""
    model, sampler = _Model(w, [] if calls is None else calls), _Sampler(noise, w["head_bias"].shape[0])
    batch = len(first)
    h = np.full((batch, model.units), init)
    c = np.full((batch, model.units), init)
    token, out = np.asarray(first), []
    for _ in range(steps):
        if "h" in reset:
            h = np.zeros_like(h)
        if "c" in reset:
            c = np.zeros_like(c)
        _, (h2, c2) = model.cell(model.embed(token), [c, h] if swap else ([h, h] if h_twice else [h, c]))
        h, c = (c2, h2) if unpack_ch else (h2, c2)
        logits = model.head(c if use_c else h)
        if greedy:
            sampled = np.argmax(logits, -1)
            sampler(_softmax(logits) if probs else logits)
        else:
            sampled = sampler(_softmax(logits) if probs else logits)
        out.append(sampled)
        token = first if feed_first else sampled
    tokens = np.stack(out, axis=1)
    if include_first:
        tokens = np.concatenate([np.asarray(first)[:, None], tokens], axis=1)
    if drop_last:
        tokens = tokens[:, :-1]
    return tokens.T if transpose else tokens


def check_generate(fn, hidden=False, variant=None):
    """Task 6: ``fn(model, first, steps, sample)`` -> (batch, steps) generated token ids.

    ``model`` has ``embed(tokens)``, ``cell(x, [h, c]) -> (output, [h, c])``, ``head(h) ->
    logits`` and ``units``; the loop starts from zero states, carries [h, c] from step to
    step and feeds each sampled token back in. The check passes its own model and a
    deterministic ``sample``, and compares the tokens and what the model was given."""
    name = "generate"
    variant = _variant(variant)
    w, first, steps, noise = _generate_case(variant, hidden)
    calls = []
    model, sampler = _Model(w, calls), _Sampler(noise, w["head_bias"].shape[0])
    got = _call(name, fn, model, first.copy(), steps, sampler, allowed=_ALLOWED)
    try:
        got = np.asarray(got, dtype="float64")
    except (TypeError, ValueError):
        raise AssertionError(gettext("{name}: expected an array of token ids, got {type}.").format(
            name=name, type=type(got).__name__)) from None
    ref_calls = []
    expected = _reference_loop(w, first, steps, noise, calls=ref_calls)
    if _close(got, expected, 0) and _close(_trace(calls), _trace(ref_calls), 1e-6):
        n_cells = sum(1 for c in calls if c[0] == "cell")
        if n_cells != steps:
            raise AssertionError(gettext("{name}: the tokens are right but the cell was called {calls} times for "
                                         "{steps} steps: one cell call per step.").format(name=name, calls=n_cells,
                                                                                          steps=steps))
        _ok(name, gettext("{batch} sequences × {steps} steps, [h, c] carried, sampled tokens fed back").format(
            batch=len(first), steps=steps))
        return
    mistakes = [
        (N_("the states are passed as [c, h] and the first token is fed at every step."),
         dict(swap=True, feed_first=True)),
        (N_("the states are reset to zeros at every step: carry [h, c] from one step to the next."),
         dict(reset="hc")),
        (N_("c is reset at every step (only h is carried): the cell returns [h, c]; carry both."), dict(reset="c")),
        (N_("h is reset at every step (only c is carried): carry both states."), dict(reset="h")),
        (N_("the states are passed as [c, h]: the cell takes and returns [h, c], in that order."), dict(swap=True)),
        (N_("the first token is fed at every step: feed the token sampled at the previous step."),
         dict(feed_first=True)),
        (N_("the argmax is fed back instead of the sampled token (greedy): feed what sample returned."),
         dict(greedy=True)),
        (N_("the logits come from the cell state c: the head reads h (the cell's output)."), dict(use_c=True)),
        (N_("sample was given probabilities (a softmax of the logits); it takes the logits."), dict(probs=True)),
        (N_("the first token is included: return only the `steps` generated tokens."), dict(include_first=True)),
        (N_("one token too few: return `steps` generated tokens."), dict(drop_last=True)),
        (N_("the result is (steps, batch): return one row per sequence, (batch, steps)."), dict(transpose=True)),
        (N_("the states start at ones: start from zeros."), dict(init=1.0)),
        (N_("h is passed as both states, [h, h]: pass [h, c], the cell state c as the second."), dict(h_twice=True)),
        (N_("the returned states are unpacked as (c, h): the cell returns [h, c], in that order "
         "(`_, (h, c) = model.cell(...)`)."), dict(unpack_ch=True)),
    ]
    for message, f in mistakes:
        wrong_calls = []
        wrong = _reference_loop(w, first, steps, noise, calls=wrong_calls, **f)
        if _close(got, wrong, 0) and _close(_trace(calls), _trace(wrong_calls), 1e-6):
            raise AssertionError(_harness._named(name, message))
    named = _diagnose(name, got, [], _memo("generate", lambda v: _reference_loop(*_generate_case(v, False))),
                      variant, tol=0)
    if named:
        raise AssertionError(named)
    given = [c for c in calls if c[0] == "cell"]
    reset_at = [k for k, c in enumerate(given) if k > 0 and not (np.any(c[1]) or np.any(c[2]))]
    if reset_at and len(reset_at) < len(given) - 1:
        message = (N_("{name}: the states are reset to zeros at steps {steps} (counting from 0) and carried at the "
                      "others: set [h, c] to zeros once, before the loop, never inside it.") if len(reset_at) > 1 else
                   N_("{name}: the states are reset to zeros at step {steps} (counting from 0) and carried at the "
                      "others: set [h, c] to zeros once, before the loop, never inside it."))
        raise AssertionError(gettext(message).format(name=name, steps=", ".join(map(str, reset_at))))
    if _close(got, expected, 0):
        raise AssertionError(gettext("{name}: the tokens are right, but the states given to the cell differ from the "
                                     "loop's: start from zeros and pass back the [h, c] the cell returned.").format(
                                         name=name))
    if any(np.allclose(s, _softmax(s)) for s in sampler.seen[:1]) or \
            any(np.all((s >= 0) & (s <= 1)) and np.allclose(s.sum(1), 1) for s in sampler.seen[:1]):
        raise AssertionError(gettext("{name}: sample was given probabilities (rows that sum to 1); it takes the "
                                     "logits.").format(name=name))
    if got.shape != expected.shape:
        raise AssertionError(gettext("{name}: expected token ids of shape {expected} (batch, steps); got "
                                     "{got}.").format(name=name, expected=expected.shape, got=got.shape))
    where = _harness._probe_quietly(lambda: _probes.generate(got, calls, sampler, first, steps, w,
                                                             _harness._lstm_step, noise))
    if where:
        raise AssertionError(gettext("{name}: {message}").format(name=name, message=where))
    raise AssertionError(gettext("{name}: {wrong} of {size} tokens differ from the loop's; this matches none of the "
                                 "usual mistakes: zero states, embed → cell → head → sample, carry [h, c].").format(
                                     name=name, wrong=int((got != expected).sum()), size=got.size))
