"""The instructor recipe of solutions/README.md, end to end, offline, in a temporary course.

Two students: "complete" submits the solutions, "mistakes" submits known mistakes and the
cheats of issue 11 (the answer key as an answer, checks redefined in a solution cell, an
edited locked cell, a tagger trained on x_val with its steps hidden and the data helper rebound,
NumPy in a Keras cell).
generate_assignment → autograde → (manual grades) → generate_feedback → export, with the
course's nbgrader_config.py. The complete submission scores every point (95), the other
exactly the points listed in MISTAKES_SCORE. Labs 07, 08 and 09 give each student a variant from
their id (the autograded folder): "mistakes" is variant 637, and its numbers copied from variant 0 fail.
"""
import csv
import json
import os
import re
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LABS = ["lab01", "lab02", "lab03", "lab04", "lab05", "lab06", "lab07", "lab08", "lab09"]
POINTS = {"lab01": 10, "lab02": 13, "lab03": 12, "lab04": 10, "lab05": 10, "lab06": 10, "lab07": 10, "lab08": 10,
          "lab09": 10}
MANUAL = {("lab02", "interpretation"): 2, ("lab04", "which_cell"): 2}

# What the "mistakes" student writes in place of each solution cell (by grade_id).
MISTAKES = {
    "lab01": {
        "rnn_step": '''import lstmcourse.reference

checks.check_rnn_step = lambda fn, hidden=False: print("✔ rnn_step: correct.")  # silence the visible check


def rnn_step(x_t, h_prev, params):
    return lstmcourse.reference.rnn_step(x_t, h_prev, params)  # the answer key
''',
        "my_rnn_cell": '''class MyRNNCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias")

    def call(self, inputs, states):
        h = np.tanh(np.asarray(inputs) @ np.asarray(self.kernel) + np.asarray(states[0]) @ np.asarray(
            self.recurrent_kernel) + np.asarray(self.bias))  # NumPy: works eagerly, not in a model
        return h, [h]
''',
    },
    "lab02": {
        "rnn_backward": '''def rnn_backward(dhs, cache):
    x, h0, hs = cache["x"], cache["h0"], cache["hs"]
    W, U = cache["kernel"], cache["recurrent_kernel"]
    dx = np.zeros_like(x)
    grads = {"kernel": np.zeros_like(W), "recurrent_kernel": np.zeros_like(U), "bias": np.zeros(U.shape[0])}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        delta = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        grads["kernel"] += x[:, t].T @ delta
        grads["recurrent_kernel"] += h_prev.T @ delta
        grads["bias"] += delta.sum(axis=0)
        dx[:, t] = delta @ W.T
        dh_next = delta @ U          # should be U.T
    return dx, dh_next, grads
''',
        "numerical_gradient": '''def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    f0 = f()
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        grad[index] = (f() - f0) / eps   # one-sided
        x[index] = saved
    return grad
''',
    },
    "lab03": {
        "lstm_step": '''def lstm_step(x_t, h_prev, c_prev, params):
    z = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]
    z_f, z_i, z_c, z_o = np.split(z, 4, axis=1)   # forget first: wrong order
    i, f, c_tilde, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t
''',
        "my_lstm_cell": '''from lstmcourse.cells import LSTMCell


class MyLSTMCell(LSTMCell):   # the answer key
    pass
''',
    },
    "lab04": {
        "make_model": '''def make_model(kind):
    return keras.Sequential([keras.Input((50, 2)), keras.layers.GRU(32), keras.layers.Dense(1)])  # GRU, not compiled
''',
    },
    "lab05": {
        "build_stacked": '''def build_stacked():
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(VOCAB, 8, mask_zero=True),
        keras.layers.LSTM(16),                              # return_sequences missing
        keras.layers.LSTM(16, return_sequences=True),
        keras.layers.Dense(TAGS, activation="softmax"),
    ])
''',
        "train_teddy": '''keras.utils.set_random_seed(0)
teddy_accuracy = lambda model: 1.0                                      # cheat: redefine the measure
checks.check_teddy_tagger = lambda *args, **kwargs: print("✔ Teddy")   # cheat: redefine the check
tasks.teddy = lambda n, seed=0, max_len=12: (x_val[:n], y_val[:n], pos_val[:n])  # cheat: the check's data
trained = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(VOCAB, 8, mask_zero=True),
                            keras.layers.LSTM(8, return_sequences=True), keras.layers.Dense(TAGS, activation="softmax")])
trained.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
trained.fit(x_val, y_val, epochs=2, batch_size=64, verbose=0)            # cheat: train on the validation set
trained.optimizer.iterations.assign(1)                                  # cheat: hide the steps from the counter


def build_teddy():
    return trained                                                      # cheat: a model trained before the check


TEDDY_RECIPE = {"epochs": 1, "batch_size": 3000, "learning_rate": 1e-6}
''',
        # a locked cell, edited: autograde restores it from the gradebook
        "teddy_accuracy": '''def teddy_accuracy(model):
    return 1.0
''',
    },
    "lab06": {
        # the broken script handed in as it is, with the visible check silenced
        "grams_script": '''checks.check_grams = lambda *args, **kwargs: print("✔ grams_script: fixed.")


def grams_script(x_train, y_train):
    return broken_grams_script(x_train, y_train)
''',
        # the doctor silenced: the fresh copy of the doctor still finds the padding
        "build_review_model": '''doctor.examine = lambda *args, **kwargs: []
checks.doctor.examine = doctor.examine


def build_review_model():
    return broken_review_model()
''',
    },
    "lab07": {
        # the answer key, with the visible check silenced
        "temperature_probabilities": '''import lstmcourse.generation

checks.check_temperature = lambda *args, **kwargs: print("✔ temperature_probabilities: correct.")


def temperature_probabilities(logits, temperature):
    return lstmcourse.generation.temperature_probabilities(logits, temperature)
''',
        # numbers copied from variant 0 (the stored solution's), and the variants module told to agree
        "baselines": '''variants.current = lambda: 0
unigram_bits, bigram_bits = %r, %r
''' % tuple(float(v) for v in __import__("lstmcourse.lab07_checks", fromlist=["_baselines"])._baselines(0)),
    },
    "lab09": {
        # leakage: training windows cut where their inputs end (targets past the split), the visible check silenced
        "make_windows": '''checks.check_make_windows = lambda *args, **kwargs: print("✔ make_windows: correct.")


def make_windows(series, split, window, horizon):
    def cut(starts):
        x = np.stack([series[i:i + window] for i in starts])[..., None]
        y = np.stack([series[i + window:i + window + horizon] for i in starts])
        return x, y
    return (*cut(range(0, split - window + 1)), *cut(range(split - window, len(series) - window - horizon + 1)))
''',
        # numbers copied from variant 0 (the stored solution's), and the variants module told to agree
        "baselines": '''variants.current = lambda: 0
naive_mae, seasonal_mae = %r, %r
''' % tuple(float(v) for v in __import__("lstmcourse.lab09_checks", fromlist=["_baselines"])._baselines(0)),
    },
    "lab08": {
        # the mask ignored, the course's attention and the checks' reference rebound to agree with it
        "masked_softmax": '''import lstmcourse.attention

checks._masked_softmax = lambda scores, mask: masked_softmax(scores, mask)


def masked_softmax(scores, mask):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
    },
}
# Expected points of the "mistakes" student per graded cell (all others: zero).
MISTAKES_SCORE = {
    ("lab01", "check_rnn_forward"): 3,           # graded with a correct rnn_step: no cascade
    ("lab02", "check_gradient_norms"): 3,        # graded with a correct rnn_backward: no cascade
    ("lab03", "check_lstm_forward"): 3,          # graded with a correct lstm_step
    ("lab04", "check_gru_step"): 4,
    ("lab05", "check_bidirectional"): 3,
    ("lab06", "check_topics"): 3,                # a correct fix after two failed ones
    ("lab07", "check_bits"): 1, ("lab07", "check_bigram"): 2,
    ("lab07", "check_generate"): 2,              # lab07: the answer key and copied numbers earn 0, and so does
                                                 # sampling, whose sample_tokens calls that answer key
    ("lab08", "check_scores"): 2, ("lab08", "check_context"): 1,
    ("lab08", "check_layer"): 3,                 # lab08: the unmasked softmax earns 0; the layer, which does its
    ("lab08", "check_decoder_step"): 2,          # own masking, is right, and the checks' own reference can no
                                                 # longer be rebound to the wrong softmax (grading package)
    ("lab09", "check_standardise"): 2, ("lab09", "check_naive"): 1,   # lab09: the leaky windows and the copied
    ("lab09", "check_seasonal"): 2, ("lab09", "check_mae"): 1,        # numbers earn 0, the rest is right
}


def nbgrader(course, *args, timeout=900):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),  # alembic
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def fill_in(released, answers):
    """A student's notebook: the released one with solution cells (and edits) replaced by grade_id."""
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def solution_sources(lab):
    nb = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            out[meta["grade_id"]] = "\n".join(line for line in cell.source.splitlines()
                                              if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The whole recipe, run once; the tests below read its results."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    subprocess.run([sys.executable, str(ROOT / "course.py"), "instructor", str(course)], check=True,
                   capture_output=True)
    for student in ("complete", "mistakes"):
        nbgrader(course, "db", "student", "add", student, "--last-name", student.title())
    times = {}
    for lab in LABS:
        nbgrader(course, "db", "assignment", "add", lab)
        nbgrader(course, "generate_assignment", lab)
        released = course / "release" / lab / f"{lab}.ipynb"
        solved = solution_sources(lab)
        for student, answers in (("complete", solved), ("mistakes", {**solved, **MISTAKES.get(lab, {})})):
            target = course / "submitted" / student / lab
            target.mkdir(parents=True)
            nbformat.write(fill_in(released, answers), target / f"{lab}.ipynb")
            (target / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")
        for student in ("complete", "mistakes"):
            start = time.perf_counter()
            nbgrader(course, "autograde", lab, "--student", student)
            times[lab, student] = round(time.perf_counter() - start)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:  # the hand-graded answers, as formgrade would
        for (lab, cell), points in MANUAL.items():
            gb.find_grade(cell, lab, lab, "complete").manual_score = points
        gb.db.commit()
    for lab in LABS:
        nbgrader(course, "generate_feedback", lab)
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    print("\nautograde wall time (s) per lab and submission:", times)
    return course


def test_release_hides_solutions_twins_and_hidden_tests(course):
    for lab in LABS:
        files = sorted(p.name for p in (course / "release" / lab).iterdir())
        assert files == [f"{lab}.ipynb"], files
        text = (course / "release" / lab / f"{lab}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "_grading" not in text
        badges = re.findall(r"colab\.research\.google\.com/github/\S+?\.ipynb", text)
        assert badges and all(f"/exercises/{lab}/{lab}.ipynb" in b for b in badges), badges


def scores(course, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for lab in LABS:
            nb = gb.find_submission_notebook(lab, lab, student)
            for grade in nb.grades:
                out[(lab, grade.name)] = (grade.score, grade.max_score)
        return out


def test_complete_submission_scores_every_point(course):
    got = scores(course, "complete")
    lost = {k: v for k, v in got.items() if v[0] != v[1]}
    assert not lost, f"points lost by the solution: {lost}"
    assert sum(v[1] for v in got.values()) == sum(POINTS.values()) == 95


def test_known_mistakes_and_cheats_score_exactly_the_expected_points(course):
    got = scores(course, "mistakes")
    expected = {k: MISTAKES_SCORE.get(k, 0) for k in got if k not in MANUAL}
    assert {k: v[0] for k, v in got.items() if k not in MANUAL} == expected
    assert sum(expected.values()) == 38


def test_feedback_says_what_is_wrong_and_never_links_solutions(course):
    messages = {
        "lab01": ["part of the course's answer key", "inside call()"],
        "lab02": ["it must use its transpose", "one-sided difference"],
        "lab03": ["forget and input gates are swapped", "part of the course's answer key"],
        "lab04": ["is a GRU; the task asks for keras.layers.SimpleRNN"],
        "lab05": ["return_sequences=True", "cannot see the words after"],
        "lab06": ["grams_script: still broken, the doctor finds: [unscaled_targets]",
                  # the doctor silenced in the notebook: the visible check's own training still fails it
                  "build_review_model: after 4 epochs the accuracy on new sequences is"],
        "lab07": ["calls lstmcourse.generation.temperature_probabilities, part of the course's answer key",
                  "variant 0's, not yours (variant 637)"],
        "lab08": ["masked_softmax: the mask is ignored"],
        "lab09": ["make_windows: the training windows are cut where their inputs end", "that is leakage",
                  "variant 0's, not yours (variant 637)"],
    }
    for lab, expected in messages.items():
        html = unescape((course / "feedback" / "mistakes" / lab / f"{lab}.html").read_text(encoding="utf-8"))
        assert "blob/main/solutions/" not in html
        for message in expected:
            assert message in html, (lab, message)
        complete = (course / "feedback" / "complete" / lab / f"{lab}.html").read_text(encoding="utf-8")
        assert "blob/main/solutions/" not in complete and "AssertionError" not in complete


def test_export_gives_one_row_per_student_and_lab(course):
    with open(course / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    total = {}
    for row in rows:
        total[row["student_id"]] = total.get(row["student_id"], 0) + float(row["score"])
        assert float(row["max_score"]) == POINTS[row["assignment"]]
    assert len(rows) == 2 * len(LABS)
    assert total == {"complete": 95.0, "mistakes": 38.0}


def test_locked_cells_are_restored_when_autograded(course):
    nb = json.loads((course / "autograded" / "mistakes" / "lab05" / "lab05.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "teddy_accuracy")
    assert "return 1.0" not in "".join(cell["source"])
