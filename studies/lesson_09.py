"""Flip risk of lesson 09's claims (sentiment): baselines, mask, padding."""
import numpy as np

from claims import k_of_5, resampled, setup


def lesson_09(replicas=24, data_seeds=(42, 1000, 2000)):
    """Lesson 09 §4: bag of words, SimpleRNN, LSTM with and without the mask; the split follows the seed."""
    keras = setup()
    from lstmcourse import datasets, experiments

    stats_ = {k: [] for k in ("test_bow", "test_rnn", "test_lstm", "unmasked_e1_excess", "gap_e1", "gap_e2",
                              "rnn_minus_majority")}
    for seed in data_seeds:
        reviews = datasets.rotten_tomatoes(seed=seed)
        vocab_size = len(reviews.vocabulary)
        majority = float(max(reviews.y_test.mean(), 1 - reviews.y_test.mean()))
        majority_val = float(max(reviews.y_val.mean(), 1 - reviews.y_val.mean()))

        def rnn_classifier(recurrent_layer, mask_zero=True):
            return keras.Sequential([keras.Input((None,), dtype="int32"),
                                     keras.layers.Embedding(vocab_size, 16, mask_zero=mask_zero),
                                     recurrent_layer, keras.layers.Dense(1, activation="sigmoid")])

        models = {"bag of words": lambda: rnn_classifier(keras.layers.GlobalAveragePooling1D()),
                  "SimpleRNN": lambda: rnn_classifier(keras.layers.SimpleRNN(16)),
                  "LSTM, not masked": lambda: rnn_classifier(keras.layers.LSTM(16), mask_zero=False),
                  "LSTM": lambda: rnn_classifier(keras.layers.LSTM(16))}

        def accuracy_on(model, x, y):
            return float(np.mean((np.asarray(model(x, training=False))[:, 0] > 0.5) == y))

        on_test = {"test_accuracy": lambda model: accuracy_on(model, reviews.x_test, reviews.y_test)}
        runs, test = {}, {}
        for name, build in models.items():
            runs[name] = experiments.train_seeds(
                build, reviews.x_train, reviews.y_train[:, None], seeds=list(range(seed, seed + replicas)),
                loss="binary_crossentropy", optimizer=lambda: keras.optimizers.Adam(0.01), metrics=["accuracy"],
                epochs=2, batch_size=256, validation_data=(reviews.x_val, reviews.y_val[:, None]), per_epoch=on_test)
            best_epoch = np.argmax(runs[name].history["val_accuracy"], axis=1)
            test[name] = runs[name].history["test_accuracy"][np.arange(replicas), best_epoch]
        val = {n: runs[n].history["val_accuracy"] for n in ("LSTM", "LSTM, not masked")}
        gap = val["LSTM"] - val["LSTM, not masked"]
        stats_["test_bow"].extend(test["bag of words"] - majority)
        stats_["test_lstm"].extend(test["LSTM"] - majority)
        stats_["rnn_minus_majority"].extend(test["SimpleRNN"] - majority)
        stats_["unmasked_e1_excess"].extend(val["LSTM, not masked"][:, 0] - majority_val)
        stats_["gap_e1"].extend(gap[:, 0])
        stats_["gap_e2"].extend(gap[:, 1])
    s = {k: np.array(v) for k, v in stats_.items()}
    claims = [
        k_of_5("bag of words beats the majority by 0.1 on every seed", s["test_bow"], lambda v: v > 0.1, 5, 0.1, ">",
               in_lesson=False),
        k_of_5("bag of words beats the majority by 0.1 on the median seed", s["test_bow"], lambda v: v > 0.1, 3, 0.1,
               ">"),
        k_of_5("LSTM beats the majority by 0.1 on every seed", s["test_lstm"], lambda v: v > 0.1, 5, 0.1, ">",
               in_lesson=False),
        k_of_5("LSTM beats the majority by 0.08 on the median seed", s["test_lstm"], lambda v: v > 0.08, 3, 0.08, ">"),
        k_of_5("SimpleRNN beats the majority (median)", s["rnn_minus_majority"], lambda v: v > 0, 3, 0.0, ">"),
        k_of_5("unmasked LSTM at the majority rate after epoch 1, every seed", s["unmasked_e1_excess"],
               lambda v: v < 0.01, 5, 0.01, "<", in_lesson=False),
        k_of_5("unmasked LSTM within 0.02 of the majority rate after epoch 1 (median)", s["unmasked_e1_excess"],
               lambda v: v < 0.02, 3, 0.02, "<"),
        k_of_5("masked ahead by > 0.08 after epoch 1, every seed", s["gap_e1"], lambda v: v > 0.08, 5, 0.08, ">",
               in_lesson=False),
        k_of_5("masked ahead by > 0.08 after epoch 1 (median)", s["gap_e1"], lambda v: v > 0.08, 3, 0.08, ">"),
        k_of_5("masked ahead by > 0.05 after epoch 2 (median)", s["gap_e2"], lambda v: v > 0.05, 3, 0.05, ">",
               in_lesson=False),
        k_of_5("masked ahead by > 0.04 after epoch 2 (median)", s["gap_e2"], lambda v: v > 0.04, 3, 0.04, ">"),
        resampled("SimpleRNN weakest (median)",   # accuracies minus the majority rate of their own split
                  {"bow": s["test_bow"], "rnn": s["rnn_minus_majority"], "lstm": s["test_lstm"]},
                  lambda d: np.median(d["rnn"]) < min(np.median(d["bow"]), np.median(d["lstm"])), in_lesson=False),
        resampled("no model beats the bag of words by more than 0.03 (medians)",
                  {"bow": s["test_bow"], "rnn": s["rnn_minus_majority"], "lstm": s["test_lstm"]},
                  lambda d: np.median(d["bow"]) > max(np.median(d["rnn"]), np.median(d["lstm"])) - 0.03),
    ]
    return {"claims": claims, "data_seeds": list(data_seeds), "replicas_per_data_seed": replicas}


STUDIES = {"09": lesson_09}
