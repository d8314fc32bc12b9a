"""lstmcourse.datasets: offline loaders with fixed splits."""
import numpy as np
import pytest

from lstmcourse import datasets


@pytest.fixture(scope="module")
def names():
    return datasets.surnames()


def test_surnames_shapes_and_splits(names):
    n_train, n_val, n_test = len(names.names_train), len(names.names_val), len(names.names_test)
    assert names.x_train.shape == (n_train, 16) and names.x_val.shape == (n_val, 16) and names.x_test.shape == (n_test, 16)
    assert len(names.languages) == 16 and names.y_train.max() == 15
    total = n_train + n_val + n_test
    assert abs(n_val / total - 0.15) < 0.01 and abs(n_test / total - 0.15) < 0.01
    assert set(names.names_train).isdisjoint(names.names_val) and set(names.names_train).isdisjoint(names.names_test)
    counts = np.bincount(names.y_train, minlength=16) / n_train
    val_counts = np.bincount(names.y_val, minlength=16) / n_val
    assert np.allclose(counts, val_counts, atol=0.01), "stratified: same class balance in every split"
    print("class balance (train):", dict(zip(names.languages, counts.round(3))))


def test_surnames_encoding_and_determinism(names):
    again = datasets.surnames()
    assert again.names_train == names.names_train
    np.testing.assert_array_equal(again.x_train, names.x_train)
    ids = names.encode(["Smith", "smith"])
    np.testing.assert_array_equal(ids[0], ids[1])
    assert (ids[0, 5:] == 0).all() and (ids[0, :5] >= 2).all()
    assert names.encode(["€"])[0, 0] == 1, "unknown characters map to the OOV id 1"
    other = datasets.surnames(seed=1)
    assert other.names_train != names.names_train


def test_surnames_validation():
    with pytest.raises(ValueError, match="Unknown language"):
        datasets.surnames(languages=["Klingon"])
    small = datasets.surnames(languages=["French", "Italian"])
    assert small.languages == ["French", "Italian"] and set(np.unique(small.y_train)) == {0, 1}


def test_co2_and_windows():
    series = datasets.co2()
    assert len(series) == 526 and not series.isna().any()
    assert 310 < series.iloc[0] < 320 and 365 < series.iloc[-1] < 375
    x, y = datasets.windows(series.values, window=12, horizon=3)
    assert x.shape == (526 - 14, 12, 1) and y.shape == (526 - 14, 3)
    np.testing.assert_array_equal(y[0], series.values[12:15])
    with pytest.raises(ValueError, match=r"Received: window=600"):
        datasets.windows(series.values, window=600)


def test_missing_package_error_names_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "faker":
            raise ImportError("no faker")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(datasets, "import_module", lambda name: fake_import(name))
    with pytest.raises(ImportError, match=r"needs the `faker` package.*pip install faker"):
        datasets.surnames()


def test_rotten_tomatoes_split_by_movie_and_encoded():
    reviews = datasets.rotten_tomatoes()
    n = len(reviews.texts_train) + len(reviews.texts_val) + len(reviews.texts_test)
    assert n == 12808
    assert reviews.x_train.shape == (len(reviews.texts_train), 40) and reviews.x_train.dtype == np.int32
    assert set(np.unique(reviews.y_train)) == {0, 1}
    print("fresh share: train %.3f, val %.3f, test %.3f" % (reviews.y_train.mean(), reviews.y_val.mean(), reviews.y_test.mean()))
    assert 0.5 < reviews.y_train.mean() < 0.65
    assert set(reviews.texts_train).isdisjoint(reviews.texts_test) or len(set(reviews.texts_train) & set(reviews.texts_test)) < 5
    assert reviews.vocabulary[:2] == ["", "[UNK]"] and len(reviews.vocabulary) == 8000
    again = datasets.rotten_tomatoes()
    np.testing.assert_array_equal(again.x_test, reviews.x_test)
    first = reviews.texts_train[0].lower().split()[0].strip(".,!?\"'")
    if first in reviews.vocabulary:
        assert reviews.x_train[0, 0] == reviews.vocabulary.index(first)
