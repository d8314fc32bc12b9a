"""The online IMDB path of lesson 09, run offline on TFDS's mock data so that it cannot rot.

On Colab, notebook 09's optional section 5 downloads IMDB through ``tensorflow_datasets``
(``datasets.imdb_reviews``) and trains on it (``imdb_experiment``). Here the notebook's own
cells are executed (read from the stored .ipynb, so this is the code a learner runs) under
``tfds.testing.mock_data``, which replaces the download with random strings and labels: the
TFDS API, the builder name, the splits, the encoding and the model code all run, with no
network. Skipped only where ``tensorflow_datasets`` is not installed (the course
environment has it).
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lstmcourse import datasets

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_text_sentiment.ipynb"


@pytest.fixture
def tfds():
    return pytest.importorskip(
        "tensorflow_datasets", reason="tensorflow_datasets is not installed (Colab and the CI Colab-version environment have it: course.py test-colab)")


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to reach the network through a proxy-aware client fails at once."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)


def notebook_cells(*markers):
    """Source of the notebook's code cells containing each marker, in notebook order."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    found = []
    for marker in markers:
        hits = [source for source in cells if marker in source]
        assert len(hits) == 1, f"expected one code cell of {NOTEBOOK.name} containing {marker!r}, found {len(hits)}"
        found.append(hits[0])
    return found


def test_imdb_reviews_on_mock_data(tfds, offline):
    with tfds.testing.mock_data(num_examples=40):
        imdb = datasets.imdb_reviews(n_train=20, n_val=8, n_test=12, max_len=30, max_tokens=500, seed=3)
        again = datasets.imdb_reviews(n_train=20, n_val=8, n_test=12, max_len=30, max_tokens=500, seed=3)
    assert imdb.x_train.shape == (20, 30) and imdb.x_val.shape == (8, 30) and imdb.x_test.shape == (12, 30)
    assert imdb.x_train.dtype == np.int32 and imdb.y_train.dtype == np.int32
    assert set(np.unique(np.concatenate([imdb.y_train, imdb.y_val, imdb.y_test]))) <= {0, 1}
    assert imdb.vocabulary[:2] == ["", "[UNK]"]
    assert len(imdb.texts_train) == 20 and all(isinstance(t, str) for t in imdb.texts_train)
    assert not set(imdb.texts_train) & set(imdb.texts_val), "validation reviews are not training reviews"
    # the encoding is the vectorizer's, and the subset is fixed by the seed
    np.testing.assert_array_equal(imdb.x_test, np.asarray(imdb.vectorizer(np.array(imdb.texts_test, dtype=object))))
    assert imdb.texts_train == again.texts_train


def test_notebook_imdb_section_runs_on_mock_data(tfds, offline, monkeypatch):
    import keras

    import lstmcourse
    from lstmcourse import experiments
    from lstmcourse.i18n import N_, tr

    monkeypatch.setattr(lstmcourse, "notebook_seed", lambda: 0)   # as after setup_notebook(seed=0), no global state

    namespace = {"lstmcourse": lstmcourse, "keras": keras, "np": np, "datasets": datasets,
                 "experiments": experiments, "vocab_size": 100, "N_": N_, "tr": tr}
    for source in notebook_cells("def rnn_classifier", "def accuracy_on", "def imdb_experiment"):
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    assert namespace["RUN_IMDB"] is False, "the IMDB section must be off by default (offline lesson)"
    with tfds.testing.mock_data(num_examples=40):
        accuracy = namespace["imdb_experiment"](n_train=24, n_val=8, n_test=16, max_len=20, epochs=1, seeds=2)
    assert set(accuracy) == {"bag of words", "LSTM"}
    for values in accuracy.values():
        assert values.shape == (2,) and np.all((values >= 0) & (values <= 1))


@pytest.mark.parametrize("kwargs, message", [
    ({"n_train": 0}, "Received: n_train=0"),
    ({"n_test": 2.5}, "Received: n_test=2.5"),
    ({"max_len": True}, "Received: max_len=True"),
])
def test_imdb_reviews_rejects_bad_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        datasets.imdb_reviews(**kwargs)


def test_imdb_reviews_too_many_for_the_split(tfds, offline):
    with tfds.testing.mock_data(num_examples=10), pytest.raises(ValueError, match="Received: n_train=8, n_val=5"):
        datasets.imdb_reviews(n_train=8, n_val=5, n_test=4)


def test_imdb_reviews_names_the_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)   # import fails as if not installed
    with pytest.raises(ImportError, match="needs the `tensorflow_datasets` package"):
        datasets.imdb_reviews(n_train=10, n_val=5, n_test=5)
