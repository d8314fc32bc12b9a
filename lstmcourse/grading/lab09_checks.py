"""Checks for lab 09, forecasting without leakage: windows made after the split, a scaler
fitted on the training part only, the naive and seasonal-naive baselines and their test MAE.

Everything a check uses is computed here, in NumPy, from the student's variant
(:mod:`lstmcourse.grading.variants`): the variant's stretch of the Mauna Loa CO2 series
(lesson 08's data, read here from the file ``statsmodels`` ships, without pandas), its split,
window and horizon, and the visible and hidden cases of every task. A wrong answer is compared
with a catalogue of the usual mistakes (leakage first), then located (which window, which
index), then compared with the answers of the other variants, so a number or an array copied
from another student's notebook is named as such.

The hidden tests grade with ``lstmcourse._grading.fresh("lab09")``: the whole grading package
(this module, :mod:`~lstmcourse.grading.variant_harness`, :mod:`~lstmcourse.grading.variants`)
executed again from disk in the sandbox, integrity-checked and self-tested before use.

    >>> from lstmcourse import lab09_checks
    >>> data = lab09_checks.lab_data(0)
    >>> data.series.ndim, 0 < data.split < len(data.series), data.season
    (1, True, 12)
"""
import importlib.machinery
import os
import types

import numpy as np

from lstmcourse.grading import variant_harness as _harness
from lstmcourse.grading import variants
from lstmcourse.grading.variant_harness import _as_array, _close, _diagnose, _memo as _shared_memo, _ok, _variant
from lstmcourse.i18n import N_, gettext

LAB = "lab09"
SEASON = 12
#: The files an answer may not call: these checks and their shared harness (the course's
#: ``datasets.windows`` is allowed: it slides, the split is the task).
_ANSWER_KEY = {os.path.normcase(os.path.abspath(__file__)): "lstmcourse.lab09_checks",
               _harness._SELF: "lstmcourse.lab09_checks"}


# -- the data: Mauna Loa CO2, monthly, in NumPy ---------------------------------------------------
def _co2_file():
    """statsmodels' co2.csv, found on sys.path (not through a module object a notebook can edit)."""
    spec = importlib.machinery.PathFinder.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(gettext("lab 09 reads the Mauna Loa CO2 data shipped with statsmodels: "
                                          "pip install \"lstmcourse[data]\""))
    return os.path.join(list(spec.submodule_search_locations)[0], "datasets", "co2", "co2.csv")


def _read_co2():
    """(months, ppm): the weekly series, gaps filled linearly in time, averaged per calendar month
    (the values of ``lstmcourse.datasets.co2()``: 526 months, 1958-03 to 2001-12)."""
    days, values = [], []
    with open(_co2_file(), encoding="utf-8") as f:
        next(f)
        for line in f:
            date, _, value = line.strip().partition(",")
            days.append(f"{date[:4]}-{date[4:6]}-{date[6:8]}")
            values.append(float(value) if value else np.nan)
    days = np.array(days, dtype="datetime64[D]")
    values = np.array(values)
    known = ~np.isnan(values)
    t = days.astype("int64")
    values = np.interp(t, t[known], values[known])
    months = days.astype("datetime64[M]")
    unique, index = np.unique(months, return_inverse=True)
    means = np.bincount(index, weights=values) / np.bincount(index)
    return unique, means


_SERIES = {}


def _co2():
    if "co2" not in _SERIES:
        _SERIES["co2"] = _read_co2()
    return _SERIES["co2"]


def _sizes(variant):
    """The variant's stretch of the series, split, window and horizon."""
    r = variants.rng(variant, LAB, "sizes")
    length = int(r.integers(180, 301))                       # 15 to 25 years of months
    start = int(r.integers(0, 526 - length + 1))
    split = int(round(length * r.uniform(0.7, 0.8)))
    return dict(start=start, length=length, split=split, window=int(r.integers(13, 37)),
                horizon=int(r.integers(2, 7)), season=SEASON)


def _data(variant):
    s = _sizes(variant)
    months, ppm = _co2()
    stop = s["start"] + s["length"]
    return dict(series=ppm[s["start"]:stop].copy(), months=months[s["start"]:stop].copy(), split=s["split"],
                window=s["window"], horizon=s["horizon"], season=s["season"])


def lab_data(variant):
    """The lab's data for ``variant``, as a namespace of copies: ``series`` (the variant's stretch of
    the monthly Mauna Loa CO2 series, ppm, float64), ``months`` (datetime64[M], one per value),
    ``split`` (the index of the first test month), ``window``, ``horizon`` and ``season`` (12)."""
    d = _data(variants.check_variant(variant))
    return types.SimpleNamespace(variant=variants.check_variant(variant), **d)


def _memo(task, fn):
    return _shared_memo(f"{LAB}:{task}", fn)


def _call(name, fn, *args, arg_names=()):
    return _harness._call(name, fn, *args, answer_key=_ANSWER_KEY, arg_names=arg_names)


# -- references -------------------------------------------------------------------------------------
def _take(series, starts, window, horizon, shift=0):
    starts = np.asarray(starts, dtype="int64")
    x = series[starts[:, None] + np.arange(window)][..., None]
    y = series[starts[:, None] + window + shift + np.arange(horizon)]
    return x, y


def _windows(series, split, window, horizon, train_stop=0, test_first=0, test_stop=0, shift=0, stride=1):
    """(x_train, y_train, x_test, y_test); the keyword arguments make the usual mistakes (offsets of
    the last training start, the first and last test starts, of the targets; the test windows' stride)."""
    n = len(series)
    train = np.arange(0, split - window - horizon + 1 + train_stop)
    test = np.arange(split - window + test_first, n - window - horizon + 1 + test_stop - max(shift, 0), stride)
    return (*_take(series, train, window, horizon, shift), *_take(series, test, window, horizon, shift))


def _standardise(train, test, ddof=0):
    mean, std = train.mean(), train.std(ddof=ddof)
    return (train - mean) / std, (test - mean) / std


def _naive(x, horizon):
    return np.repeat(x[:, -1, 0][:, None], horizon, axis=1)


def _seasonal(x, season, horizon, back=None):
    """The value one season before each target: target k (0 … horizon − 1) is x[:, window − season + k]."""
    window = x.shape[1]
    back = season if back is None else back
    return x[:, window - back + np.arange(horizon), 0]


def _mae(y, yhat):
    return float(np.mean(np.abs(np.asarray(y, dtype="float64") - np.asarray(yhat, dtype="float64"))))


def _baselines(variant):
    d = _data(variant)
    _, _, x, y = _windows(d["series"], d["split"], d["window"], d["horizon"])
    return _mae(y, _naive(x, d["horizon"])), _mae(y, _seasonal(x, d["season"], d["horizon"]))


# -- Task 1: windows after the split --------------------------------------------------------------------
_PARTS = ("x_train", "y_train", "x_test", "y_test")


def _windows_case(variant, hidden):
    """A short series of distinct values (each value tells its index), its split, window, horizon."""
    r = variants.rng(variant, LAB, "windows-hidden" if hidden else "windows")
    n = int(r.integers(40, 61))
    window, horizon = int(r.integers(4, 9)), int(r.integers(2, 4))
    split = int(r.integers(n // 2, n - horizon - 6))
    series = np.round(r.permutation(n) + r.uniform(0.05, 0.95, n), 3)
    return series, split, window, horizon


def _flat(parts):
    return np.concatenate([np.ravel(np.asarray(p, dtype="float64")) for p in parts])


def _same(got, expected):
    return len(got) == len(expected) and all(_close(g, e, 1e-9) for g, e in zip(got, expected))


def _windows_mistakes(series, split, W, H):
    ref = lambda **k: _windows(series, split, W, H, **k)  # noqa: E731
    right = ref()
    n = len(series)
    return [
        (N_("the training windows are cut where their inputs end, at the split, so their targets run past it: that "
            "is leakage. A training window's last target must come before `split`: the last one starts at "
            "split − window − horizon."), lambda: ref(train_stop=H)),
        (N_("only the first target of each training window is kept before the split; the other targets of the last "
            "windows run past it (leakage). Every target must come before `split`: the last training window starts "
            "at split − window − horizon."), lambda: ref(train_stop=H - 1)),
        (N_("the windows are split by their start index: the training windows' targets run past the split (leakage) "
            "and the test windows lose the first `window` targets after it. Split by the targets: training targets "
            "before `split`, test targets at or after it."),
         lambda: (*_take(series, np.arange(0, min(split, n - W - H + 1)), W, H),
                  *_take(series, np.arange(split, n - W - H + 1), W, H))),
        (N_("the test windows start at the split, so the first `window` targets after it are never forecast. A test "
            "window's inputs may reach back into the training part: the first one starts at split − window."),
         lambda: ref(test_first=W)),
        (N_("the first test window is missing (off by one): its first target is series[split]; the first test "
            "window starts at split − window."), lambda: ref(test_first=1)),
        (N_("one test window too many at the start (off by one): its first target is series[split − 1], before the "
            "split. The first test window starts at split − window."), lambda: ref(test_first=-1)),
        (N_("the last training window is missing (off by one): the window whose last target is series[split − 1] "
            "belongs to training; starts run over range(split − window − horizon + 1)."), lambda: ref(train_stop=-1)),
        (N_("the last test window is missing (off by one): the last window ends at the series' last value; starts "
            "run up to len(series) − window − horizon, included."), lambda: ref(test_stop=-1)),
        (N_("the targets start at the window's last input (off by one): the window at i has inputs "
            "series[i : i + window] and targets series[i + window : i + window + horizon]."), lambda: ref(shift=-1)),
        (N_("the targets skip a value (off by one): the first target is series[i + window], right after the last "
            "input series[i + window − 1]."), lambda: ref(shift=1)),
        (N_("the targets have one value each: every window has `horizon` targets, y of shape (n, horizon)."),
         lambda: _windows(series, split, W, 1)),
        (N_("the test windows do not overlap (a stride of `horizon`); slide them one step at a time, like the "
            "training windows."), lambda: ref(stride=H)),
        (N_("the test windows do not overlap (a stride of `window`); slide them one step at a time, like the "
            "training windows."), lambda: ref(stride=W)),
        (N_("the arrays are returned in scikit-learn's order (x_train, x_test, y_train, y_test); return "
            "(x_train, y_train, x_test, y_test)."), lambda: (right[0], right[2], right[1], right[3])),
        (N_("the inputs have no feature axis: x_train and x_test are (n, window, 1), one feature per step, as "
            "Keras's recurrent layers take them (x[..., None])."),
         lambda: (right[0][..., 0], right[1], right[2][..., 0], right[3])),
        (N_("the targets have a feature axis: y_train and y_test are (n, horizon), one row of `horizon` values per "
            "window."), lambda: (right[0], right[1][..., None], right[2], right[3][..., None])),
        (N_("the inputs are (n, 1, window): time and features are swapped; x is (n, window, 1)."),
         lambda: (right[0].transpose(0, 2, 1), right[1], right[2].transpose(0, 2, 1), right[3])),
        (N_("the inputs are (window, n, 1): the windows are along axis 1; x is (n, window, 1), one window per row."),
         lambda: (right[0].transpose(1, 0, 2), right[1], right[2].transpose(1, 0, 2), right[3])),
        (N_("the training and the test windows are swapped."), lambda: (right[2], right[3], right[0], right[1])),
    ]


def _index_of(series):
    """value -> index of a series of distinct values."""
    return {round(float(v), 6): i for i, v in enumerate(series)}


def _indices(index, arr):
    """The series index of every entry of ``arr``, or None if one is not a value of the series."""
    flat = [index.get(round(float(v), 6)) for v in np.ravel(arr)]
    return None if any(i is None for i in flat) else np.array(flat).reshape(np.shape(arr))


def _locate_windows(got, expected, series, split, W, H):
    """Which part is wrong and where: leakage, lost targets, a wrong count, a wrong shape, or None."""
    index = _index_of(series)
    for part, g, e in zip(_PARTS, got, expected):
        if np.shape(g) != np.shape(e) and not (np.ndim(g) == np.ndim(e) and np.shape(g)[1:] == np.shape(e)[1:]):
            return gettext("{part} has shape {got}; expected {expected} ({layout}).").format(
                part=part, got=np.shape(g), expected=np.shape(e),
                layout="n, window, 1" if part.startswith("x") else "n, horizon")
    idx = {part: _indices(index, g) for part, g in zip(_PARTS, got)}
    if idx["y_train"] is not None and idx["y_train"].size and idx["y_train"].max() >= split:
        row = int(np.argwhere(idx["y_train"] >= split)[0][0])
        return gettext("training window {row} (counting from 0) has a target at index {index}, at or after the split "
                       "({split}): leakage. Every training target must come before the split.").format(
                           row=row, index=int(idx["y_train"][row].max()), split=split)
    if idx["y_test"] is not None and idx["y_test"].size:
        first = int(idx["y_test"].min())
        if first < split:
            return gettext("a test window has a target at index {index}, before the split ({split}): every test "
                           "target must be at or after the split.").format(index=first, split=split)
        if first > split:
            return gettext("the test targets start at index {index}, not at the split ({split}): the targets in "
                           "between are never forecast. Start the test windows at split − window.").format(
                               index=first, split=split)
    for part, g, e in zip(_PARTS, got, expected):
        if np.shape(g) != np.shape(e):
            return gettext("{part} has {got} windows; expected {expected}.").format(
                part=part, got=np.shape(g)[0], expected=np.shape(e)[0])
    for part, g, e in zip(_PARTS, got, expected):
        if not _close(g, e, 1e-9):
            wrong = np.argwhere(~np.isclose(np.asarray(g, dtype="float64"), e))
            return gettext("{part} differs from the expected windows first at row {row} (counting from 0): the "
                           "window at i has inputs series[i : i + window] and targets series[i + window : "
                           "i + window + horizon].").format(part=part, row=int(wrong[0][0]))
    return None


def check_make_windows(fn, hidden=False, variant=None):
    """Task 1: ``fn(series, split, window, horizon)`` -> (x_train, y_train, x_test, y_test): every
    training target before ``split``, every test target at or after it; x (n, window, 1), y (n, horizon)."""
    name = "make_windows"
    variant = _variant(variant)
    series, split, W, H = _windows_case(variant, hidden)
    given = series.copy()
    out = _call(name, fn, given, split, W, H, arg_names=("series", "split", "window", "horizon"))
    if not np.array_equal(given, series):
        raise AssertionError(gettext("{name}: your function changed `series` in place; leave it as it is.").format(
            name=name))
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        raise AssertionError(gettext("{name}: return four arrays, (x_train, y_train, x_test, y_test); got "
                                     "{what}.").format(name=name, what=f"{len(out)} values" if isinstance(
                                         out, (tuple, list)) else type(out).__name__))
    got = [_as_array(name, part) for part in out]
    expected = _windows(series, split, W, H)
    if _same(got, expected):
        _ok(name, gettext("{train} training and {test} test windows of {window} inputs and {horizon} targets; split "
                          "at {split} of {n} values").format(train=len(expected[0]), test=len(expected[2]), window=W,
                                                             horizon=H, split=split, n=len(series)))
        return
    for message, wrong in _windows_mistakes(series, split, W, H):
        try:
            candidate = wrong()
        except Exception:  # noqa: BLE001 - a mistake that cannot be made on this case
            continue
        if _same(got, [np.asarray(c, dtype="float64") for c in candidate]):
            raise AssertionError(_harness._named(name, message))
    where = _locate_windows(got, expected, series, split, W, H)
    named = _diagnose(name, _flat(got), [], _memo("windows", lambda v: _flat(_windows(*_windows_case(v, False)))),
                      variant)
    if named:
        raise AssertionError(named)
    if where:
        raise AssertionError(gettext("{name}: {message}").format(name=name, message=where))
    raise AssertionError(gettext("{name}: the windows are wrong, and this matches none of the usual mistakes: "
                                 "training targets before the split, test targets from the split on.").format(name=name))


# -- Task 2: the scaler, fitted on the training part ----------------------------------------------------
def _standardise_case(variant, hidden):
    r = variants.rng(variant, LAB, "standardise-hidden" if hidden else "standardise")
    n_train, n_test = int(r.integers(30, 60)), int(r.integers(10, 25))
    train = r.normal(r.uniform(300, 340), r.uniform(2, 6), n_train)
    test = r.normal(train.mean() + r.uniform(8, 15), r.uniform(1, 3), n_test)    # the series has moved on
    return np.round(train, 2), np.round(test, 2)


def _standardise_mistakes(train, test):
    whole = np.concatenate([train, test])
    m, s = train.mean(), train.std()
    return [
        (N_("the scaler is fitted on the whole series (training and test parts together): the test values leak into "
            "the mean and the spread. Fit the mean and the standard deviation on `train` only."),
         lambda: ((train - whole.mean()) / whole.std(), (test - whole.mean()) / whole.std())),
        (N_("the scaler is fitted on the whole series with ddof=1: the test values leak into the mean and the "
            "spread. Fit on `train` only."),
         lambda: ((train - whole.mean()) / whole.std(ddof=1), (test - whole.mean()) / whole.std(ddof=1))),
        (N_("the test part is scaled with its own mean and standard deviation: that uses the test values (leakage) "
            "and hides how far the series has moved. Scale both parts with the training statistics."),
         lambda: ((train - m) / s, (test - test.mean()) / test.std())),
        (N_("each part is scaled with its own statistics; scale both with the training mean and standard deviation."),
         lambda: ((train - m) / s, (test - test.mean()) / test.std(ddof=1))),
        (N_("the test part is not scaled: transform it with the training mean and standard deviation too."),
         lambda: ((train - m) / s, test)),
        (N_("the values are divided by the variance; divide by the standard deviation (its square root)."),
         lambda: ((train - m) / s ** 2, (test - m) / s ** 2)),
        (N_("the values are only centred: divide by the training standard deviation too."),
         lambda: (train - m, test - m)),
        (N_("the values are only divided by the standard deviation: subtract the training mean first."),
         lambda: (train / s, test / s)),
        (N_("this is min-max scaling to [0, 1]; standardise: subtract the training mean, divide by the training "
            "standard deviation."),
         lambda: ((train - train.min()) / np.ptp(train), (test - train.min()) / np.ptp(train))),
        (N_("the mean and the standard deviation are swapped: (x − mean) / std."),
         lambda: ((train - s) / m, (test - s) / m)),
    ]


def check_standardise(fn, hidden=False, variant=None):
    """Task 2: ``fn(train, test)`` -> (train, test) standardised with the mean and the standard
    deviation of ``train`` only (ddof 0 or 1 both accepted)."""
    name = "standardise"
    variant = _variant(variant)
    train, test = _standardise_case(variant, hidden)
    a, b = train.copy(), test.copy()
    out = _call(name, fn, a, b, arg_names=("train", "test"))
    if not (np.array_equal(a, train) and np.array_equal(b, test)):
        raise AssertionError(gettext("{name}: your function changed its input in place (train -= mean?); compute "
                                     "new arrays.").format(name=name))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AssertionError(gettext("{name}: return two arrays, (train, test), both scaled; got {what}.").format(
            name=name, what=f"{len(out)} values" if isinstance(out, (tuple, list)) else type(out).__name__))
    got = [_as_array(name, part) for part in out]
    for ddof in (0, 1):
        if _same(got, _standardise(train, test, ddof)):
            _ok(name, gettext("{n} training and {m} test values, scaled with the training mean and standard "
                              "deviation").format(n=len(train), m=len(test)))
            return
    if any(_same(got[::-1], _standardise(train, test, ddof)) for ddof in (0, 1)):
        raise AssertionError(_harness._named(name, N_("the two parts are returned in the wrong order: return (train, "
                                                      "test), scaled.")))
    for message, wrong in _standardise_mistakes(train, test):
        if _same(got, wrong()):
            raise AssertionError(_harness._named(name, message))
    expected = _standardise(train, test)
    named = _diagnose(name, _flat(got), [], _memo("standardise", lambda v: _flat(_standardise(
        *_standardise_case(v, False)))), variant)
    if named:
        raise AssertionError(named)
    if [np.shape(g) for g in got] != [np.shape(e) for e in expected]:
        raise AssertionError(gettext("{name}: expected shapes {expected}, got {got}.").format(
            name=name, expected=[np.shape(e) for e in expected], got=[np.shape(g) for g in got]))
    part = "train" if not _close(got[0], expected[0]) else "test"
    raise AssertionError(gettext("{name}: the scaled {part} part is wrong, and this matches none of the usual "
                                 "mistakes: (x − train.mean()) / train.std() for both parts.").format(name=name,
                                                                                                       part=part))


# -- Task 3: the naive forecast -----------------------------------------------------------------------
def _forecast_case(variant, hidden, what):
    """x (n, window, 1) of distinct values, a season and a horizon (2 ≤ horizon ≤ season − 2, season + 4 ≤ window, 13 ≤ window)."""
    r = variants.rng(variant, LAB, f"{what}-hidden" if hidden else what)
    season = int(r.choice([5, 7, 9])) if hidden else int(r.choice([4, 6, 8]))
    window, horizon, n = int(r.integers(13, 17)), int(r.integers(2, season - 1)), int(r.integers(4, 8))
    x = (r.permutation(n * window) + r.uniform(0.05, 0.95, n * window)).reshape(n, window, 1)
    return np.round(x, 3), season, horizon


def _naive_mistakes(x, H):
    return [
        (N_("this is the window's first value; the naive forecast repeats its last value, x[:, -1]."),
         lambda: np.repeat(x[:, 0, 0][:, None], H, axis=1)),
        (N_("this is the window's mean; the naive forecast repeats its last value, x[:, -1]."),
         lambda: np.repeat(x[:, :, 0].mean(axis=1)[:, None], H, axis=1)),
        (N_("this is the value before the last (off by one); the naive forecast repeats the last value, x[:, -1]."),
         lambda: np.repeat(x[:, -2, 0][:, None], H, axis=1)),
        (N_("these are the window's last `horizon` values; the naive forecast repeats the very last one over the "
            "horizon."), lambda: x[:, -H:, 0]),
        (N_("every window gets the last window's values; each window repeats its own last value, x[:, -1]."),
         lambda: np.repeat(x[-1:, -H:, 0], len(x), axis=0)),
        (N_("the last value is not repeated: return one row of `horizon` forecasts per window, shape (n, horizon)."),
         lambda: x[:, -1, 0]),
        (N_("the last value is not repeated: return one row of `horizon` forecasts per window, shape (n, horizon)."),
         lambda: x[:, -1, :]),
        (N_("the forecasts keep the feature axis, (n, horizon, 1); return (n, horizon)."),
         lambda: np.repeat(x[:, -1:, :], H, axis=1)),
    ]


def check_naive(fn, hidden=False, variant=None):
    """Task 3: ``fn(x, horizon)`` -> (n, horizon): each window's last value, repeated."""
    name = "naive_forecast"
    variant = _variant(variant)
    x, _, H = _forecast_case(variant, hidden, "naive")
    given = x.copy()
    got = _as_array(name, _call(name, fn, given, H, arg_names=("x", "horizon")))
    if not np.array_equal(given, x):
        raise AssertionError(gettext("{name}: your function changed `x` in place; leave it as it is.").format(name=name))
    expected = _naive(x, H)
    if _close(got, expected, 1e-9):
        _ok(name, gettext("{n} windows, horizon {horizon}").format(n=len(x), horizon=H))
        return
    _harness._fail(name, got, expected, _naive_mistakes(x, H),
                   _memo("naive", lambda v: (lambda c: _naive(c[0], c[2]))(_forecast_case(v, False, "naive"))),
                   variant, N_("forecasts"))


# -- Task 4: the seasonal-naive forecast -------------------------------------------------------------------
def _seasonal_mistakes(x, season, H):
    W = x.shape[1]
    return [
        (N_("every target gets the value one season before the window's end, x[:, window − season]: take the value "
            "one season before each target. Target k (counting from 0) is x[:, window − season + k]."),
         lambda: np.repeat(x[:, W - season, 0][:, None], H, axis=1)),
        (N_("the season is off by one: these values are season + 1 steps before each target. Target k (counting "
            "from 0) is x[:, window − season + k]."), lambda: _seasonal(x, season, H, back=season + 1)),
        (N_("the season is off by one: these values are season − 1 steps before each target. Target k (counting "
            "from 0) is x[:, window − season + k]."), lambda: _seasonal(x, season, H, back=season - 1)),
        (N_("the season is fixed at 12 months; use the `season` argument (this case's season is another)."),
         lambda: x[:, (W - 12 + np.arange(H)) % W, 0] if season != 12 else None),
        (N_("these are the window's first values: count back one season from each target, not forward from the "
            "window's start. Target k (counting from 0) is x[:, window − season + k]."), lambda: x[:, :H, 0]),
        (N_("this is the naive forecast (the last value repeated): the seasonal-naive forecast takes the value one "
            "season before each target."), lambda: _naive(x, H)),
        (N_("these are the window's last `horizon` values: the seasonal-naive forecast goes back one season from "
            "each target, x[:, window − season + k]."), lambda: x[:, -H:, 0]),
        (N_("the forecasts are in reverse order: target k (counting from 0) is x[:, window − season + k]."),
         lambda: _seasonal(x, season, H)[:, ::-1]),
        (N_("the forecasts keep the feature axis, (n, horizon, 1); return (n, horizon)."),
         lambda: _seasonal(x, season, H)[..., None]),
        (N_("the forecasts are (horizon, n); return one row per window, (n, horizon)."),
         lambda: _seasonal(x, season, H).T),
    ]


def check_seasonal(fn, hidden=False, variant=None):
    """Task 4: ``fn(x, season, horizon)`` -> (n, horizon): the value one season before each target,
    x[:, window − season + k] for target k (horizon ≤ season)."""
    name = "seasonal_naive"
    variant = _variant(variant)
    x, season, H = _forecast_case(variant, hidden, "seasonal")
    given = x.copy()
    got = _as_array(name, _call(name, fn, given, season, H, arg_names=("x", "season", "horizon")))
    if not np.array_equal(given, x):
        raise AssertionError(gettext("{name}: your function changed `x` in place; leave it as it is.").format(name=name))
    expected = _seasonal(x, season, H)
    if _close(got, expected, 1e-9):
        _ok(name, gettext("{n} windows of {window} steps, season {season}, horizon {horizon}").format(
            n=len(x), window=x.shape[1], season=season, horizon=H))
        return
    _harness._fail(name, got, expected, _seasonal_mistakes(x, season, H),
                   _memo("seasonal", lambda v: _seasonal(*_forecast_case(v, False, "seasonal"))), variant,
                   N_("forecasts"))


# -- Task 5: the mean absolute error ----------------------------------------------------------------------
def _mae_case(variant, hidden):
    r = variants.rng(variant, LAB, "mae-hidden" if hidden else "mae")
    n, H = int(r.integers(5, 12)), int(r.integers(2, 6))
    y = r.normal(0, 1, (n, H))
    yhat = y + r.normal(0.3, 1.0, (n, H))          # errors of both signs, a bias: every mistake differs
    return np.round(y, 3), np.round(yhat, 3)


def _mae_mistakes(y, yhat):
    e = yhat - y
    return [
        (N_("this is the mean squared error; the MAE is the mean of |y − yhat|."), lambda: np.mean(e ** 2)),
        (N_("this is the root mean squared error; the MAE is the mean of |y − yhat|."),
         lambda: np.sqrt(np.mean(e ** 2))),
        (N_("the errors are not made absolute before the mean (or the absolute value is taken after it): positive "
            "and negative errors cancel. Take the mean of |y − yhat|."), lambda: np.mean(y - yhat)),
        (N_("the errors are not made absolute before the mean (or the absolute value is taken after it): positive "
            "and negative errors cancel. Take the mean of |y − yhat|."), lambda: np.mean(e)),
        (N_("this is the sum of the absolute errors; the MAE is their mean."), lambda: np.sum(np.abs(e))),
        (N_("this is the median absolute error; the MAE is the mean."), lambda: np.median(np.abs(e))),
        (N_("this is the largest absolute error; the MAE is the mean."), lambda: np.max(np.abs(e))),
        (N_("this is one MAE per step of the horizon (axis 0); return one number, the mean over every window and "
            "every step."), lambda: np.mean(np.abs(e), axis=0)),
        (N_("this is one MAE per window (axis 1); return one number, the mean over every window and every step."),
         lambda: np.mean(np.abs(e), axis=1)),
    ]


def check_mae(fn, hidden=False, variant=None):
    """Task 5: ``fn(y, yhat)`` -> one number, the mean of |y − yhat| over every entry."""
    name = "mae"
    variant = _variant(variant)
    y, yhat = _mae_case(variant, hidden)
    got = _as_array(name, _call(name, fn, y.copy(), yhat.copy(), arg_names=("y", "yhat")))
    expected = np.asarray(_mae(y, yhat))
    if got.shape == () and _close(got, expected, 1e-9):
        _ok(name, gettext("{n} windows × {horizon} steps").format(n=y.shape[0], horizon=y.shape[1]))
        return
    _harness._fail(name, got, expected, _mae_mistakes(y, yhat),
                   _memo("mae", lambda v: _mae(*_mae_case(v, False))), variant, N_("one number"))


# -- Task 6: the two baselines of your variant, as numbers ----------------------------------------------------
def check_baselines(naive_mae, seasonal_mae, variant=None):
    """Task 6: the test MAE (ppm) of the naive and the seasonal-naive forecasts on your variant."""
    name = "naive_mae, seasonal_mae"
    if naive_mae is None or seasonal_mae is None:
        raise NotImplementedError(gettext("{name}: Task 6 is not done yet (still None).").format(name=name))
    variant = _variant(variant)
    got = _harness._as_numbers(name, (("naive_mae", naive_mae), ("seasonal_mae", seasonal_mae)))
    naive, seasonal = _baselines(variant)
    if _close(got, [naive, seasonal], 1e-6):
        _ok(name, gettext("naive {naive:.3f} ppm, seasonal naive {seasonal:.3f} ppm on the test windows").format(
            naive=naive, seasonal=seasonal))
        return
    d = _data(variant)
    series, split, W, H, season = d["series"], d["split"], d["window"], d["horizon"], d["season"]
    x_tr, y_tr, x_te, y_te = _windows(series, split, W, H)

    def both(x, y, back=season):
        return [_mae(y, _naive(x, H)), _mae(y, _seasonal(x, season, H, back=back))]

    train = series[:split]
    mistakes = [
        (N_("the two numbers are swapped."), lambda: [seasonal, naive]),
        (N_("these are measured on the training windows; measure on the test windows."), lambda: both(x_tr, y_tr)),
        (N_("these are in standardised units: measure in ppm, on the raw windows (or multiply by the training "
            "standard deviation)."), lambda: [naive / train.std(), seasonal / train.std()]),
        (N_("these are in standardised units: measure in ppm, on the raw windows (or multiply by the training "
            "standard deviation)."), lambda: [naive / train.std(ddof=1), seasonal / train.std(ddof=1)]),
        (N_("these are measured on test windows that start at the split, which lose the first `window` test "
            "targets: start them at split − window."), lambda: both(*_windows(series, split, W, H, test_first=W)[2:])),
        (N_("the seasonal-naive forecast takes the value one season before the window's end for every target: take "
            "the value one season before each target."),
         lambda: [naive, _mae(y_te, np.repeat(x_te[:, W - season, 0][:, None], H, axis=1))]),
        (N_("the season is off by one (13 months back): one season before a monthly target is 12 months back."),
         lambda: both(x_te, y_te, back=season + 1)),
        (N_("the season is off by one (11 months back): one season before a monthly target is 12 months back."),
         lambda: both(x_te, y_te, back=season - 1)),
        (N_("these are mean squared errors; the task asks for the MAE."),
         lambda: [float(np.mean((y_te - _naive(x_te, H)) ** 2)),
                  float(np.mean((y_te - _seasonal(x_te, season, H)) ** 2))]),
    ]
    named = _diagnose(name, np.array(got), mistakes, _memo("baselines", _baselines), variant, tol=1e-6)
    if named:
        raise AssertionError(named)
    wrong = [label for label, g, e in (("naive_mae", got[0], naive), ("seasonal_mae", got[1], seasonal))
             if not _close(g, e, 1e-6)]
    message = (N_("{name}: {label} is not your variant's value; compute it with your make_windows, forecasts and "
                  "mae on the test windows of `data`.") if len(wrong) == 1 else
               N_("{name}: {label} and {other} are not your variant's values; compute them with your make_windows, "
                  "forecasts and mae on the test windows of `data`."))
    raise AssertionError(gettext(message).format(name=name, label=wrong[0], other=wrong[-1]))
