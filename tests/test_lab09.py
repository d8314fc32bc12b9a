"""Lab 09, forecasting without leakage: the solution passes every check on many variants, each
plausible wrong answer gets the message naming its mistake (leakage first), an answer copied from
another variant is named as such, and the hidden grade ignores what a solution cell can rebind."""
import importlib

import numpy as np
import pytest

from lstmcourse import _grading, datasets, variants
from lstmcourse import lab09_checks as checks


# -- a solution, written apart from the checks ------------------------------------------------------
def make_windows(series, split, window, horizon, first_test=None, last_train=None, shift=0, stride=1,
                 feature=True):
    series = np.asarray(series, dtype="float64")
    def cut(starts):
        x = np.stack([series[i:i + window] for i in starts]).reshape(len(starts), window)
        y = np.stack([series[i + window + shift:i + window + shift + horizon] for i in starts])
        return (x[..., None] if feature else x), y
    last = split - window - horizon if last_train is None else last_train
    first = split - window if first_test is None else first_test
    return (*cut(range(0, last + 1)), *cut(range(first, len(series) - window - horizon + 1 - max(shift, 0), stride)))


def standardise(train, test):
    m, s = train.mean(), train.std(ddof=1)                      # ddof=1 is accepted too
    return (train - m) / s, (test - m) / s


def naive(x, horizon):
    return np.tile(x[:, -1], (1, horizon))


def seasonal(x, season, horizon):
    return np.stack([x[:, x.shape[1] - season + k, 0] for k in range(horizon)], axis=1)


def mae(y, yhat):
    return np.abs(np.subtract(y, yhat)).mean()


def baselines(v):
    d = checks.lab_data(v)
    _, _, x, y = make_windows(d.series, d.split, d.window, d.horizon)
    return mae(y, naive(x, d.horizon)), mae(y, seasonal(x, d.season, d.horizon))


def with_windows(x, y):
    """datasets.windows, the course's sliding helper, is allowed: the split is the task."""
    def answer(series, split, window, horizon):
        xs, ys = datasets.windows(series, window, horizon)
        last_target = np.arange(len(ys)) + window + horizon - 1
        first_target = np.arange(len(ys)) + window
        return xs[last_target < split], ys[last_target < split], xs[first_target >= split], ys[first_target >= split]
    return answer


def test_data_is_lesson_08s_series():
    months, ppm = checks._co2()
    series = datasets.co2()
    assert len(ppm) == len(series) == 526 and np.allclose(ppm, series.values, atol=1e-9)
    assert str(months[0]) == "1958-03" and str(months[-1]) == "2001-12"


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("variant", [0, 1, 517, 999])
def test_solution_passes(variant, hidden, capsys):
    checks.check_make_windows(make_windows, hidden=hidden, variant=variant)
    checks.check_make_windows(with_windows(None, None), hidden=hidden, variant=variant)
    checks.check_standardise(standardise, hidden=hidden, variant=variant)
    checks.check_naive(naive, hidden=hidden, variant=variant)
    checks.check_seasonal(seasonal, hidden=hidden, variant=variant)
    checks.check_mae(mae, hidden=hidden, variant=variant)
    checks.check_baselines(*baselines(variant), variant=variant)
    out = capsys.readouterr().out
    assert out.count("✔") == 7 and "✗" not in out


def expect(check, answer, message, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        check(answer, *args, hidden=True, variant=3, **kwargs)
    assert message in str(info.value), str(info.value)


def windows(**kwargs):
    return lambda s, split, w, h: make_windows(s, split, w, h, **kwargs)


def last(k):
    """Training windows up to the start split − window − k."""
    return lambda s, split, w, h: make_windows(s, split, w, h, last_train=split - w - k)


def reorder(*order, f=lambda a: a):
    return lambda *args: tuple(f(make_windows(*args)[i]) for i in order)


WINDOWS = [
    (last(0), "their targets run past it: that is leakage"),
    (last(1), "only the first target of each training window"),
    (lambda s, split, w, h: make_windows(s, split, w, h, last_train=min(split, len(s) - w - h + 1) - 1,
                                         first_test=split), "split by their start index"),
    (lambda s, split, w, h: make_windows(s, split, w, h, first_test=split), "the test windows start at the split"),
    (lambda s, split, w, h: make_windows(s, split, w, h, first_test=split - w + 1), "the first test window is missing"),
    (lambda s, split, w, h: make_windows(s, split, w, h, first_test=split - w - 1), "one test window too many"),
    ((lambda s, split, w, h: make_windows(s, split, w, h, last_train=split - w - h - 1)),
     "the last training window is missing"),
    (lambda s, split, w, h: tuple(a[:-1] if i >= 2 else a for i, a in enumerate(make_windows(s, split, w, h))),
     "the last test window is missing"),
    (windows(shift=-1), "the targets start at the window's last input"),
    (windows(shift=1), "the targets skip a value"),
    (lambda s, split, w, h: make_windows(s, split, w, 1), "the targets have one value each"),
    (windows(stride=2), "do not overlap"),
    (reorder(0, 2, 1, 3), "scikit-learn's order"),
    (windows(feature=False), "the inputs have no feature axis"),
    (lambda *a: tuple(p[..., None] if i % 2 else p for i, p in enumerate(make_windows(*a))), "the targets have a feature axis"),
    (lambda *a: tuple(np.swapaxes(p, 1, 2) if i % 2 == 0 else p for i, p in enumerate(make_windows(*a))),
     "time and features are swapped"),
    (reorder(2, 3, 0, 1), "the training and the test windows are swapped"),
    # not in the catalogue: located
    (lambda s, split, w, h: make_windows(s, split, w, h, last_train=split - w + 2), "has a target at index"),
    (lambda s, split, w, h: make_windows(s, split, w, h, first_test=split + 2), "the test targets start at index"),
    (lambda s, split, w, h: make_windows(s, split, w, h, first_test=split - w - 3), "before the split"),
    (lambda s, split, w, h: (1, 2, 3), "return four arrays"),
]


@pytest.mark.parametrize("answer, message", WINDOWS)
def test_windows_mistakes_are_named(answer, message):
    expect(checks.check_make_windows, answer, message)


def test_windows_in_place_is_named():
    def inplace(s, split, w, h):
        out = make_windows(s, split, w, h)
        s -= 1
        return out
    expect(checks.check_make_windows, inplace, "changed `series` in place")


def whole(train, test):
    allv = np.concatenate([train, test])
    return (train - allv.mean()) / allv.std(), (test - allv.mean()) / allv.std()


STANDARDISE = [
    (whole, "fitted on the whole series"),
    (lambda a, b: ((a - a.mean()) / a.std(), (b - b.mean()) / b.std()), "with its own mean and standard deviation"),
    (lambda a, b: ((a - a.mean()) / a.std(), b), "the test part is not scaled"),
    (lambda a, b: ((a - a.mean()) / a.var(), (b - a.mean()) / a.var()), "divided by the variance"),
    (lambda a, b: (a - a.mean(), b - a.mean()), "only centred"),
    (lambda a, b: ((a - a.min()) / (a.max() - a.min()), (b - a.min()) / (a.max() - a.min())), "min-max"),
    (lambda a, b: standardise(a, b)[::-1], "wrong order"),
    (lambda a, b: (a, b, a.mean()), "return two arrays"),
]


@pytest.mark.parametrize("answer, message", STANDARDISE)
def test_standardise_mistakes_are_named(answer, message):
    expect(checks.check_standardise, answer, message)


def test_standardise_in_place_is_named():
    def inplace(a, b):
        m, s = a.mean(), a.std()
        a -= m
        a /= s
        return a, (b - m) / s
    expect(checks.check_standardise, inplace, "changed its input in place")


NAIVE = [
    (lambda x, h: np.tile(x[:, 0], (1, h)), "the window's first value"),
    (lambda x, h: np.tile(x.mean(1), (1, h)), "the window's mean"),
    (lambda x, h: np.tile(x[:, -2], (1, h)), "the value before the last"),
    (lambda x, h: x[:, -h:, 0], "last `horizon` values"),
    (lambda x, h: x[:, -1, 0], "the last value is not repeated"),
    (lambda x, h: np.repeat(x[:, -1:], h, axis=1), "keep the feature axis"),
]


@pytest.mark.parametrize("answer, message", NAIVE)
def test_naive_mistakes_are_named(answer, message):
    expect(checks.check_naive, answer, message)


SEASONAL = [
    (lambda x, s, h: np.tile(x[:, x.shape[1] - s], (1, h)), "one season before the window's end"),
    (lambda x, s, h: seasonal(x, s + 1, h), "season + 1 steps before"),
    (lambda x, s, h: x[:, x.shape[1] - s + 1 + np.arange(h) if h < s else np.arange(h), 0], "season − 1 steps"),
    (lambda x, s, h: x[:, x.shape[1] - 12 + np.arange(h), 0], "fixed at 12"),
    (lambda x, s, h: x[:, :h, 0], "the window's first values"),
    (lambda x, s, h: naive(x, h), "this is the naive forecast"),
    (lambda x, s, h: x[:, -h:, 0], "the window's last `horizon` values"),
    (lambda x, s, h: seasonal(x, s, h)[:, ::-1], "reverse order"),
    (lambda x, s, h: seasonal(x, s, h)[..., None], "keep the feature axis"),
    (lambda x, s, h: seasonal(x, s, h).T, "(horizon, n)"),
]


@pytest.mark.parametrize("answer, message", SEASONAL)
def test_seasonal_mistakes_are_named(answer, message):
    expect(checks.check_seasonal, answer, message)


MAE = [
    (lambda y, p: np.mean((y - p) ** 2), "mean squared error"),
    (lambda y, p: np.sqrt(np.mean((y - p) ** 2)), "root mean squared error"),
    (lambda y, p: np.mean(y - p), "not made absolute"),
    (lambda y, p: abs(np.mean(y - p)), "or the absolute value is taken after it"),
    (lambda y, p: np.abs(y - p).sum(), "the sum of the absolute errors"),
    (lambda y, p: np.median(np.abs(y - p)), "median"),
    (lambda y, p: np.abs(y - p).max(), "largest"),
    (lambda y, p: np.abs(y - p).mean(0), "one MAE per step of the horizon"),
    (lambda y, p: np.abs(y - p).mean(1), "one MAE per window"),
]


@pytest.mark.parametrize("answer, message", MAE)
def test_mae_mistakes_are_named(answer, message):
    expect(checks.check_mae, answer, message)


def test_baselines_mistakes_are_named():
    n, s = baselines(3)
    d = checks.lab_data(3)
    x_tr, y_tr, _, _ = make_windows(d.series, d.split, d.window, d.horizon)
    _, _, x_late, y_late = make_windows(d.series, d.split, d.window, d.horizon, first_test=d.split)
    _, _, x, y = make_windows(d.series, d.split, d.window, d.horizon)
    std = d.series[:d.split].std()
    end = np.tile(x[:, d.window - d.season], (1, d.horizon))
    for args, message in [((s, n), "swapped"),
                          ((mae(y_tr, naive(x_tr, d.horizon)), mae(y_tr, seasonal(x_tr, 12, d.horizon))),
                           "measured on the training windows"),
                          ((n / std, s / std), "in standardised units"),
                          ((mae(y_late, naive(x_late, d.horizon)), mae(y_late, seasonal(x_late, 12, d.horizon))),
                           "start at the split"),
                          ((n, mae(y, end)), "one season before the window's end"),
                          ((n, mae(y, seasonal(x, 13, d.horizon))), "13 months back"),
                          ((n, s + 0.1), "seasonal_mae is not your variant's value"),
                          (("a", s), "naive_mae must be a number")]:
        with pytest.raises(AssertionError, match=message):
            checks.check_baselines(*args, variant=3)
    with pytest.raises(NotImplementedError):
        checks.check_baselines(None, None, variant=3)


def test_answer_key_is_refused_and_odd_answers():
    expect(checks.check_seasonal, lambda x, s, h: checks._seasonal(x, s, h), "lstmcourse.lab09_checks._seasonal")
    expect(checks.check_make_windows, lambda *a: checks._windows(*a), "part of the course's answer key")
    expect(checks.check_mae, None, "expected a function")
    expect(checks.check_mae, lambda y, p: 1 / 0, "your function raised ZeroDivisionError")

    def stub(*args):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        checks.check_make_windows(stub, variant=0)


# -- variants --------------------------------------------------------------------------------------
def copied(task, u):
    """An answer hard-coded from variant u's visible case, returned as it is."""
    value = {"windows": lambda: checks._windows(*checks._windows_case(u, False)),
             "standardise": lambda: checks._standardise(*checks._standardise_case(u, False)),
             "naive": lambda: (lambda c: checks._naive(c[0], c[2]))(checks._forecast_case(u, False, "naive")),
             "seasonal": lambda: checks._seasonal(*checks._forecast_case(u, False, "seasonal")),
             "mae": lambda: checks._mae(*checks._mae_case(u, False))}[task]()
    return lambda *args: value


def test_one_hundred_variants_both_directions():
    """The solution passes all 100; an answer copied from the next variant fails on each, named as copied."""
    tasks = {"windows": (checks.check_make_windows, make_windows), "standardise": (checks.check_standardise, standardise),
             "naive": (checks.check_naive, naive), "seasonal": (checks.check_seasonal, seasonal),
             "mae": (checks.check_mae, mae)}
    stretches, numbers = set(), set()
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
        s = checks._sizes(v)
        stretches.add((s["start"], s["length"], s["window"], s["horizon"]))
        numbers.add(tuple(np.round(baselines(v), 6)))
    assert len(stretches) == 100 and len(numbers) == 100, "every variant has its own stretch and numbers"


# -- attacks on the hidden grade -------------------------------------------------------------------
def test_hidden_grade_ignores_rebound_checks_and_data(monkeypatch):
    """Rebinding the checks, their references, the data helpers or the variant in a solution cell earns nothing."""
    leaky = last(0)
    copied5 = baselines(5)
    monkeypatch.setattr(checks, "check_make_windows", lambda *a, **k: None)
    monkeypatch.setattr(checks, "_windows", lambda series, split, w, h, **k: leaky(series, split, w, h))
    from lstmcourse.grading import lab09_checks as real
    monkeypatch.setattr(real, "_windows", lambda series, split, w, h, **k: leaky(series, split, w, h))
    monkeypatch.setattr(real, "_baselines", lambda v: (1.0, 2.0))
    monkeypatch.setattr(real, "_co2", lambda: (np.arange(526).astype("datetime64[M]"), np.ones(526)))
    monkeypatch.setattr(variants, "current", lambda: 5)
    monkeypatch.setenv("LSTMCOURSE_VARIANT", "0")
    fresh = importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09")
    assert fresh.variants is not variants and fresh.variants.current() == 0
    with pytest.raises(AssertionError, match="leakage"):
        fresh.check_make_windows(leaky, hidden=True)
    with pytest.raises(AssertionError, match="not your variant's value|not yours"):
        fresh.check_baselines(1.0, 2.0)
    with pytest.raises(AssertionError, match="variant 5's, not yours"):
        fresh.check_baselines(*copied5)


def test_hidden_grade_ignores_modules_replaced_in_sys_modules(monkeypatch):
    import sys
    import types
    fake = types.ModuleType("lstmcourse.grading.lab09_checks")
    fake.check_standardise = lambda *a, **k: None
    for name in ("lstmcourse.lab09_checks", "lstmcourse.grading.lab09_checks"):
        monkeypatch.setitem(sys.modules, name, fake)
    fresh = importlib.reload(importlib.import_module("lstmcourse._grading")).fresh("lab09")
    with pytest.raises(AssertionError, match="fitted on the whole series"):
        fresh.check_standardise(whole, hidden=True, variant=0)


def test_fresh_refuses_patched_numpy(monkeypatch):
    monkeypatch.setattr(np, "abs", lambda a, *args, **kwargs: np.zeros(np.shape(a)))
    with pytest.raises(RuntimeError, match="integrity check failed"):
        _grading.fresh("lab09")


def test_checks_are_fast():
    import time
    start = time.perf_counter()
    checks.check_make_windows(make_windows, hidden=True, variant=11)
    checks.check_baselines(*baselines(11), variant=11)
    with pytest.raises(AssertionError, match="not yours"):
        checks.check_baselines(*baselines(12), variant=11)     # the copied-number search over 1000 variants
    assert time.perf_counter() - start < 3.0
