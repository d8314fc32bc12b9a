"""Flip risk of lesson 06's claims (bidirectional RNNs): the Teddy tagger."""
import numpy as np

from claims import k_of_5, setup


def lesson_06(replicas=20, data_seeds=(42, 1000, 2000, 3000)):
    """Lesson 06 §3–§4: a unidirectional and a bidirectional LSTM(16) tagger, 4 epochs, on Teddy data.

    The sentences follow the notebook's seed (``tasks.teddy(2000, seed)``, validation
    ``seed + 1``), so the data seed varies too. Deterministic asserts are left out:
    §2's rebuilt layer equals ``Bidirectional`` (the same arithmetic) and §4's
    unidirectional prediction at "teddy" cannot move when a later word changes (the
    forward pass at step t reads only steps <= t); they are recorded as bounds.
    """
    keras = setup()
    from lstmcourse import experiments, tasks
    from lstmcourse.cells import LSTMCell

    class TeddyAccuracy(keras.metrics.SparseCategoricalAccuracy):
        def __init__(self, name="teddy_accuracy", **kwargs):
            super().__init__(name=name, **kwargs)

        def update_state(self, y_true, y_pred, sample_weight=None):
            on_teddy = keras.ops.cast(keras.ops.not_equal(y_true, 0), "float32")
            return super().update_state(y_true, y_pred, sample_weight=on_teddy)

    def tagger(bidirectional):
        rnn = keras.layers.RNN(LSTMCell(16), return_sequences=True)
        return keras.Sequential([
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(len(tasks.TEDDY_VOCAB), 8, mask_zero=True),
            keras.layers.Bidirectional(rnn) if bidirectional else rnn,
            keras.layers.Dense(len(tasks.TEDDY_TAGS), activation="softmax"),
        ])

    s = {k: [] for k in ("uni_minus_chance", "bi", "uni_other", "bi_other", "uni_moved", "bi_moved", "bi_smallest_change")}
    for seed in data_seeds:
        x_train, y_train, _ = tasks.teddy(2000, seed=seed)
        x_val, y_val, pos_val = tasks.teddy(1000, seed=seed + 1)
        teddy_tags = y_val[np.arange(len(y_val)), pos_val]
        chance = float(max(np.mean(teddy_tags == 1), np.mean(teddy_tags == 2)))
        n_tokens = int(np.sum(x_val > 0))
        sentences = x_val[:200]
        changed = sentences.copy()
        rows, last = np.arange(len(sentences)), np.sum(sentences > 0, axis=1) - 1
        today, cute = tasks.TEDDY_VOCAB.index("today"), tasks.TEDDY_VOCAB.index("cute")
        changed[rows, last] = np.where(sentences[rows, last] == today, cute, today)
        for name, bidirectional in (("uni", False), ("bi", True)):
            r = experiments.train_seeds(
                lambda: tagger(bidirectional), x_train, y_train, seeds=list(range(seed, seed + replicas)),
                loss="sparse_categorical_crossentropy", optimizer=lambda: keras.optimizers.Adam(0.01),
                metrics=["accuracy", TeddyAccuracy], epochs=4, batch_size=64, validation_data=(x_val, y_val))
            teddy = r.final("val_teddy_accuracy")
            other = (r.final("val_accuracy") * n_tokens - teddy * len(x_val)) / (n_tokens - len(x_val))
            s[f"{name}_other"].extend(other)
            s["uni_minus_chance" if name == "uni" else "bi"].extend(teddy - chance if name == "uni" else teddy)
            for i in range(replicas):
                model = r.model(i)
                before = model.predict(sentences, verbose=0)[rows, pos_val[:200]]
                after = model.predict(changed, verbose=0)[rows, pos_val[:200]]
                s[f"{name}_moved"].append(int(np.sum(np.any(before != after, axis=1))))
                if name == "bi":
                    s["bi_smallest_change"].append(float(np.min(np.max(np.abs(before - after), axis=1))))
            print(f"data seed {seed} {name}: {r.seconds:.1f} s", flush=True)
    s = {k: np.array(v, dtype=float) for k, v in s.items()}
    claims = [
        k_of_5("unidirectional at 'teddy' below chance + 0.05 on every seed", s["uni_minus_chance"],
               lambda v: v < 0.05, 5, 0.05, "<", in_lesson=False),
        k_of_5("unidirectional at 'teddy' below chance + 0.05 on the median seed", s["uni_minus_chance"],
               lambda v: v < 0.05, 3, 0.05, "<"),
        k_of_5("bidirectional at 'teddy' above 0.95 on every seed", s["bi"], lambda v: v > 0.95, 5, 0.95, ">",
               in_lesson=False),
        k_of_5("bidirectional at 'teddy' above 0.95 on the median seed", s["bi"], lambda v: v > 0.95, 3, 0.95, ">"),
        k_of_5("unidirectional on the other (O) tokens above 0.99 on every seed", s["uni_other"],
               lambda v: v > 0.99, 5, 0.99, ">", in_lesson=False),
        k_of_5("unidirectional on the other (O) tokens above 0.99 on the median seed", s["uni_other"],
               lambda v: v > 0.99, 3, 0.99, ">"),
        k_of_5("§4 unidirectional prediction at 'teddy' moved in 0 of 200 sentences", s["uni_moved"],
               lambda v: v == 0, 5, 0.5, "<",
               by_construction="the forward pass at step t reads only steps <= t, and the edited word comes "
                               "after 'teddy'"),
        k_of_5("§4 bidirectional prediction at 'teddy' moved in 200 of 200 sentences (median model)",
               s["bi_moved"], lambda v: v == 200, 3, 199.5, ">"),
        k_of_5("§2 Bidirectional equals the forward layer plus a flipped go_backwards copy", np.zeros(1),
               lambda v: v == 0, 5, 0.0, "<",
               by_construction="the same arithmetic on the same weights (checked to 1e-6 in float32)"),
    ]
    return {"claims": claims, "data_seeds": list(data_seeds), "replicas_per_data_seed": replicas,
            "bi_smallest_change_in_probability": float(np.min(s["bi_smallest_change"])),
            "uni_minus_chance_values": sorted(set(np.round(s["uni_minus_chance"], 4).tolist()))}


STUDIES = {"06": lesson_06}
