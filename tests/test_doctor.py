"""lstmcourse.doctor: each finding on a deliberately broken model or data set, and no
problem at all on healthy models trained a few epochs."""
import keras
import numpy as np
import pytest

from lstmcourse import doctor, tasks

L = keras.layers


def names(findings, severity="problem"):
    return sorted({f.name for f in findings if f.severity == severity})


def compiled(layers, loss, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(layers)
    model.compile(keras.optimizers.Adam(0.01), loss)
    return model


def trained(layers, loss, x, y, epochs=3, lr=0.01, batch_size=32, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(layers)
    model.compile(keras.optimizers.Adam(lr), loss)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def random_walk_windows(n=120, window=8, seed=0):
    series = np.cumsum(np.random.default_rng(seed).normal(size=n + window)).astype("float32")
    x = np.stack([series[i:i + window] for i in range(n)])[..., None]
    return series, x, series[window:window + n, None]


# -- healthy models: no problem -------------------------------------------------------
ADDING = tasks.adding_problem(256, length=5, seed=0)
LONG_GAP = tasks.long_gap(128, gap=3, seed=0)
TEDDY = tasks.teddy(128, seed=0)[:2]


def _adding(layer_class):
    x, y = ADDING
    return trained([keras.Input((5, 2)), layer_class(8), L.Dense(1)], "mse", x, y), x, y, {"target_feature": 0}


def _long_gap_softmax():
    x, y = LONG_GAP
    layers = [keras.Input((5,), dtype="int32"), L.Embedding(30, 8), L.LSTM(8), L.Dense(4, activation="softmax")]
    return trained(layers, "sparse_categorical_crossentropy", x, y, lr=0.02, batch_size=16), x, y, {}


def _long_gap_logits():
    x, y = LONG_GAP
    layers = [keras.Input((5,), dtype="int32"), L.Embedding(30, 8), L.GRU(8), L.Dense(4)]
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return trained(layers, loss, x, y, lr=0.02, batch_size=16), x, y, {}


def _long_gap_sigmoid():
    x, y = LONG_GAP
    y = (y >= 2).astype("float32")
    layers = [keras.Input((5,), dtype="int32"), L.Embedding(30, 8), L.LSTM(8), L.Dense(1, activation="sigmoid")]
    return trained(layers, "binary_crossentropy", x, y, lr=0.02, batch_size=16), x, y, {}


def _masked_tagger():
    x, y = TEDDY
    layers = [keras.Input((12,), dtype="int32"), L.Embedding(25, 8, mask_zero=True),
              L.LSTM(8, return_sequences=True), L.Dense(3, activation="softmax")]
    return trained(layers, "sparse_categorical_crossentropy", x, y, lr=0.03, batch_size=16), x, y, {}


def _stateful_done_right():
    x, y = ADDING[0][:64], ADDING[1][:64]
    model = trained([keras.Input(batch_shape=(16, 5, 2)), L.LSTM(8, stateful=True), L.Dense(1)], "mse",
                    x, y, batch_size=16)
    model.layers[0].reset_state()
    return model, x, y, {"batch_size": 16, "shuffle": False}


HEALTHY = {
    "simple_rnn_adding": lambda: _adding(L.SimpleRNN),
    "lstm_adding": lambda: _adding(L.LSTM),
    "gru_adding": lambda: _adding(L.GRU),
    "softmax_classifier": _long_gap_softmax,
    "logits_classifier": _long_gap_logits,
    "sigmoid_classifier": _long_gap_sigmoid,
    "masked_tagger": _masked_tagger,
    "stateful": _stateful_done_right,
}


@pytest.mark.parametrize("case", sorted(HEALTHY))
def test_healthy_models_have_no_problem(case):
    model, x, y, kwargs = HEALTHY[case]()
    findings = doctor.examine(model, x, y, **kwargs)
    assert names(findings) == [], [str(f) for f in findings]
    # one cuDNN note per recurrent layer, and these default layers would use cuDNN
    cudnn = [f for f in findings if f.name == "cudnn"]
    assert len(cudnn) == 1 and cudnn[0].severity == "info"
    assert cudnn[0].value == (0.0 if case == "simple_rnn_adding" else 1.0), cudnn[0].evidence


def test_healthy_split_and_scaler_have_no_leakage():
    series, _, _ = random_walk_windows(200)
    train, val, window = np.arange(0, 150), np.arange(158, 190), 9
    steps = np.arange(150 + window - 1)
    scaled = (series - series[steps].mean()) / series[steps].std()
    assert doctor.leakage({"train": train, "val": val, "window": window, "series": series, "scaled": scaled}) == []


def test_copy_memory_blanks_are_not_padding():
    x, _ = tasks.copy_memory(64, seed=0)  # 0 is the blank token, used inside every sequence
    model = keras.Sequential([keras.Input((x.shape[1],), dtype="int32"), L.Embedding(6, 4), L.LSTM(4)])
    assert doctor.unmasked_padding(model, x) == []


# -- one broken fixture per finding ---------------------------------------------------
def test_constant_regression_output():
    x, y = ADDING
    model = compiled([keras.Input((5, 2)), L.LSTM(4), L.Dense(1)], "mse")
    model.layers[-1].set_weights([np.zeros((4, 1)), np.array([y.mean()])])
    found = [f for f in doctor.examine(model, x, y) if f.name == "constant_output"]
    assert len(found) == 1 and found[0].value < doctor.CONSTANT_STD_RATIO
    assert "mean" in found[0].evidence


def test_constant_class_output():
    x, y = LONG_GAP
    model = compiled([keras.Input((5,), dtype="int32"), L.Embedding(30, 4), L.LSTM(4),
                      L.Dense(4, activation="softmax")], "sparse_categorical_crossentropy")
    model.layers[-1].set_weights([np.zeros((4, 4)), np.array([2.0, 0, 0, 0])])
    found = [f for f in doctor.examine(model, x, y) if f.name == "constant_output"]
    assert len(found) == 1 and found[0].value == 1.0 and "class 0" in found[0].evidence


def test_persistence():
    _, x, y = random_walk_windows()
    model = compiled([keras.Input((8, 1)), L.Cropping1D((7, 0)), L.Flatten(), L.Dense(1)], "mse")
    model.layers[-1].set_weights([np.ones((1, 1)), np.zeros(1)])  # the forecast is x[:, -1]
    found = [f for f in doctor.examine(model, x, y) if f.name == "persistence"]
    assert len(found) == 1 and found[0].value > 0.999 and "naive forecast" in found[0].evidence


def test_a_forecast_that_beats_the_naive_one_is_not_persistence():
    """Steps that follow d_t = 0.8 d_(t-1) + noise: the best forecast, last + 0.8 × last step, correlates
    with the last input more than with the targets (the level dominates both), yet halves the naive MSE."""
    r = np.random.default_rng(0)
    d = np.zeros((400, 11))
    for t in range(1, 11):
        d[:, t] = 0.8 * d[:, t - 1] + r.normal(size=400)
    s = 3 * r.normal(size=(400, 1)) + np.cumsum(d, axis=1)
    x, y = s[:, :10, None], s[:, 10:]
    best = x[:, -1] + 0.8 * (x[:, -1] - x[:, -2])
    assert doctor.persistence(best, x, y) == []
    assert names(doctor.persistence(x[:, -1] + 1e-3 * r.normal(size=(400, 1)), x, y)) == ["persistence"]


def test_overlapping_windows():
    found = doctor.leakage({"train": np.arange(0, 80), "val": np.arange(75, 100), "window": 10})
    assert names(found) == ["window_overlap"]
    assert found[0].value == pytest.approx(14 / 25)  # starts 75 … 88 reach into step 88, the last training step
    assert doctor.leakage((np.arange(10), np.arange(9, 20)))[0].name == "window_overlap"  # a shared sample


@pytest.mark.parametrize("scaler", ["standard", "min-max"])
def test_scaler_fitted_on_all_data(scaler):
    series, _, _ = random_walk_windows(200)
    series = series + 0.5 * np.arange(len(series))  # a trend: the largest values come after the training part
    if scaler == "standard":
        scaled = (series - series.mean()) / series.std()
    else:
        scaled = (series - series.min()) / (series.max() - series.min())
    split = {"train": np.arange(0, 150), "val": np.arange(158, 190), "window": 9, "series": series, "scaled": scaled}
    found = doctor.leakage(split)
    assert names(found) == ["scaler_leakage"] and scaler in found[0].evidence
    assert "whole series" in found[0].evidence


def test_unknown_scaler_is_skipped():
    series, _, _ = random_walk_windows(200)
    assert doctor.scaler_leakage(series, np.log1p(np.abs(series)), np.arange(150)) == []


@pytest.mark.parametrize("masked", [False, True])
def test_unmasked_padding(masked):
    x, y = TEDDY
    model = compiled([keras.Input((12,), dtype="int32"), L.Embedding(25, 8, mask_zero=masked),
                      L.LSTM(4, return_sequences=True), L.Dense(3, activation="softmax")],
                     "sparse_categorical_crossentropy")
    found = [f for f in doctor.examine(model, x, y) if f.name == "unmasked_padding"]
    if masked:
        assert found == []
    else:
        assert len(found) == 1 and 0.2 < found[0].value < 0.6 and "at the end" in found[0].evidence


def test_unmasked_padding_of_features_and_masking_layer():
    x, y = tasks.adding_problem(40, length=10, seed=0)
    x[::2, 6:] = 0.0  # half the sequences are 6 steps long, padded to 10
    x[1::4, 8:] = 0.0
    plain = compiled([keras.Input((10, 2)), L.LSTM(4), L.Dense(1)], "mse")
    masked = compiled([keras.Input((10, 2)), L.Masking(), L.LSTM(4), L.Dense(1)], "mse")
    assert names(doctor.unmasked_padding(plain, x)) == ["unmasked_padding"]
    assert doctor.unmasked_padding(masked, x) == []


@pytest.mark.parametrize("name, activation, gain", [("vanishing_gradient", "tanh", 0.05),
                                                    ("exploding_gradient", "linear", 3.0)])
def test_gradients(name, activation, gain):
    x, y = tasks.adding_problem(32, length=12, seed=0)
    model = compiled([keras.Input((12, 2)), L.SimpleRNN(6, activation=activation,
                      recurrent_initializer=keras.initializers.Orthogonal(gain=gain)), L.Dense(1)], "mse")
    found = doctor.gradient_flow(model, x, y)
    assert names(found) == [name] and found[0].layer == model.layers[0].name
    limit = doctor.VANISHING_RATIO if name == "vanishing_gradient" else doctor.EXPLODING_RATIO
    assert (found[0].value < limit) if name == "vanishing_gradient" else (found[0].value > limit)
    assert f"{found[0].value:.3g}" in found[0].evidence


@pytest.mark.parametrize("cause", ["inputs", "targets", "weights"])
def test_nonfinite_loss(cause):
    x, y = ADDING[0][:32].copy(), ADDING[1][:32].copy()
    model = compiled([keras.Input((5, 2)), L.LSTM(4), L.Dense(1)], "mse")
    if cause == "inputs":
        x[3, 2, 0] = np.nan
    elif cause == "targets":
        y[5] = np.inf
    else:
        kernel, bias = model.layers[-1].get_weights()
        model.layers[-1].set_weights([kernel, bias + np.nan])
    found = [f for f in doctor.examine(model, x, y) if f.name == "nonfinite_loss"]
    assert len(found) == 1 and not np.isfinite(found[0].value)
    assert f"1 in the {cause}" in found[0].evidence
    assert {"inputs": "inputs", "targets": "targets", "weights": "learning rate"}[cause] in found[0].fix


MISMATCHES = {
    "sigmoid_from_logits": ([L.Dense(1, activation="sigmoid")], keras.losses.BinaryCrossentropy(from_logits=True)),
    "softmax_from_logits": ([L.Dense(4, activation="softmax")],
                            keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
    "linear_probabilities": ([L.Dense(1)], "binary_crossentropy"),
    "linear_categorical": ([L.Dense(4)], keras.losses.CategoricalCrossentropy()),
    "sigmoid_categorical": ([L.Dense(4, activation="sigmoid")], "sparse_categorical_crossentropy"),
    "softmax_one_unit": ([L.Dense(1, activation="softmax")], "binary_crossentropy"),
    "sigmoid_one_unit_categorical": ([L.Dense(1, activation="sigmoid")], "categorical_crossentropy"),
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_activation_loss_mismatch(case):
    head, loss = MISMATCHES[case]
    model = compiled([keras.Input((5, 2)), L.LSTM(4)] + head, loss)
    found = doctor.activation_loss_mismatch(model)
    assert names(found) == ["activation_loss_mismatch"], case
    assert found[0].fix.endswith(".")


@pytest.mark.parametrize("case", ["sigmoid", "lstm_last", "relu", "sparse_labels", "unscaled"])
def test_target_range(case):
    x, y = ADDING
    head, loss, expected = {
        "sigmoid": ([L.LSTM(4), L.Dense(1, activation="sigmoid")], "binary_crossentropy", "target_range"),
        "lstm_last": ([L.LSTM(1)], "mse", "target_range"),  # h of an LSTM is in (-1, 1); y reaches 2
        "relu": ([L.LSTM(4), L.Dense(1, activation="relu")], "mse", "target_range"),
        "sparse_labels": ([L.LSTM(4), L.Dense(3, activation="softmax")], "sparse_categorical_crossentropy",
                          "target_range"),
        "unscaled": ([L.LSTM(4), L.Dense(1)], "mse", "unscaled_targets"),
    }[case]
    targets = {"sigmoid": y * 2, "lstm_last": y, "relu": y - 1.5, "sparse_labels": np.round(y * 2),
               "unscaled": y * 1000}[case]
    model = compiled([keras.Input((5, 2))] + head, loss)
    found = doctor.target_range(model, targets)
    assert names(found) == [expected]
    assert f"{float(targets.max()):.4g}" in found[0].evidence or f"{float(targets.min()):.4g}" in found[0].evidence \
        or f"{float(targets.std()):.4g}" in found[0].evidence


@pytest.mark.parametrize("loss", ["mse", None])
def test_in_range_targets_are_fine(loss):
    x, y = ADDING
    model = compiled([keras.Input((5, 2)), L.LSTM(4), L.Dense(1, activation="sigmoid")], loss)
    assert doctor.target_range(model, y / 2) == []
    # integer labels for a softmax output are labels, not probabilities, without a loss; with mse they are
    # targets that a softmax cannot reach
    classifier = compiled([keras.Input((5, 2)), L.LSTM(4), L.Dense(3, activation="softmax")], loss)
    assert names(doctor.target_range(classifier, np.round(y[:, 0]))) == ([] if loss is None else ["target_range"])


CUDNN = {
    "default": (L.LSTM(4), None),
    "recurrent_dropout": (L.LSTM(4, recurrent_dropout=0.2), "recurrent_dropout=0.2"),
    "relu": (L.LSTM(4, activation="relu"), "activation=relu"),
    "hard_sigmoid": (L.GRU(4, recurrent_activation="hard_sigmoid"), "recurrent_activation=hard_sigmoid"),
    "unroll": (L.LSTM(4, unroll=True), "unroll=True"),
    "no_bias": (L.GRU(4, use_bias=False), "use_bias=False"),
    "reset_before": (L.GRU(4, reset_after=False), "reset_after=False"),
    "use_cudnn_false": (L.LSTM(4, use_cudnn=False), "use_cudnn=False"),
    "simple_rnn": (L.SimpleRNN(4), "no cuDNN kernel for SimpleRNN"),
}


@pytest.mark.parametrize("case", sorted(CUDNN))
def test_cudnn_eligibility(case):
    layer, reason = CUDNN[case]
    model = keras.Sequential([keras.Input((5, 2)), layer, L.Dense(1)])
    (found,) = doctor.cudnn_eligibility(model, ADDING[0][:8])
    assert found.name == "cudnn" and found.severity == "info" and found.layer == layer.name
    if reason is None:
        assert found.value == 1.0 and found.evidence.endswith("would run on cuDNN on a GPU: yes.")
    else:
        assert found.value == 0.0 and "would run on cuDNN on a GPU: no, because" in found.evidence
        assert reason in found.evidence


@pytest.mark.parametrize("padding", ["post", "pre"])
def test_cudnn_needs_right_padded_masks(padding):
    x, _ = TEDDY
    if padding == "pre":  # move each sentence to the end: left padding
        x = np.stack([np.concatenate([row[row == 0], row[row != 0]]) for row in x])
    model = keras.Sequential([keras.Input((12,), dtype="int32"), L.Embedding(25, 4, mask_zero=True),
                              L.Bidirectional(L.LSTM(4, return_sequences=True)), L.Dense(3)])
    found = doctor.cudnn_eligibility(model, x)
    assert len(found) == 2  # both directions
    for finding in found:
        assert finding.value == (1.0 if padding == "post" else 0.0), finding.evidence
        assert ("not right-padded" in finding.evidence) == (padding == "pre")


def _stateful_model():
    return compiled([keras.Input(batch_shape=(8, 5, 2)), L.LSTM(4, stateful=True), L.Dense(1)], "mse")


def test_stateful_batch_size_and_shuffle():
    x, y = ADDING[0][:60], ADDING[1][:60]
    found = doctor.examine(_stateful_model(), x, y, batch_size=16, shuffle=True)
    assert names(found) == ["stateful_batch_size", "stateful_shuffle"]
    size = next(f for f in found if f.name == "stateful_batch_size")
    assert size.value == 60 % 16 and "built for batches of 8" in size.evidence


def test_stateful_carried_state_and_examine_keeps_it():
    x, y = ADDING[0][:16], ADDING[1][:16]
    model = _stateful_model()
    model(x[:8])
    before = [np.array(v) for v in model.layers[0].states]
    found = doctor.examine(model, x, y)
    assert names(found, "info") == ["cudnn", "stateful_carried_state"]
    after = [np.array(v) for v in model.layers[0].states]
    assert all(np.array_equal(a, b) for a, b in zip(before, after)), "examine must leave the states as it found them"
    model.layers[0].reset_state()
    assert "stateful_carried_state" not in names(doctor.examine(model, x, y), "info")


# -- argument errors --------------------------------------------------------------------
def _model():
    return keras.Sequential([keras.Input((5, 2)), L.LSTM(2), L.Dense(1)])


X, Y = ADDING[0][:4], ADDING[1][:4]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"model": "lstm"}, TypeError, "`model` must be a keras.Model. Received: model='lstm' of type str"),
    ({"x": np.zeros(5)}, ValueError, "Received: x.shape=(5,), x.dtype=float64"),
    ({"x": np.array([["a", "b"]] * 4)}, ValueError, "`x` must be a numeric array"),
    ({"y": Y[:3]}, ValueError, "Received: x.shape=(4, 5, 2), y.shape=(3, 1)"),
    ({"x": X[:1], "y": Y[:1]}, ValueError, "at least 2 samples. Received: x.shape=(1, 5, 2)"),
    ({"loss": 3}, TypeError, "Received: loss=3 of type int"),
    ({"split": [1, 2, 3]}, ValueError, "Received: split=[1, 2, 3]"),
    ({"split": {"train": [0]}}, ValueError, "keys 'train' and 'val'"),
    ({"split": ([0.5, 1], [2])}, ValueError, "Received: split['train'] of shape (2,) and dtype float64"),
    ({"split": {"train": [0], "val": [1], "window": 0}}, ValueError, "Received: split['window']=0"),
    ({"split": {"train": [0], "val": [1], "series": np.zeros(5)}}, ValueError,
     "Received: series shape (5,), scaled shape None"),
    ({"target_feature": 2}, ValueError, "Received: target_feature=2, x.shape=(4, 5, 2)"),
    ({"target_feature": 0.5}, TypeError, "Received: target_feature=0.5"),
    ({"batch_size": 0}, ValueError, "Received: batch_size=0"),
    ({"shuffle": "yes"}, TypeError, "Received: shuffle='yes'"),
])
def test_argument_errors(kwargs, error, message):
    arguments = {"model": _model(), "x": X, "y": Y, **kwargs}
    with pytest.raises(error) as info:
        doctor.examine(arguments.pop("model"), arguments.pop("x"), arguments.pop("y"), **arguments)
    assert message in str(info.value)


def test_doctor_is_a_lazy_submodule():
    import lstmcourse

    assert lstmcourse.doctor is doctor and "doctor" in lstmcourse.__all__


def test_finding_severity_is_checked():
    with pytest.raises(ValueError, match="Received: severity='warning'"):
        doctor.Finding("x", "evidence", "fix", severity="warning")
    text = str(doctor.Finding("cudnn", "LSTM would run on cuDNN: yes.", "Nothing.", 1.0, "info", "lstm"))
    assert text == "info: cudnn [lstm]: LSTM would run on cuDNN: yes. Fix: Nothing."


def test_window_overlap_with_a_horizon_counts_target_steps_only():
    # split by time, validation inputs reaching back into the training steps (lesson 08): no leak
    assert doctor.leakage({"train": np.arange(0, 80), "val": np.arange(80, 100), "window": 10, "horizon": 1}) == []
    # a validation target inside a training window still leaks
    found = doctor.leakage({"train": np.arange(0, 80), "val": np.arange(75, 100), "window": 10, "horizon": 1})
    assert names(found) == ["window_overlap"] and found[0].value == pytest.approx(5 / 25)  # targets 84 … 88
    with pytest.raises(ValueError, match="horizon"):
        doctor.examine(keras.Sequential([keras.Input((3, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)]),
                       np.zeros((4, 3, 1)), np.zeros(4), split={"train": [0], "val": [5], "window": 3, "horizon": 4})


def test_end_padding_of_a_causal_model_whose_loss_ignores_it_is_no_problem():
    x = np.zeros((40, 8), dtype="int32")
    for i in range(40):
        x[i, :2 + i % 6] = 1 + (np.arange(2 + i % 6) + i) % 5
    y = np.where(x > 0, np.roll(x, -1, axis=1), 0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(6, 4),
                              keras.layers.LSTM(4, return_sequences=True), keras.layers.Dense(6)])
    ignoring = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    assert doctor.unmasked_padding(model, x, y, loss=ignoring) == []
    # without ignore_class, reading the whole sequence, or backwards, the padding counts
    counting = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert names(doctor.unmasked_padding(model, x, y, loss=counting)) == ["unmasked_padding"]
    assert names(doctor.unmasked_padding(model, x)) == ["unmasked_padding"]
    backwards = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(6, 4),
                                  keras.layers.LSTM(4, return_sequences=True, go_backwards=True),
                                  keras.layers.Dense(6)])
    assert names(doctor.unmasked_padding(backwards, x, y, loss=ignoring)) == ["unmasked_padding"]
