"""lstmcourse.attention.AdditiveAttention: shapes, weights, masks, the formula, serialisation."""
import keras
import numpy as np
import pytest

from lstmcourse.attention import AdditiveAttention

RNG = np.random.default_rng(0)
QUERY = RNG.normal(size=(3, 7)).astype("float32")                 # (batch, query_dim)
QUERIES = RNG.normal(size=(3, 4, 7)).astype("float32")            # (batch, Tq, query_dim)
VALUE = RNG.normal(size=(3, 6, 5)).astype("float32")              # (batch, Tv, value_dim)
MASK = np.array([[True] * 6, [True] * 4 + [False] * 2, [True] + [False] * 5])


def _layer(units=8, seed=0):
    keras.utils.set_random_seed(seed)
    return AdditiveAttention(units)


def test_shapes_for_one_query_and_a_sequence_of_queries():
    layer = _layer()
    context, weights = layer(QUERY, VALUE)
    assert tuple(context.shape) == (3, 5) and tuple(weights.shape) == (3, 6)
    context, weights = layer(QUERIES, VALUE)
    assert tuple(context.shape) == (3, 4, 5) and tuple(weights.shape) == (3, 4, 6)
    assert [tuple(w.shape) for w in layer.weights] == [(7, 8), (5, 8), (8,), (8, 1)]


def test_weights_are_a_distribution_and_context_their_average():
    context, weights = _layer()(QUERIES, VALUE)
    weights, context = np.asarray(weights), np.asarray(context)
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(context, np.einsum("bqt,btd->bqd", weights, VALUE), rtol=1e-5, atol=1e-6)


def test_matches_the_formula_in_numpy():
    layer = _layer()
    context, weights = layer(QUERIES, VALUE)
    w_q, w_v, b, w = (np.asarray(v, dtype="float64") for v in layer.weights)
    scores = np.tanh((QUERIES @ w_q)[:, :, None, :] + (VALUE @ w_v + b)[:, None, :, :]) @ w[:, 0]
    expected = np.exp(scores - scores.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(np.asarray(weights), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(context), expected @ VALUE, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("query", [QUERY, QUERIES], ids=["one query", "Tq queries"])
def test_masked_positions_get_zero_weight_and_do_not_matter(query):
    layer = _layer()
    context, weights = layer(query, VALUE, value_mask=MASK)
    weights = np.asarray(weights)
    mask = MASK if query.ndim == 2 else MASK[:, None, :]
    assert (np.broadcast_to(~mask, weights.shape) <= (weights == 0)).all(), "masked positions: weight exactly 0"
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)
    changed = VALUE.copy()
    changed[~MASK] = 1e3                                             # garbage in the padding
    context2, weights2 = layer(query, changed, value_mask=MASK)
    np.testing.assert_allclose(np.asarray(context2), np.asarray(context), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(weights2), weights, rtol=1e-6)


def test_fully_masked_row_gives_zero_weights_not_nan():
    mask = MASK.copy()
    mask[2] = False
    context, weights = _layer()(QUERY, VALUE, value_mask=mask)
    assert np.isfinite(np.asarray(context)).all()
    np.testing.assert_array_equal(np.asarray(weights)[2], 0.0)
    np.testing.assert_array_equal(np.asarray(context)[2], 0.0)


def test_takes_the_keras_mask_of_value():
    ids = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 2]])
    keras.utils.set_random_seed(0)
    embed = keras.layers.Embedding(10, 4, mask_zero=True)
    encoder = keras.layers.LSTM(6, return_sequences=True)
    layer = AdditiveAttention(5)
    query = np.ones((2, 6), "float32")
    values = encoder(embed(ids))                                     # carries the padding mask
    _, automatic = layer(query, values)
    _, explicit = layer(query, values, value_mask=ids != 0)
    np.testing.assert_array_equal(np.asarray(automatic), np.asarray(explicit))
    assert (np.asarray(automatic)[0, 3:] == 0).all()


def test_in_a_functional_model_with_gradients_for_every_weight():
    enc_in, dec_in = keras.Input((None, 5)), keras.Input((None, 7))
    keras.utils.set_random_seed(1)
    context, weights = AdditiveAttention(8)(dec_in, enc_in)
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([dec_in, context]))
    model = keras.Model([enc_in, dec_in], [out, weights])
    assert [tuple(o.shape) for o in model.outputs] == [(None, None, 1), (None, None, None)]
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model([VALUE, QUERIES])[0] ** 2)
    layer = model.layers[2]
    grads = tape.gradient(loss, layer.trainable_weights)
    assert len(grads) == 4 and all(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)


def test_config_round_trip_and_saving(tmp_path):
    layer = AdditiveAttention(6, kernel_initializer="he_normal", name="attend")
    config = layer.get_config()
    assert config["units"] == 6 and config["name"] == "attend"
    clone = AdditiveAttention.from_config(config)
    assert clone.get_config() == config
    assert keras.saving.get_registered_name(AdditiveAttention) == "lstmcourse>AdditiveAttention"

    enc_in, dec_in, mask_in = keras.Input((6, 5)), keras.Input((4, 7)), keras.Input((6,), dtype="bool")
    keras.utils.set_random_seed(2)
    context, weights = AdditiveAttention(8)(dec_in, enc_in, value_mask=mask_in)
    model = keras.Model([enc_in, dec_in, mask_in], [context, weights])
    path = tmp_path / "attention.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(model([VALUE, QUERIES, MASK]), loaded([VALUE, QUERIES, MASK])):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("units, error, text", [
    (0, ValueError, "Received: units=0"),
    (-3, ValueError, "Received: units=-3"),
    (2.5, TypeError, "Received: units=2.5 of type float"),
    ("8", TypeError, "Received: units='8' of type str"),
    (True, TypeError, "Received: units=True of type bool"),
])
def test_bad_units(units, error, text):
    with pytest.raises(error, match="`units` must be a positive integer") as info:
        AdditiveAttention(units)
    assert text in str(info.value)


def test_bad_shapes_name_the_argument():
    with pytest.raises(ValueError, match=r"`query` must have shape .*Received: query.shape=\(3, 2, 4, 7\)"):
        AdditiveAttention(4)(np.zeros((3, 2, 4, 7), "float32"), VALUE)
    with pytest.raises(ValueError, match=r"`value` must have shape .*Received: value.shape=\(3, 5\)"):
        AdditiveAttention(4)(QUERY, np.zeros((3, 5), "float32"))
    with pytest.raises(ValueError, match=r"`value_mask` must have shape \(batch, Tv\).*Received: value_mask.shape=\(3, 5\)"):
        AdditiveAttention(4)(QUERY, VALUE, value_mask=np.ones((3, 5), bool))
