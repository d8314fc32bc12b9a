"""Bad arguments and inputs raise clear errors that name what was received."""
import keras
import numpy as np
import pytest

from lstmcourse.cells import GRUCell, LSTMCell, SimpleRNNCell

CELLS = [SimpleRNNCell, LSTMCell, GRUCell]


@pytest.fixture(params=CELLS, ids=lambda c: c.__name__)
def cell_cls(request):
    return request.param


@pytest.mark.parametrize("units", [0, -3])
def test_non_positive_units(cell_cls, units):
    with pytest.raises(ValueError, match=rf"`units` must be a positive integer.*Received: units={units}"):
        cell_cls(units)


@pytest.mark.parametrize("units", [2.5, "4", None, True])
def test_units_of_wrong_type(cell_cls, units):
    with pytest.raises(TypeError, match=r"`units` must be a positive integer.*Received: units="):
        cell_cls(units)


@pytest.mark.parametrize("name,value", [("dropout", 1.0), ("dropout", -0.1), ("recurrent_dropout", 2)])
def test_bad_dropout_rate(cell_cls, name, value):
    with pytest.raises(ValueError, match=rf"`{name}` must be a float in \[0, 1\).*Received: {name}={value}"):
        cell_cls(4, **{name: value})


def test_integer_inputs(cell_cls):
    layer = keras.layers.RNN(cell_cls(4))
    with pytest.raises(TypeError, match=r"expects floating-point inputs\. Received: inputs\.dtype=int32.*Embedding"):
        layer(np.zeros((2, 5, 3), dtype="int32"))


def test_rank_two_inputs_to_rnn(cell_cls):
    layer = keras.layers.RNN(cell_cls(4))
    with pytest.raises(ValueError, match=r"needs inputs of rank 3 \(batch, time, features\)\. Received: input_shape=\(2,\)"):
        layer(np.zeros((2, 5), dtype="float32"))


def test_feature_size_mismatch(cell_cls):
    layer = keras.layers.RNN(cell_cls(4))
    layer(np.zeros((2, 5, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"built for 3 input features, but the inputs have 6\. Received: inputs\.shape=\(2, 6\)"):
        layer(np.zeros((2, 5, 6), dtype="float32"))


def test_calling_cell_on_a_sequence(cell_cls):
    cell = cell_cls(4)
    cell.build((None, 3))
    states = [np.zeros((2, s), "float32") for s in keras.tree.flatten(cell.state_size)]
    with pytest.raises(ValueError, match=r"takes one time step.*wrap the cell in keras\.layers\.RNN.*Received: inputs\.shape=\(2, 5, 3\)"):
        cell(np.zeros((2, 5, 3), dtype="float32"), states)


@pytest.mark.parametrize("cell_class", [LSTMCell, GRUCell])
@pytest.mark.parametrize("bad", [0, 3, "2", True])
def test_bad_implementation_is_named(cell_class, bad):
    with pytest.raises(ValueError, match=rf"Received: implementation={bad!r}"):
        cell_class(4, implementation=bad)
