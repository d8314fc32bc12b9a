"""lstmcourse.generation: temperature sampling, seeded and reproducible."""
import numpy as np
import pytest

from lstmcourse.generation import sample, temperature_probabilities


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


LOGITS = np.random.default_rng(0).normal(size=(8, 12)) * 3


def test_temperature_one_is_softmax_and_rows_sum_to_one():
    p = temperature_probabilities(LOGITS, 1.0)
    np.testing.assert_allclose(p, _softmax(LOGITS), rtol=1e-12)
    np.testing.assert_allclose(temperature_probabilities(LOGITS, 0.5), _softmax(LOGITS / 0.5), rtol=1e-12)
    for t in (0.0, 0.1, 1.0, 3.0, 100.0):
        np.testing.assert_allclose(temperature_probabilities(LOGITS, t).sum(axis=-1), 1.0, rtol=1e-12)


def test_temperature_orders_entropy():
    def entropy(p):
        return -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=-1)

    h = [entropy(temperature_probabilities(LOGITS, t)) for t in (0.25, 0.5, 1.0, 2.0, 4.0)]
    assert all((a < b).all() for a, b in zip(h, h[1:])), "higher temperature must flatten every row"


def test_temperature_to_zero_gives_argmax():
    argmax = LOGITS.argmax(axis=-1)
    np.testing.assert_array_equal(sample(LOGITS, temperature=0.0), argmax)
    np.testing.assert_array_equal(sample(LOGITS, temperature=0.0, seed=123), argmax)   # no draw at all
    np.testing.assert_array_equal(temperature_probabilities(LOGITS, 0.0), np.eye(12)[argmax])
    # the limit: a tiny temperature puts all mass on the argmax and every draw agrees with it
    for seed in range(5):
        np.testing.assert_array_equal(sample(LOGITS, temperature=1e-3, seed=seed), argmax)
    assert sample([1.0, 3.0, 2.0], temperature=0.0) == 1


def test_same_seed_same_tokens_and_a_generator_advances():
    logits = np.zeros((50, 20))
    a, b = sample(logits, seed=7), sample(logits, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, sample(logits, seed=8))
    rng = np.random.default_rng(3)
    steps = [sample(logits, seed=rng) for _ in range(3)]            # a generation loop
    assert not np.array_equal(steps[0], steps[1]), "a Generator must be advanced between steps"
    rng = np.random.default_rng(3)
    again = [sample(logits, seed=rng) for _ in range(3)]
    for x, y in zip(steps, again):
        np.testing.assert_array_equal(x, y)                        # the whole sequence reproduces


def test_draws_follow_the_tempered_distribution():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    for t in (0.5, 1.0, 2.0):
        draws = sample(np.tile(logits, (40_000, 1)), temperature=t, seed=1)
        freq = np.bincount(draws, minlength=4) / len(draws)
        np.testing.assert_allclose(freq, temperature_probabilities(logits, t), atol=0.01)


def test_minus_inf_forbids_a_token_and_dtypes():
    logits = np.array([[0.0, -np.inf, 0.0, -np.inf]] * 1000)
    draws = sample(logits, seed=0)
    assert set(np.unique(draws)) == {0, 2}
    assert draws.dtype == np.int64 and draws.shape == (1000,)
    assert np.ndim(sample([0.0, 1.0], seed=0)) == 0


def test_accepts_keras_tensors():
    import keras

    t = keras.ops.convert_to_tensor(LOGITS.astype("float32"))
    np.testing.assert_array_equal(sample(t, temperature=0.0), LOGITS.argmax(axis=-1))
    assert sample(t, seed=1).shape == (8,)


@pytest.mark.parametrize("temperature, error, text", [
    (-1.0, ValueError, "Received: temperature=-1.0"),
    (float("nan"), ValueError, "Received: temperature=nan"),
    (float("inf"), ValueError, "Received: temperature=inf"),
    ("hot", TypeError, "Received: temperature='hot' of type str"),
    (True, TypeError, "Received: temperature=True"),
])
def test_bad_temperature(temperature, error, text):
    with pytest.raises(error, match="`temperature`") as info:
        sample(LOGITS, temperature=temperature, seed=0)
    assert text in str(info.value)


def test_bad_logits_and_seed():
    with pytest.raises(ValueError, match=r"`logits` must have shape .*Received: logits.shape=\(2, 3, 4\)"):
        sample(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"Received: logits.shape=\(0,\)"):
        sample(np.zeros(0))
    with pytest.raises(ValueError, match="NaN"):
        sample([0.0, np.nan])
    with pytest.raises(ValueError, match=r"\+inf"):
        temperature_probabilities([0.0, np.inf])
    with pytest.raises(ValueError, match="every token of a row is -inf"):
        sample([[0.0, 1.0], [-np.inf, -np.inf]])
    with pytest.raises(TypeError, match=r"`seed` must be .*Received: seed='abc' of type str"):
        sample([0.0, 1.0], seed="abc")
