"""Small seeded synthetic sequence tasks, each isolating one idea of the course.

Every generator takes ``n`` (number of sequences) and ``seed`` and returns NumPy arrays
ready for ``model.fit``. Each documents the score of the best model that ignores the
part of the sequence the task is about (its *chance baseline*), so a notebook can say
how far above chance a model is.

=====================  ==========================================  =====================
task                   what it tests                               chance baseline
=====================  ==========================================  =====================
``adding_problem``     remember two marked numbers over a long      MSE 1/6 ≈ 0.167
                       sequence (Hochreiter & Schmidhuber 1997)     (always predict 1.0)
``copy_memory``        recall a short sequence after a delay        accuracy 1/n_symbols
``long_gap``           "She grew up in France … she speaks          accuracy 1/n_classes
                       fluent ___": the answer is the first
                       country; options add distractor countries
                       to the gap and move the country
``teddy``              tag "Teddy" as PERSON or TOY, which only     accuracy 0.5 for a
                       the words *after* it decide                  left-to-right model
``delayed_xor``        a non-linear function (XOR) of two past      accuracy 0.5
                       inputs at every step: where depth helps
=====================  ==========================================  =====================
"""
import numpy as np

#: MSE of always predicting 1.0 on the adding problem (the variance of U(0,1)+U(0,1)).
ADDING_BASELINE_MSE = 1.0 / 6.0


def _rng(seed):
    return np.random.default_rng(seed)


def _check_positive(**values):
    for name, value in values.items():
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


def adding_problem(n, length=50, seed=0):
    """The adding problem.

    Each step carries two features: a random value in [0, 1) and a marker. Exactly two
    steps are marked, one in the first half and one in the second; the target is the
    sum of their two values. Predicting the mean (1.0) scores ``ADDING_BASELINE_MSE``.

    Returns:
        ``x`` float32 (n, length, 2) and ``y`` float32 (n, 1).

    >>> x, y = adding_problem(3, length=10, seed=0)
    >>> x.shape, y.shape
    ((3, 10, 2), (3, 1))
    >>> bool(np.allclose(y[:, 0], (x[..., 0] * x[..., 1]).sum(axis=1)))
    True
    """
    _check_positive(n=n, length=length)
    if length < 2:
        raise ValueError(f"`length` must be at least 2. Received: length={length}")
    rng = _rng(seed)
    values = rng.random((n, length)).astype("float32")
    markers = np.zeros((n, length), dtype="float32")
    half = length // 2
    rows = np.arange(n)
    markers[rows, rng.integers(0, half, n)] = 1.0
    markers[rows, rng.integers(half, length, n)] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values * markers).sum(axis=1, keepdims=True).astype("float32")
    return x, y


def copy_memory(n, n_symbols=4, length=3, delay=10, seed=0):
    """Copy a short sequence after a delay.

    Tokens: 0 = blank, 1 = "go" signal, 2 … n_symbols+1 = symbols. A sequence is
    ``length`` random symbols, ``delay`` blanks, the go signal, then ``length - 1``
    blanks; the target is blank (0) everywhere except the last ``length`` steps, where
    it is the symbols in their original order. Chance on the recalled steps is
    ``1 / n_symbols``.

    Returns:
        ``x`` int32 (n, T) token ids and ``y`` int32 (n, T) target ids, with
        T = 2·length + delay; use an Embedding (or one-hot) and
        ``return_sequences=True``. ``recall_steps(y)`` gives the evaluated positions.

    >>> x, y = copy_memory(2, n_symbols=3, length=2, delay=4, seed=1)
    >>> x.shape
    (2, 8)
    >>> bool((y[:, -2:] == x[:, :2]).all() and (y[:, :-2] == 0).all())
    True
    """
    _check_positive(n=n, n_symbols=n_symbols, length=length, delay=delay)
    rng = _rng(seed)
    total = 2 * length + delay
    symbols = rng.integers(2, n_symbols + 2, size=(n, length))
    x = np.zeros((n, total), dtype="int32")
    x[:, :length] = symbols
    x[:, length + delay] = 1
    y = np.zeros((n, total), dtype="int32")
    y[:, -length:] = symbols
    return x, y


def long_gap(n, gap=20, n_classes=4, n_fillers=20, n_distractors=0, min_gap=None, seed=0):
    """The long-gap dependency: "She grew up in France … she speaks fluent ___".

    Token 0 is padding (unused here), 1 … n_classes are "countries", the next
    ``n_fillers`` ids are filler words, and the last id is the query ("speaks fluent").
    A sequence is one country, ``gap`` random fillers, then the query; the label is the
    country's index (0 … n_classes-1), the "language" to predict.

    With ``n_distractors > 0``, that many gap positions (distinct, at random) hold a
    random country instead of a filler, as in "She grew up in France. … She visited
    Spain … She speaks fluent ___": only the *first* country counts, so a model must
    keep it while later countries compete for the same memory. Distractors are drawn
    independently of the label (they may repeat it), so in every case nothing but the
    first token carries information, and a model that forgets it scores ``1 / n_classes``.

    Args:
        n: Number of sequences.
        gap: Number of tokens between the first country and the query.
        n_classes: Number of countries (classes). Default: 4.
        n_fillers: Number of distinct filler words. Default: 20.
        n_distractors: Countries placed in the gap, to be ignored. Default: 0; at most ``gap``.
        min_gap: If given, each sequence draws its own gap uniformly from ``min_gap`` to
            ``gap`` and starts with ``gap - its gap`` fillers, so that every sequence has
            the same length and the country moves; ``long_gap_distance(x, n_classes)``
            recovers each sequence's gap. Default: None (every gap is ``gap``).
        seed: Seed of the NumPy generator.

    Returns:
        ``x`` int32 (n, gap + 2) token ids and ``y`` int32 (n,) labels.
        ``long_gap_vocab_size(n_classes, n_fillers)`` is the Embedding input size.

    >>> x, y = long_gap(5, gap=3, n_classes=4, seed=0)
    >>> x.shape, y.shape
    ((5, 5), (5,))
    >>> bool((x[:, 0] == y + 1).all())
    True
    >>> x, y = long_gap(5, gap=6, n_classes=4, n_distractors=2, seed=0)
    >>> countries = (x >= 1) & (x <= 4)          # cue + distractors, per sequence
    >>> countries.sum(axis=1).tolist(), bool((x[:, 0] == y + 1).all())
    ([3, 3, 3, 3, 3], True)
    >>> x, y = long_gap(4, gap=6, min_gap=1, seed=0)    # the country moves; the length stays 8
    >>> long_gap_distance(x).tolist()
    [1, 2, 3, 3]
    """
    _check_positive(n=n, gap=gap, n_classes=n_classes, n_fillers=n_fillers)
    if (not isinstance(n_distractors, (int, np.integer)) or isinstance(n_distractors, bool)
            or not 0 <= n_distractors <= gap):
        raise ValueError("`n_distractors` must be an integer from 0 to `gap`. "
                         f"Received: n_distractors={n_distractors!r} (gap={gap})")
    if min_gap is not None:
        if (not isinstance(min_gap, (int, np.integer)) or isinstance(min_gap, bool)
                or not n_distractors <= min_gap <= gap or min_gap < 1):
            raise ValueError("`min_gap` must be an integer from max(1, n_distractors) to `gap`. "
                             f"Received: min_gap={min_gap!r} (gap={gap}, n_distractors={n_distractors})")
    rng = _rng(seed)
    y = rng.integers(0, n_classes, size=n).astype("int32")
    x = rng.integers(n_classes + 1, n_classes + 1 + n_fillers, size=(n, gap + 2))   # fillers everywhere
    x[:, -1] = n_classes + 1 + n_fillers                                           # the query
    gaps = np.full(n, gap) if min_gap is None else rng.integers(min_gap, gap + 1, size=n)
    rows, cue = np.arange(n), gap - gaps                                           # column of the country
    x[rows, cue] = y + 1
    if n_distractors:
        # n_distractors distinct columns after the country: the smallest random keys among them
        cols = np.arange(gap + 2)[None, :]
        keys = np.where((cols > cue[:, None]) & (cols <= gap), rng.random((n, gap + 2)), np.inf)
        where = np.argsort(keys, axis=1)[:, :n_distractors]
        np.put_along_axis(x, where, rng.integers(1, n_classes + 1, size=(n, n_distractors)), axis=1)
    return x.astype("int32"), y


def long_gap_distance(x, n_classes=4):
    """Each sequence's gap in :func:`long_gap` output: the number of tokens between its
    first country and the query. Shape (n,).

    >>> x, _ = long_gap(3, gap=5, seed=0)
    >>> long_gap_distance(x).tolist()
    [5, 5, 5]
    """
    countries = (x >= 1) & (x <= n_classes)
    return (x.shape[1] - 2 - np.argmax(countries, axis=1)).astype("int32")


def long_gap_vocab_size(n_classes=4, n_fillers=20):
    """Number of token ids used by :func:`long_gap` (padding, countries, fillers, query)."""
    return n_classes + n_fillers + 2


#: Vocabulary of :func:`teddy`: id -> word. 0 is padding.
TEDDY_VOCAB = [
    "<pad>", "he", "she", "said", "told", "me", ",", "that", "teddy",
    # continuations after "teddy" that make it a PERSON
    "roosevelt", "was", "a", "great", "president", "led", "the", "country",
    # continuations that make it a TOY
    "bears", "are", "on", "sale", "cute", "soft", "cheap", "today",
]
TEDDY_TAGS = ["O", "PERSON", "TOY"]

_TEDDY_PREFIXES = [["he", "said", ","], ["she", "said", ","], ["he", "told", "me", "that"],
                   ["she", "told", "me", "that"], ["he", "said", "that"]]
_TEDDY_PERSON = [["roosevelt", "was", "a", "great", "president"], ["roosevelt", "led", "the", "country"],
                 ["roosevelt", "was", "great"], ["was", "a", "great", "president"], ["led", "the", "country"]]
_TEDDY_TOY = [["bears", "are", "on", "sale"], ["bears", "are", "cute"], ["bears", "are", "soft", "cheap"],
              ["bears", "are", "cheap", "today"], ["bears", "on", "sale", "today"]]


def teddy(n, seed=0, max_len=12):
    """Named-entity tagging where only the right context decides.

    "He said, Teddy bears are on sale" (TOY) vs "He said, Teddy Roosevelt was a great
    president" (PERSON). Each sentence gets one tag per token: 0 = O (not an entity),
    1 = PERSON or 2 = TOY on the token "teddy". Everything before "teddy" is drawn
    from the same prefixes for both classes, so a left-to-right model must guess at
    "teddy" (accuracy 0.5 there); a bidirectional model can read the words after it.

    Returns:
        ``x`` int32 (n, max_len) token ids padded with 0 (use ``mask_zero=True``),
        ``y`` int32 (n, max_len) tags, and ``position`` int32 (n,) the index of "teddy".

    >>> x, y, pos = teddy(4, seed=0)
    >>> [TEDDY_VOCAB[t] for t in x[0] if t]
    ['he', 'said', 'that', 'teddy', 'was', 'a', 'great', 'president']
    >>> TEDDY_TAGS[y[0, pos[0]]]
    'PERSON'
    """
    _check_positive(n=n, max_len=max_len)
    rng = _rng(seed)
    ids = {word: i for i, word in enumerate(TEDDY_VOCAB)}
    x = np.zeros((n, max_len), dtype="int32")
    y = np.zeros((n, max_len), dtype="int32")
    position = np.zeros(n, dtype="int32")
    for row in range(n):
        prefix = _TEDDY_PREFIXES[rng.integers(len(_TEDDY_PREFIXES))]
        is_person = rng.random() < 0.5
        options = _TEDDY_PERSON if is_person else _TEDDY_TOY
        suffix = options[rng.integers(len(options))]
        words = (prefix + ["teddy"] + suffix)[:max_len]
        x[row, : len(words)] = [ids[w] for w in words]
        position[row] = len(prefix)
        y[row, position[row]] = 1 if is_person else 2
    return x, y, position


def delayed_xor(n, length=20, delays=(3, 6), seed=0):
    """At every step, the XOR of two earlier bits: ``y_t = x_{t-d1} XOR x_{t-d2}``.

    Remembering two bits is easy; combining them is not linear (XOR is the classic
    function no single linear threshold computes), so a recurrent layer needs an extra
    non-linear stage between its memory and a linear read-out. Targets before step
    ``max(delays)`` are 0 and are not scored; chance accuracy on the scored steps is 0.5.

    Returns:
        ``x`` float32 (n, length, 1) bits and ``y`` float32 (n, length, 1) targets.
        Score steps ``t >= max(delays)``.

    >>> x, y = delayed_xor(2, length=8, delays=(1, 2), seed=0)
    >>> bool((y[:, 2:, 0] == np.logical_xor(x[:, 1:-1, 0], x[:, :-2, 0])).all())
    True
    """
    _check_positive(n=n, length=length)
    d1, d2 = sorted(delays)
    if d1 <= 0 or d2 >= length:
        raise ValueError(f"`delays` must be positive and shorter than `length`. Received: delays={delays}")
    rng = _rng(seed)
    x = rng.integers(0, 2, size=(n, length)).astype("float32")
    y = np.zeros((n, length), dtype="float32")
    y[:, d2:] = np.logical_xor(x[:, d2 - d1: length - d1], x[:, : length - d2])
    return x[..., None], y[..., None]
