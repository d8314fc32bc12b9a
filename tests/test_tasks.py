"""The long-gap task's options: distractor countries and a moving country (lstmcourse.tasks)."""
import numpy as np
import pytest

from lstmcourse import tasks


def _countries(x, n_classes=4):
    return (x >= 1) & (x <= n_classes)


@pytest.mark.parametrize("gap,n_distractors", [(5, 1), (20, 3), (50, 10)])
def test_long_gap_distractors_count_position_and_independence(gap, n_distractors):
    x, y = tasks.long_gap(4000, gap=gap, n_classes=4, n_distractors=n_distractors, seed=1)
    assert x.shape == (4000, gap + 2) and y.shape == (4000,)
    np.testing.assert_array_equal(x[:, 0], y + 1)                       # the first token is the answer
    countries = _countries(x)
    np.testing.assert_array_equal(countries.sum(axis=1), 1 + n_distractors)
    assert not countries[:, -1].any() and (x[:, -1] == tasks.long_gap_vocab_size(4) - 1).all()
    assert x.min() >= 1 and x.max() < tasks.long_gap_vocab_size(4)
    # distractors are uniform over the countries, whatever the label: they carry no information
    distractor = x[:, 1:-1][countries[:, 1:-1]].reshape(4000, n_distractors)[:, 0] - 1
    table = np.histogram2d(y, distractor, bins=4)[0] / 4000
    np.testing.assert_allclose(table, 1 / 16, atol=0.015)
    assert np.all(np.abs(np.bincount(y, minlength=4) / 4000 - 0.25) < 0.03)


def test_long_gap_min_gap_moves_the_country_and_keeps_the_length():
    x, y = tasks.long_gap(6000, gap=12, min_gap=3, n_distractors=2, seed=2)
    assert x.shape == (6000, 14)
    distance = tasks.long_gap_distance(x)
    assert distance.min() == 3 and distance.max() == 12
    counts = np.bincount(distance, minlength=13)[3:]
    assert np.all(np.abs(counts / 6000 - 1 / 10) < 0.02)                # uniform over 3..12
    first = x.shape[1] - 2 - distance
    np.testing.assert_array_equal(x[np.arange(6000), first], y + 1)    # the first country is the answer
    assert not _countries(x)[np.arange(14)[None] < first[:, None]].any()  # only fillers before it
    np.testing.assert_array_equal(_countries(x).sum(axis=1), 3)
    # with the default options the sequences keep their original form
    x0, y0 = tasks.long_gap(50, gap=7, seed=3)
    np.testing.assert_array_equal(tasks.long_gap_distance(x0), 7)
    assert _countries(x0).sum() == 50


@pytest.mark.parametrize("kwargs,message", [
    ({"gap": 5, "n_distractors": 6}, r"`n_distractors` must be an integer from 0 to `gap`\. Received: n_distractors=6 \(gap=5\)"),
    ({"gap": 5, "n_distractors": -1}, r"Received: n_distractors=-1"),
    ({"gap": 5, "n_distractors": 1.5}, r"Received: n_distractors=1\.5"),
    ({"gap": 5, "min_gap": 0}, r"`min_gap` must be an integer from max\(1, n_distractors\) to `gap`\. Received: min_gap=0"),
    ({"gap": 5, "min_gap": 6}, r"Received: min_gap=6 \(gap=5, n_distractors=0\)"),
    ({"gap": 5, "min_gap": 1, "n_distractors": 2}, r"Received: min_gap=1 \(gap=5, n_distractors=2\)"),
])
def test_long_gap_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tasks.long_gap(10, seed=0, **kwargs)


def test_long_gap_is_deterministic_with_every_option():
    a = tasks.long_gap(20, gap=9, n_distractors=2, min_gap=2, seed=5)
    b = tasks.long_gap(20, gap=9, n_distractors=2, min_gap=2, seed=5)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
