"""The course cells compute exactly what Keras's built-in layers compute."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.twins import TWINS, copy_weights, random_inputs

TOL = 1e-6
UNITS = 4


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def assert_all_close(ours, theirs):
    ours = ours if isinstance(ours, (list, tuple)) else [ours]
    theirs = theirs if isinstance(theirs, (list, tuple)) else [theirs]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert np.asarray(a).shape == np.asarray(b).shape
        assert max_diff(a, b) <= TOL


@pytest.fixture(params=TWINS, ids=str)
def twin(request):
    keras.utils.set_random_seed(1)
    return request.param


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_forward_matches_builtin(twin, return_sequences, return_state):
    x = random_inputs()
    kw = dict(return_sequences=return_sequences, return_state=return_state)
    ours, builtin = twin.ours(UNITS, **kw), twin.builtin(UNITS, **kw)
    copy_weights(ours, builtin, x)
    assert_all_close(ours(x), builtin(x))


def test_weights_copy_both_ways(twin):
    x = random_inputs()
    ours, builtin = twin.ours(UNITS), twin.builtin(UNITS)
    copy_weights(builtin, ours, x)  # built-in -> course cell
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in builtin.get_weights()]
    assert_all_close(ours(x), builtin(x))


def test_same_initial_weights_under_same_seed(twin):
    x = random_inputs()
    keras.utils.set_random_seed(7)
    ours = twin.ours(UNITS)
    ours(x)
    keras.utils.set_random_seed(7)
    builtin = twin.builtin(UNITS)
    builtin(x)
    for a, b in zip(ours.get_weights(), builtin.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "mask_kind", ["right_padded", "left_padded", "gaps"],
)
def test_masked_sequences_match(twin, mask_kind):
    x = random_inputs(batch=4, time=6)
    mask = np.ones((4, 6), dtype=bool)
    if mask_kind == "right_padded":
        mask[1, 4:] = False
        mask[2, 2:] = False
    elif mask_kind == "left_padded":
        mask[1, :3] = False
    else:
        mask[0, [1, 3]] = False
        mask[3, 2:4] = False
    for return_sequences in (False, True):
        kw = dict(return_sequences=return_sequences, return_state=True)
        ours, builtin = twin.ours(UNITS, **kw), twin.builtin(UNITS, **kw)
        copy_weights(ours, builtin, x)
        assert_all_close(ours(x, mask=mask), builtin(x, mask=mask))


def test_go_backwards_matches(twin):
    x = random_inputs()
    kw = dict(go_backwards=True, return_sequences=True)
    ours, builtin = twin.ours(UNITS, **kw), twin.builtin(UNITS, **kw)
    copy_weights(ours, builtin, x)
    assert_all_close(ours(x), builtin(x))


@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_matches(twin, merge_mode):
    x = random_inputs()
    ours = keras.layers.Bidirectional(twin.ours(UNITS, return_sequences=True), merge_mode=merge_mode)
    builtin = keras.layers.Bidirectional(twin.builtin(UNITS, return_sequences=True), merge_mode=merge_mode)
    copy_weights(ours, builtin, x)
    expected_units = 2 * UNITS if merge_mode == "concat" else UNITS
    assert ours(x).shape == (x.shape[0], x.shape[1], expected_units)
    mask = np.ones(x.shape[:2], dtype=bool)
    mask[0, 5:] = False
    assert_all_close(ours(x, mask=mask), builtin(x, mask=mask))


def test_stacked_cells_match(twin):
    x = random_inputs()
    ours = keras.layers.RNN([twin.our_cell(UNITS, **twin.cell_kwargs), twin.our_cell(3, **twin.cell_kwargs)],
                            return_sequences=True, return_state=True)
    builtin = keras.layers.RNN([twin.builtin_cell(UNITS, **twin.cell_kwargs), twin.builtin_cell(3, **twin.cell_kwargs)],
                               return_sequences=True, return_state=True)
    copy_weights(ours, builtin, x)
    out_ours, out_builtin = ours(x), builtin(x)
    assert_all_close(keras.tree.flatten(out_ours), keras.tree.flatten(out_builtin))


@pytest.mark.parametrize("option", ["unroll", "stateful", "initial_state"])
def test_layer_options_match(twin, option):
    x = random_inputs()
    kw = {"unroll": True} if option == "unroll" else {}
    if option == "stateful":
        kw = {"stateful": True}
    ours, builtin = twin.ours(UNITS, **kw), twin.builtin(UNITS, **kw)
    copy_weights(ours, builtin, x)
    if option == "stateful":  # the second call starts from the first call's final state
        ours.reset_state(), builtin.reset_state()
        assert_all_close(ours(x), builtin(x))
        assert_all_close(ours(x[:, ::-1]), builtin(x[:, ::-1]))
    elif option == "initial_state":
        h0 = [np.full((x.shape[0], s), 0.3, "float32") for s in keras.tree.flatten(ours.cell.state_size)]
        assert_all_close(ours(x, initial_state=h0), builtin(x, initial_state=h0))
    else:
        assert_all_close(ours(x), builtin(x))


def _gradients(layer, x, mask=None):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x, mask=mask)
        loss = tf.reduce_sum(out * tf.sin(tf.range(tf.size(out), dtype=out.dtype)[: out.shape[-1]]))
    grads = tape.gradient(loss, [x, *layer.trainable_weights])
    return [g.numpy() for g in grads]


@pytest.mark.parametrize("masked", [False, True])
def test_gradients_match(twin, masked):
    x = random_inputs()
    mask = None
    if masked:
        mask = np.ones(x.shape[:2], dtype=bool)
        mask[1, 4:] = False
        mask[2, 2] = False
    ours, builtin = twin.ours(UNITS, return_sequences=True), twin.builtin(UNITS, return_sequences=True)
    copy_weights(ours, builtin, x)
    assert_all_close(_gradients(ours, x, mask), _gradients(builtin, x, mask))


def test_training_with_dropout_matches_under_same_seed(twin):
    x = random_inputs(batch=8)
    y = np.random.default_rng(1).normal(size=(8, UNITS)).astype("float32")
    kw = dict(cell_kwargs=dict(dropout=0.3, recurrent_dropout=0.2, seed=11))
    models = []
    for make in (twin.ours, twin.builtin):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input(x.shape[1:]), make(UNITS, **dict(kw))])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for _ in range(3):
        losses = [float(m.train_on_batch(x, y)) for m in models]
        assert abs(losses[0] - losses[1]) <= TOL
    assert_all_close(models[0].get_weights(), models[1].get_weights())
    # dropout is active in training: the training-mode output differs from inference
    layer = models[0].layers[0]
    assert max_diff(layer(x, training=True), layer(x, training=False)) > 1e-3


def test_keras_save_load_round_trip(twin, tmp_path):
    x = random_inputs()
    inputs = keras.Input(x.shape[1:])
    h = keras.layers.Bidirectional(twin.ours(UNITS, return_sequences=True))(inputs)
    h = twin.ours(3)(h)
    model = keras.Model(inputs, keras.layers.Dense(2)(h))
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_array_equal(model(x), restored(x))
    assert type(restored.layers[-2].cell) is twin.our_cell


def test_config_round_trip(twin):
    cell = twin.our_cell(UNITS, dropout=0.25, seed=5, **twin.cell_kwargs)
    clone = type(cell).from_config(cell.get_config())
    assert clone.get_config() == cell.get_config()
    ser = keras.saving.serialize_keras_object(cell)
    assert ser["registered_name"] == f"lstmcourse>{type(cell).__name__}"


GATED = [t for t in TWINS if t.name != "SimpleRNN"]


@pytest.mark.parametrize("twin", GATED, ids=str)
@pytest.mark.parametrize("implementation", [1, 2])
def test_implementation_argument_matches_builtin(twin, implementation):
    """Drop-in: implementation=1 (a product per gate) or 2 (fused), as Keras's cells."""
    x = random_inputs()
    kw = dict(return_sequences=True, cell_kwargs={"implementation": implementation})
    ours, builtin = twin.ours(UNITS, **kw), twin.builtin(UNITS, **kw)
    copy_weights(ours, builtin, x)
    assert ours.cell.implementation == builtin.cell.implementation == implementation
    assert_all_close(ours(x), builtin(x))


def test_our_config_loads_into_the_keras_cell(twin):
    """A course cell's config (no peepholes) builds Keras's own cell with the same options."""
    cell = twin.our_cell(UNITS, dropout=0.25, seed=5, **twin.cell_kwargs)
    theirs = twin.builtin_cell.from_config(cell.get_config())
    for key, value in keras.layers.serialize(theirs)["config"].items():
        if key in cell.get_config() and key not in ("name", "dtype"):
            assert cell.get_config()[key] == value, key


def test_peephole_config_stays_ours():
    from lstmcourse.cells import LSTMCell

    config = LSTMCell(3, peephole=True).get_config()
    assert config["peephole"] is True and LSTMCell.from_config(config).peephole
    assert "peephole" not in LSTMCell(3).get_config()
