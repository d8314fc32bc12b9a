"""Lab 07, generating sequences: the solution passes every check on many variants, each
plausible wrong answer gets the message naming its mistake, an answer copied from another
variant is named as such, and the hidden grade ignores what a solution cell can rebind."""
import importlib

import numpy as np
import pytest

import lstmcourse.generation
from lstmcourse import _grading, variants
from lstmcourse import lab07_checks as checks

PAD = checks.PAD


def probs(logits, T):
    logits = np.asarray(logits, dtype="float64")
    if T == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, -1)]
    z = logits / T
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def sample(logits, T, rng):
    p = probs(logits, T)
    if T == 0:
        return np.argmax(p, -1)
    return np.array([rng.choice(len(row), p=row) for row in p])      # another correct way to draw


def bits(lp, y):
    return float(-lp[y != PAD].mean())


def bigram(x, y, V, a):
    c = np.full((V, V), float(a))
    r = y != PAD
    np.add.at(c, (x[r], y[r]), 1)
    return np.log2(c / c.sum(1, keepdims=True))


def generate(model, first, steps, sample_fn):
    h = np.zeros((len(first), model.units))
    c = np.zeros_like(h)
    tok, out = first, []
    for _ in range(steps):
        _, (h, c) = model.cell(model.embed(tok), [h, c])
        tok = sample_fn(model.head(h))
        out.append(tok)
    return np.stack(out, 1)


def baselines(v):
    d = checks.lab_data(v)
    uni = np.full(d.n_tokens, d.alpha)
    np.add.at(uni, d.y_train[d.y_train != PAD], 1)
    uni = np.log2(uni / uni.sum())
    b = bigram(d.x_train, d.y_train, d.n_tokens, d.alpha)
    return bits(uni[d.y_test], d.y_test), bits(b[d.x_test, d.y_test], d.y_test)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("variant", [0, 1, 517, 999])
def test_solution_passes(variant, hidden, capsys):
    checks.check_temperature(probs, hidden=hidden, variant=variant)
    checks.check_sampling(sample, hidden=hidden, variant=variant)
    checks.check_bits(bits, hidden=hidden, variant=variant)
    checks.check_bigram(bigram, hidden=hidden, variant=variant)
    checks.check_generate(generate, hidden=hidden, variant=variant)
    checks.check_baselines(*baselines(variant), variant=variant)
    out = capsys.readouterr().out
    assert out.count("✔") == 6 and "✗" not in out


def expect(check, answer, message, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        check(answer, *args, hidden=True, variant=3, **kwargs)
    assert message in str(info.value), str(info.value)


def sm(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def greedy0(f):
    return lambda z, T: probs(z, 0) if T == 0 else f(np.asarray(z, dtype="float64"), T)


TEMPERATURE = [
    (greedy0(lambda z, T: sm(z * T)), "multiplied by the temperature"),
    (greedy0(lambda z, T: sm(z)), "the temperature is ignored"),
    (greedy0(lambda z, T: sm(z / T, 0)), "over the batch (axis 0)"),
    (greedy0(lambda z, T: sm(z) / T), "divided by T after the softmax"),
    (greedy0(lambda z, T: sm(z) ** (1 / T)), "is not renormalised"),
    (greedy0(lambda z, T: np.exp(z / T - (z / T).max(-1, keepdims=True))), "without the division by their sum"),
    (greedy0(lambda z, T: np.log(sm(z / T))), "log-probabilities"),
    (greedy0(lambda z, T: np.exp(z / T - (z / T).max()) / np.exp(z / T - (z / T).max()).sum()),
     "the whole batch is normalised"),
    (greedy0(lambda z, T: 1 / (1 + np.exp(-z / T))), "a sigmoid"),
    (greedy0(lambda z, T: sm(z * np.log(2) / T)), "use exp, not a power of 2"),
    (greedy0(lambda z, T: np.eye(z.shape[-1])[z.argmax(-1)]), "one-hot at its argmax"),
    (greedy0(lambda z, T: sm(z / T / T)), "divided by T twice"),
    (lambda z, T: (lambda e: e / e.sum(-1, keepdims=True))(np.exp(np.asarray(z) / T)) if T else probs(z, 0),
     "exp overflowed"),
    (lambda z, T: probs(z, T) if T else sm(np.asarray(z) / 0.0), "it is NaN/inf: dividing by T = 0"),
    (lambda z, T: probs(z, T) if T else np.full(z.shape, 1 / z.shape[1]), "it is uniform"),
]


@pytest.mark.parametrize("answer, message", TEMPERATURE)
def test_temperature_mistakes_are_named(answer, message):
    with np.errstate(all="ignore"):
        expect(checks.check_temperature, answer, message)


def test_temperature_in_place_is_named():
    def inplace(z, T):
        if T:
            z /= T
        return probs(z, 1.0 if T else 0)
    expect(checks.check_temperature, inplace, "changed `logits` in place")


SAMPLING = [
    (lambda z, T, rng: sample(z, 1.0 if T else 0, rng), "the temperature is ignored"),
    (lambda z, T, rng: sample(np.asarray(z) * T * T, T, rng), "the temperature is inverted"),
    (lambda z, T, rng: np.argmax(z, -1), "every draw is the argmax"),
    (lambda z, T, rng: rng.integers(0, np.shape(z)[1], len(z)) if T else np.argmax(z, -1), "uniform"),
    (lambda z, T, rng: (sample(z, T, rng) + 1) % np.shape(z)[1] if T else np.argmax(z, -1), "shifted by one"),
    (lambda z, T, rng: np.array([rng.choice(np.shape(z)[1], p=probs(z[0], T) if T else None) for _ in z])
     if T else np.argmax(z, -1), "the first row's distribution"),
    (lambda z, T, rng: sample(z, T, np.random.default_rng()), "two generators with the same seed"),
    (lambda z, T, rng: sample(z, T, np.random.default_rng(0)), "different seeds gave the same tokens"),
    (lambda z, T, rng: probs(z, T), "like the probabilities"),
    (lambda z, T, rng: sample(z, T, rng) + 0.5, "expected integer token ids"),
    (lambda z, T, rng: np.minimum(sample(z, T, rng) + 1, np.shape(z)[1]), "one too high"),
    (lambda z, T, rng: sample(z, T, rng)[:5], "one token id per row"),
    (lambda z, T, rng: sample(z, T if T else 1.0, rng), "at temperature 0 every row must give its argmax"),
]


@pytest.mark.parametrize("answer, message", SAMPLING)
def test_sampling_mistakes_are_named(answer, message):
    expect(checks.check_sampling, answer, message)


def m(lp, y):
    return y != PAD


BITS = [
    (lambda lp, y: bits(lp, y) * np.log(2), "converted them to nats"),
    (lambda lp, y: bits(lp, y) / np.log(2), "dividing by ln 2"),
    (lambda lp, y: -bits(lp, y), "the sign is missing"),
    (lambda lp, y: float(-lp.mean()), "padding positions are counted"),
    (lambda lp, y: float(-np.sum(lp * m(lp, y)) / y.size), "padding positions are in the denominator"),
    (lambda lp, y: float(-np.sum(lp * m(lp, y))), "this is the total"),
    (lambda lp, y: float(np.mean(-np.sum(lp * m(lp, y), 1) / m(lp, y).sum(1))), "mean of each name's mean"),
    (lambda lp, y: float(np.mean(-np.sum(lp * m(lp, y), 1))), "bits per name"),
    (lambda lp, y: float(-np.log2(np.mean(2.0 ** lp[m(lp, y)]))), "−log2 of the mean probability"),
    (lambda lp, y: float(np.mean(2.0 ** lp[m(lp, y)])), "the mean probability, not bits"),
    (lambda lp, y: bits(lp, np.where(y == checks.END, PAD, y)), "END targets are dropped from the mean as if they were padding"),
    (lambda lp, y: np.array([bits(lp, y)] * 2), "expected one number"),
]


@pytest.mark.parametrize("answer, message", BITS)
def test_bits_mistakes_are_named(answer, message):
    expect(checks.check_bits, answer, message)


def norm_log(c, axis=1, log=np.log2):
    return log(c / c.sum(axis, keepdims=True))


def counts(x, y, V, a, pad=False, fancy=False):
    c = np.full((V, V), float(a))
    r = np.ones_like(y, bool) if pad else y != PAD
    if fancy:
        c[x[r], y[r]] += 1
    else:
        np.add.at(c, (x[r], y[r]), 1)
    return c


BIGRAM = [
    (lambda x, y, V, a: bigram(x, y, V, a).T, "the table is transposed"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a), 0), "each column is normalised"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a), 1, lambda p: p), "these are probabilities"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a), 1, np.log), "natural log"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a), 1, np.log10), "log10"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, 0)), "no smoothing"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a, pad=True)), "padding positions are counted"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a, fancy=True)), "np.add.at"),
    (lambda x, y, V, a: bigram(np.concatenate([y[:, :1], y[:, :-1]], 1), np.concatenate([y[:, :1] * 0, y[:, 1:]], 1),
                                V, a), "the pairs are (y[t], y[t+1])"),
    (lambda x, y, V, a: np.tile(norm_log(counts(np.zeros_like(x), y, V, a).sum(0, keepdims=True)
                                         - (V - 1) * a), (V, 1)), "every row is the unigram"),
    (lambda x, y, V, a: norm_log(counts(x, y, V, a / V)), "alpha is split over the row"),
    (lambda x, y, V, a: np.log2(counts(x, y, V, 0) / np.maximum(counts(x, y, V, 0).sum(1, keepdims=True), 1) + a),
     "alpha is added after normalising"),
]


@pytest.mark.parametrize("answer, message", BIGRAM)
def test_bigram_mistakes_are_named(answer, message):
    with np.errstate(all="ignore"):
        expect(checks.check_bigram, answer, message)


def loop(reset="", swap=False, feed_first=False, greedy=False, use_c=False, probs_=False, include_first=False,
         drop_last=False, transpose=False, init=0.0):
    def gen(model, first, steps, sample_fn):
        h = np.full((len(first), model.units), init)
        c = np.full_like(h, init)
        tok, out = first, []
        for _ in range(steps):
            h = np.zeros_like(h) if "h" in reset else h
            c = np.zeros_like(c) if "c" in reset else c
            _, (h, c) = model.cell(model.embed(tok), [c, h] if swap else [h, c])
            logits = model.head(c if use_c else h)
            drawn = sample_fn(sm(logits) if probs_ else logits)
            nxt = np.argmax(logits, -1) if greedy else drawn
            out.append(nxt)
            tok = first if feed_first else nxt
        t = np.stack(out, 1)
        t = np.concatenate([np.asarray(first)[:, None], t], 1) if include_first else t
        t = t[:, :-1] if drop_last else t
        return t.T if transpose else t
    return gen


GENERATE = [
    (loop(reset="hc"), "the states are reset to zeros at every step"),
    (loop(reset="c"), "c is reset at every step"),
    (loop(reset="h"), "h is reset at every step"),
    (loop(swap=True), "the states are passed as [c, h]"),
    (loop(feed_first=True), "the first token is fed at every step"),
    (loop(greedy=True), "the argmax is fed back"),
    (loop(use_c=True), "the logits come from the cell state c"),
    (loop(probs_=True), "sample was given probabilities"),
    (loop(include_first=True), "the first token is included"),
    (loop(drop_last=True), "one token too few"),
    (loop(transpose=True), "(steps, batch)"),
    (loop(init=1.0), "the states start at ones"),
    (loop(swap=True, feed_first=True), "passed as [c, h] and the first token"),
    (lambda model, first, steps, s: [s(model.head(model.cell(model.embed(first), [np.zeros((len(first), model.units))] * 2)[0]))
                                     for _ in range(steps)], "(batch, steps); got"),
    (lambda model, first, steps, s: s(model.cell(model.embed(first), [np.zeros((len(first), model.units))] * 2)[0]),
     "sample takes logits of shape"),
]


@pytest.mark.parametrize("answer, message", GENERATE)
def test_generate_mistakes_are_named(answer, message):
    expect(checks.check_generate, answer, message)


def test_baselines_mistakes_are_named():
    uni, bi = baselines(3)
    for args, message in [((bi, uni), "swapped"), ((uni * np.log(2), bi * np.log(2)), "in nats"),
                          ((uni, bi + 0.1), "bigram_bits is not your variant's value"),
                          (("a", bi), "unigram_bits must be a number")]:
        with pytest.raises(AssertionError, match=message):
            checks.check_baselines(*args, variant=3)
    d = checks.lab_data(3)
    b = bigram(d.x_train, d.y_train, d.n_tokens, d.alpha)
    u = checks._unigram(d.y_train, d.n_tokens, d.alpha)
    with pytest.raises(AssertionError, match="measured on the training names"):
        checks.check_baselines(bits(u[d.y_train], d.y_train), bits(b[d.x_train, d.y_train], d.y_train), variant=3)


def test_answer_key_is_refused():
    expect(checks.check_temperature, lstmcourse.generation.temperature_probabilities,
           "calls lstmcourse.generation.temperature_probabilities, part of the course's answer key")
    expect(checks.check_sampling, lambda z, T, rng: lstmcourse.generation.sample(z, T, seed=rng),
           "calls lstmcourse.generation.sample")
    expect(checks.check_temperature, lambda z, T: checks._probabilities(z, T), "lstmcourse.lab07_checks._probabilities")


def test_odd_answers_and_stubs():
    expect(checks.check_bits, None, "expected a function")
    expect(checks.check_bits, lambda lp, y: 1 / 0, "your function raised ZeroDivisionError")

    def stub(*args):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        checks.check_generate(stub, variant=0)


# -- variants --------------------------------------------------------------------------------------
def copied(task, u):
    """An answer hard-coded from variant u's visible case: the array, computed beforehand, returned as it is."""
    value = {"temperature": lambda: checks._probabilities(*checks._logits_case(u, False)),
             "bits": lambda: checks._bits(*checks._bits_case(u, False)),
             "bigram": lambda: checks._bigram(*checks._bigram_case(u, False)),
             "generate": lambda: checks._reference_loop(*checks._generate_case(u, False))}[task]()
    if task == "temperature":
        return lambda z, T: value.copy() if T else probs(z, 0)
    return lambda *args: np.copy(value)


def test_one_hundred_variants_both_directions():
    """The solution passes all 100; an answer copied from the next variant fails on each, named as copied."""
    tasks = {"temperature": (checks.check_temperature, probs), "bits": (checks.check_bits, bits),
             "bigram": (checks.check_bigram, bigram), "generate": (checks.check_generate, generate)}
    sizes = set()
    for v in range(100):
        u = (v + 1) % 100
        for task, (check, solution) in tasks.items():
            check(solution, variant=v)
            check(solution, hidden=True, variant=v)
            with pytest.raises(AssertionError, match=f"variant {u}'s, not yours \\(variant {v}\\)"):
                check(copied(task, u), variant=v)
        checks.check_baselines(*baselines(v), variant=v)
        with pytest.raises(AssertionError, match=f"variant {u}'s, not yours"):
            checks.check_baselines(*baselines(u), variant=v)
        d = checks._sizes(v)
        sizes.add((d["n_tokens"], d["units"], d["n_train"]))
    assert len(sizes) > 50, "the variants differ in their sizes"


def test_variant_comes_from_the_student(monkeypatch, tmp_path):
    for key in ("LSTMCOURSE_VARIANT", "LSTMCOURSE_STUDENT", "JUPYTERHUB_USER", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(key, raising=False)
    assert variants.current() == 0
    monkeypatch.setenv("LSTMCOURSE_VARIANT", "7")
    assert variants.current() == 7
    folder = tmp_path / "autograded" / "alice" / "lab07"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert variants.current() == variants.variant_of("alice"), "autograde ignores LSTMCOURSE_VARIANT"
    monkeypatch.setenv("LSTMCOURSE_COURSE_SEED", "spring-2027")
    assert variants.current() == variants.variant_of("alice", "spring-2027") != variants.variant_of("alice", "x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="the working folder was changed"):
        variants.current()
    monkeypatch.delenv("NBGRADER_EXECUTION")
    monkeypatch.setenv("LSTMCOURSE_VARIANT", "1000")
    with pytest.raises(ValueError, match="Received: LSTMCOURSE_VARIANT='1000'"):
        variants.current()
    with pytest.raises(TypeError, match="Received: student=''"):
        variants.variant_of("")


# -- attacks on the hidden grade -------------------------------------------------------------------
def test_hidden_grade_ignores_rebound_modules(monkeypatch):
    """Rebinding lstmcourse.generation, the checks or the variants in a solution cell earns nothing."""
    wrong = greedy0(lambda z, T: sm(z))                              # temperature ignored
    monkeypatch.setattr(lstmcourse.generation, "temperature_probabilities", wrong)
    monkeypatch.setattr(checks, "_probabilities", lambda z, T: wrong(z, T))
    monkeypatch.setattr(checks, "check_temperature", lambda *a, **k: None)
    monkeypatch.setattr(variants, "current", lambda: 5)
    monkeypatch.setenv("LSTMCOURSE_VARIANT", "0")
    fresh = importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab07")
    assert fresh.variants is not variants and fresh.variants.current() == 0
    with pytest.raises(AssertionError, match="the temperature is ignored"):
        fresh.check_temperature(wrong, hidden=True)
    copied5 = lambda x, y, V, a: checks._bigram(*checks._bigram_case(5, True))  # noqa: E731
    with pytest.raises(AssertionError):
        fresh.check_bigram(copied5, hidden=True)


def test_fresh_refuses_patched_numpy(monkeypatch):
    monkeypatch.setattr(np, "abs", lambda a, *args, **kwargs: np.zeros(np.shape(a)))
    with pytest.raises(RuntimeError, match="integrity check failed"):
        _grading.fresh("lab07")
